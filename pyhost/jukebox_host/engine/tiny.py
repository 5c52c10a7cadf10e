"""A tiny random-initialised Jukebox with the real classes, saved like a real checkpoint.

Used by the demo and the tests: nothing here can download the real weights. Its output is noise-like.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from jukebox_host.engine.fidelity import MAX_DURATION, MIN_DURATION
from jukebox_host.engine.label_files import V2_LYRIC_CHARS, lyric_vocab
from jukebox_host.engine.labels import GENRE_SLOTS, norm_v2

TINY_ARTISTS = ["unknown", "Alan Jackson", "The Beatles", "Nina Simone", "Aphex Twin"]
TINY_GENRES = ["unknown", "Country", "Rock", "Jazz", "Electronic", "Pop"]
N_CTX = 64


def _vocab(names: list[str]) -> dict[str, int]:
    vocab: dict[str, int] = {}
    for index, name in enumerate(names):
        vocab[name.lower()] = index  # 'v3' lookups (the 1b_lyrics top), as OpenAI's v3 id lists
        vocab[norm_v2(name) + ".v2"] = index  # 'v2' lookups (the other levels), OpenAI's v2 normalisation
    return vocab


# The top prior in the shape of each real model's (OpenAI's hparams.py: prior_1b_lyrics, prior_5b_lyrics, prior_5b),
# tiny. 'tiny' itself is 1b_lyrics-shaped; the others exist to test conversion of OpenAI's checkpoint layouts.
TINY_TOPS: dict[str, dict] = {
    "1b_lyrics": dict(  # one transformer over [lyrics; music]
        num_layers=2, attention_pattern="enc_dec_with_lyrics", is_encoder_decoder=True, nb_relevant_lyric_tokens=16,
        # 80 embeddings as the pinned tiny layout (tests/fixtures/openai_layout); its tokenizer files hold OpenAI's
        # 79 v3 symbols, as the real 1b_lyrics top reads, so the last embedding is never used.
        lyric_vocab_size=len(V2_LYRIC_CHARS) + 1, alignment_layer=1, alignment_head=0,
        merged_decoder=False,  # as OpenAI's 1b_lyrics top: output projection tied to the token embedding
    ),
    "5b": dict(  # no lyrics
        num_layers=2, attention_pattern="raw_column_previous_row_attention", is_encoder_decoder=False,
        nb_relevant_lyric_tokens=0, lyric_vocab_size=0, encoder_config=None, merged_decoder=True,
    ),
    "5b_lyrics": dict(  # a separate lyrics encoder; layer 18 is the first cross-attention layer of this pattern
        num_layers=19, attention_pattern="large_separated_enc_dec_w_lyrics", is_encoder_decoder=False,
        nb_relevant_lyric_tokens=16, lyric_vocab_size=len(V2_LYRIC_CHARS) + 1, merged_decoder=True,
        alignment_layer=18, alignment_head=0,
        encoder_config=dict(
            hidden_size=16, num_layers=1, n_heads=1, attention_pattern="raw_column_previous_row_attention",
            blocks=4, n_ctx=16, lyric_vocab_size=len(V2_LYRIC_CHARS) + 1, is_encoder_decoder=False,
            nb_relevant_lyric_tokens=0, metadata_conditioning=False, attention_multiplier=0.25, mlp_multiplier=1.0,
            zero_out=False, mask=True,
        ),
    ),
}


def tiny_config(style: str = "1b_lyrics"):  # noqa: ANN201 - transformers config object
    from transformers.models.deprecated.jukebox import JukeboxConfig

    vqvae = dict(
        nb_discrete_codes=64, embed_dim=16, res_conv_width=8, res_conv_depth=2,
        res_downs_t=[3, 2, 2], res_strides_t=[2, 2, 2],
        # Window hops, top first. OpenAI's top hop of 0.125 is for a window of 17.8 s; this top's window is 0.19 s,
        # and it would re-prime every 8 tokens.
        hop_fraction=[0.5, 0.5, 0.5],
        sample_length=N_CTX * 128,
    )
    common = dict(
        music_vocab_size=64, n_ctx=N_CTX, n_heads=1, blocks=8, res_conv_width=8, res_conv_depth=1,
        res_downs_t=[3, 2, 2], res_strides_t=[2, 2, 2], attention_multiplier=0.25, mlp_multiplier=1.0,
        metadata_dims=[len(TINY_GENRES), len(TINY_ARTISTS)], timing_dims=8, zero_out=False,
        mask=True,  # causal, as OpenAI builds every prior
    )
    # Labelled like the real model of this shape: its song length range and its top's genre slots.
    genre_slots = GENRE_SLOTS["v3" if style == "1b_lyrics" else "v2"]
    top = dict(common, level=0, hidden_size=32, **TINY_TOPS[style])
    upper = dict(
        common, hidden_size=24, num_layers=2, attention_pattern="raw_column_previous_row_attention",
        merged_decoder=False,  # as OpenAI's upsamplers: output projection tied to the token embedding
        is_encoder_decoder=False, nb_relevant_lyric_tokens=0, lyric_vocab_size=0, encoder_config=None,
    )
    return JukeboxConfig(
        vqvae_config=vqvae,
        prior_config_list=[top, dict(upper, level=1), dict(upper, level=2)],
        max_nb_genres=genre_slots, min_duration=MIN_DURATION[style],
        max_duration=MAX_DURATION, sampling_rate=44100, timing_dims=8,
    )


def build_tiny_model(seed: int = 0):  # noqa: ANN201
    """Construct and initialise. JukeboxModel(config) leaves weights uninitialised (trap 1): apply each
    submodule's own _init_weights so every parameter is a proper random draw."""
    from transformers.models.deprecated.jukebox import JukeboxModel

    torch.manual_seed(seed)
    model = JukeboxModel(tiny_config())
    for sub in [model.vqvae, *model.priors]:
        sub.apply(sub._init_weights)
    _make_vqvae_audible(model.vqvae)
    return model.eval()


