#!/usr/bin/env bash
# Installs everything the project needs on Debian 12 (idempotent): the native toolchain and the Python host.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_packages=(puredata-core puredata-dev libzmq3-dev libmsgpack-dev pkg-config cmake gcc)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
# CPU torch first: anything that depends on torch would otherwise pull a multi-GB CUDA build.
# On a GPU machine, install the CUDA build of torch yourself before running this.
if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
  "$PYTHON" -m pip install -q torch==2.13.0
fi
"$PYTHON" -m pip install -q -e "./pyhost[test]"
