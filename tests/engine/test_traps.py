"""Each trap of transformers' Jukebox code (docs/ENGINE.md, "Which jukebox") has a test here that fails if it
comes back."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from plans import make_plan

from jukebox_host.engine import sampling
from jukebox_host.engine.decoding import decode, encode_prompt
from jukebox_host.engine.loading import LoadedModel, fix_windowed_conditioning, load_model
from jukebox_host.engine.plan import Output, Plan
from jukebox_host.engine.schedule import window_starts
from jukebox_host.engine.tiny import build_tiny_model, write_tiny_model
from jukebox_host.wire.errors import HostError, JobCancelled


@pytest.fixture(scope="module")
def loaded(tiny_dir: Path) -> LoadedModel:
    return load_model(str(tiny_dir), torch.device("cpu"), torch.float32)


def _plan(**overrides: object) -> Plan:
    return make_plan(**{**dict(total_samples=44100, prompt_samples=22050, levels=[0], seed=1, preview=True),
                        **overrides})


def _run(loaded: LoadedModel, plan: Plan, prompt: np.ndarray | None,
         cancel: threading.Event | None = None) -> list[Output]:
    return list(sampling.run(loaded, plan, prompt, lambda *_: None, cancel or threading.Event()))


def _prompt(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * 44100)) / 44100
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_trap1_random_init_leaves_no_garbage() -> None:
    """JukeboxModel(config) leaves Conv1D weights and pos_emb uninitialised; ours draws every one as the
    priors' own _init_weights says (std 0.02 and 0.01 times init_scale)."""
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxConv1D, JukeboxPositionalEmbedding

    model = build_tiny_model(seed=0)
    checked = 0
    for prior in model.priors:
        scale = prior.config.init_scale
        for module in prior.modules():
            if isinstance(module, JukeboxConv1D):
                tensor, expected = module.weight, 0.02 * scale
            elif isinstance(module, JukeboxPositionalEmbedding):
                tensor, expected = module.pos_emb, 0.01 * scale
            else:
                continue
            std = float(tensor.detach().std())
            assert torch.isfinite(tensor).all() and 0.6 * expected < std < 1.5 * expected, (module, std)
            checked += 1
    assert checked > 10
    for name, param in model.named_parameters():
        assert torch.isfinite(param).all(), name


def test_vqvae_codebooks_are_not_all_zero() -> None:
    """Untrained codebooks are zero buffers: every code decodes the same. Different codes must sound different."""
    model = build_tiny_model(seed=0)
    for block in model.vqvae.bottleneck.level_blocks:
        assert float(block.codebook.std()) > 0
    codes = torch.randint(0, 64, (2, 32))
    with torch.no_grad():
        audio = model.vqvae.decode([codes], start_level=2, end_level=3, bs_chunks=2)
    assert float((audio[0] - audio[1]).abs().mean()) > 0.01


def test_trap2_tied_weights_survive_save_and_load(tmp_path: Path) -> None:
    """Upsamplers and the 1b-style top tie fc_proj_out to embed_tokens: saving must work and the tie must come back,
    not random."""
    original = build_tiny_model(seed=3)
    folder = write_tiny_model(tmp_path / "ckpt", seed=3)
    assert [p.prior.share_embed_tokens_fc_proj_out for p in original.priors] == [True, True, True]
    saved = original.state_dict()
    for dtype in (torch.float32, torch.bfloat16):  # 16-bit priors load straight in their dtype
        loaded = load_model(str(folder), torch.device("cpu"), dtype, fastpath="stock").model
        for after in loaded.priors:  # one storage for both, not two copies
            assert after.prior.fc_proj_out.weight.data_ptr() == after.prior.embed_tokens.weight.data_ptr()
            assert after.prior.embed_tokens.weight.dtype == dtype
        assert all(p.dtype == torch.float32 for p in loaded.vqvae.parameters())
        for key, value in loaded.state_dict().items():
            assert torch.equal(value, saved[key].to(value.dtype)), key


