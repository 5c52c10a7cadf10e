"""stream: true: chunks of final audio arrive in order, then a final result that says `streamed` and carries no
audio (the client holds it); joined, the chunks are what the same job gives unstreamed, to float32 rounding and
the resampler's (issue 15, item 1)."""

from __future__ import annotations

import numpy as np
import pytest

from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C

JOB = {"model": "tiny", "mode": C.MODE_ANCESTRAL, "length": 2.0, "levels": 1, "n_samples": 2, "seed": 6,
       "hop_fraction": 0.125, "out_channels": 2}


@pytest.mark.parametrize("out_rate", [44100, 48000])
def test_streamed_chunks_are_the_result(host: object, out_rate: int) -> None:
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        whole, _ = c.generate_variations(None, None, out_sample_rate=out_rate, **JOB)
        rid = c.send(C.TYPE_GENERATE, stream=True, out_sample_rate=out_rate, **JOB)
        chunks: list[tuple[int, list[np.ndarray]]] = []
        finals: list[tuple[float, float]] = []
        while True:
            reply = c.receive(60)
            if reply.header.get("id") != rid:
                continue
            reply.raise_if_error()
            if reply.type == C.TYPE_CHUNK:
                chunks.append((int(reply.header["start"]), reply.variations()))
                finals.append((reply.header["final_seconds"], reply.header["final_rate"]))
            elif reply.type == C.TYPE_RESULT:
                break
    # Each chunk says how much final audio exists (all sent so far) and how fast it grows.
    ends = [(start + parts[0].shape[1]) / out_rate for start, parts in chunks]
    assert [seconds for seconds, _ in finals] == pytest.approx(ends, abs=1e-5)
    assert all(rate > 0 for _, rate in finals)
    assert reply.header["streamed"] is True and reply.frames == []
    assert len(chunks) >= 2
    position = 0
    for start, parts in chunks:
        assert start == position and len(parts) == 2 and parts[0].shape[0] == 2
        position += parts[0].shape[1]
    assert position == reply.header["frames"] == whole[0].shape[1]
    for v in range(2):
        joined = np.concatenate([parts[v] for _, parts in chunks], axis=1)
        assert np.abs(joined - whole[v]).max() < 1e-4


def test_the_client_joins_a_streamed_result(host: object) -> None:
    seen: list[int] = []
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        variations, rate = c.generate_variations(None, None, out_sample_rate=44100,
                                                 on_chunk=lambda start, _parts, _rate: seen.append(start), **JOB)
    assert len(seen) >= 2 and rate == 44100
    assert len(variations) == 2 and variations[0].shape[0] == 2 and variations[0].shape[1] > seen[-1]
    assert abs(variations[0].shape[1] - 2 * 44100) < 441
