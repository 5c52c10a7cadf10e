"""The fast path computes what transformers' layers compute, and sampling runs through it in every precision."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from jukebox_host.engine import sampling
from jukebox_host.engine.fastpath import speed_up_priors
from jukebox_host.engine.loading import load_model
from jukebox_host.engine.tiny import build_tiny_model


def _layer_outputs(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    block = model.priors[0].prior.transformer._attn_mods[0]
    with torch.no_grad():
        return torch.cat([block.mlp(x), block.attn.c_attn(x)], dim=-1)


def test_linear_path_is_the_same_function() -> None:
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxConv1D

    stock = build_tiny_model(seed=1)
    fast = copy.deepcopy(stock)
    swapped = speed_up_priors(fast)
    assert swapped == sum(isinstance(m, JukeboxConv1D) for m in stock.modules()) > 0
    assert not any(isinstance(m, JukeboxConv1D) for m in fast.modules())
    x = torch.randn(3, 7, 32)
    assert torch.allclose(_layer_outputs(stock, x), _layer_outputs(fast, x), atol=1e-6)
    # The upsamplers' tie between output projection and embedding is untouched.
    for prior in fast.priors[1:]:
        assert prior.prior.fc_proj_out.weight.data_ptr() == prior.prior.embed_tokens.weight.data_ptr()


def test_int8_path_is_close_and_really_quantised() -> None:
    stock = build_tiny_model(seed=1)
    fast = copy.deepcopy(stock)
    speed_up_priors(fast, int8=True)
    mlp = fast.priors[0].prior.transformer._attn_mods[0].mlp
    assert "quantized" in type(mlp.c_fc).__module__
    x = torch.randn(3, 7, 32)
    ref, out = _layer_outputs(stock, x), _layer_outputs(fast, x)
    assert not torch.equal(ref, out)
    assert float((ref - out).abs().max()) < 0.05 * float(ref.abs().max())


@pytest.mark.parametrize("fastpath, dtype", [("stock", torch.float32), ("linear", torch.bfloat16),
                                             ("int8", torch.float32)])
def test_sampling_runs_through_each_path(tiny_dir: Path, fastpath: str, dtype: torch.dtype) -> None:
    loaded = load_model(str(tiny_dir), torch.device("cpu"), dtype, fastpath)
    t = np.arange(8192) / 44100
    prompt = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    plan = sampling.Plan("primed", 16384, 8192, [0, 1], 0.98, 0.5, 2, 1, "unknown", "unknown", "", False)
    (out,) = list(sampling.run(loaded, plan, prompt, lambda *_: None, threading.Event()))
    assert out.final and len(out.audio) == 16384 and np.isfinite(out.audio).all()
