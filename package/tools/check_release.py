"""Checks the zips make_release.py wrote, as a user would unpack them: the Max package is a package Max can read
(package-info.json by its conventions, the home patcher, help, refpage, the host's read-me) holding jukebox~.mxo
and jukebox~.mxe64, each Pd zip holds its platform's external and the help patch, and every external unpacked
from them passes release/check_binaries.py.

    python package/tools/check_release.py RELEASE_FOLDER [--require-max mxo,mxe64 | --no-max]
                                          [--require-pd linux,macos,windows]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "release"))
import check_binaries  # noqa: E402  (a sibling folder of tools, not an installed package)

MAX_EXTERNALS = {"mxo": "jukebox~/externals/jukebox~.mxo/Contents/MacOS/jukebox~",
                 "mxe64": "jukebox~/externals/jukebox~.mxe64"}
PD_EXTERNALS = {"linux": "jukebox~.pd_linux", "macos": "jukebox~.pd_darwin", "windows": "jukebox~.dll"}


def check_max_package(path: Path, required: list[str], unpack: Path) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        info = json.loads(archive.read("jukebox~/package-info.json"))
        archive.extractall(unpack)
    for key in ("name", "version", "author", "description", "max_version_min", "os", "homepatcher"):
        if not info.get(key):
            problems.append(f"package-info.json has no {key}")
    platforms = {name: set(os.get("platform", [])) for name, os in info.get("os", {}).items()}
    if platforms.get("macintosh") != {"x64", "arm64"} or platforms.get("windows") != {"x64"}:
        problems.append(f"package-info.json platforms should be macintosh x64+arm64, windows x64: {platforms}")
    for needed in (f"jukebox~/patchers/{info.get('homepatcher')}", "jukebox~/help/jukebox~.maxhelp",
                   "jukebox~/docs/refpages/jukebox~.maxref.xml", "jukebox~/ReadMe-host.txt",
                   *(MAX_EXTERNALS[kind] for kind in required)):
        if needed not in names:
            problems.append(f"{path.name} lacks {needed}")
    if any(n.endswith("README.md") for n in names):
        problems.append(f"{path.name} holds a maintainer's README.md")
    externals = unpack / "jukebox~" / "externals"
    found = [p for p in externals.glob("jukebox~.*") if p.suffix in (".mxo", ".mxe64")] if externals.is_dir() else []
    return problems + _binaries(found)


def check_pd(path: Path, unpack: Path) -> list[str]:
    platform = path.name.split("-")[2]
    external = PD_EXTERNALS.get(platform, "?")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        archive.extractall(unpack)
    problems = [] if "jukebox~/jukebox~-help.pd" in names else [f"{path.name} lacks its help patch"]
    if f"jukebox~/{external}" not in names:
        return [*problems, f"{path.name} lacks jukebox~/{external}"]
    return problems + _binaries([unpack / "jukebox~" / external])


def _binaries(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        report = check_binaries.check(path)
        problems += [f"{path.name}: {problem}" for problem in report.problems]
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--require-max", default="mxo,mxe64")
    parser.add_argument("--no-max", action="store_true")
    parser.add_argument("--require-pd", default="linux,macos,windows")
    args = parser.parse_args()
    check_binaries.lief.logging.disable()
    packages = sorted(args.folder.glob("jukebox~-max-package-*.zip"))
    pds = sorted(args.folder.glob("jukebox~-pd-*.zip"))
    problems = []
    if len(packages) != (0 if args.no_max else 1):
        problems.append(f"expected {'no' if args.no_max else 'one'} Max package in {args.folder}")
    missing = sorted({p for p in args.require_pd.split(",") if p} - {p.name.split("-")[2] for p in pds})
    if missing:
        problems.append(f"no Pd zip for {', '.join(missing)}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in packages:
            problems += check_max_package(path, [k for k in args.require_max.split(",") if k], Path(tmp) / path.stem)
        for path in pds:
            problems += check_pd(path, Path(tmp) / path.stem)
    for problem in problems:
        print(f"check_release: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check_release: {', '.join(p.name for p in packages + pds)} whole, every external checked")


if __name__ == "__main__":
    main()
