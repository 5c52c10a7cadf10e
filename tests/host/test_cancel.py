"""Cancelling running and queued jobs; the host is clean afterwards."""

from __future__ import annotations

import numpy as np

from helpers import follow, submit, tone, wait_for
from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C

LONG = dict(mode="ancestral", length=60.0)  # minutes of work for the tiny model on CPU


def test_cancel_a_running_job(client: Client) -> None:
    rid = submit(client, None, 0, seed=1, **LONG)
    progress = wait_for(client, rid, C.TYPE_PROGRESS)
    while progress.header["stage"] != "sample":  # "load" first when an earlier test unloaded the model
        progress = wait_for(client, rid, C.TYPE_PROGRESS)
    cid = client.send(C.TYPE_CANCEL, target=rid)
    ack = wait_for(client, cid, C.TYPE_CANCELLED)
    assert ack.header == {**ack.header, "target": rid, "found": True}
    last = follow(client, rid, timeout=30)[-1]
    assert last.type == C.TYPE_ERROR and last.header["code"] == C.ERR_CANCELLED
    assert client.status()["running"] is None


def test_a_job_after_a_cancel_matches_one_on_a_clean_host(client: Client) -> None:
    """The attention cache is cleared after a cancel: the same seed gives the same result as without it."""
    prompt = tone(0.5, 44100)
    reference = follow(client, submit(client, prompt, 44100, length=1.0, seed=21))[-1].audio()
    rid = submit(client, prompt, 44100, length=30.0, seed=22)
    wait_for(client, rid, C.TYPE_PROGRESS)
    wait_for(client, rid, C.TYPE_PROGRESS)
    client.send(C.TYPE_CANCEL, target=rid)
    assert follow(client, rid)[-1].header["code"] == C.ERR_CANCELLED
    again = follow(client, submit(client, prompt, 44100, length=1.0, seed=21))[-1].audio()
    assert np.array_equal(reference, again)


def test_cancel_a_queued_job_leaves_the_running_one_alone(client: Client) -> None:
    first = submit(client, None, 0, mode="ancestral", length=3.0, seed=2)
    second = submit(client, None, 0, seed=3, **LONG)
    assert wait_for(client, second, C.TYPE_QUEUED).header["position"] >= 1
    cid = client.send(C.TYPE_CANCEL, target=second)
    assert wait_for(client, cid, C.TYPE_CANCELLED).header["found"] is True
    assert wait_for(client, second, C.TYPE_ERROR).header["code"] == C.ERR_CANCELLED
    last = follow(client, first)[-1]
    assert last.type == C.TYPE_RESULT and last.header["final"] is True


def test_cancel_of_an_unknown_job_says_not_found(client: Client) -> None:
    cid = client.send(C.TYPE_CANCEL, target=987654)
    reply = wait_for(client, cid, C.TYPE_CANCELLED)
    assert reply.header["found"] is False


def test_a_client_cannot_cancel_another_clients_job(client: Client, host: object) -> None:
    rid = submit(client, None, 0, mode="ancestral", length=2.0, seed=4)
    with Client(host.endpoint, timeout=30) as other:  # type: ignore[attr-defined]
        cid = other.send(C.TYPE_CANCEL, target=rid)
        assert wait_for(other, cid, C.TYPE_CANCELLED).header["found"] is False
    last = follow(client, rid)[-1]
    assert last.type == C.TYPE_RESULT
