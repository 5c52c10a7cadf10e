"""The worker thread: takes jobs from the queue one at a time and runs them on the model (one GPU)."""

from __future__ import annotations

import logging
import threading
import time
import traceback

import torch
import zmq

from jukebox_host.engine.loading import ModelRegistry
from jukebox_host.host import generation
from jukebox_host.host.jobs import Job, JobQueue
from jukebox_host.host.kept_codes import KeptCodes
from jukebox_host.host.outbox import Outbox
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError, JobCancelled
from jukebox_host.wire.protocol import GenerateRequest, error_header, message
from jukebox_host.wire.routing_ids import label

log = logging.getLogger("jukebox_host")


def describe_job(job: Job) -> str:
    """One log line's worth: whose job, what it asked for."""
    who = f"client {label(job.client)} job {job.request_id}"
    req = job.payload
    if not isinstance(req, GenerateRequest):
        return f"{who} {job.kind} {req}"
    sent = req.audio.shape[1] / req.sample_rate if req.sample_rate else 0.0
    return (f"{who} {req.mode} {req.model}: {sent:.2f} s in → {req.length:g} s (song {req.song_length:g} s), "
            f"levels {req.levels}, n_samples {req.n_samples}")


class Worker(threading.Thread):
    def __init__(self, queue: JobQueue, registry: ModelRegistry | None, context: zmq.Context, outbox_address: str,
                 preload: list[str], kept: KeptCodes | None = None, name: str = "jukebox-worker") -> None:
        """registry: the models this thread runs jobs on (None for a pool's dispatcher, ray_backend.py);
        kept: each client's last result, for mode continue (shared by a pool's dispatchers)."""
        super().__init__(name=name, daemon=True)
        self.queue = queue
        self.registry = registry
        self.context = context
        self.outbox_address = outbox_address
        self.preload = preload
        self.stopping = threading.Event()
        self.preloaded = threading.Event()
        self.preload_errors: list[str] = []  # "name: why" of each model that did not load (the host then exits)
        self.outbox: Outbox | None = None
        self.kept = kept if kept is not None else KeptCodes()

    def run(self) -> None:
        self.outbox = Outbox(self.context, self.outbox_address)
        try:
            self._preload()
            self.preloaded.set()
            while not self.stopping.is_set():
                job = self.queue.take(timeout=0.2)
                if job is not None:
                    self._run_job(job)
        finally:
            self.outbox.close()

    def _preload(self) -> None:
        for name in self.preload:
            try:
                self.registry.get(name)
                log.info("loaded %s", name)
            except HostError as exc:
                self.preload_errors.append(f"{name}: {exc.message} ({exc.code})")

    def _load(self, name: str) -> dict:
        """Loads a model (a load job); returns the seconds it took and the model's facts."""
        loaded = self.registry.get(name)
        return {"seconds": loaded.load_seconds, **loaded.facts()}

    def _unload(self, name: str) -> bool:
        """Whether it was loaded: unloading a model that is not is no error (there is nothing to do)."""
        return self.registry.unload(name)

    def _send(self, job: Job, header: dict, frames: list[bytes] | None = None) -> None:
        assert self.outbox is not None
        self.outbox.send(job.client, header, frames)

    def _run_job(self, job: Job) -> None:
        frames: list[bytes] | None = None
        started = time.perf_counter()
        try:
            if job.cancel.is_set():
                raise JobCancelled()
            if job.kind == C.TYPE_LOAD:
                last = message(C.TYPE_LOADED, job.request_id, model=job.payload, **self._load(job.payload))
            elif job.kind == C.TYPE_UNLOAD:
                last = message(C.TYPE_UNLOADED, job.request_id, model=job.payload,
                               was_loaded=self._unload(job.payload))
            else:
                last, frames = self._generate(job, job.payload)
        except JobCancelled:
            text = job.cancel_text or ("the host is shutting down" if job.cancel_code == C.ERR_SHUTDOWN
                                       else "the job was cancelled")
            last = error_header(job.request_id, job.cancel_code, text)
        except HostError as exc:
            last = error_header(job.request_id, exc.code, exc.message)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            last = error_header(job.request_id, C.ERR_INTERNAL,
                                "out of GPU memory: ask for fewer seconds, fewer samples or fewer levels")
        except Exception as exc:  # the host keeps serving whatever a job does
            log.error("job %s failed:\n%s", job.request_id, traceback.format_exc())
            last = error_header(job.request_id, C.ERR_INTERNAL, f"{type(exc).__name__}: {exc}")
        log.info("%s: %s in %.1f s", describe_job(job), last.get("code", last["type"]), time.perf_counter() - started)
        # The job is over before its client hears so: a status sent right after never shows it running.
        self.queue.done(job)
        self._send(job, last, frames)

    def _generate(self, job: Job, req: GenerateRequest) -> tuple[dict, list[bytes]]:
        """Run the job (generation.py), sending progress, previews and chunks; keep its codes for continue."""
        kept = self.kept.get(job.client, req.model) if req.mode == C.MODE_CONTINUE else None
        assert self.registry is not None
        outcome = generation.generate(self.registry, req, job.request_id, kept, job.cancel,
                                      lambda header, frames=None: self._send(job, header, frames))
        self.kept.put(job.client, req.model, outcome.codes, outcome.start)
        return outcome.header, outcome.pcm
