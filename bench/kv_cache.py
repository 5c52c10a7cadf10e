"""Cost of keeping the attention cache, per sampled token, at positions through the 1b_lyrics top prior's window:
transformers' `_append_cache` (concatenates the whole cache each token) against the host's in-place cache, through
each layer's own cache step (`qkv` with sample=True: append, then trim to what its attention kind needs) for the
72 attention layers of the full-size 1b_lyrics top prior (built on the meta device; no weights are used).

    python bench/kv_cache.py [--positions 384 2048 6000] [--batch 1] [--device cpu]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import torch
from common import smallest, table

from jukebox_host.engine.kv_cache import use_inplace_cache


def per_token_ms(attns: list, position: int, batch: int, device: torch.device, tokens: int = 20) -> float:
    """Prime each layer's cache with `position` rows, then time `tokens` single-row cache steps of every layer."""
    for attn in attns:
        attn.del_cache()
        attn.qkv(torch.randn(batch, position, 3 * attn.hidden_dim, device=device), sample=True)
    rows = [torch.randn(batch, 1, 3 * attn.hidden_dim, device=device) for attn in attns]
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(tokens):
        for attn, row in zip(attns, rows):
            attn.qkv(row, sample=True)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - started) / tokens * 1000


def layers(config: object) -> list:
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxLayerStack

    with torch.device("meta"):  # the layers' weights are not used here
        stack = JukeboxLayerStack(config, n_ctx=config.n_ctx + config.nb_relevant_lyric_tokens)
    return [block.attn for block in stack._attn_mods]


def main() -> None:
    from jukebox_host.engine.configs import full_config

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--positions", type=int, nargs="*", default=[400, 2048, 6000])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    # Full-size layers still (on the meta device, no weights): one position inside the first block (96), one past
    # the lyrics (384), where the caches start to be trimmed.
    args = smallest(parser.parse_args(), positions=[8, 400])
    device = torch.device(args.device)
    config = full_config("1b_lyrics").prior_configs[0]
    stock, inplace = layers(config), layers(config)
    for attn in inplace:
        use_inplace_cache(attn)
    kinds = Counter(attn.attn_func for attn in stock)
    print("attention layers:", ", ".join(f"{count} {kind}" for kind, count in kinds.most_common()))
    rows = []
    with torch.inference_mode():
        for position in args.positions:
            cat_ms = per_token_ms(stock, position, args.batch, device)
            inplace_ms = per_token_ms(inplace, position, args.batch, device)
            rows.append([str(position), str(args.batch), f"{cat_ms:.1f}", f"{inplace_ms:.2f}",
                         f"{cat_ms / inplace_ms:.0f}x"])
    print(table(rows, ["position", "batch", "concatenating cache ms/token", "in-place cache ms/token", "ratio"]))


if __name__ == "__main__":
    main()
