"""One training step of a VQ-VAE, as OpenAI's train.py takes it: the batch blended to mono, the VQ-VAE's loss (its
codebooks moving as it runs, vqvae_loss.py), then backward, clipping, Adam, the schedule and the average
(optimiser.py). The codebooks are buffers, not weights: the optimiser and the average leave them to the bottleneck."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from jukebox_host.training.optimiser import Optimisation, Optimiser
from jukebox_host.training.prior_step import blend_to_mono
from jukebox_host.training.vqvae_loss import VQVAELossSettings, vqvae_loss


@dataclass(frozen=True)
class VQVAEStepReport:
    loss: float
    metrics: dict[str, float]  # OpenAI's names: recons_loss, multispectral_loss, commit_loss, usage, ...
    grad_norm: float
    lr: float
    skipped: bool


class VQVAETrainer:
    def __init__(self, vqvae: nn.Module, settings: Optimisation, loss: VQVAELossSettings, batch_size: int,
                 devices: int = 1) -> None:
        self.vqvae = vqvae
        self.loss_settings = loss
        vqvae.train()
        vqvae.requires_grad_(True)
        params = [p for p in vqvae.parameters() if p.requires_grad]
        self.optimiser = Optimiser(params, settings, batch_size, devices, params[0].device)

    def restore_codebooks(self, window: int, devices: int = 1, threshold: float = 1.0) -> None:
        """Go on training the codebooks a VQ-VAE came with (OpenAI's make_vqvae, restore_k): each code counted as
        used as often as a batch of `window` samples would use it, so that a code falls out of use (and is redrawn)
        only after a few batches without it. `threshold`: OpenAI's revival_threshold."""
        for level, block in enumerate(self.vqvae.bottleneck.level_blocks):
            codes = block.nb_discrete_codes
            raw_to_tokens = 1
            for factor in self.vqvae.downsamples[: level + 1]:
                raw_to_tokens *= int(factor)
            expected_usage = (window // raw_to_tokens) * devices / codes
            block.init = True
            block.codebook_sum = block.codebook.clone() * expected_usage
            block.codebook_elem = torch.ones(codes, device=block.codebook.device) * expected_usage
            block.threshold = threshold

    def fresh_codebooks(self) -> None:
        """Draw the codebooks from the first batch (OpenAI's init_k), as a VQ-VAE trained from scratch does."""
        for block in self.vqvae.bottleneck.level_blocks:
            block.init = False

    def step(self, audio: torch.Tensor, mix: torch.Tensor | float = 0.5) -> VQVAEStepReport:
        mono = blend_to_mono(audio.float(), mix)
        with self.optimiser.precision.autocast():
            loss, metrics = vqvae_loss(self.vqvae, mono, self.loss_settings)
        applied = self.optimiser.apply(loss)
        return VQVAEStepReport(float(loss.detach()), {k: float(v) for k, v in metrics.items()}, applied.grad_norm,
                               applied.lr, applied.skipped)
