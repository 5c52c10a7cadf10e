"""Mixed precision for training: the weights, gradients and Adam's moments stay float32; the forward runs under
torch.autocast in bfloat16 (GPUs, and CPUs with AVX-512 BF16 or AMX, where it is faster) or float16. float16 needs
loss scaling, as OpenAI's `all_fp16` runs had (its LossScalar): torch's GradScaler scales the loss up before
backward, unscales the gradients before their norm is taken, and halves the scale when they overflow (that step is
then skipped). float32 is the default and the only precision whose steps equal OpenAI's fp32 steps."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

PRECISIONS = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def auto_precision(device: torch.device) -> str:
    """bfloat16 where it is fast: CUDA with bf16 support, or a CPU with AVX-512 BF16 / AMX; else float32."""
    if device.type == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if device.type == "cpu" and torch.backends.cpu.get_cpu_capability() in ("AVX512_BF16", "AMX"):
        return "bfloat16"
    return "float32"


class MixedPrecision:
    def __init__(self, precision: str, device: torch.device) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision {precision!r}: one of {', '.join(PRECISIONS)}")
        self.dtype = PRECISIONS[precision]
        self.device = device
        self.scaler = torch.amp.GradScaler(device.type) if self.dtype == torch.float16 else None

    @contextlib.contextmanager
    def autocast(self) -> Iterator[None]:
        if self.dtype == torch.float32:
            yield
        else:
            with torch.autocast(self.device.type, dtype=self.dtype):
                yield

    def backward(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        if self.scaler is None:
            loss.backward()
        else:
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(optimizer)  # the norm and the clipping see the true gradients

    def step(self, optimizer: torch.optim.Optimizer, scale: float) -> None:
        if self.scaler is None:
            optimizer.step(scale=scale)  # type: ignore[call-arg]
        else:
            self.scaler.step(optimizer, scale=scale)

    def update(self) -> None:
        if self.scaler is not None:
            self.scaler.update()

    def state_dict(self) -> dict[str, object]:
        return {} if self.scaler is None else self.scaler.state_dict()

    def load_state_dict(self, state: dict[str, object]) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)
