"""A soak: a bounded mix of clients and mishaps against one host on loopback (CURVE on) for N minutes, then what
held (issue 28). Python clients run jobs (primed, ancestral, cancelled mid-way, chains of new_only links,
reconnects mid-job with the same routing id), pings and status questions; the real C core runs the same beside
them (build/bench/jbx_soak_client). Meanwhile, in turn: hostile frames, clients that never read, the gateway
killed, a client's key removed while its job runs, one big prompt, the host killed and started again at once
(each at least once, however slow the machine: the first round's pauses shrink to fit the run).

Every request must end exactly once: answered by the host, or said by the client (timeout, lost after a
restart). Prints, per client kind, requests sent / answered once by the host / ended by the client / answered
twice / unanswered; each mishap's outcome; peak memory of host and gateway against their bounds; another
client's ping latency percentiles. Exit status 1 when a request was unanswered or answered twice.

    python bench/soak.py [--minutes 5] [--chaos-every 15] [--big-mib 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack
import numpy as np
import zmq
from common import REPO, cpu_line, smallest, start_host, table

from jukebox_host.clients.client import Client, HostUnavailable, JobLost, RemoteError, Reply
from jukebox_host.wire import constants as C
from jukebox_host.wire.protocol import pack
from jukebox_host.wire.routing_ids import new_routing_id
from jukebox_host.wire.security import apply_client_curve, generate_keys

MIB = 2**20
GATEWAY_CEILING_MIB = 2048  # serve --gateway-memory's default
HOST_BOUND_MIB = 2 * 256 + 1024 + 256  # in flight from clients, queued audio, kept codes (PROTOCOL "Memory budget")
CALM_AFTER_S = 10.0  # pings this long after a kill or restart are counted apart
LOST_WITHIN_S = 60.0  # a job reported lost this long after a kill was lost with what was killed


@dataclass
class Tally:
    sent: int = 0
    once: int = 0  # ended by exactly one message from the host
    by_client: int = 0  # ended by the client's own error (timeout, lost), nothing from the host
    twice: int = 0
    never: int = 0
    codes: Counter[str] = field(default_factory=Counter)

    def row(self, name: str) -> list[str]:
        codes = ", ".join(f"{k} {v}" for k, v in sorted(self.codes.items())) or "-"
        return [name, str(self.sent), str(self.once), str(self.by_client), str(self.twice), str(self.never), codes]


class CountingClient(Client):
    """A Client that counts, per request id, the host's messages that end a request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.endings: Counter[int] = Counter()

    def receive(self, timeout: float | None = None) -> Reply:
        reply = super().receive(timeout)
        if reply.ends_job or reply.type in (C.TYPE_PONG, C.TYPE_STATUS):
            self.endings[int(reply.header.get("id", 0))] += 1
        return reply


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="bench-soak-"))
        self.allow = self.folder / "allow"
        self.allow.mkdir()
        self.host_public, self.host_secret = generate_keys(self.folder / "host", "host")
        self.keys: dict[str, tuple[str, str]] = {}
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.endpoint = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
        self.end = 0.0
        self.lock = threading.Lock()
        self.jobs, self.requests = Tally(), Tally()
        self.mishaps: list[str] = []
        self.kills: list[tuple[float, str]] = []  # (time.time(), "host" or "gateway") of each kill
        self.lost: Counter[str] = Counter()  # jobs reported lost: after which kill, or "no kill" (a fault)
        self.pings: list[tuple[float, float]] = []
        self.ping_failures = 0
        self.peaks = {"host": 0, "gateway": 0}
        self.starts = {"host": 0, "gateway": 0}
        self.host: subprocess.Popen[bytes] | None = None

    def key(self, name: str) -> tuple[str, str]:
        """A client's (host public key, client secret key) files; its public key in the allow list."""
        if name not in self.keys:
            public, secret = generate_keys(self.folder / "clients", name)
            shutil.copy(public, self.allow / public.name)
            self.keys[name] = (str(self.host_public), str(secret))
        return self.keys[name]

    def client(self, name: str, timeout: float = 10.0) -> CountingClient:
        server, secret = self.key(name)
        return CountingClient(self.endpoint, timeout=timeout, server_key=server, client_key=secret)

    # ---- the host ------------------------------------------------------------------------------------------

    def start_host(self) -> None:
        self.host = start_host(self.endpoint, ["tiny"], device="cpu",
                               extra=["--curve-secret", str(self.host_secret), "--curve-allow", str(self.allow)])

    def gateway(self) -> int | None:
        assert self.host is not None
        try:
            children = Path(f"/proc/{self.host.pid}/task/{self.host.pid}/children").read_text().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def watch_memory(self) -> None:
        while time.monotonic() < self.end + 5:
            for name, pid in (("host", self.host.pid if self.host else None), ("gateway", self.gateway())):
                rss = _rss(pid)
                if rss:
                    self.starts[name] = self.starts[name] or rss
                    self.peaks[name] = max(self.peaks[name], rss)
            time.sleep(0.2)

    # ---- clients -------------------------------------------------------------------------------------------

    def settle(self, client: CountingClient, rid: int, tally: Tally, error: BaseException | None,
               op: str = "") -> None:
        """Counts how request rid ended: a message from the host, the client's own error, or nothing."""
        if error is not None:
            what = error.code if isinstance(error, RemoteError) else type(error).__name__
            tally.codes[f"{what} ({op})" if op else what] += 1
        with self.lock:
            tally.sent += 1
            got = client.endings[rid]
            if got == 1:
                tally.once += 1
            elif got > 1:
                tally.twice += 1
            elif isinstance(error, HostUnavailable | JobLost):
                tally.by_client += 1
                if isinstance(error, JobLost):
                    self.lost[self.kill_before(time.time(), LOST_WITHIN_S) or "no kill"] += 1
            else:
                tally.never += 1

    def kill_before(self, moment: float, seconds: float) -> str | None:
        """The kind of the last kill within `seconds` before `moment` (time.time()), if any."""
        kinds = [kind for when, kind in self.kills if 0 <= moment - when < seconds]
        return kinds[-1] if kinds else None

    def python_client(self, index: int) -> None:
        rng = random.Random(index)
        client = self.client(f"python{index}")
        tone = (np.sin(np.arange(22050) / 44100 * 2 * np.pi * 330) * 0.5).astype(np.float32)[None]
        try:
            while time.monotonic() < self.end:
                op = rng.choice(["job", "job", "ancestral", "cancel", "chain", "reconnect", "ping", "status"])
                if op in ("ping", "status"):
                    rid, error = client.send(getattr(C, f"TYPE_{op.upper()}")), None
                    try:
                        while client.endings[rid] == 0:
                            client.receive()
                    except HostUnavailable as exc:
                        error = exc
                    self.settle(client, rid, self.requests, error, op)
                    continue
                params: dict[str, Any] = {"length": 1.0, "seed": rng.randrange(2**32)}
                pcm: list[bytes] = []
                if op == "ancestral" or op == "chain":
                    params["mode"] = C.MODE_ANCESTRAL
                else:
                    pcm = [tone[0].tobytes()]
                    params.update(channels=1, frames=tone.shape[1], sample_rate=44100)
                rid = client.send(C.TYPE_GENERATE, pcm, **params)
                error = None
                try:
                    if op == "cancel":
                        time.sleep(rng.uniform(0.05, 0.6))
                        client.cancel(rid, wait=40)
                    elif op == "reconnect":
                        time.sleep(rng.uniform(0.05, 0.6))
                        while client.socket.poll(0):  # what came is read first, as a client reading all along
                            client.receive(0)
                        client.reconnect()
                    if client.endings[rid] == 0:
                        client._follow(rid, 120, None, None)
                except (RemoteError, HostUnavailable, JobLost) as exc:
                    error = exc
                self.settle(client, rid, self.jobs, error, op)
                if op == "chain" and error is None:
                    for _ in range(2):
                        link_error: BaseException | None = None
                        link = client.send(C.TYPE_GENERATE, mode=C.MODE_CONTINUE, new_only=True, length=1.0)
                        try:
                            client._follow(link, 120, None, None)
                        except (RemoteError, HostUnavailable, JobLost) as exc:
                            link_error = exc
                        self.settle(client, link, self.jobs, link_error, "chain link")
            self.drain(client)
        finally:
            client.close()

    def drain(self, client: CountingClient) -> None:
        """Late second endings still on their way are counted too."""
        try:
            while True:
                client.receive(1.0)
        except HostUnavailable:
            pass
        with self.lock:
            late = sum(1 for count in client.endings.values() if count > 1)
            self.jobs.codes["(late duplicates)"] += late

    def pinger(self) -> None:
        client = self.client("pinger", timeout=5.0)
        try:
            while time.monotonic() < self.end:
                started = time.perf_counter()
                try:
                    client.ping()
                    self.pings.append((time.time(), time.perf_counter() - started))
                except HostUnavailable:
                    self.ping_failures += 1
                time.sleep(0.02)
        finally:
            client.close()

    # ---- mishaps -------------------------------------------------------------------------------------------

    def hostile_frames(self) -> str:
        sock = self.raw_socket("hostile")
        rng = random.Random(7)
        garbage = [[rng.randbytes(rng.randrange(1, 200))] for _ in range(50)]
        garbage += [[pack({"v": 1, "type": "generate", "id": 1, "channels": 8, "frames": 2**40})],
                    [pack({"v": 2, "type": "ping", "id": 2})], [pack({"v": 1, "type": "bye", "id": 3})],
                    [msgpack.packb([1, 2, 3])], [pack({"v": 1, "type": "ping", "id": -1})],
                    [pack({"v": 1, "type": "echo", "id": 4, "channels": 1, "frames": 3}), b"\0" * 5]]
        for parts in garbage:
            sock.send_multipart(parts)
        replies = 0
        while sock.poll(2000):
            sock.recv_multipart()
            replies += 1
        sock.close(0)
        return f"hostile frames: {len(garbage)} sent, {replies} errors back, host alive: {self.host_alive()}"

    def silent_client(self) -> str:
        sock = self.raw_socket("silent", rcvhwm=1)
        for rid in range(1, 1001):
            sock.send(pack({"v": 1, "type": "ping", "id": rid}))
        for rid in range(1001, 1021):
            frame = b"\0" * (4 * MIB)
            sock.send_multipart([pack({"v": 1, "type": "echo", "id": rid, "channels": 1, "frames": MIB}), frame])
        threading.Timer(self.args.chaos_every, sock.close, [0]).start()
        return "a client that never reads: 1000 pings and 20 echoes of 4 MiB, closed a round later"

    def kill_gateway(self) -> str:
        pid = self.gateway()
        if pid is None:
            return "gateway kill: no gateway found"
        os.kill(pid, signal.SIGKILL)
        self.kills.append((time.time(), "gateway"))
        return f"gateway {pid} killed"

    def restart_host(self) -> str:
        assert self.host is not None
        gateway = self.gateway()
        self.host.kill()
        if gateway:
            os.kill(gateway, signal.SIGKILL)
        self.host.wait(10)
        self.kills.append((time.time(), "host"))
        started = time.monotonic()
        self.start_host()
        return f"host killed and started again at once: ready in {time.monotonic() - started:.1f} s"

    def remove_a_key(self) -> str:
        name = f"doomed{len(self.mishaps)}"
        self.key(name)
        time.sleep(2)  # the host rereads its allow list every second: connect once the key is in
        client = self.client(name)
        public = self.allow / f"{name}.key"
        try:
            rid = client.send(C.TYPE_GENERATE, mode=C.MODE_ANCESTRAL, length=60.0, levels=3, seed=1)
            while client.receive(30).type != C.TYPE_QUEUED:
                pass
            public.unlink()
            removed = time.monotonic()
            error: BaseException | None = None
            try:
                client._follow(rid, 60, None, None)
            except (RemoteError, HostUnavailable, JobLost) as exc:
                error = exc
            self.settle(client, rid, self.jobs, error)
            said = error.code if isinstance(error, RemoteError) else repr(error)
            return f"key removed mid-job: the job ended with {said} after {time.monotonic() - removed:.1f} s"
        except HostUnavailable as exc:
            return f"key removal: the job was not queued ({exc})"
        finally:
            client.close()

    def big_prompt(self) -> str:
        rate, channels = 384000, 2
        frames = int(self.args.big_mib * MIB / 4 / channels)
        audio = (np.random.default_rng(0).standard_normal((channels, frames)) * 0.1).astype(np.float32)
        client = self.client("big", timeout=60)
        started = time.monotonic()
        error: BaseException | None = None
        rid = client.send(C.TYPE_GENERATE, [audio[c].tobytes() for c in range(channels)], channels=channels,
                          frames=frames, sample_rate=rate, prompt=1.0, length=2.0)
        del audio
        try:
            client._follow(rid, 300, None, None)
        except (RemoteError, HostUnavailable, JobLost) as exc:
            error = exc
        self.settle(client, rid, self.jobs, error)
        client.close()
        took = time.monotonic() - started
        return f"big prompt ({self.args.big_mib:.0f} MiB): ended in {took:.1f} s ({error or 'result'})"

    def raw_socket(self, name: str, rcvhwm: int = 1000) -> zmq.Socket:
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVHWM, rcvhwm)
        sock.setsockopt(zmq.ROUTING_ID, new_routing_id())
        apply_client_curve(sock, *self.key(name))
        sock.connect(self.endpoint)
        return sock

    def host_alive(self) -> bool:
        return self.host is not None and self.host.poll() is None

    def chaos(self) -> None:
        turns = [self.hostile_frames, self.silent_client, self.kill_gateway, self.remove_a_key, self.big_prompt,
                 self.restart_host]
        for index in range(10**6):
            left = self.end - time.monotonic()
            first_round = index < len(turns)
            if not first_round and left <= self.args.chaos_every:
                return
            turn = turns[index % len(turns)]
            if turn == self.big_prompt and not first_round:
                continue  # once is enough
            # Every mishap comes at least once, however slow the machine: the first round's pauses shrink to fit
            # what is left of the run (a loaded machine makes the mishaps themselves take longer).
            pause = self.args.chaos_every
            if first_round:
                pause = min(pause, max(0.5, (left - 2.0) / (len(turns) - index)))
            time.sleep(pause)
            self.mishaps.append(f"{time.monotonic() - self.begun:6.1f} s  {turn()}")
            print(self.mishaps[-1], flush=True)

    # ---- the run -------------------------------------------------------------------------------------------

    def run(self) -> int:
        print(cpu_line())
        first = ["c", "pinger", "hostile", "silent", "big", *(f"python{i}" for i in range(self.args.python_clients))]
        for name in first:
            self.key(name)  # in the allow list from the start (a mishap's client is added while the host runs)
        self.start_host()
        seconds = self.args.minutes * 60
        self.begun = time.monotonic()
        self.end = self.begun + seconds
        server, secret = self.key("c")
        c_client = subprocess.Popen([str(self.args.c_client), self.endpoint, str(seconds), server, secret, "1"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        threads = [threading.Thread(target=self.python_client, args=(i,)) for i in range(self.args.python_clients)]
        threads += [threading.Thread(target=t) for t in (self.pinger, self.watch_memory, self.chaos)]
        for thread in threads:
            thread.start()
        out, said = c_client.communicate(timeout=seconds + 600)
        for line in said.splitlines():  # "jbx_soak_client: lost at <time>": a job the host no longer had
            if line.startswith("jbx_soak_client: lost at "):
                self.lost[self.kill_before(float(line.split()[-1]), LOST_WITHIN_S) or "no kill"] += 1
            else:
                print(line, file=sys.stderr)
        for thread in threads:
            thread.join()
        assert self.host is not None
        self.host.terminate()
        self.host.wait(30)
        shutil.rmtree(self.folder, ignore_errors=True)
        return self.report(json.loads(out.strip().splitlines()[-1]))

    def report(self, c: dict[str, Any]) -> int:
        print(f"\n{self.args.minutes:g} min on {self.endpoint}, {self.args.python_clients} Python clients, "
              f"1 C client, a mishap every {self.args.chaos_every:g} s")
        rows = [self.jobs.row("Python jobs"), self.requests.row("Python pings, status")]
        for kind, name in (("jobs", "C jobs"), ("pings", "C pings"), ("statuses", "C status")):
            t = c[kind]
            rows.append([name, str(t["sent"] + t["refused"]), str(t["once"]), "-", str(t["twice"]), str(t["never"]),
                         f"not sent {t['refused']}" if t["refused"] else "-"])
        print(table(rows, ["requests", "sent", "ended once", "ended by client", "twice", "unanswered", "errors"]))
        print(f"C client: host lost {c['host_lost']}, back {c['host_back']}; its errors: {c['errors']}")
        print("jobs reported lost (the host no longer had them), by the kill before them: "
              + (", ".join(f"{kind} {n}" for kind, n in sorted(self.lost.items())) or "none"))
        calm = sorted(rtt for t, rtt in self.pings if self.kill_before(t, CALM_AFTER_S) is None)
        every = sorted(rtt for _, rtt in self.pings)
        print(table([[name, str(len(s)), *(_ms(s, q) for q in (0.5, 0.99, 1.0))]
                     for name, s in (("all", every), (f"not within {CALM_AFTER_S:.0f} s of a kill", calm))],
                    ["another client's pings", "n", "p50 ms", "p99 ms", "max ms"]))
        print(f"pings unanswered within 5 s (the host down): {self.ping_failures}")
        print(table([[name, f"{self.starts[name] / MIB:.0f}", f"{self.peaks[name] / MIB:.0f}",
                      f"{(self.peaks[name] - self.starts[name]) / MIB:.0f}", f"{bound}"]
                     for name, bound in (("host", HOST_BOUND_MIB), ("gateway", GATEWAY_CEILING_MIB))],
                    ["process", "RSS at start MiB", "peak MiB", "grown MiB", "bound on growth MiB"]))
        bad = self.jobs.twice + self.jobs.never + self.requests.twice + self.requests.never
        bad += sum(c[k]["twice"] + c[k]["never"] for k in ("jobs", "pings", "statuses")) + self.lost["no kill"]
        print(f"unanswered, answered twice, or lost with no kill before: {bad}")
        return 1 if bad else 0


def _rss(pid: int | None) -> int:
    if pid is None:
        return 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _ms(samples: list[float], q: float) -> str:
    if not samples:
        return "-"
    return f"{samples[min(len(samples) - 1, int(q * len(samples)))] * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--chaos-every", type=float, default=15.0, help="seconds between mishaps")
    parser.add_argument("--python-clients", type=int, default=2)
    parser.add_argument("--big-mib", type=float, default=200.0)
    parser.add_argument("--c-client", type=Path,  # where the tests look for it too (JBX_BUILD_DIR)
                        default=Path(os.environ.get("JBX_BUILD_DIR", REPO / "build")) / "bench" / "jbx_soak_client")
    # Still every mishap once (the first round's pauses shrink to fit) and the soak's own verdict.
    args = smallest(parser.parse_args(), minutes=0.3, chaos_every=3.0, python_clients=1, big_mib=8.0)
    sys.exit(Soak(args).run())


if __name__ == "__main__":
    main()
