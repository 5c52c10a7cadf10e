#!/usr/bin/env bash
# Builds the externals' dependencies as static libraries into PREFIX, so the Max package and the Pd folders
# need nothing installed: libzmq (CURVE through its bundled TweetNaCl, no libsodium to ship) and msgpack-c.
#   scripts/build_static_deps.sh PREFIX [CMAKE_ARGS...]
# e.g. on macOS: scripts/build_static_deps.sh deps -DCMAKE_OSX_ARCHITECTURES="arm64;x86_64"
# Then configure jukebox~ with -DJBX_DEPS_PREFIX=PREFIX. Needs git, cmake and a C/C++ compiler, and the network
# (it clones the pinned tags below); the release workflow runs it on macOS and Windows.
set -euo pipefail
prefix="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
LIBZMQ_TAG="${LIBZMQ_TAG:-v4.3.5}"
MSGPACK_C_TAG="${MSGPACK_C_TAG:-c-6.1.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone -q --depth 1 --branch "$LIBZMQ_TAG" https://github.com/zeromq/libzmq.git "$work/libzmq"
cmake -S "$work/libzmq" -B "$work/libzmq-build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED=OFF -DBUILD_STATIC=ON -DBUILD_TESTS=OFF \
  -DWITH_PERF_TOOL=OFF -DWITH_DOCS=OFF -DENABLE_DRAFTS=OFF -DWITH_LIBSODIUM=OFF -DENABLE_CURVE=ON \
  -DWITH_LIBBSD=OFF -DENABLE_WS=OFF -DWITH_NORM=OFF -DWITH_OPENPGM=OFF -DWITH_VMCI=OFF \
  -DCMAKE_MSVC_RUNTIME_LIBRARY=MultiThreaded "$@"
cmake --build "$work/libzmq-build" --config Release -j4
cmake --install "$work/libzmq-build" --config Release

git clone -q --depth 1 --branch "$MSGPACK_C_TAG" https://github.com/msgpack/msgpack-c.git "$work/msgpack-c"
cmake -S "$work/msgpack-c" -B "$work/msgpack-build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF -DMSGPACK_BUILD_EXAMPLES=OFF \
  -DMSGPACK_BUILD_TESTS=OFF -DCMAKE_MSVC_RUNTIME_LIBRARY=MultiThreaded "$@"
cmake --build "$work/msgpack-build" --config Release -j4
cmake --install "$work/msgpack-build" --config Release
echo "static libzmq $LIBZMQ_TAG and msgpack-c $MSGPACK_C_TAG in $prefix"
