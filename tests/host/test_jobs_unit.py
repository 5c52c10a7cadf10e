"""The job queue on its own: round-robin order, limits, cancel, close."""

from __future__ import annotations

import pytest

from jukebox_host.host.jobs import Job, JobQueue
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError


def _job(client: bytes, rid: int) -> Job:
    return Job(client, rid, C.TYPE_GENERATE, None)


def test_round_robin_across_clients() -> None:
    queue = JobQueue()
    for rid in range(3):
        queue.put(_job(b"a", rid))
    queue.put(_job(b"b", 10))
    queue.put(_job(b"c", 20))
    order = []
    while (job := queue.take(0.01)) is not None:
        order.append((job.client, job.request_id))
        queue.done(job)
    assert order == [(b"a", 0), (b"b", 10), (b"c", 20), (b"a", 1), (b"a", 2)]


def test_position_counts_the_running_job_and_round_robin() -> None:
    queue = JobQueue()
    assert queue.put(_job(b"a", 1)) == 0
    running = queue.take(0.01)
    assert running is not None
    assert queue.put(_job(b"a", 2)) == 1
    assert queue.put(_job(b"a", 3)) == 2
    assert queue.put(_job(b"b", 4)) == 2  # b's first job goes before a's second


def test_limit_per_client() -> None:
    queue = JobQueue(per_client_limit=2)
    queue.put(_job(b"a", 1))
    queue.put(_job(b"a", 2))
    with pytest.raises(HostError) as info:
        queue.put(_job(b"a", 3))
    assert info.value.code == C.ERR_QUEUE_FULL
    queue.put(_job(b"b", 1))  # other clients are not affected


def test_cancel_queued_and_running() -> None:
    queue = JobQueue()
    first, second = _job(b"a", 1), _job(b"a", 2)
    queue.put(first)
    queue.put(second)
    assert queue.take(0.01) is first
    assert queue.cancel(b"a", 2) == (second, False)
    assert queue.cancel(b"a", 1) == (first, True) and first.cancel.is_set()
    assert queue.cancel(b"b", 1) == (None, False)
    assert queue.waiting() == 0


def test_close_returns_queued_and_stops_running() -> None:
    queue = JobQueue()
    running, waiting = _job(b"a", 1), _job(b"b", 2)
    queue.put(running)
    queue.put(waiting)
    queue.take(0.01)
    assert queue.close() == [waiting]
    assert running.cancel.is_set() and running.cancel_code == C.ERR_SHUTDOWN
    with pytest.raises(HostError):
        queue.put(_job(b"c", 3))


def test_waiting_audio_is_bounded_per_client_and_in_total(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several connections cannot multiply the per-client limit: the total is bounded too."""
    from types import SimpleNamespace

    import numpy as np

    from jukebox_host.host import jobs

    monkeypatch.setattr(jobs, "QUEUED_INPUT_BYTES_PER_CLIENT", 1000)
    monkeypatch.setattr(jobs, "QUEUED_INPUT_BYTES_TOTAL", 2300)

    def big(client: bytes, rid: int) -> Job:
        return Job(client, rid, C.TYPE_GENERATE, SimpleNamespace(audio=np.zeros((1, 100), np.float32)))  # 400 B

    queue = JobQueue()
    queue.put(big(b"a", 1))
    queue.put(big(b"a", 2))
    with pytest.raises(HostError) as info:
        queue.put(big(b"a", 3))  # 1200 B waiting for one client
    assert info.value.code == C.ERR_QUEUE_FULL and "your waiting jobs" in info.value.message
    queue.put(big(b"b", 1))
    queue.put(big(b"b", 2))
    queue.put(big(b"c", 1))  # 2000 B in all
    with pytest.raises(HostError) as info:
        queue.put(big(b"d", 1))  # a fifth connection would pass the total
    assert info.value.code == C.ERR_QUEUE_FULL and "all clients" in info.value.message
    assert queue.queued_bytes() == 2000
    job = queue.take(0.01)  # a job runs: its audio is no longer waiting
    assert job is not None and queue.queued_bytes() == 1600
    queue.put(big(b"d", 1))
