"""The static-cache per-token step (eager and compiled) samples what transformers' own step samples: for every
attention kind of the real models (block, transpose, previous block, prime, dense, cross), priming chunks, batch > 1,
window changes and a cancel between tokens. Priors are built with a large init scale so that attention is sharp:
there a wrong mask moves the logits by 1e-2, not the 1e-6 a near-uniform tiny model would hide it behind."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from plans import make_plan
from torch._dynamo.utils import counters

from jukebox_host.engine import sampling
from jukebox_host.engine.configs import prior_alone
from jukebox_host.engine.fastpath import quantize_int8
from jukebox_host.engine.kv_cache import use_inplace_cache
from jukebox_host.engine.loading import ModelRegistry, load_model
from jukebox_host.engine.static_step import blank_window, choose_step, install
from jukebox_host.engine.tiny import tiny_config
from jukebox_host.wire.errors import JobCancelled

LOGIT_TOLERANCE = 1e-5  # float32 rounding of longer (zero-weighted) sums; a wrong mask moves them by ~1e-2


def _prior(style: str, level: int, layers: int | None) -> torch.nn.Module:
    overrides: dict[str, object] = {} if layers is None else {"num_layers": layers}
    if style != "5b_lyrics":  # its lyric encoder's activations overflow at this scale (NaN in either step)
        overrides["init_scale"] = 1.0
    torch.manual_seed(0)
    prior = prior_alone(tiny_config(style), level, **overrides)
    with torch.no_grad():  # _init_weights leaves some tensors as allocated (e.g. the lyric encoder's): never garbage
        for tensor in [*prior.parameters(), *prior.buffers()]:
            if tensor.is_floating_point():
                tensor.normal_(0.0, 0.02)
    prior.apply(prior._init_weights)
    return prior


def _sample(prior: torch.nn.Module, batch: int, prime: int, top_k: int, chunk_size: int = 8
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Tokens of one window and the logits of every sampled token."""
    logits: list[torch.Tensor] = []
    hook = prior.prior.fc_proj_out.register_forward_hook(
        lambda _m, _i, out: logits.append(out.clone()) if out.shape[1] == 1 else None)
    metadata, conds = blank_window(prior, batch, torch.device("cpu"))
    torch.manual_seed(3)
    prompt = torch.randint(0, 64, (batch, prime)) if prime else None
    try:
        with torch.inference_mode():
            tokens = prior.sample(batch, music_tokens=prompt, music_tokens_conds=conds, metadata=metadata,
                                  top_k=top_k, chunk_size=chunk_size)
    finally:
        hook.remove()
    return tokens, torch.cat(logits, dim=1)


# (tiny model shape, prior, layers): 48 layers of the 1b_lyrics pattern reach its prime and dense layers (15, 31,
# 47); the 5b_lyrics top's 19th layer is cross attention; the others are block / transpose / previous block.
PRIORS = [("1b_lyrics", 0, 48), ("5b_lyrics", 0, None), ("5b", 0, 3), ("1b_lyrics", 1, 3)]


@pytest.mark.parametrize(("style", "level", "layers"), PRIORS)
def test_static_step_samples_what_the_stock_step_samples(style: str, level: int, layers: int | None) -> None:
    stock = _prior(style, level, layers)
    static = copy.deepcopy(stock)
    use_inplace_cache(static)
    install(static.prior.transformer, compiled=False)
    kinds = {block.attn.attn_func for block in static.prior.transformer._attn_mods}
    for batch in (1, 2):
        for prime in (0, 21):  # from nothing; primed in chunks of 8 (the last one partial)
            for top_k in (1, 0):  # greedy; sampled from the same seed
                want_tokens, want_logits = _sample(stock, batch, prime, top_k)
                tokens, logits = _sample(static, batch, prime, top_k)
                assert torch.equal(tokens, want_tokens), (kinds, batch, prime, top_k)
                assert float((logits - want_logits).abs().max()) <= LOGIT_TOLERANCE, (kinds, batch, prime)


