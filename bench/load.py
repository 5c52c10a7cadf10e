"""Load: N clients submit jobs to one host (tiny model) at once. Prints completion, routing and fairness figures.

    python bench/load.py [--clients 8] [--jobs 2] [--length 0.5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile

from common import REPO, smallest, start_host, stop, table

sys.path.insert(0, str(REPO / "tests" / "host"))
from load_run import run_load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--length", type=float, default=0.5)
    args = smallest(parser.parse_args(), clients=2, jobs=2)
    endpoint = f"ipc://{tempfile.mkdtemp(prefix='bench-load-')}/host.sock"
    host = start_host(endpoint, ["tiny"], "cpu")
    try:
        r = run_load(endpoint, args.clients, args.jobs, args.length)
    finally:
        stop(host)
    waits = sorted(r.waits)
    print(table([
        ["jobs sent", str(args.clients * args.jobs)], ["final results", str(r.finished)], ["errors", str(r.errors)],
        ["lost", str(r.lost)], ["duplicated", str(r.duplicated)], ["misrouted", str(r.misrouted)],
        ["wall time s", f"{r.seconds:.1f}"], ["median wait s", f"{statistics.median(waits):.1f}"],
        ["max wait s", f"{waits[-1]:.1f}"],
        ["rank of the last client's first job", f"{r.max_first_job_rank} of {len(r.end_order)}"],
    ], ["figure", "value"]))
    print("end order (client.job):", " ".join(f"{c}.{j}" for c, j in r.end_order))


if __name__ == "__main__":
    main()
