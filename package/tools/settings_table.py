"""The settings table of the C core (max-sdk-ext/core/jbx_settings.h), read by the generators of the help
patches, the maxref and the checks: one row a line, X(name, kind, where, min, max, "fallback", "choices",
"category", "example", "help")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "max-sdk-ext" / "core" / "jbx_settings.h"
_ROW = re.compile(r'^\s*X\((\w+), (\w+), (\w+), ([^,]+), ([^,]+), ([^,]+), "([^"]*)", "([^"]*)", "([^"]*)", '
                  r'"((?:[^"\\]|\\.)*)"\)')


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # TEXT CHOICE FILE NUMBER INT SWITCH SEED
    where: str  # WIRE or CLIENT
    fallback: str
    choices: list[str]
    category: str
    example: str
    help: str
    low: float = 0.0  # the row's min and max (their meaning depends on kind: see jbx_settings.h)
    high: float = 0.0

    @property
    def max_type(self) -> str:
        """The Max attribute's type, as the maxref names it."""
        return {"NUMBER": "float64", "INT": "int", "SWITCH": "int", "SEED": "int"}.get(self.kind, "symbol")


def _resolve(value: str) -> str:
    """A literal, or a JBX_ constant of the protocol header, as text."""
    if value.startswith('"'):
        return value.strip('"')
    if value.startswith("JBX_"):
        protocol = (ROOT / "max-sdk-ext" / "core" / "jbx_protocol.h").read_text()
        match = re.search(rf"#define {value}\s+(\S+)", protocol)
        if match is None:
            raise RuntimeError(f"{value} is not in jbx_protocol.h")
        return match.group(1).strip('"')
    return value


def settings() -> list[Setting]:
    rows = []
    for line in HEADER.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            name, kind, where, low, high, fallback, choices, category, example, text = match.groups()
            fallback = _resolve(fallback.strip())
            rows.append(Setting(name, kind, where, fallback, choices.split(), category, example, text,
                                float(_resolve(low.strip())), float(_resolve(high.strip()))))
    declared = HEADER.read_text().count("\n    X(")
    if not rows or len(rows) != declared:
        raise RuntimeError(f"{HEADER}: {declared} rows, {len(rows)} read: keep each row on one line")
    return rows
