"""Decoding a stretch of codes on its own, with just enough context that its samples are the ones one decode of
the whole gives: the ground for streaming results chunk by chunk (issue 15, item 1).

The VQ-VAE decoder is convolutional, so a sample depends only on the codes within its receptive field.
`measure_context` measures that field (change one code, see which samples move) instead of deriving it from
the config; `decode_range` decodes codes [start, end) with that much context on each side and keeps only the
samples of [start, end).

Chunks and whole agree to float32 rounding (about 4e-7 here), not always to the last bit: convolution and
matrix kernels choose their blocking by input length, on CPU (oneDNN, BLAS) as on GPU (cuDNN). A stream must
therefore make its final result of the very chunks it sent. Levels are the VQ-VAE's: 0 is the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

PROBE_CODES = 1024  # codes decoded to measure a field, doubled while the field reaches an end
MAX_PROBE_CODES = 2**17


@dataclass(frozen=True)
class Context:
    """Codes of context a chunk needs: `before` it (they reach forward into it) and `after` it."""

    before: int
    after: int
    hop: int  # samples per code at this level


def decode_level(vqvae: Any, codes: torch.Tensor, level: int) -> np.ndarray:
    """codes (n_samples, tokens) of VQ-VAE level `level` → audio (n_samples, tokens × hop)."""
    with torch.no_grad():
        audio = vqvae.decode([codes], start_level=level, end_level=level + 1)
    return audio[:, :, 0].float().cpu().numpy()


def measure_context(vqvae: Any, level: int) -> Context:
    """The receptive field of `level`'s decoder, in codes, whatever the weights and the music: one code's
    codebook entry is made NaN for the measurement, and NaN spreads through every convolution and ReLU it
    reaches (0 × NaN is NaN), so the samples that turn NaN are exactly the ones that code can reach. (Changing
    a code and comparing outputs would miss paths a ReLU happens to close for those inputs.)"""
    hop = int(vqvae.hop_lengths[level])
    codebook = vqvae.bottleneck.level_blocks[level].codebook
    probe_code = codebook.shape[0] - 1
    length = PROBE_CODES
    while True:
        codes = torch.zeros(1, length, dtype=torch.long)  # any code but the probe's
        middle = length // 2
        codes[0, middle] = probe_code
        kept = codebook[probe_code].clone()
        try:
            codebook[probe_code] = float("nan")
            reached = np.nonzero(np.isnan(decode_level(vqvae, codes, level)[0]))[0]
        finally:
            codebook[probe_code] = kept
        if (reached[0] > 0 and reached[-1] < length * hop - 1) or length >= MAX_PROBE_CODES:
            break
        length *= 2  # the reach touched an end: measure on a longer stretch
    if reached[0] == 0 or reached[-1] == length * hop - 1:
        raise RuntimeError(f"level {level}'s decoder reaches past {length // 2} codes: not a convolutional decoder?")
    back = middle * hop - int(reached[0])  # samples before the code's own that it reaches
    fwd = int(reached[-1]) + 1 - (middle + 1) * hop  # and after
    # Codes earlier than a chunk reach fwd samples into it; later ones reach back samples.
    return Context(before=-(-fwd // hop), after=-(-back // hop), hop=hop)


def decode_range(vqvae: Any, codes: torch.Tensor, level: int, start: int, end: int, context: Context) -> np.ndarray:
    """The samples of codes [start, end) of `codes` (n_samples, tokens), as one decode of all of them gives."""
    lo = max(0, start - context.before)
    hi = min(codes.shape[1], end + context.after)
    audio = decode_level(vqvae, codes[:, lo:hi], level)
    return audio[:, (start - lo) * context.hop: (end - lo) * context.hop]
