"""Another client's pings while one client's big prompt arrives and is read, against the same pings at rest, in
one run (issue 28: pings within 50 ms p99 while a 200 MiB prompt arrives). The pinger is a process of its own,
so the sender's copying does not count. Prints figures; asserts nothing.

    python bench/big_prompt.py [--mib 200] [--rounds 3] [--rest 3] [--window 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import cpu_line, smallest, start_host, stop, table

from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C

PINGER = """
import json, sys, time
from jukebox_host.clients.client import Client
end, out = time.time() + float(sys.argv[2]), []
with Client(sys.argv[1], timeout=10) as c:
    while time.time() < end:
        t = time.perf_counter(); c.ping(); out.append((time.time(), time.perf_counter() - t)); time.sleep(0.005)
json.dump(out, open(sys.argv[3], "w"))
"""


def percentiles(samples: list[float]) -> list[str]:
    if not samples:  # a small prompt can be read between two pings
        return ["-", "-", "-"]
    ordered = sorted(samples)
    pick = [ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], ordered[-1]]
    return [f"{v * 1000:.1f}" for v in pick]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=float, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rest", type=float, default=3.0, help="seconds of pings at rest before each prompt")
    parser.add_argument("--window", type=float, default=5.0, help="seconds the pinger goes on after that")
    args = smallest(parser.parse_args(), mib=4.0, rounds=1, rest=1.0, window=1.0)
    print(cpu_line())
    rate, channels = 384000, 2
    frames = int(args.mib * 2**20 / 4 / channels)
    audio = (np.random.default_rng(0).standard_normal((channels, frames)) * 0.1).astype(np.float32)
    pcm = [audio[c].tobytes() for c in range(channels)]
    folder = Path(tempfile.mkdtemp(prefix="bench-big-"))
    endpoint = f"ipc://{folder}/host.sock"
    host = start_host(endpoint, ["tiny"], device="cpu")
    rest: list[float] = []
    during: list[float] = []
    read: list[float] = []
    try:
        for _ in range(args.rounds):
            record = folder / "rtt.json"
            pinger = subprocess.Popen([sys.executable, "-c", PINGER, endpoint, str(args.rest + args.window),
                                       str(record)])
            time.sleep(args.rest)
            with Client(endpoint, timeout=60) as big:
                started = time.time()
                rid = big.send(C.TYPE_GENERATE, pcm, model="tiny", mode="primed", sample_rate=rate,
                               channels=channels, frames=frames, length=frames / rate + 1.0, levels=1, prompt=1.0)
                first = big.receive(60)
                answered = time.time()
                if first.type != C.TYPE_ERROR:
                    big.cancel(rid)
            pinger.wait(60)
            samples = json.loads(record.read_text())
            rest += [rtt for at, rtt in samples if at < started - 0.5]
            during += [rtt for at, rtt in samples if started <= at <= answered]
            read.append(answered - started)
    finally:
        stop(host)
    rows = [["at rest", str(len(rest)), *percentiles(rest)],
            [f"while a {args.mib:.0f} MiB prompt arrives and is read", str(len(during)), *percentiles(during)]]
    print(table(rows, ["another client's pings", "n", "p50 ms", "p99 ms", "max ms"]))
    if during and rest:
        ratio = sorted(during)[int(0.99 * len(during))] / sorted(rest)[int(0.99 * len(rest))]
        print(f"p99 while the prompt arrives: {ratio:.1f}x at rest")
    print(f"the big client's first answer (queued) after {np.median(read):.2f} s (median of {args.rounds})")


if __name__ == "__main__":
    main()
