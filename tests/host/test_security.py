"""CURVE on loopback: an unauthenticated or unknown client is refused, an allowed one is served."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import msgpack
import pytest
import zmq

from helpers import poll_until
from jukebox_host.clients.client import Client, HostRefused, HostUnavailable, RemoteError
from jukebox_host.wire import constants as C
from jukebox_host.wire.protocol import pack
from jukebox_host.wire.security import apply_client_curve, generate_keys, is_local


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def curve_host(tmp_path: Path, tiny_dir: Path) -> object:
    from conftest import HostProcess

    keys = tmp_path / "keys"
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    generate_keys(keys, "server")
    generate_keys(keys, "friend")
    generate_keys(keys, "stranger")
    (allowed / "friend.key").write_text((keys / "friend.key").read_text())
    endpoint = f"tcp://127.0.0.1:{_free_port()}"
    host = HostProcess(endpoint, ["tiny"], ["--curve-secret", str(keys / "server.key_secret"),
                                            "--curve-allow", str(allowed)])
    yield host, keys
    host.stop()


def test_allowed_client_is_served_and_others_are_refused(curve_host: tuple) -> None:
    host, keys = curve_host
    with Client(host.endpoint, timeout=10, server_key=str(keys / "server.key"),
                client_key=str(keys / "friend.key_secret")) as friend:
        assert friend.hello()["protocol"] == C.PROTOCOL_VERSION
    assert "ready on" in host.output()


@pytest.mark.parametrize("server_key, client_key, reason", [
    (None, None, "CURVE keys set on one side only"),
    ("server.key", "stranger.key_secret", "refused this client's key (status 400)"),
    ("stranger.key", "friend.key_secret", "hung up 3 handshakes in a row: is server_key the host's public key"),
])
def test_a_refused_handshake_is_reported_at_once_with_its_reason(curve_host: tuple, server_key: str | None,
                                                                 client_key: str | None, reason: str) -> None:
    """No keys, a key the host does not allow, the wrong host key: each refused at once, by name, not after the
    timeout (libzmq leaves such a socket taking sends and delivering none)."""
    host, keys = curve_host
    pair = {"server_key": str(keys / server_key), "client_key": str(keys / client_key)} if server_key else {}
    with Client(host.endpoint, timeout=30, **pair) as client:  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(HostRefused, match=re.escape(reason)):
            client.ping()
        assert time.monotonic() - started < 10


@pytest.mark.parametrize("command", [["ping"], ["render", "--length", "1", "--mode", "ancestral", "--model", "tiny"]])
def test_the_command_line_names_the_refusal(curve_host: tuple, tmp_path: Path, command: list[str]) -> None:
    """`ping` and `render --endpoint` against a host that refuses the key say why, not "no host answers"."""
    host, keys = curve_host
    out = tmp_path / "out.wav" if command[0] == "render" else None
    run = subprocess.run([sys.executable, "-m", "jukebox_host", *command, "--endpoint", host.endpoint,
                          "--server-key", str(keys / "server.key"), "--client-key", str(keys / "stranger.key_secret"),
                          *(["--output", str(out)] if out else [])], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "refused this client's key" in run.stderr, run.stderr


def test_binding_off_loopback_without_curve_is_refused() -> None:
    # Refused before anything is bound: no address outside loopback is ever used.
    done = subprocess.run([sys.executable, "-m", "jukebox_host", "serve", "--endpoint", "tcp://0.0.0.0:5599"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "refusing to bind" in done.stderr


@pytest.mark.parametrize("endpoint, local", [
    ("tcp://127.0.0.1:5557", True), ("tcp://localhost:1", True), ("tcp://[::1]:5", True),
    ("ipc:///tmp/x.sock", True), ("tcp://0.0.0.0:5557", False), ("tcp://*:5557", False),
    ("tcp://10.0.0.2:5557", False), ("tcp://eth0:5557", False), ("inproc://x", True),
    ("ws://127.0.0.1:5557", False), ("ws://0.0.0.0:5557", False), ("tipc://{1,2}", False),
    ("vmci://1:5557", False), ("udp://127.0.0.1:5557", False),
])
def test_which_endpoints_count_as_local(endpoint: str, local: bool) -> None:
    assert is_local(endpoint) is local


def _curve_client(host: object, keys: Path, name: str, timeout: float) -> Client:
    return Client(host.endpoint, timeout=timeout, server_key=str(keys / "server.key"),  # type: ignore[attr-defined]
                  client_key=str(keys / f"{name}.key_secret"))


def _served(host: object, keys: Path, name: str) -> bool:
    with _curve_client(host, keys, name, 1.0) as c:
        try:
            c.ping()
            return True
        except HostUnavailable:
            return False


def test_the_allow_list_is_reloaded_while_the_host_runs(curve_host: tuple) -> None:
    """A key added is let in, a key removed is refused: new connections and connected clients alike."""
    host, keys = curve_host
    allowed = keys.parent / "allowed"
    with _curve_client(host, keys, "friend", 10) as friend:
        assert friend.ping() < 10
        assert not _served(host, keys, "stranger")
        (allowed / "stranger.key").write_text((keys / "stranger.key").read_text())
        assert poll_until(lambda: _served(host, keys, "stranger"), 15, every=0)
        (allowed / "friend.key").unlink()

        def friend_refused() -> bool:
            try:
                friend.request(C.TYPE_PING)
                return False
            except RemoteError as exc:
                assert exc.code == C.ERR_BAD_MESSAGE and "no longer allowed" in exc.message
                return True

        assert poll_until(friend_refused, 15, every=0)
    assert not _served(host, keys, "friend")
    assert "allowed client keys reloaded" in host.output()


def test_a_refused_python_client_is_served_once_its_key_is_allowed(curve_host: tuple) -> None:
    """libzmq leaves a DEALER swallowing sends after a CURVE refusal: the same Client object is told of the
    refusal, dials again (same routing id) at its next request, and is served once its key is in the allow list
    (issue 28)."""
    host, keys = curve_host
    allowed = keys.parent / "allowed"
    answers: list[object] = []

    def pings(client: Client) -> None:
        for _ in range(2):
            try:
                answers.append(client.ping())
            except HostUnavailable as exc:
                answers.append(exc)
            if len(answers) == 1:
                (allowed / "stranger.key").write_text((keys / "stranger.key").read_text())
                time.sleep(2)  # the host rereads its allow list every second

    with _curve_client(host, keys, "stranger", 3) as stranger:
        routing_id = stranger.routing_id
        worker = threading.Thread(target=pings, args=(stranger,), daemon=True)
        worker.start()
        worker.join(60)  # a send on a socket libzmq left down would wait for ever
        assert not worker.is_alive(), "the client hung"
        assert isinstance(answers[0], HostRefused) and isinstance(answers[1], float), answers
        assert stranger.routing_id == routing_id


def _connect_with_id(host: object, keys: Path, name: str, routing_id: bytes, rid: int) -> tuple[zmq.Socket, dict]:
    """A fresh CURVE connection under `routing_id` that pings as `rid`: the socket and the reply, or an empty
    dict. libzmq ignores a peer whose routing id a live connection still holds (taking its first message for an
    id), so no reply means the id's owner was still connected: the caller tries again with a new connection."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.ROUTING_ID, routing_id)
    apply_client_curve(sock, keys / "server.key", keys / f"{name}.key_secret")
    sock.connect(host.endpoint)  # type: ignore[attr-defined]
    sock.send(pack({"v": 1, "type": C.TYPE_PING, "id": rid}))
    reply = msgpack.unpackb(sock.recv_multipart()[0]) if sock.poll(2000) else {}
    return sock, reply


