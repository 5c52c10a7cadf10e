"""The data scale a VQ-VAE's losses are divided by, on signals whose answer is known in closed form."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jukebox_host.training.audio_folder import Usable, gather
from jukebox_host.training.bandwidth import HOP, N_FFT, WINDOW, bandwidth, spectrogram_norm
from jukebox_host.training.windows import Windows

RATE = 44100


def test_a_sine_has_its_variance_mean_level_and_spectrum(tmp_path: Path) -> None:
    amplitude, frequency = 0.5, 441.0
    t = np.arange(RATE * 4) / RATE
    sine = (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    (tmp_path / "in").mkdir()
    sf.write(tmp_path / "in" / "sine.wav", np.stack([sine, sine], 1), RATE, subtype="FLOAT")
    audio = gather(tmp_path / "in", tmp_path / "run", RATE, Usable(8192, "a window"), lambda _: None)
    found = bandwidth(Windows(audio, 8192), seconds=1.0)
    assert found["l2"] == pytest.approx(amplitude ** 2 / 2, rel=2e-3)
    assert found["l1"] == pytest.approx(2 * amplitude / math.pi, rel=2e-3)
    # Parseval, away from the edges: each frame holds the windowed sine; |X|² summed over the one-sided bins is
    # about n_fft/2 · Σ (w·x)² = n_fft/2 · A²/2 · Σ w² per frame.
    hann = np.hanning(WINDOW + 1)[:-1]
    frames = 8192 // HOP + 1
    expected = math.sqrt(frames * N_FFT / 2 * amplitude ** 2 / 2 * float((hann ** 2).sum()))
    assert found["spec"] == pytest.approx(expected, rel=0.05)


def test_silence_has_no_scale() -> None:
    assert spectrogram_norm(np.zeros(8192)) == 0.0
