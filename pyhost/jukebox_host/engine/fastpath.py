"""Other layer paths for the priors' per-token step, without touching the model's maths.

transformers' JukeboxConv1D computes `addmm(bias, x, W)` with W stored (in, out). At batch 1 that is a
matrix-vector product whose speed is set by how many bytes of W are read, and plain `.to(bfloat16)` gains nothing
on CPU. 'linear' swaps each JukeboxConv1D for an nn.Linear holding Wᵀ (out, in); 'int8' then quantises those
layers' weights with torch's own dynamic quantisation (CPU only). Measured on the full-size 1b_lyrics top prior
(bench/RESULTS.md): int8 halves the batch-1 step, bf16 through nn.Linear gains 11%, fp32 through nn.Linear is
slower than addmm — so the host's default stays 'stock'.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def conv1d_as_linear(conv: nn.Module) -> nn.Linear:
    """Same function as JukeboxConv1D (x @ W + b over the last dimension), as a plain nn.Linear holding Wᵀ
    (plain, so torch's quantisation recognises it)."""
    weight = conv.weight.detach()
    linear = nn.Linear(weight.shape[0], weight.shape[1], bias=True, device=weight.device, dtype=weight.dtype)
    with torch.no_grad():
        linear.weight.copy_(weight.t())
        linear.bias.copy_(conv.bias.detach())
    return linear


def linearize(module: nn.Module) -> int:
    """Replace every JukeboxConv1D below `module` in place; return how many were replaced."""
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxConv1D

    replaced = 0
    for name, child in list(module.named_children()):
        if isinstance(child, JukeboxConv1D):
            setattr(module, name, conv1d_as_linear(child))
            replaced += 1
        else:
            replaced += linearize(child)
    return replaced


def quantize_int8(module: nn.Module) -> nn.Module:
    """int8 weights for every nn.Linear (dynamic quantisation: activations are quantised per call). CPU only."""
    return torch.ao.quantization.quantize_dynamic(module, {nn.Linear}, dtype=torch.qint8, inplace=True)


def speed_up_priors(model: Any, int8: bool = False) -> int:
    """Apply the fast path to every prior of a loaded JukeboxModel; return the number of layers swapped.
    The output projection `fc_proj_out` is a plain nn.Linear already (tied to the embedding in the upsamplers)
    and stays as it is, so progress hooks and ties keep working."""
    swapped = 0
    for prior in model.priors:
        swapped += linearize(prior)
        if int8:
            out = prior.prior.fc_proj_out
            quantize_int8(prior.prior.transformer)
            if getattr(prior, "encoder", None) is not None:
                quantize_int8(prior.encoder.transformer)
            prior.prior.fc_proj_out = out
    return swapped
