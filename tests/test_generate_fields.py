"""The generate fields are declared once per language: the host's table (pyhost/jukebox_host/wire/generate_fields.py)
and the C core's settings (max-sdk-ext/core/jbx_settings.h). These tests hold the two equal field by field (kind,
range, default), and the document's generate table equal to the host's (names, types, defaults)."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

from jukebox_host.wire.generate_fields import FIELDS, GENERATE_FIELDS, Field

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "package" / "tools"))
import settings_table  # noqa: E402

WIRE = {s.name: s for s in settings_table.settings() if s.where == "WIRE"}
KINDS = {"TEXT": ("text",), "CHOICE": ("choice",), "NUMBER": ("number", "hop"), "INT": ("integer",),
         "SEED": ("seed",), "SWITCH": ("flag",)}


def test_the_c_settings_sent_with_a_job_are_the_hosts_fields() -> None:
    assert set(WIRE) == {f.name for f in GENERATE_FIELDS if f.setting}


@pytest.mark.parametrize("name", sorted(WIRE))
def test_each_setting_matches_its_field(name: str) -> None:
    c, py = WIRE[name], FIELDS[name]
    assert py.kind in KINDS[c.kind], (c.kind, py.kind)
    if c.kind == "CHOICE":
        assert c.choices == list(py.choices)
    if c.kind == "TEXT":
        assert c.high == py.limit  # characters
    if c.kind == "NUMBER":  # 0 unsets; else (min, max]
        assert (c.low, c.high, True) == (py.low, py.high, py.low_open)
    if c.kind in ("INT", "SEED"):
        assert (c.low, c.high) == (py.low, py.high) and not py.low_open
    assert _c_default(c) == _host_default(py), (c.fallback, py.default)


def _c_default(c: settings_table.Setting) -> object:
    """What the C client's unset setting makes the host use: its fallback, or absent (None) where unset is not
    sent (0 for NUMBER, negative for SEED, "" for TEXT)."""
    if c.kind == "NUMBER":
        return None if float(c.fallback) == 0 else float(c.fallback)
    if c.kind in ("INT", "SEED"):
        return None if int(c.fallback) < 0 else int(c.fallback)
    if c.kind == "SWITCH":
        return c.fallback == "1"
    return c.fallback or None


def _host_default(f: Field) -> object:
    return f.default or (None if f.kind in ("text", "choice") else f.default)


DOC = (REPO / "docs" / "PROTOCOL.md").read_text()
ROWS = {m.group(1): (m.group(2).strip(), m.group(3).strip())
        for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|", DOC.split("### generate")[1].split("###")[0],
                             re.M)}
DOC_TYPES = {"text": "str", "choice": "str", "number": "float", "integer": "int", "seed": "int", "flag": "bool",
             "hop": "float or list of 3 floats"}


def test_the_documents_generate_table_has_every_field() -> None:
    envelope = {"sample_rate", "channels", "frames"}  # the PCM frames' description, not generate's own
    assert set(ROWS) - envelope == set(FIELDS)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_the_document_gives_each_field_its_type_and_default(name: str) -> None:
    field, (kind, default) = FIELDS[name], ROWS[name]
    assert kind == DOC_TYPES[field.kind]
    if isinstance(field.default, bool):
        assert default == str(field.default).lower()
    elif isinstance(field.default, float) and not math.isinf(field.default):
        assert re.match(rf"{field.default:g}(\.0)?\b", default), default
    elif isinstance(field.default, (int, str)):
        assert default.startswith(f"`{field.default}`" if field.default else '`""`') or default.startswith(
            str(field.default)), default
