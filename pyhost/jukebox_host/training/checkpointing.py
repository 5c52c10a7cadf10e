"""Gradient checkpointing of a prior's transformer, as OpenAI's training runs it (`c_res=1`, the small_* hparams
sets): each block keeps only its input for the backward pass and runs its forward again there, trading one more
forward for the memory of every block's activations. The results are the same (the forward is recomputed exactly);
sampling (sample=True) and no-gradient passes are left as they are."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.checkpoint import checkpoint


def checkpoint_blocks(prior: Any) -> None:
    for layer in prior.prior.transformer._attn_mods:
        original = layer.forward

        def forward(hidden_states: torch.Tensor, last_encoder_hidden_states: torch.Tensor | None = None,
                    sample: bool = False, _original: Any = original) -> torch.Tensor:
            if sample or not torch.is_grad_enabled():
                return _original(hidden_states, last_encoder_hidden_states, sample)
            return checkpoint(_original, hidden_states, last_encoder_hidden_states, sample, use_reentrant=False)

        layer.forward = forward  # the instance's own: state dict and names unchanged
