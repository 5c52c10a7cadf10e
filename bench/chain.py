"""A chain of continues, link by link: whole continues (each returns and decodes the whole piece) against
new_only links (each returns what it adds; the host keeps a bounded tail), in one run on one host. Prints each
link's time and the bytes it returned; asserts nothing.

    python bench/chain.py [--model tiny] [--links 8] [--seconds 4] [--levels 3] [--device cpu]
"""

from __future__ import annotations

import time

from common import cpu_line, host_for, job_parser, smallest, stop, table

from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C


def main() -> None:
    parser = job_parser(__doc__, seconds=4.0, levels=3)
    parser.add_argument("--links", type=int, default=8)
    args = smallest(parser.parse_args(), links=1, seconds=0.25)  # every level still: each is a path
    print(cpu_line())
    endpoint, host = host_for(args, "chain")
    params = dict(model=args.model, length=args.seconds, levels=args.levels, preview=False)
    times: dict[bool, list[tuple[float, int]]] = {False: [], True: []}
    try:
        with Client(endpoint, timeout=60) as c:
            for new_only in (False, True):
                c.generate(None, None, mode=C.MODE_ANCESTRAL, seed=1, **params)
                for link in range(args.links):
                    started = time.perf_counter()
                    if new_only:
                        (audio,), _, _ = c.continue_piece(seed=2 + link, **params)
                    else:
                        audio, _ = c.generate(None, None, mode=C.MODE_CONTINUE, seed=2 + link, **params)
                    times[new_only].append((time.perf_counter() - started, audio.nbytes))
    finally:
        stop(host)
    rows = []
    for link, ((whole_s, whole_b), (new_s, new_b)) in enumerate(zip(times[False], times[True], strict=True)):
        piece = args.seconds * (link + 2)
        rows.append([str(link + 1), f"{piece:g}", f"{whole_s:.2f}", f"{new_s:.2f}", f"{whole_s / new_s:.2f}",
                     f"{whole_b / 2**20:.1f}", f"{new_b / 2**20:.2f}"])
    print(table(rows, ["link", "piece s", "whole continue s", "new_only s", "whole / new_only",
                       "whole MiB back", "new_only MiB back"]))
    print(f"model {args.model}, links of {args.seconds:g} s, levels {args.levels}, device {args.device}")


if __name__ == "__main__":
    main()
