"""A per-token step with a static key/value cache: fixed shapes for the whole window, so the step can be compiled
(torch.compile with inductor on the CPU) and, on CUDA, replayed as one captured graph instead of ~10,000 launches.

transformers' sampling loop, its layer stack, blocks, layer norms and MLPs all stay as they are. Only the attention
of a sampled token (one query) changes: its key and value are written at a slot computed from a position tensor,
and the attention reads a fixed-size view of the cache in which the keys the stock code would not read are masked
out (their weight is exactly 0). Per attention kind, with t the token's index in the window and bc the block length:

| kind                 | cache slots           | slot of position p    | keys read at t                    |
|----------------------|-----------------------|-----------------------|-----------------------------------|
| dense_attn           | n_ctx                 | p                     | all, masked after t               |
| block_attn           | bc (ring)             | p % bc                | all, masked after t % bc          |
| transpose_block_attn | n_ctx as (blocks, bc) | p                     | column t % bc, masked after t//bc |
| prev_block_attn      | 2·bc (ring)           | p % 2bc               | the other half (zeros in block 0) |
| prime_attn           | the padded lyric length | p while p < it      | all, masked after t               |
| cross_attention      | the encoder's length  | set once per window   | all                               |

Priming chunks run through the stock code (its own cache, or the in-place one of kv_cache.py); their keys and values
are also written to the static cache. At the window's first sampled token the stock cache is dropped. The maths per
kept key is the stock one; the sums run over more (zero-weighted) terms, so float32 results agree to rounding, not
bit for bit, and sampled tokens agree (tests/engine/test_static_step.py).
"""

from __future__ import annotations

import hashlib
import logging
import time
import types
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from jukebox_host.engine.fastpath import check_int8_kernels

log = logging.getLogger("jukebox_host")

KINDS = ("dense_attn", "block_attn", "transpose_block_attn", "prev_block_attn", "prime_attn", "cross_attention")


