"""CPU speed of the full-size 1b_lyrics top prior (random weights) per precision and layer path, in one run:
transformers' stock sampling loop (fp32 layers, concatenating KV cache) against the host's paths (in-place KV cache;
fp32, bf16, int8 weight-only layers), at batch 1 and 4. Per-step time is the median gap between sampled tokens
(priming excluded); the bandwidth limit is the bytes of weights read per step over this machine's read bandwidth,
measured in the same run.

    python bench/cpu_precision.py [--model 1b_lyrics] [--tokens 10] [--batches 1 4] [--dispatch]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from common import table
from profile_sampling import build_prior

from jukebox_host.engine.fastpath import quantize_int8
from jukebox_host.engine.kv_cache import use_inplace_cache
from jukebox_host.engine.loading import tensor_bytes
from jukebox_host.engine.static_step import blank_window, install


def read_bandwidth() -> float:
    """Bytes per second read from a 1 GiB array by a reduction on all of torch's threads (the bound for batch-1
    matrix-vector products, which read every weight once): the best of 10 passes, as single passes vary by up to 2x
    on a shared machine."""
    data = torch.ones(1 << 28, dtype=torch.float32)
    data.sum()
    best = float("inf")
    for _ in range(10):
        started = time.perf_counter()
        data.sum()
        best = min(best, time.perf_counter() - started)
    return data.numel() * 4 / best


def step_seconds(prior: torch.nn.Module, batch: int, tokens: int, prime: int = 0) -> float:
    """Median time between consecutive sampled tokens, after the lyrics and `prime` prompt tokens (the position
    sets what the attention and its cache cost per token)."""
    stamps: list[float] = []
    hook = prior.prior.fc_proj_out.register_forward_hook(
        lambda _m, _i, out: stamps.append(time.perf_counter()) if out.shape[1] == 1 else None)
    metadata, _ = blank_window(prior, batch, torch.device("cpu"))
    try:
        with torch.inference_mode():  # as the host samples
            prompt = torch.randint(0, int(prior.config.music_vocab_size), (batch, prime)) if prime else None
            prior.sample(batch, music_tokens=prompt, music_tokens_conds=None, metadata=metadata,
                         sample_tokens=prime + tokens if prime else tokens)
    finally:
        hook.remove()
    return statistics.median(np.diff(stamps))


def op_seconds(prior: torch.nn.Module, batch: int, tokens: int) -> float:
    """Seconds spent inside torch operators (their self time, summed) while sampling `tokens` tokens, priming
    included: under the profiler, which adds overhead of its own, so only differences between runs are used."""
    metadata, _ = blank_window(prior, batch, torch.device("cpu"))
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof, torch.inference_mode():
        prior.sample(batch, music_tokens=None, music_tokens_conds=None, metadata=metadata, sample_tokens=tokens)
    return sum(event.self_cpu_time_total for event in prof.key_averages()) / 1e6


def dispatch_share(prior: torch.nn.Module, batch: int, tokens: int, step: float) -> float:
    """The share of a sampled token's time spent outside operators (Python, dispatch, the loop): 1 - operator
    self time per token / wall time per token. Per token = the difference between sampling 2·tokens and tokens
    (priming cancels out); wall time per token comes unprofiled (step)."""
    per_token = (op_seconds(prior, batch, 2 * tokens) - op_seconds(prior, batch, tokens)) / tokens
    return max(0.0, 1.0 - per_token / step)


def _inplace(prior: torch.nn.Module) -> torch.nn.Module:
    use_inplace_cache(prior)
    return prior


def _int8(prior: torch.nn.Module) -> torch.nn.Module:
    quantize_int8(prior)
    return _inplace(prior)


def _stepped(prior: torch.nn.Module, compiled: bool) -> torch.nn.Module:
    """The static-cache step (engine/static_step.py) on the in-place cache, eager or compiled (inductor)."""
    install(_inplace(prior).prior.transformer, compiled)
    return prior


# name, how to make it from a copy of the stock fp32 prior
VARIANTS: list[tuple[str, Callable[[torch.nn.Module], torch.nn.Module]]] = [
    ("stock loop fp32 (transformers as is)", lambda p: p),
    ("host fp32 (in-place KV cache)", _inplace),
    ("host bf16 (in-place KV cache)", lambda p: _inplace(p.to(torch.bfloat16))),
    ("host int8 weight-only, fp32 rest", _int8),
    ("host int8 weight-only, bf16 rest", lambda p: _int8(p.to(torch.bfloat16))),
    ("host fp32 static step, eager", lambda p: _stepped(p, False)),
    ("host fp32 static step, compiled", lambda p: _stepped(p, True)),
    ("host int8 static step, compiled", lambda p: _stepped(_int8(p), True)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="1b_lyrics")
    parser.add_argument("--tokens", type=int, default=10)
    parser.add_argument("--batches", type=int, nargs="*", default=[1, 4])
    parser.add_argument("--only", nargs="*", default=None, help="variant numbers to run (0 = stock, always run)")
    parser.add_argument("--prime", type=int, default=0, help="music tokens of prompt before sampling (position)")
    parser.add_argument("--dispatch", action="store_true",
                        help="also each path's dispatch share (time outside operators), profiled: slower")
    parser.add_argument("--bf16", action="store_true",
                        help="also the bf16 variants (slow to prime on CPUs without native bfloat16, e.g. AVX2)")
    args = parser.parse_args()
    bandwidth = read_bandwidth()
    print(f"read bandwidth {bandwidth / 1e9:.1f} GB/s, {torch.get_num_threads()} threads, prompt {args.prime} tokens, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    stock = build_prior(args.model, 0, torch.device("cpu"), torch.float32)
    baseline = None
    rows = []
    for number, (name, make) in enumerate(VARIANTS):
        if args.only is not None and number and str(number) not in args.only:
            continue
        if "bf16" in name and not args.bf16:
            continue
        prior = stock if number == 0 else make(copy.deepcopy(stock))
        size = tensor_bytes(prior)
        limit = size / bandwidth
        per_batch = {}
        for batch in args.batches:
            seconds = step_seconds(prior, batch, args.tokens, args.prime)
            per_batch[batch] = seconds
            if baseline is None:
                baseline = seconds
            share = f"{100 * dispatch_share(prior, batch, args.tokens, seconds):.0f}%" if args.dispatch else "-"
            rows.append([name, str(batch), f"{size / 2**30:.2f}", f"{seconds * 1000:.0f}", f"{batch / seconds:.1f}",
                         f"{100 * limit / seconds:.0f}%", f"{baseline / seconds * batch:.2f}x",
                         f"{per_batch[args.batches[0]] / seconds * batch / args.batches[0]:.2f}x", share])
            print(rows[-1], flush=True)
        step = getattr(prior.prior.transformer, "_static_step", None)
        if step is not None and step.compiled_shapes:
            print(f"{name}: compile seconds per (batch, device) {step.compiled_shapes}", flush=True)
        if prior is not stock:
            del prior
    print(table(rows, ["path", "batch", "weights GiB", "ms per step", "tokens/s", "of bandwidth limit",
                       "tokens/s vs stock fp32 b1", "tokens/s vs same path b1", "dispatch share"]))


if __name__ == "__main__":
    main()
