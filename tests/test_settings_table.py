"""The settings table (max-sdk-ext/core/jbx_settings.h) is the one place a setting is declared: the fronts
register from it (no setting name appears in their sources), and every list of settings in the docs is its."""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "package" / "tools"))
import settings_table  # noqa: E402

NAMES = [s.name for s in settings_table.settings()]
FRONTS = [REPO / "max-sdk-ext" / "max" / "jukebox_tilde", REPO / "max-sdk-ext" / "pd"]


def test_the_fronts_name_no_setting_of_their_own() -> None:
    for front in FRONTS:
        text = "\n".join(f.read_text() for f in sorted(front.glob("*.c")))
        # a method or attribute registered by a name of its own (the info outlet's 'preview' is no setting)
        registered = set(re.findall(r'(?:gensym|CLASS_ATTR_\w+\(c,)\s*\(?\s*"([a-z_]+)"', text))
        assert not registered & set(NAMES), f"{front} registers settings itself: {registered & set(NAMES)}"
        assert "jbx_client_set_text" in text and "jbx_settings[" in text  # it goes through the table


def test_every_list_of_settings_in_the_docs_is_the_tables() -> None:
    listed = " ".join(NAMES)
    for doc in (REPO / "README.md", REPO / "max-sdk-ext" / "README.md"):
        assert f"`{listed}`" in doc.read_text(), f"{doc}: the settings list differs from the table"


def test_the_table_reads_whole() -> None:
    header = settings_table.HEADER.read_text()
    assert len(NAMES) == header.count("\n    X(") == len(set(NAMES))
    for setting in settings_table.settings():
        assert setting.help and setting.category in ("Generation", "Conditioning", "Host"), setting.name
        assert setting.kind in ("TEXT", "CHOICE", "FILE", "NUMBER", "INT", "SWITCH", "SEED"), setting.name
        assert (setting.kind == "CHOICE") == bool(setting.choices), setting.name
