#!/usr/bin/env bash
# The Windows check that runs here: the C core and the Pd external compiled for 64-bit Windows with mingw-w64,
# warnings as errors. Debian has no Windows builds of libzmq and msgpack-c, so their headers (plain C, the
# same on every platform) are copied from the Linux packages into build-windows/headers and nothing is linked;
# the release workflow (.github/workflows/release.yml) builds and links the real Windows externals.
set -euo pipefail
cd "$(dirname "$0")/.."
headers=build-windows/headers
rm -rf "$headers"
mkdir -p "$headers/pd"
cp /usr/include/zmq.h /usr/include/msgpack.h "$headers/"
cp -r /usr/include/msgpack "$headers/"
cp /usr/include/pd/m_pd.h /usr/include/pd/s_stuff.h "$headers/pd/"
cmake -S . -B build-windows -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw-w64.cmake -DJBX_DEPS_HEADERS="$PWD/$headers" \
  -DPD_INCLUDE_DIR="$PWD/$headers/pd" -DJBX_BUILD_MAX=OFF -DJBX_BUILD_TESTS=OFF -DJBX_SANITIZE=OFF -DJBX_WERROR=ON \
  >/dev/null
cmake --build build-windows -j2
echo "windows cross-compile: core and Pd external compiled for $(x86_64-w64-mingw32-gcc -dumpmachine)"
