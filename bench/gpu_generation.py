"""GPU generation speed: full-size 1b_lyrics / 5b_lyrics / 5b configs with random weights (same compute and
memory traffic as the real weights), fp16 priors. Prints tokens/s per level, the time for a 7 s continuation at
top level only and at all levels, the seed's figures, and the memory-bandwidth limit (weight bytes read per
token / the GPU's bandwidth, measured in the same run).

    python bench/gpu_generation.py [--models 1b_lyrics 5b_lyrics] [--tokens 64] [--seconds 7]

Needs CUDA; on a machine without it, it says so and exits 0. `--models tiny --device cpu` runs the same code on
the tiny config as a smoke test (tests/engine/test_bench_smoke.py does).
"""

from __future__ import annotations

import argparse
import threading
import time

import torch
from common import smallest, table

from jukebox_host.engine.static_step import blank_window

DTYPE = {"cuda": torch.float16, "cpu": torch.float32}
SEED_FIGURES = {
    "tiny": "(smoke test)",  # the seed's measurements on an A100, 7 s of prompt continued
    "1b_lyrics": "43 s average, 16 s best (A100)",
    "5b_lyrics": "29 min (A100), 3 h 43 min (RTX 2080 8 GB)",
    "5b": "about 3 min (A100)",
}


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def measure_bandwidth(device: torch.device) -> float:
    """Device-to-device copy of 1 GiB: bytes read + written per second."""
    a = torch.empty(1 << 28, dtype=torch.float32, device=device)
    b = torch.empty_like(a)
    b.copy_(a)
    sync(device)
    started = time.perf_counter()
    for _ in range(10):
        b.copy_(a)
    sync(device)
    return 2 * a.numel() * 4 * 10 / (time.perf_counter() - started)


def build(name: str, device: torch.device, fastpath: str, step: str = "stock") -> object:
    from transformers.models.deprecated.jukebox import JukeboxModel
    from transformers.utils import logging as hf_logging

    from jukebox_host.engine.configs import full_config
    from jukebox_host.engine.fastpath import speed_up_priors
    from jukebox_host.engine.kv_cache import use_inplace_cache
    from jukebox_host.engine.loading import fix_windowed_conditioning
    from jukebox_host.engine.static_step import install_on_priors, warm_up
    from jukebox_host.engine.tiny import tiny_config

    hf_logging.disable_progress_bar()
    with torch.device(device):
        model = JukeboxModel(tiny_config() if name == "tiny" else full_config(name)).eval()
    for sub in [model.vqvae, *model.priors]:
        sub.apply(sub._init_weights)
    for prior in model.priors:
        prior.to(DTYPE[device.type])
        fix_windowed_conditioning(prior)
        use_inplace_cache(prior)  # as the host runs it
    if fastpath != "stock":
        speed_up_priors(model, int8=fastpath == "int8", device=device)
    install_on_priors(model, step)
    if step == "compiled":  # as the host does at load: the first token of a job does not pay for compiling
        print(f"{name}: {warm_up(model, device)}", flush=True)
    return model


def tokens_per_second(model: object, level: int, tokens: int, device: torch.device) -> float:
    """Ancestral sampling of `tokens` tokens at one level (batch 1), after a short warm-up."""
    prior = model.priors[level]  # type: ignore[attr-defined]
    metadata, conds = blank_window(prior, 1, device)
    with torch.no_grad():
        prior.sample(1, music_tokens=None, music_tokens_conds=conds, metadata=metadata, sample_tokens=8)
        sync(device)
        started = time.perf_counter()
        prior.sample(1, music_tokens=None, music_tokens_conds=conds, metadata=metadata, sample_tokens=tokens)
        sync(device)
    return tokens / (time.perf_counter() - started)


def continuation_seconds(model: object, levels: list[int], seconds: float) -> float:
    """A primed continuation: 1 s of noise prompt continued to `seconds`, through the host's own sampling loop."""
    from jukebox_host.engine import sampling
    from jukebox_host.engine.label_files import lyric_vocab
    from jukebox_host.engine.loading import LoadedModel
    from jukebox_host.engine.plan import Plan

    class _Tok:  # labels for random weights: id 0 everywhere (the real tables need the real vocabularies)
        version = ["v3", "v2", "v2"]
        artists_encoder = {"unknown": 0, "unknown.v2": 0}
        genres_encoder = {"unknown": 0, "unknown.v2": 0}
        lyrics_encoder = lyric_vocab("v3")

    device = next(model.priors[0].parameters()).device  # type: ignore[attr-defined]
    loaded = LoadedModel("bench", model, _Tok(), device, DTYPE[device.type], 0.0)
    prompt = (0.1 * torch.randn(44100)).numpy()
    plan = Plan(mode="primed", total_samples=int(seconds * 44100), prompt_samples=44100, levels=levels,
                 temperature=0.98, hop_fraction=0.5, n_samples=1, seed=0, artist="unknown", genre="unknown",
                 lyrics="", preview=False)
    sync(device)
    started = time.perf_counter()
    list(sampling.run(loaded, plan, prompt, lambda *_: None, threading.Event()))
    sync(device)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", nargs="*", default=["1b_lyrics", "5b_lyrics"])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=7.0)
    parser.add_argument("--skip-continuation", action="store_true")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--fastpath", default="stock", choices=["stock", "linear", "int8"])
    parser.add_argument("--step", default="stock", choices=["stock", "static", "compiled"],
                        help="per-token step: transformers', static cache, or compiled (CUDA graphs on CUDA)")
    args = parser.parse_args()
    from jukebox_host.engine.loading import tensor_bytes

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("gpu_generation: no CUDA device here; run it on a GPU machine (nothing measured).")
        return
    # On the GPU, the tiny config: the same build, levels and continuation code, in seconds.
    args = smallest(args, models=["tiny"], tokens=2, seconds=1.05)
    bandwidth = measure_bandwidth(device)
    name = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"
    print(f"device {name}, copy bandwidth {bandwidth / 1e9:.0f} GB/s, fastpath {args.fastpath}, step {args.step}")
    rows = []
    for name in args.models:
        model = build(name, device, args.fastpath, args.step)
        for level, prior in enumerate(model.priors):  # type: ignore[attr-defined]
            weight_bytes = tensor_bytes(prior)
            rate = tokens_per_second(model, level, args.tokens, device)
            limit = bandwidth / weight_bytes
            rows.append([name, f"prior {level}", f"{weight_bytes / 2**30:.3f}", f"{rate:.1f}", f"{limit:.0f}",
                         f"{100 * rate / limit:.0f}%"])
        if not args.skip_continuation:
            top = continuation_seconds(model, [0], args.seconds)
            full = continuation_seconds(model, [0, 1, 2], args.seconds)
            rows.append([name, f"{args.seconds:g} s continuation", "", f"top {top:.1f} s", f"all {full:.1f} s",
                         SEED_FIGURES[name]])
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()
    print(table(rows, ["model", "what", "weights GiB", "tokens/s (batch 1)", "bandwidth limit tok/s", "of limit"]))


if __name__ == "__main__":
    main()
