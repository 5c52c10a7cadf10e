"""Streaming: the final level's audio arrives in chunks while it is sampled; joined, they are the final output,
and they equal one decode of the final codes to float32 rounding (issue 15, item 1)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch
from plans import make_plan

from jukebox_host.engine import sampling
from jukebox_host.engine.decoding import decode
from jukebox_host.engine.loading import load_model


def test_chunks_arrive_in_order_and_make_the_final_output(tiny_dir: Path) -> None:
    loaded = load_model(str(tiny_dir), torch.device("cpu"), torch.float32)
    plan = make_plan(mode="ancestral", total_samples=44100 * 2, levels=[0], hop_fraction=0.125, n_samples=2, seed=4,
                     stream_seconds=0.25)
    chunks: list[tuple[int, np.ndarray]] = []
    (out,) = list(sampling.run(loaded, plan, None, lambda *_: None, threading.Event(),
                               on_chunk=lambda start, audio: chunks.append((start, audio.copy()))))
    assert len(chunks) >= 3
    position = 0
    for start, audio in chunks:
        assert start == position and audio.shape[0] == 2
        position += audio.shape[1]
    joined = np.concatenate([audio for _, audio in chunks], axis=1)
    assert np.array_equal(joined, out.variations) and position == out.variations.shape[1]
    assert out.codes is not None
    whole = decode(loaded, out.codes, 0)
    assert np.abs(joined - whole).max() < 2e-6
