"""One random stream per level, so what a level draws does not depend on when the other levels ran.

transformers' priors draw their tokens from torch's default generator of the device. Sampled level by level
(OpenAI's order) one stream would do; a pipelined schedule interleaves the levels' windows, and with one stream
each level's draws would depend on the interleaving. Here each prior has a generator state of its own, seeded
from the job's seed, swapped into the device's default generator around each of its windows. The top prior's
stream is exactly `torch.manual_seed(seed)`'s, as before levels had streams; the others are seeded from
(seed, prior index) through numpy's SeedSequence, so no two levels share a stream.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch


def _get_state(device: torch.device) -> torch.Tensor:
    if device.type == "cuda":
        return torch.cuda.get_rng_state(device)
    if device.type == "mps":
        return torch.mps.get_rng_state()
    return torch.get_rng_state()


def _set_state(device: torch.device, state: torch.Tensor) -> None:
    if device.type == "cuda":
        torch.cuda.set_rng_state(state, device)
    elif device.type == "mps":
        torch.mps.set_rng_state(state)
    else:
        torch.set_rng_state(state)


def stream_seed(seed: int, prior_index: int) -> int:
    """The seed of prior `prior_index`'s stream: the job's own for the top."""
    if prior_index == 0:
        return seed
    return int(np.random.SeedSequence([seed, prior_index]).generate_state(1, np.uint64)[0] >> 1)


class LevelStreams:
    def __init__(self, seed: int | None, n_priors: int, device: torch.device) -> None:
        """seed None: a fresh seed from torch's own entropy (still one stream per level)."""
        self.device = device
        base = secrets.randbits(63) if seed is None else seed
        self.states = [torch.Generator(device).manual_seed(stream_seed(base, index)).get_state()
                       for index in range(n_priors)]

    def take(self, prior_index: int) -> None:
        """Prior `prior_index`'s stream into the device's default generator, where its draws continue it."""
        _set_state(self.device, self.states[prior_index])

    def keep(self, prior_index: int) -> None:
        """The device's default generator, as prior `prior_index`'s draws left it, back into its stream."""
        self.states[prior_index] = _get_state(self.device)

    @contextmanager
    def drawing_for(self, prior_index: int) -> Iterator[None]:
        """The device's default generator is prior `prior_index`'s stream inside; the caller's state after."""
        outer = _get_state(self.device)
        self.take(prior_index)
        try:
            yield
        finally:
            self.keep(prior_index)
            _set_state(self.device, outer)
