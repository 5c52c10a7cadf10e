"""Sample-rate and channel conversion."""

from __future__ import annotations

import numpy as np

from jukebox_host.host import audio as A


def test_prompt_becomes_mono_at_the_models_rate() -> None:
    stereo = np.stack([np.ones(48000), -np.ones(48000) * 0.5]).astype(np.float32)
    mono = A.prepare_prompt(stereo, 48000, 44100)
    assert mono.shape == (44100,)
    assert abs(float(mono[20000]) - 0.25) < 1e-3


def test_delivery_resamples_copies_channels_and_clips() -> None:
    out = A.deliver(np.full(44100, 2.0, dtype=np.float32), 44100, 22050, 3)
    assert out.shape == (3, 22050)
    assert float(out.max()) == 1.0


def test_resampling_keeps_a_tone_at_its_frequency() -> None:
    t = np.arange(44100) / 44100
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)[None, :]
    out = A.resample(tone, 44100, 16000)[0]
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(int(np.argmax(spectrum)) - 1000) <= 1
