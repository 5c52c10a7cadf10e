"""What hostile and careless clients cost the host (issue 12's figures), in one run: peak memory of the host process
and of its gateway under each memory attack, another client's latency while 3 clients never read, and how long
the Python client takes to report a job lost to a host restart. Prints figures; asserts nothing.

    python bench/attacks.py [--scale 1]
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import msgpack
import numpy as np
import zmq
from common import cpu_line, smallest, start_host, stop, table

from jukebox_host.clients.client import Client, JobLost
from jukebox_host.wire import constants as C

PING = msgpack.packb({"v": 1, "type": "ping", "id": 1})


def peak_mib(pid: int) -> float:
    """VmHWM: the process's peak resident memory so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS: each row shows its own attack's peak


def gateway_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])


def dealer(context: zmq.Context, endpoint: str) -> zmq.Socket:
    sock = context.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVHWM, 1)
    sock.connect(endpoint)
    return sock


def slowest_ping_while(endpoint: str, busy: threading.Thread) -> float:
    slowest = 0.0
    with Client(endpoint, timeout=60) as c:
        while busy.is_alive():
            slowest = max(slowest, c.ping())
            time.sleep(0.05)
    return slowest


def scaled(size: float, scale: float) -> int:
    """An attack's size (a count, MiB) at `scale` of the figures in RESULTS 7b, at least 1."""
    return max(1, round(size * scale))


def non_readers(context: zmq.Context, endpoint: str, scale: float) -> list[str]:
    silent = [dealer(context, endpoint) for _ in range(3)]
    for sock in silent:
        for _ in range(scaled(3000, scale)):
            sock.send(PING)
    with Client(endpoint, timeout=60) as other:
        pings = [other.ping() for _ in range(20)]
        started = time.monotonic()
        other.generate(None, None, model="tiny", mode="ancestral", length=1.0, seed=1)
        job = time.monotonic() - started
    for sock in silent:
        sock.close(0)
    return [f"max ping {max(pings) * 1000:.1f} ms, a 1 s tiny job {job:.2f} s"]


def many_frames(context: zmq.Context, endpoint: str, scale: float) -> list[str]:
    sock = dealer(context, endpoint)
    header = msgpack.packb({"v": 1, "type": "echo", "id": 5, "channels": 1, "frames": 0})
    started = time.monotonic()
    sender = threading.Thread(target=lambda: sock.send_multipart([header, *[b""] * scaled(1_000_000, scale)]))
    sender.start()
    sender.join()
    answered = sock.poll(120_000)
    took = time.monotonic() - started
    sock.close(0)
    return [f"refused after {took:.1f} s" if answered else "no answer in 120 s"]


