"""A Python client for the host, speaking the same protocol v1 as the jukebox~ external."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgpack
import numpy as np
import zmq

from jukebox_host.clients.link_watch import LinkWatch
from jukebox_host.wire import constants as C
from jukebox_host.wire.protocol import pcm_frames
from jukebox_host.wire.routing_ids import new_routing_id
from jukebox_host.wire.security import apply_client_curve

QUIET_CHECK = 5.0  # seconds without news of a job before asking the host whether it still holds it
LOST_GRACE = 3.0  # seconds before asking again when the host says it no longer holds the job
REDIAL_PAUSE = 0.25  # the host's ZeroMQ ignores a new connection with an id it still holds (PROTOCOL.md)


class HostUnavailable(Exception):
    """The host did not answer in time."""


class HostRefused(HostUnavailable):
    """The host refused this client's handshake (its CURVE key, keys on one side only, the wrong host key)."""


class MessageTooLarge(ValueError):
    """The message is larger than the protocol allows: libzmq would drop it and nobody would answer."""


class JobLost(Exception):
    """The host no longer holds the job (it restarted, or dropped this client) and no result came."""


class RemoteError(Exception):
    """The host answered with an error message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class Reply:
    header: dict[str, Any]
    frames: list[bytes]

    @property
    def type(self) -> str:
        return str(self.header.get("type"))

    @property
    def ends_job(self) -> bool:
        """Whether this is the one message that ends a job: an error (but the refusal of a request that reused a
        held job's id: that job goes on), or the final result."""
        if self.type == C.TYPE_ERROR:
            return not self.header.get("duplicate")
        return self.type == C.TYPE_RESULT and bool(self.header.get("final"))

    def raise_if_error(self) -> None:
        if self.type == C.TYPE_ERROR:
            raise RemoteError(str(self.header.get("code")), str(self.header.get("message")))

    def audio(self) -> np.ndarray:
        """PCM frames → (channels, frames) float32: the first variation of a result."""
        return self.variations()[0]

    def variations(self) -> list[np.ndarray]:
        """A result's variations (n_samples), each (channels, frames): its PCM frames are variation-major."""
        if not self.frames:
            return [np.zeros((0, 0), dtype=np.float32)]
        planes = np.stack([np.frombuffer(f, dtype="<f4") for f in self.frames])
        channels = int(self.header.get("channels", len(self.frames)))
        return [planes[k:k + channels] for k in range(0, len(planes), channels)]


def join_link(piece: np.ndarray, link: np.ndarray, overlap: int) -> np.ndarray:
    """A chain link (channels, frames) after the piece so far: its first `overlap` frames replace the piece's end."""
    return np.concatenate([piece[:, : max(0, piece.shape[1] - overlap)], link], axis=1)


class Client:
    def __init__(self, endpoint: str = C.DEFAULT_ENDPOINT, timeout: float = 10.0,
                 context: zmq.Context | None = None, server_key: str | None = None,
                 client_key: str | None = None) -> None:
        """server_key: the host's public .key file; client_key: this client's .key_secret file (CURVE)."""
        self.endpoint = endpoint
        self.timeout = timeout
        self._own_context = context is None
        self.context = context or zmq.Context()
        self.routing_id = new_routing_id()
        self._keys = (server_key, client_key) if server_key is not None and client_key is not None else None
        self._dial()
        self._ids = itertools.count(1)

    def _dial(self) -> None:
        """A DEALER with this client's routing id (the host keeps its jobs across sockets) and keys, watched for
        refused handshakes from before it connects. A send waits at most `timeout` for a connection to take it."""
        sock = self.context.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SNDTIMEO, int(self.timeout * 1000))
        sock.setsockopt(zmq.ROUTING_ID, self.routing_id)
        if self._keys is not None:
            apply_client_curve(sock, *self._keys)
        self._watch = LinkWatch(self.context, sock, self.endpoint, curve=self._keys is not None)
        self._refused: str | None = None  # why this socket's handshake was refused
        sock.connect(self.endpoint)
        self.socket = sock

    def _hang_up(self) -> None:
        self._watch.stop()  # before its socket (see LinkWatch)
        self.socket.close(0)

    def reconnect(self) -> None:
        """Closes the socket and opens a new one to the same host with the same routing id: what libzmq does not do
        by itself after a reply over the size limit (every send fails) or a CURVE refusal (sends are taken and never
        delivered): the ZeroMQ guide's lazy pirate. Replies
        already on their way to the old socket are lost; the host keeps the jobs and sends the rest here."""
        self._hang_up()
        time.sleep(REDIAL_PAUSE)
        self._dial()

    def _link_refused(self) -> str | None:
        self._refused = self._watch.refusal() or self._refused
        return self._refused

    def close(self) -> None:
        self._hang_up()
        if self._own_context:
            self.context.term()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- raw messaging -------------------------------------------------------------------------------------

    def send(self, kind: str, pcm: list[bytes] | None = None, **fields: Any) -> int:
        """Send one message; return its request id."""
        rid = int(fields.pop("id", next(self._ids)))
        header = {"v": C.PROTOCOL_VERSION, "type": kind, "id": rid, **fields}
        frames = [msgpack.packb(header, use_bin_type=True), *(pcm or [])]
        size = sum(len(frame) for frame in frames)
        if size > C.MAX_MESSAGE_BYTES:
            raise MessageTooLarge(f"the message is {size / 2**20:.0f} MiB; the host takes at most "
                                  f"{C.MAX_MESSAGE_BYTES / 2**20:.0f} MiB: send less audio")
        if self._link_refused():  # this socket would swallow it: dial again (the key may be allowed by now)
            self.reconnect()
        try:
            self.socket.send_multipart(frames)
        except zmq.Again:  # no connection took it within timeout: libzmq left this one down; dial again, once
            self.reconnect()
            try:
                self.socket.send_multipart(frames)
            except zmq.Again:
                raise HostUnavailable(f"cannot send to the host at {self.endpoint}: no connection within "
                                      f"{self.timeout:.1f} s") from None
        return rid

    def receive(self, timeout: float | None = None) -> Reply:
        """The next reply; HostRefused at once when the host refuses this socket's handshake meanwhile."""
        wait = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        poller.register(self._watch.pair, zmq.POLLIN)
        while True:
            if self._link_refused():
                raise HostRefused(self._refused)
            left = deadline - time.monotonic()
            ready = dict(poller.poll(max(0, int(left * 1000))))
            if self.socket in ready:
                parts = self.socket.recv_multipart()
                return Reply(msgpack.unpackb(parts[0], raw=False), parts[1:])
            if not ready and time.monotonic() >= deadline:
                raise HostUnavailable(f"no answer from the host at {self.endpoint} within {wait:.1f} s")

    def request(self, kind: str, pcm: list[bytes] | None = None, **fields: Any) -> Reply:
        """Send and wait for the reply to this request (raises RemoteError on an error reply)."""
        rid = self.send(kind, pcm, **fields)
        while True:
            reply = self.receive()
            if reply.header.get("id") != rid or reply.type in (C.TYPE_QUEUED, C.TYPE_PROGRESS):
                continue  # interim replies of a queued request (load, unload)
            reply.raise_if_error()
            return reply

    # ---- conveniences --------------------------------------------------------------------------------------

    def hello(self) -> dict[str, Any]:
        return self.request(C.TYPE_HELLO, client="jukebox_host.clients.client").header

    def ping(self) -> float:
        started = time.perf_counter()
        self.request(C.TYPE_PING)
        return time.perf_counter() - started

    def status(self) -> dict[str, Any]:
        return self.request(C.TYPE_STATUS).header

    def echo(self, audio: np.ndarray) -> np.ndarray:
        return self.request(C.TYPE_ECHO, pcm_frames(audio), channels=audio.shape[0],
                            frames=audio.shape[1]).audio()

    def generate(self, audio: np.ndarray | None, sample_rate: int | None,
                 on_progress: Callable[[float, int, str], None] | None = None,
                 on_preview: Callable[[np.ndarray, int], None] | None = None,
                 job_timeout: float = 3600.0, **params: Any) -> tuple[np.ndarray, int]:
        """Run one job to the end; return (audio (channels, frames), sample rate). Raises RemoteError.
        With n_samples > 1 this is the first variation; generate_variations() returns them all."""
        variations, rate = self.generate_variations(audio, sample_rate, on_progress, on_preview, job_timeout,
                                                    **params)
        return variations[0], rate

    def generate_variations(self, audio: np.ndarray | None, sample_rate: int | None,
                            on_progress: Callable[[float, int, str], None] | None = None,
                            on_preview: Callable[[np.ndarray, int], None] | None = None,
                            job_timeout: float = 3600.0,
                            on_chunk: Callable[[int, list[np.ndarray], int], None] | None = None,
                            **params: Any) -> tuple[list[np.ndarray], int]:
        """Run one job to the end; return (every variation, each (channels, frames), sample rate).
        on_chunk(start frame, variations, rate) asks the host to stream: audio as soon as it is final."""
        variations, rate, _ = self._generate(audio, sample_rate, on_progress, on_preview, job_timeout, on_chunk,
                                             params)
        return variations, rate

    def continue_piece(self, on_progress: Callable[[float, int, str], None] | None = None,
                       on_chunk: Callable[[int, list[np.ndarray], int], None] | None = None,
                       job_timeout: float = 3600.0, piece_frames: int = 0,
                       **params: Any) -> tuple[list[np.ndarray], int, int]:
        """One link of a chain: `mode continue` with `new_only`, so the host returns (and keeps) only what a next
        link needs. Returns (every variation, rate, overlap): each variation's first `overlap` frames replace
        the last `overlap` frames of the piece so far (docs/PROTOCOL.md, "Chains"); join_link() does that.
        Streamed (on_chunk), each chunk's start is its frame in a piece of `piece_frames` so far."""
        params.update(mode=C.MODE_CONTINUE, new_only=True)
        variations, rate, header = self._generate(None, None, on_progress, None, job_timeout, on_chunk, params,
                                                  piece_frames)
        return variations, rate, int(header.get("overlap", 0))

    def _generate(self, audio: np.ndarray | None, sample_rate: int | None,
                  on_progress: Callable[[float, int, str], None] | None,
                  on_preview: Callable[[np.ndarray, int], None] | None, job_timeout: float,
                  on_chunk: Callable[[int, list[np.ndarray], int], None] | None,
                  params: dict[str, Any], piece_frames: int = 0) -> tuple[list[np.ndarray], int, dict[str, Any]]:
        streamed: list[list[np.ndarray]] = []  # per chunk, its variations: a streamed result is these joined
        if on_chunk is not None:
            params["stream"] = True

            def keep(header: dict[str, Any], parts: list[np.ndarray]) -> None:
                streamed.append(parts)
                start = int(header["start"]) + max(0, piece_frames - int(header.get("overlap", 0)))
                on_chunk(start, parts, int(header["sample_rate"]))

        pcm: list[bytes] = []
        if audio is not None and audio.size:
            pcm = pcm_frames(audio)
            params.update(channels=audio.shape[0], frames=audio.shape[1], sample_rate=sample_rate)
        rid = self.send(C.TYPE_GENERATE, pcm, **params)
        try:
            final = self._follow(rid, job_timeout, on_progress, on_preview, keep if on_chunk else None)
            if final.header.get("streamed") and streamed:
                count = len(streamed[0])
                return ([np.concatenate([c[v] for c in streamed], axis=1) for v in range(count)],
                        int(final.header["sample_rate"]), final.header)
            return final.variations(), int(final.header["sample_rate"]), final.header
        except KeyboardInterrupt:
            self.cancel(rid)
            raise

    def cancel(self, rid: int, wait: float = 10.0) -> None:
        """Cancel job `rid` and wait (up to `wait` s) for it to end, so the host is free for the next one."""
        cid = self.send(C.TYPE_CANCEL, target=rid)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                reply = self.receive(max(0.01, deadline - time.monotonic()))
            except HostUnavailable:
                return
            if reply.header.get("id") == rid and reply.ends_job:
                return
            if reply.header.get("id") == cid and reply.type == C.TYPE_CANCELLED and not reply.header.get("found"):
                return  # the host no longer has the job: nothing more will come

    def _follow(self, rid: int, job_timeout: float, on_progress: Callable[[float, int, str], None] | None,
                on_preview: Callable[[np.ndarray, int], None] | None,
                on_chunk: Callable[[dict[str, Any], list[np.ndarray]], None] | None = None) -> Reply:
        """The job's final result (previews go to on_preview, first variation)."""
        deadline = time.monotonic() + job_timeout
        heard = time.monotonic()  # last message from the host
        status_id: int | None = None  # a status asked because the job went quiet
        asked = 0.0  # when it was asked
        missing = 0  # status replies in a row that no longer list the job
        while time.monotonic() < deadline:
            now = time.monotonic()
            quiet = now - heard
            if status_id is None and (quiet > QUIET_CHECK or (missing and quiet > LOST_GRACE)):
                # Quiet is fine while a big model loads or a long level samples; a job the host forgot is not.
                status_id, asked = self.send(C.TYPE_STATUS), now
            elif status_id is not None and now - asked > self.timeout:
                if quiet > QUIET_CHECK + 2 * self.timeout:
                    raise HostUnavailable(f"no answer from the host at {self.endpoint} within "
                                          f"{self.timeout:.0f} s")
                status_id, asked = self.send(C.TYPE_STATUS), now  # the host may have restarted: ask again
            try:
                reply = self.receive(min(1.0, self.timeout))
            except HostRefused:
                raise
            except HostUnavailable:
                continue
            heard = time.monotonic()
            header = reply.header
            if status_id is not None and header.get("id") == status_id:
                status_id = None
                reply.raise_if_error()  # refused (a key removed): the job is over, and the host said why
                # A job that has just ended is no longer listed while its end is on the way: only a second
                # status, asked LOST_GRACE later with nothing heard of the job, settles it (replies keep order).
                missing = missing + 1 if rid not in header.get("jobs", [rid]) else 0
                if missing >= 2:
                    raise JobLost(f"the host at {self.endpoint} no longer has job {rid} (was it restarted?): "
                                  f"send it again")
                continue
            if header.get("id") != rid or (reply.type == C.TYPE_ERROR and not reply.ends_job):
                continue  # another request's, or the refusal of a later request that reused this job's id
            missing = 0
            reply.raise_if_error()
            if reply.type == C.TYPE_CHUNK and on_chunk is not None:
                on_chunk(header, reply.variations())
            if reply.type == C.TYPE_PROGRESS and on_progress is not None:
                on_progress(float(header["fraction"]), int(header["level"]), str(header["stage"]))
            if reply.type == C.TYPE_RESULT:
                if header.get("final"):
                    return reply
                if on_preview is not None:
                    on_preview(reply.audio(), int(header["sample_rate"]))
        raise HostUnavailable(f"job {rid} did not finish within {job_timeout:.0f} s")
