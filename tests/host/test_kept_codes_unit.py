"""What the host keeps for mode continue, and for how long (kept_codes.py)."""

from __future__ import annotations

import pytest
import torch

from jukebox_host.host import kept_codes
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError


def _codes(tokens: int) -> list[torch.Tensor]:
    return [torch.arange(tokens, dtype=torch.long).view(1, -1) % 2048 for _ in range(3)]


def test_codes_come_back_exactly_for_their_client_and_model() -> None:
    kept = kept_codes.KeptCodes()
    codes = _codes(4096)
    kept.put(b"a", "tiny", codes)
    back = kept.get(b"a", "tiny").codes
    assert all(torch.equal(b.long(), c) for b, c in zip(back, codes, strict=True))
    with pytest.raises(HostError, match="no result kept") as none:
        kept.get(b"b", "tiny")
    assert none.value.code == C.ERR_BAD_FIELD
    with pytest.raises(HostError, match="made by 'tiny'"):
        kept.get(b"a", "other")


def test_a_kept_result_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = kept_codes.KeptCodes(keep_seconds=60)
    kept.put(b"a", "tiny", _codes(8))
    now = kept_codes.time.monotonic()
    monkeypatch.setattr(kept_codes.time, "monotonic", lambda: now + 61)
    with pytest.raises(HostError, match="expired"):
        kept.get(b"a", "tiny")
    with pytest.raises(HostError, match="no result kept"):
        kept.get(b"a", "tiny")


def test_the_least_recently_used_go_when_the_budget_is_full() -> None:
    one = 3 * 1000 * 2  # three levels of 1000 int16 codes
    kept = kept_codes.KeptCodes(max_bytes=2 * one)
    kept.put(b"a", "tiny", _codes(1000))
    kept.put(b"b", "tiny", _codes(1000))
    kept.get(b"a", "tiny")  # a was used last: b goes first
    kept.put(b"c", "tiny", _codes(1000))
    assert kept.total_bytes() == 2 * one
    kept.get(b"a", "tiny")
    kept.get(b"c", "tiny")
    with pytest.raises(HostError):
        kept.get(b"b", "tiny")
    kept.put(b"d", "tiny", _codes(5000))  # more than the whole budget: not kept
    with pytest.raises(HostError):
        kept.get(b"d", "tiny")
