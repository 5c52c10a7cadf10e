"""mode continue (OpenAI's sample.py --mode=continue): a continuation starts from the previous result's codes,
exactly, at every level (issue 15, item 2)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch

from jukebox_host.engine import sampling
from jukebox_host.engine.loading import LoadedModel, load_model
from jukebox_host.kept_codes import KeptCodes


@pytest.fixture(scope="module")
def loaded(tiny_dir: Path) -> LoadedModel:
    return load_model(str(tiny_dir), torch.device("cpu"), torch.float32)


def _run(loaded: LoadedModel, mode: str, samples: int, n_samples: int, seed: int,
         codes: list[torch.Tensor] | None = None) -> sampling.Output:
    plan = sampling.Plan(mode, samples, 0, [0, 1], 0.98, 0.5, n_samples, seed, "unknown", "unknown", "", False)
    (out,) = list(sampling.run(loaded, plan, None, lambda *_: None, threading.Event(), codes))
    assert out.codes is not None
    return out


def test_a_continuation_starts_from_the_kept_codes_exactly(loaded: LoadedModel) -> None:
    first = _run(loaded, "ancestral", 16384, 1, 5)
    assert first.codes is not None
    kept = KeptCodes()
    kept.put(b"client", "tiny", first.codes)  # stored as int16, as the host keeps them
    top_raw = int(loaded.model.priors[0].raw_to_tokens)
    added = 8192
    more = _run(loaded, "continue", first.codes[0].shape[1] * top_raw + added, 1, 6,
                kept.get(b"client", "tiny").codes)
    assert more.codes is not None
    for level, (before, after) in enumerate(zip(first.codes, more.codes, strict=True)):
        assert torch.equal(after[:, : before.shape[1]], before)
        assert after.shape[1] > before.shape[1] or level not in (0, 1)  # the plan samples the top two levels
    assert more.codes[0].shape[1] * top_raw == 16384 + added
    assert len(more.audio) > len(first.audio)


def test_one_kept_result_continues_as_a_batch_of_different_variations(loaded: LoadedModel) -> None:
    first = _run(loaded, "ancestral", 8192, 1, 7)
    assert first.codes is not None
    more = _run(loaded, "continue", 16384, 2, 8, first.codes)
    assert more.codes is not None
    top = more.codes[0]
    kept_top = first.codes[0].shape[1]
    assert torch.equal(top[0, :kept_top], first.codes[0][0]) and torch.equal(top[1, :kept_top], first.codes[0][0])
    assert not torch.equal(top[0, kept_top:], top[1, kept_top:])
    with pytest.raises(Exception, match="kept result has 2 samples"):
        _run(loaded, "continue", 24576, 3, 9, more.codes)
