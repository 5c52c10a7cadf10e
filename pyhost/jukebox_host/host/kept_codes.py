"""Each client's last result as Jukebox codes, every level, for `mode continue` (OpenAI's sample.py
--mode=continue): a continuation primes from these exact codes instead of re-encoding audio, so it loses nothing
to a VQ-VAE round trip.

Bounded: a result is kept KEEP_SECONDS after it was made, for the client (routing id) that asked for it, and all
kept codes together take at most KEPT_BYTES (the least recently used go first). Codes are stored as int16 on the
CPU: every Jukebox codebook has 2048 entries. A 60 s result of the real models is 433,000 codes at its three
levels (a code per 8, 32 and 128 samples): about 0.9 MB per sample.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import torch

from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError

KEEP_SECONDS = 1800.0
KEPT_BYTES = 256 * 2**20


@dataclass
class Kept:
    model: str
    codes: list[torch.Tensor]  # per prior, top first: (n_samples, tokens) int16 on the CPU
    start: int = 0  # model-rate samples of the piece before these codes (a chain keeps only a tail)
    made: float = field(default_factory=time.monotonic)

    @property
    def bytes(self) -> int:
        return sum(c.numel() * c.element_size() for c in self.codes)


class KeptCodes:
    def __init__(self, keep_seconds: float = KEEP_SECONDS, max_bytes: int = KEPT_BYTES) -> None:
        self.keep_seconds = keep_seconds
        self.max_bytes = max_bytes
        self._kept: OrderedDict[bytes, Kept] = OrderedDict()
        self._lock = threading.RLock()  # a pool's dispatcher threads share one store

    def put(self, client: bytes, model: str, codes: list[torch.Tensor], start: int = 0) -> None:
        with self._lock:
            self._put(client, model, codes, start)

    def _put(self, client: bytes, model: str, codes: list[torch.Tensor], start: int) -> None:
        self._kept.pop(client, None)
        kept = Kept(model, [c.detach().to("cpu", torch.int16) for c in codes], start)
        if kept.bytes > self.max_bytes:
            return  # larger than the whole budget: not kept (a continue says so)
        self._kept[client] = kept
        while self.total_bytes() > self.max_bytes:
            self._kept.popitem(last=False)

    def get(self, client: bytes, model: str) -> Kept:
        """The client's kept result for `model`, or a HostError that says why there is none."""
        with self._lock:
            return self._get(client, model)

    def _get(self, client: bytes, model: str) -> Kept:
        kept = self._kept.get(client)
        if kept is not None and time.monotonic() - kept.made > self.keep_seconds:
            del self._kept[client]
            raise HostError(C.ERR_BAD_FIELD, f"nothing to continue: the last result expired (results are kept "
                                             f"{self.keep_seconds / 60:g} min)")
        if kept is None:
            raise HostError(C.ERR_BAD_FIELD, "nothing to continue: this client has no result kept on this host "
                                             "(a result is kept for the client that asked for it, "
                                             f"{self.keep_seconds / 60:g} min, while memory allows)")
        if kept.model != model:
            raise HostError(C.ERR_BAD_FIELD, f"nothing to continue with model '{model}': the last result was made "
                                             f"by '{kept.model}'")
        self._kept.move_to_end(client)
        return kept

    def total_bytes(self) -> int:
        with self._lock:
            return sum(kept.bytes for kept in self._kept.values())
