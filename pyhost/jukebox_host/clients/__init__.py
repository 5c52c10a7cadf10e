"""Clients of the host: the Python client (the same protocol as the C external), `jukebox-host render` and its files,
and the example."""
