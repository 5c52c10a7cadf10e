"""The in-place key/value cache gives bit-identical samples to transformers' concatenating cache, and really
writes in place (no new buffer per token)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch
from plans import make_plan

from jukebox_host.engine import sampling
from jukebox_host.engine.kv_cache import use_inplace_cache
from jukebox_host.engine.loading import LoadedModel, load_model


def _stock_cache(loaded: LoadedModel) -> None:
    """Undo use_inplace_cache: drop the per-instance methods so the class's own (torch.cat) ones apply again."""
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxAttention

    for attn in loaded.model.modules():
        if isinstance(attn, JukeboxAttention):
            for name in ("_append_cache", "_slice_cache", "del_cache", "_kv_buffers"):
                attn.__dict__.pop(name, None)


def _sample(loaded: LoadedModel, n_samples: int) -> np.ndarray:
    t = np.arange(8192) / 44100
    prompt = (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    # 3 windows at the top level (n_ctx 64, hop 0.125) and upsampling of the middle level: every attention kind
    # of the tiny model fills, slides and refills its cache.
    plan = make_plan(total_samples=32768, prompt_samples=8192, levels=[0, 1], n_samples=n_samples, seed=11, lyrics="la")
    (out,) = list(sampling.run(loaded, plan, prompt, lambda *_: None, threading.Event()))
    return out.audio


def test_same_samples_as_the_concatenating_cache(tiny_dir: Path) -> None:
    inplace = load_model(str(tiny_dir), torch.device("cpu"), torch.float32)
    stock = load_model(str(tiny_dir), torch.device("cpu"), torch.float32)
    _stock_cache(stock)
    assert not hasattr(stock.model.priors[0].prior.transformer._attn_mods[0].attn, "_kv_buffers")
    for n_samples in (1, 2):
        assert np.array_equal(_sample(inplace, n_samples), _sample(stock, n_samples))


def test_tokens_are_written_into_one_buffer() -> None:
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxAttention

    from jukebox_host.engine.tiny import tiny_config

    torch.manual_seed(0)
    attn = JukeboxAttention(tiny_config().prior_configs[0], n_ctx=64, attn_func="dense_attn")
    assert use_inplace_cache(attn) == 1
    first_key = torch.randn(2, 8, 8)
    key, value = attn._append_cache(first_key, first_key + 1)
    assert key.is_contiguous() and torch.equal(key, first_key)  # a priming chunk comes back contiguous
    pointers = []
    rows = [first_key]
    for _ in range(40):
        row = torch.randn(2, 1, 8)
        rows.append(row)
        key, value = attn._append_cache(row, row + 1)
        pointers.append(attn._kv_buffers.key.data_ptr())
    assert torch.equal(key, torch.cat(rows, dim=1)) and torch.equal(value, torch.cat(rows, dim=1) + 1)
    # 8 rows → a buffer of 16, doubled to 32 and 64 (capped at n_ctx): three buffers for 48 rows, not 41.
    assert len(set(pointers)) == 3 and attn._kv_buffers.capacity == 64
    assert len(set(pointers[-10:])) == 1
    attn._slice_cache(-5)  # a sliding cache keeps its last rows
    assert torch.equal(attn.cache["key"], torch.cat(rows, dim=1)[:, -5:])
    attn.del_cache()
    assert attn.cache == {} and attn.sample_t == 0 and attn._kv_buffers is None
