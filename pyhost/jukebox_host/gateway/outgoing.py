"""Replies on their way to clients, without ever blocking the host's main loop.

libzmq holds up to SEND_HWM messages per client; a client that stops reading fills that, and a blocking send
would then stall every other client (and SIGTERM) for the send timeout, message after message. Here every send is
non-blocking; what libzmq cannot take yet waits in a per-client backlog, in order, and is retried on every turn
of the loop. A client whose backlog passes BACKLOG_BYTES, or makes no progress for STALL_SECONDS, has stopped
reading: it is dropped with its jobs, and said so once in the log.

A client that chose its own routing id comes back with it when libzmq reconnects (a network blip, a restarted
gateway): replies for it wait while it is away, for STALL_SECONDS, like replies to a slow reader. An id libzmq
generated is never seen again after a reconnect, so such a client is gone at once.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import zmq

from jukebox_host.wire import constants as C
from jukebox_host.wire.routing_ids import is_generated

# Messages libzmq queues per client before it refuses more (its default is 1000). It counts messages, not bytes,
# and a message may be MAX_MESSAGE_BYTES: keep it small; beyond it replies wait here, counted in bytes.
SEND_HWM = 8
BACKLOG_BYTES = 2 * C.MAX_MESSAGE_BYTES  # one result being read slowly fits; more waiting means it stopped reading
TOTAL_BACKLOG_BYTES = 4 * C.MAX_MESSAGE_BYTES  # all clients together; beyond, the one with most waiting goes
STALL_SECONDS = 30.0
DROPPED_REMEMBERED = 10_000  # routing ids whose replies are discarded until they are heard from again


def _size(parts: list[Any]) -> int:
    return sum(len(part) for part in parts[1:])


@dataclass
class _Backlog:
    messages: deque[list[Any]] = field(default_factory=deque)
    bytes: int = 0
    moved: float = field(default_factory=time.monotonic)  # last time anything of it reached libzmq
    away: bool = False  # the client is disconnected (waiting for it to reconnect), not just slow


class Outgoing:
    def __init__(self, router: zmq.Socket, on_gone: Callable[[bytes, str], None]) -> None:
        """on_gone(client, why): the client disconnected or stopped reading; its jobs must go."""
        self.router = router
        self.on_gone = on_gone
        self.backlogs: dict[bytes, _Backlog] = {}
        self.dropped: dict[bytes, None] = {}  # an ordered set, oldest first

    def send(self, parts: list[Any]) -> None:
        """parts[0] is the client's routing id."""
        client = bytes(parts[0])
        if client in self.dropped:
            return  # replies still in flight for a client dropped for not reading
        backlog = self.backlogs.get(client)
        if backlog is None:
            if self._hand_over(client, parts):
                return
            backlog = self.backlogs[client] = _Backlog()
        # The budgets are checked before a reply is kept, so what waits never passes them (a reply that would is
        # not kept: the client is dropped with what waited for it).
        size = _size(parts)
        if backlog.bytes + size > BACKLOG_BYTES:
            self._drop(client, f"stopped reading ({backlog.bytes / 2**20:.0f} MiB of replies waiting, "
                               f"{size / 2**20:.0f} MiB more would pass {BACKLOG_BYTES / 2**20:.0f} MiB)")
            return
        while self.backlogs and self.waiting_bytes() + size > TOTAL_BACKLOG_BYTES:
            largest = max(self.backlogs, key=lambda c: self.backlogs[c].bytes + (size if c == client else 0))
            self._drop(largest, f"reads too slowly while replies wait for many clients "
                                f"({self.backlogs[largest].bytes / 2**20:.0f} MiB of replies waiting)")
            if largest == client:
                return
        backlog.messages.append(parts)
        backlog.bytes += size

    def flush(self) -> None:
        """Hand over what clients have made room for; drop those that stopped reading."""
        now = time.monotonic()
        for client in list(self.backlogs):
            backlog = self.backlogs[client]
            while backlog.messages and self._hand_over(client, backlog.messages[0]):
                if client not in self.backlogs:
                    break  # it went away while we sent
                backlog.bytes -= _size(backlog.messages.popleft())
                backlog.moved = now
                backlog.away = False
            if client in self.backlogs and not backlog.messages:
                del self.backlogs[client]
            elif client in self.backlogs and now - backlog.moved > STALL_SECONDS:
                why = "went away and did not reconnect" if backlog.away else "stopped reading"
                self._drop(client, f"{why} (nothing taken for {STALL_SECONDS:.0f} s)")

    def forget(self, client: bytes) -> None:
        self.backlogs.pop(client, None)

    def readmit(self, client: bytes) -> None:
        """The client spoke again: it is a client like any other."""
        self.dropped.pop(client, None)

    def waiting_bytes(self) -> int:
        return sum(backlog.bytes for backlog in self.backlogs.values())

    def _hand_over(self, client: bytes, parts: list[Any]) -> bool:
        """True when libzmq took the message (or the client is gone and it was discarded)."""
        try:
            self.router.send_multipart(parts, zmq.NOBLOCK, copy=False)
            return True
        except zmq.Again:
            return False
        except zmq.ZMQError as exc:
            if exc.errno != zmq.EHOSTUNREACH:
                raise
            if is_generated(client):
                self._drop(client, "went away")
                return True
            backlog = self.backlogs.get(client)
            if backlog is not None:
                backlog.away = True
            return False

    def _drop(self, client: bytes, why: str) -> None:
        self.forget(client)
        self.dropped[client] = None
        while len(self.dropped) > DROPPED_REMEMBERED:
            del self.dropped[next(iter(self.dropped))]
        self.on_gone(client, why)
