"""Between audio and codes: the prompt encoded, a level's codes decoded (whole, from a code on, or streamed as
they become final), with the decode context each level's decoder needs (chunked_decode.py)."""

from __future__ import annotations

import numpy as np
import torch

from jukebox_host.engine.chunked_decode import Context, decode_range, measure_context
from jukebox_host.engine.levels import level_of_prior
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.engine.streaming import ChunkFn, Streamer


def encode_prompt(loaded: LoadedModel, audio: np.ndarray, n_samples: int) -> list[torch.Tensor]:
    """Audio (frames,) → codes per prior, TOP FIRST. The VQ-VAE returns the bottom level first (trap 3)."""
    model = loaded.model
    x = torch.from_numpy(audio).to(loaded.device, torch.float32).view(1, -1, 1).repeat(n_samples, 1, 1)
    with torch.no_grad():
        codes = model.vqvae.encode(x, start_level=0, end_level=len(model.priors), bs_chunks=n_samples)
    return [c.long() for c in reversed(codes)]


def decode(loaded: LoadedModel, tokens: list[torch.Tensor], prior_index: int) -> np.ndarray:
    """Decode one level's codes to audio, (n_samples, frames), with the VQ-VAE."""
    model = loaded.model
    start_level = level_of_prior(prior_index, len(model.priors))
    with torch.no_grad():
        audio = model.vqvae.decode([tokens[prior_index]], start_level=start_level, end_level=start_level + 1)
    return audio[:, :, 0].float().cpu().numpy()


def decode_context(loaded: LoadedModel, prior_index: int) -> Context:
    """The codes of context prior_index's level decodes with (chunked_decode.py), measured once per model."""
    level = level_of_prior(prior_index, len(loaded.model.priors))  # the VQ-VAE's numbering: 0 = bottom
    if level not in loaded.decode_contexts:
        loaded.decode_contexts[level] = measure_context(loaded.model.vqvae, level)
    return loaded.decode_contexts[level]


def decode_from(loaded: LoadedModel, tokens: list[torch.Tensor], prior_index: int, first: int) -> np.ndarray:
    """prior_index's codes from code `first` on, decoded as one decode of them all would (new_only)."""
    if first == 0:
        return decode(loaded, tokens, prior_index)
    level = level_of_prior(prior_index, len(loaded.model.priors))
    codes = tokens[prior_index]
    return decode_range(loaded.model.vqvae, codes, level, first, codes.shape[1], decode_context(loaded, prior_index))


def streamer(loaded: LoadedModel, prior_index: int, stream_seconds: float, total_codes: int, first: int,
             on_chunk: ChunkFn) -> Streamer:
    """A Streamer of prior_index's level: chunks of at least `stream_seconds` from code `first` on."""
    context = decode_context(loaded, prior_index)
    chunk_codes = int(stream_seconds * loaded.sample_rate) // context.hop
    level = level_of_prior(prior_index, len(loaded.model.priors))
    return Streamer(loaded.model.vqvae, level, context, chunk_codes, total_codes, on_chunk, first)


def first_new_output_code(loaded: LoadedModel, given: int, prior_index: int) -> int:
    """Where a new_only output starts at a level, `given` codes already there: its decoder's reach before them."""
    return max(0, given - decode_context(loaded, prior_index).after) if given else 0


def reach(loaded: LoadedModel, prior_index: int) -> int:
    """Codes before a new_only output that its decode needs: the overlap it re-makes and that overlap's context."""
    context = decode_context(loaded, prior_index)
    return context.after + context.before
