"""Other layer paths for the priors' per-token step.

transformers' JukeboxConv1D computes `addmm(bias, x, W)` with W stored (in, out). At batch 1 that is a
matrix-vector product whose speed is set by how many bytes of W are read, and plain `.to(bfloat16)` gains nothing
on CPU. 'linear' swaps each JukeboxConv1D for an nn.Linear holding Wᵀ (out, in), same maths. 'int8' stores each
of those weights as int8 with one scale per output channel (weight-only quantisation: activations stay in 16-bit
floats) and multiplies through torch's own int8 weight kernel (`aten._weight_int8pack_mm`), so a token reads one
byte per weight; where that kernel is missing or wrong for a shape, the layer dequantises its weight per call
instead (same numbers, no speed-up). Measured in bench/RESULTS.md.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def conv1d_as_linear(conv: nn.Module) -> nn.Linear:
    """Same function as JukeboxConv1D (x @ W + b over the last dimension), as a plain nn.Linear holding Wᵀ."""
    weight = conv.weight.detach()
    linear = nn.Linear(weight.shape[0], weight.shape[1], bias=True, device=weight.device, dtype=weight.dtype)
    with torch.no_grad():
        linear.weight.copy_(weight.t())
        linear.bias.copy_(conv.bias.detach())
    return linear


def _replace(module: nn.Module, make: Any) -> int:
    """Replace every JukeboxConv1D below `module` in place by make(layer); return how many were replaced."""
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxConv1D

    replaced = 0
    for name, child in list(module.named_children()):
        if isinstance(child, JukeboxConv1D):
            setattr(module, name, make(child))
            replaced += 1
        else:
            replaced += _replace(child, make)
    return replaced


def linearize(module: nn.Module) -> int:
    return _replace(module, conv1d_as_linear)


# The kernel reads the weights once per row of input: right for sampling (a few rows), slower than one dequantised
# matrix product for priming chunks (measured: 64 rows about even, 256 rows 1.5x slower).
_KERNEL_MAX_ROWS = 64


class Int8WeightLinear(nn.Module):
    """y = x Wᵀ + b with W held as int8 (out, in) and one scale per output row (symmetric, |W| max → 127)."""

    def __init__(self, weight_out_in: torch.Tensor, bias: torch.Tensor, compute_dtype: torch.dtype) -> None:
        super().__init__()
        weight = weight_out_in.detach().float()
        scale = weight.abs().amax(dim=1).clamp_min(1e-12) / 127.0
        quantized = torch.round(weight / scale[:, None]).clamp(-127, 127).to(torch.int8)
        self.register_buffer("weight_int8", quantized.contiguous())  # the kernel takes (out, in) row-major only
        self.register_buffer("scale", scale.to(compute_dtype))
        self.register_buffer("bias", bias.detach().to(compute_dtype))
        self.in_features, self.out_features = int(weight.shape[1]), int(weight.shape[0])
        self._kernel_ok: dict[str, bool] = {}  # per device type: checked on first use (residency moves layers)

    @property
    def weight(self) -> torch.Tensor:
        """transformers' lyric encoder reads `mlp.c_fc.weight.dtype` to make its start token: give it a tensor of
        the compute dtype (the scales; there is no float weight to hand out)."""
        return self.scale

    def _kernel_works_on(self, device: torch.device) -> bool:
        works = self._kernel_ok.get(device.type)
        if works is None:
            works = self._kernel_ok[device.type] = _kernel_works(self.weight_int8, self.scale)
        return works

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Called ~300 times per sampled token on a full-size prior: Python work here is a visible share of a token.
        flat = x.reshape(-1, self.in_features)
        if flat.dtype != self.scale.dtype:
            flat = flat.to(self.scale.dtype)
        if not flat.is_contiguous():
            flat = flat.contiguous()
        if flat.shape[0] <= _KERNEL_MAX_ROWS and self._kernel_works_on(flat.device):
            out = INT8_MM(flat, self.weight_int8, self.scale)
        else:  # CPUs without native bfloat16 multiply it slowly: the dequantised product runs in float32 there
            wide = torch.float32 if flat.device.type == "cpu" else flat.dtype
            out = (flat.to(wide) @ _dequantize(self.weight_int8, self.scale, wide).t()).to(flat.dtype)
        out = out.add_(self.bias).view(*x.shape[:-1], self.out_features)
        return out if out.dtype == x.dtype else out.to(x.dtype)


INT8_MM = torch.ops.aten._weight_int8pack_mm.default


def _dequantize(weight: torch.Tensor, scale: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The (out, in) weight the int8 kernel multiplies by, in `dtype`."""
    return weight.to(dtype) * scale.to(dtype)[:, None]


def _kernel_works(weight: torch.Tensor, scale: torch.Tensor) -> bool:
    """Whether torch's int8 weight kernel gives the right numbers for this layer's shape on its device.
    On CPU it reads garbage for some narrow inner dimensions (seen for 4, 18, 28 with bfloat16), so only
    multiples of 32 are tried at all, and each layer checks the kernel once against the dequantised product."""
    if weight.shape[1] % 32 or weight.device.type == "meta":
        return False
    # Its own generator: a draw from the global one would shift the first job's sampling after a load
    generator = torch.Generator(device=weight.device).manual_seed(0)
    probe = torch.randn(3, weight.shape[1], device=weight.device, generator=generator).to(scale.dtype)
    try:
        got = INT8_MM(probe, weight, scale).float()
    except (RuntimeError, NotImplementedError):
        return False
    want = probe.float() @ _dequantize(weight, scale, torch.float32).t()
    return bool(torch.isfinite(got).all()) and float((got - want).abs().max()) <= 0.02 * float(want.abs().max()) + 1e-3


def check_int8_kernels(module: nn.Module, device: torch.device) -> None:
    """Run each int8 layer's kernel check for `device` now, eagerly. A compiled step must not meet it first: the
    check reads numbers back to Python, which splits the compiled graph into pieces (measured: a 12-layer stack
    ran 1.6x slower compiled than eager that way)."""
    for layer in module.modules():
        if isinstance(layer, Int8WeightLinear):
            layer._kernel_works_on(device)


def int8_compute_dtype(device: torch.device) -> torch.dtype:
    # 16-bit activations halve what the kernel reads besides the weights; CUDA has no fast bfloat16 on old cards.
    return torch.float16 if device.type == "cuda" else torch.bfloat16


def quantize_int8(module: nn.Module, device: torch.device | None = None) -> int:
    """int8 weight-only for every JukeboxConv1D (or nn.Linear made from one) below `module`."""

    def make(layer: nn.Module) -> Int8WeightLinear:
        weight = layer.weight if isinstance(layer, nn.Linear) else layer.weight.t()
        # Quantised where the layer is; 16-bit type chosen for where it will run (level residency moves it).
        return Int8WeightLinear(weight, layer.bias, int8_compute_dtype(device or weight.device))

    return _replace(module, make)


def speed_up_priors(model: Any, int8: bool = False, device: torch.device | None = None) -> int:
    """Apply the fast path to every prior of a loaded JukeboxModel; return the number of layers swapped.
    The output projection `fc_proj_out` is a plain nn.Linear already (tied to the embedding in the upsamplers)
    and stays as it is, so progress hooks and ties keep working."""
    return sum(quantize_int8(prior, device) if int8 else linearize(prior) for prior in model.priors)
