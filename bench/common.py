"""Shared bits of the benchmarks: a host subprocess, statistics, table printing, the smoke mode the tests use."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_LEFTOVERS: dict[int, list[Path]] = {}  # a running host's log and socket folder, removed by stop()
SMOKE_ENV = "JBX_BENCH_SMOKE"


def smoke() -> bool:
    """A smoke run (JBX_BENCH_SMOKE=1): tests/test_bench_commands.py runs each documented command so, to see that
    it still runs end to end; its figures are printed as usual and mean nothing."""
    return os.environ.get(SMOKE_ENV) == "1"


def smallest(args: argparse.Namespace, **sizes: object) -> argparse.Namespace:
    """In a smoke run, `args` with these size options replaced by the smallest values that still take every code
    path of the benchmark (said on one line); otherwise `args` as parsed. Options that pick paths (--dispatch,
    --only, --levels) are never passed here."""
    if smoke():
        for name, value in sizes.items():
            if not hasattr(args, name):  # a misspelt option would otherwise smoke at full size unseen
                raise AttributeError(f"no option {name!r} to shrink")
            setattr(args, name, value)
        said = ", ".join(f"{name}={value}" for name, value in sizes.items()) or "sizes as given"
        print(f"smoke run ({SMOKE_ENV}=1): {said}; the figures mean nothing", flush=True)
    return args


def start_host(endpoint: str, models: list[str] | None = None, device: str = "auto",
               extra: list[str] | None = None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "jukebox_host", "serve", "--endpoint", endpoint, "--device", device, *(extra or [])]
    for model in models or []:
        args += ["--model", model]
    log = tempfile.NamedTemporaryFile(prefix="bench-host-", delete=False)
    process = subprocess.Popen(args, stderr=log, env=os.environ.copy())
    deadline = time.monotonic() + 300
    while "ready on" not in Path(log.name).read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(Path(log.name).read_text(errors="replace"))
        time.sleep(0.05)
    _LEFTOVERS[process.pid] = [Path(log.name)]
    return process


def job_parser(doc: str | None, seconds: float, levels: int) -> argparse.ArgumentParser:
    """The options of a benchmark that runs jobs through one host: --model, --seconds, --levels, --device."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--seconds", type=float, default=seconds)
    parser.add_argument("--levels", type=int, default=levels)
    parser.add_argument("--device", default="cpu")
    return parser


def host_for(args: argparse.Namespace, name: str,
             extra: list[str] | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """Starts a host for args.model on args.device at a private endpoint (extra: more serve options)."""
    folder = tempfile.mkdtemp(prefix=f"bench-{name}-")
    process = start_host(f"ipc://{folder}/host.sock", [args.model], device=args.device, extra=extra)
    _LEFTOVERS[process.pid].append(Path(folder))
    return f"ipc://{folder}/host.sock", process


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stops a host of start_host/host_for and removes its log and socket folder (kept when it would not stop)."""
    process.terminate()
    process.wait(30)
    for path in _LEFTOVERS.pop(process.pid, []):
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def summary(samples_s: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    ordered = sorted(samples_s)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def cpu_line() -> str:
    """What every CPU figure is printed with: the processor and what vector units torch uses on it."""
    import platform

    import torch

    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU: {name}, {os.cpu_count()} cores, torch CPU capability {torch.backends.cpu.get_cpu_capability()}"
