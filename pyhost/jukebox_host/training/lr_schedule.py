"""OpenAI's learning-rate schedule (train.py get_lr_scheduler): a linear warm-up over `warmup` steps, then either
a step decay (× gamma every `decay` steps) or, with `linear_decay`, a linear fall to 0 over `decay` steps starting
at step `start_linear_decay` (how OpenAI's README fine-tunes: the rate reaches 0 at the end of the run). At step 0
the factor is 0 whatever the warm-up: OpenAI's first step moves no weight, only Adam's moments."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Schedule:
    warmup: float = 100.0  # lr_warmup
    decay: float = 10000000000.0  # lr_decay
    gamma: float = 1.0  # lr_gamma
    scale: float = 1.0  # lr_scale
    linear_decay: bool = False  # lr_use_linear_decay
    start_linear_decay: int = 0  # lr_start_linear_decay

    def factor(self, step: int) -> float:
        warm = min(1.0, step / self.warmup)
        if self.linear_decay:
            return self.scale * warm * max(0.0, 1.0 - max(0.0, step - self.start_linear_decay) / self.decay)
        return self.scale * (self.gamma ** (step // self.decay)) * warm

    def scheduler(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LambdaLR:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, self.factor)
