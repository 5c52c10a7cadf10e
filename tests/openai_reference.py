"""The reference fixtures made by OpenAI's own code (tests/fixtures/openai_reference, see its README), brought
through exactly the path a user's checkpoint takes: `convert` (OpenAI's files → a model folder), then the host's
`load_model`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

REF = Path(__file__).resolve().parent / "fixtures" / "openai_reference"
SHAPES = ("1b_lyrics", "5b_lyrics", "5b")
VERSIONS = {"1b_lyrics": ["v3", "v2", "v2"], "5b_lyrics": ["v2", "v2", "v2"], "5b": ["v2", "v2", "v2"]}
# OpenAI's attn_order → transformers' attention_pattern (the orders OpenAI's real models use).
PATTERNS = {2: "raw_column_previous_row_attention", 10: "large_separated_enc_dec_w_lyrics",
            12: "enc_dec_with_lyrics", 0: "full_dense_attention"}


def hparams(shape: str) -> dict[str, dict[str, Any]]:
    return {name: entry["hps"] for name, entry in json.loads((REF / shape / "hparams.json").read_text()).items()}


def npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def _prior(hps: dict[str, Any], vq: dict[str, Any], level: int) -> dict[str, Any]:
    """One OpenAI prior's hparams in transformers' terms (transformers' level: 0 = top)."""
    lyrics = bool(hps["use_tokens"]) and int(hps["n_tokens"]) > 0
    separate_encoder = lyrics and not hps["single_enc_dec"]
    config: dict[str, Any] = dict(
        level=level, n_ctx=hps["n_ctx"], hidden_size=hps["prior_width"], num_layers=hps["prior_depth"],
        n_heads=hps["heads"], attention_pattern=PATTERNS[hps["attn_order"]], blocks=hps["blocks"],
        spread=hps["spread"], attention_multiplier=hps["m_attn"], mlp_multiplier=hps["m_mlp"],
        init_scale=hps["init_scale"], zero_out=hps["zero_out"], attn_res_scale=hps["res_scale"],
        res_conv_width=hps["cond_width"], res_conv_depth=hps["cond_depth"],
        res_convolution_multiplier=int(hps["cond_m_conv"]), res_dilation_growth_rate=hps["cond_dilation_growth_rate"],
        res_dilation_cycle=hps["cond_dilation_cycle"], conv_res_scale=hps["cond_res_scale"] or None,
        res_downs_t=vq["downs_t"], res_strides_t=vq["strides_t"], music_vocab_size=vq["l_bins"],
        metadata_dims=list(hps["y_bins"]), timing_dims=hps["t_bins"], max_nb_genres=hps["max_bow_genre_size"],
        min_duration=hps["min_duration"], max_duration=hps["max_duration"],
        is_encoder_decoder=bool(hps["single_enc_dec"]), merged_decoder=bool(hps["merged_decoder"]),
        nb_relevant_lyric_tokens=hps["n_tokens"] if lyrics else 0, lyric_vocab_size=hps["n_vocab"] if lyrics else 0,
        alignment_layer=hps["alignment_layer"], alignment_head=hps["alignment_head"],
        encoder_loss_fraction=hps["prime_loss_fraction"], mask=True, encoder_config=None,
    )
    if separate_encoder:
        config["encoder_config"] = dict(
            hidden_size=hps["prime_width"], num_layers=hps["prime_depth"], n_heads=hps["prime_heads"],
            attention_pattern=PATTERNS[hps["prime_attn_order"]], blocks=hps["prime_blocks"],
            spread=hps["prime_spread"], attention_multiplier=hps["prime_m_attn"], mlp_multiplier=hps["prime_m_mlp"],
            init_scale=hps["prime_init_scale"], zero_out=hps["prime_zero_out"], attn_res_scale=hps["prime_res_scale"],
            n_ctx=hps["n_tokens"], lyric_vocab_size=hps["n_vocab"], is_encoder_decoder=False,
            nb_relevant_lyric_tokens=0, metadata_conditioning=False, mask=True,
        )
    return config


def config_for(shape: str) -> Any:  # JukeboxConfig
    from transformers.models.deprecated.jukebox import JukeboxConfig

    hps = hparams(shape)
    vq = hps["vqvae.pth.tar"]
    vqvae = dict(
        nb_discrete_codes=vq["l_bins"], embed_dim=vq["emb_width"], res_conv_width=vq["width"],
        res_conv_depth=vq["depth"], res_downs_t=vq["downs_t"], res_strides_t=vq["strides_t"],
        multipliers=vq["hvqvae_multipliers"], res_dilation_growth_rate=vq["dilation_growth_rate"],
        res_dilation_cycle=vq["dilation_cycle"], res_convolution_multiplier=int(vq["m_conv"]), lmu=vq["l_mu"],
        commit=vq["commit"], sample_length=vq["sample_length"], hop_fraction=[0.125, 0.5, 0.5],
    )
    # transformers' priors: top first (OpenAI's level 2).
    priors = [_prior(hps[f"prior_level_{openai}.pth.tar"], vq, level) for level, openai in enumerate((2, 1, 0))]
    top = priors[0]
    return JukeboxConfig(vqvae_config=vqvae, prior_config_list=priors, max_nb_genres=top["max_nb_genres"],
                         timing_dims=top["timing_dims"], min_duration=top["min_duration"],
                         max_duration=top["max_duration"], sampling_rate=vq["sr"])


@cache
def converted(shape: str, root: str) -> str:
    """OpenAI's four files of `shape` converted by `convert` into a model folder under `root` (once per run)."""
    from jukebox_host.engine.convert import convert_checkpoint

    src = Path(root) / f"{shape}-openai"
    src.mkdir(parents=True, exist_ok=True)
    for name in ("vqvae.pth.tar", "prior_level_0.pth.tar", "prior_level_1.pth.tar"):
        shutil.copy(REF / "shared" / name, src / name)
    shutil.copy(REF / shape / "prior_level_2.pth.tar", src / "prior_level_2.pth.tar")
    dst = Path(root) / f"{shape}-converted"
    convert_checkpoint(src, dst, config_for(shape), VERSIONS[shape], ids_dir=REF / "ids", log=lambda _: None)
    return str(dst)


@contextmanager
def greedy() -> Iterator[None]:
    """Sampling replaced by argmax, as the fixtures were made: transformers and OpenAI both sample through
    torch.distributions.Categorical(logits=...).sample()."""
    original = torch.distributions.Categorical.sample
    torch.distributions.Categorical.sample = lambda self, sample_shape=None: self.logits.argmax(-1)  # type: ignore
    try:
        yield
    finally:
        torch.distributions.Categorical.sample = original  # type: ignore[method-assign]
