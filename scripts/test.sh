#!/usr/bin/env bash
# Runs every test: lint, the C core under ASan/UBSan against the real host (ctest), the Pd end-to-end tests, the
# release (every external of every platform built, checked and zipped: scripts/release.sh), the Windows C core
# and the .mxe64 run under wine, and the host's pytest suite. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# The project venv first on PATH: python3, jukebox-host and ruff are its own (ctest and the Pd tests start hosts
# with python3 too).
export PATH="$PWD/.venv/bin:$PATH"

ruff check pyhost tests bench package/tools

# Cycling '74's max-sdk-base is never committed (see README, "Building"): without it the Max externals are
# neither built nor checked, and this says so loudly.
MAX_SDK_BASE_DIR="$(python3 package/tools/release/max_sdk.py)"
sdk=()
if [ -n "$MAX_SDK_BASE_DIR" ]; then
  sdk=(-DMAX_SDK_BASE_DIR="$MAX_SDK_BASE_DIR")
else
  echo "test.sh: WARNING: max-sdk-base not found: the Max externals (.mxo, .mxe64) are not built or checked" >&2
  export JBX_NO_MAX=1
fi
cmake -S . -B build -DJBX_SANITIZE=ON -DJBX_WERROR=ON "${sdk[@]}"
cmake --build build -j2
# A packager's Release build must compile warning-free too (gcc warns more at -O2/-O3).
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DJBX_SANITIZE=OFF -DJBX_BUILD_TESTS=OFF -DJBX_WERROR=ON \
  "${sdk[@]}" >/dev/null
cmake --build build-release -j2
ctest --test-dir build --output-on-failure
# The release: static dependencies (cached), the externals of Linux, Windows and macOS, their checks, the zips.
bash scripts/release.sh
# tests/release runs what the release's Windows build made under wine; here a missing piece fails, never skips.
export JBX_REQUIRE_RELEASE=1
python3 -m pytest tests --ignore=tests/pd  # tests/pd runs inside ctest (pd_e2e), against the fresh build
