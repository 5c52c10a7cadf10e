"""Big generate requests read off the host's main loop, each client's messages kept in their order.

Checking and converting a prompt of a few hundred MiB (read_generate: float32 frames into one array, the finite
check) takes up to a second or two; on the main loop it would stall every other client's pings and replies for
that long. A thread does it (numpy lets go of the GIL while it copies). While it does, that client's later
messages wait behind it, so a cancel or status about the job finds it queued; other clients' messages do not wait.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

# Requests with more PCM than this are read on the thread; smaller ones take a few milliseconds where they are.
OFF_LOOP_BYTES = 8 * 2**20


@dataclass
class Parse:
    client: bytes
    request_id: int
    future: Future[Any]
    behind: deque[list[Any]] = field(default_factory=deque)  # the client's messages that arrived meanwhile


class PromptParser:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prompt-parse")
        self._parses: dict[bytes, Parse] = {}

    def busy(self, client: bytes) -> bool:
        return client in self._parses

    def pending(self) -> bool:
        return bool(self._parses)

    def defer(self, client: bytes, parts: list[Any]) -> None:
        """A message of a client whose request is being read: it is handled after that request, in order."""
        self._parses[client].behind.append(parts)

    def start(self, client: bytes, request_id: int, read: Callable[[], Any]) -> None:
        self._parses[client] = Parse(client, request_id, self._pool.submit(read))

    def finished(self) -> list[Parse]:
        """The parses that are done (result or exception in .future), forgotten here."""
        done = [parse for parse in self._parses.values() if parse.future.done()]
        for parse in done:
            del self._parses[parse.client]
        return done

    def close(self) -> list[Parse]:
        """Stops; returns the parses that had not finished (their clients are owed an answer)."""
        left = list(self._parses.values())
        self._parses.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        return left
