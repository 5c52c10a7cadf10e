"""A generate with a big prompt is read off the host's main loop; the client's later messages wait behind it, in
order (a cancel sent right after it finds the job), and the answer is the same as for a small prompt."""

from __future__ import annotations

import numpy as np

from jukebox_host.clients.client import Client
from jukebox_host.host.prompt_parsing import OFF_LOOP_BYTES
from jukebox_host.wire import constants as C


def test_a_cancel_sent_right_behind_a_big_prompt_finds_its_job(host: object) -> None:
    rate = 384000
    frames = OFF_LOOP_BYTES // 4 + rate  # past the threshold: read on the thread
    audio = (np.random.default_rng(0).standard_normal(frames) * 0.1).astype(np.float32)
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        rid = c.send(C.TYPE_GENERATE, [audio.tobytes()], model="tiny", mode="primed", sample_rate=rate, channels=1,
                     frames=frames, length=frames / rate + 30.0, levels=1, prompt=1.0)
        cancel = c.send(C.TYPE_CANCEL, target=rid)
        status = c.send(C.TYPE_STATUS)
        order = []
        while len(order) < 4:
            reply = c.receive(60)
            if reply.type != C.TYPE_PROGRESS:
                order.append((reply.header["id"], reply.type, reply.header.get("found"), reply.header.get("code")))
    assert order[0] == (rid, C.TYPE_QUEUED, None, None), order  # queued before the cancel was read
    assert (cancel, C.TYPE_CANCELLED, True, None) in order, order
    assert (rid, C.TYPE_ERROR, None, C.ERR_CANCELLED) in order, order
    assert any(entry[0] == status and entry[1] == C.TYPE_STATUS for entry in order), order


def test_a_big_prompt_that_is_refused_is_refused_as_a_small_one_would_be(host: object) -> None:
    rate = 44100
    frames = OFF_LOOP_BYTES // 4 + rate
    audio = np.zeros(frames, np.float32)
    audio[frames // 2] = np.nan
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        rid = c.send(C.TYPE_GENERATE, [audio.tobytes()], model="tiny", sample_rate=rate, channels=1, frames=frames,
                     length=frames / rate + 1.0, levels=1)
        ping = c.send(C.TYPE_PING)
        first, second = c.receive(60), c.receive(60)
    assert (first.header["id"], first.type, first.header["code"]) == (rid, C.TYPE_ERROR, C.ERR_BAD_AUDIO)
    assert (second.header["id"], second.type) == (ping, C.TYPE_PONG)  # after it, in order
