"""ZeroMQ sockets: the public ROUTER (in the gateway process), and the inproc pipe the worker thread uses to hand
replies to the host's main loop."""

from __future__ import annotations

import itertools
from typing import Any

import zmq
from zmq.auth.thread import ThreadAuthenticator

from jukebox_host import constants as C
from jukebox_host.outgoing import SEND_HWM
from jukebox_host.protocol import pack
from jukebox_host.security import CurveServer, require_auth_off_loopback

_pipe_ids = itertools.count()
HEARTBEAT_IVL_MS = 2000
HEARTBEAT_TIMEOUT_MS = 10000


def bind_router(context: zmq.Context, endpoint: str, curve: CurveServer | None = None, read_ahead: int = 1000
                ) -> tuple[zmq.Socket, ThreadAuthenticator | None]:
    """The host's socket. Off loopback it must be CURVE-authenticated (see security.py). read_ahead: messages
    libzmq reads from each connection before the owner takes them (RCVHWM)."""
    require_auth_off_loopback(endpoint, curve)
    sock = context.socket(zmq.ROUTER)
    authenticator = curve.apply(context, sock) if curve is not None else None
    # A frame larger than the protocol allows is dropped by libzmq before it is allocated.
    sock.setsockopt(zmq.MAXMSGSIZE, C.MAX_MESSAGE_BYTES)
    # Sending to a client that has gone raises EHOSTUNREACH instead of silently dropping: we drop its jobs.
    sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
    # No ROUTER_HANDOVER: a second connection with a connected client's id is refused, so nobody can take a live
    # client's replies. Heartbeats find dead connections (a network gone quiet) within HEARTBEAT_TIMEOUT_MS, so a
    # client reconnecting with its id is let in by then.
    sock.setsockopt(zmq.HEARTBEAT_IVL, HEARTBEAT_IVL_MS)
    sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, HEARTBEAT_TIMEOUT_MS)
    sock.setsockopt(zmq.SNDHWM, SEND_HWM)  # beyond it, replies wait in outgoing.py's per-client backlog
    sock.setsockopt(zmq.LINGER, 1000)
    # Options reach a connection only if set before bind: the listener copies them then.
    sock.setsockopt(zmq.RCVHWM, read_ahead)
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
