"""Where the time of one sampled token goes: torch profiler over the host's per-token step of a full-size prior
(random weights), batch 1. Prints the top operators and a breakdown (matrix products, attention, other kernels,
Python/dispatch overhead), and the memory-bandwidth floor for comparison.

    python bench/profile_sampling.py [--model 1b_lyrics] [--level 0] [--tokens 16] [--device cpu] [--dtype float32]
"""

from __future__ import annotations

import argparse
import time

import torch
from common import smallest, table
from torch.profiler import ProfilerActivity, profile

from jukebox_host.engine.static_step import blank_window

MATMUL = ("aten::addmm", "aten::mm", "aten::bmm", "aten::matmul", "aten::linear", "aten::baddbmm")
ATTENTION = ("aten::softmax", "aten::_softmax", "aten::cat", "aten::index", "aten::index_select", "aten::masked_fill",
             "aten::tril", "aten::ones", "aten::slice")


def build_prior(model: str, level: int, device: torch.device, dtype: torch.dtype) -> object:
    from transformers.utils import logging as hf_logging

    from jukebox_host.engine.configs import full_config, prior_alone
    from jukebox_host.engine.tiny import tiny_config

    hf_logging.disable_progress_bar()
    with torch.device(device):  # 'tiny': the test model's shape, so the tests can run a benchmark's own command
        prior = prior_alone(tiny_config() if model == "tiny" else full_config(model), level)
    prior.apply(prior._init_weights)
    return prior.to(dtype)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="1b_lyrics")
    parser.add_argument("--level", type=int, default=0)
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    args = smallest(parser.parse_args(), model="tiny", tokens=2)  # the tiny prior: same layers and loop
    device, dtype = torch.device(args.device), getattr(torch, args.dtype)
    started = time.perf_counter()
    prior = build_prior(args.model, args.level, device, dtype)
    print(f"built {args.model} prior {args.level} ({args.dtype}, {device}) in {time.perf_counter() - started:.1f} s")
    metadata, conds = blank_window(prior, 1, device)
    # The profiler starts at the first sampled token, so priming (the lyrics, the prompt) is left out.
    prof = profile(activities=[ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else []))
    marks: list[float] = []

    def on_token(_module: object, _inputs: object, out: torch.Tensor) -> None:
        if out.shape[1] == 1:
            if not marks:
                prof.start()
            marks.append(time.perf_counter())

    hook = prior.prior.fc_proj_out.register_forward_hook(on_token)
    with torch.no_grad():
        started = time.perf_counter()
        prior.sample(1, music_tokens=None, music_tokens_conds=conds, metadata=metadata, sample_tokens=args.tokens + 1)
        if device.type == "cuda":
            torch.cuda.synchronize()
        prof.stop()
        ended = time.perf_counter()
    hook.remove()
    wall = ended - marks[0]
    print(f"priming took {marks[0] - started:.1f} s; profiled {args.tokens} sampled tokens in {wall:.2f} s")
    events = prof.key_averages()
    print(events.table(sort_by="self_cpu_time_total", row_limit=15))
    self_us = {e.key: e.self_cpu_time_total for e in events}
    total_ops = sum(self_us.values()) / 1e6
    matmul = sum(v for k, v in self_us.items() if k in MATMUL) / 1e6
    attention = sum(v for k, v in self_us.items() if k in ATTENTION) / 1e6
    weight_bytes = sum(p.numel() * p.element_size() for p in prior.parameters())
    parts = [
        ("matrix products (addmm/mm/bmm/linear)", matmul),
        ("attention glue (softmax, cat, index, masks)", attention),
        ("other operators", total_ops - matmul - attention),
        ("Python / dispatch (wall - operator self time)", wall - total_ops),
    ]
    rows = [["wall", f"{wall:.2f}", "100%"], *[[name, f"{sec:.2f}", f"{100 * sec / wall:.0f}%"] for name, sec in parts]]
    print(table(rows, ["where", "seconds", "share"]))
    print(f"weights {weight_bytes / 2**30:.2f} GiB: one read per token; at 25 GB/s (this machine's numpy read) that "
          f"is {weight_bytes / 25e9 * 1000:.0f} ms per token; measured {wall / args.tokens * 1000:.0f} ms per token "
          f"(with the profiler's overhead)")


if __name__ == "__main__":
    main()
