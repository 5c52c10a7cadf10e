"""Sample-rate and channel conversion between what clients send and what the model wants (soxr)."""

from __future__ import annotations

import numpy as np
import soxr


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """(channels, frames) float32 at rate_in → rate_out, with soxr's high-quality preset."""
    if rate_in == rate_out or audio.shape[1] == 0:
        return audio.astype(np.float32, copy=False)
    out = soxr.resample(np.ascontiguousarray(audio.T), rate_in, rate_out, quality="HQ")
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).reshape(-1, audio.shape[0]).T)


def to_mono(audio: np.ndarray) -> np.ndarray:
    """Average all channels: Jukebox is trained on mono."""
    return audio.mean(axis=0, keepdims=True, dtype=np.float32) if audio.shape[0] > 1 else audio


def to_channels(mono: np.ndarray, channels: int) -> np.ndarray:
    """Copy a (1, frames) signal onto `channels` channels."""
    return np.repeat(mono[:1], channels, axis=0)


def prepare_prompt(audio: np.ndarray, rate: int, model_rate: int) -> np.ndarray:
    """Client audio → mono float32 at the model's rate, as (frames,)."""
    return resample(to_mono(audio), rate, model_rate)[0]


def deliver(mono: np.ndarray, model_rate: int, out_rate: int, out_channels: int) -> np.ndarray:
    """Model output (frames,) → (out_channels, frames') at out_rate, clipped to [-1, 1]."""
    out = resample(mono[None, :].astype(np.float32), model_rate, out_rate)
    return to_channels(np.clip(out, -1.0, 1.0), out_channels)


class StreamDelivery:
    """deliver() for audio that arrives in chunks: one resampler carried from chunk to chunk, so the joined
    chunks are one continuous conversion (the final result is made of them). Variations are its channels."""

    def __init__(self, model_rate: int, out_rate: int, out_channels: int, variations: int) -> None:
        self.out_channels = out_channels
        self.variations = variations
        self.stream = (None if model_rate == out_rate else
                       soxr.ResampleStream(model_rate, out_rate, variations, dtype="float32", quality="HQ"))

    def push(self, audio: np.ndarray | None) -> list[np.ndarray]:
        """audio (variations, frames) at the model's rate, or None at the end (what the resampler still holds);
        returns each variation as (out_channels, frames') at the out rate."""
        if self.stream is not None:
            last = audio is None
            frames = np.zeros((0, self.variations), np.float32) if audio is None else audio.T
            audio = np.ascontiguousarray(self.stream.resample_chunk(np.ascontiguousarray(frames), last=last).T)
        elif audio is None:
            return []
        return [to_channels(np.clip(v[None, :], -1.0, 1.0), self.out_channels) for v in audio.astype(np.float32)]
