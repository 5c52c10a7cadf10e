"""Checks the zips make_release.py wrote: the Max package is a package Max can read (package-info.json by its
conventions, the home patcher, help, refpage) and every Pd zip holds an external and its help patch.

    python package/tools/check_release.py RELEASE_FOLDER
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path


def check_max_package(path: Path) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        info = json.loads(archive.read("jukebox~/package-info.json"))
    for key in ("name", "version", "author", "description", "max_version_min", "os", "homepatcher"):
        if not info.get(key):
            problems.append(f"package-info.json has no {key}")
    platforms = {name: set(os.get("platform", [])) for name, os in info.get("os", {}).items()}
    if platforms.get("macintosh") != {"x64", "arm64"} or platforms.get("windows") != {"x64"}:
        problems.append(f"package-info.json platforms should be macintosh x64+arm64, windows x64: {platforms}")
    for needed in (f"jukebox~/patchers/{info.get('homepatcher')}", "jukebox~/help/jukebox~.maxhelp",
                   "jukebox~/docs/refpages/jukebox~.maxref.xml"):
        if needed not in names:
            problems.append(f"{path.name} lacks {needed}")
    if any(n.endswith("README.md") for n in names):
        problems.append(f"{path.name} holds a maintainer's README.md")
    return problems


def check_pd(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    problems = [] if "jukebox~/jukebox~-help.pd" in names else [f"{path.name} lacks its help patch"]
    if not any(n.startswith("jukebox~/jukebox~.") and not n.endswith(".pd") for n in names):
        problems.append(f"{path.name} lacks the external")
    return problems


def main() -> None:
    folder = Path(sys.argv[1])
    packages, pds = sorted(folder.glob("jukebox~-max-package-*.zip")), sorted(folder.glob("jukebox~-pd-*.zip"))
    problems = [] if len(packages) == 1 and pds else [f"expected one Max package and Pd zips in {folder}"]
    for path in packages:
        problems += check_max_package(path)
    for path in pds:
        problems += check_pd(path)
    for problem in problems:
        print(f"check_release: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check_release: {', '.join(p.name for p in packages + pds)} whole")


if __name__ == "__main__":
    main()
