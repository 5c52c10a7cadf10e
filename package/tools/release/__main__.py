"""The release, from a clean checkout: static dependencies, the externals of every platform, their checks, and
the zips. `bash scripts/release.sh` installs the toolchain and runs this.

    python package/tools/release [--out dist] [--targets linux-x86_64,windows-x64,macos-arm64,macos-x86_64]

Writes into --out the Max package (jukebox~.mxo + jukebox~.mxe64) and a Pd zip per platform (Linux x86_64, macOS
universal, Windows x64). Without Cycling '74's max-sdk-base (see max_sdk.py) it says so and makes the Pd zips alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import check_binaries
import deps
import externals
import max_sdk
from run import run, say
from targets import ROOT, TARGETS
from toolchains import require_tools

TOOLS = ROOT / "package" / "tools"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    targets = [TARGETS[name] for name in args.targets.split(",")]
    require_tools(targets)
    sdk = max_sdk.find()
    if sdk is None:
        say("max-sdk-base not found (MAX_SDK_BASE_DIR, max-sdk-ext/max/max-sdk-base, ~/.cache/jukebox-tilde/"
            "max-sdk-base): building the Pd externals alone, no Max package")
    out = args.out.resolve()
    prefixes = {target.name: externals.build(target, deps.static_deps(target), sdk, out / "prefixes")
                for target in targets}
    if "macos-arm64" in prefixes and "macos-x86_64" in prefixes:
        prefixes["macos-universal"] = externals.universal_macos(prefixes.pop("macos-arm64"),
                                                                prefixes.pop("macos-x86_64"), out / "prefixes")
    binaries = sorted(path for prefix in prefixes.values() for path in _externals(prefix))
    if check_binaries.main([str(path) for path in binaries]) != 0:
        sys.exit("release: a built external is broken (above)")
    require = ["--require-max", "mxo,mxe64"] if sdk is not None else ["--no-max"]
    platforms = ",".join(sorted({"linux" if n.startswith("linux") else n.split("-")[0] for n in prefixes}))
    for stale in out.glob("jukebox~-*.zip"):
        stale.unlink()
    run([sys.executable, TOOLS / "make_release.py", "--out", out, *require, "--require-pd", platforms,
         *prefixes.values()])
    print(run([sys.executable, TOOLS / "check_release.py", out, *require, "--require-pd", platforms]).strip())


def _externals(prefix: Path) -> list[Path]:
    found = [p for p in (prefix / "jukebox~" / "externals").glob("jukebox~.*") if p.suffix in (".mxo", ".mxe64")]
    pd = prefix / "pd" / "jukebox~"
    return found + [p for p in pd.glob("jukebox~.*") if p.suffix in (".pd_linux", ".pd_darwin", ".dll")]


if __name__ == "__main__":
    main()
