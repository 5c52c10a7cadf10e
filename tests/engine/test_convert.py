"""`jukebox-host convert`: OpenAI's original checkpoints → a folder that loads and samples like any other.

The original layouts are pinned fixtures dumped from OpenAI's own modules (tests/fixtures/openai_layout)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from original_files import FILES, file_layout, write_original_checkpoint
from plans import make_plan

from jukebox_host.engine import sampling
from jukebox_host.engine.configs import MODELS, full_config
from jukebox_host.engine.convert import (
    TOKENIZER_VERSIONS,
    ConvertError,
    convert_checkpoint,
    expected_keys,
    map_part,
    read_original,
)
from jukebox_host.engine.loading import load_model
from jukebox_host.engine.tiny import tiny_config
from jukebox_host.wire.errors import HostError


@pytest.mark.parametrize("model", MODELS)
def test_full_size_key_map_fills_every_tensor_once(model: str) -> None:
    """All of OpenAI's keys for the real model map onto transformers' modules one to one, shapes equal (meta
    tensors: nothing allocated)."""
    expected = expected_keys(full_config(model))
    assert sum(len(keys) for keys in expected.values()) == len(
        {k for keys in expected.values() for k in keys})  # the four files split the model without overlap
    for name in FILES:
        entry = file_layout("full", model, name)
        state = {key: torch.empty(shape, device="meta") for key, shape, _ in entry["keys"]}
        mapped = map_part(name, state, expected[name])
        assert len(mapped) == len(state) == len(expected[name])
        assert all(tuple(mapped[key].shape) == tuple(shape) for key, shape in expected[name].items())


# A few correspondences written out by hand from the two codebases, so a wrong rule cannot pass by symmetry.
HAND_CHECKED = {
    "vqvae.pth.tar": {
        "bottleneck.level_blocks.1.k": "vqvae.bottleneck.level_blocks.1.codebook",
        "encoders.0.level_blocks.0.model.2.1.model.1.model.3.weight":
            "vqvae.encoders.0.level_blocks.0.downsample_block.5.resnet_block.1.conv1d_2.weight",
        "encoders.2.level_blocks.2.model.2.bias": "vqvae.encoders.2.level_blocks.2.proj_out.bias",
        "decoders.1.level_blocks.1.model.2.1.weight": "vqvae.decoders.1.level_blocks.1.upsample_block.3.weight",
        "decoders.0.level_blocks.0.model.0.weight": "vqvae.decoders.0.level_blocks.0.proj_in.weight",
    },
    "prior_level_0.pth.tar": {
        "conditioner_blocks.0.cond.model.1.0.blocks.0.model.1.weight":
            "priors.2.conditioner_blocks.upsampler.upsample_block.0.resnet_block.0.conv1d_1.weight",
        "prior.transformer._attn_mods.1.attn.c_attn.w": "priors.2.prior.transformer._attn_mods.1.attn.c_attn.weight",
        "y_emb.artist_emb.emb.weight": "priors.2.metadata_embedding.artist_emb.weight",
    },
    "prior_level_2.pth.tar": {
        "prior.x_emb.weight": "priors.0.prior.embed_tokens.weight",
        "prior.transformer._attn_mods.0.ln_1.bias": "priors.0.prior.transformer._attn_mods.0.layer_norm_1.bias",
        "y_emb.total_length_emb.emb.weight": "priors.0.metadata_embedding.total_length_emb.emb.weight",
    },
}
HAND_CHECKED_5B_LYRICS = {
    "prime_prior.x_emb.weight": "priors.0.encoder.embed_tokens.weight",
    "prime_state_proj.w": "priors.0.encoder.proj_in.weight",
    "prime_x_out.weight": "priors.0.encoder.lm_head.weight",
    "prior.transformer._attn_mods.18.attn.c_enc_kv.w": "priors.0.prior.transformer._attn_mods.18.attn.c_enc_kv.weight",
    "prior.x_out.weight": "priors.0.prior.fc_proj_out.weight",
}


def _fingerprint(tensor: torch.Tensor) -> str:
    return hashlib.sha1(tensor.detach().float().contiguous().numpy().tobytes()).hexdigest()


def _convert(tmp_path: Path, style: str, seed: int = 0) -> tuple[Path, dict]:
    states = write_original_checkpoint(tmp_path / "openai", style, seed)
    folder = convert_checkpoint(tmp_path / "openai", tmp_path / "converted", tiny_config(style),
                                TOKENIZER_VERSIONS[style], log=lambda _: None)
    return folder, states


@pytest.mark.parametrize("style", MODELS)
def test_original_checkpoint_converts_loads_and_samples(tmp_path: Path, style: str) -> None:
    folder, states = _convert(tmp_path, style)
    assert not (tmp_path / "converted.converting").exists()
    loaded = load_model(str(folder), torch.device("cpu"), torch.float32)
    model_state = {k: v for k, v in loaded.model.state_dict().items()}
    # Every tensor of the model is one of the file's tensors (values, not just names): none left random.
    originals = {}
    for state in states.values():
        for tensor in state.values():
            originals[_fingerprint(tensor)] = tensor
    assert all(_fingerprint(value) in originals for value in model_state.values())
    assert len({_fingerprint(v) for v in model_state.values()}) == len(originals)
    checks = {name: dict(pairs) for name, pairs in HAND_CHECKED.items()}
    if style == "5b_lyrics":
        checks["prior_level_2.pth.tar"].update(HAND_CHECKED_5B_LYRICS)
    for name, pairs in checks.items():
        for original, ours in pairs.items():
            assert torch.equal(model_state[ours], states[name][original].float()), (original, ours)
    # The ties come back: the upsamplers always, the 1b-style top too.
    tied = [p.prior.fc_proj_out.weight.data_ptr() == p.prior.embed_tokens.weight.data_ptr()
            for p in loaded.model.priors]
    assert tied == [style == "1b_lyrics", True, True]

    t = np.arange(8192) / 44100
    prompt = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    lyrics = "" if style == "5b" else "la la la"
    plan = make_plan(total_samples=16384, prompt_samples=8192, levels=[0, 1], seed=3, artist="The Beatles",
                     genre="Rock", lyrics=lyrics)
    (out,) = list(sampling.run(loaded, plan, prompt, lambda *_: None, threading.Event()))
    assert out.final and len(out.audio) == 16384 and np.isfinite(out.audio).all()
    with pytest.raises(HostError, match="close matches: the.beatles"):
        plan = make_plan(total_samples=16384, prompt_samples=8192, levels=[0], seed=3, artist="The Beatle",
                         genre="Rock", lyrics=lyrics)
        list(sampling.run(loaded, plan, prompt, lambda *_: None, threading.Event()))


def test_wrapped_keys_and_bare_state_dicts_are_read(tmp_path: Path) -> None:
    state = {"module.bottleneck.level_blocks.0.k": torch.ones(2, 3)}
    torch.save(state, tmp_path / "bare.pth.tar")
    read = read_original(tmp_path / "bare.pth.tar")
    assert list(read) == ["module.bottleneck.level_blocks.0.k"]
    mapped = map_part("vqvae.pth.tar", read, {"vqvae.bottleneck.level_blocks.0.codebook": torch.Size([2, 3])})
    assert list(mapped) == ["vqvae.bottleneck.level_blocks.0.codebook"]


def _corrupt(tmp_path: Path, name: str, change: dict) -> Path:
    src = tmp_path / "openai"
    write_original_checkpoint(src, "5b")
    checkpoint = torch.load(src / name, weights_only=True)
    checkpoint["model"].update(change)
    for key in [k for k, v in change.items() if v is None]:
        del checkpoint["model"][key]
    torch.save(checkpoint, src / name)
    return src


@pytest.mark.parametrize("change, message", [
    ({"prior.transformer._attn_mods.9.attn.c_attn.w": torch.zeros(32, 24)},
     "unknown keys: prior.transformer._attn_mods.9.attn.c_attn.w"),
    ({"prior.x_out.weight": None}, "missing from the file: priors.0.prior.fc_proj_out.weight"),
    ({"prior.x_emb.weight": torch.zeros(65, 32)},
     r"shapes that differ from the model's: prior.x_emb.weight \(65, 32\)"),
    ({"prior.x_emb.weight": "not a tensor"}, "not named tensors: prior.x_emb.weight"),
])
def test_bad_keys_are_named_and_nothing_is_written(tmp_path: Path, change: dict, message: str) -> None:
    src = _corrupt(tmp_path, "prior_level_2.pth.tar", change)
    with pytest.raises(ConvertError, match=message):
        convert_checkpoint(src, tmp_path / "out", tiny_config("5b"), TOKENIZER_VERSIONS["5b"], log=lambda _: None,
                           trust_pickle=isinstance(next(iter(change.values())), str))
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.converting").exists()


def test_files_of_another_model_are_refused(tmp_path: Path) -> None:
    write_original_checkpoint(tmp_path / "openai", "5b_lyrics")
    with pytest.raises(ConvertError, match=r"prior_level_2.pth.tar: unknown keys: prime_prior.*Is --model right"):
        convert_checkpoint(tmp_path / "openai", tmp_path / "out", tiny_config("5b"), TOKENIZER_VERSIONS["5b"],
                           log=lambda _: None)


def test_missing_inputs_and_a_used_destination_are_refused_up_front(tmp_path: Path) -> None:
    src = tmp_path / "openai"
    write_original_checkpoint(src, "5b")
    (src / "prior_level_1.pth.tar").unlink()
    with pytest.raises(ConvertError, match="lacks prior_level_1.pth.tar"):
        convert_checkpoint(src, tmp_path / "out", tiny_config("5b"), TOKENIZER_VERSIONS["5b"])
    write_original_checkpoint(src, "5b")
    (src / "v3_genre_ids.txt").unlink()
    with pytest.raises(ConvertError, match="lacks v3_genre_ids.txt.*jukebox/data/ids"):
        convert_checkpoint(src, tmp_path / "out", tiny_config("1b_lyrics"), TOKENIZER_VERSIONS["1b_lyrics"])
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    with pytest.raises(ConvertError, match="not an empty folder"):
        convert_checkpoint(src, tmp_path / "used", tiny_config("5b"), TOKENIZER_VERSIONS["5b"])
    assert (tmp_path / "used" / "keep.txt").read_text() == "mine"


class Payload:
    """Stands for anything a pickle can smuggle in besides tensors."""

    def __reduce__(self) -> tuple:
        return (print, ("pickled code ran",))


def test_pickled_objects_are_not_loaded_without_consent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torch.save({"model": {"bottleneck.level_blocks.0.k": torch.ones(2)}, "hps": Payload()}, tmp_path / "x.pth.tar")
    with pytest.raises(ConvertError, match="--trust-pickle"):
        read_original(tmp_path / "x.pth.tar")
    assert "pickled code ran" not in capsys.readouterr().out
    (tmp_path / "junk.pth.tar").write_bytes(b"not a checkpoint")
    with pytest.raises(ConvertError, match="not a readable PyTorch checkpoint"):
        read_original(tmp_path / "junk.pth.tar")


def test_cli_names_the_problem_and_exits_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    src = tmp_path / "openai"
    write_original_checkpoint(src, "5b")  # tiny files: the real 5b's shapes differ
    run = [sys.executable, "-m", "jukebox_host", "convert", str(src), str(tmp_path / "out"), "--model", "5b"]
    done = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "vqvae.pth.tar: shapes that differ from the model's" in done.stderr and "Is --model right" in done.stderr
    assert not (tmp_path / "out").exists()
