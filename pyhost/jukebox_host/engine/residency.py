"""Level-wise residency: only the prior being sampled lives on the GPU; the others wait in pinned host memory.

Weights never change while sampling, so each prior keeps one host copy of every tensor storage (pinned when the
device is CUDA). Making a prior resident copies those storages to the device once; sending it back only points its
tensors at the host copies again, with no copy. Tied tensors (the upsamplers' output projection and embedding)
share one storage and move as one.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class LevelResidency:
    def __init__(self, priors: list[nn.Module], device: torch.device) -> None:
        self.priors = priors
        self.device = device
        self.active: int | None = None
        pin = device.type == "cuda"
        # Per prior: (tensor, key of its storage) for every parameter and buffer; one host copy per storage.
        self._tensors: list[list[tuple[torch.Tensor, int]]] = []
        self._host: list[dict[int, torch.Tensor]] = []
        for prior in priors:
            tensors: list[tuple[torch.Tensor, int]] = []
            host: dict[int, torch.Tensor] = {}
            for tensor in [*prior.parameters(), *prior.buffers()]:
                key = tensor.data.data_ptr()
                if key not in host:
                    copy = tensor.data.to("cpu")
                    host[key] = copy.pin_memory() if pin else copy
                tensors.append((tensor, key))
            self._tensors.append(tensors)
            self._host.append(host)
        self.place(None)

    def place(self, active: int | None) -> None:
        """Make prior `active` (index, top first) resident on the device and the others host-only; None: all host."""
        for index, (tensors, host) in enumerate(zip(self._tensors, self._host)):
            if index == active:
                if self.active == index:
                    continue
                on_device = {key: value.to(self.device, non_blocking=True) for key, value in host.items()}
                for tensor, key in tensors:
                    tensor.data = on_device[key]
            else:
                for tensor, key in tensors:
                    tensor.data = host[key]
        self.active = active
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.empty_cache()

    def storages(self, index: int) -> int:
        return len(self._host[index])

    def describe(self) -> list[dict[str, Any]]:
        pinned = " (pinned)" if self.device.type == "cuda" else ""
        out = []
        for index, host in enumerate(self._host):
            size = sum(t.numel() * t.element_size() for t in host.values())
            where = str(self.device) if index == self.active else f"cpu{pinned}"
            out.append({"prior": index, "device": where, "bytes": size})
        return out
