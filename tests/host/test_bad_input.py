"""Every kind of bad message gets a clear error, and the host keeps serving."""

from __future__ import annotations

import time
from pathlib import Path

import msgpack
import numpy as np
import pytest

from helpers import follow, submit, tone
from jukebox_host.clients.client import Client, RemoteError
from jukebox_host.wire import constants as C


def _header(**fields: object) -> bytes:
    return msgpack.packb({"v": 1, "type": "generate", "id": 7, "model": "tiny", **fields}, use_bin_type=True)


def _pcm(samples: np.ndarray) -> bytes:
    return samples.astype("<f4").tobytes()


GOOD = tone(0.5, 44100)[0]
AUDIO = dict(channels=1, frames=len(GOOD), sample_rate=44100, length=1.0)

RAW_CASES = {
    "not msgpack": ([b"\xc1\xff\x00garbage"], C.ERR_BAD_MESSAGE),
    "msgpack but not a map": ([msgpack.packb([1, 2, 3])], C.ERR_BAD_MESSAGE),
    "header over the limit": ([msgpack.packb({"v": 1, "type": "ping", "id": 1, "x": "a" * 70000})],
                              C.ERR_BAD_MESSAGE),
    "no version": ([msgpack.packb({"type": "ping", "id": 1})], C.ERR_BAD_VERSION),
    "future version": ([msgpack.packb({"v": 2, "type": "ping", "id": 1})], C.ERR_BAD_VERSION),
    "unknown type": ([msgpack.packb({"v": 1, "type": "dance", "id": 1})], C.ERR_UNKNOWN_TYPE),
    "host-only type": ([msgpack.packb({"v": 1, "type": "result", "id": 1})], C.ERR_UNKNOWN_TYPE),
    "negative id": ([msgpack.packb({"v": 1, "type": "ping", "id": -1})], C.ERR_BAD_FIELD),
    "string id": ([msgpack.packb({"v": 1, "type": "ping", "id": "x"})], C.ERR_BAD_FIELD),
    "frames on a ping": ([msgpack.packb({"v": 1, "type": "ping", "id": 1}), b"1234"], C.ERR_BAD_AUDIO),
    "fewer frames than channels": ([_header(**{**AUDIO, "channels": 2}), _pcm(GOOD)], C.ERR_BAD_AUDIO),
    "more frames than channels": ([_header(**AUDIO), _pcm(GOOD), _pcm(GOOD)], C.ERR_BAD_AUDIO),
    "frame size wrong": ([_header(**AUDIO), _pcm(GOOD)[:-4]], C.ERR_BAD_AUDIO),
    "frame size not a multiple of 4": ([_header(**AUDIO), _pcm(GOOD) + b"x"], C.ERR_BAD_AUDIO),
    "NaN sample": ([_header(**AUDIO), _pcm(np.where(np.arange(len(GOOD)) == 100, np.nan, GOOD))], C.ERR_BAD_AUDIO),
    "inf sample": ([_header(**AUDIO), _pcm(np.where(np.arange(len(GOOD)) == 5, np.inf, GOOD))], C.ERR_BAD_AUDIO),
    "empty audio": ([_header(**{**AUDIO, "frames": 0}), b""], C.ERR_BAD_AUDIO),
    "primed without audio": ([_header(length=2.0)], C.ERR_BAD_AUDIO),
    "missing sample rate": ([_header(channels=1, frames=len(GOOD), length=1.0), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "absurd sample rate": ([_header(**{**AUDIO, "sample_rate": 10**7}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "too many channels": ([_header(**{**AUDIO, "channels": 9}), *[_pcm(GOOD)] * 9], C.ERR_BAD_FIELD),
    "input too long": ([_header(**{**AUDIO, "frames": 44100 * 601}), b""], C.ERR_TOO_LARGE),
    # docs/PROTOCOL.md: longer than the limits is too_large, just past them too.
    "absurd length": ([_header(**{**AUDIO, "length": 1e9}), _pcm(GOOD)], C.ERR_TOO_LARGE),
    "length just over the limit": ([_header(**{**AUDIO, "length": 600.5}), _pcm(GOOD)], C.ERR_TOO_LARGE),
    # What a client written from docs/PROTOCOL.md alone must be told (issue 12, item 10).
    "version as a float": ([msgpack.packb({"v": 1.0, "type": "ping", "id": 1})], C.ERR_BAD_VERSION),
    "client name not text": ([msgpack.packb({"v": 1, "type": "hello", "id": 1, "client": 5})], C.ERR_BAD_FIELD),
    "id past 2^63-1": ([msgpack.packb({"v": 1, "type": "ping", "id": 2**64 - 1})], C.ERR_BAD_FIELD),
    "echo frame not whole samples": ([msgpack.packb({"v": 1, "type": "echo", "id": 1, "channels": 1, "frames": 3}),
                                      b"x" * 13], C.ERR_BAD_AUDIO),
    "echo frames without channels": ([msgpack.packb({"v": 1, "type": "echo", "id": 1}), b"x" * 12],
                                     C.ERR_BAD_AUDIO),
    "NaN length": ([_header(**{**AUDIO, "length": float("nan")}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "length shorter than prompt": ([_header(**{**AUDIO, "length": 0.25}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "prompt longer than audio": ([_header(**{**AUDIO, "prompt": 3.0}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "unknown mode": ([_header(**{**AUDIO, "mode": "remix"}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "levels out of range": ([_header(**{**AUDIO, "levels": 4}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "temperature zero": ([_header(**{**AUDIO, "temperature": 0}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "temperature as text": ([_header(**{**AUDIO, "temperature": "hot"}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "lyrics too long": ([_header(**{**AUDIO, "lyrics": "la " * 2000}), _pcm(GOOD)], C.ERR_TOO_LARGE),
    "preview not a bool": ([_header(**{**AUDIO, "preview": 1}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "cancel without target": ([msgpack.packb({"v": 1, "type": "cancel", "id": 1})], C.ERR_BAD_FIELD),
    "empty model name": ([_header(**{**AUDIO, "model": ""}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "song shorter than the result": ([_header(**{**AUDIO, "song_length": 0.5}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "song length as text": ([_header(**{**AUDIO, "song_length": "long"}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "two hop fractions": ([_header(**{**AUDIO, "hop_fraction": [0.5, 0.5]}), _pcm(GOOD)], C.ERR_BAD_FIELD),
    "hop fraction zero at one level": ([_header(**{**AUDIO, "hop_fraction": [0.5, 0, 0.1]}), _pcm(GOOD)],
                                       C.ERR_BAD_FIELD),
    "result larger than a message": ([_header(**{**AUDIO, "length": 200.0, "out_sample_rate": 384000}), _pcm(GOOD)],
                                     C.ERR_TOO_LARGE),
    # An upsampled result is as long as its input (100 s here), not 'length'.
    "upsampled result larger than a message": ([_header(**{**AUDIO, "mode": "upsample", "out_channels": 8,
                                                          "out_sample_rate": 384000, "frames": 44100 * 100,
                                                          "length": 1.0}), bytes(44100 * 100 * 4)],
                                               C.ERR_TOO_LARGE),
}


@pytest.mark.parametrize("case", list(RAW_CASES), ids=list(RAW_CASES))
def test_bad_message_gets_an_error_and_the_host_keeps_serving(client: Client, case: str) -> None:
    frames, code = RAW_CASES[case]
    client.socket.send_multipart(frames)
    reply = client.receive()
    assert reply.type == C.TYPE_ERROR, reply.header
    assert reply.header["code"] == code, reply.header["message"]
    assert len(reply.header["message"]) > 10
    assert client.ping() < 5.0


@pytest.mark.parametrize(
    "fields, code, words",
    [
        ({"model": "/no/such/folder"}, C.ERR_UNKNOWN_MODEL, "not served by this host; it serves tiny"),
        ({"model": "openai/jukebox-5b"}, C.ERR_UNKNOWN_MODEL, "not served by this host; it serves tiny"),
        ({"artist": "The Beatls"}, C.ERR_UNKNOWN_ARTIST, "the beatles"),
        ({"genre": "Jaz"}, C.ERR_UNKNOWN_GENRE, "jazz"),
        # The tiny model is labelled like 1b_lyrics: OpenAI's song length range starts at 17.84 s.
        ({"song_length": 10.0}, C.ERR_BAD_FIELD, "at least 17.84 s and less than 600 s"),
    ],
)
def test_unknown_names_are_refused_with_close_matches(client: Client, fields: dict, code: str, words: str) -> None:
    rid = submit(client, tone(0.5, 44100), 44100, length=1.0, **fields)
    last = follow(client, rid)[-1]
    assert last.type == C.TYPE_ERROR and last.header["code"] == code
    assert words in last.header["message"]


@pytest.mark.parametrize("name", ["{tmp}", "{tmp}/ckpt", "../models/ckpt", "ckpt/..", ".hidden", "empty"])
def test_clients_choose_only_among_the_models_the_operator_allowed(client: Client, tmp_path: Path,
                                                                   name: str) -> None:
    """Paths, Hugging Face ids and folders outside the models dir are refused before anything is queued, and the
    answer says what is served, not what exists on the host's disk."""
    from conftest import MODELS_DIR

    from jukebox_host.engine.tiny import write_tiny_model

    write_tiny_model(tmp_path / "ckpt", seed=3)
    (MODELS_DIR / "empty").mkdir(exist_ok=True)  # no config.json: not a checkpoint
    (MODELS_DIR / ".hidden").mkdir(exist_ok=True)
    requested = name.format(tmp=tmp_path)
    rid = submit(client, tone(0.5, 44100), 44100, length=1.0, model=requested)
    first = client.receive()
    assert first.header["id"] == rid and first.type == C.TYPE_ERROR, first.header
    assert first.header["code"] == C.ERR_UNKNOWN_MODEL
    # The same words whether the path exists, holds a checkpoint or not: nothing learnt about the disk.
    assert first.header["message"].startswith(f"model {requested!r} is not served by this host; it serves tiny")
    with pytest.raises(RemoteError, match="not served by this host"):
        client.request(C.TYPE_LOAD, model=requested)


def test_queue_is_bounded_per_client(client: Client) -> None:
    count = C.MAX_QUEUED_JOBS_PER_CLIENT + 2
    ids = [submit(client, None, 0, mode="ancestral", length=30.0, seed=i) for i in range(count)]
    codes: dict[int, str] = {}
    while len(codes) < len(ids):  # each job's first answer: queued or an error (the running one also sends progress)
        reply = client.receive()
        if reply.type in (C.TYPE_QUEUED, C.TYPE_ERROR):
            codes.setdefault(reply.header["id"], reply.header.get("code", reply.type))
    assert list(codes.values()).count(C.ERR_QUEUE_FULL) >= 1
    for rid in ids:
        client.send(C.TYPE_CANCEL, target=rid)
    # Drain until every accepted job has ended.
    open_jobs = {rid for rid, code in codes.items() if code == C.TYPE_QUEUED}
    while open_jobs:
        reply = client.receive(60)
        if reply.ends_job:
            open_jobs.discard(reply.header["id"])
    assert client.ping() < 5.0


def test_refusals_carry_the_request_id_and_say_what_to_change(client: Client) -> None:
    """A client learns which request was refused, even for a message over the size limit (each frame under it)."""
    half = b"\0" * (C.MAX_MESSAGE_BYTES // 2 + 8)
    client.socket.send_multipart([msgpack.packb({"v": 1, "type": "echo", "id": 41, "channels": 2,
                                                 "frames": len(half) // 4}), half, half])
    reply = client.receive()
    assert (reply.type, reply.header["id"], reply.header["code"]) == (C.TYPE_ERROR, 41, C.ERR_TOO_LARGE)
    client.socket.send(msgpack.packb({"v": 1, "type": "ping", "id": 2**64 - 1}))
    assert "2^63-1 (9223372036854775807)" in client.receive().header["message"]


def test_an_id_in_use_by_a_waiting_job_is_refused(client: Client) -> None:
    first = submit(client, None, 0, mode="ancestral", length=20.0, seed=1, id=500)
    assert client.receive().type == C.TYPE_QUEUED
    again = submit(client, None, 0, mode="ancestral", length=1.0, seed=2, id=500)
    reply = client.receive()
    while reply.type == C.TYPE_PROGRESS:  # the first job's, running meanwhile
        reply = client.receive()
    assert (reply.header["id"], reply.header["code"]) == (again, C.ERR_BAD_FIELD)
    assert "already one of your jobs" in reply.header["message"]
    assert reply.header.get("duplicate") is True and not reply.ends_job  # the client's job goes on
    assert first in client.status()["jobs"]
    client.cancel(first)


def test_echo_answers_with_what_the_header_said(client: Client) -> None:
    audio = tone(0.1, 44100, channels=2)
    reply = client.request(C.TYPE_ECHO, [np.ascontiguousarray(ch).tobytes() for ch in audio], channels=2,
                           frames=audio.shape[1])
    assert (reply.header["channels"], reply.header["frames"]) == (2, audio.shape[1])
    assert np.array_equal(reply.audio(), audio)


def test_a_message_of_many_frames_is_refused_at_the_door(client: Client) -> None:
    client.socket.send_multipart([_header(**AUDIO), *[b""] * 100_000])
    started = time.monotonic()
    reply = client.receive()
    assert (reply.header["id"], reply.header["code"]) == (7, C.ERR_BAD_AUDIO)
    assert "100000 PCM frames; at most 8 (one per channel)" in reply.header["message"]
    assert time.monotonic() - started < 10 and client.ping() < 5.0
