"""Small helpers the host tests share: signals to send and ways to follow one job to its end."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from jukebox_host.clients.client import Client, Reply
from jukebox_host.wire import constants as C


def poll_until(predicate: Callable[[], object], seconds: float, every: float = 0.05) -> bool:
    """Whether `predicate` comes true within `seconds`, asked every `every` seconds (and once more at the end, so a
    slow last call still counts)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


def gateway_pid(host_pid: int) -> int:
    """The host's one child process: its gateway."""
    children = Path(f"/proc/{host_pid}/task/{host_pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def tone(seconds: float, rate: int, channels: int = 1, freq: float = 330.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.3 * np.sin(2 * np.pi * freq * t)
    return np.stack([mono * (1 - 0.2 * c) for c in range(channels)]).astype(np.float32)


def follow(client: Client, rid: int, timeout: float = 120.0) -> list[Reply]:
    """Every message for job `rid` up to and including its final result or error."""
    replies: list[Reply] = []
    while True:
        reply = client.receive(timeout)
        if reply.header.get("id") != rid:
            continue
        replies.append(reply)
        if reply.ends_job:
            return replies


def submit(client: Client, audio: np.ndarray | None, rate: int, **params: Any) -> int:
    pcm: list[bytes] = []
    if audio is not None:
        pcm = [np.ascontiguousarray(ch, dtype="<f4").tobytes() for ch in audio]
        params.update(channels=audio.shape[0], frames=audio.shape[1], sample_rate=rate)
    params.setdefault("model", "tiny")
    return client.send(C.TYPE_GENERATE, pcm, **params)


def wait_for(client: Client, rid: int, kind: str, timeout: float = 60.0) -> Reply:
    while True:
        reply = client.receive(timeout)
        if reply.header.get("id") == rid and reply.type in (kind, C.TYPE_ERROR):
            return reply
