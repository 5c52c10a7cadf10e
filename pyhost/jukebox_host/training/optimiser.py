"""What follows a training step's loss in OpenAI's train.py, for any module: backward (loss-scaled for float16), the
gradient norm, gradients scaled down when it passes `clip`, OpenAI's Adam, the learning-rate schedule and the weight
average. A step whose gradient norm is not finite, or above `ignore_grad_norm` when that is set, changes nothing and
is reported skipped."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from jukebox_host.training.ema import WeightAverage, default_mu
from jukebox_host.training.lr_schedule import Schedule
from jukebox_host.training.mixed_precision import MixedPrecision
from jukebox_host.training.openai_adam import OpenAIAdam


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
class Applied:
    grad_norm: float
    lr: float  # the rate this step used
    skipped: bool


def grad_norm(params: list[nn.Parameter]) -> float:
    """OpenAI's grad_norm (utils/fp16.py, flat=False): the root of the summed squared norms, in float32."""
    total: torch.Tensor | float = 0.0
    for p in params:
        if p.grad is not None:
            total = total + p.grad.norm(p=2, dtype=torch.float32) ** 2
    return float(total ** 0.5)


class Optimiser:
    def __init__(self, params: list[nn.Parameter], settings: Optimisation, batch_size: int, devices: int,
                 device: torch.device) -> None:
        """batch_size: each process's share; OpenAI's EMA mu counts the batch over all of them (bs · ngpus)."""
        self.params = params
        self.settings = settings
        self.adam = OpenAIAdam(params, settings.lr, (settings.beta1, settings.beta2), settings.eps,
                               settings.weight_decay)
        self.scheduler = settings.schedule.scheduler(self.adam)
        self.precision = MixedPrecision(settings.precision, device)
        mu = settings.ema_mu if settings.ema_mu is not None else default_mu(batch_size, devices)
        self.average = WeightAverage(params, mu, settings.ema_every)

    def apply(self, loss: torch.Tensor) -> Applied:
        self.precision.backward(loss, self.adam)
        norm = grad_norm(self.params)
        lr = self.scheduler.get_last_lr()[0]
        skipped = not math.isfinite(norm) or 0 < self.settings.ignore_grad_norm < norm
        if not skipped:
            clip = norm / self.settings.clip
            self.precision.step(self.adam, scale=clip if clip > 1 else 1.0)
        self.precision.update()
        for p in self.params:
            p.grad = None
        if not skipped:
            self.scheduler.step()
            self.average.step()
        return Applied(norm, lr, skipped)

    def state_dict(self) -> dict[str, object]:
        return dict(optimizer=self.adam.state_dict(), scheduler=self.scheduler.state_dict(),
                    average=self.average.state_dict(), precision=self.precision.state_dict())

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.adam.load_state_dict(state["optimizer"])  # type: ignore[arg-type]
        self.scheduler.load_state_dict(state["scheduler"])  # type: ignore[arg-type]
        self.average.load_state_dict(state["average"])  # type: ignore[arg-type]
        self.precision.load_state_dict(state.get("precision", {}))  # type: ignore[arg-type]
