"""Hostile input: 10,000 malformed messages, then a valid job, which must succeed. The host stays up, every
answerable request gets an error, and its memory stays bounded."""

from __future__ import annotations

import math
from pathlib import Path

import msgpack
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import follow, submit, tone
from jukebox_host.clients.client import Client, Reply
from jukebox_host.wire import constants as C

ANSWERS = {C.TYPE_ERROR, C.TYPE_PONG, C.TYPE_WELCOME, C.TYPE_STATUS, C.TYPE_ECHO, C.TYPE_QUEUED,
           C.TYPE_CANCELLED}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64 - 1), st.floats(allow_nan=True),
                    st.text(max_size=40), st.binary(max_size=40))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                           inner, max_size=4),
                      max_leaves=12)
field_names = st.sampled_from(["v", "type", "id", "mode", "model", "sample_rate", "channels", "frames", "length",
                               "prompt", "levels", "temperature", "hop_fraction", "n_samples", "seed", "artist",
                               "genre", "lyrics", "out_sample_rate", "out_channels", "preview", "target"])
client_types = st.sampled_from(sorted(C.CLIENT_TYPES - {C.TYPE_LOAD}) + ["result", "bogus", ""])
hostile_headers = st.builds(
    lambda kind, fields, version: {"v": version, "type": kind, "id": 1, "model": "/nonexistent", **fields},
    client_types, st.dictionaries(field_names, values, max_size=6), st.sampled_from([1, 1, 1, 0, 2, "1", None]),
)
pcm = st.lists(st.binary(max_size=64) | st.sampled_from([np.full(8, np.nan, "<f4").tobytes(),
                                                          np.full(8, np.inf, "<f4").tobytes()]), max_size=3)
raw_frames = st.lists(st.binary(max_size=200), min_size=1, max_size=4)
crafted = st.sampled_from([
    b"\x91" * 60000 + b"\xc0",  # deeply nested arrays
    b"\x81\xa1a" * 20000 + b"\xc0",  # deeply nested maps
    b"\xdb\xff\xff\xff\xff",  # str32 declaring 4 GiB
    b"\xdd\xff\xff\xff\xff",  # array32 declaring 4 G elements
    b"\xdf\xff\xff\xff\xff",  # map32 declaring 4 G entries
    b"\xc6\x7f\xff\xff\xff",  # bin32 declaring 2 GiB
    b"\xd9",  # truncated
    b"",
])
messages = st.one_of(
    raw_frames,
    st.tuples(values.map(lambda v: msgpack.packb(v, use_bin_type=True)), pcm).map(lambda t: [t[0], *t[1]]),
    st.tuples(hostile_headers.map(lambda h: msgpack.packb(h, use_bin_type=True)), pcm).map(lambda t: [t[0], *t[1]]),
    st.tuples(crafted, pcm).map(lambda t: [t[0], *t[1]]),
)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


CANCEL_ID = 2**40  # ids the fuzzed headers never use (they carry id 1)
BARRIER_ID = 2**41
JOB_ENDS = {C.TYPE_ERROR, C.TYPE_UNLOADED, C.TYPE_LOADED}


def _job_ended(reply: Reply, job: int) -> bool:
    return reply.header.get("id") == job and (reply.ends_job or reply.type in JOB_ENDS)


def _check_error(reply: Reply) -> None:
    if reply.type == C.TYPE_ERROR:
        assert reply.header["code"] in {v for k, v in vars(C).items() if k.startswith("ERR_")}
        assert isinstance(reply.header["message"], str) and reply.header["message"]


def _exchange(client: Client, frames: list[bytes]) -> None:
    """One hostile message and everything it causes, then a ping barrier: the next exchange starts in step.

    A fuzzed message that happens to be a valid job is cancelled; its end and the cancel's own `cancelled`
    reply may come in either order (the job may finish before the cancel arrives), so both are awaited."""
    client.socket.send_multipart(frames)
    reply = client.receive(10)
    assert reply.type in ANSWERS, reply.header
    _check_error(reply)
    if reply.type == C.TYPE_QUEUED:
        job = reply.header["id"]
        client.send(C.TYPE_CANCEL, target=job, id=CANCEL_ID)
        job_open, cancel_open = True, True
        while job_open or cancel_open:
            reply = client.receive(30)
            _check_error(reply)
            if _job_ended(reply, job):
                job_open = False
            elif reply.type == C.TYPE_CANCELLED and reply.header.get("id") == CANCEL_ID:
                cancel_open = False
            else:
                assert reply.header.get("id") == job, f"stray reply {reply.header}"
    client.send(C.TYPE_PING, id=BARRIER_ID)
    reply = client.receive(10)
    assert reply.type == C.TYPE_PONG and reply.header.get("id") == BARRIER_ID, f"stray reply {reply.header}"


def test_ten_thousand_hostile_messages_then_a_valid_job(host: object) -> None:
    pid = host.process.pid  # type: ignore[attr-defined]
    with Client(host.endpoint, timeout=60) as client:  # type: ignore[attr-defined]
        client.request(C.TYPE_LOAD, model="tiny")
        follow(client, submit(client, tone(0.2, 44100), 44100, length=0.5, seed=1))
        before = _rss_kib(pid)
        count = {"n": 0}

        @settings(max_examples=10_000, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(messages)
        def one(frames: list[bytes]) -> None:
            count["n"] += 1
            _exchange(client, frames)

        one()
        assert count["n"] >= 10_000
        grown_mib = (_rss_kib(pid) - before) / 1024
        assert grown_mib < 200, f"host memory grew by {grown_mib:.0f} MiB"
        last = follow(client, submit(client, tone(0.5, 44100), 44100, length=1.0, seed=2))[-1]
        assert last.type == C.TYPE_RESULT and last.header["final"]
        assert math.isfinite(float(np.abs(last.audio()).max()))
