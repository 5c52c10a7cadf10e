"""Fixtures of the Windows tests: a wine prefix of this run's own, and the Max package as a user unzips it."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from release_helpers import DIST, missing


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
