"""`python -m jukebox_host.gateway`: the gateway process, as the host starts it."""

from jukebox_host.gateway.loop import main

raise SystemExit(main())
