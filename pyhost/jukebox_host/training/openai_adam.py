"""OpenAI's Adam (jukebox/utils/fp16.py: FusedAdam with adam_step, the path taken without apex), so that a step
moves the weights exactly as OpenAI's training did. It differs from torch's Adam and AdamW in two places:
- eps is added to the root of the second moment before bias correction (torch adds it after);
- weight decay joins the update, scaled by the bias-corrected step size (AdamW decouples it; Adam adds it to the
  gradient).
`step(scale)` divides the gradients by `scale` first: train.py passes the gradient clipping factor there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


class OpenAIAdam(torch.optim.Optimizer):
    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float, betas: tuple[float, float],
                 eps: float, weight_decay: float) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: None = None, scale: float = 1.0) -> None:  # type: ignore[override]
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, dtype=torch.float32)
                    state["exp_avg_sq"] = torch.zeros_like(p, dtype=torch.float32)
                state["step"] += 1
                grad = p.grad.float() / scale
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.sqrt().add_(group["eps"])
                step = state["step"]
                step_size = group["lr"] * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
                p.add_(exp_avg / denom + group["weight_decay"] * p.float(), alpha=-step_size)
