"""Handshake, liveness and transport-level messages against a real host."""

from __future__ import annotations

import numpy as np

from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C


def test_hello_reports_protocol_device_and_loaded_model(client: Client) -> None:
    client.request(C.TYPE_LOAD, model="tiny")  # the preload may still be running; this waits for it
    welcome = client.hello()
    assert welcome["type"] == C.TYPE_WELCOME
    assert welcome["protocol"] == C.PROTOCOL_VERSION
    assert welcome["device"] == "cpu"
    assert "tiny" in welcome["models"]


def test_ping_answers_with_pong_and_the_same_id(client: Client) -> None:
    rid = client.send(C.TYPE_PING, id=4242)
    reply = client.receive()
    assert reply.type == C.TYPE_PONG and reply.header["id"] == 4242 == rid
    assert reply.header["time"] > 0


def test_echo_returns_the_samples_bit_exact(client: Client) -> None:
    rng = np.random.default_rng(3)
    audio = rng.standard_normal((2, 44100)).astype(np.float32)
    back = client.echo(audio)
    assert back.dtype == np.float32 and back.shape == audio.shape
    assert np.array_equal(back, audio)


def test_status_lists_models_with_placement_and_bytes(client: Client) -> None:
    client.request(C.TYPE_LOAD, model="tiny")
    status = client.status()
    assert status["device"] == "cpu"
    assert status["queue"] >= 0
    (tiny,) = [m for m in status["models"] if m["name"] == "tiny"]
    assert tiny["device"] == "cpu" and tiny["dtype"] == "float32" and tiny["levels"] == 3
    assert 100_000 < tiny["bytes"] < 5_000_000
    assert tiny["residency"] == "all"
    assert [(p["level"], p["device"]) for p in tiny["placement"]] == [(2, "cpu"), (1, "cpu"), (0, "cpu")]
    assert sum(p["bytes"] for p in tiny["placement"]) < tiny["bytes"]  # the rest is the VQ-VAE


def test_a_models_facts_are_the_ones_its_jobs_obey(client: Client) -> None:
    """`loaded` and `status` say the rate, the top level's code size and the song length range; a job's length is
    whole codes of that size, and a song length under the range is refused naming it."""
    from helpers import follow, submit

    loaded = client.request(C.TYPE_LOAD, model="tiny").header
    (tiny,) = [m for m in client.status()["models"] if m["name"] == "tiny"]
    facts = ("sample_rate", "top_code_samples", "song_length_min", "song_length_max")
    assert {k: loaded[k] for k in facts} == {k: tiny[k] for k in facts}
    rate, code = tiny["sample_rate"], tiny["top_code_samples"]
    final = follow(client, submit(client, None, 0, mode="ancestral", length=0.1, out_sample_rate=rate, seed=1))[-1]
    assert final.header["frames"] == int(0.1 * rate) // code * code
    refused = follow(client, submit(client, None, 0, mode="ancestral", length=0.1,
                                    song_length=tiny["song_length_min"] - 0.01))[-1]
    assert refused.header["code"] == C.ERR_BAD_FIELD and f"{tiny['song_length_min']:g}" in refused.header["message"]


def test_unloading_a_model_not_loaded_says_so(client: Client) -> None:
    client.request(C.TYPE_LOAD, model="tiny")
    assert client.request(C.TYPE_UNLOAD, model="tiny").header["was_loaded"] is True
    again = client.request(C.TYPE_UNLOAD, model="tiny")
    assert again.type == C.TYPE_UNLOADED and again.header["was_loaded"] is False
