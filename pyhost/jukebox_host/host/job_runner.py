"""What the host's main loop needs of whatever runs its jobs: the local worker thread (worker.Worker) or the Ray
Serve pool (ray_backend.RayPool). Both implement it; the main loop knows no other."""

from __future__ import annotations

import threading
from typing import Protocol


class JobRunner(Protocol):
    preloaded: threading.Event  # set once the models asked for at start are loaded (or failed: preload_errors)
    preload_errors: list[str]  # "name: why" of each model that could not load (the host then exits 1)
    stopping: threading.Event  # set by the main loop: finish the job in hand, take no other

    def start(self) -> None: ...

    def is_alive(self) -> bool: ...

    def join(self, timeout: float) -> None: ...
