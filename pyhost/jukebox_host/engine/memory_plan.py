"""Memory plan of a model, computed on the meta device (nothing allocated): weights per prior, attention cache
at the full window, a priming chunk's activations, and the totals for two placements:
- all resident: every prior and the VQ-VAE on the GPU at once;
- level-wise: only the prior being sampled (and the VQ-VAE) on the GPU, the others waiting in host memory.

The cache follows transformers' JukeboxAttention: each layer keeps keys and values of width
hidden_size × attention_multiplier for as many positions as its pattern needs at the end of a window
(dense and transpose-block: the whole window; block: one block; previous-block: two; cross/prime: the lyrics).
'int8' counts every parameter at one byte: an estimate for int8 weight-only layers (embeddings, norms and
quantisation scales add a little).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
CHUNK = 32  # priming chunk, as the sampling loop uses


@dataclass(kw_only=True)
class PriorPlan:
    level: int
    params: int
    weights: int
    cache: int
    activations: int

    @property
    def total(self) -> int:
        return self.weights + self.cache + self.activations


def _cache_positions(attn: Any, n_ctx: int) -> int:
    block_ctx = max(1, attn.block_ctx) if hasattr(attn, "block_ctx") else n_ctx
    encoder_len = getattr(attn, "encoder_len", 0) or 0
    return {
        "dense_attn": n_ctx,
        "transpose_block_attn": n_ctx,
        "block_attn": block_ctx,
        "prev_block_attn": 2 * block_ctx,
        "cross_attn": encoder_len,
        "prime_attn": encoder_len,
    }.get(attn.attn_func, n_ctx)


def plan_prior(prior: Any, precision: str, n_samples: int) -> PriorPlan:
    weight_bytes = BYTES[precision]
    act_bytes = 2 if precision in ("float16", "bfloat16", "int8") else 4
    params = sum(p.numel() for p in prior.parameters())
    stacks = [prior.prior]
    if getattr(prior, "encoder", None) is not None:
        stacks.append(prior.encoder)
    cache = 0
    widest = 0
    heads = 1
    for stack in stacks:
        n_ctx = stack.n_ctx
        for block in stack.transformer._attn_mods:
            attn = block.attn
            # Keys and values are hidden_dim wide (hidden_size × attention_multiplier).
            cache += 2 * _cache_positions(attn, n_ctx) * attn.hidden_dim * act_bytes
            widest = max(widest, n_ctx)
            heads = max(heads, attn.n_heads)
    width = prior.config.hidden_size
    # One priming chunk: attention scores against the whole window, plus the MLP's 4 widths.
    activations = CHUNK * (widest * heads + 8 * width) * act_bytes
    return PriorPlan(level=prior.level, params=params, weights=params * weight_bytes, cache=cache * n_samples,
                     activations=activations * n_samples)


def meta_model(name: str) -> Any:
    """The model's structure on the meta device: shapes without storage."""
    from transformers.models.deprecated.jukebox import JukeboxModel

    from jukebox_host.engine.configs import full_config
    from jukebox_host.engine.tiny import tiny_config

    with torch.device("meta"):
        return JukeboxModel(tiny_config() if name == "tiny" else full_config(name))


def plan(model: Any, precision: str, n_samples: int = 1) -> tuple[list[PriorPlan], int]:
    """Per-prior plans (top first) and the VQ-VAE's bytes (kept in float32)."""
    vqvae = sum(p.numel() for p in model.vqvae.parameters()) * 4
    return [plan_prior(p, precision, n_samples) for p in model.priors], vqvae


def placements(priors: list[PriorPlan], vqvae: int) -> dict[str, int]:
    return {
        "all resident": sum(p.weights for p in priors) + max(p.cache + p.activations for p in priors) + vqvae,
        "level-wise": max(p.total for p in priors) + vqvae,
    }


def render(names: list[str], precisions: list[str], n_samples: int) -> str:
    gib = 2**30
    lines = ["| model | precision | prior | weights GiB | cache GiB | activations GiB | all resident GiB | "
             "level-wise GiB |", "|---|---|---|---|---|---|---|---|"]
    for name in names:
        model = meta_model(name)
        for precision in precisions:
            priors, vqvae = plan(model, precision, n_samples)
            totals = placements(priors, vqvae)
            for p in priors:
                lines.append(f"| {name} | {precision} | {p.level} | {p.weights / gib:.2f} | {p.cache / gib:.2f} | "
                             f"{p.activations / gib:.3f} | | |")
            lines.append(f"| {name} | {precision} | total (+ VQ-VAE {vqvae / gib:.2f}) | | | | "
                         f"{totals['all resident'] / gib:.2f} | {totals['level-wise'] / gib:.2f} |")
    return "\n".join(lines)
