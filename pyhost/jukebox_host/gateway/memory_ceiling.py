"""A hard memory ceiling for the gateway process.

libzmq assembles every client message whole before the gateway can look at it, and queues replies counted in
messages, not bytes: no socket option bounds what a hostile client makes it allocate. The address-space limit
does. Past the ceiling an allocation fails: libzmq drops the connection whose frame did not fit, or aborts (the
host then starts a new gateway, gateway_link.py), and a Python allocation raises MemoryError (the gateway stops;
the same). Either way the client loses its connection and the host loses nothing.

Linux enforces RLIMIT_AS; macOS accepts it without enforcing it, and Windows has none: there the gateway runs
without a ceiling (docs/PROTOCOL.md, "Memory budget").
"""

from __future__ import annotations

import os

MIB = 2**20
# What the gateway may hold beyond its start: messages read ahead (5 per connection, each up to MAX_MESSAGE_BYTES)
# and replies waiting for slow readers (up to 2 × MAX_MESSAGE_BYTES each) for a handful of busy clients at once.
DEFAULT_MEMORY_MIB = 2048


def address_space() -> int | None:
    """Bytes of address space this process uses now (Linux), or None where that cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def limit_growth(mib: int) -> str:
    """Let this process grow by at most `mib` MiB beyond its address space now; returns what was done, for the
    log. 0 means no ceiling."""
    if mib <= 0:
        return "no memory ceiling (--gateway-memory 0)"
    try:
        import resource
    except ImportError:
        return "no memory ceiling on this system"
    now = address_space()
    if now is None:
        return "no memory ceiling on this system (its address space cannot be read)"
    ceiling = now + mib * MIB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    # An abort at the ceiling leaves no core file behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    return f"memory ceiling {mib} MiB above its {now // MIB} MiB at start"
