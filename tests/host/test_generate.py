"""Jobs end to end on the tiny model: lengths, rates, channels, progress, previews, all three modes."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import follow, submit, tone
from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C


def _final(replies: list) -> object:
    last = replies[-1]
    assert last.type == C.TYPE_RESULT, last.header
    return last


def test_primed_job_keeps_the_clients_rate_and_channels(client: Client) -> None:
    prompt = tone(1.0, 48000, channels=2)
    rid = submit(client, prompt, 48000, length=2.0, seed=1)
    replies = follow(client, rid)
    assert replies[0].type == C.TYPE_QUEUED
    result = _final(replies)
    audio = result.audio()
    assert result.header["sample_rate"] == 48000 and result.header["channels"] == 2
    assert audio.shape == (2, result.header["frames"])
    assert abs(audio.shape[1] / 48000 - 2.0) < 0.01  # whole 128-sample top-level codes
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0
    # Mono model: every channel of the result is the same signal; and it is not the input.
    assert np.array_equal(audio[0], audio[1])
    assert not np.allclose(audio[0, :48000], prompt[0], atol=1e-3)


def test_progress_is_ordered_and_reaches_one(client: Client) -> None:
    rid = submit(client, tone(0.5, 44100), 44100, length=1.5, seed=2)
    replies = follow(client, rid)
    fractions = [r.header["fraction"] for r in replies if r.type == C.TYPE_PROGRESS]
    stages = [r.header["stage"] for r in replies if r.type == C.TYPE_PROGRESS]
    assert len(fractions) >= 10
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)
    assert stages[0] == "encode" and stages[-1] == "decode" and "sample" in stages
    assert all(r.header["level"] == 2 for r in replies if r.type == C.TYPE_PROGRESS)
    assert replies.index(next(r for r in replies if r.type == C.TYPE_PROGRESS)) > 0  # queued comes first


def test_output_rate_and_channels_follow_the_request(client: Client) -> None:
    rid = submit(client, tone(0.5, 44100, 2), 44100, length=1.0, out_sample_rate=22050, out_channels=1, seed=3)
    result = _final(follow(client, rid))
    assert result.header["sample_rate"] == 22050 and result.header["channels"] == 1
    assert abs(result.header["frames"] / 22050 - 1.0) < 0.01


def test_prompt_field_uses_only_that_much_of_the_input(client: Client) -> None:
    rid = submit(client, tone(2.0, 44100), 44100, prompt=0.5, length=1.0, seed=4)
    result = _final(follow(client, rid))
    assert abs(result.header["frames"] / 44100 - 1.0) < 0.01


def test_ancestral_job_needs_no_audio(client: Client) -> None:
    rid = submit(client, None, 0, mode="ancestral", length=1.0, artist="The Beatles", genre="Rock",
                 lyrics="Yeah yeah yeah", seed=5)
    result = _final(follow(client, rid))
    assert result.header["channels"] == 1 and result.header["sample_rate"] == 44100
    assert abs(result.header["frames"] / 44100 - 1.0) < 0.01
    assert np.abs(result.audio()).max() > 0


def test_all_levels_send_a_top_level_preview_before_the_final_result(client: Client) -> None:
    rid = submit(client, tone(0.1, 44100), 44100, length=0.2, levels=3, seed=6)
    replies = follow(client, rid, timeout=300)
    results = [r for r in replies if r.type == C.TYPE_RESULT]
    assert [r.header["final"] for r in results] == [False, True]
    assert [r.header["level"] for r in results] == [2, 0]
    assert results[0].header["frames"] == results[1].header["frames"]
    sampling = [r.header for r in replies if r.type == C.TYPE_PROGRESS and r.header["stage"] == "sample"]
    levels = [h["level"] for h in sampling]
    # Pipelined: the top starts, the levels below join in as soon as it has their codes; progress is the job's.
    assert levels[0] == 2 and set(levels) == {2, 1, 0}
    fractions = [h["fraction"] for h in sampling]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_preview_can_be_switched_off(client: Client) -> None:
    rid = submit(client, tone(0.1, 44100), 44100, length=0.2, levels=2, preview=False, seed=7)
    results = [r for r in follow(client, rid, timeout=300) if r.type == C.TYPE_RESULT]
    assert [r.header["final"] for r in results] == [True]
    assert results[0].header["level"] == 1


def test_upsample_keeps_the_prompts_length(client: Client) -> None:
    rid = submit(client, tone(0.15, 44100), 44100, mode="upsample", length=1.0, seed=8)
    result = _final(follow(client, rid, timeout=300))
    assert result.header["level"] == 0
    assert abs(result.header["frames"] - 0.15 * 44100) <= 128


def test_same_seed_same_result(client: Client) -> None:
    prompt = tone(0.5, 44100)
    first = _final(follow(client, submit(client, prompt, 44100, length=1.0, seed=11))).audio()
    second = _final(follow(client, submit(client, prompt, 44100, length=1.0, seed=11))).audio()
    third = _final(follow(client, submit(client, prompt, 44100, length=1.0, seed=12))).audio()
    assert np.array_equal(first, second)
    assert not np.array_equal(first, third)


def test_model_loads_from_a_folder_in_the_models_dir(client: Client) -> None:
    """A checkpoint copied into the host's --models-dir is served by its folder name, at once."""
    from conftest import MODELS_DIR

    from jukebox_host.engine.tiny import write_tiny_model

    folder = "my-checkpoint"
    write_tiny_model(MODELS_DIR / folder, seed=9)
    assert folder in client.status()["served"]
    loaded = client.request(C.TYPE_LOAD, model=folder)
    assert loaded.type == C.TYPE_LOADED and loaded.header["model"] == folder
    names = [m["name"] for m in client.status()["models"]]
    assert folder in names
    result = _final(follow(client, submit(client, tone(0.5, 44100), 44100, model=folder, length=1.0, seed=1)))
    assert result.header["frames"] > 0
    assert client.request(C.TYPE_UNLOAD, model=folder).type == C.TYPE_UNLOADED
    assert folder not in [m["name"] for m in client.status()["models"]]
