"""Audio while the last level is still being sampled (issue 15, item 1): after each window, the stretch of codes
that can no longer change *and* has all the context its decoder reaches (chunked_decode.py) is decoded and
handed on. The job's final audio is made of these very chunks, so a client that plays them holds, sample for
sample, the final result."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from jukebox_host.engine import chunked_decode as cd

ChunkFn = Callable[[int, np.ndarray], None]  # (first sample at the model's rate, audio (n_samples, frames))


class Streamer:
    def __init__(self, vqvae: object, level: int, context: cd.Context, chunk_codes: int, total_codes: int,
                 on_chunk: ChunkFn, first: int = 0) -> None:
        """level: the VQ-VAE's (0 = bottom); chunk_codes: the least worth sending before the end; first: the
        first code whose audio is wanted (a continuation that returns only what it adds)."""
        self.vqvae = vqvae
        self.level = level
        self.context = context
        self.chunk_codes = max(1, chunk_codes)
        self.total_codes = total_codes
        self.on_chunk = on_chunk
        self.sent = first  # codes whose audio has been handed on (or is not wanted)
        self.pieces: list[np.ndarray] = []

    def update(self, codes: torch.Tensor) -> None:
        """codes: the level's codes so far (n_samples, tokens); only ever appended to."""
        done = codes.shape[1] >= self.total_codes
        ready = codes.shape[1] if done else codes.shape[1] - self.context.after
        if ready - self.sent < (1 if done else self.chunk_codes):
            return
        audio = cd.decode_range(self.vqvae, codes, self.level, self.sent, ready, self.context)
        self.on_chunk(self.sent * self.context.hop, audio)
        self.pieces.append(audio)
        self.sent = ready

    def audio(self) -> np.ndarray:
        """Every chunk handed on, joined: the final audio (n_samples, frames)."""
        return np.concatenate(self.pieces, axis=1)
