"""A new prior for one level of an existing model, shaped by OpenAI's `small_prior` hparams set (hparams.py: width
1024, 48 layers, one head, window 8192, blocks 64, attn_order 2, init_scale 0.7) unless told otherwise, without
lyrics. It keeps the level's place in the model: its codes' vocabulary, the VQ-VAE's downsampling, for an upsampler
the conditioning on the level above, and the labels the level reads.

Labels: OpenAI's README trains a new prior with `--labels=False` (no artist, genre or timing). transformers'
JukeboxModel cannot hold such a prior beside labelled ones: it hands every level the model's one
`metadata_conditioning` switch (set_shared_params), so a label-free top would come back from its folder with a fresh,
random label embedding and without its start token. The new prior therefore reads the labels the model's levels
read, with the model's tables: the song's length and the window's place in it, and an artist and a genre (the run's
--artist and --genre, 'unknown' unless told), which it learns as the names of this material. A new top's song
lengths start at 0 s (OpenAI's released tops start at 17.8, 23.8 or 60 s): an artist's pieces may be short."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

# OpenAI's attn_order 2 (every small_* prior and the upsamplers) is transformers' 'raw_column_previous_row_attention'.
SMALL_PRIOR = dict(hidden_size=1024, num_layers=48, n_heads=1, n_ctx=8192, blocks=64, init_scale=0.7,
                   attention_pattern="raw_column_previous_row_attention")


@dataclass(frozen=True)
class PriorShape:
    hidden_size: int = SMALL_PRIOR["hidden_size"]  # type: ignore[assignment]
    num_layers: int = SMALL_PRIOR["num_layers"]  # type: ignore[assignment]
    n_heads: int = SMALL_PRIOR["n_heads"]  # type: ignore[assignment]
    n_ctx: int = SMALL_PRIOR["n_ctx"]  # type: ignore[assignment]
    blocks: int = SMALL_PRIOR["blocks"]  # type: ignore[assignment]
    init_scale: float = SMALL_PRIOR["init_scale"]  # type: ignore[assignment]

    def check(self) -> None:
        for name in ("hidden_size", "num_layers", "n_heads", "n_ctx", "blocks"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
        if self.hidden_size % self.n_heads:
            raise ValueError(f"width {self.hidden_size} is not a multiple of {self.n_heads} heads")
        if self.n_ctx % self.blocks:
            raise ValueError(f"window {self.n_ctx} is not a multiple of {self.blocks} blocks")


def new_prior_config(base: Any, shape: PriorShape) -> Any:
    """`base`: the level's prior config in the existing model (transformers' JukeboxPriorConfig)."""
    shape.check()
    config = type(base).from_dict(base.to_dict())
    for name, value in shape.__dict__.items():
        setattr(config, name, value)
    config.attention_pattern = SMALL_PRIOR["attention_pattern"]
    config.is_encoder_decoder = False
    config.nb_relevant_lyric_tokens = 0
    config.lyric_vocab_size = 0
    config.encoder_config = None
    if config.level == 0:  # the top reads the song's length: its range starts at 0 so that short pieces train
        config.min_duration = 0.0
    config.merged_decoder = False  # output projection tied to the token embedding, as OpenAI's priors
    config.mask = True  # causal, as OpenAI builds every prior
    return config


def build_prior(config: Any, level: int, seed: int) -> torch.nn.Module:
    """Constructed and initialised: the constructor leaves weights uninitialised; each module's own init fills them."""
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxPrior

    torch.manual_seed(seed)
    prior = JukeboxPrior(config, level=level)
    prior.apply(prior._init_weights)
    if prior.prior.share_embed_tokens_fc_proj_out:
        prior.prior.fc_proj_out.weight = prior.prior.embed_tokens.weight
    return prior
