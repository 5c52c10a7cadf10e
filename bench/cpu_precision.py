"""CPU speed of the full-size 1b_lyrics top prior (random weights) per precision and layer path, in one run:
transformers' stock layers (fp32), the host's nn.Linear path (fp32, bf16) and int8 weights, at batch 1 and 4.
Per-step time is the median gap between sampled tokens (priming excluded); the bandwidth limit is the bytes of
weights read per step over this machine's read bandwidth, measured in the same run.

    python bench/cpu_precision.py [--model 1b_lyrics] [--tokens 10] [--batches 1 4]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import numpy as np
import torch
from common import table
from profile_sampling import build_prior

from jukebox_host.engine.fastpath import linearize, quantize_int8


def read_bandwidth() -> float:
    """Bytes per second read from a 1 GiB array by a reduction on all of torch's threads (the bound for batch-1
    matrix-vector products, which read every weight once)."""
    data = torch.ones(1 << 28, dtype=torch.float32)
    data.sum()
    started = time.perf_counter()
    for _ in range(5):
        data.sum()
    return 5 * data.numel() * 4 / (time.perf_counter() - started)


def weight_bytes(prior: torch.nn.Module) -> int:
    total = sum(p.numel() * p.element_size() for p in prior.parameters())
    for module in prior.modules():  # int8 dynamic layers keep packed weights outside parameters()
        if "quantized" in type(module).__module__ and hasattr(module, "weight"):
            weight = module.weight()
            total += weight.numel() * weight.element_size()
    return total


def step_seconds(prior: torch.nn.Module, batch: int, tokens: int) -> float:
    """Median time between consecutive sampled tokens."""
    stamps: list[float] = []
    hook = prior.prior.fc_proj_out.register_forward_hook(
        lambda _m, _i, out: stamps.append(time.perf_counter()) if out.shape[1] == 1 else None)
    n_labels = 4 + prior.metadata_embedding.max_nb_genres + prior.nb_relevant_lyric_tokens
    metadata = torch.zeros(batch, n_labels, dtype=torch.long)
    metadata[:, 0], metadata[:, 2] = 44100 * 60, int(prior.sample_length)
    try:
        with torch.no_grad():
            prior.sample(batch, music_tokens=None, music_tokens_conds=None, metadata=metadata, sample_tokens=tokens)
    finally:
        hook.remove()
    return statistics.median(np.diff(stamps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="1b_lyrics")
    parser.add_argument("--tokens", type=int, default=10)
    parser.add_argument("--batches", type=int, nargs="*", default=[1, 4])
    args = parser.parse_args()
    bandwidth = read_bandwidth()
    print(f"read bandwidth {bandwidth / 1e9:.1f} GB/s, {torch.get_num_threads()} threads")
    stock = build_prior(args.model, 0, torch.device("cpu"), torch.float32)
    variants: list[tuple[str, torch.nn.Module]] = [("stock fp32 (transformers' layers)", stock)]
    linear = copy.deepcopy(stock)
    linearize(linear)
    variants.append(("linear fp32", linear))
    variants.append(("int8 weights (dynamic quantisation)", quantize_int8(copy.deepcopy(linear))))
    variants.append(("linear bf16", copy.deepcopy(linear).to(torch.bfloat16)))
    baseline = None
    rows = []
    for name, prior in variants:
        size = weight_bytes(prior)
        limit = size / bandwidth
        per_batch = {}
        for batch in args.batches:
            seconds = step_seconds(prior, batch, args.tokens)
            per_batch[batch] = seconds
            if baseline is None:
                baseline = seconds
            rows.append([name, str(batch), f"{size / 2**30:.2f}", f"{seconds * 1000:.0f}", f"{batch / seconds:.1f}",
                         f"{100 * limit / seconds:.0f}%", f"{baseline / seconds * batch:.2f}x",
                         f"{per_batch[args.batches[0]] / seconds * batch / args.batches[0]:.2f}x"])
        del prior
    print(table(rows, ["path", "batch", "weights GiB", "ms per step", "tokens/s", "of bandwidth limit",
                       "tokens/s vs stock fp32 b1", "tokens/s vs same path b1"]))


if __name__ == "__main__":
    main()
