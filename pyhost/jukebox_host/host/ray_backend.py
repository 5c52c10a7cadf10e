"""`serve --backend ray`: the same ZeroMQ front, jobs run by a Ray Serve deployment whose replicas each keep the
models loaded on their own device (one job at a time each). Imported only for that backend: `pip install
./pyhost[ray]`.

The host keeps its queue (fairness, limits, the memory budget, CURVE: nothing changes for clients) and one
dispatcher thread per replica takes jobs from it and runs them on the pool through a streaming call: progress,
previews and chunks come back as they are made; `cancel` cancels the call, and the replica stops its job at the
next sampling step; a replica that dies ends its job with an error (Ray Serve starts another). Codes kept for
`continue` stay on the host and travel with the job, so any replica can continue any result."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

import zmq

from jukebox_host.engine.loading import ModelRegistry
from jukebox_host.host import generation
from jukebox_host.host.jobs import Job, JobQueue
from jukebox_host.host.kept_codes import Kept, KeptCodes
from jukebox_host.host.worker import Worker
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError, JobCancelled
from jukebox_host.wire.protocol import GenerateRequest

log = logging.getLogger("jukebox_host")
APP_NAME = "jukebox-host"


@dataclass
class PoolSettings:
    address: str | None = None  # None: start a Ray cluster on this machine; "auto" or "ray://…": join one
    replicas: int = 2
    gpus_per_replica: float = 0.0
    cpus_per_replica: float = 1.0
    threads: int = 1  # torch CPU threads in each replica


class JukeboxReplica:
    """One replica: a model registry of its own, on its own device. Runs one job at a time."""

    def __init__(self, registry_args: dict[str, Any], preload: list[str], threads: int) -> None:
        import torch

        torch.set_num_threads(max(1, threads))  # replicas sharing a machine's cores do not fight over them
        self.registry = ModelRegistry(**registry_args)
        for name in preload:
            self.registry.get(name)
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def describe(self) -> dict[str, Any]:
        return {"replica": self.name, "pid": os.getpid(), "device": str(self.registry.device),
                "models": self.registry.names()}

    def load(self, name: str) -> dict:
        loaded = self.registry.get(name)
        return {"seconds": loaded.load_seconds, **loaded.facts()}

    def unload(self, name: str) -> bool:
        return self.registry.unload(name)

    async def generate(self, request_id: int, req: GenerateRequest, kept: Kept | None):  # noqa: ANN201
        """Streams ("replica", info), then ("msg", header, frames)…, then ("done", outcome) or ("error", code,
        message) or ("cancelled",). The job runs in a thread; a cancelled call stops it at its next step."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        cancel = threading.Event()

        def send(header: dict, frames: list[bytes] | None = None) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, ("msg", header, frames))

        def run() -> None:
            try:
                end: tuple[Any, ...] = ("done", generation.generate(self.registry, req, request_id, kept, cancel,
                                                                    send))
            except JobCancelled:
                end = ("cancelled",)
            except HostError as exc:
                end = ("error", exc.code, exc.message)
            except Exception as exc:  # the replica keeps serving whatever a job does
                log.exception("job %s failed", request_id)
                end = ("error", C.ERR_INTERNAL, f"{type(exc).__name__}: {exc}")
            loop.call_soon_threadsafe(queue.put_nowait, end)

        thread = threading.Thread(target=run, name=f"job-{request_id}", daemon=True)
        thread.start()
        try:
            yield ("replica", self.describe())
            while True:
                item = await queue.get()
                yield item
                if item[0] != "msg":
                    return
        finally:  # the call was cancelled (or the caller went away): stop the job, let its thread end
            cancel.set()
            await loop.run_in_executor(None, thread.join)


