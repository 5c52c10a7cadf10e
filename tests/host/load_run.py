"""Many clients submitting jobs to one host at once; shared by the load test and bench/load.py."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C


@dataclass
class LoadReport:
    finished: int = 0
    errors: int = 0
    lost: int = 0
    duplicated: int = 0
    misrouted: int = 0
    seconds: float = 0.0
    waits: list[float] = field(default_factory=list)  # submit → final, per job
    end_order: list[tuple[int, int]] = field(default_factory=list)  # (client, job) in the order they ended

    @property
    def max_first_job_rank(self) -> int:
        """Where the last client's first job ended in the overall order (1-based)."""
        ranks = {}
        for rank, (client, job) in enumerate(self.end_order, 1):
            if job == 0:
                ranks[client] = rank
        return max(ranks.values(), default=0)


def run_load(endpoint: str, clients: int, jobs_per_client: int, length: float) -> LoadReport:
    report = LoadReport()
    lock = threading.Lock()
    started = time.monotonic()
    # Each client's prompt has its own rate, so a result that reaches the wrong client is visible.
    rates = [16000 + 2000 * i for i in range(clients)]

    def one_client(index: int) -> None:
        rate = rates[index]
        prompt = (0.3 * np.sin(np.arange(int(0.25 * rate)) * 0.05)).astype(np.float32)[None, :]
        with Client(endpoint, timeout=300) as client:
            sent = {}
            for job in range(jobs_per_client):
                rid = client.send(C.TYPE_GENERATE, [prompt[0].tobytes()], model="tiny", channels=1,
                                  frames=prompt.shape[1], sample_rate=rate, length=length, seed=job)
                sent[rid] = (job, time.monotonic())
            ends: dict[int, int] = {}
            while len(ends) < len(sent):
                try:
                    reply = client.receive(300)
                except Exception:
                    break
                rid = reply.header.get("id")
                if not reply.ends_job:
                    continue
                with lock:
                    if rid not in sent:
                        report.misrouted += 1
                        continue
                    ends[rid] = ends.get(rid, 0) + 1
                    if reply.type == C.TYPE_ERROR:
                        report.errors += 1
                    elif reply.header["sample_rate"] != rate:
                        report.misrouted += 1
                    else:
                        report.finished += 1
                    report.waits.append(time.monotonic() - sent[rid][1])
                    report.end_order.append((index, sent[rid][0]))
            # Anything more waiting would be a duplicate.
            while client.socket.poll(300):
                reply = client.receive(1)
                if reply.ends_job:
                    with lock:
                        report.duplicated += 1
            with lock:
                report.lost += len(sent) - len(ends)

    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.monotonic() - started
    return report
