#!/usr/bin/env bash
# Runs every test: lint, the C core under ASan/UBSan against the real host (ctest), the Pd end-to-end tests,
# the Windows cross-compile and the host's pytest suite. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# The project venv first on PATH: python3, jukebox-host and ruff are its own (ctest and the Pd tests start hosts
# with python3 too).
export PATH="$PWD/.venv/bin:$PATH"

ruff check pyhost tests bench package/tools

sdk=()
if [ -n "${MAX_SDK_BASE_DIR:-}" ]; then sdk=(-DMAX_SDK_BASE_DIR="$MAX_SDK_BASE_DIR"); fi
cmake -S . -B build -DJBX_SANITIZE=ON -DJBX_WERROR=ON "${sdk[@]}"
cmake --build build -j2
# A packager's Release build must compile warning-free too (gcc warns more at -O2/-O3).
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DJBX_SANITIZE=OFF -DJBX_BUILD_TESTS=OFF -DJBX_WERROR=ON \
  "${sdk[@]}" >/dev/null
cmake --build build-release -j2
ctest --test-dir build --output-on-failure
# Windows: the core and the Pd external cross-compiled with mingw-w64 (compile only: see the script).
bash scripts/cross_windows.sh >/dev/null

python3 -m pytest tests --ignore=tests/pd  # tests/pd runs inside ctest (pd_e2e), against the fresh build
