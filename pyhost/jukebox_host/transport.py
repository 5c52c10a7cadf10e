"""ZeroMQ sockets: the host's ROUTER, and the inproc pipe the worker thread uses to hand replies to it."""

from __future__ import annotations

import itertools
from typing import Any

import zmq
from zmq.auth.thread import ThreadAuthenticator

from jukebox_host import constants as C
from jukebox_host.outgoing import SEND_HWM
from jukebox_host.protocol import pack
from jukebox_host.security import CurveServer, SecurityError, is_local

_pipe_ids = itertools.count()


def bind_router(context: zmq.Context, endpoint: str, curve: CurveServer | None = None
                ) -> tuple[zmq.Socket, ThreadAuthenticator | None]:
    """The host's socket. Off loopback it must be CURVE-authenticated (see security.py)."""
    if curve is None and not is_local(endpoint):
        raise SecurityError(
            f"refusing to bind {endpoint} without authentication: anything but loopback needs "
            "--curve-secret and --curve-allow (see `jukebox-host keygen`)"
        )
    sock = context.socket(zmq.ROUTER)
    authenticator = curve.apply(context, sock) if curve is not None else None
    # A frame larger than the protocol allows is dropped by libzmq before it is allocated.
    sock.setsockopt(zmq.MAXMSGSIZE, C.MAX_MESSAGE_BYTES)
    # Sending to a client that has gone raises EHOSTUNREACH instead of silently dropping: we drop its jobs.
    sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
    sock.setsockopt(zmq.SNDHWM, SEND_HWM)  # beyond it, replies wait in outgoing.py's per-client backlog
    sock.setsockopt(zmq.LINGER, 1000)
    sock.bind(endpoint)
    return sock, authenticator


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
