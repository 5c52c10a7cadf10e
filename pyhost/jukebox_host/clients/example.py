"""A short synthetic phrase to prime the demo with, so the main job needs no audio file of the user's."""

from __future__ import annotations

import numpy as np


def example_phrase(seconds: float = 2.0, rate: int = 44100) -> np.ndarray:
    """A plucked arpeggio (A minor) in stereo: (2, frames) float32."""
    t = np.arange(int(seconds * rate)) / rate
    notes = [220.0, 261.63, 329.63, 440.0]
    step = seconds / len(notes)
    mono = np.zeros_like(t)
    for index, freq in enumerate(notes):
        start = index * step
        local = t - start
        envelope = np.where(local >= 0, np.exp(-4.0 * np.clip(local, 0, None)), 0.0)
        mono += 0.25 * envelope * (np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t))
    return np.stack([mono, np.roll(mono, 220)]).astype(np.float32)
