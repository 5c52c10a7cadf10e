"""serve --backend ray: a Ray Serve pool of 2 replicas on this machine (CPU, tiny model) behind the same
endpoint. Jobs of two clients run at once on different replicas; cancel reaches the replica; a replica killed
mid-job ends that job with an error and the pool keeps serving; results equal the single host's."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import numpy as np
import pytest

from helpers import follow, submit, wait_for
from jukebox_host.clients.client import Client, RemoteError
from jukebox_host.wire import constants as C

pytest.importorskip("ray.serve", reason="the Ray extra is not installed (pip install './pyhost[ray]')")

JOB = dict(model="tiny", mode="ancestral", length=3.0, levels=2, preview=False)
LONG = dict(model="tiny", mode="ancestral", length=60.0, levels=1)


def _timed_job(endpoint: str, seed: int, results: dict[int, tuple[float, np.ndarray]]) -> None:
    with Client(endpoint, timeout=60) as c:
        started = time.monotonic()
        audio, _ = c.generate(None, None, seed=seed, **JOB)
        results[seed] = (time.monotonic() - started, audio)


def _pool_workers(endpoint: str) -> list[dict]:
    with Client(endpoint, timeout=30) as c:
        return list(c.status()["pool"]["workers"])


def test_two_clients_jobs_run_at_once_on_two_replicas(ray_pool: Any) -> None:
    results: dict[int, tuple[float, np.ndarray]] = {}
    _timed_job(ray_pool.endpoint, 1, results)  # warm: each replica's first job pays for torch's first calls
    _timed_job(ray_pool.endpoint, 2, results)
    one = results[2][0]
    both = [threading.Thread(target=_timed_job, args=(ray_pool.endpoint, seed, results)) for seed in (3, 4)]
    started = time.monotonic()
    for thread in both:
        thread.start()
    for thread in both:
        thread.join(120)
    two = time.monotonic() - started
    # One job at a time would take twice as long; in parallel about one job's time (2 cores, 2 replicas).
    assert two < 1.6 * one, f"two jobs took {two:.2f} s, one alone {one:.2f} s"
    workers = _pool_workers(ray_pool.endpoint)
    assert len({w["pid"] for w in workers}) == 2, workers
    assert all(w["models"] == ["tiny"] and w["device"] == "cpu" for w in workers), workers


def test_results_are_the_single_hosts(ray_pool: Any, one_thread_host: Any) -> None:
    """Bit for bit, with the same torch thread count (1 in each replica here: float sums split differently
    over more threads)."""
    request = dict(JOB, seed=11)
    with Client(ray_pool.endpoint, timeout=60) as c:
        pooled, rate = c.generate(None, None, **request)
    with Client(one_thread_host.endpoint, timeout=60) as c:
        single, single_rate = c.generate(None, None, **request)
    assert rate == single_rate and np.array_equal(pooled, single)


def test_continue_works_whichever_replica_runs_it(ray_pool: Any) -> None:
    """Kept codes stay on the host and travel with the job: a chain's links may run on either replica."""
    with Client(ray_pool.endpoint, timeout=60) as c:
        first, _ = c.generate(None, None, **dict(JOB, length=1.0, seed=5))
        for k in range(3):
            (link,), _, overlap = c.continue_piece(model="tiny", length=0.5, levels=2, preview=False, seed=6 + k)
            assert link.shape[1] - overlap == 22050 // 128 * 128
        with pytest.raises(RemoteError, match="nothing to continue"):
            with Client(ray_pool.endpoint, timeout=60) as other:
                other.generate(None, None, model="tiny", mode=C.MODE_CONTINUE, length=0.5)
    assert first.shape[1] == 44100 // 128 * 128


def test_cancel_reaches_the_replica_and_the_next_job_runs(ray_pool: Any) -> None:
    with Client(ray_pool.endpoint, timeout=60) as c:
        rid = submit(c, None, 0, seed=7, **LONG)
        progress = wait_for(c, rid, C.TYPE_PROGRESS)
        while progress.header["stage"] != "sample":
            progress = wait_for(c, rid, C.TYPE_PROGRESS)
        started = time.monotonic()
        c.send(C.TYPE_CANCEL, target=rid)
        last = follow(c, rid, timeout=30)[-1]
        assert last.type == C.TYPE_ERROR and last.header["code"] == C.ERR_CANCELLED
        assert time.monotonic() - started < 10
        assert c.status()["running"] is None
        audio, _ = c.generate(None, None, seed=8, **JOB)
    assert audio.shape[1] == 3 * 44100 // 128 * 128


def test_a_replica_killed_mid_job_fails_that_job_and_the_pool_serves_on(ray_pool: Any) -> None:
    with Client(ray_pool.endpoint, timeout=60) as c:
        rid = submit(c, None, 0, seed=9, **LONG)
        wait_for(c, rid, C.TYPE_PROGRESS)
        running = [w for w in _pool_workers(ray_pool.endpoint) if w["running"] == rid]
        assert len(running) == 1, _pool_workers(ray_pool.endpoint)
        os.kill(running[0]["pid"], signal.SIGKILL)
        last = follow(c, rid, timeout=60)[-1]
        assert last.type == C.TYPE_ERROR and last.header["code"] == C.ERR_INTERNAL
        assert "replica" in last.header["message"]
        audio, _ = c.generate(None, None, seed=10, **JOB)  # the other replica, or the one Serve started anew
    assert audio.shape[1] == 3 * 44100 // 128 * 128
