"""What one message can make the host and its gateway hold (docs/PROTOCOL.md, "Memory budget"; issue 12,
item 3). Peaks are read from /proc (VmHWM), reset before each attack."""

from __future__ import annotations

import os
import time
from pathlib import Path

import msgpack
import zmq

from helpers import gateway_pid
from jukebox_host.wire import constants as C
from jukebox_host.wire.protocol import pack

MIB = 2**20
FRAME = bytearray(100 * MIB)


def _memory(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for process {pid}")


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux ≥ 4.0)


def _send_big(endpoint: str, frames: int, rid: int) -> dict[str, object] | None:
    """A `generate` of `frames` × 100 MiB PCM frames: the first reply, or None when the connection was dropped
    instead (then libzmq would reconnect and resend nothing)."""
    context = zmq.Context()
    sock = context.socket(zmq.DEALER)
    monitor = sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    try:
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(endpoint)
        header = {"v": 1, "type": C.TYPE_GENERATE, "id": rid, "model": "tiny", "mode": "upsample",
                  "channels": frames, "frames": len(FRAME) // 4, "sample_rate": 44100}
        sock.send_multipart([pack(header), *[FRAME] * frames], copy=False)
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(monitor, zmq.POLLIN)
        ready = dict(poller.poll(30_000))
        if sock in ready:
            return msgpack.unpackb(sock.recv_multipart()[0])
        assert monitor in ready, "neither a reply nor a dropped connection in 30 s"
        return None
    finally:
        sock.disable_monitor()
        monitor.close(0)
        sock.close(0)
        context.term()


def test_a_message_over_the_limit_in_all_never_reaches_the_host(host: object) -> None:
    """libzmq bounds frames, not messages: three frames of 100 MiB each pass it. The gateway refuses the
    message (with its id), and the host process never holds it."""
    pid = host.process.pid  # type: ignore[attr-defined]
    _reset_peak(pid)
    before = _memory(pid, "VmRSS")
    reply = _send_big(host.endpoint, 3, 41)  # type: ignore[attr-defined]
    assert reply is not None and reply["id"] == 41 and reply["code"] == C.ERR_TOO_LARGE, reply
    assert _memory(pid, "VmHWM") - before < 64 * MIB


def test_a_client_past_the_gateways_memory_ceiling_loses_its_connection_and_the_host_nothing(tmp_path: Path
                                                                                            ) -> None:
    """With the gateway's ceiling at 150 MiB, a message of 4 × 100 MiB cannot be assembled: the gateway drops
    that connection (or dies and is replaced); it never holds the message, the host never sees it, and others
    are served."""
    from conftest import HostProcess

    host = HostProcess(f"ipc://{tmp_path}/ceiling.sock", ["tiny"], ["--gateway-memory", "150"])
    try:
        gateway = gateway_pid(host.process.pid)
        start = _memory(gateway, "VmRSS")
        host_before = _memory(host.process.pid, "VmRSS")
        _reset_peak(host.process.pid)
        assert "memory ceiling 150 MiB above" in host.output()
        assert _send_big(host.endpoint, 4, 42) is None, "the whole message was assembled"
        if Path(f"/proc/{gateway}").exists():
            assert _memory(gateway, "VmHWM") - start < 150 * MIB
        assert _memory(host.process.pid, "VmHWM") - host_before < 64 * MIB
        from jukebox_host.clients.client import Client

        with Client(host.endpoint, timeout=30) as other:
            assert other.ping() < 30
        assert host.process.poll() is None
    finally:
        host.stop()



def test_the_gateway_reads_a_connection_only_a_message_ahead(fresh_host: object) -> None:
    """While the host process cannot take messages (stopped here for 3 s), a client's flood stays in the client's
    own buffers: the gateway holds about 7 of its messages (4 read ahead, one arriving, one each way on the link
    to the host), not the 1000 libzmq would read by default. Afterwards every message is answered."""
    import signal

    host = fresh_host
    pid = host.process.pid  # type: ignore[attr-defined]
    gateway = gateway_pid(pid)
    start = _memory(gateway, "VmRSS")
    _reset_peak(gateway)
    context = zmq.Context()
    sock = context.socket(zmq.DEALER)
    frame = bytearray(40 * MIB)
    try:
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(host.endpoint)  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGSTOP)
        try:
            for rid in range(1, 17):
                sock.send_multipart([pack({"v": 1, "type": C.TYPE_GENERATE, "id": rid, "model": "tiny",
                                           "mode": "upsample", "channels": 1, "frames": len(frame) // 4,
                                           "sample_rate": 384000}), frame], copy=False)
            time.sleep(3)
            held = _memory(gateway, "VmHWM") - start
        finally:
            os.kill(pid, signal.SIGCONT)
        assert held < 10 * len(frame), f"the gateway held {held / MIB:.0f} MiB of 640 MiB sent"
        answered: set[int] = set()
        while len(answered) < 16 and sock.poll(60_000):
            header = msgpack.unpackb(sock.recv_multipart()[0])
            if header["type"] in (C.TYPE_QUEUED, C.TYPE_ERROR):
                answered.add(header["id"])
        assert answered == set(range(1, 17))
    finally:
        sock.close(0)
        context.term()


def test_a_client_dropped_for_not_reading_gives_its_memory_back(fresh_host: object) -> None:
    """A client that sends echoes and reads none is dropped at its 512 MiB budget: the gateway frees the replies
    that waited for it at once (8 of 60 MiB: 480 MiB), and what libzmq had already taken for the connection when
    the connection ends (docs/PROTOCOL.md, "Clients that stop reading")."""
    import threading

    gateway = gateway_pid(fresh_host.process.pid)  # type: ignore[attr-defined]
    start = _memory(gateway, "VmRSS")
    samples: list[int] = []
    sampling = threading.Event()

    def sample() -> None:  # the peak is short on a loaded machine: watch it closely
        while not sampling.is_set():
            samples.append(_memory(gateway, "VmRSS"))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    context = zmq.Context()
    sock = context.socket(zmq.DEALER)
    frame = bytearray(60 * MIB)
    try:
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVHWM, 1)
        sock.setsockopt(zmq.RCVBUF, 4096)
        sock.connect(fresh_host.endpoint)  # type: ignore[attr-defined]
        for rid in range(1, 18):  # 8 queued in libzmq, 8 waiting (480 MiB), the 17th passes 512 MiB
            sock.send_multipart([pack({"v": 1, "type": C.TYPE_ECHO, "id": rid, "channels": 1,
                                       "frames": len(frame) // 4}), frame], copy=False)
            time.sleep(0.1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not samples or samples[-1] > max(samples) - 400 * MIB):
            time.sleep(0.05)
        sampling.set()
        sampler.join()
        peak = max(samples)
        assert peak - start >= 480 * MIB, f"never held the 8 waiting replies: {(peak - start) / MIB:.0f} MiB"
        assert samples[-1] <= peak - 400 * MIB, "the waiting replies were not freed when the client was dropped"
    finally:
        sampling.set()
        sock.close(0)
        context.term()
    deadline = time.monotonic() + 15
    while _memory(gateway, "VmRSS") - start > 64 * MIB and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _memory(gateway, "VmRSS") - start < 64 * MIB
