"""The host's main loop: client messages from the gateway, dispatch, hand-off to the worker, shutdown.

The public socket lives in a gateway process (gateway/loop.py), so nothing a client does to libzmq can end this
process; only this thread talks to the gateway. Every client message gets an answer or an error.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
import zmq

from jukebox_host import __version__
from jukebox_host.engine.catalog import ModelCatalog
from jukebox_host.engine.loading import TINY_NAME, ModelRegistry
from jukebox_host.gateway.memory_ceiling import DEFAULT_MEMORY_MIB
from jukebox_host.host.gateway_link import GatewayLink
from jukebox_host.host.job_runner import JobRunner
from jukebox_host.host.jobs import Job, JobQueue
from jukebox_host.host.outbox import pipe_pair
from jukebox_host.host.prompt_parsing import OFF_LOOP_BYTES, Parse, PromptParser
from jukebox_host.host.worker import Worker
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError
from jukebox_host.wire.protocol import (
    Frames,
    check_envelope,
    check_message_size,
    client_name,
    echo_reply,
    error_header,
    message,
    model_name,
    pack,
    read_cancel_target,
    read_generate,
    request_id_of,
    unpack_header,
)
from jukebox_host.wire.routing_ids import is_generated, label
from jukebox_host.wire.security import CurveServer, require_auth_off_loopback

if TYPE_CHECKING:  # Ray is an optional extra: the default path never imports it
    from jukebox_host.host.ray_backend import PoolSettings

log = logging.getLogger("jukebox_host")


class Host:
    def __init__(self, endpoint: str = C.DEFAULT_ENDPOINT, models: list[str] | None = None, device: str = "auto",
                 dtype: str = "auto", max_models: int = 1, curve: CurveServer | None = None,
                 fastpath: str = "stock", residency: str = "all", allow_models: list[str] | None = None,
                 models_dirs: list[str] | None = None, gateway_memory: int = DEFAULT_MEMORY_MIB,
                 pool: PoolSettings | None = None, step: str = "stock") -> None:
        """pool: run jobs on a Ray Serve pool (ray_backend.py) instead of this process's worker thread."""
        self.endpoint = endpoint
        preload = list(models or [])
        self.default_model = preload[0] if preload else TINY_NAME
        self.catalog = ModelCatalog(self.default_model, [*preload, *(allow_models or [])], models_dirs)
        self.registry = ModelRegistry(device, dtype, max(max_models, len(preload)), fastpath, residency,
                                      self.catalog.source, step)
        self.queue = JobQueue()
        require_auth_off_loopback(endpoint, curve)
        if curve is not None:
            curve.validate()
        self.context = zmq.Context()
        self.clients: set[bytes] = set()
        self.closing = False
        self.stop = threading.Event()
        self.exit_code = 0  # serve's: 1 when a model it was told to serve did not load
        self.parser = PromptParser()  # big prompts are read off this loop (prompt_parsing.py)
        self.link = GatewayLink(self.context, endpoint, curve, self._receive, self._client_gone,
                                self._gateway_replaced, gateway_memory, self._client_refused)
        self.outbox, address = pipe_pair(self.context)
        self.pool = None
        if pool is not None:
            from jukebox_host.host.ray_backend import RayPool

            registry_args = dict(device=device, dtype=dtype, max_models=max(max_models, len(preload)),
                                 fastpath=fastpath, residency=residency, source=self.catalog.source, step=step)
            self.pool = RayPool(pool, self.queue, self.context, address, registry_args, preload)
        self.worker: JobRunner = (self.pool if self.pool is not None
                                  else Worker(self.queue, self.registry, self.context, address, preload))

    # ---- lifecycle -----------------------------------------------------------------------------------------

    def serve(self) -> None:
        self.worker.start()
        announced = False
        try:
            while not self.stop.is_set():
                if not announced and self.worker.preloaded.is_set():
                    # Clients are answered (ping, status) while models preload; "ready" means they are loaded.
                    # A host told to serve a model it cannot load serves nothing: it says why and exits 1.
                    for failure in self.worker.preload_errors:
                        log.error("cannot serve %s", failure)
                        self.exit_code = 1
                    if self.exit_code:
                        break
                    self._announce()
                    announced = True
                poller = zmq.Poller()  # anew each turn: a replaced gateway comes with a new link socket
                poller.register(self.outbox, zmq.POLLIN)
                if self.link.socket is not None:
                    poller.register(self.link.socket, zmq.POLLIN)
                ready = dict(poller.poll(5 if self.parser.pending() else 100))
                self._finish_parses()
                if self.outbox in ready:
                    self._forward_outbox()
                if self.link.socket is not None and self.link.socket in ready:
                    self.link.receive()
                self.link.check()
        finally:
            self._shutdown()

    def _announce(self) -> None:
        """What a musician needs to know at start: where, which models, on what, in which precision."""
        for model in self.registry.describe():
            log.info("model %s on %s, %s, %.1f MiB of weights", model["name"], model["device"], model["dtype"],
                     model["bytes"] / 2**20)
            if model["name"] == TINY_NAME:
                log.warning("'%s' is a tiny random test model: its output is noise. Real music needs real weights, "
                            "e.g. --model openai/jukebox-1b-lyrics on a GPU", TINY_NAME)
        print(f"jukebox-host ready on {self.endpoint}", file=sys.stderr, flush=True)

    def _shutdown(self) -> None:
        for parse in self.parser.close():  # requests still being read: their clients are answered too
            self._send(parse.client, error_header(parse.request_id, C.ERR_SHUTDOWN, "the host is shutting down"))
        for job in self.queue.close():
            self._send(job.client, error_header(job.request_id, C.ERR_SHUTDOWN, "the host is shutting down"))
        self.worker.stopping.set()
        deadline = time.monotonic() + 10.0
        while self.worker.is_alive() and time.monotonic() < deadline:
            self.worker.join(0.05)
            self._forward_outbox()
        self._forward_outbox()
        if self.pool is not None:
            self.pool.close()
        # 'bye' goes behind each client's waiting replies (their jobs' shutdown errors); those long gone are
        # counted, not reported one by one.
        self.closing = True
        known = len(self.clients)
        for client in list(self.clients):
            self._send(client, message(C.TYPE_BYE, 0, reason="the host is shutting down"))
        self.link.close()  # the gateway hands over what waits, telling which clients it found gone
        log.info("said bye to %d client(s) (%d had already gone)", len(self.clients), known - len(self.clients))
        self.outbox.close(linger=0)
        self.context.term()

    # ---- sending -------------------------------------------------------------------------------------------

    def _send(self, client: bytes, header: dict[str, Any], frames: Frames | None = None) -> None:
        self._send_raw([client, pack(header), *(frames or [])])

    def _send_raw(self, parts: list[Any]) -> None:
        self.link.send(parts)  # never blocks: the gateway's outgoing.py holds what a client has not taken yet

    def _client_gone(self, client: bytes, why: str) -> None:
        """The client disconnected or stopped reading: its queued jobs are dropped, its running job stopped."""
        if client in self.clients and not self.closing:
            log.info("client %s %s; dropping its jobs", label(client), why)
        self.clients.discard(client)
        self.queue.drop_client(client)

    def _client_refused(self, client: bytes, why: str) -> None:
        """The client is connected but no longer served (its key was removed): each of its jobs ends with an error
        that says why, the queued ones now, the running one when it stops."""
        if client in self.clients and not self.closing:
            log.info("client %s is refused (%s); ending its jobs", label(client), why)
        # It stays among the clients: its running job's error is forwarded to it like any reply.
        for job in self.queue.drop_client(client, C.ERR_BAD_MESSAGE, why):
            self._send(client, error_header(job.request_id, C.ERR_BAD_MESSAGE, why))

    def _gateway_replaced(self) -> None:
        """Clients with an id of their own reconnect to the new gateway and keep their jobs; anonymous ones get a
        new id from it, so their jobs could never reach them."""
        for client in [c for c in self.clients if is_generated(c)]:
            self._client_gone(client, "was anonymous when the gateway was replaced (its replies cannot find it)")

    def _forward_outbox(self) -> None:
        while True:
            try:
                parts = self.outbox.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            if bytes(parts[0]) in self.clients:
                self._send_raw(parts)

    # ---- receiving -----------------------------------------------------------------------------------------

    def _receive(self, client: bytes, parts: list[Any]) -> None:
        """One client message (zero-copy: PCM frames are read, and echoed, straight from libzmq's buffers)."""
        self.clients.add(client)
        if self.parser.busy(client):  # behind its request being read: in order, after it
            self.parser.defer(client, parts)
            return
        frames = [part.buffer for part in parts]
        header: dict[str, Any] = {}

        def handle() -> None:
            nonlocal header
            if not frames:
                raise HostError(C.ERR_BAD_MESSAGE, "empty message: frame 0 must be a msgpack header")
            header = unpack_header(frames[0])  # first, so that even a refusal for size carries the request's id
            check_message_size(frames)  # the gateway checked too; a message from the link is checked anyway
            self._dispatch(client, header, frames[1:])

        self._answering_errors(client, lambda: request_id_of(header), handle)

    def _answering_errors(self, client: bytes, request_id: Callable[[], int], work: Callable[[], None]) -> None:
        """Runs work; a HostError it raises is the client's answer, anything else an internal error: the host never
        goes down for a client's message."""
        try:
            work()
        except HostError as exc:
            self._send(client, error_header(request_id(), exc.code, exc.message))
        except Exception as exc:
            log.error("unexpected error handling a message:\n%s", traceback.format_exc())
            self._send(client, error_header(request_id(), C.ERR_INTERNAL, f"{type(exc).__name__}: {exc}"))

    def _dispatch(self, client: bytes, header: dict[str, Any], pcm: Frames) -> None:
        kind = check_envelope(header)
        rid = header["id"]
        if kind != C.TYPE_GENERATE and kind != C.TYPE_ECHO and pcm:
            raise HostError(C.ERR_BAD_AUDIO, f"'{kind}' carries no PCM frames but {len(pcm)} followed")
        if kind == C.TYPE_HELLO:
            client_name(header)  # free text, but text
            self._send(client, message(C.TYPE_WELCOME, rid, protocol=C.PROTOCOL_VERSION, host=__version__,
                                       device=str(self.registry.device), models=self.registry.names(),
                                       served=self.catalog.names()))
        elif kind == C.TYPE_PING:
            self._send(client, message(C.TYPE_PONG, rid, time=time.time()))
        elif kind == C.TYPE_STATUS:
            self._send(client, self._status(client, rid))
        elif kind == C.TYPE_ECHO:  # the gateway answers echo itself; this is for a message it passed on anyway
            self._send(client, echo_reply(header, pcm), pcm)
        elif kind == C.TYPE_GENERATE and sum(len(frame) for frame in pcm) > OFF_LOOP_BYTES:
            default = self.default_model
            self.parser.start(client, rid, lambda: read_generate(header, pcm, default))  # see _finish_parses
        elif kind == C.TYPE_GENERATE:
            self._queue_generate(client, rid, read_generate(header, pcm, self.default_model))
        elif kind in (C.TYPE_LOAD, C.TYPE_UNLOAD):
            name = model_name(header, self.default_model)
            if kind == C.TYPE_LOAD:
                self.catalog.check(name)
            self._queue(Job(client, rid, kind, name))
        elif kind == C.TYPE_CANCEL:
            target = read_cancel_target(header)
            job, was_running = self.queue.cancel(client, target)
            self._send(client, message(C.TYPE_CANCELLED, rid, target=target, found=job is not None))
            if job is not None and not was_running:
                self._send(client, error_header(target, C.ERR_CANCELLED, "the job was cancelled before it started"))

    def _queue_generate(self, client: bytes, rid: int, request: Any) -> None:
        self.catalog.check(request.model)  # refused now, not after waiting in the queue
        self._queue(Job(client, rid, C.TYPE_GENERATE, request))

    def _finish_parses(self) -> None:
        """Big requests read off the loop: queued (or refused), then their clients' messages that waited."""
        for parse in self.parser.finished():
            if parse.client in self.clients:  # else it went away while its request was read
                self._finish_parse(parse)

    def _finish_parse(self, parse: Parse) -> None:
        self._answering_errors(parse.client, lambda: parse.request_id,
                               lambda: self._queue_generate(parse.client, parse.request_id, parse.future.result()))
        while parse.behind:
            self._receive(parse.client, parse.behind.popleft())  # defers again behind a new big request

    def _queue(self, job: Job) -> None:
        if job.request_id in self.queue.ids_of(job.client):
            # The refusal carries the job's own id: 'duplicate' tells the client that job goes on.
            self._send(job.client, {**error_header(job.request_id, C.ERR_BAD_FIELD,
                                                   f"'id' {job.request_id} is already one of your jobs: use a new "
                                                   "id for every request"), "duplicate": True})
            return
        position = self.queue.put(job)
        self._send(job.client, message(C.TYPE_QUEUED, job.request_id, position=position))

    def _status(self, client: bytes, rid: int) -> dict[str, Any]:
        running = self.queue.running
        memory: dict[str, int] = {}
        if self.registry.device.type == "cuda":
            memory = {"allocated": torch.cuda.memory_allocated(), "reserved": torch.cuda.memory_reserved()}
        return message(
            C.TYPE_STATUS, rid, device=str(self.registry.device), queue=self.queue.waiting(),
            running=running.request_id if running is not None else None,
            running_client=running is not None and running.client == client,
            jobs=self.queue.ids_of(client), models=self.registry.describe(), served=self.catalog.names(),
            memory=memory, **({"pool": self.pool.describe()} if self.pool is not None else {}),
        )
