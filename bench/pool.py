"""Throughput of a Ray Serve pool (serve --backend ray) with 1 and with 2 replicas, side by side in one run:
the same jobs from several clients at once (tiny model, CPU, one torch thread per replica). Prints figures;
asserts nothing.

    python bench/pool.py [--clients 4] [--seconds 3] [--levels 2] [--replicas 1 2] [--model tiny] [--device cpu]
"""

from __future__ import annotations

import threading
import time

from common import cpu_line, host_for, job_parser, smallest, stop, table

from jukebox_host.clients.client import Client


def run_jobs(endpoint: str, model: str, clients: int, seconds: float, levels: int) -> float:
    """Wall time for one job from each client, all sent at once."""
    def one(seed: int) -> None:
        with Client(endpoint, timeout=120) as c:
            c.generate(None, None, model=model, mode="ancestral", length=seconds, levels=levels, seed=seed,
                       preview=False)

    one(0)  # warm every replica's first call off the clock (the router may pick either: twice)
    one(0)
    threads = [threading.Thread(target=one, args=(seed,)) for seed in range(1, clients + 1)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def main() -> None:
    parser = job_parser(__doc__, seconds=3.0, levels=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2], help="one pool of each size, in turn")
    # One pool (Ray's start-up is most of a run): of 2 replicas, so that the router has a choice.
    args = smallest(parser.parse_args(), clients=2, seconds=0.5, replicas=[2])
    print(cpu_line())
    rows, walls = [], {}
    for replicas in args.replicas:
        endpoint, host = host_for(args, "pool", ["--backend", "ray", "--replicas", str(replicas),
                                                 "--cpus-per-replica", "1"])
        try:
            walls[replicas] = run_jobs(endpoint, args.model, args.clients, args.seconds, args.levels)
        finally:
            stop(host)
        rows.append([str(replicas), f"{walls[replicas]:.2f}", f"{args.clients / walls[replicas]:.2f}",
                     f"{walls[args.replicas[0]] / walls[replicas]:.2f}"])
    print(table(rows, ["replicas", "wall s", "jobs/s", "speed-up"]))
    print(f"{args.clients} clients, one {args.seconds:g} s ancestral job each, levels {args.levels}, model "
          f"{args.model}, device {args.device}, 1 torch thread per replica")


if __name__ == "__main__":
    main()
