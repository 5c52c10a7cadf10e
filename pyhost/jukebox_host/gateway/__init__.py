"""The gateway process: the client-facing ROUTER, its limits and reply budgets, CURVE, and the link to the host
process. Started as `python -m jukebox_host.gateway`."""
