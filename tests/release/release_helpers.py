"""Where the release tests find what scripts/release.sh made (dist/, the Windows build's wine programs), and how
they name paths for wine."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WINE_BUILD = Path(os.environ.get("JBX_WINE_BUILD", REPO / "build-dist-windows-x64" / "wine"))
DIST = Path(os.environ.get("JBX_DIST", REPO / "dist"))


def missing(why: str) -> None:
    """In the test command (JBX_REQUIRE_RELEASE=1) a missing piece fails; elsewhere these tests skip."""
    if os.environ.get("JBX_REQUIRE_RELEASE") == "1":
        pytest.fail(why)
    pytest.skip(why)


def windows_program(name: str) -> Path:
    path = WINE_BUILD / f"{name}.exe"
    if not path.is_file():
        missing(f"{path} not built: run bash scripts/release.sh")
    return path


def windows_path(path: Path) -> str:
    """wine's drive Z: is the Linux root."""
    return "Z:" + str(path).replace("/", "\\")


# Fixtures, imported by the test modules that use them (a conftest.py here would take the name `conftest` that
# tests/host imports from tests/conftest.py).
@pytest.fixture(scope="session")
def wine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment a wine program runs in: a fresh prefix (made on first use, about 10 s), no debug output."""
    if shutil.which("wine") is None:
        missing("wine is not installed (scripts/setup.sh --release installs it)")
    env = {**os.environ, "WINEPREFIX": str(tmp_path_factory.mktemp("wineprefix")), "WINEDEBUG": "-all"}
    subprocess.run(["wine", "cmd", "/c", "exit"], env=env, capture_output=True, timeout=180)
    yield env
    subprocess.run(["wineserver", "-k"], env=env, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def max_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Max package as a user unzips it."""
    if os.environ.get("JBX_NO_MAX") == "1":
        pytest.skip("no max-sdk-base on this machine: no Max package was built (scripts/test.sh said so)")
    zips = sorted(DIST.glob("jukebox~-max-package-*.zip"))
    if not zips:
        missing(f"no Max package in {DIST}: run bash scripts/release.sh (with max-sdk-base)")
    folder = tmp_path_factory.mktemp("max-package")
    with zipfile.ZipFile(zips[-1]) as archive:
        archive.extractall(folder)
    return folder / "jukebox~"
