"""A run that trains the model's VQ-VAE (run.py does the rest): its codebooks restored (going on with the model's
own) or drawn fresh with fresh weights (a VQ-VAE from scratch), the losses scaled by the material's bandwidth, the
step, the test loss, reconstructions at every level as samples, its checkpoint with the codebooks' running sums.

A new VQ-VAE keeps the model's shape (levels, downsampling, codes, widths): the priors of the model it is saved
into were trained on the old codes and must be trained again on the new ones, level by level."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from jukebox_host.engine.loading import LoadedModel
from jukebox_host.training.audio_folder import Usable
from jukebox_host.training.bandwidth import bandwidth
from jukebox_host.training.prior_part import PartError
from jukebox_host.training.prior_step import blend_to_mono
from jukebox_host.training.vqvae_loss import VQVAELossSettings, vqvae_loss
from jukebox_host.training.vqvae_step import VQVAETrainer
from jukebox_host.training.windows import Window, Windows

_CODEBOOK_STATE = ("codebook_sum", "codebook_elem", "init", "threshold")


class VQVAEPart:
    unit = "samples"

    def __init__(self, loaded: LoadedModel, settings: Any, devices: int) -> None:
        """settings: run.py's RunSettings."""
        if devices > 1:
            # OpenAI all-reduces each step's codebook sums across processes; transformers' codebook update does not,
            # and nothing here averages the VQ-VAE's gradients: several processes would train several VQ-VAEs.
            raise PartError("the VQ-VAE trains in one process only (not under torchrun with several); priors "
                            "train in several")
        self.loaded = loaded
        self.vqvae = loaded.model.vqvae
        self.settings = settings
        self.devices = devices
        self.length = int(settings.vqvae_window)
        self.tokens_per_window = self.length
        self.fresh = settings.new_prior is not None
        if self.fresh:
            torch.manual_seed(settings.seed)
            self.vqvae.apply(self.vqvae._init_weights)  # the constructor's own init (transformers leaves it to this)
        self.trainer: VQVAETrainer | None = None

    def usable(self, rate: int) -> Usable:
        return Usable(self.length, "one training window")

    def prepare(self, windows: Windows) -> None:
        """The losses' scale from the material (OpenAI: 600 s of it), then the trainer."""
        scale = bandwidth(windows, self.settings.bandwidth_seconds)
        self.trainer = VQVAETrainer(self.vqvae, self.settings.optimisation, VQVAELossSettings(bandwidth=scale),
                                    self.settings.batch, self.devices)
        if self.fresh:
            self.trainer.fresh_codebooks()
        else:
            self.trainer.restore_codebooks(self.length, self.devices)

    def labels(self, windows: list[Window], song_frames: list[int]) -> torch.Tensor:
        return torch.zeros(len(windows), 1, dtype=torch.long)  # a VQ-VAE reads no labels

    def step(self, audio: torch.Tensor, labels: torch.Tensor, mix: torch.Tensor | float) -> dict[str, Any]:
        assert self.trainer is not None
        report = self.trainer.step(audio, mix)
        return dict(loss=report.loss, grad_norm=report.grad_norm, lr=report.lr, skipped=report.skipped,
                    **report.metrics)

    def test_loss(self, audio: torch.Tensor, labels: torch.Tensor) -> float:
        assert self.trainer is not None
        return float(vqvae_loss(self.vqvae, blend_to_mono(audio), self.trainer.loss_settings)[0])

    def sample(self, audio: torch.Tensor, labels: torch.Tensor) -> list[tuple[str, np.ndarray]]:
        """The window through the VQ-VAE so far, decoded from each level's codes alone (OpenAI's x_ds_start_L)."""
        mono = blend_to_mono(audio[:1])
        codes = self.vqvae.encode(mono, start_level=0, bs_chunks=1)
        waves = []
        for level in range(len(codes)):
            wave = self.vqvae.decode(codes[level:level + 1], start_level=level, end_level=level + 1)
            waves.append((f"_level{level}", wave[0, :, 0].float().cpu().numpy()))
        return waves

    def module(self) -> torch.nn.Module:
        return self.vqvae

    def state_dict(self) -> dict[str, Any]:
        blocks = self.vqvae.bottleneck.level_blocks
        return dict(vqvae=self.vqvae.state_dict(),
                    codebooks=[{k: getattr(b, k) for k in _CODEBOOK_STATE} for b in blocks])

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.vqvae.load_state_dict(state["vqvae"])
        for block, kept in zip(self.vqvae.bottleneck.level_blocks, state["codebooks"]):
            for key in _CODEBOOK_STATE:
                setattr(block, key, kept[key])