@torch.no_grad()
def _make_vqvae_audible(vqvae: torch.nn.Module) -> None:
    """A random VQ-VAE is deaf and mute: its codebooks are zero buffers until training fills them (every input
    encodes to code 0) and at this width its decoder's output hardly depends on the codes. Give the convolutions a
    variance-keeping init, draw each codebook from the encoder's own latents of a noise signal (as the codebook's
    k-means init would), then scale each decoder's output layer to a zero-mean signal of std 0.2."""
    for module in vqvae.modules():
        if isinstance(module, (torch.nn.Conv1d, torch.nn.ConvTranspose1d)):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            torch.nn.init.zeros_(module.bias)
    noise = 0.3 * torch.randn(1, 44100 * 2, 1)
    for encoder, block in zip(vqvae.encoders, vqvae.bottleneck.level_blocks):
        latents = encoder(noise.permute(0, 2, 1))[-1]
        flat = latents.permute(0, 2, 1).reshape(-1, latents.shape[1])
        block.codebook.copy_(flat[torch.randperm(flat.shape[0])[: block.nb_discrete_codes]])
        block.init = True
    for level, decoder in enumerate(vqvae.decoders):
        codes = torch.randint(0, vqvae.config.nb_discrete_codes, (1, 64))
        audio = vqvae.decode([codes], start_level=level, end_level=level + 1)
        scale = 0.2 / float(audio.std())
        decoder.out.weight.mul_(scale)
        decoder.out.bias.copy_((decoder.out.bias - float(audio.mean())) * scale)


def write_tiny_model(target: str | os.PathLike[str], seed: int = 0) -> Path:
    """Write config, weights and tokenizer files into `target`, loadable by JukeboxModel.from_pretrained."""
    from transformers.models.deprecated.jukebox import JukeboxTokenizer

    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    model = build_tiny_model(seed)
    # The upsamplers tie fc_proj_out to embed_tokens; safetensors refuses shared tensors (trap 2).
    model.save_pretrained(target, safe_serialization=False)
    files = {
        "artists.json": _vocab(TINY_ARTISTS),
        "genres.json": _vocab(TINY_GENRES),
        "lyrics.json": lyric_vocab("v3"),  # the top reads lyrics; 1b_lyrics-shaped: OpenAI's v3 characters
    }
    for name, content in files.items():
        (target / name).write_text(json.dumps(content))
    tokenizer = JukeboxTokenizer(
        str(target / "artists.json"), str(target / "genres.json"), str(target / "lyrics.json"),
        n_genres=1, max_n_lyric_tokens=16,
    )
    tokenizer.save_pretrained(target)
    return target
