"""The GPU benchmark's code path, run on the tiny config on CPU so it cannot rot while no GPU is lent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gpu_generation.py"


@pytest.mark.parametrize("path", [["--fastpath", "int8"], ["--step", "compiled"]])
def test_gpu_benchmark_runs_on_the_tiny_config_on_cpu(path: list[str]) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--models", "tiny", "--device", "cpu", "--tokens", "8",
                           "--seconds", "1.05", *path], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| tiny")]
    assert [r.split("|")[2].strip() for r in rows] == ["prior 0", "prior 1", "prior 2", "1.05 s continuation"]
    assert all(float(r.split("|")[4]) > 0 for r in rows[:3])
    if "compiled" in path:  # compiled at build, as the host compiles at load
        assert "per-token step compiled for batch 1" in done.stdout


def test_cpu_precision_benchmark_runs_its_documented_command_on_the_tiny_shape() -> None:
    """The command bench/RESULTS.md names (without and with --dispatch), on the tiny model's shape."""
    bench = BENCH.parent / "cpu_precision.py"
    for extra in ([], ["--dispatch"]):
        done = subprocess.run([sys.executable, str(bench), "--model", "tiny", "--tokens", "3", "--batches", "1",
                               "--only", "0", "3", *extra], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "CPU capability" in done.stdout