def test_a_wrong_mask_is_seen() -> None:
    """The comparison above can fail: a static step that attends to its current block's future keys."""
    stock = _prior("5b", 0, 3)
    broken = copy.deepcopy(stock)
    step = install(broken.prior.transformer, compiled=False)
    original = step.prepare

    def widen_block(like: torch.Tensor) -> list:
        layers = original(like)
        for layer in layers:
            if layer.kind == "block_attn":
                layer.slots = layer.slots - 1  # one key too many counts as seen
        return layers

    step.prepare = widen_block  # type: ignore[method-assign]
    _, want = _sample(stock, 1, 0, 1)
    _, got = _sample(broken, 1, 0, 1)
    assert float((got - want).abs().max()) > 100 * LOGIT_TOLERANCE


def test_compiled_step_samples_what_the_stock_step_samples() -> None:
    """torch.compile (inductor) of the step, first token's time recorded per batch size. On the CPU two graphs
    serve every batch size: batch 1, and one with a symbolic batch size compiled at the first batch > 1."""
    stock = _prior("1b_lyrics", 1, 3)
    compiled = copy.deepcopy(stock)
    use_inplace_cache(compiled)
    step = install(compiled.prior.transformer, compiled=True)
    counters.clear()
    for batch in (1, 2, 3):
        want_tokens, want_logits = _sample(stock, batch, 21, 1)
        tokens, logits = _sample(compiled, batch, 21, 1)
        assert torch.equal(tokens, want_tokens)
        assert float((logits - want_logits).abs().max()) <= LOGIT_TOLERANCE
    assert set(step.compiled_shapes) == {(1, "cpu"), (2, "cpu"), (3, "cpu")}
    assert counters["stats"]["unique_graphs"] == 2


def test_the_int8_compiled_step_is_one_graph() -> None:
    """The int8 layers check their kernel once per device, reading numbers back to Python: that must happen before
    the compiled step runs, or the graph splits at every layer (it did: 1.6x slower than eager). Here the prompt
    primes in one chunk of more than 64 rows, which skips the kernel, so the first kernel call is a sampled token's."""
    stock = _prior("1b_lyrics", 0, 3)
    quantize_int8(stock, torch.device("cpu"))
    use_inplace_cache(stock)
    compiled = copy.deepcopy(stock)
    install(compiled.prior.transformer, compiled=True)
    counters.clear()
    tokens, logits = _sample(compiled, 1, 50, 1, chunk_size=128)
    assert not counters["graph_break"], dict(counters["graph_break"])
    want_tokens, want_logits = _sample(stock, 1, 50, 1, chunk_size=128)
    # Activations in bfloat16 (8 significant bits): compiled kernels round differently; measured 0.14% of the range
    assert torch.equal(tokens, want_tokens)
    assert float((logits - want_logits).abs().max()) <= 0.01 * float(want_logits.abs().max())


@pytest.mark.parametrize(("style", "level", "layers"), [("1b_lyrics", 0, 48), ("5b_lyrics", 0, None)])
def test_the_step_is_one_graph(style: str, level: int, layers: int | None) -> None:
    """No Python branch on a tensor and no host sync anywhere in the step, so CUDA can capture it whole: dynamo
    traces it with fullgraph=True (the eager backend: only the tracing is checked)."""
    prior = _prior(style, level, layers)
    step = install(prior.prior.transformer, compiled=False)
    _sample(prior, 1, 21, 1)  # caches allocated
    hidden = torch.randn(1, 1, int(prior.prior.width))
    step.started = True
    for attn in step.attns:
        attn._static_active = True
    traced = torch.compile(step._layers_forward, backend="eager", fullgraph=True, dynamic=False)
    with torch.inference_mode():
        traced(hidden)


