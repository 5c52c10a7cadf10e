"""Where the release tests find what scripts/release.sh made (dist/, the Windows build's wine programs), and how
they name paths for wine."""

from __future__ import annotations

import os
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
