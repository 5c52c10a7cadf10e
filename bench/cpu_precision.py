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
from common import smallest, table
from profile_sampling import build_prior

from jukebox_host.engine.fastpath import INT8_MM, Int8WeightLinear, quantize_int8
from jukebox_host.engine.kv_cache import use_inplace_cache
from jukebox_host.engine.loading import tensor_bytes
from jukebox_host.engine.static_step import blank_window, install


def read_bandwidth(mib: int = 1024) -> float:
    """Bytes per second read from a `mib` MiB array by a reduction on all of torch's threads (the bound for batch-1
    matrix-vector products, which read every weight once): the best of 10 passes, as single passes vary by up to 2x
    on a shared machine."""
    data = torch.ones(mib << 18, dtype=torch.float32)
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


# What a compiled graph's call records around its kernels (guards, wrappers): dispatch, not operator time.
WRAPPERS = ("Torch-Compiled Region", "## Call CompiledFxGraph", "TorchDynamo Cache Lookup", "AOTDispatcher",
            "Pregraph bytecode", "CompiledFunction")


def op_seconds_per_token(prior: torch.nn.Module, batch: int, tokens: int) -> float:
    """Seconds per sampled token spent inside torch operators and compiled kernels (their self time, summed),
    profiled from the first sampled token to the one `tokens` later, so that priming is not in it. Compiled kernels
    are seen by the profiler only with inductor's kernel profiling on (main sets it). The profiler's own cost
    lands partly in operators' self time: the dispatch share derived from this is a lower bound."""
    profiler = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU])
    seen = [0]

    def on_token(_module: object, _inputs: object, out: torch.Tensor) -> None:
        if out.shape[1] != 1:
            return
        seen[0] += 1
        if seen[0] == 1:
            profiler.start()
        elif seen[0] == tokens + 1:
            profiler.stop()

    hook = prior.prior.fc_proj_out.register_forward_hook(on_token)
    metadata, _ = blank_window(prior, batch, torch.device("cpu"))
    try:
        with torch.inference_mode():
            prior.sample(batch, music_tokens=None, music_tokens_conds=None, metadata=metadata,
                         sample_tokens=tokens + 2)
    finally:
        hook.remove()
    return sum(event.self_cpu_time_total for event in profiler.key_averages()
               if not event.key.startswith(WRAPPERS)) / 1e6 / tokens


def dispatch_share(prior: torch.nn.Module, batch: int, tokens: int, step: float) -> float:
    """The share of a sampled token's time spent outside operators (Python, dispatch, guards, the loop):
    1 - operator self time per token (profiled) / wall time per token (step, unprofiled)."""
    return max(0.0, 1.0 - op_seconds_per_token(prior, batch, tokens) / step)


def int8_kernel_seconds(prior: torch.nn.Module, batch: int, reps: int = 5) -> float:
    """The floor of an int8 path's step: torch's int8 weight kernel alone over every int8 layer of the prior's
    stack, in order, at `batch` rows (best of `reps` passes). What no dispatch saving can go below."""
    layers = [m for m in prior.prior.transformer.modules() if isinstance(m, Int8WeightLinear)]
    inputs = {m.in_features: torch.randn(batch, m.in_features).to(m.scale.dtype) for m in layers}
    best = float("inf")
    for _ in range(reps):
        started = time.perf_counter()
        for layer in layers:
            INT8_MM(inputs[layer.in_features], layer.weight_int8, layer.scale)
        best = min(best, time.perf_counter() - started)
    return best


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
    ("host int8 static step, eager", lambda p: _stepped(_int8(p), False)),
]


KERNEL_ROW = "int8 kernel alone, the stack's weights"


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
    parser.add_argument("--bandwidth-mib", type=int, default=1024, help="array read to measure the read bandwidth")
    args = parser.parse_args()
    # The tiny prior runs every variant's code (compiled ones included) in seconds; its bf16 rows too, even on AVX2.
    # A prompt stays a prompt (its own path), within the tiny prior's window.
    args = smallest(args, model="tiny", tokens=2, prime=min(args.prime, 8), bandwidth_mib=16)
    if args.dispatch:  # each compiled kernel recorded by the profiler (before anything compiles)
        from torch._inductor import config as inductor_config  # (import torch._... here would make torch local)

        inductor_config.cpp.enable_kernel_profile = True
    bandwidth = read_bandwidth(args.bandwidth_mib)
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
        if "int8" in name and not any(row[0] == KERNEL_ROW for row in rows):
            int8_bytes = sum(m.weight_int8.numel() for m in prior.modules() if isinstance(m, Int8WeightLinear))
            for batch in args.batches:
                seconds = int8_kernel_seconds(prior, batch)
                rows.append([KERNEL_ROW, str(batch), f"{int8_bytes / 2**30:.2f}", f"{seconds * 1000:.0f}",
                             f"{batch / seconds:.1f}", f"{100 * int8_bytes / bandwidth / seconds:.0f}%", "-", "-", "-"])
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
