"""The non-blocking send path on its own: order kept, a reader catches up, a non-reader is dropped."""

from __future__ import annotations

import time

import pytest
import zmq

from jukebox_host.gateway import outgoing


@pytest.fixture
def pair(tmp_path: object) -> object:
    context = zmq.Context()
    router = context.socket(zmq.ROUTER)
    router.setsockopt(zmq.ROUTER_MANDATORY, 1)
    router.setsockopt(zmq.SNDHWM, 4)
    router.bind(f"ipc://{tmp_path}/o.sock")
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.RCVHWM, 1)
    dealer.connect(f"ipc://{tmp_path}/o.sock")
    dealer.send(b"hi")
    assert router.poll(5000)
    client = router.recv_multipart()[0]
    yield router, dealer, client
    dealer.close(0)
    router.close(0)
    context.term()


def _held_at_drop(out: outgoing.Outgoing, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The bytes waiting (in all) at each drop, the most the budgets let wait: filled as drops happen."""
    held: list[int] = []
    drop = out._drop

    def spy(client: bytes, why: str) -> None:
        held.append(out.waiting_bytes())
        drop(client, why)

    monkeypatch.setattr(out, "_drop", spy)
    return held


def test_order_is_kept_when_the_client_reads_late(pair: object) -> None:
    router, dealer, client = pair  # type: ignore[misc]
    gone: list[str] = []
    out = outgoing.Outgoing(router, lambda _c, why: gone.append(why))
    for n in range(200):
        out.send([client, str(n).encode()])
    assert out.backlogs, "nothing waited: the test did not fill libzmq's queue"
    received = []
    deadline = time.monotonic() + 10
    while len(received) < 200 and time.monotonic() < deadline:
        out.flush()
        while dealer.poll(10):
            received.append(int(dealer.recv()))
    assert received == list(range(200)) and not out.backlogs and gone == []


def test_a_client_over_budget_or_stalled_is_dropped(pair: object, monkeypatch: pytest.MonkeyPatch) -> None:
    router, _dealer, client = pair  # type: ignore[misc]
    gone: list[str] = []
    out = outgoing.Outgoing(router, lambda _c, why: gone.append(why))
    monkeypatch.setattr(outgoing, "BACKLOG_BYTES", 10_000)
    held = _held_at_drop(out, monkeypatch)
    for _ in range(100):
        out.send([client, b"x" * 1000])
    assert len(gone) == 1 and "stopped reading" in gone[0] and client not in out.backlogs
    assert held == [10_000], "replies waited past the budget before the client was dropped"
    out.readmit(client)  # it speaks again
    monkeypatch.setattr(outgoing, "STALL_SECONDS", 0.3)
    monkeypatch.setattr(outgoing, "BACKLOG_BYTES", 10**9)
    gone.clear()
    for _ in range(100_000):  # until the kernel's and libzmq's buffers are full and replies wait with us
        out.send([client, b"y" * 1000])
        if out.backlogs:
            break
    assert out.backlogs and gone == []
    deadline = time.monotonic() + 30  # libzmq may still take a little as it settles; then nothing moves
    while not gone and time.monotonic() < deadline:
        time.sleep(0.02)
        out.send([client, b"z" * 1000])
        out.flush()
    assert len(gone) == 1 and "nothing taken" in gone[0] and out.waiting_bytes() == 0


def test_when_replies_wait_for_many_clients_the_one_with_most_waiting_goes(
        pair: object, monkeypatch: pytest.MonkeyPatch) -> None:
    router, _dealer, client = pair  # type: ignore[misc]
    gone: list[bytes] = []
    out = outgoing.Outgoing(router, lambda c, _why: gone.append(c))
    monkeypatch.setattr(outgoing, "TOTAL_BACKLOG_BYTES", 50_000)
    away = [b"\x01away-" + bytes([n]) * 10 for n in range(3)]  # chosen ids, not connected: replies wait
    for n, other in enumerate(away):
        for _ in range(10 + n):
            out.send([other, b"x" * 1000])
    assert gone == [] and out.waiting_bytes() == 33_000
    held = _held_at_drop(out, monkeypatch)
    for _ in range(20):
        out.send([away[0], b"y" * 1000])
    assert gone == [away[0]] and out.waiting_bytes() == 23_000
    assert held == [50_000], "replies waited past the total budget before one client was dropped"
    assert all(other in out.backlogs for other in away[1:])
