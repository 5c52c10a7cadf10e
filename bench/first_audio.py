"""Time to the first final audio against the whole job: OpenAI's level-by-level order beside the pipelined schedule
(issue 30), in one run. Prints figures; asserts nothing.

    python bench/first_audio.py [--seconds 10 20 60] [--shapes 1b_lyrics 5b_lyrics 5b] [--device cpu]

- counted: sampled tokens before the bottom level's first window ends (its first final audio can be decoded
  then), against all tokens of an ancestral job at all three levels, for OpenAI's real model shapes (built on the
  meta device: no weights, nothing sampled). The machine-independent figure.
- measured: the tiny model through the engine (sampling.run), the bottom level streamed in chunks of
  --stream-seconds: seconds and sampled tokens to the first chunk, and to the end.
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

import torch
from common import cpu_line, smallest, table

from jukebox_host.engine import sampling
from jukebox_host.engine import schedule as S
from jukebox_host.engine.conductor import rehearse
from jukebox_host.engine.continuation import tokens_per_level
from jukebox_host.engine.loading import load_model, resolve
from jukebox_host.engine.memory_plan import meta_model
from jukebox_host.engine.plan import Plan

RATE = 44100
LEVELS = [0, 1, 2]


def _plan(seconds: float, schedule: str, stream_seconds: float = 1.0) -> Plan:
    return Plan(mode="ancestral", total_samples=int(seconds * RATE), prompt_samples=0, levels=LEVELS,
                temperature=0.98, hop_fraction=None, n_samples=1, seed=1, artist="unknown", genre="unknown",
                lyrics="", preview=False, song_samples=int(max(240.0, seconds) * RATE), schedule=schedule,
                stream_seconds=stream_seconds)


def counted(model: Any, seconds: float, schedule: str) -> tuple[int, int]:
    """(tokens sampled when the bottom level's first window ends, all tokens of the job): the job's windows
    rehearsed in the schedule's order, nothing sampled."""
    top_raw = int(model.priors[0].raw_to_tokens)
    targets = tokens_per_level(model, max(top_raw, int(seconds * RATE) // top_raw * top_raw))
    windows = sampling.job_windows(model, _plan(seconds, schedule), [0] * len(LEVELS), targets)
    n_ctx = {index: int(model.priors[index].n_ctx) for index in LEVELS}
    ended = rehearse(windows, LEVELS, n_ctx, pipelined=schedule == S.PIPELINED)
    first = next(sampled for index, sampled in ended if index == LEVELS[-1])
    return first, ended[-1][1]


def measured(loaded: Any, seconds: float, schedule: str, stream_seconds: float) -> tuple[float, int, float, int]:
    """(seconds to the first chunk, tokens sampled by then, seconds to the end, all tokens sampled)."""
    tokens = [0]
    hooks = [prior.prior.fc_proj_out.register_forward_hook(
        lambda _m, _i, out: tokens.__setitem__(0, tokens[0] + (out.shape[1] == 1))) for prior in loaded.model.priors]
    first: list[tuple[float, int]] = []
    started = time.perf_counter()

    def job() -> None:
        list(sampling.run(loaded, _plan(seconds, schedule, stream_seconds), None, lambda *_: None, threading.Event(),
                          on_chunk=lambda *_: first.append((time.perf_counter() - started, tokens[0])) if not first
                          else None))

    # In a thread of its own, as the host's worker runs a job: torch's CPU kernels run measurably slower in a
    # process's main thread beside other load (2-3x here under stress-ng), which would flatter either schedule.
    worker = threading.Thread(target=job)
    try:
        worker.start()
        worker.join()
    finally:
        for hook in hooks:
            hook.remove()
    ended = time.perf_counter() - started
    return first[0][0], first[0][1], ended, tokens[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, nargs="+", default=[10.0, 20.0, 60.0])
    parser.add_argument("--measured-seconds", type=float, nargs="+", default=[10.0, 20.0],
                        help="job lengths run on the tiny model (each twice: one per schedule)")
    parser.add_argument("--shapes", nargs="+", default=["1b_lyrics", "5b_lyrics", "5b"])
    parser.add_argument("--stream-seconds", type=float, default=1.0)
    parser.add_argument("--device", default="cpu")
    args = smallest(parser.parse_args(), seconds=[10.0], measured_seconds=[0.5], shapes=["1b_lyrics"])
    print(cpu_line() if args.device == "cpu" else f"device {torch.cuda.get_device_name(args.device)}")

    rows = []
    for shape in ["tiny", *args.shapes]:
        model = meta_model(shape)
        for seconds in args.seconds:
            (lbl_first, total), (pipe_first, _) = (counted(model, seconds, s) for s in (S.LEVEL_BY_LEVEL,
                                                                                         S.PIPELINED))
            rows.append([shape, f"{seconds:g}", str(total), f"{lbl_first} ({lbl_first / total:.1%})",
                         f"{pipe_first} ({pipe_first / total:.1%})", f"{lbl_first / pipe_first:.1f}x"])
    print("counted: sampled tokens before the bottom level's first window ends (ancestral, all levels, the "
          "model's hops)")
    print(table(rows, ["shape", "job s", "all tokens", "level by level", "pipelined", "sooner"]))

    loaded = load_model(resolve("tiny"), torch.device(args.device), torch.float32)
    for schedule in (S.LEVEL_BY_LEVEL, S.PIPELINED):  # first-use costs (decode contexts, kernels) out of the way
        measured(loaded, 0.1, schedule, args.stream_seconds)
    rows = []
    for seconds in args.measured_seconds:
        runs = {s: measured(loaded, seconds, s, args.stream_seconds) for s in (S.LEVEL_BY_LEVEL, S.PIPELINED)}
        for schedule, (first_s, first_tokens, end_s, all_tokens) in runs.items():
            rows.append([f"{seconds:g}", schedule, f"{first_s:.2f}", f"{first_s / end_s:.2f}",
                         f"{first_tokens} ({first_tokens / all_tokens:.1%})", f"{end_s:.2f}"])
        rows.append([f"{seconds:g}", "pipelined / level by level",
                     f"{runs[S.PIPELINED][0] / runs[S.LEVEL_BY_LEVEL][0]:.2f}", "",
                     f"{runs[S.PIPELINED][1] / runs[S.LEVEL_BY_LEVEL][1]:.2f}",
                     f"{runs[S.PIPELINED][2] / runs[S.LEVEL_BY_LEVEL][2]:.2f}"])
    print(f"measured: tiny model, ancestral, all levels, the bottom streamed in chunks of {args.stream_seconds:g} s, "
          f"device {args.device}")
    print(table(rows, ["job s", "schedule", "first audio s", "of the job", "tokens by then", "whole job s"]))


if __name__ == "__main__":
    main()
