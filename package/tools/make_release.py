"""Zips what `cmake --install` put in one or more prefixes into the release files:
  jukebox~-max-package-<version>.zip  the Max package (package-info, patchers, help, refpages, every external)
  jukebox~-pd-<platform>-<version>.zip  the Pd folder of each platform (external and help patch)

    python package/tools/make_release.py --out release PREFIX [PREFIX ...] [--require-max mxo,mxe64 | --no-max]
                                         [--require-pd linux,macos,windows]

Each PREFIX is a `cmake --install build --prefix PREFIX` of one platform (package/tools/release makes one per
target); the Max externals of all of them go into one package. Checks the versions agree, and that the package
holds every external asked for: a package missing one is an error, never written. --no-max: no Max package
(built without Cycling '74's SDK).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PD_SUFFIXES = {".pd_linux": "linux", ".pd_darwin": "macos", ".dll": "windows"}
MAX_SUFFIXES = (".mxo", ".mxe64", ".mxl_x86_64")


def project_version() -> str:
    """The one version, as CMake, the Python host and the Max package must all say it."""
    cmake = re.search(r"project\(jukebox VERSION (\S+)", (ROOT / "CMakeLists.txt").read_text())
    pyproject = re.search(r'^version = "([^"]+)"', (ROOT / "pyhost" / "pyproject.toml").read_text(), re.M)
    package = json.loads((ROOT / "package" / "jukebox~" / "package-info.json").read_text())["version"]
    versions = {cmake.group(1) if cmake else None, pyproject.group(1) if pyproject else None, package}
    if len(versions) != 1:
        sys.exit(f"make_release: the versions disagree (CMakeLists.txt, pyproject.toml, package-info.json): "
                 f"{sorted(map(str, versions))}")
    return package


def add_tree(archive: zipfile.ZipFile, folder: Path, under: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            archive.write(path, f"{under}/{path.relative_to(folder).as_posix()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--require-max", default="mxo,mxe64", help="external kinds the Max package must hold")
    parser.add_argument("--no-max", action="store_true", help="write no Max package (no SDK, no Max externals)")
    parser.add_argument("--require-pd", default="", help="platforms that must each get a Pd zip: linux,macos,windows")
    args = parser.parse_args()
    version = project_version()
    args.out.mkdir(parents=True, exist_ok=True)
    made = []

    packages = [p / "jukebox~" for p in args.prefixes if (p / "jukebox~" / "package-info.json").is_file()]
    if not packages:
        sys.exit("make_release: no prefix holds jukebox~/package-info.json (run cmake --install first)")
    externals = [e for p in packages for e in sorted((p / "externals").glob("jukebox~*"))
                 if e.suffix in MAX_SUFFIXES and e.suffix != ".mxl_x86_64"]  # Max does not run on Linux
    kinds = {e.suffix.lstrip(".") for e in externals}
    missing = {k for k in args.require_max.split(",") if k} - kinds
    if missing and not args.no_max:
        sys.exit(f"make_release: the Max package lacks its {', '.join(sorted(missing))} external(s)")
    if not args.no_max:
        made.append(write_max_package(args.out / f"jukebox~-max-package-{version}.zip", packages[0], externals))
    made += write_pd_zips(args.prefixes, args.out, version)
    wanted = {p for p in args.require_pd.split(",") if p}
    missing_pd = sorted(wanted - {path.name.split("-")[2] for path in made if path.name.startswith("jukebox~-pd-")})
    if missing_pd:
        sys.exit(f"make_release: no Pd external for {', '.join(missing_pd)}")
    for path in made:
        print(f"wrote {path}")


def write_max_package(max_zip: Path, package: Path, externals: list[Path]) -> Path:
    with zipfile.ZipFile(max_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(package.rglob("*")):
            if path.is_file() and "externals" not in path.relative_to(package).parts:
                archive.write(path, f"jukebox~/{path.relative_to(package).as_posix()}")
        for external in externals:
            if external.is_dir():  # a macOS .mxo bundle
                add_tree(archive, external, f"jukebox~/externals/{external.name}")
            else:
                archive.write(external, f"jukebox~/externals/{external.name}")
    return max_zip


def write_pd_zips(prefixes: list[Path], out: Path, version: str) -> list[Path]:
    made = []
    for prefix in prefixes:
        folder = prefix / "pd" / "jukebox~"
        for external in sorted(folder.glob("jukebox~.*")) if folder.is_dir() else []:
            platform = PD_SUFFIXES.get(external.suffix)
            if platform is None:
                continue
            if not (folder / "jukebox~-help.pd").is_file():
                sys.exit(f"make_release: {folder} has no jukebox~-help.pd")
            pd_zip = out / f"jukebox~-pd-{platform}-{version}.zip"
            with zipfile.ZipFile(pd_zip, "w", zipfile.ZIP_DEFLATED) as archive:
                add_tree(archive, folder, "jukebox~")
            made.append(pd_zip)
    return made


if __name__ == "__main__":
    main()
