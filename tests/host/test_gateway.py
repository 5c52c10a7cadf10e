"""The public socket lives in a gateway process: what libzmq does to it on a client's behalf never ends the host,
and clients that chose their routing id keep their jobs across reconnects (issue 12, items 1 and 4)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zmq

from helpers import follow, gateway_pid, poll_until, submit, wait_for
from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C
from jukebox_host.wire.protocol import pack


def _raw_dealer(context: zmq.Context, endpoint: str, routing_id: bytes | None = None) -> zmq.Socket:
    sock = context.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    if routing_id is not None:
        sock.setsockopt(zmq.ROUTING_ID, routing_id)
    sock.connect(endpoint)
    return sock


def _ask(sock: zmq.Socket, kind: str, rid: int, **fields: object) -> dict[str, object] | None:
    import msgpack

    sock.send(pack({"v": 1, "type": kind, "id": rid, **fields}))
    while sock.poll(10_000):
        header = msgpack.unpackb(sock.recv_multipart()[0])
        if header["id"] == rid and header["type"] != C.TYPE_QUEUED:
            return header
    return None


def test_a_client_that_picks_the_next_generated_routing_id_costs_a_reconnect_not_the_host(fresh_host: object
                                                                                         ) -> None:
    """libzmq asserts when the id it generates for an anonymous peer is already taken by a peer that chose it.
    The attack: learn a generated id, take the next ones, then let an anonymous client connect."""
    host = fresh_host
    endpoint = host.endpoint  # type: ignore[attr-defined]
    context = zmq.Context()
    try:
        probe = _raw_dealer(context, endpoint)
        assert _ask(probe, C.TYPE_LOAD, 7, model="tiny") is not None
        assert poll_until(lambda: re.search(r"client (00[0-9a-f]{8}) job 7 load", host.output()), 10)  # type: ignore[attr-defined]
        generated = int(re.search(r"client 00([0-9a-f]{8}) job 7 load", host.output()).group(1), 16)  # type: ignore[attr-defined,union-attr]
        gateway = gateway_pid(host.process.pid)  # type: ignore[attr-defined]
        takers = []
        for step in (1, 2, 3):
            taker = _raw_dealer(context, endpoint, b"\x00" + ((generated + step) % 2**32).to_bytes(4, "big"))
            assert _ask(taker, C.TYPE_PING, step) is not None
            takers.append(taker)
        victim = _raw_dealer(context, endpoint)
        victim.send(pack({"v": 1, "type": C.TYPE_PING, "id": 9}))
        # The gateway dies of libzmq's assertion; the host replaces it and keeps its models.
        assert poll_until(lambda: not Path(f"/proc/{gateway}").exists() or
                         Path(f"/proc/{gateway}/stat").read_text().split()[2] == "Z", 15), "the attack did nothing"
        assert poll_until(lambda: "starting a new one" in host.output(), 15), host.output()  # type: ignore[attr-defined]
        assert host.process.poll() is None  # type: ignore[attr-defined]
        with Client(endpoint, timeout=20) as after:
            assert after.ping() < 20
            rid = submit(after, None, 0, mode="ancestral", length=0.5, seed=3)
            assert follow(after, rid, 60)[-1].type == C.TYPE_RESULT
        assert host.output().count("loaded tiny") == 1  # type: ignore[attr-defined]
        assert gateway_pid(host.process.pid) != gateway  # type: ignore[attr-defined]
        for sock in [probe, victim, *takers]:
            sock.close(0)
    finally:
        context.term()


def test_a_job_survives_a_dropped_connection(host: object) -> None:
    """An oversized frame makes libzmq drop the connection; the DEALER reconnects with the same chosen id and
    the job's result still reaches it."""
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        rid = submit(c, None, 0, mode="ancestral", length=3.0, seed=4)
        wait_for(c, rid, C.TYPE_QUEUED)
        c.socket.send(b"\0" * (C.MAX_MESSAGE_BYTES + 1))  # bypasses Client.send's size check on purpose
        replies = follow(c, rid, 120)
        assert replies[-1].type == C.TYPE_RESULT, replies[-1].header


