"""The other side of the seed's hand-off: on /RecReady read the AIFF, write the result AIFF, answer /SaveReady.
Run as a separate process by transport.py; no model, the audio is passed through as the seed's script would
pass its result."""

from __future__ import annotations

import sys

import soundfile as sf
from pythonosc import dispatcher, osc_server, udp_client


def main() -> None:
    listen_port, reply_port = int(sys.argv[1]), int(sys.argv[2])
    reply = udp_client.SimpleUDPClient("127.0.0.1", reply_port)

    def on_ready(_address: str, in_path: str, out_path: str) -> None:
        data, rate = sf.read(in_path, dtype="float32", always_2d=True)
        sf.write(out_path, data, rate, format="AIFF", subtype="FLOAT")
        reply.send_message("/SaveReady", out_path)

    running = [True]
    routes = dispatcher.Dispatcher()
    routes.map("/RecReady", on_ready)
    routes.map("/quit", lambda *_: running.clear())
    server = osc_server.BlockingOSCUDPServer(("127.0.0.1", listen_port), routes)
    print("ready", flush=True)
    while running:
        server.handle_request()
    server.server_close()


if __name__ == "__main__":
    main()