class PoolDispatcher(Worker):
    """A host-side thread that runs queued jobs on the pool, one at a time (one per replica)."""

    def __init__(self, pool: RayPool, index: int) -> None:
        super().__init__(pool.queue, None, pool.context, pool.outbox_address, [], pool.kept,
                         name=f"jukebox-dispatch-{index}")
        self.pool = pool
        self.index = index

    def _preload(self) -> None:
        pass  # the replicas preloaded when the pool started

    def _load(self, name: str) -> dict:
        return dict(self.pool.handle.load.remote(name).result())

    def _unload(self, name: str) -> bool:
        return bool(self.pool.handle.unload.remote(name).result())

    def _generate(self, job: Job, req: GenerateRequest) -> tuple[dict, list[bytes]]:
        import ray.exceptions

        kept = self.kept.get(job.client, req.model) if req.mode == C.MODE_CONTINUE else None
        stream = self.pool.handle.options(stream=True).generate.remote(job.request_id, req, kept)
        finished = threading.Event()

        def cancel_when_asked() -> None:  # iteration blocks between messages: cancel from beside it
            while not finished.is_set():
                if job.cancel.wait(0.05):
                    stream.cancel()
                    return

        threading.Thread(target=cancel_when_asked, daemon=True).start()
        try:
            for item in stream:
                if item[0] == "replica":
                    self.pool.mark(self.index, item[1], job.request_id)
                elif item[0] == "msg":
                    self._send(job, item[1], item[2])
                elif item[0] == "error":
                    raise HostError(item[1], item[2])
                elif item[0] == "cancelled":
                    raise JobCancelled()
                else:
                    outcome: generation.Outcome = item[1]
                    self.kept.put(job.client, req.model, outcome.codes, outcome.start)
                    return outcome.header, outcome.pcm
            raise HostError(C.ERR_INTERNAL, "the pool ended the job without a result")
        except (HostError, JobCancelled):
            raise
        except Exception as exc:
            if job.cancel.is_set():
                raise JobCancelled() from None
            if isinstance(exc, ray.exceptions.RayError):
                raise HostError(C.ERR_INTERNAL, f"the replica running this job failed ({type(exc).__name__}): "
                                                f"send it again; the pool keeps serving") from None
            raise
        finally:
            finished.set()
            self.pool.mark(self.index, None, None)


class RayPool:
    """The Ray Serve deployment and its dispatchers, in the place of the single worker thread (server.py)."""

    def __init__(self, settings: PoolSettings, queue: JobQueue, context: zmq.Context, outbox_address: str,
                 registry_args: dict[str, Any], preload: list[str]) -> None:
        import ray
        from ray import serve

        self.settings = settings
        self.queue = queue
        self.context = context
        self.outbox_address = outbox_address
        self.kept = KeptCodes()
        self.stopping = threading.Event()
        self.preloaded = threading.Event()
        self.preload_errors: list[str] = []  # the replicas load before serve.run returns: a failure raises there
        self._lock = threading.Lock()
        self.workers: list[dict[str, Any] | None] = [None] * settings.replicas  # per dispatcher: its replica
        env = {k: v for k, v in os.environ.items() if k.startswith("JUKEBOX_HOST_") or k == "HF_HOME"}
        ray.init(address=settings.address, include_dashboard=False, logging_level=logging.WARNING,
                 log_to_driver=False, runtime_env={"env_vars": env}, ignore_reinit_error=True)
        # Jobs reach the replicas through a deployment handle only: no HTTP proxy actor (one less process to start,
        # and its start timed out on a loaded 2-core machine, failing the whole pool).
        serve.start(proxy_location="Disabled")
        threads = settings.threads
        deployment = serve.deployment(JukeboxReplica, name="jukebox").options(
            num_replicas=settings.replicas, max_ongoing_requests=1,
            ray_actor_options={"num_cpus": settings.cpus_per_replica, "num_gpus": settings.gpus_per_replica})
        self.handle = serve.run(deployment.bind(registry_args, preload, threads), name=APP_NAME, route_prefix=None)
        self.dispatchers = [PoolDispatcher(self, k) for k in range(settings.replicas)]
        log.info("Ray Serve pool: %d replica(s), %g GPU and %g CPU each", settings.replicas,
                 settings.gpus_per_replica, settings.cpus_per_replica)

    def start(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.start()
        self.preloaded.set()  # serve.run returned: every replica is up, its models loaded

    def is_alive(self) -> bool:
        return any(d.is_alive() for d in self.dispatchers)

    def join(self, timeout: float) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.stopping.set()
            dispatcher.join(timeout / len(self.dispatchers))

    def close(self) -> None:
        """Deletes the Serve app; a cluster this host started goes with it (one it joined stays)."""
        import ray
        from ray import serve

        for dispatcher in self.dispatchers:
            dispatcher.stopping.set()
        try:
            serve.delete(APP_NAME)
            if self.settings.address is None:
                serve.shutdown()
        except Exception as exc:  # a pool already gone with its cluster
            log.warning("could not delete the Serve app: %s", exc)
        ray.shutdown()

    def mark(self, index: int, replica: dict[str, Any] | None, request_id: int | None) -> None:
        with self._lock:
            if replica is None:
                if self.workers[index] is not None:
                    self.workers[index] = {**self.workers[index], "running": None}  # type: ignore[dict-item]
            else:
                self.workers[index] = {**replica, "running": request_id}

    def describe(self) -> dict[str, Any]:
        """The pool as status reports it: replicas, and what each dispatcher last saw of its replica."""
        with self._lock:
            seen = [w for w in self.workers if w is not None]
        return {"backend": "ray", "replicas": self.settings.replicas, "address": self.settings.address or "local",
                "workers": seen}