class StaticLayer:
    """The static cache of one attention layer, for one batch size, dtype and device."""

    def __init__(self, attn: Any, position: torch.Tensor) -> None:
        self.attn = attn
        self.kind: str = attn.attn_func
        self.position = position  # shared by the stack's layers: the index of the token in the window
        self.block_ctx = int(attn.block_ctx) if attn.blocks is not None else int(attn.n_ctx)
        # Cache slots of a self-attention kind (cross attention's come from the encoder): read on every token
        self.size = {"dense_attn": int(attn.n_ctx), "block_attn": self.block_ctx,
                     "transpose_block_attn": int(attn.n_ctx), "prev_block_attn": 2 * self.block_ctx,
                     "prime_attn": int(attn._encoder_len)}.get(self.kind, 0)
        self.keys: torch.Tensor | None = None
        self.values: torch.Tensor | None = None
        self.slots = torch.empty(0)  # arange over what the mask compares with

    def allocate(self, batch: int, dtype: torch.dtype, device: torch.device) -> None:
        if self.kind == "cross_attention":  # sized by the encoder's output when a window starts
            return
        shape = (batch, self.size, int(self.attn.hidden_dim))
        # Zeros: masked slots get weight 0, and 0 x a stale finite value is 0 (never NaN).
        self.keys = _state(torch.zeros(shape, dtype=dtype, device=device))
        self.values = _state(torch.zeros(shape, dtype=dtype, device=device))
        compared = {"transpose_block_attn": int(self.attn.n_ctx) // self.block_ctx, "block_attn": self.block_ctx}
        self.slots = torch.arange(compared.get(self.kind, self.size), device=device)
        if device.type == "cuda":  # captured graphs write the cache in place: keep its address fixed
            for tensor in (self.keys, self.values, self.slots):
                torch._dynamo.mark_static_address(tensor)

    def new_window(self) -> None:
        if self.kind == "prev_block_attn" and self.keys is not None and self.values is not None:
            self.keys.zero_()  # block 0 attends to zeros, as the stock code's zero keys and values
            self.values.zero_()

    def set_cross(self, key: torch.Tensor, value: torch.Tensor) -> None:
        """The encoder's keys and values for this window (cross attention)."""
        if self.keys is None or self.keys.shape != key.shape or self.keys.dtype != key.dtype:
            self.keys, self.values = _state(key), _state(value)
            if key.device.type == "cuda":
                torch._dynamo.mark_static_address(self.keys)
                torch._dynamo.mark_static_address(self.values)
        else:
            assert self.values is not None
            self.keys.copy_(key)
            self.values.copy_(value)

    def write_rows(self, key: torch.Tensor, value: torch.Tensor, first: int) -> None:
        """A priming chunk's keys and values, rows at window positions first, first + 1, ... (eager)."""
        assert self.keys is not None and self.values is not None
        positions = torch.arange(first, first + key.shape[1], device=key.device)
        if self.kind == "prime_attn":
            kept = positions < self.size
        else:  # a ring keeps the last `size` positions
            kept = positions >= first + key.shape[1] - self.size
        slots = positions[kept] % self.size
        self.keys.index_copy_(1, slots, key[:, kept].to(self.keys.dtype))
        self.values.index_copy_(1, slots, value[:, kept].to(self.values.dtype))

    def write_and_read(self, key: torch.Tensor, value: torch.Tensor
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Write the token's key and value (B, 1, H) at its slot; return the keys and values it attends to and
        which of them count (None: all). Tensor ops only: no Python branch on the position."""
        keys, values, t = self.keys, self.values, self.position
        assert keys is not None and values is not None
        batch, width = keys.shape[0], keys.shape[2]
        bc = self.block_ctx
        slot = (t % self.size).view(1)
        if self.kind == "prime_attn":  # the lyric cache is full once past it: written only before
            slot = t.clamp(max=self.size - 1).view(1)
            inside = t < self.size
            key = torch.where(inside, key, keys.index_select(1, slot))
            value = torch.where(inside, value, values.index_select(1, slot))
        keys.index_copy_(1, slot, key)
        values.index_copy_(1, slot, value)
        if self.kind == "block_attn":
            return keys, values, self.slots <= t % bc
        if self.kind == "transpose_block_attn":
            column = (t % bc).view(1)
            blocks = keys.shape[1] // bc
            read_k = keys.view(batch, blocks, bc, width).index_select(2, column).view(batch, blocks, width)
            read_v = values.view(batch, blocks, bc, width).index_select(2, column).view(batch, blocks, width)
            return read_k, read_v, self.slots <= t // bc
        if self.kind == "prev_block_attn":
            half = ((t // bc - 1) % 2).view(1)
            read_k = keys.view(batch, 2, bc, width).index_select(1, half).view(batch, bc, width)
            read_v = values.view(batch, 2, bc, width).index_select(1, half).view(batch, bc, width)
            return read_k, read_v, None
        return keys, values, self.slots <= t  # dense, prime


def _state(tensor: torch.Tensor) -> torch.Tensor:
    """A copy that is not an inference tensor: the cache is made under torch.inference_mode (the host samples in
    it) and may be written later under no_grad, where an inference tensor refuses in-place writes."""
    with torch.inference_mode(False):
        return tensor.clone()


def _attend(attn: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
            valid: torch.Tensor | None) -> torch.Tensor:
    """transformers' JukeboxAttention._attn at sampling time (eval), with masked keys weighted 0."""
    query = attn.split_heads(query)
    key = attn.split_heads(key, is_key=True)
    value = attn.split_heads(value)
    weight = torch.matmul(query, key)
    weight.mul_(attn.scale * attn.scale)
    weight_dtype = weight.dtype
    weight = weight.float()
    if valid is not None:
        weight = weight.masked_fill(~valid, float("-inf"))
    probability = F.softmax(weight, dim=-1).type(weight_dtype)
    return attn.merge_heads(torch.matmul(probability, value))


def _attention_forward(self: Any, hidden_states: torch.Tensor, last_encoder_hidden_states: Any = None,
                       sample: bool = False) -> torch.Tensor:
    layer: StaticLayer | None = self._static_layer
    if layer is None or not self._static_active:
        return self._stock_forward(hidden_states, last_encoder_hidden_states, sample)
    hidden = self.c_attn(hidden_states)
    if layer.kind == "cross_attention":
        assert layer.keys is not None and layer.values is not None
        query, key, value, valid = hidden, layer.keys, layer.values, None
    else:
        query, key, value = hidden.chunk(3, dim=2)
        key, value, valid = layer.write_and_read(key, value)
    return self.resid_dropout(self.c_proj(_attend(self, query, key, value, valid)))


def _append_cache(self: Any, key: torch.Tensor, value: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A priming chunk: into the static cache too, then the stock (or in-place) cache as before."""
    step: StaticStep = self._static_step
    if step.started:
        raise RuntimeError("a priming chunk after sampled tokens in the same window")
    layer = step.prepare(key)[self._static_index]
    # factored_qkv counts the chunk in sample_t before appending, prime_qkv after
    first = self.sample_t if self.attn_func == "prime_attn" else self.sample_t - key.shape[1]
    layer.write_rows(key, value, first)
    return self._static_previous_append(key, value)


class StaticStep:
    """The static-cache step of one prior's layer stack (JukeboxLayerStack), installed on it by `install`."""

    def __init__(self, stack: nn.Module, compiled: bool) -> None:
        self.stack = stack
        self.attns = [block.attn for block in stack._attn_mods]
        self.position = torch.zeros((), dtype=torch.long)
        self.layers: list[StaticLayer] = []
        self.signature: tuple[int, torch.dtype, torch.device] | None = None
        self.started = False
        self.compiled = compiled
        self._compiled_fn: Any = None
        self.stock_forward = stack.forward
        self.stock_del_cache = stack.del_cache
        # (batch, device) -> seconds of its first compiled token: the compile, where that batch size needed one
        self.compiled_shapes: dict[tuple[int, str], float] = {}

    def prepare(self, like: torch.Tensor) -> list[StaticLayer]:
        """Caches for like's batch, dtype and device (new ones when any changes)."""
        signature = (int(like.shape[0]), like.dtype, like.device)
        if signature != self.signature:
            self.position = _state(torch.zeros((), dtype=torch.long, device=like.device))
            if like.device.type == "cuda":
                torch._dynamo.mark_static_address(self.position)
            check_int8_kernels(self.stack, like.device)
            self.layers = [StaticLayer(attn, self.position) for attn in self.attns]
            for layer, attn in zip(self.layers, self.attns, strict=True):
                layer.allocate(*signature)
                attn._static_layer = layer
            self.signature = signature
        return self.layers

    def _start_window(self, hidden: torch.Tensor, encoder_states: torch.Tensor | None) -> None:
        """At a window's first sampled token: the encoder's keys for cross attention, and the stock caches freed."""
        layers = self.prepare(hidden)
        for layer, attn in zip(layers, self.attns, strict=True):
            if layer.kind == "cross_attention":
                if "key" in attn.cache:
                    key, value = attn.cache["key"], attn.cache["value"]
                else:  # what decode_qkv computes at the window's first token
                    assert encoder_states is not None, "cross attention needs the encoder's output"
                    key, value = attn.c_enc_kv(encoder_states.type_as(hidden)).chunk(2, dim=2)
                layer.set_cross(key, value)
            attn.cache = {}
            if hasattr(attn, "_kv_buffers"):
                attn._kv_buffers = None
        self.started = True

    def _layers_forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.stock_forward(hidden, None, True)

    def _runner(self, hidden: torch.Tensor) -> Any:
        if not self.compiled:
            return self._layers_forward
        if self._compiled_fn is None:
            allow_recompiles()
            cuda = hidden.device.type == "cuda"
            # CUDA: CUDA graphs, one per batch size. CPU: dynamo's automatic dynamic shapes: batch 1 is a graph
            # of its own, and the first batch > 1 compiles one with a symbolic batch size that serves every other
            # (measured: same speed as a graph per size; up to 15 compiles of a minute each saved).
            # Inductor's attention fusion (fuse_attention.py) takes the one-query attention for a batched SDPA
            # and fails on its shapes; the rest of its patterns go with it.
            forward = types.MethodType(_own_code(StaticStep._layers_forward, _shape_name(self.stack)), self)
            self._compiled_fn = torch.compile(forward, mode="reduce-overhead" if cuda else None,
                                              dynamic=False if cuda else None, options={"pattern_matcher": False})
        return self._compiled_fn

    def _run(self, hidden: torch.Tensor, first_compile: bool) -> torch.Tensor:
        try:
            return self._runner(hidden)(hidden)
        except Exception as exc:
            if not first_compile:
                raise
            # Compiling failed (inductor needs a C++ compiler on the CPU, for one): the same step, uncompiled.
            # Nothing was written yet, and the eager step writes the same slot anyway.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            log.error("compiling the per-token step failed (%s): this prior runs it uncompiled", reason)
            self.compiled, self._compiled_fn = False, None
            return self._layers_forward(hidden)

    def token(self, hidden: torch.Tensor, encoder_states: torch.Tensor | None) -> torch.Tensor:
        """One sampled token through the stack: hidden (B, 1, width)."""
        if not self.started:
            self._start_window(hidden, encoder_states)
        self.position.fill_(int(self.attns[0].sample_t))
        key = (int(hidden.shape[0]), str(hidden.device))
        first_compile = self.compiled and key not in self.compiled_shapes
        started = time.perf_counter() if first_compile else 0.0
        for attn in self.attns:
            attn._static_active = True
        try:
            out = self._run(hidden, first_compile)
        finally:
            for attn in self.attns:
                attn._static_active = False
        if first_compile and self.compiled:
            self.compiled_shapes[key] = time.perf_counter() - started
        for attn in self.attns:
            attn.sample_t += 1
        return out

    def forward(self, hidden_states: torch.Tensor, last_encoder_hidden_states: torch.Tensor | None = None,
                sample: bool = False) -> torch.Tensor:
        if sample and hidden_states.shape[1] == 1:
            return self.token(hidden_states, last_encoder_hidden_states)
        return self.stock_forward(hidden_states, last_encoder_hidden_states, sample)

    def del_cache(self) -> None:
        self.stock_del_cache()
        self.started = False
        for layer in self.layers:
            layer.new_window()


def _shape_name(stack: nn.Module) -> str:
    """A name for the stack's structure (attention kinds, every tensor's name, shape and type): the same for two
    priors that can share compiled graphs, different otherwise, the same in every process."""
    kinds = [block.attn.attn_func for block in stack._attn_mods]
    tensors = [(name, tuple(tensor.shape), str(tensor.dtype)) for name, tensor in stack.state_dict().items()]
    return "static_step_" + hashlib.sha256(repr((kinds, tensors)).encode()).hexdigest()[:16]


def _own_code(function: Any, name: str) -> Any:
    """`function` with a code object of its own, named `name`. dynamo keeps compiled graphs, and learns which
    sizes vary, per code object (and name, across processes): priors of other widths sharing one took each other's
    widths for varying sizes and compiled generic graphs, and recompiled at batch sizes meant to be warm."""
    code = function.__code__.replace(co_name=name)
    if hasattr(code, "co_qualname"):  # Python 3.11+
        code = code.replace(co_qualname=name)
    return types.FunctionType(code, function.__globals__, name, function.__defaults__, function.__closure__)


def allow_recompiles(limit: int = 64) -> None:
    """On CUDA each batch size (1 to 16) is its own graph of a prior's step: more than dynamo's default 8."""
    config = torch._dynamo.config
    for name in ("recompile_limit", "cache_size_limit"):
        if hasattr(config, name):
            setattr(config, name, max(int(getattr(config, name)), limit))


def supported(stack: nn.Module) -> str | None:
    """None when every attention kind of the stack has a static step, else why not."""
    for block in stack._attn_mods:
        attn = block.attn
        if attn.attn_func not in KINDS:
            return f"attention kind {attn.attn_func} has no static step"
        if attn.blocks is not None and int(attn.n_ctx) % int(attn.blocks):
            return f"n_ctx {attn.n_ctx} is not a whole number of {attn.blocks} blocks"
    return None


def install(stack: nn.Module, compiled: bool) -> StaticStep:
    """Give a JukeboxLayerStack the static-cache step (compiled or eager). Call after kv_cache.use_inplace_cache
    and the fast path's layer swaps, which it builds on."""
    reason = supported(stack)
    if reason is not None:
        raise ValueError(reason)
    for module in stack.modules():  # JukeboxLayerNorm keeps numpy ints, which dynamo takes for tensors
        for name in ("width", "max_numel"):
            if isinstance(getattr(module, name, None), np.integer):
                setattr(module, name, int(getattr(module, name)))
    step = StaticStep(stack, compiled)
    for index, attn in enumerate(step.attns):
        attn._static_step, attn._static_index = step, index
        attn._static_layer, attn._static_active = None, False
        attn._stock_forward = attn.forward
        attn.forward = types.MethodType(_attention_forward, attn)
        attn._static_previous_append = attn._append_cache
        attn._append_cache = types.MethodType(_append_cache, attn)
    stack._static_step = step
    stack.forward = step.forward
    stack.del_cache = step.del_cache
    return step


STEPS = ("stock", "static", "compiled")


def choose_step(step: str, fastpath: str, device: torch.device) -> str:
    """'auto': the compiled step where it was measured faster than transformers' step at batch 1 and 4 (bench/
    RESULTS.md 5d, 5e): int8 layers on the CPU. Elsewhere transformers' step: float32 compiled is slower at batch 1
    on the CPU (its matrix products already read at the kernel's speed), and on CUDA nothing has been measured yet."""
    if step != "auto":
        return step
    return "compiled" if device.type == "cpu" and fastpath == "int8" else "stock"


def install_on_priors(model: Any, step: str) -> list[StaticStep]:
    """step 'static' or 'compiled' on every prior's stack of a JukeboxModel (the lyric encoders run whole, not
    token by token); 'stock' leaves transformers' step."""
    if step == "stock":
        return []
    return [install(prior.prior.transformer, step == "compiled") for prior in model.priors]


def blank_window(prior: Any, batch: int, device: torch.device) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
    """Labels (a 60 s piece from its start, every id 0) and, for an upsampler, a window of the upper level's
    tokens: enough to run a prior's sampling loop without a job (warm-up, benchmarks)."""
    n_labels = 4 + prior.metadata_embedding.max_nb_genres + prior.nb_relevant_lyric_tokens
    metadata = torch.zeros(batch, n_labels, dtype=torch.long, device=device)
    metadata[:, 0], metadata[:, 2] = 44100 * 60, int(prior.sample_length)
    if prior.level == 0:
        return metadata, None
    upper = prior.n_ctx // prior.cond_downsample
    return metadata, [torch.zeros(batch, upper, dtype=torch.long, device=device)]


def warm_batches(device: torch.device) -> tuple[int, ...]:
    """The batch sizes compiled at load: on the CPU batch 1 and 2, whose graph serves every batch size > 1
    (StaticStep._runner); on CUDA batch 1, other sizes at first use."""
    return (1, 2) if device.type == "cpu" else (1,)


def warm_up(model: Any, device: torch.device) -> str:
    """Compile every prior's step now, at load, not in the first musician's job: two tokens sampled from a blank
    window per batch size of warm_batches. Returns what was compiled and how long it took, for the log."""
    started = time.perf_counter()
    rng = torch.random.get_rng_state()
    with torch.inference_mode():
        for prior in model.priors:
            for batch in warm_batches(device):
                metadata, conds = blank_window(prior, batch, device)
                prior.sample(batch, music_tokens=None, music_tokens_conds=conds, metadata=metadata,
                             sample_tokens=2)
                prior.prior.transformer.del_cache()
    torch.random.set_rng_state(rng)  # a warm-up draws nothing from a job's seed
    sizes = "batch 1 and 2 (serves 2 and up)" if warm_batches(device) == (1, 2) else "batch 1"
    uncompiled = [str(prior.level) for prior in model.priors if not prior.prior.transformer._static_step.compiled]
    if uncompiled:
        return f"per-token step left uncompiled for prior(s) {', '.join(uncompiled)}: compiling failed (logged above)"
    return f"per-token step compiled for {sizes} in {time.perf_counter() - started:.1f} s"
