"""The job queue: per-client FIFOs served round-robin, so one busy client cannot starve another."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError

# Audio of queued jobs held in memory (docs/PROTOCOL.md, "Memory budget"): per client, and for all clients together,
# so many connections cannot multiply the per-client limit.
QUEUED_INPUT_BYTES_PER_CLIENT = C.MAX_MESSAGE_BYTES
QUEUED_INPUT_BYTES_TOTAL = 4 * C.MAX_MESSAGE_BYTES


def input_bytes(job: Job) -> int:
    audio = getattr(job.payload, "audio", None)
    return int(audio.nbytes) if audio is not None else 0


@dataclass
class Job:
    client: bytes  # ZeroMQ routing id of the client
    request_id: int
    kind: str  # constants.TYPE_GENERATE, TYPE_LOAD or TYPE_UNLOAD
    payload: Any  # GenerateRequest for generate, the model name otherwise
    cancel: threading.Event = field(default_factory=threading.Event)
    cancel_code: str = C.ERR_CANCELLED  # what the job's error says when it stops early
    cancel_text: str = ""  # and its message, when not the code's usual one


class JobQueue:
    def __init__(self, per_client_limit: int = C.MAX_QUEUED_JOBS_PER_CLIENT) -> None:
        self._queues: OrderedDict[bytes, deque[Job]] = OrderedDict()
        self._lock = threading.Condition()
        self._limit = per_client_limit
        self._closed = False
        self._running: list[Job] = []  # one per worker: one, or a pool's replicas

    @property
    def running(self) -> Job | None:
        """The job running longest, or None."""
        with self._lock:
            return self._running[0] if self._running else None

    def running_jobs(self) -> list[Job]:
        with self._lock:
            return list(self._running)

    def put(self, job: Job) -> int:
        """Queue a job; return how many jobs run before it."""
        with self._lock:
            if self._closed:
                raise HostError(C.ERR_SHUTDOWN, "the host is shutting down")
            queue = self._queues.get(job.client, deque())
            if len(queue) >= self._limit:
                raise HostError(C.ERR_QUEUE_FULL, f"you already have {self._limit} jobs waiting; wait or cancel one")
            size = input_bytes(job)
            if size and sum(map(input_bytes, queue)) + size > QUEUED_INPUT_BYTES_PER_CLIENT:
                raise HostError(C.ERR_QUEUE_FULL, f"your waiting jobs' audio would pass "
                                                  f"{QUEUED_INPUT_BYTES_PER_CLIENT // 2**20} MiB; wait or cancel one")
            if size and self.queued_bytes() + size > QUEUED_INPUT_BYTES_TOTAL:
                raise HostError(C.ERR_QUEUE_FULL, f"the host holds {QUEUED_INPUT_BYTES_TOTAL // 2**20} MiB of waiting "
                                                  f"audio from all clients; try again when a job has run")
            self._queues[job.client] = queue
            queue.append(job)
            position = self._order().index(job)
            self._lock.notify()
            return position + len(self._running)

    def queued_bytes(self) -> int:
        """Audio held by every client's waiting jobs."""
        with self._lock:
            return sum(input_bytes(job) for queue in self._queues.values() for job in queue)

    def _order(self) -> list[Job]:
        """The order jobs will run in: round robin over clients, starting with the one whose turn it is."""
        queues = [list(q) for q in self._queues.values()]
        order: list[Job] = []
        for depth in range(max((len(q) for q in queues), default=0)):
            order.extend(q[depth] for q in queues if depth < len(q))
        return order

    def take(self, timeout: float) -> Job | None:
        """Next job in round-robin order (or None after `timeout` s); it becomes `running`."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._closed or any(self._queues.values()), timeout):
                return None
            for client in list(self._queues):
                queue = self._queues[client]
                if queue:
                    job = queue.popleft()
                    # This client goes to the back of the line.
                    self._queues.move_to_end(client)
                    if not queue:
                        del self._queues[client]
                    self._running.append(job)
                    return job
            return None

    def done(self, job: Job) -> None:
        with self._lock:
            if job in self._running:
                self._running.remove(job)

    def cancel(self, client: bytes, request_id: int) -> tuple[Job | None, bool]:
        """Remove a queued job, or flag the running one (which then reports its own end).
        Return (the job or None if this client has no such job, whether it was running)."""
        with self._lock:
            for running in self._running:
                if running.client == client and running.request_id == request_id:
                    running.cancel.set()
                    return running, True
            queue = self._queues.get(client)
            for job in list(queue or ()):
                if job.request_id == request_id:
                    queue.remove(job)  # type: ignore[union-attr]
                    if not queue:
                        del self._queues[client]
                    job.cancel.set()
                    return job, False
            return None, False

    def ids_of(self, client: bytes) -> list[int]:
        """The request ids of this client's jobs the host still holds: running first, then queued in order."""
        with self._lock:
            ids = [job.request_id for job in self._running if job.client == client]
            return ids + [job.request_id for job in self._queues.get(client, ())]

    def drop_client(self, client: bytes, code: str = C.ERR_CANCELLED, text: str = "") -> list[Job]:
        """A client went away (or is no longer served): forget its queued jobs (returned) and stop its running
        one, whose error then says code and text."""
        with self._lock:
            dropped = list(self._queues.pop(client, ()))
            for job in self._running:
                if job.client == client:
                    job.cancel_code, job.cancel_text = code, text
                    job.cancel.set()
            return dropped

    def close(self) -> list[Job]:
        """Stop accepting jobs; return the queued ones (the caller tells their clients) and stop the running one."""
        with self._lock:
            self._closed = True
            queued = [job for q in self._queues.values() for job in q]
            self._queues.clear()
            for job in self._running:
                job.cancel_code = C.ERR_SHUTDOWN
                job.cancel.set()
            self._lock.notify_all()
            return queued

    def waiting(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values())
