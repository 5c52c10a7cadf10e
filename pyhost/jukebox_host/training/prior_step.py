"""One training step of a prior, as OpenAI's train.py `train()` takes it in float32: the batch blended to mono,
encoded by the (frozen) VQ-VAE, the prior's loss, backward, the gradient norm, gradients scaled down when that norm
passes `clip`, OpenAI's Adam, the learning-rate schedule and the weight average. A step whose gradient norm is not
finite, or above `ignore_grad_norm` when that is set, changes nothing and is reported skipped."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from jukebox_host.training.ema import WeightAverage
from jukebox_host.training.lr_schedule import Schedule
from jukebox_host.training.mixed_precision import MixedPrecision
from jukebox_host.training.openai_adam import OpenAIAdam
from jukebox_host.training.prior_loss import prior_loss


@dataclass(frozen=True)
class Optimisation:
    """OpenAI's optimiser hparams (hparams.py DEFAULTS['opt']); the defaults are OpenAI's."""
    lr: float = 0.0003
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-08
    weight_decay: float = 0.0
    clip: float = 1.0
    ignore_grad_norm: float = 0.0
    schedule: Schedule = Schedule()
    ema_mu: float | None = None  # None: OpenAI's 1 − batch/8/1000
    ema_every: int = 1  # OpenAI's cpu_ema averages every 100 steps; its fused EMA every step
    precision: str = "float32"  # or 'bfloat16' / 'float16' autocast (mixed_precision.py)


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


def grad_norm(params: list[nn.Parameter]) -> float:
    """OpenAI's grad_norm (utils/fp16.py, flat=False): the root of the summed squared norms, in float32."""
    total: torch.Tensor | float = 0.0
    for p in params:
        if p.grad is not None:
            total = total + p.grad.norm(p=2, dtype=torch.float32) ** 2
    return float(total ** 0.5)


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
        self.settings = settings
        model.vqvae.requires_grad_(False)
        self.prior.requires_grad_(True)
        self.prior.train()
        self.params = [p for p in self.prior.parameters() if p.requires_grad]
        self.loss: nn.Module = _Loss(self.prior)
        if devices > 1:
            self.loss = nn.parallel.DistributedDataParallel(self.loss)
        self.optimizer = OpenAIAdam(self.params, settings.lr, (settings.beta1, settings.beta2), settings.eps,
                                    settings.weight_decay)
        self.scheduler = settings.schedule.scheduler(self.optimizer)
        self.precision = MixedPrecision(settings.precision, next(self.prior.parameters()).device)
        mu = settings.ema_mu if settings.ema_mu is not None else 1.0 - (batch_size * devices / 8.0) / 1000
        # batch_size: each process's share; OpenAI's mu counts the batch over all of them (bs · ngpus)
        self.average = WeightAverage(self.params, mu, settings.ema_every)

    def encode(self, mono: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The window's codes at the prior's level and, for an upsampler, the level above's (its conditioning)."""
        with torch.no_grad():
            top = len(self.model.priors)
            codes = self.model.vqvae.encode(mono, start_level=self.level, end_level=min(self.level + 2, top),
                                            bs_chunks=mono.shape[0])
        return codes[0], codes[1:2]

    def step(self, audio: torch.Tensor, metadata: torch.Tensor, mix: torch.Tensor | float = 0.5) -> StepReport:
        tokens, conds = self.encode(blend_to_mono(audio.float(), mix))
        with self.precision.autocast():
            loss, gen_loss, prime_loss = self.loss(tokens, conds, metadata)
        self.precision.backward(loss, self.optimizer)
        norm = grad_norm(self.params)
        lr = self.scheduler.get_last_lr()[0]
        skipped = not math.isfinite(norm) or 0 < self.settings.ignore_grad_norm < norm
        if not skipped:
            clip = norm / self.settings.clip
            self.precision.step(self.optimizer, scale=clip if clip > 1 else 1.0)
        self.precision.update()
        for p in self.params:
            p.grad = None
        if not skipped:
            self.scheduler.step()
            self.average.step()
        return StepReport(float(loss.detach()), float(gen_loss), float(prime_loss), norm, lr, skipped)
