"""The private link between the host process and its gateway (gateway/loop.py): first-frame kinds and timings."""

from __future__ import annotations

# host → gateway
SEND = b"S"  # [SEND, client, header, pcm…]: a reply for a client
QUIT = b"Q"  # [QUIT]: hand over what is waiting, answer DONE, exit
# gateway → host
READY = b"R"  # [READY]: listening on the public endpoint
MESSAGE = b"M"  # [MESSAGE, client, header, pcm…]: a client's message
GONE = b"G"  # [GONE, client, why]: the client went away or stopped reading; its jobs must go
REFUSED = b"X"  # [REFUSED, client, why]: still connected but no longer served (its key was removed): its jobs end
#                 with an error it is told, naming why
ALIVE = b"A"  # [ALIVE]: sent every ALIVE_SECONDS
DONE = b"D"  # [DONE, count]: answer to QUIT; count = clients found gone while handing over

ALIVE_SECONDS = 1.0
IN_FLIGHT = 1  # client messages queued each way of the link (gateway send, host receive): each may be MAX_MESSAGE_BYTES
SILENT_LIMIT = 10.0  # seconds without a word from the gateway before the host replaces it
