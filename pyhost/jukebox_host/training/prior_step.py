"""One training step of a prior, as OpenAI's train.py `train()` takes it: the batch blended to mono, encoded by the
(frozen) VQ-VAE, the prior's loss, then backward, clipping, Adam, the schedule and the average (optimiser.py)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from jukebox_host.training.optimiser import Optimisation, Optimiser
from jukebox_host.training.prior_loss import prior_loss


@dataclass(frozen=True)
class StepReport:
    loss: float
    gen_loss: float
    prime_loss: float
    grad_norm: float
    lr: float  # the rate this step used
    skipped: bool


def blend_to_mono(audio: torch.Tensor, mix: torch.Tensor | float = 0.5) -> torch.Tensor:
    """(batch, samples, channels) → (batch, samples, 1), as OpenAI's audio_preprocess: two channels mixed
    mix·left + (1 − mix)·right (0.5, or random per row with aug_blend), one channel kept."""
    if audio.shape[-1] == 2:
        return (mix * audio[:, :, 0] + (1 - mix) * audio[:, :, 1]).unsqueeze(2)
    if audio.shape[-1] == 1:
        return audio
    raise ValueError(f"training audio has {audio.shape[-1]} channels; 1 or 2 expected")


class _Loss(nn.Module):
    """The prior's loss as a module's forward, so that DistributedDataParallel can wrap it."""

    def __init__(self, prior: nn.Module) -> None:
        super().__init__()
        self.prior = prior

    def forward(self, tokens: torch.Tensor, conds: list[torch.Tensor], metadata: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        result = prior_loss(self.prior, tokens, conds, metadata)
        return result.loss, result.gen_loss, result.prime_loss


class PriorTrainer:
    """Trains `model.priors[prior_index]` (transformers' order: 0 is the top) over the frozen `model.vqvae`.
    With `devices` > 1 (processes started by torchrun), each holds its share of the batch and the gradients are
    averaged over all of them (training/distributed.py)."""

    def __init__(self, model: nn.Module, prior_index: int, settings: Optimisation, batch_size: int,
                 devices: int = 1) -> None:
        self.model = model
        self.prior = model.priors[prior_index]
        self.level = len(model.priors) - 1 - prior_index  # the VQ-VAE's level (0: bottom)
        model.vqvae.requires_grad_(False)
        self.prior.requires_grad_(True)
        self.prior.train()
        self.params = [p for p in self.prior.parameters() if p.requires_grad]
        self.loss: nn.Module = _Loss(self.prior)
        if devices > 1:
            self.loss = nn.parallel.DistributedDataParallel(self.loss)
        self.optimiser = Optimiser(self.params, settings, batch_size, devices, next(self.prior.parameters()).device)

    def encode(self, mono: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The window's codes at the prior's level and, for an upsampler, the level above's (its conditioning)."""
        with torch.no_grad():
            top = len(self.model.priors)
            codes = self.model.vqvae.encode(mono, start_level=self.level, end_level=min(self.level + 2, top),
                                            bs_chunks=mono.shape[0])
        return codes[0], codes[1:2]

    def step(self, audio: torch.Tensor, metadata: torch.Tensor, mix: torch.Tensor | float = 0.5) -> StepReport:
        tokens, conds = self.encode(blend_to_mono(audio.float(), mix))
        with self.optimiser.precision.autocast():
            loss, gen_loss, prime_loss = self.loss(tokens, conds, metadata)
        applied = self.optimiser.apply(loss)
        return StepReport(float(loss.detach()), float(gen_loss), float(prime_loss), applied.grad_norm, applied.lr,
                          applied.skipped)
