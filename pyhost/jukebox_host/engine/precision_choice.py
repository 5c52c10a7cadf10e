"""`--fastpath auto`: the layer path and precision for this machine, measured when the host starts, not guessed
from its name. The build machines' CPUs differ (AVX2 only, or AVX-512 with BF16/VNNI) and so does the fastest
path on them: torch's int8 weight kernel read ~20 GB/s on one and ~9 GB/s on the other (bench/RESULTS.md 5).

A stack of layers shaped like a prior's (JukeboxConv1D, width → 4·width → width) is timed at batch 1, as a token
is sampled, through each candidate; the fastest wins. Off the CPU the host's defaults stand (float16 on CUDA).
Every path but float32 'stock' gives results close to, not identical with, OpenAI's (docs/ENGINE.md): auto is
for speed, and the default stays float32."""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from jukebox_host.engine.fastpath import linearize, quantize_int8

log = logging.getLogger("jukebox_host")

# (fastpath, the priors' dtype): float32 as transformers runs it, bfloat16 weights, int8 weights (bf16 activations)
CANDIDATES: list[tuple[str, torch.dtype]] = [("stock", torch.float32), ("linear", torch.bfloat16),
                                             ("int8", torch.float32)]


@dataclass
class Choice:
    fastpath: str
    dtype: torch.dtype
    capability: str
    ms_per_step: dict[str, float] = field(default_factory=dict)  # candidate → median ms through the stack

    def summary(self) -> str:
        figures = ", ".join(f"{name} {ms:.2f} ms" for name, ms in self.ms_per_step.items())
        return (f"fastpath auto on CPU {self.capability}: {figures} -> {self.fastpath} "
                f"({str(self.dtype).replace('torch.', '')})")


def _label(fastpath: str, dtype: torch.dtype) -> str:
    return f"{fastpath} {str(dtype).replace('torch.', '')}"


def _stack(width: int, layers: int) -> nn.Module:
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxConv1D

    blocks: list[nn.Module] = []
    for _ in range(layers):
        blocks += [JukeboxConv1D(width, 4 * width), JukeboxConv1D(4 * width, width)]
    stack = nn.Sequential(*blocks)
    with torch.no_grad():
        for block in blocks:
            block.weight.normal_(0.0, 0.02)
    return stack


def time_path(fastpath: str, dtype: torch.dtype, width: int, layers: int, reps: int) -> float:
    """Median milliseconds of one batch-1 step through the stack on the CPU, by this path."""
    stack = _stack(width, layers)
    if fastpath == "linear":
        linearize(stack)
    elif fastpath == "int8":
        quantize_int8(stack, torch.device("cpu"))
    stack = stack.to(dtype) if fastpath != "int8" else stack
    x = torch.randn(1, width, dtype=dtype)
    times = []
    with torch.inference_mode():
        for k in range(reps + 3):
            started = time.perf_counter()
            stack(x)
            if k >= 3:  # the first calls pay for allocation and kernel choice
                times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def choose(device: torch.device, width: int = 1024, layers: int = 4, reps: int = 15) -> Choice | None:
    """The fastest candidate on this CPU; None off the CPU (the host's defaults stand)."""
    if device.type != "cpu":
        return None
    capability = str(torch.backends.cpu.get_cpu_capability())
    timings = {(fp, dt): time_path(fp, dt, width, layers, reps) for fp, dt in CANDIDATES}
    fastpath, dtype = min(timings, key=lambda key: timings[key])
    return Choice(fastpath, dtype, capability, {_label(fp, dt): ms for (fp, dt), ms in timings.items()})
