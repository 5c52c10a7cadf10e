"""serve --device auto: CUDA first, then Apple silicon's GPU (MPS), then the CPU; a named device as named."""

from __future__ import annotations

import torch

from jukebox_host.engine.loading import pick_device, pick_dtype


def test_auto_prefers_cuda_then_mps_then_cpu() -> None:
    assert pick_device("auto", cuda=True, mps=True) == torch.device("cuda")
    assert pick_device("auto", cuda=False, mps=True) == torch.device("mps")
    assert pick_device("auto", cuda=False, mps=False) == torch.device("cpu")
    assert pick_device("cuda:1", cuda=False, mps=False) == torch.device("cuda:1")


def test_auto_on_this_machine_is_what_torch_has() -> None:
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert pick_device("auto").type == expected


def test_auto_precision_is_float32_off_cuda() -> None:
    assert pick_dtype("auto", torch.device("mps")) == torch.float32
    assert pick_dtype("auto", torch.device("cuda")) == torch.float16
