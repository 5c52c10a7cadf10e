"""The scale of the material a VQ-VAE learns, which its losses are divided by (OpenAI's calculate_bandwidth,
utils/audio_utils.py): over windows 0, 16, 32, … of the training set until `seconds` of audio (counted over both
channels, as OpenAI counts), the variance ('l2') and mean absolute value ('l1') of the samples and the mean Frobenius
norm of each window's magnitude spectrogram ('spec'; n_fft 2048, hop 256, Hann window 1536, of the channels' mean,
centred with reflected edges as librosa's stft of OpenAI's time). OpenAI takes 600 s for a VQ-VAE."""

from __future__ import annotations

import numpy as np
import torch

from jukebox_host.training.windows import Windows

N_FFT, HOP, WINDOW = 2048, 256, 1536
STRIDE = 16  # OpenAI's step between the windows it reads (one process)


def spectrogram_norm(mono: np.ndarray) -> float:
    stft = torch.stft(torch.from_numpy(mono), N_FFT, HOP, win_length=WINDOW,
                      window=torch.hann_window(WINDOW, dtype=torch.float64), center=True, pad_mode="reflect",
                      return_complex=True)
    return float(torch.linalg.norm(stft.abs()))


def bandwidth(windows: Windows, seconds: float) -> dict[str, float]:
    wanted = int(windows.audio.rate * seconds)
    seen, total, total_sq, l1, spec_total, spec_count = 0, 0.0, 0.0, 0.0, 0.0, 0
    item = 0
    while seen < wanted:
        samples = windows.audio_of(windows.window(item % windows.items)).astype(np.float64)
        spec_total += spectrogram_norm(samples.mean(axis=1))
        spec_count += 1
        seen += samples.size
        l1 += float(np.abs(samples).sum())
        total += float(samples.sum())
        total_sq += float((samples ** 2).sum())
        item += STRIDE
    mean = total / seen
    return dict(l2=total_sq / seen - mean ** 2, l1=l1 / seen, spec=spec_total / spec_count)
