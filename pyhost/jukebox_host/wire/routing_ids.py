"""Clients' routing ids: libzmq's generated ones and the ones clients choose (docs/PROTOCOL.md, "Identity")."""

from __future__ import annotations

import secrets


def new_routing_id() -> bytes:
    """16 random bytes, the first not zero (libzmq keeps those for itself): the host knows a client by it across
    reconnects, and nobody can guess it to take the client's replies."""
    return bytes([1 + secrets.randbelow(255)]) + secrets.token_bytes(15)


def is_generated(client: bytes) -> bool:
    """libzmq's own ids for peers that chose none: 5 bytes, the first zero (ids chosen by peers may not start
    with a zero byte). Such a client gets a new id when it reconnects."""
    return len(client) == 5 and client[0] == 0


def label(client: bytes) -> str:
    """For logs: a generated id whole; a chosen id is a secret, so only its first 4 bytes."""
    return client.hex() if is_generated(client) else f"{client[:4].hex()}…"