def _run(loaded: object, cancel: threading.Event | None = None) -> np.ndarray:
    t = np.arange(8192) / 44100
    prompt = (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    # 3 windows at the top level and upsampling of the middle level: caches fill, slide and refill.
    plan = make_plan(total_samples=32768, prompt_samples=8192, levels=[0, 1], n_samples=2, seed=11, lyrics="la")
    (out,) = list(sampling.run(loaded, plan, prompt, lambda *_: None, cancel or threading.Event()))  # type: ignore[arg-type]
    return out.variations


@pytest.mark.parametrize(("fastpath", "step", "same_as_stock_step"),
                         [("stock", "static", True), ("int8", "static", True), ("int8", "compiled", False)])
def test_the_host_samples_the_same_with_the_static_step(tiny_dir: Path, fastpath: str, step: str,
                                                        same_as_stock_step: bool) -> None:
    """The same audio as transformers' step on the same layers, except int8 compiled (auto's choice): its fused
    kernels sum float32 terms in another order (layer norms, attention), which now and then flips the rounding of
    an activation to bfloat16 and then a sampled token (one window's greedy tokens are checked above). float32
    compiled is the same audio (test_compiled_step_samples_what_the_stock_step_samples). Every job must be
    repeatable and survive a cancel."""
    static = load_model(str(tiny_dir), torch.device("cpu"), torch.float32, fastpath=fastpath, step=step)
    want = _run(static)
    if same_as_stock_step:
        stock = load_model(str(tiny_dir), torch.device("cpu"), torch.float32, fastpath=fastpath)
        assert np.array_equal(want, _run(stock))
    assert np.isfinite(want).all() and np.array_equal(_run(static), want)
    # A cancel between tokens leaves nothing behind: the next job samples as a fresh host does.
    cancel = threading.Event()
    calls = []

    def cancel_soon(*_args: object) -> None:
        calls.append(1)
        if len(calls) == 20:
            cancel.set()

    handle = static.model.priors[0].prior.fc_proj_out.register_forward_hook(cancel_soon)
    with pytest.raises(JobCancelled):
        _run(static, cancel)
    handle.remove()
    assert np.array_equal(_run(static), want)


@pytest.mark.parametrize(("fastpath", "step", "want"), [("int8", "auto", "compiled"), ("stock", "auto", "stock"),
                                                        ("linear", "auto", "stock"), ("int8", "static", "static"),
                                                        ("stock", "compiled", "compiled")])
def test_auto_compiles_where_measured_faster(fastpath: str, step: str, want: str) -> None:
    """'auto' (the CLI's default) takes the compiled step with int8 layers on the CPU only; a named step stands."""
    assert ModelRegistry("cpu", "float32", fastpath=fastpath, step=step).step == want
    assert choose_step("auto", "int8", torch.device("cuda")) == "stock"  # not measured on CUDA yet


def test_each_prior_compiles_two_graphs_at_load_and_no_more(tiny_dir: Path) -> None:
    """The three priors differ in width and attention: each gets graphs of its own (batch 1, and batch 2 serving
    every size above), all at load; no job size compiles again. Sharing one code object, the priors' different
    widths read as sizes that vary, and a job of 3 samples recompiled."""
    counters.clear()
    loaded = load_model(str(tiny_dir), torch.device("cpu"), torch.float32, fastpath="int8", step="compiled")
    assert counters["stats"]["unique_graphs"] == 2 * len(loaded.model.priors)
    with torch.inference_mode():
        for prior in loaded.model.priors:
            for batch in (3, 1, 5):
                metadata, conds = blank_window(prior, batch, torch.device("cpu"))
                prior.sample(batch, music_tokens=None, music_tokens_conds=conds, metadata=metadata, sample_tokens=2)
                prior.prior.transformer.del_cache()
    assert counters["stats"]["unique_graphs"] == 2 * len(loaded.model.priors)


def test_a_failed_compile_runs_the_step_uncompiled(caplog: pytest.LogCaptureFixture) -> None:
    """Compiling can fail where the host runs (inductor needs a C++ compiler on the CPU): one clear log line, and
    the same tokens from the same step run eagerly."""
    stock = _prior("1b_lyrics", 1, 3)
    compiled = copy.deepcopy(stock)
    use_inplace_cache(compiled)
    step = install(compiled.prior.transformer, compiled=True)

    def no_compiler(_hidden: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("InvalidCxxCompiler: No working C++ compiler found\nmore lines")

    step._compiled_fn = no_compiler
    with caplog.at_level("ERROR", logger="jukebox_host"):
        tokens, logits = _sample(compiled, 1, 21, 1)
    want_tokens, want_logits = _sample(stock, 1, 21, 1)
    assert torch.equal(tokens, want_tokens) and float((logits - want_logits).abs().max()) <= LOGIT_TOLERANCE
    assert not step.compiled and not step.compiled_shapes
    assert [r.getMessage() for r in caplog.records] == [
        "compiling the per-token step failed (InvalidCxxCompiler: No working C++ compiler found): this prior runs "
        "it uncompiled"]
