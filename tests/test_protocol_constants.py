"""The protocol's constants are written once per language; all must match docs/PROTOCOL.md."""

from __future__ import annotations

import re
from pathlib import Path

from jukebox_host.wire import constants as C

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "PROTOCOL.md").read_text()
HEADER = REPO / "max-sdk-ext" / "core" / "jbx_protocol.h"


def _table(section: str) -> list[list[str]]:
    block = DOC.split(f"<!-- {section}:begin -->")[1].split(f"<!-- {section}:end -->")[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def _doc_constants() -> dict[str, str]:
    return {name: value for name, value in _table("constants")}


def _doc_types() -> set[str]:
    return {row[0] for row in _table("types")}


def _doc_errors() -> set[str]:
    return {row[0] for row in _table("errors")}


def _c_defines() -> dict[str, str]:
    text = HEADER.read_text()
    return {m.group(1): m.group(2).strip('"') for m in re.finditer(r"#define JBX_(\w+)\s+(\S+)", text)}


def test_python_constants_match_the_document() -> None:
    for name, value in _doc_constants().items():
        assert str(getattr(C, name)) == value, name
    assert {v for k, v in vars(C).items() if k.startswith("TYPE_")} == _doc_types()
    assert {v for k, v in vars(C).items() if k.startswith("ERR_")} == _doc_errors()


def test_c_constants_match_the_document() -> None:
    defines = _c_defines()
    for name, value in _doc_constants().items():
        assert defines.get(name) == value, name
    assert {v for k, v in defines.items() if k.startswith("TYPE_")} == _doc_types()
    assert {v for k, v in defines.items() if k.startswith("ERR_")} == _doc_errors()


def test_client_types_are_the_documented_client_to_host_ones() -> None:
    rows = _table("types")
    from_client = {row[0] for row in rows if row[1] in ("client → host", "both")}
    assert set(C.CLIENT_TYPES) == from_client
