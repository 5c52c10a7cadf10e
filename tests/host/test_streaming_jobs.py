"""stream: true: chunks of final audio arrive in order before the result, which is exactly those chunks joined,
at any out rate (issue 15, item 1)."""

from __future__ import annotations

import numpy as np
import pytest

from jukebox_host import constants as C
from jukebox_host.client import Client


@pytest.mark.parametrize("out_rate", [44100, 48000])
def test_streamed_chunks_are_the_result(host: object, out_rate: int) -> None:
    chunks: list[tuple[int, list[np.ndarray]]] = []
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        variations, rate = c.generate_variations(
            None, None, model="tiny", mode=C.MODE_ANCESTRAL, length=2.0, levels=1, n_samples=2, seed=6,
            hop_fraction=0.125, out_sample_rate=out_rate, out_channels=2,
            on_chunk=lambda start, parts, _rate: chunks.append((start, parts)))
    assert rate == out_rate and len(chunks) >= 2
    position = 0
    for start, parts in chunks:
        assert start == position and len(parts) == 2 and parts[0].shape[0] == 2
        position += parts[0].shape[1]
    for v in range(2):
        assert np.array_equal(np.concatenate([parts[v] for _, parts in chunks], axis=1), variations[v])
    assert abs(variations[0].shape[1] - 2 * out_rate) < out_rate * 0.01
