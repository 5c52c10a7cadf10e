"""What became of a client socket's handshakes, from libzmq's socket monitor (docs/PROTOCOL.md, "Identity and
reconnects"): the same rules as the C client's jbx_link_watch.

A DEALER whose CURVE handshake the host refused takes every later send and delivers none of them; libzmq does
not dial again and says so only on the socket's monitor. Watching it turns a silent timeout into a refusal with
its reason, and tells the client to dial again before its next request."""

from __future__ import annotations

import itertools
import struct

import zmq

# Handshakes in a row that end without a reason (the host hung up mid-handshake) before the link counts as
# broken: one is a race a plain client can lose against a CURVE host; every one, 100 ms apart, is a host that
# cannot read this client's CURVE hello (the wrong server key).
SILENT_FAILURES = 3
EVENTS = (zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
          | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)
_names = itertools.count(1)


class LinkWatch:
    """Watches one socket from before it connects. Stop it before closing the socket: libzmq sends monitor events
    with a blocking send, so a socket outliving its watch could stall the context's I/O thread."""

    def __init__(self, context: zmq.Context, sock: zmq.Socket, endpoint: str, curve: bool) -> None:
        address = f"inproc://jbx-link-watch-{next(_names)}"
        sock.monitor(address, EVENTS)
        self._sock, self._endpoint, self._curve = sock, endpoint, curve
        self._silent = 0
        self.pair = context.socket(zmq.PAIR)
        self.pair.setsockopt(zmq.LINGER, 0)
        self.pair.setsockopt(zmq.RCVHWM, 0)  # an inproc pipe's bound is both ends' sum: 0 lifts it
        self.pair.connect(address)

    def refusal(self) -> str | None:
        """Reads what has come, without waiting: the reason of the newest handshake when it was refused, else
        None (served, or nothing decisive yet)."""
        reason: str | None = None
        while self.pair.poll(0):
            parts = self.pair.recv_multipart()
            if len(parts[0]) != 6:
                continue
            event, value = struct.unpack("=HI", parts[0])
            if event == zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL:
                self._silent += 1
                if self._silent >= SILENT_FAILURES:
                    reason = self._reason(event, value)
                continue
            self._silent = 0
            reason = None if event == zmq.EVENT_HANDSHAKE_SUCCEEDED else self._reason(event, value)
        return reason

    def _reason(self, event: int, value: int) -> str:
        if event == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
            return (f"the host at {self._endpoint} refused this client's key (status {value}): its public key "
                    f"must be in the host's --curve-allow folder")
        if event == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL or not self._curve:
            return (f"the handshake with {self._endpoint} failed: CURVE keys set on one side only, or not a "
                    f"jukebox-host")
        return (f"the host at {self._endpoint} hung up {SILENT_FAILURES} handshakes in a row: is server_key the "
                f"host's public key?")

    def stop(self) -> None:
        try:
            self._sock.disable_monitor()
        except zmq.ZMQError:
            pass  # the socket is already closed
        self.pair.close(0)
