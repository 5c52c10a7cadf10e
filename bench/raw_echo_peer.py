"""The floor for bench/transport.py: a bare pyzmq ROUTER that sends every message straight back (no protocol, no
checks, no gateway), run as its own process as the host is. Usage: raw_echo_peer.py ENDPOINT (prints 'ready')."""

from __future__ import annotations

import sys

import zmq


def main() -> None:
    context = zmq.Context()
    router = context.socket(zmq.ROUTER)
    router.bind(sys.argv[1])
    print("ready", flush=True)
    while True:
        parts = router.recv_multipart(copy=False)
        if len(parts) == 2 and parts[1].bytes == b"quit":
            break
        router.send_multipart(parts, copy=False)
    router.close(0)
    context.term()


if __name__ == "__main__":
    main()
