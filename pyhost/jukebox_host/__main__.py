from jukebox_host.cli import main

raise SystemExit(main())
