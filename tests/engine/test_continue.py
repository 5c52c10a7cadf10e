"""mode continue (OpenAI's sample.py --mode=continue): a continuation starts from the previous result's codes,
exactly, at every level (issue 15, item 2)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from plans import make_plan

from jukebox_host.engine import sampling
from jukebox_host.engine.continuation import piece_tail
from jukebox_host.engine.fidelity import song_length_range
from jukebox_host.engine.loading import LoadedModel, load_model
from jukebox_host.engine.plan import Output
from jukebox_host.engine.song_length import song_position
from jukebox_host.engine.streaming import ChunkFn
from jukebox_host.host.kept_codes import KeptCodes


@pytest.fixture(scope="module")
def loaded(tiny_dir: Path) -> LoadedModel:
    return load_model(str(tiny_dir), torch.device("cpu"), torch.float32)


def _run(loaded: LoadedModel, mode: str, samples: int, n_samples: int, seed: int,
         codes: list[torch.Tensor] | None = None) -> Output:
    plan = make_plan(mode=mode, total_samples=samples, levels=[0, 1], n_samples=n_samples, seed=seed)
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


def _continue(loaded: LoadedModel, codes: list[torch.Tensor], position: int, added: int, seed: int,
              new_only: bool, on_chunk: ChunkFn | None = None) -> Output:
    """A continue job as the worker plans one: the song position and length from song_position."""
    top_raw = int(loaded.model.priors[0].raw_to_tokens)
    total = codes[0].shape[1] * top_raw + added
    position, song = song_position(loaded, position, total, int(240 * loaded.sample_rate))
    plan = make_plan(mode="continue", total_samples=total, levels=[0, 1, 2], seed=seed, song_samples=song,
                     position=position, new_only=new_only)
    (out,) = list(sampling.run(loaded, plan, None, lambda *_: None, threading.Event(), codes, on_chunk))
    assert out.codes is not None
    return out


def _recording_labels(loaded: LoadedModel, monkeypatch: pytest.MonkeyPatch) -> list[torch.Tensor]:
    """Every window's labels as sampling asks for them. A tiny random model's time embedding moves its logits too
    little to change a draw, so a wrong song position would not show in the tokens: compare the labels."""
    seen: list[torch.Tensor] = []
    for prior in loaded.model.priors:
        original = prior.get_metadata

        def recorded(*args: object, _original: Any = original, **kwargs: object) -> torch.Tensor:
            metadata = _original(*args, **kwargs)
            seen.append(metadata.clone())
            return metadata

        monkeypatch.setattr(prior, "get_metadata", recorded)
    return seen


def test_a_chain_link_from_the_kept_tail_is_the_whole_pieces_continuation_exactly(
        loaded: LoadedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    """new_only from piece_tail's bounded tail samples the very tokens a continuation of the whole piece samples
    (windows, labels and conditioning all stand where they stand in the song) and returns just their audio."""
    plan = make_plan(mode="ancestral", total_samples=2 * 44100, levels=[0, 1, 2], seed=3)
    (first,) = list(sampling.run(loaded, plan, None, lambda *_: None, threading.Event()))
    assert first.codes is not None
    added = 22050
    labels = _recording_labels(loaded, monkeypatch)
    whole = _continue(loaded, first.codes, 0, added, 11, new_only=False)
    whole_labels = labels[:]
    labels.clear()
    tail, position = piece_tail(loaded, first.codes, 0)
    assert position > 0 and tail[0].shape[1] < first.codes[0].shape[1]  # really cut
    chunks: list[np.ndarray] = []
    link = _continue(loaded, tail, position, added, 11, new_only=True,
                     on_chunk=lambda _start, audio: chunks.append(audio))
    assert link.codes is not None and whole.codes is not None
    assert len(labels) == len(whole_labels) > 0
    for ours, theirs in zip(labels, whole_labels, strict=True):
        assert torch.equal(ours, theirs)
    for level, (w, n) in enumerate(zip(whole.codes, link.codes, strict=True)):
        raw = int(loaded.model.priors[level].raw_to_tokens)
        assert torch.equal(n, w[:, position // raw:]), f"level {level}"
    added_codes = added // 128 * 128
    # Returned: what the link adds and, before it, the overlap its new codes reach back into (re-made).
    assert link.overlap > 0 and len(link.audio) == added_codes + link.overlap
    np.testing.assert_allclose(link.audio, whole.audio[-len(link.audio):], atol=1e-5)
    np.testing.assert_array_equal(np.concatenate(chunks, axis=1)[0], link.audio)  # streamed: the chunks are it


def test_a_chains_kept_tail_stays_the_same_size_however_long_the_piece(loaded: LoadedModel) -> None:
    lengths = []
    for seconds in (1, 4, 16):
        codes = [torch.zeros(1, seconds * 44100 // int(p.raw_to_tokens) // 128 * 128, dtype=torch.long)
                 for p in loaded.model.priors]
        tail, position = piece_tail(loaded, codes, 0)
        lengths.append(tail[0].shape[1])
        assert position + tail[0].shape[1] * 128 == codes[0].shape[1] * 128
    assert lengths[1] == lengths[2] < codes[0].shape[1]


def test_a_chain_past_the_longest_song_starts_a_new_song_from_its_tail(loaded: LoadedModel) -> None:
    """Labels cannot place a window past the model's longest song (600 s): the link that would cross it is made
    as the start of a new song primed with the tail, and the chain goes on."""
    longest = int(song_length_range(loaded.model.config)[1] * loaded.sample_rate)
    assert song_position(loaded, 44100 * 128, 44100, 0) == (44100 * 128, 44100 * 129)
    assert song_position(loaded, longest - 128, 44100, 0) == (0, 44100)
    plan = make_plan(mode="ancestral", total_samples=44100, levels=[0, 1, 2], seed=4)
    (first,) = list(sampling.run(loaded, plan, None, lambda *_: None, threading.Event()))
    assert first.codes is not None
    tail, _ = piece_tail(loaded, first.codes, 0)
    near_the_end = (longest - 22050) // 128 * 128
    link = _continue(loaded, tail, near_the_end, 44100, 5, new_only=True)
    assert len(link.audio) == 44100 // 128 * 128 + link.overlap and np.isfinite(link.audio).all()
