#!/usr/bin/env bash
# The release, from a clean checkout, into dist/: the Max package (jukebox~.mxo for macOS, universal, and
# jukebox~.mxe64 for Windows x64) and a Pd zip per platform (Linux x86_64, macOS universal, Windows x64), every
# external built on this Debian machine, checked, and zipped (package/tools/release says how).
#   bash scripts/release.sh [--out DIR] [--targets linux-x86_64,windows-x64,macos-arm64,macos-x86_64]
# The static libzmq and msgpack-c are built once from Debian's source packages and cached in ~/.cache/jukebox-tilde
# (JBX_CACHE); Cycling '74's max-sdk-base comes from MAX_SDK_BASE_DIR, max-sdk-ext/max/max-sdk-base or
# ~/.cache/jukebox-tilde/max-sdk-base; without it the Pd zips alone are made, and the script says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --release
exec .venv/bin/python package/tools/release "$@"
