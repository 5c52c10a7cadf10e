"""OpenAI's exponential moving average of the weights (jukebox/utils/ema.py CPUEMA, the `cpu_ema` hparams set):
a float32 copy of every trainable weight, updated every `every` steps as ema = mu·ema + (1 − mu)·w with mu raised
to that power. OpenAI saves the averaged weights in its checkpoints (train.py swaps them in to save), so the model a
run writes is the average; training goes on with the raw weights. mu defaults to OpenAI's 1 − batch/8/1000
(batch counted over all devices)."""

from __future__ import annotations

from collections.abc import Iterable

import torch


def default_mu(batch_size: int, devices: int) -> float:
    """OpenAI's get_ema: mu = 1 − (bs · ngpus / 8) / 1000, the batch counted over every process."""
    return 1.0 - (batch_size * devices / 8.0) / 1000


class WeightAverage:
    def __init__(self, params: Iterable[torch.nn.Parameter], mu: float, every: int = 1) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.mu = mu ** every
        self.every = every
        self.steps = 0
        self.average = [p.detach().float().cpu().clone() for p in self.params]

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        if self.steps % self.every == 0:
            for average, p in zip(self.average, self.params):
                average.mul_(self.mu).add_(p.detach().float().cpu(), alpha=1 - self.mu)

    @torch.no_grad()
    def swap(self) -> None:
        """Averaged weights into the model and the model's into the average; twice is the identity."""
        for average, p in zip(self.average, self.params):
            current = p.detach().float().cpu().clone()
            p.copy_(average.to(device=p.device, dtype=p.dtype))
            average.copy_(current)

    def state_dict(self) -> dict[str, object]:
        return {"steps": self.steps, "average": self.average}

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.steps = int(state["steps"])  # type: ignore[call-overload]
        saved = state["average"]
        assert isinstance(saved, list) and len(saved) == len(self.average), "EMA state of another model"
        for average, kept in zip(self.average, saved):
            average.copy_(kept)