def oversized(frames: int, mib: int) -> object:
    """One `generate` of `frames` PCM frames of `mib` MiB each: more than MAX_MESSAGE_BYTES in all."""
    def attack(context: zmq.Context, endpoint: str, scale: float) -> list[str]:
        sock = dealer(context, endpoint)
        monitor = sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        frame = bytearray(scaled(mib, scale) * 2**20)
        header = msgpack.packb({"v": 1, "type": "generate", "id": 8, "model": "tiny", "mode": "upsample",
                                "channels": frames, "frames": len(frame) // 4, "sample_rate": 44100})
        started = time.monotonic()
        sock.send_multipart([header, *[frame] * frames], copy=False)
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(monitor, zmq.POLLIN)
        ready = dict(poller.poll(120_000))
        took = time.monotonic() - started
        if sock in ready:
            outcome = f"answered {msgpack.unpackb(sock.recv_multipart()[0]).get('code')} after {took:.1f} s"
        else:
            outcome = f"connection dropped after {took:.1f} s" if monitor in ready else "nothing in 120 s"
        sock.disable_monitor()
        monitor.close(0)
        sock.close(0)
        return [outcome]
    return attack


def unread_echoes(context: zmq.Context, endpoint: str, scale: float) -> list[str]:
    sock = dealer(context, endpoint)
    pcm = bytes(8 * 2**20)
    header = msgpack.packb({"v": 1, "type": "echo", "id": 6, "channels": 1, "frames": len(pcm) // 4})
    count = scaled(150, scale)
    for _ in range(count):
        sock.send_multipart([header, pcm])
    time.sleep(max(0.5, 5 * scale))  # while the replies pile up
    sock.close(0)
    return [f"{count} × 8 MiB echoes never read"]


def queued_audio(context: zmq.Context, endpoint: str, scale: float) -> list[str]:
    mib = scaled(100, scale)
    audio = np.zeros(int(mib * 2**20 / 4), dtype="<f4").tobytes()  # 100 MiB per job at scale 1
    counts = {"queued": 0, "queue_full": 0}
    socks = [dealer(context, endpoint) for _ in range(3)]
    for index, sock in enumerate(socks):
        sock.setsockopt(zmq.RCVHWM, 1000)
        for job in range(16):
            sock.send_multipart([msgpack.packb({"v": 1, "type": "generate", "id": job + 1, "model": "tiny",
                                                "mode": "upsample", "channels": 1, "frames": len(audio) // 4,
                                                "sample_rate": 384000, "length": 1.0, "seed": index}), audio])
    for sock in socks:
        deadline = time.monotonic() + 60
        seen = 0
        while seen < 16 and sock.poll(max(1, int((deadline - time.monotonic()) * 1000))):
            header = msgpack.unpackb(sock.recv_multipart()[0])
            if header["type"] == C.TYPE_QUEUED:
                counts["queued"] += 1
                seen += 1
            elif header["type"] == C.TYPE_ERROR and header["code"] == C.ERR_QUEUE_FULL:
                counts["queue_full"] += 1
                seen += 1
    for sock in socks:
        sock.close(0)
    return [f"3 clients × 16 jobs × {mib} MiB: {counts['queued']} queued, {counts['queue_full']} queue_full"]


def lost_job(endpoint: str) -> list[str]:
    host = start_host(endpoint, ["tiny"], device="cpu")
    outcome: list[str] = []
    with Client(endpoint, timeout=120) as c:
        def run() -> None:
            try:
                c.generate(None, None, model="tiny", mode="ancestral", length=300.0, song_length=300.0, seed=1)
                outcome.append("finished")
            except JobLost:
                outcome.append(f"JobLost {time.monotonic() - restarted[0]:.1f} s after the new host was up")
        restarted = [0.0]
        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(3)
        host.send_signal(signal.SIGKILL)
        host.wait()
        new = start_host(endpoint, ["tiny"], device="cpu")
        restarted[0] = time.monotonic()
        worker.join(120)
    stop(new)
    return outcome or ["no answer in 120 s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="each attack's size (counts, MiB) against the figures in bench/RESULTS.md 7b")
    args = smallest(parser.parse_args(), scale=0.01)  # no limit is reached then: each attack's code still runs
    scale = args.scale
    print(cpu_line())
    folder = tempfile.mkdtemp(prefix="bench-attacks-")
    endpoint = f"ipc://{folder}/host.sock"
    host = start_host(endpoint, ["tiny"], device="cpu")
    gateway = gateway_of(host.pid)
    context = zmq.Context()
    rows = [["at start", "", f"{peak_mib(host.pid):.0f}", f"{peak_mib(gateway):.0f}"]]
    try:
        for name, attack in (("3 clients never read", non_readers),
                             (f"one message of {scaled(1_000_000, scale) / 1e6:g} M empty frames", many_frames),
                             (f"3 × {scaled(100, scale)} MiB frames in one message", oversized(3, 100)),
                             (f"12 × {scaled(200, scale)} MiB frames in one message", oversized(12, 200)),
                             ("unread replies", unread_echoes), ("queued audio", queued_audio)):
            reset_peak(host.pid)
            reset_peak(gateway)
            result: list[str] = []
            busy = threading.Thread(target=lambda a=attack, r=result: r.extend(a(context, endpoint, scale)))
            busy.start()
            slowest = slowest_ping_while(endpoint, busy)
            busy.join()
            now_gateway = gateway_of(host.pid)
            replaced = " (gateway replaced)" if now_gateway != gateway else ""
            rows.append([name, f"{'; '.join(result)}; another client's slowest ping {slowest * 1000:.0f} ms"
                         f"{replaced}", f"{peak_mib(host.pid):.0f}", f"{peak_mib(now_gateway):.0f}"])
            gateway = now_gateway
    finally:
        context.term()
        stop(host)
    print(table(rows, ["attack", "what happened", "host peak MiB", "gateway peak MiB"]))
    print("peak MiB is VmHWM, reset before each attack (a replaced gateway's: since it started); the gateway's "
          "ceiling is serve --gateway-memory's default, 2048 MiB above its size at start")
    print(f"lost job (host SIGKILLed mid-job, restarted): {'; '.join(lost_job(f'ipc://{folder}/lost.sock'))}")


if __name__ == "__main__":
    sys.exit(main())
