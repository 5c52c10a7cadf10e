"""The gateway: a small child process that owns the host's public ROUTER socket.

Why a process of its own: libzmq aborts the whole process on some peer behaviour no option can refuse (a client
that picks the routing id the ROUTER is about to generate for the next anonymous peer trips an assertion in
libzmq 4.3). Here such an abort costs the clients one reconnect; the host process, with its loaded models, its
queue and its running job, restarts the gateway and carries on (see gateway_link.py).

What it does, and nothing more: receives client messages and hands them to the host over a private link; sends
the host's replies without ever blocking (outgoing.py); checks that a CURVE client speaks with the key its
routing id was first seen with, and that the key is still allowed; tells the host which clients went away.

Link frames, host → gateway: [SEND, client, header, pcm…] and [QUIT]. Gateway → host: [READY],
[MESSAGE, client, header, pcm…], [GONE, client, why], [REFUSED, client, why], [ALIVE] (once a second),
[DONE, dropped count].
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any

import zmq

from jukebox_host.gateway.memory_ceiling import limit_growth
from jukebox_host.gateway.outgoing import Outgoing
from jukebox_host.gateway.router import bind_router
from jukebox_host.wire import constants as C
from jukebox_host.wire import link_frames as L
from jukebox_host.wire.errors import HostError
from jukebox_host.wire.protocol import (
    check_envelope,
    check_message_size,
    echo_reply,
    error_header,
    pack,
    request_id_of,
    unpack_header,
)
from jukebox_host.wire.security import CurveServer, SecurityError

log = logging.getLogger("jukebox_host")
RECEIVE_BATCH = 64  # client messages per turn: a flood from one client cannot hold back replies to the others
OWNERS_REMEMBERED = 100_000  # routing id → CURVE key bindings kept (oldest forgotten first)
QUIT_FLUSH_SECONDS = 2.0
KEY_REMOVED = "this client's key is no longer allowed by the host"
LINK_SEND_WAIT_MS = 1000  # a send to the host waits this long at a time, then looks whether the host is still there
# Client messages libzmq reads ahead per connection (see __init__). 1 would hold less, but then CURVE clients of
# the C core that connect while the host starts were never answered (libzmq 4.3.4; not understood yet).
READ_AHEAD = 4
# Routing id, header and PCM frames: a few frames too many still reach the host, whose answer says more precisely
# what is wrong (e.g. 'channels' out of range); a flood of frames is refused at the door.
MAX_PARTS = 2 + 8 * C.MAX_CHANNELS


class HostGone(Exception):
    """The host process that started this gateway is gone: nothing is left to do."""


def _unpredictable_routing_ids() -> None:
    """libzmq numbers anonymous peers from C's rand(), never seeded: the same ids in every process. Seeding it
    makes the next generated id unguessable, so a collision needs luck as well as intent (the restart in
    gateway_link.py makes even a lucky one harmless)."""
    try:
        ctypes.CDLL(None).srand(secrets.randbits(32))
    except (OSError, AttributeError):
        pass  # no C library to reach: ids stay predictable, the restart still protects the host


class Gateway:
    def __init__(self, endpoint: str, link: str, parent: int, curve: CurveServer | None) -> None:
        self.parent = parent
        self.context = zmq.Context()
        _unpredictable_routing_ids()
        # libzmq reads each connection ahead of us: READ_AHEAD whole messages, and the next one as it arrives.
        # Each may be MAX_MESSAGE_BYTES: keep them few.
        self.router, self.authenticator = bind_router(self.context, endpoint, curve, READ_AHEAD)
        self.curve = curve
        self.link = self.context.socket(zmq.PAIR)
        self.link.setsockopt(zmq.LINGER, 2000)
        # Few client messages in flight to the host: when it is busy, the gateway stops reading clients and libzmq
        # stops reading their connections, so a flood waits in the senders' own buffers, not in our memory.
        # Sends on the link block rather than drop (the host reads it on every turn of its loop).
        self.link.setsockopt(zmq.SNDHWM, L.IN_FLIGHT)
        self.link.setsockopt(zmq.SNDTIMEO, LINK_SEND_WAIT_MS)  # see _to_host
        self.link.connect(link)
        self.outgoing = Outgoing(self.router, self._gone)
        self.owners: dict[bytes, bytes] = {}  # routing id → CURVE public key (z85) it was first heard with
        self.quitting = False

    def _gone(self, client: bytes, why: str) -> None:
        self.owners.pop(client, None)
        if not self.quitting:
            self._drop_jobs_of(client, why)

    # ---- loop ----------------------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            if self._serve():
                return  # the host asked the gateway to finish
        except HostGone:
            pass
        log.info("the host process is gone: the gateway stops")

    def _to_host(self, parts: list[Any], copy: bool = True) -> None:
        """A message to the host over the link. It waits while the host is alive but has not taken the last ones
        (the link's bound keeps a flood out of memory), and gives up when the host is gone: a send to a PAIR whose
        peer died (a host killed before it took the gateway's hello) would otherwise wait for ever, and the gateway
        would hold the endpoint and its log's pipe."""
        while True:
            try:
                self.link.send_multipart(parts, copy=copy)
                return
            except zmq.Again:
                if os.getppid() != self.parent:
                    raise HostGone from None

    def _serve(self) -> bool:
        """Until the host asks the gateway to finish (True) or is gone (False)."""
        self._to_host([L.READY])
        alive = 0.0
        while os.getppid() == self.parent:
            poller = zmq.Poller()
            if self._host_can_take():
                poller.register(self.router, zmq.POLLIN)
                poller.register(self.link, zmq.POLLIN)
            else:
                poller.register(self.link, zmq.POLLIN | zmq.POLLOUT)
            ready = dict(poller.poll(20 if self.outgoing.backlogs else 100))
            if self.link in ready and ready[self.link] & zmq.POLLIN and self._from_host():
                return True
            if self.router in ready:
                self._from_clients()
            self.outgoing.flush()
            if self.curve is not None and self.curve.reload_if_changed(self.authenticator):
                self._refuse_removed_keys()
            now = time.monotonic()
            if now - alive >= L.ALIVE_SECONDS:
                self._to_host([L.ALIVE])
                alive = now
        return False

    def _host_can_take(self) -> bool:
        return bool(self.link.getsockopt(zmq.EVENTS) & zmq.POLLOUT)

    def _from_host(self) -> bool:
        """Forward replies; True when the host asked the gateway to finish."""
        while True:
            try:
                parts = self.link.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return False
            kind = parts[0].bytes
            if kind == L.SEND:
                self.outgoing.send(parts[1:])
            elif kind == L.QUIT:
                self._quit()
                return True

    def _quit(self) -> None:
        """Hand over what is waiting (the host's 'bye' last), for QUIT_FLUSH_SECONDS at most."""
        self.quitting = True
        before = len(self.outgoing.dropped)
        deadline = time.monotonic() + QUIT_FLUSH_SECONDS
        self.outgoing.flush()
        while self.outgoing.backlogs and time.monotonic() < deadline:
            time.sleep(0.01)
            self.outgoing.flush()
        self._to_host([L.DONE, str(len(self.outgoing.dropped) - before).encode()])

    def _from_clients(self) -> None:
        for _ in range(RECEIVE_BATCH):
            if not self._host_can_take():
                return  # the rest waits in libzmq (and, beyond its queue, in the clients' own buffers)
            received = self._receive()
            if received is None:
                return
            parts, skipped = received
            client = parts[0].bytes
            self.outgoing.readmit(client)
            refusal = self._refusal(client, parts) or _oversized(parts, skipped)
            if refusal is not None:
                rid = _request_id(parts[1]) if len(parts) > 1 else 0
                self.outgoing.send([client, pack(error_header(rid, *refusal))])
            elif not self._echoed(client, parts):
                self._to_host([L.MESSAGE, *parts], copy=False)

    def _receive(self) -> tuple[list[Any], int] | None:
        """One client message, zero-copy (PCM frames pass through without being copied in Python), or None.
        Frames beyond MAX_PARTS are read and thrown away, only counted: a flood of frames costs no Python object
        each. Returns the kept frames (routing id first) and how many were thrown away."""
        try:
            frame = self.router.recv(zmq.NOBLOCK, copy=False)
        except zmq.Again:
            return None
        parts = [frame]
        skipped = 0
        while frame.more and len(parts) <= MAX_PARTS:  # a message arrives whole: its next frames never block
            frame = self.router.recv(copy=False)
            parts.append(frame)
        more = frame.more
        while more:
            self.router.recv()
            more = self.router.getsockopt(zmq.RCVMORE)
            skipped += 1
        return parts, skipped

    def _echoed(self, client: bytes, parts: list[Any]) -> bool:
        """`echo` needs no model: answered here, it measures the transport a client sees, without the hop to the
        host process. True when this message was an echo (answered, or refused with the reason)."""
        header: dict[str, Any] = {}
        try:
            header = unpack_header(parts[1].buffer) if len(parts) > 1 else {}
            if header.get("type") != C.TYPE_ECHO:
                return False
            check_envelope(header)
            pcm = parts[2:]
            self.outgoing.send([client, pack(echo_reply(header, [p.buffer for p in pcm])), *pcm])
        except HostError as exc:
            if exc.code == C.ERR_BAD_MESSAGE or not header:
                return False  # unreadable: the host answers it as it answers every bad message
            self.outgoing.send([client, pack(error_header(request_id_of(header), exc.code, exc.message))])
        return True

    def _refusal(self, client: bytes, parts: list[Any]) -> tuple[str, str] | None:
        """Under CURVE: why this client's message must not reach the host (code, text), or None."""
        if self.curve is None or len(parts) < 2:
            return None
        key = parts[1].get("User-Id").encode()  # the client's public key, set by the authenticator
        if not self.curve.allows(key):
            self._to_host([L.REFUSED, client, KEY_REMOVED.encode()])  # told, not dropped in silence
            return C.ERR_BAD_MESSAGE, KEY_REMOVED
        owner = self.owners.setdefault(client, key)
        if owner != key:
            # Someone else's routing id: whatever the host would send there now reaches this peer, so the jobs
            # of the id's owner end here. The owner keeps the id; this peer is refused.
            self._drop_jobs_of(client, "its routing id was taken by another key")
            return C.ERR_BAD_MESSAGE, "this routing id belongs to another client key: choose a random one"
        while len(self.owners) > OWNERS_REMEMBERED:
            del self.owners[next(iter(self.owners))]
        return None

    def _refuse_removed_keys(self) -> None:
        """The connected clients whose key the new allow list lacks are no longer served: their jobs end now, with
        an error that says why, not when each next speaks (a client following a job only listens)."""
        assert self.curve is not None
        for client, key in list(self.owners.items()):
            if not self.curve.allows(key):
                del self.owners[client]
                self._to_host([L.REFUSED, client, KEY_REMOVED.encode()])

    def _drop_jobs_of(self, client: bytes, why: str) -> None:
        self._to_host([L.GONE, client, why.encode()])

    def close(self) -> None:
        self.router.close(linger=1000)
        self.link.close()
        if self.authenticator is not None:
            self.authenticator.stop()
        self.context.term()


def _oversized(parts: list[Any], skipped: int) -> tuple[str, str] | None:
    """Refused here, before the host: a message of many frames (not worth handing over frame by frame), or one
    larger than MAX_MESSAGE_BYTES in all (libzmq bounds each frame only), which would cost the host its size."""
    if skipped or len(parts) > MAX_PARTS:
        return C.ERR_BAD_AUDIO, f"{len(parts) - 2 + skipped} PCM frames; at most {C.MAX_CHANNELS} (one per channel)"
    try:
        check_message_size([part.buffer for part in parts[1:]])
    except HostError as exc:
        return exc.code, exc.message
    return None


def _request_id(frame: Any) -> int:
    try:
        return request_id_of(unpack_header(frame.buffer))
    except HostError:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="jukebox-host-gateway", description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--link", required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--curve-secret", default=None)
    parser.add_argument("--curve-allow", default=None)
    parser.add_argument("--memory-mib", type=int, default=0, help="memory ceiling above the size at start; 0: none")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="jukebox-host: %(message)s")
    # Ctrl-C, a hang-up or a terminal's SIGTERM are the host's to handle: it tells the gateway when to finish.
    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, signal.SIG_IGN)
    curve = None
    if args.curve_secret and args.curve_allow:
        curve = CurveServer(Path(args.curve_secret), Path(args.curve_allow))
    try:
        gateway = Gateway(args.endpoint, args.link, args.parent, curve)
    except (zmq.ZMQError, SecurityError) as exc:
        print(f"jukebox-host: cannot listen on {args.endpoint}: {exc}", flush=True, file=sys.stderr)
        return 2
    log.info("gateway on %s: %s", args.endpoint, limit_growth(args.memory_mib))
    try:
        gateway.run()
    except MemoryError:
        # Nothing more can be allocated, not even for an orderly close: say so and go; the host starts another.
        os.write(2, b"jukebox-host: the gateway reached its memory ceiling (serve --gateway-memory); a new one "
                    b"takes over\n")
        os._exit(3)
    finally:
        gateway.close()
    return 0
