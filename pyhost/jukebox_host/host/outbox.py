"""The inproc pipe the worker thread hands replies to the host's main loop through (ZeroMQ sockets are
single-threaded)."""

from __future__ import annotations

import itertools
from typing import Any

import zmq

from jukebox_host.wire.protocol import pack

_pipe_ids = itertools.count()


def pipe_pair(context: zmq.Context) -> tuple[zmq.Socket, str]:
    """The receiving end (owned by the main loop) and the address a worker connects a PUSH socket to."""
    address = f"inproc://jukebox-host-outbox-{next(_pipe_ids)}"
    pull = context.socket(zmq.PULL)
    pull.bind(address)
    return pull, address


class Outbox:
    """Worker-side: messages for a client, queued to the main loop (ZeroMQ sockets are single-threaded)."""

    def __init__(self, context: zmq.Context, address: str) -> None:
        self._push = context.socket(zmq.PUSH)
        self._push.setsockopt(zmq.LINGER, 1000)
        self._push.connect(address)

    def send(self, client: bytes, header: dict[str, Any], frames: list[bytes] | None = None) -> None:
        self._push.send_multipart([client, pack(header), *(frames or [])], copy=False)

    def close(self) -> None:
        self._push.close()
