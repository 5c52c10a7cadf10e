"""Full-size Jukebox configs in transformers' terms, from the values of OpenAI's hparams.py, for benchmarks and
memory plans with random weights (same compute and memory as the real weights). Checked against the real
parameter counts on the meta device in tests/engine/test_configs.py."""

from __future__ import annotations

from typing import Any

from jukebox_host.engine.fidelity import MAX_DURATION, MIN_DURATION

VQVAE = dict(
    nb_discrete_codes=2048, embed_dim=64, res_conv_width=32, res_conv_depth=4, res_downs_t=[3, 2, 2],
    res_strides_t=[2, 2, 2], multipliers=[2, 1, 1], res_dilation_growth_rate=3, hop_fraction=[0.125, 0.5, 0.5],
)

# OpenAI's `upsamplers` set: same for the 1b and 5b models. transformers' level 1 is OpenAI's upsampler_level_1.
UPSAMPLER = dict(
    n_ctx=8192, hidden_size=1920, num_layers=72, n_heads=1, attention_pattern="raw_column_previous_row_attention",
    blocks=128, init_scale=0.4, res_conv_width=1024, res_conv_depth=16, res_dilation_growth_rate=3,
    res_dilation_cycle=8, is_encoder_decoder=False, nb_relevant_lyric_tokens=0, lyric_vocab_size=0,
    encoder_config=None, music_vocab_size=2048, res_downs_t=[3, 2, 2], res_strides_t=[2, 2, 2],
    merged_decoder=False,  # OpenAI's default: the output projection is tied to the token embedding
    mask=True,  # OpenAI builds every prior causal; transformers' default is unmasked
)

TOP = {
    "1b_lyrics": dict(
        n_ctx=6144, hidden_size=2048, num_layers=72, n_heads=2, attention_pattern="enc_dec_with_lyrics",
        blocks=64, init_scale=0.2, is_encoder_decoder=True, nb_relevant_lyric_tokens=384,
        lyric_vocab_size=79,  # OpenAI's v3 labels: 78 characters (no '+') and <unk>
        metadata_dims=[604, 7898], timing_dims=64, alignment_layer=63, alignment_head=0,
        merged_decoder=False,  # OpenAI's single_enc_dec prior ties x_out to x_emb and adds the conditioning back
        mask=True,
    ),
    "5b_lyrics": dict(
        n_ctx=8192, hidden_size=4800, num_layers=79, n_heads=8, attention_pattern="large_separated_enc_dec_w_lyrics",
        blocks=128, init_scale=0.1, is_encoder_decoder=False, nb_relevant_lyric_tokens=512, lyric_vocab_size=80,
        metadata_dims=[120, 4111], timing_dims=128, alignment_layer=68, alignment_head=2,
        encoder_config=dict(
            hidden_size=1280, num_layers=18, n_heads=4, attention_pattern="raw_column_previous_row_attention",
            blocks=32, init_scale=0.7, n_ctx=512, lyric_vocab_size=80, is_encoder_decoder=False,
            nb_relevant_lyric_tokens=0, metadata_conditioning=False, mask=True,
        ),
        mask=True,
    ),
    "5b": dict(
        n_ctx=8192, hidden_size=4800, num_layers=72, n_heads=8, attention_pattern="raw_column_previous_row_attention",
        blocks=128, init_scale=0.1, is_encoder_decoder=False, nb_relevant_lyric_tokens=0, lyric_vocab_size=0,
        encoder_config=None, metadata_dims=[120, 4111], timing_dims=128, mask=True,
    ),
}
GENRES = {"1b_lyrics": 1, "5b_lyrics": 5, "5b": 5}
MODELS = tuple(TOP)


def full_config(name: str) -> Any:  # JukeboxConfig
    from transformers.models.deprecated.jukebox import JukeboxConfig

    if name not in TOP:
        raise KeyError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    top = TOP[name]
    # The upsamplers are the same checkpoints for every model, trained with OpenAI's v2 labels (120 genres,
    # 4111 artists). transformers shares timing_dims and max_nb_genres across all priors (set_shared_params).
    upsamplers = [dict(UPSAMPLER, metadata_dims=[120, 4111], level=level) for level in (1, 2)]
    upsamplers[0]["conv_res_scale"] = True  # OpenAI: cond_res_scale on upsampler_level_1 only
    return JukeboxConfig(
        vqvae_config=VQVAE, prior_config_list=[dict(top, level=0), *upsamplers],
        max_nb_genres=GENRES[name], timing_dims=top["timing_dims"], min_duration=MIN_DURATION[name],
        max_duration=MAX_DURATION,
    )


def prior_alone(config: Any, level: int, **overrides: Any) -> Any:  # JukeboxPrior
    """One prior of a JukeboxConfig built by itself, in eval mode, weights as allocated (the caller initialises
    them): what JukeboxModel.set_shared_params hands each prior first, then `overrides` on its own config."""
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxPrior

    for prior_config in config.prior_configs:
        for key in ("sampling_rate", "timing_dims", "min_duration", "max_duration", "max_nb_genres",
                    "metadata_conditioning"):
            setattr(prior_config, key, getattr(config, key))
    prior_config = config.prior_configs[level]
    for key, value in overrides.items():
        setattr(prior_config, key, value)
    return JukeboxPrior(prior_config, level=level).eval()