def test_trap3_prompt_codes_are_ordered_top_first(loaded: LoadedModel) -> None:
    codes = encode_prompt(loaded, _prompt(0.5)[:16384], n_samples=2)
    assert [c.shape for c in codes] == [(2, 16384 // 128), (2, 16384 // 32), (2, 16384 // 8)]
    for prior, c in zip(loaded.model.priors, codes):
        assert c.shape[1] == 16384 // int(prior.raw_to_tokens)


def test_trap4_upsampling_windows_condition_on_their_own_slice(loaded: LoadedModel) -> None:
    prior = loaded.model.priors[1]
    step = prior.cond_downsample
    upper = torch.arange(1000).view(1, -1) % 64
    tokens = [upper, torch.zeros(1, 0, dtype=torch.long), torch.zeros(1, 0, dtype=torch.long)]
    (window,) = prior.get_music_tokens_conds(tokens, 320, 320 + prior.n_ctx)
    assert window.shape == (1, prior.n_ctx // step)
    assert torch.equal(window, upper[:, 320 // step : (320 + prior.n_ctx) // step])
    # Past the end of the upper level, the window is zero-padded to its full size.
    (tail,) = prior.get_music_tokens_conds([upper[:, :90], *tokens[1:]], 320, 320 + prior.n_ctx)
    assert tail.shape == (1, prior.n_ctx // step) and int(tail[0, -1]) == 0


def test_trap4_unpatched_prior_would_condition_on_everything(tiny_dir: Path) -> None:
    """Guards the test above: the stock method really is the unbounded one, so our patch is what bounds it."""
    model = build_tiny_model(seed=0)
    prior = model.priors[1]
    upper = torch.arange(1000).view(1, -1) % 64
    tokens = [upper, torch.zeros(1, 0, dtype=torch.long), torch.zeros(1, 0, dtype=torch.long)]
    (stock,) = prior.get_music_tokens_conds(tokens, 320, 320 + prior.n_ctx)
    fix_windowed_conditioning(prior)
    (fixed,) = prior.get_music_tokens_conds(tokens, 320, 320 + prior.n_ctx)
    assert stock.shape[1] > fixed.shape[1] == prior.n_ctx // prior.cond_downsample


def test_trap4_long_upsampling_keeps_conditioning_bounded(loaded: LoadedModel) -> None:
    seen: list[int] = []
    hooks = [p.conditioner_blocks.register_forward_hook(lambda _m, args, _o: seen.append(args[0].shape[1]))
             for p in loaded.model.priors[1:]]
    try:
        outputs = _run(loaded, _plan(mode="upsample", levels=[1, 2]), _prompt(0.3))
    finally:
        for h in hooks:
            h.remove()
    assert outputs[-1].final and outputs[-1].level == 0
    assert len(seen) > 4  # many windows
    assert max(seen) <= max(p.n_ctx // p.cond_downsample for p in loaded.model.priors[1:])


def test_trap5_sampling_writes_no_files(loaded: LoadedModel, tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        _run(loaded, _plan(levels=[0, 1, 2], total_samples=8192, prompt_samples=4096), _prompt(0.1))
    finally:
        os.chdir(cwd)
    assert list(tmp_path.iterdir()) == []


def test_trap6_decode_lengths_per_level(loaded: LoadedModel) -> None:
    codes = [torch.randint(0, 64, (1, n)) for n in (10, 40, 160)]
    assert decode(loaded, codes, 0).shape == (1, 10 * 128)
    assert decode(loaded, codes, 1).shape == (1, 40 * 32)
    assert decode(loaded, codes, 2).shape == (1, 160 * 8)


def test_primed_continuation_keeps_the_prompt_and_reaches_the_total_length(loaded: LoadedModel) -> None:
    """Below n_ctx, transformers counts *new* tokens; above it, total tokens. Both must give the asked length."""
    for total in (0.25, 1.0):  # 86 top tokens (> n_ctx 64) and 21 (< n_ctx)
        plan = _plan(total_samples=int(total * 44100))
        (out,) = _run(loaded, plan, _prompt(total / 2))
        assert abs(len(out.audio) - total * 44100) < 128


def test_stale_cache_after_cancel_is_cleared(loaded: LoadedModel) -> None:
    prompt = _prompt(0.2)
    plan = _plan(total_samples=44100 * 2)
    reference = _run(loaded, plan, prompt)[-1].audio
    cancel = threading.Event()
    calls = {"n": 0}

    def progress(*_: object) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            cancel.set()

    with pytest.raises(JobCancelled):
        list(sampling.run(loaded, plan, prompt, progress, cancel))
    for prior in loaded.model.priors:
        for layer in prior.prior.transformer._attn_mods:
            assert layer.attn.sample_t == 0
    assert np.array_equal(_run(loaded, plan, prompt)[-1].audio, reference)


def test_unknown_artist_is_an_error_not_id_zero(loaded: LoadedModel) -> None:
    with pytest.raises(HostError) as info:
        _run(loaded, _plan(artist="Nina Simon"), _prompt(0.2))
    assert info.value.code == "unknown_artist" and "nina simone" in info.value.message


def test_n_samples_are_one_batch(loaded: LoadedModel) -> None:
    batches: list[int] = []
    hook = loaded.model.priors[0].prior.fc_proj_out.register_forward_hook(
        lambda _m, _i, out: batches.append(out.shape[0]))
    try:
        _run(loaded, _plan(n_samples=3, total_samples=22050), _prompt(0.1))
    finally:
        hook.remove()
    assert batches and set(batches) == {3}


def test_window_starts_cover_the_whole_length() -> None:
    for total, n_ctx, hop in [(100, 64, 32), (64, 64, 32), (65, 64, 8), (1000, 64, 64)]:
        starts = window_starts(total, n_ctx, hop)
        assert starts[0] == 0 and starts[-1] + n_ctx == total
        assert all(b - a <= hop for a, b in zip(starts, starts[1:]))


def test_bfloat16_priors_sample_on_cpu(tiny_dir: Path) -> None:
    half = load_model(str(tiny_dir), torch.device("cpu"), torch.bfloat16)
    assert half.model.priors[0].prior.fc_proj_out.weight.dtype == torch.bfloat16
    assert half.model.vqvae.decoders[0].out.weight.dtype == torch.float32
    (out,) = _run(half, _plan(total_samples=22050), _prompt(0.1))
    assert np.isfinite(out.audio).all() and len(out.audio) > 0


def test_v2_genres_are_bags_of_words(tmp_path: Path) -> None:
    """OpenAI's v2 labels (5b, 5b_lyrics, every upsampler) split a genre into up to 5 words: 'Hip Hop' is hip + hop,
    padded with -1. The v3 top of 1b_lyrics looks the whole name up in its one slot. (transformers splits v2 genres
    on '_' only and shares one slot count across all levels.)"""
    import json
    from types import SimpleNamespace

    from transformers.models.deprecated.jukebox import JukeboxTokenizer

    from jukebox_host.engine.labels import make_labels

    files = {"artists.json": {"unknown": 0, "unknown.v2": 0},
             "genres.json": {"unknown.v2": 0, "hip.v2": 3, "hop.v2": 4, "hip hop": 7, "unknown": 0},
             "lyrics.json": {"<unk>": 0, "a": 1}}
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    paths = [str(tmp_path / n) for n in files]
    model = SimpleNamespace(priors=[SimpleNamespace(nb_relevant_lyric_tokens=0)] * 3)
    bag = [3, 4, -1, -1, -1]
    for versions, want in ((["v2", "v2", "v2"], [bag] * 3), (["v3", "v2", "v2"], [[7], bag, bag])):
        tokenizer = JukeboxTokenizer(*paths, version=versions, n_genres=2, max_n_lyric_tokens=4)
        labels = make_labels(model, tokenizer, "unknown", "Hip Hop", "", 1, torch.device("cpu"))
        assert [t[0, 4:].tolist() for t in labels] == want
    tokenizer = JukeboxTokenizer(*paths, version=["v2", "v2", "v2"], n_genres=2, max_n_lyric_tokens=4)
    with pytest.raises(HostError) as info:
        make_labels(model, tokenizer, "unknown", "hip hop hop hip hop hip", "", 1, torch.device("cpu"))
    assert info.value.code == "unknown_genre" and "at most 5" in info.value.message
