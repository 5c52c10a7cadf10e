"""Time to first audio against time to the final result, with and without streaming (issue 15, item 1), in one
run on one host. Prints figures; asserts nothing.

    python bench/streaming.py [--model tiny] [--seconds 20] [--levels 1] [--device cpu]
"""

from __future__ import annotations

import time

from common import cpu_line, host_for, job_parser, smallest, stop, table

from jukebox_host.clients.client import Client
from jukebox_host.wire import constants as C


def main() -> None:
    parser = job_parser(__doc__, seconds=20.0, levels=1)
    args = smallest(parser.parse_args(), seconds=2.0)  # 2 s: a stream of more than one message
    print(cpu_line())
    endpoint, host = host_for(args, "stream")
    rows = []
    try:
        with Client(endpoint, timeout=60) as c:
            for streamed in (False, True):
                first: list[float] = []
                started = time.perf_counter()
                on_chunk = ((lambda *_, f=first, t=started: f.append(time.perf_counter() - t)) if streamed
                            else None)
                c.generate_variations(None, None, model=args.model, mode=C.MODE_ANCESTRAL, length=args.seconds,
                                      levels=args.levels, seed=1, preview=False, on_chunk=on_chunk)
                final = time.perf_counter() - started
                to_first = first[0] if first else final
                rows.append(["stream" if streamed else "one result", f"{to_first:.2f}", f"{final:.2f}",
                             f"{to_first / final:.2f}", str(len(first)) if streamed else "1"])
    finally:
        stop(host)
    print(table(rows, ["delivery", "first audio s", "final s", "first / final", "messages with audio"]))
    print(f"model {args.model}, {args.seconds:g} s ancestral, levels {args.levels}, device {args.device}")


if __name__ == "__main__":
    main()
