"""One exception type that carries a protocol error code to the client."""

from __future__ import annotations


class HostError(Exception):
    """An error the client is told about: `code` is from constants.ERR_*, the message says what to change."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class JobCancelled(Exception):
    """Raised inside the sampling loop to stop a job at the next step."""
