"""The gateway's public ROUTER socket and its options: size limit, heartbeats, send bound, CURVE off loopback."""

from __future__ import annotations

import zmq
from zmq.auth.thread import ThreadAuthenticator

from jukebox_host.gateway.outgoing import SEND_HWM
from jukebox_host.wire import constants as C
from jukebox_host.wire.security import CurveServer, require_auth_off_loopback

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
