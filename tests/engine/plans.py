"""One sampling plan for the engine tests: the fields they seldom vary filled in, so each test names only what
it is about."""

from __future__ import annotations

from typing import Any

from jukebox_host.engine.plan import Plan

USUAL: dict[str, Any] = dict(mode="primed", prompt_samples=0, temperature=0.98, hop_fraction=0.5, n_samples=1,
                             seed=0, artist="unknown", genre="unknown", lyrics="", preview=False)


def make_plan(**fields: Any) -> Plan:
    return Plan(**{**USUAL, **fields})
