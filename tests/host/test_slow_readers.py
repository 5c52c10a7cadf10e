"""Clients that send and never read cannot stall the host: other clients' jobs, pings and SIGTERM go on."""

from __future__ import annotations

import time

import msgpack
import zmq

from helpers import follow, submit, tone
from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C

PING = msgpack.packb({"v": 1, "type": "ping", "id": 1})


def test_three_clients_that_never_read_do_not_stall_another(fresh_host: object) -> None:
    endpoint = fresh_host.endpoint  # type: ignore[attr-defined]
    context = zmq.Context()
    silent = []
    try:
        for _ in range(3):  # far more replies than libzmq queues per client: the host must not wait for them
            sock = context.socket(zmq.DEALER)
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.RCVHWM, 1)
            sock.connect(endpoint)
            for _ in range(3000):
                sock.send(PING)
            silent.append(sock)
        with Client(endpoint, timeout=30) as other:
            started = time.monotonic()
            slowest_ping = max(other.ping() for _ in range(5))
            last = follow(other, submit(other, tone(0.5, 44100), 44100, length=1.0, seed=1), timeout=60)[-1]
            took = time.monotonic() - started
        assert last.type == C.TYPE_RESULT and last.header["final"]
        assert slowest_ping < 1.0, f"a ping took {slowest_ping:.2f} s"
        assert took < 30, f"another client's 1 s job took {took:.1f} s"
        started = time.monotonic()
        assert fresh_host.stop(timeout=20) == 0  # type: ignore[attr-defined]
        assert time.monotonic() - started < 15
    finally:
        for sock in silent:
            sock.close()
        context.term()
