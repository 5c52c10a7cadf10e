"""Max and Pd say the same `error <code> <message>` for the same condition: both fronts report only codes the
core names (jbx_client.h), the same set of them, and the externals' README lists each."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FRONTS = {"max": REPO / "max-sdk-ext" / "max" / "jukebox_tilde" / "jukebox_tilde.c",
          "pd": REPO / "max-sdk-ext" / "pd" / "jukebox_tilde.c"}
CLIENT_H = (REPO / "max-sdk-ext" / "core" / "jbx_client.h").read_text()


def reported_codes(source: Path) -> set[str]:
    """The first argument of every report(x, CODE, …) call."""
    return set(re.findall(r"\breport\(x,\s*([^,]+),", source.read_text()))


def test_both_fronts_report_the_same_named_codes() -> None:
    codes = {front: reported_codes(path) for front, path in FRONTS.items()}
    assert codes["max"] and codes["max"] == codes["pd"], codes
    for code in codes["max"]:
        assert re.fullmatch(r"JBX_LOCAL_[A-Z_]+", code), f"{code}: a string of its own, not the core's name"


def test_every_front_code_is_defined_once_and_documented() -> None:
    readme = (REPO / "max-sdk-ext" / "README.md").read_text()
    for name in reported_codes(FRONTS["pd"]):
        defined = re.findall(rf'#define {name} "([a-z_]+)"', CLIENT_H)
        assert len(defined) == 1, name
        assert f"`{defined[0]}`" in readme, f"{defined[0]} is not in max-sdk-ext/README.md"
