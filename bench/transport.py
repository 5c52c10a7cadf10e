"""Transport benchmark: protocol-level echo round trips (C core client and Python client; tcp and ipc) beside
the seed's file + OSC hand-off and the raw libzmq floor (a bare ROUTER echo process, no protocol, no gateway), in
one run. Prints medians, p95 and ratios; asserts nothing.

    python bench/transport.py [--runs 200]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from common import REPO, cpu_line, smallest, start_host, stop, summary, table
from pythonosc import dispatcher, osc_server, udp_client

from jukebox_host.clients.client import Client

RATE = 44100
C_BENCH = REPO / "build" / "bench" / "jbx_bench_echo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def python_echo(endpoint: str, audio: np.ndarray, runs: int) -> list[float]:
    times = []
    with Client(endpoint, timeout=30) as client:
        client.echo(audio)  # connect and warm up
        for _ in range(runs):
            started = time.perf_counter()
            back = client.echo(audio)
            times.append(time.perf_counter() - started)
        assert np.array_equal(back, audio)
    return times


def c_echo(endpoint: str, audio: np.ndarray, runs: int) -> list[float] | None:
    """The C core client (build/bench/jbx_bench_echo) with a signal of the same shape."""
    if not C_BENCH.exists():
        return None
    seconds = audio.shape[1] / RATE
    done = subprocess.run([str(C_BENCH), endpoint, str(seconds), str(audio.shape[0]), str(runs)],
                          capture_output=True, text=True, timeout=600, check=True)
    return [float(line) for line in done.stdout.split()]


def raw_libzmq(endpoint: str, audio: np.ndarray, runs: int) -> list[float]:
    """The same frames (a small header and one frame per channel) through a bare ROUTER echo process."""
    import zmq

    peer = subprocess.Popen([sys.executable, str(Path(__file__).with_name("raw_echo_peer.py")), endpoint],
                            stdout=subprocess.PIPE, text=True)
    assert peer.stdout is not None and peer.stdout.readline().strip() == "ready"
    context = zmq.Context()
    dealer = context.socket(zmq.DEALER)
    dealer.connect(endpoint)
    frames = [b"h" * 40, *[np.ascontiguousarray(channel).tobytes() for channel in audio]]
    times = []
    try:
        for index in range(runs + 1):
            started = time.perf_counter()
            dealer.send_multipart(frames, copy=False)
            back = dealer.recv_multipart(copy=False)
            if index:
                times.append(time.perf_counter() - started)
        assert bytes(back[1].buffer) == frames[1]
        dealer.send_multipart([b"quit"])
        peer.wait(10)
    finally:
        if peer.poll() is None:
            peer.kill()
        dealer.close(0)
        context.term()
    return times


def file_osc(audio: np.ndarray, runs: int) -> list[float]:
    """The seed's way: AIFF file + OSC /RecReady, the peer reads, writes a result AIFF, answers /SaveReady."""
    listen, reply = _free_port(), _free_port()
    peer = subprocess.Popen([sys.executable, str(Path(__file__).with_name("osc_peer.py")), str(listen), str(reply)],
                            stdout=subprocess.PIPE, text=True)
    assert peer.stdout is not None and peer.stdout.readline().strip() == "ready"
    got: list[str] = []
    routes = dispatcher.Dispatcher()
    routes.map("/SaveReady", lambda _a, path: got.append(path))
    server = osc_server.BlockingOSCUDPServer(("127.0.0.1", reply), routes)
    server.timeout = 10
    sender = udp_client.SimpleUDPClient("127.0.0.1", listen)
    folder = Path(tempfile.mkdtemp(prefix="bench-osc-"))
    times = []
    try:
        for index in range(runs + 1):
            started = time.perf_counter()
            rec, res = folder / "rec.aiff", folder / "result.aiff"
            sf.write(rec, audio.T, RATE, format="AIFF", subtype="FLOAT")
            sender.send_message("/RecReady", [str(rec), str(res)])
            got.clear()
            while not got:
                server.handle_request()
            back, _ = sf.read(got[0], dtype="float32", always_2d=True)
            if index:  # the first round trip warms the page cache and the peer
                times.append(time.perf_counter() - started)
        assert np.array_equal(back.T, audio)
    finally:
        sender.send_message("/quit", [])
        peer.wait(10)
        server.server_close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds", type=float, nargs="*", default=[1.0, 10.0, 60.0])
    args = smallest(parser.parse_args(), runs=2, seconds=[0.5])
    folder = tempfile.mkdtemp(prefix="bench-ep-")
    endpoints = {"tcp": f"tcp://127.0.0.1:{_free_port()}", "ipc": f"ipc://{folder}/host.sock"}
    raw_endpoints = {"tcp": f"tcp://127.0.0.1:{_free_port()}", "ipc": f"ipc://{folder}/raw.sock"}
    hosts = {name: start_host(ep, device="cpu") for name, ep in endpoints.items()}
    rows = []
    try:
        for seconds in args.seconds:
            runs = args.runs if seconds <= 10 else max(20, args.runs // 5)
            audio = np.random.default_rng(0).uniform(-1, 1, (2, int(seconds * RATE))).astype(np.float32)
            osc_med, osc_p95 = summary(file_osc(audio, runs))
            rows.append([f"{seconds:g} s stereo", "file + OSC (seed)", "udp+aiff", f"{osc_med:.2f}", f"{osc_p95:.2f}",
                         "1.0x", ""])
            for name, endpoint in endpoints.items():
                raw_med, raw_p95 = summary(raw_libzmq(raw_endpoints[name], audio, runs))
                rows.append([f"{seconds:g} s stereo", "raw libzmq echo", name, f"{raw_med:.2f}", f"{raw_p95:.2f}",
                             f"{osc_med / raw_med:.1f}x faster", "1.00x"])
                for client_name, measure in (("C core", c_echo),
                                             ("Python", python_echo)):
                    times = measure(endpoint, audio, runs)
                    if times is None:
                        rows.append([f"{seconds:g} s stereo", f"{client_name} echo", name, "not built", "", "", ""])
                        continue
                    med, p95 = summary(times)
                    rows.append([f"{seconds:g} s stereo", f"{client_name} echo", name, f"{med:.2f}", f"{p95:.2f}",
                                 f"{osc_med / med:.1f}x faster", f"{med / raw_med:.2f}x"])
    finally:
        for process in hosts.values():
            stop(process)
    print(cpu_line())
    print(table(rows, ["payload", "path", "transport", "median ms", "p95 ms", "vs file+OSC", "vs raw libzmq"]))


if __name__ == "__main__":
    main()
