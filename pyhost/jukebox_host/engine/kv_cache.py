"""A growing in-place key/value cache for transformers' JukeboxAttention.

Stock `_append_cache` concatenates the whole cache with each new token (`torch.cat`), so every sampled token
copies every layer's cache: 13–33% of a token's time on the full-size top prior, growing with the position
(bench/RESULTS.md, profile). Here each attention layer keeps one buffer per key/value, the cache is a view of it,
and a new token is written in place. The buffer doubles when full (capped at the layer's context), and a sliding
cache (block attention keeps only its last block) is moved to the front of its buffer instead of growing it.
The maths is untouched: the attention reads the same values in the same order.
"""

from __future__ import annotations

import types
from typing import Any

import torch
from torch import nn


class _Buffers:
    __slots__ = ("key", "value", "start", "end")

    def __init__(self, key: torch.Tensor, value: torch.Tensor) -> None:
        self.key, self.value, self.start, self.end = key, value, 0, 0

    @property
    def capacity(self) -> int:
        return int(self.key.shape[1])


def _publish(attn: Any, buffers: _Buffers) -> tuple[torch.Tensor, torch.Tensor]:
    attn.cache["key"] = buffers.key[:, buffers.start : buffers.end]
    attn.cache["value"] = buffers.value[:, buffers.start : buffers.end]
    return attn.cache["key"], attn.cache["value"]


def _make_room(attn: Any, buffers: _Buffers | None, like: torch.Tensor, incoming: int) -> _Buffers:
    """Buffers with space for `incoming` more rows after the live ones, keeping the live rows."""
    live = 0 if buffers is None else buffers.end - buffers.start
    needed = live + incoming
    if buffers is not None and buffers.end + incoming <= buffers.capacity:
        return buffers
    if buffers is not None and needed <= buffers.capacity:  # a sliding cache: move the live rows to the front
        for tensor in (buffers.key, buffers.value):
            tensor[:, :live] = tensor[:, buffers.start : buffers.end].clone()
        buffers.start, buffers.end = 0, live
        return buffers
    capacity = max(needed, min(2 * needed, int(attn.n_ctx)), 16)
    shape = (like.shape[0], capacity, *like.shape[2:])
    grown = _Buffers(like.new_empty(shape), like.new_empty(shape))
    if buffers is not None and live:
        grown.key[:, :live] = buffers.key[:, buffers.start : buffers.end]
        grown.value[:, :live] = buffers.value[:, buffers.start : buffers.end]
    grown.end = live
    return grown


def _append_cache(self: Any, key: torch.Tensor, value: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    buffers = self._kv_buffers if "key" in self.cache else None
    buffers = _make_room(self, buffers, key, key.shape[1])
    rows = key.shape[1]
    buffers.key[:, buffers.end : buffers.end + rows] = key
    buffers.value[:, buffers.end : buffers.end + rows] = value
    buffers.end += rows
    self._kv_buffers = buffers
    key, value = _publish(self, buffers)
    if rows > 1:  # priming chunks go through .view() in transformers, which needs contiguous memory at batch > 1
        return key.contiguous(), value.contiguous()
    return key, value


def _slice_cache(self: Any, start: int, end: int | None = None) -> None:
    buffers = self._kv_buffers
    if buffers is None or self.cache.get("key") is None:  # a cache set by someone else: the stock behaviour
        self.cache["key"] = self.cache["key"][:, start:end]
        self.cache["value"] = self.cache["value"][:, start:end]
        return
    kept = range(buffers.start, buffers.end)[start:end]
    buffers.start = kept.start if len(kept) else buffers.end
    buffers.end = kept.stop if len(kept) else buffers.end
    _publish(self, buffers)


def _del_cache(self: Any) -> None:
    self.sample_t = 0
    self.cache = {}
    self._kv_buffers = None


def use_inplace_cache(module: nn.Module) -> int:
    """Give every JukeboxAttention below `module` the in-place cache; return how many were changed."""
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxAttention

    changed = 0
    for attn in module.modules():
        if isinstance(attn, JukeboxAttention) and not hasattr(attn, "_kv_buffers"):
            attn._kv_buffers = None
            attn._append_cache = types.MethodType(_append_cache, attn)
            attn._slice_cache = types.MethodType(_slice_cache, attn)
            attn.del_cache = types.MethodType(_del_cache, attn)
            changed += 1
    return changed
