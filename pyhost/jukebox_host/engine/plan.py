"""What a job asks of the engine (Plan) and what it gives back (Output): the records every stage reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from jukebox_host.engine.levels import prior_of_level
from jukebox_host.wire.generate_fields import DEFAULT_SONG_SECONDS

JUKEBOX_SAMPLE_RATE = 44100  # the rate of OpenAI's released models (hps.sr)
UPSAMPLER_TEMPERATURE = 0.99  # OpenAI's sample.py uses 0.99 for both upsamplers

# (fraction 0..1, protocol level (2 = top), stage)
ProgressFn = Callable[[float, int, str], None]


@dataclass(kw_only=True)
class Plan:
    mode: str
    total_samples: int  # model-rate samples of the whole result
    prompt_samples: int
    levels: list[int]  # transformers prior indices to sample, 0 = top
    temperature: float
    # Per protocol level: bottom, middle, top; one number for all; None: the model's (config.hop_fraction).
    hop_fraction: float | tuple[float, float, float] | None
    n_samples: int
    seed: int | None
    artist: str
    genre: str
    lyrics: str
    preview: bool
    # Model-rate samples of the whole song the result starts (OpenAI's total_sample_length): labels every window.
    song_samples: int = int(DEFAULT_SONG_SECONDS * JUKEBOX_SAMPLE_RATE)
    stream_seconds: float = 1.0  # with on_chunk: the least audio worth a chunk before the last one
    # Continue: model-rate samples of the song before the codes given (a kept tail, see continuation.piece_tail);
    # labels and windows count from the song's start. new_only: the output is only what follows the codes given,
    # and the stretch before it that the decoder reaches back into (Output.overlap).
    position: int = 0
    new_only: bool = False
    # The order of the windows (schedule.py): "pipelined" or "level_by_level"; both give the same result.
    schedule: str = "pipelined"

    def __post_init__(self) -> None:
        if isinstance(self.hop_fraction, (int, float)):
            self.hop_fraction = (float(self.hop_fraction),) * 3

    def temperature_of(self, prior_index: int) -> float:
        return self.temperature if prior_index == 0 else UPSAMPLER_TEMPERATURE

    def hop_of(self, model: Any, level: int) -> float:
        """The window hop, as a fraction of n_ctx, at protocol level `level`."""
        if self.hop_fraction is None:  # the model's, top first (transformers' order): OpenAI's 0.125 top, 0.5 below
            return float(model.config.hop_fraction[prior_of_level(level, len(model.priors))])
        assert isinstance(self.hop_fraction, tuple)
        return self.hop_fraction[level]


@dataclass
class Output:
    final: bool
    level: int  # protocol level: 2 = top, 0 = bottom
    audio: np.ndarray  # (frames,) float32 at the model's rate, first of n_samples
    variations: np.ndarray  # (n_samples, frames): every sample of the batch, the first included
    codes: list[torch.Tensor] | None = None  # the final output's codes, every level, top first (for continue)
    # new_only: samples at the start of audio that re-make the end of the piece continued. They were decoded
    # there without the codes that now follow; these are the ones a decode of the whole piece gives.
    overlap: int = 0