def test_a_routing_id_stays_with_the_key_that_first_used_it(curve_host: tuple) -> None:
    """Routing ids are secrets (docs/PROTOCOL.md, "Identity"); one that leaks anyway gives another key nothing
    once it speaks: its messages are refused and the jobs of the id's owner end instead of going to it."""
    host, keys = curve_host
    allowed = keys.parent / "allowed"
    (allowed / "stranger.key").write_text((keys / "stranger.key").read_text())
    assert poll_until(lambda: _served(host, keys, "stranger"), 15, every=0)
    with _curve_client(host, keys, "friend", 30) as busy, _curve_client(host, keys, "friend", 30) as friend:
        blocker = busy.send(C.TYPE_GENERATE, model="tiny", mode="ancestral", length=300.0, seed=1)
        assert busy.receive().type == C.TYPE_QUEUED
        stolen = friend.routing_id
        friend.send(C.TYPE_GENERATE, model="tiny", mode="ancestral", length=1.0, seed=2)
        assert friend.receive().type == C.TYPE_QUEUED
        friend.socket.close(0)  # the owner is away; its job waits behind the blocker
        thief, refusal, attempt = None, {}, 0
        while not refusal and attempt < 10:
            if thief is not None:
                thief.close(0)
            attempt += 1
            thief, refusal = _connect_with_id(host, keys, "stranger", stolen, 100 + attempt)
        assert thief is not None
        try:
            assert refusal.get("id") == 100 + attempt and refusal.get("code") == C.ERR_BAD_MESSAGE, refusal
            assert "another client key" in refusal["message"]
            taken = "its routing id was taken by another key; dropping its jobs"
            assert poll_until(lambda: taken in host.output(), 10, every=0)
            busy.cancel(blocker)
            assert not thief.poll(5000), "the owner's job reached the thief"
        finally:
            thief.close(0)


def test_a_removed_keys_running_job_ends_with_an_error_naming_why(curve_host: tuple) -> None:
    """The key of a client following a long job is removed: the job ends at once with an error that says why
    (the client only listens while it follows, so the host must tell it), and its queued job too."""
    host, keys = curve_host
    allowed = keys.parent / "allowed"
    with _curve_client(host, keys, "friend", 10) as friend:
        running = friend.send(C.TYPE_GENERATE, model="tiny", mode="ancestral", length=300.0, seed=1)
        queued = friend.send(C.TYPE_GENERATE, model="tiny", mode="ancestral", length=1.0, seed=2)
        seen: dict[int, str] = {}
        while friend.receive(30).type != C.TYPE_PROGRESS:
            pass
        (allowed / "friend.key").unlink()
        removed = time.monotonic()
        while len(seen) < 2:
            reply = friend.receive(30)
            if reply.type == C.TYPE_ERROR:
                assert reply.header["code"] == C.ERR_BAD_MESSAGE and "no longer allowed" in reply.header["message"]
                seen[reply.header["id"]] = reply.header["code"]
        assert set(seen) == {running, queued}
        assert time.monotonic() - removed < 15
    assert "is refused (this client's key is no longer allowed by the host); ending its jobs" in host.output()