def test_jobs_of_clients_with_their_own_id_survive_a_gateway_restart_and_anonymous_ones_are_told(
        fresh_host: object) -> None:
    host = fresh_host
    endpoint = host.endpoint  # type: ignore[attr-defined]
    context = zmq.Context()
    try:
        anonymous = _raw_dealer(context, endpoint)
        assert _ask(anonymous, C.TYPE_PING, 1) is not None
        with Client(endpoint, timeout=60) as c:
            rid = submit(c, None, 0, mode="ancestral", length=4.0, seed=5)
            wait_for(c, rid, C.TYPE_PROGRESS)
            os.kill(gateway_pid(host.process.pid), signal.SIGKILL)  # type: ignore[attr-defined]
            assert follow(c, rid, 120)[-1].type == C.TYPE_RESULT
        # The anonymous client is someone new to the new gateway: status lists none of its jobs.
        status = _ask(anonymous, C.TYPE_STATUS, 2)
        assert status is not None and status["jobs"] == []
        assert "gateway (the host's network side) exited" in host.output()  # type: ignore[attr-defined]
        anonymous.close(0)
    finally:
        context.term()


def test_a_hung_gateway_is_replaced(fresh_host: object) -> None:
    host = fresh_host
    gateway = gateway_pid(host.process.pid)  # type: ignore[attr-defined]
    os.kill(gateway, signal.SIGSTOP)
    try:
        assert poll_until(lambda: "stopped answering" in host.output(), 20), host.output()  # type: ignore[attr-defined]
        with Client(host.endpoint, timeout=20) as c:  # type: ignore[attr-defined]
            assert c.ping() < 20
    finally:
        if Path(f"/proc/{gateway}").exists():
            os.kill(gateway, signal.SIGKILL)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_the_gateway_goes_with_the_host(fresh_host: object, how: int) -> None:
    host = fresh_host
    gateway = gateway_pid(host.process.pid)  # type: ignore[attr-defined]
    os.kill(host.process.pid, how)  # type: ignore[attr-defined]
    host.process.wait(30)  # type: ignore[attr-defined]
    assert poll_until(lambda: not Path(f"/proc/{gateway}").exists(), 10)


def test_a_gateway_whose_host_died_mid_send_exits(tmp_path: Path) -> None:
    """A host killed while its gateway was about to send it something (its heartbeat, a client's message) left the
    gateway blocked for ever in that send (a PAIR whose peer is gone takes nothing): it kept the endpoint bound and
    the pipes of whoever started the host (a test runner waited 10 minutes on one). It must notice its host is gone
    and exit."""
    link = f"ipc://{tmp_path}/link"
    fake_host = zmq.Context.instance().socket(zmq.PAIR)  # binds the link as a host does
    fake_host.setsockopt(zmq.LINGER, 0)
    fake_host.bind(link)
    starter = ("import os, subprocess, sys; "
               "p = subprocess.Popen([sys.executable, '-m', 'jukebox_host.gateway', '--endpoint', sys.argv[1], "
               "'--link', sys.argv[2], '--parent', str(os.getpid())], stdout=subprocess.DEVNULL, "
               "stderr=subprocess.DEVNULL); print(p.pid, flush=True); sys.stdin.read()")
    host = subprocess.Popen([sys.executable, "-c", starter, f"ipc://{tmp_path}/public", link],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert host.stdout is not None
        gateway = int(host.stdout.readline())
        assert fake_host.poll(30000)  # the gateway's hello: the link is up
        fake_host.close()  # the host's end goes (its process dies: the link breaks before the process is gone)
        time.sleep(3)  # the gateway's next heartbeat finds no peer to take it
        host.kill()
        host.wait(10)

        def gone() -> bool:
            stat = Path(f"/proc/{gateway}/stat")
            return not stat.exists() or stat.read_text().split()[2] == "Z"

        assert poll_until(gone, 30), "the gateway outlived its host"
    finally:
        fake_host.close()
        if host.poll() is None:
            host.kill()


def test_a_gateway_that_cannot_listen_exits_with_its_code() -> None:
    """The host reads the gateway's exit code to say why it is gone: 2 when it cannot listen."""
    run = subprocess.run([sys.executable, "-m", "jukebox_host.gateway", "--endpoint", "tcp://203.0.113.1:5557",
                          "--link", "ipc:///tmp/jbx-gateway-test-nolink", "--parent", str(os.getpid())],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "cannot listen on tcp://203.0.113.1:5557" in run.stderr
