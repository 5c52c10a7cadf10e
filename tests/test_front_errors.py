"""Max and Pd say the same `error <code> <message>` for the same condition: what both do is written once in the
core (jbx_front.c); the fronts report only their buffers' own failures, by the core's names, and the externals'
README lists every code."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "max-sdk-ext" / "core"
FRONTS = {"max": REPO / "max-sdk-ext" / "max" / "jukebox_tilde", "pd": REPO / "max-sdk-ext" / "pd"}
CLIENT_H = (CORE / "jbx_client.h").read_text()


def source_text(path: Path) -> str:
    """A file's text, or every C file's of a front's folder."""
    return path.read_text() if path.is_file() else "\n".join(f.read_text() for f in sorted(path.glob("*.c")))


def reported_codes(source: Path) -> set[str]:
    """The code argument of every report(x, CODE, …) / jbx_front_report(f, CODE, …) call."""
    return set(re.findall(r"\b(?:jbx_front_|jukebox_)?report\([^,]+,\s*([A-Z_]+),", source_text(source)))


def test_the_fronts_report_only_the_cores_named_codes() -> None:
    for front, path in FRONTS.items():
        codes = reported_codes(path)
        assert codes, front
        for code in codes:
            assert re.fullmatch(r"JBX_LOCAL_[A-Z_]+", code), f"{front}: {code} is a string of its own"


def test_the_shared_front_reports_the_buffer_conditions() -> None:
    shared = reported_codes(CORE / "jbx_front.c")
    assert {"JBX_LOCAL_NO_BUFFER", "JBX_LOCAL_EMPTY_BUFFER", "JBX_LOCAL_BAD_SETTING", "JBX_LOCAL_SEND",
            "JBX_LOCAL_BAD_REQUEST"} <= shared
    for path in FRONTS.values():  # each front goes through it for these, never a report of its own
        text = source_text(path)
        assert "jbx_front_callbacks(" in text and "jbx_front_buffer_empty(" in text
        assert "JBX_LOCAL_EMPTY_BUFFER" not in text and "JBX_LOCAL_BAD_REQUEST" not in text


def test_every_code_is_defined_once_and_documented() -> None:
    readme = (REPO / "max-sdk-ext" / "README.md").read_text()
    codes = set().union(*(reported_codes(p) for p in [*FRONTS.values(), CORE / "jbx_front.c"]))
    codes |= set(re.findall(r"\bemit_error\([^,]+,\s*(JBX_LOCAL_[A-Z_]+),", (CORE / "jbx_client.c").read_text()))
    for name in codes:
        defined = re.findall(rf'#define {name} "([a-z_]+)"', CLIENT_H)
        assert len(defined) == 1, name
        assert f"`{defined[0]}`" in readme, f"{defined[0]} is not in max-sdk-ext/README.md"
