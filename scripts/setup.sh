#!/usr/bin/env bash
# Installs everything the project needs on Debian 12 (idempotent): the native toolchain, and the Python host in
# a project virtual environment, .venv/ (Debian's own Python refuses system-wide pip installs, PEP 668).
# Use it afterwards with `source .venv/bin/activate`, or call .venv/bin/jukebox-host directly.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# g++: torch.compile's inductor builds C++ at run time for the compiled per-token step (--step compiled/auto).
apt_packages=(puredata-core puredata-dev libzmq3-dev libmsgpack-dev pkg-config cmake gcc g++ python3 python3-venv)
# --test: also what only the tests need (the Windows cross-compile check).
if [ "${1:-}" = "--test" ]; then apt_packages+=(gcc-mingw-w64-x86-64); fi
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's Python by default (PYTHON=... picks another one, 3.10 or newer).
PYTHON="${PYTHON:-/usr/bin/python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
# CPU torch first: anything that depends on torch would otherwise pull a multi-GB CUDA build.
# On a GPU machine, install the CUDA build of torch into .venv yourself before running this.
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  "${pip[@]}" torch==2.13.0
fi
extras="test"
if [ "${1:-}" = "--test" ]; then extras="test,ray"; fi  # the tests start a Ray Serve pool too
"${pip[@]}" -e "./pyhost[$extras]"
