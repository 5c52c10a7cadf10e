"""Every benchmark command that bench/RESULTS.md (or README.md) documents still runs: each is run as written, in
smoke mode (JBX_BENCH_SMOKE=1: bench/common.py's `smallest` shrinks its sizes), and must exit 0 and print its
tables. Timings are never checked. Every benchmark in bench/ must have a documented command."""

from __future__ import annotations

import ast
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
DOCS = [BENCH / "RESULTS.md", REPO / "README.md"]
NOT_BENCHMARKS = {"common.py", "osc_peer.py", "raw_echo_peer.py"}  # shared code; peers transport.py starts
SOAK_CLIENT = Path(os.environ.get("JBX_BUILD_DIR", REPO / "build")) / "bench" / "jbx_soak_client"
TIMEOUT_S = 300


def documented() -> list[str]:
    """The backticked `python bench/NAME.py ...` commands of the docs, in order, each once."""
    found = [m for doc in DOCS for m in re.findall(r"`(python bench/\w+\.py[^`]*)`", doc.read_text())]
    return list(dict.fromkeys(" ".join(c.split()) for c in found))


def size_options(script: str) -> set[str]:
    """The options the script's smoke mode replaces (the keywords of its `smallest(...)` calls), as --names."""
    tree = ast.parse((BENCH / script).read_text())
    return {"--" + k.arg.replace("_", "-") for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "smallest"
            for k in node.keywords if k.arg}


def options(command: str) -> tuple[str, dict[str, frozenset[str]]]:
    """(script, {option: its values}) with the size options left out: a smoke run replaces them anyway."""
    words = shlex.split(command)[1:]
    script, parsed, current = Path(words[0]).name, {}, None
    for word in words[1:]:
        if word.startswith("--"):
            current = word
            parsed[current] = frozenset()
        elif current is not None:
            parsed[current] = parsed[current] | {word}
    sizes = size_options(script)
    return script, {k: v for k, v in parsed.items() if k not in sizes}


def covers(wide: tuple[str, dict[str, frozenset[str]]], narrow: tuple[str, dict[str, frozenset[str]]]) -> bool:
    """Whether the smoke run of `wide` takes every path of `narrow`'s: the same script and the same options
    (a flag such as --dispatch changes paths both ways), each with at least narrow's values (--only 0 3 7)."""
    return wide[0] == narrow[0] and wide[1].keys() == narrow[1].keys() and all(
        wide[1][k] >= v for k, v in narrow[1].items())


def distinct(commands: list[str]) -> list[str]:
    """The commands whose paths no other (earlier, if equal) command's run takes."""
    parsed = [options(c) for c in commands]
    return [c for i, c in enumerate(commands)
            if not any(j != i and covers(parsed[j], parsed[i]) and (j < i or not covers(parsed[i], parsed[j]))
                       for j in range(len(commands)))]


def run(command: list[str]) -> tuple[int, str]:
    """Runs a benchmark in its own process group, so that a timeout also ends the hosts it started."""
    env = dict(os.environ, JBX_BENCH_SMOKE="1",
               OMP_NUM_THREADS="1")  # tiny models gain nothing from 2 threads; on a loaded machine they spin
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        pytest.fail(f"{' '.join(command)} ran past {TIMEOUT_S} s:\n{out[-3000:]}")
    return process.returncode, out


def skip_unless_runnable(script: str) -> None:
    if script == "gpu_generation.py":
        import torch

        if not torch.cuda.is_available():
            pytest.skip("needs CUDA (without it the script says so and measures nothing)")
    elif script == "pool.py":
        pytest.importorskip("ray.serve", reason="the Ray extra is not installed (pip install './pyhost[ray]')")
    elif script == "soak.py" and not SOAK_CLIENT.exists():
        if os.environ.get("JBX_REQUIRE_RELEASE") == "1":  # the test command built it
            pytest.fail(f"{SOAK_CLIENT} was not built")
        pytest.skip(f"{SOAK_CLIENT} not built (cmake --build build)")


@pytest.mark.parametrize("command", distinct(documented()))
def test_a_documented_benchmark_command_runs(command: str) -> None:
    script = options(command)[0]
    skip_unless_runnable(script)
    code, out = run([sys.executable, *shlex.split(command)[1:]])
    assert code == 0, out[-4000:]
    assert "smoke run (JBX_BENCH_SMOKE=1)" in out, out[-4000:]  # not a full-size run by mistake
    assert re.search(r"^\|-+\|", out, re.MULTILINE), out[-4000:]  # and its table


def test_every_benchmark_is_documented_and_has_a_smoke_mode() -> None:
    benchmarks = {p.name for p in BENCH.glob("*.py")} - NOT_BENCHMARKS
    named = {options(c)[0] for c in documented()}
    assert benchmarks - named == set(), "benchmarks without a `python bench/NAME.py` command in bench/RESULTS.md"
    assert {b for b in benchmarks if not size_options(b)} == set(), "benchmarks that never call common.smallest"


def test_only_size_options_and_narrower_selections_are_left_out() -> None:
    """Feature flags (--dispatch, --bf16, neither) each keep a run; sizes and subsets of --only do not."""
    cpu = "python bench/cpu_precision.py"
    commands = [f"{cpu} --tokens 10 --bf16", f"{cpu} --tokens 8 --batches 1 --only 0 3 --dispatch",
                f"{cpu} --tokens 10 --batches 1 4 --only 0 3 6 7",
                f"{cpu} --tokens 10 --batches 1 4 --only 0 3 7 --dispatch",
                f"{cpu} --batches 1 4 --only 0 3 7 --dispatch",
                "python bench/transport.py --runs 100", "python bench/transport.py --runs 40 --seconds 1 10"]
    assert distinct(commands) == [commands[0], commands[2], commands[3], commands[5]]
