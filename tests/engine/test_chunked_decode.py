"""Chunks of codes decoded with their measured context are the samples one decode of the whole gives (the ground
for streaming, issue 15 item 1), and no code beyond that context reaches into a chunk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from jukebox_host.engine import chunked_decode as cd
from jukebox_host.engine.loading import load_model

ROUNDING = 2e-6  # kernels pick their blocking by length: float32 rounding, not missing context


@pytest.fixture(scope="module")
def vqvae(tiny_dir: Path) -> object:
    return load_model(str(tiny_dir), torch.device("cpu"), torch.float32).model.vqvae


def _codes(level: int, tokens: int = 300) -> torch.Tensor:
    return torch.randint(0, 64, (2, tokens), generator=torch.Generator().manual_seed(level))


@pytest.mark.parametrize("level", [0, 1, 2])
def test_chunks_with_their_context_are_the_whole_decode(vqvae: object, level: int) -> None:
    context = cd.measure_context(vqvae, level)
    codes = _codes(level)
    whole = cd.decode_level(vqvae, codes, level)
    for size in (1, 37, 128):
        chunks = [cd.decode_range(vqvae, codes, level, a, min(codes.shape[1], a + size), context)
                  for a in range(0, codes.shape[1], size)]
        joined = np.concatenate(chunks, axis=1)
        assert joined.shape == whole.shape and np.abs(joined - whole).max() < ROUNDING, size


@pytest.mark.parametrize("level", [0, 1, 2])
def test_no_code_outside_the_context_moves_the_chunk(vqvae: object, level: int) -> None:
    """Both decodes have one length, so their arithmetic is the same and '!=' is exact."""
    context = cd.measure_context(vqvae, level)
    codes = _codes(level + 10)
    whole = cd.decode_level(vqvae, codes, level)
    for start in (100, 133, 170):
        end = start + 20
        span = slice(start * context.hop, end * context.hop)
        for position in (start - context.before - 1, end + context.after):
            for step in (1, 17, 32):
                changed = codes.clone()
                changed[:, position] = (changed[:, position] + step) % 64
                assert (cd.decode_level(vqvae, changed, level)[:, span] == whole[:, span]).all(), (start, position)
