"""Several processes training one prior, as OpenAI's runs did over MPI: torch.distributed's DistributedDataParallel
averages the gradients of every process's share of the batch, so N processes at batch B take the steps one process
at batch N·B would. Started by `torchrun` (its environment says the rank and the world size); gloo on CPUs, NCCL on
GPUs. One process alone needs none of it."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Group:
    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        """The process that writes the run's files."""
        return self.rank == 0

    def mean(self, value: float) -> float:
        """The mean of a number over the processes (the loss of the whole batch)."""
        if self.world == 1:
            return value
        total = torch.tensor([value], dtype=torch.float64)
        dist.all_reduce(total)
        return float(total[0]) / self.world

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()


def from_environment(device: str) -> tuple[Group, str]:
    """The group torchrun started this process in (or a group of one), and this process's device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Group(), device
    rank = int(os.environ["RANK"])
    if device.startswith("cuda"):
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device = f"cuda:{local}"
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
    return Group(rank, world), device


def close(group: Group) -> None:
    if group.world > 1 and dist.is_initialized():
        dist.destroy_process_group()
