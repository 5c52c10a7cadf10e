"""Warm vs cold: the same primed job (a) sent to a running host with the model loaded, (b) the seed's way, a
fresh process that imports, loads the model, samples and exits. Prints both, the ratio and the load time alone.

    python bench/warm_vs_cold.py [--model tiny] [--runs 5] [--device auto]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from common import smallest, start_host, stop, table

from jukebox_host.clients.client import Client
from jukebox_host.clients.example import example_phrase

# The cold path, as one script: what `python jukebox/sample.py ...` did for every request.
COLD = """
import sys, time, threading
t0 = time.perf_counter()
import numpy as np, torch
from jukebox_host.engine.loading import load_model, pick_device, pick_dtype
from jukebox_host.engine import sampling
from jukebox_host.engine.plan import Plan
from jukebox_host.clients.example import example_phrase
t1 = time.perf_counter()
device = pick_device(sys.argv[2])
loaded = load_model(sys.argv[1], device, pick_dtype("auto", device))
t2 = time.perf_counter()
prompt = example_phrase(1.0)[0]
plan = Plan(mode="primed", total_samples=int(float(sys.argv[3]) * 44100), prompt_samples=len(prompt),
            levels=[0], temperature=0.98, hop_fraction=0.5, n_samples=1, seed=1, artist="unknown",
            genre="unknown", lyrics="", preview=False)
list(sampling.run(loaded, plan, prompt, lambda *a: None, threading.Event()))
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--length", type=float, default=2.0)
    parser.add_argument("--device", default="auto")
    # A smoke run takes the tiny model whatever --model names: the same path, no weights to fetch.
    args = smallest(parser.parse_args(), model="tiny", runs=1, length=1.5)
    prompt = example_phrase(1.0)
    endpoint = f"ipc://{tempfile.mkdtemp(prefix='bench-wc-')}/host.sock"
    host = start_host(endpoint, [args.model], args.device)
    warm = []
    try:
        with Client(endpoint, timeout=600) as client:
            client.generate(prompt, 44100, model=args.model, length=args.length, seed=1)  # first job warms up
            for run in range(args.runs):
                started = time.perf_counter()
                out, _ = client.generate(prompt, 44100, model=args.model, length=args.length, seed=run)
                warm.append(time.perf_counter() - started)
                assert np.isfinite(out).all()
    finally:
        stop(host)
    cold, imports, loads, samples = [], [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", COLD, args.model, args.device, str(args.length)],
                              capture_output=True, text=True)
        if done.returncode:  # its traceback, not only its exit status
            sys.exit(f"the cold path failed:\n{done.stderr[-3000:]}")
        cold.append(time.perf_counter() - started)
        i, lo, s = (float(x) for x in done.stdout.split())
        imports.append(i)
        loads.append(lo)
        samples.append(s)
    w, c = statistics.median(warm), statistics.median(cold)
    print(f"model {args.model}, {args.length:g} s primed from a 1 s prompt, top level, median of {args.runs}")
    print(table([
        ["warm: running host, model loaded", f"{w:.2f}", "1.0x"],
        ["cold: fresh process (seed's way)", f"{c:.2f}", f"{c / w:.1f}x slower"],
        ["  of which imports", f"{statistics.median(imports):.2f}", ""],
        ["  of which model load alone", f"{statistics.median(loads):.2f}", ""],
        ["  of which sampling", f"{statistics.median(samples):.2f}", ""],
    ], ["path", "seconds", "ratio"]))


if __name__ == "__main__":
    main()
