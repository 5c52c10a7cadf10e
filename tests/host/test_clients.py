"""Several clients at once, fairness, vanishing clients and host shutdown."""

from __future__ import annotations

import time

import pytest

from helpers import follow, submit, tone, wait_for
from jukebox_host.clients.client import Client
from jukebox_host.gateway import outgoing
from jukebox_host.wire import constants as C


def test_two_clients_at_once_each_get_their_own_result(host: object) -> None:
    endpoint = host.endpoint  # type: ignore[attr-defined]
    with Client(endpoint, timeout=60) as a, Client(endpoint, timeout=60) as b:
        ra = submit(a, tone(0.5, 44100, 2), 44100, length=1.0, seed=1)
        rb = submit(b, tone(0.5, 22050, 1), 22050, length=1.5, seed=2)
        last_a = follow(a, ra)[-1]
        last_b = follow(b, rb)[-1]
    assert (last_a.header["channels"], last_a.header["sample_rate"]) == (2, 44100)
    assert (last_b.header["channels"], last_b.header["sample_rate"]) == (1, 22050)
    assert abs(last_a.header["frames"] / 44100 - 1.0) < 0.01
    assert abs(last_b.header["frames"] / 22050 - 1.5) < 0.01


def test_queue_is_fair_across_clients(host: object) -> None:
    """A client with three queued jobs does not make another client's single job wait behind all three."""
    endpoint = host.endpoint  # type: ignore[attr-defined]
    with Client(endpoint, timeout=60) as busy, Client(endpoint, timeout=60) as polite:
        blocker = submit(busy, None, 0, mode="ancestral", length=2.0, seed=9)
        wait_for(busy, blocker, C.TYPE_PROGRESS)  # the worker is busy: the rest waits in the queue
        many = [submit(busy, None, 0, mode="ancestral", length=1.0, seed=i) for i in range(3)]
        for rid in many:
            wait_for(busy, rid, C.TYPE_QUEUED)
        one = submit(polite, None, 0, mode="ancestral", length=1.0, seed=5)
        assert wait_for(polite, one, C.TYPE_QUEUED).header["position"] == 2
        finished: dict[str, float] = {}
        for name, sock, rid in [("one", polite, one), *[(f"many{i}", busy, r) for i, r in enumerate(many)]]:
            follow(sock, rid)
            finished[name] = time.monotonic()  # (following busy's jobs skips the blocker's own messages)
    order = sorted(finished, key=finished.__getitem__)
    assert order.index("one") <= 1, order


def test_a_vanished_clients_jobs_are_dropped(host: object) -> None:
    endpoint = host.endpoint  # type: ignore[attr-defined]
    gone = Client(endpoint, timeout=30)
    rid = submit(gone, None, 0, mode="ancestral", length=60.0, seed=1)
    wait_for(gone, rid, C.TYPE_PROGRESS)
    gone.close()  # disappears mid-job
    # It chose its own routing id, so the host waits STALL_SECONDS for it to reconnect (a network blip) from the
    # first reply it cannot deliver; the margin covers that reply's wait and a loaded machine.
    deadline = time.monotonic() + outgoing.STALL_SECONDS + 30
    with Client(endpoint, timeout=60) as other:
        while other.status()["running"] is not None:
            assert time.monotonic() < deadline, "the vanished client's job kept running"
            time.sleep(0.2)
        last = follow(other, submit(other, tone(0.5, 44100), 44100, length=1.0, seed=3))[-1]
        assert last.type == C.TYPE_RESULT


def test_shutdown_cancels_jobs_and_says_bye(fresh_host: object) -> None:
    with Client(fresh_host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        running = submit(c, None, 0, mode="ancestral", length=60.0, seed=1)
        wait_for(c, running, C.TYPE_PROGRESS)
        queued = submit(c, None, 0, mode="ancestral", length=1.0, seed=2)
        wait_for(c, queued, C.TYPE_QUEUED)
        fresh_host.process.terminate()  # type: ignore[attr-defined]
        seen: dict[int, str] = {}
        bye = False
        while not bye:
            reply = c.receive(30)
            if reply.type == C.TYPE_ERROR:
                seen[reply.header["id"]] = reply.header["code"]
            bye = reply.type == C.TYPE_BYE
    assert seen == {running: C.ERR_SHUTDOWN, queued: C.ERR_SHUTDOWN}
    assert fresh_host.process.wait(30) == 0  # type: ignore[attr-defined]


def test_the_host_says_what_it_serves_and_each_job_once(fresh_host: object) -> None:
    """At start: the model, its device, precision and size, and a warning that 'tiny' is noise. Per job one line.
    At shutdown one line for the clients, not one per client long gone."""
    for _ in range(6):
        with Client(fresh_host.endpoint, timeout=30) as gone:  # type: ignore[attr-defined]
            gone.ping()
    with Client(fresh_host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        rid = submit(c, tone(0.5, 44100), 44100, length=1.0, seed=1)
        assert follow(c, rid)[-1].type == C.TYPE_RESULT
    assert fresh_host.stop() == 0  # type: ignore[attr-defined]
    said = fresh_host.output()  # type: ignore[attr-defined]
    assert "model tiny on cpu, float32" in said and "tiny random test model: its output is noise" in said
    assert f"job {rid} primed tiny: 0.50 s in → 1 s (song 240 s), levels 1, n_samples 1: result in" in said, said
    assert "went away" not in said and "said bye to" in said


def test_eight_clients_each_job_gets_exactly_one_end_at_the_right_client(host: object) -> None:
    """Load: 8 clients × 2 jobs at once. Every job ends with exactly one final result or one error, at the client
    that sent it (the seed is echoed through the result length), none lost, none duplicated."""
    from load_run import run_load

    report = run_load(host.endpoint, clients=8, jobs_per_client=2, length=0.5)  # type: ignore[attr-defined]
    assert report.lost == 0 and report.duplicated == 0 and report.misrouted == 0
    assert report.finished == 16
    # Fair queue: no client's first job ends after every other client's second job.
    assert report.max_first_job_rank <= 8 + 1


def test_a_job_lost_to_a_host_restart_is_reported_within_seconds(tiny_dir: object) -> None:
    """The host restarts (same endpoint) while a job runs: the client learns that the job is gone, instead of
    waiting for a result that will never come."""
    from conftest import HostProcess, _endpoint

    from jukebox_host.clients.client import HostUnavailable, JobLost

    endpoint = _endpoint("restart")
    first = HostProcess(endpoint, ["tiny"])
    second = None
    try:
        with Client(endpoint, timeout=30) as c:
            rid = submit(c, None, 0, mode="ancestral", length=120.0, seed=1)
            wait_for(c, rid, C.TYPE_PROGRESS)
            first.kill()
            second = HostProcess(endpoint, ["tiny"])
            started = time.monotonic()
            with pytest.raises((JobLost, HostUnavailable)) as info:
                c._follow(rid, 300, None, None)
            assert time.monotonic() - started < 45
        assert isinstance(info.value, JobLost) and f"no longer has job {rid}" in str(info.value)
    finally:
        for process in (first, second):
            if process is not None and process.process.poll() is None:
                process.kill()


def test_a_message_over_the_limit_is_refused_before_sending(client: Client) -> None:
    from jukebox_host.clients.client import MessageTooLarge

    with pytest.raises(MessageTooLarge, match="at most 256 MiB"):
        client.send(C.TYPE_ECHO, [bytes(C.MAX_MESSAGE_BYTES + 1)], channels=1, frames=C.MAX_MESSAGE_BYTES // 4)
