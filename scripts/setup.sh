#!/usr/bin/env bash
# Installs everything the project needs on Debian 12 (idempotent), into the system (apt) and a project virtual
# environment, .venv/ (Debian's own Python refuses system-wide pip installs, PEP 668):
#   scripts/setup.sh            the native toolchain and the Python host (use: source .venv/bin/activate)
#   scripts/setup.sh --release  the toolchain that builds the externals of every platform (scripts/release.sh):
#                               mingw-w64, Zig (pip), LLVM's ld64.lld and lipo, wine, Debian's source packages
#   scripts/setup.sh --test     both, and what only the tests need
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
mode="${1:-host}"
host=1 release=0
case "$mode" in
  --test) release=1 ;;
  --release) host=0 release=1 ;;
esac

# g++: torch.compile's inductor builds C++ at run time for the compiled per-token step (--step compiled/auto).
apt_packages=(puredata-core puredata-dev libzmq3-dev libmsgpack-dev pkg-config cmake gcc g++ python3 python3-venv)
if [ $release = 1 ]; then
  # Windows: mingw-w64 (C, and C++ for libzmq), wine to run what it builds; macOS: ld64.lld (a true Mach-O bundle)
  # and llvm-lipo (universal files) from LLVM 14, Zig comes from pip; sources: dpkg-dev's dpkg-source, patch.
  apt_packages+=(ninja-build dpkg-dev patch gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64-win32 lld-14 llvm-14
                 wine wine64)
fi
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done

# The release builds libzmq and msgpack-c from Debian's source packages: apt needs a deb-src entry, made from the
# machine's own Debian entry (same mirror and suite).
add_deb_src() {
  if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then return 1; fi
  local file uri suite
  file=$(grep -lsE '^Types:.* deb( |$)' /etc/apt/sources.list.d/*.sources | head -1 || true)
  if [ -n "$file" ]; then
    uri=$(awk '/^URIs:/{print $2; exit}' "$file")
    suite=$(awk '/^Suites:/{print $2; exit}' "$file")
  else
    read -r uri suite < <(awk '$1=="deb" && $2 !~ /^\[/ {print $2, $3; exit}' /etc/apt/sources.list 2>/dev/null)
  fi
  if [ -z "${uri:-}" ] || [ -z "${suite:-}" ]; then
    echo "setup: no Debian apt entry found to add a deb-src entry beside; add one for $(. /etc/os-release; echo "$VERSION_CODENAME")" >&2
    exit 1
  fi
  printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" "$suite" | $SUDO tee /etc/apt/sources.list.d/jukebox-tilde-src.sources >/dev/null
}
updated=0
if [ $release = 1 ] && add_deb_src; then updated=1; fi
if [ ${#missing[@]} -gt 0 ] || [ $updated = 1 ]; then
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's Python by default (PYTHON=... picks another one, 3.10 or newer).
PYTHON="${PYTHON:-/usr/bin/python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
if [ $release = 1 ]; then
  "${pip[@]}" -r package/tools/release/requirements.txt
fi
if [ $host = 1 ]; then
  # CPU torch first: anything that depends on torch would otherwise pull a multi-GB CUDA build.
  # On a GPU machine, install the CUDA build of torch into .venv yourself before running this.
  if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
    "${pip[@]}" torch==2.13.0
  fi
  extras="test"
  if [ "$mode" = "--test" ]; then extras="test,ray"; fi  # the tests start a Ray Serve pool too
  "${pip[@]}" -e "./pyhost[$extras]"
fi
