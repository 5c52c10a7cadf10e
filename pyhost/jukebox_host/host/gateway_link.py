"""The host's side of its gateway (gateway/loop.py): start it, talk to it, replace it when it dies or hangs.

The link is a PAIR socket on an ipc path in a folder only this user can open. A gateway that exits (libzmq
abort), or says nothing for SILENT_LIMIT seconds, is replaced with a new process on a fresh link; replies for
clients wait meanwhile (up to PENDING_BYTES) and go out when the new gateway is listening. Clients that chose
their routing id reconnect to it and carry on; anonymous ones cannot be recognised again, so their jobs end.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

from jukebox_host.gateway.memory_ceiling import DEFAULT_MEMORY_MIB
from jukebox_host.wire import constants as C
from jukebox_host.wire import link_frames as L
from jukebox_host.wire.security import CurveServer
from jukebox_host.wire.socket_folders import FOLDER_PREFIX, OWNER_FILE

log = logging.getLogger("jukebox_host")
START_SECONDS = 60.0  # a gateway that is not listening by then is not going to be
RETRY_SECONDS = 1.0  # between attempts to replace a gateway that could not start
PENDING_BYTES = 2 * C.MAX_MESSAGE_BYTES  # replies kept while the gateway is replaced; beyond, the oldest go
LINK_BATCH = 256  # link messages handled per turn of the host's loop



def link_address(socket: zmq.Socket, folder: str, generation: int) -> str:
    """Binds the link to the gateway and returns its address: an ipc socket in a folder only this user can
    enter; where this libzmq has no ipc (some Windows builds), a loopback port the system picks."""
    if zmq.has("ipc"):
        address = f"ipc://{folder}/link-{generation}"
        socket.bind(address)
        return address
    socket.bind("tcp://127.0.0.1:*")
    return str(socket.getsockopt_string(zmq.LAST_ENDPOINT))

class GatewayError(Exception):
    """The gateway could not start listening on the endpoint."""




def remove_stale_folders() -> int:
    """The link folders of hosts that were killed (kill -9 leaves them and their socket files): removed at the next
    start. Only this user's folders whose host is gone; returns how many. (Not on Windows: there os.kill(pid, 0)
    would end the process.)"""
    if sys.platform == "win32":
        return 0
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            if folder.stat().st_uid != os.getuid():
                continue
            pid = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError, AttributeError):
            continue  # not ours, not finished being made, or (Windows: no getuid) left alone
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, someone else's
    return True


class GatewayLink:
    def __init__(self, context: zmq.Context, endpoint: str, curve: CurveServer | None,
                 on_message: Callable[[bytes, list[Any]], None], on_gone: Callable[[bytes, str], None],
                 on_replaced: Callable[[], None], memory_mib: int = DEFAULT_MEMORY_MIB,
                 on_refused: Callable[[bytes, str], None] | None = None) -> None:
        """on_message(client, frames): a client's message; on_gone(client, why): its jobs must go; on_refused(client,
        why): it is still connected but no longer served, its jobs end with an error it is told (default: on_gone);
        on_replaced(): a new gateway took over (anonymous clients cannot come back); memory_mib: the gateway's
        memory ceiling above its size at start (memory_ceiling.py), 0 for none."""
        self.context = context
        self.endpoint = endpoint
        self.curve = curve
        self.on_message = on_message
        self.on_gone = on_gone
        self.on_refused = on_refused or on_gone
        self.on_replaced = on_replaced
        self.memory_mib = memory_mib
        remove_stale_folders()
        self.folder = tempfile.mkdtemp(prefix=FOLDER_PREFIX)  # mode 0700: no other user reaches the link
        (Path(self.folder) / OWNER_FILE).write_text(str(os.getpid()))
        self.generation = 0
        self.socket: zmq.Socket | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.ready = False
        self.heard = time.monotonic()
        self.retry_at = 0.0
        self.pending: deque[list[Any]] = deque()
        self.pending_bytes = 0
        self.restarts = 0
        self._spawn()
        self._wait_ready()

    # ---- process -------------------------------------------------------------------------------------------

    def _spawn(self) -> None:
        self.generation += 1
        self.socket = self.context.socket(zmq.PAIR)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.SNDHWM, 0)  # the gateway drains it at once into its own bounded backlogs
        self.socket.setsockopt(zmq.RCVHWM, L.IN_FLIGHT)  # client messages: see gateway/loop.py
        address = link_address(self.socket, self.folder, self.generation)
        command = [sys.executable, "-m", "jukebox_host.gateway", "--endpoint", self.endpoint, "--link", address,
                   "--parent", str(os.getpid()), "--memory-mib", str(self.memory_mib)]
        if self.curve is not None:
            command += ["--curve-secret", str(self.curve.secret_file), "--curve-allow", str(self.curve.allow_folder)]
        self.process = subprocess.Popen(command)
        self.ready = False
        self.heard = time.monotonic()

    def _wait_ready(self) -> None:
        assert self.socket is not None and self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while not self.ready:
            # One message at a time: READY comes first, and client messages must wait for the host to be built.
            if self.socket.poll(50):
                self._handle(self.socket.recv_multipart(copy=False))
            elif self.process.poll() is not None or time.monotonic() > deadline:
                self._discard()
                raise GatewayError(f"cannot listen on {self.endpoint} (see the line above)")

    def _discard(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(10)
        if self.socket is not None:
            self.socket.close(0)
        self.socket = None
        self.process = None
        self.ready = False

    def check(self) -> None:
        """Once per turn of the host's loop: replace a gateway that died or hung."""
        now = time.monotonic()
        if self.process is None:
            if now >= self.retry_at:
                self._spawn()
            return
        code = self.process.poll()
        silent = now - self.heard
        if code is None and silent < (L.SILENT_LIMIT if self.ready else START_SECONDS):
            return
        was_ready = self.ready
        why = f"exited with code {code}" if code is not None else "stopped answering"
        log.error("the gateway (the host's network side) %s; starting a new one: connected clients reconnect, "
                  "the models stay loaded", why)
        self._discard()
        if was_ready:
            self.restarts += 1
            self.on_replaced()
        # One that never got to listen (the address taken meanwhile?) is retried after a pause, not in a loop.
        self.retry_at = now if was_ready else now + RETRY_SECONDS

    # ---- messages ------------------------------------------------------------------------------------------

    def send(self, parts: list[Any]) -> None:
        """A reply for client parts[0]; it waits while the gateway is being replaced."""
        if self.ready and self.socket is not None:
            try:
                self.socket.send_multipart([L.SEND, *parts], zmq.NOBLOCK, copy=False)
                return
            except zmq.Again:
                self.ready = False  # the gateway's end is gone (check() will replace it): keep this for the next
        self.pending.append(parts)
        self.pending_bytes += sum(len(part) for part in parts)
        while self.pending_bytes > PENDING_BYTES and self.pending:
            dropped = self.pending.popleft()
            self.pending_bytes -= sum(len(part) for part in dropped)
            self.on_gone(bytes(dropped[0]), "missed replies while the gateway was replaced")

    def receive(self) -> None:
        assert self.socket is not None
        for _ in range(LINK_BATCH):
            try:
                parts = self.socket.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            self._handle(parts)

    def _handle(self, parts: list[Any]) -> None:
        self.heard = time.monotonic()
        kind = parts[0].bytes
        if kind == L.MESSAGE:
            self.on_message(parts[1].bytes, parts[2:])
        elif kind == L.GONE:
            self.on_gone(parts[1].bytes, parts[2].bytes.decode(errors="replace"))
        elif kind == L.REFUSED:
            self.on_refused(parts[1].bytes, parts[2].bytes.decode(errors="replace"))
        elif kind == L.READY:
            self.ready = True
            while self.pending:
                self.send(self.pending.popleft())
            self.pending_bytes = 0

    def close(self) -> int:
        """Let the gateway hand over what waits (the last 'bye's), then stop it. Returns how many clients it found
        gone meanwhile."""
        dropped = 0
        if self.process is not None and self.socket is not None and self.ready:
            self.socket.send_multipart([L.QUIT])
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline and self.process.poll() is None:
                if not self.socket.poll(50):
                    continue
                parts = self.socket.recv_multipart(copy=False)
                if parts[0].bytes == L.DONE:
                    dropped = int(parts[1].bytes)
                    break
                if parts[0].bytes == L.GONE:
                    self._handle(parts)  # a client found gone while handing over
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self._discard()
        shutil.rmtree(self.folder, ignore_errors=True)
        return dropped
