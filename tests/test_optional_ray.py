"""Ray is an optional extra: the default single-host path never imports it."""

from __future__ import annotations

import subprocess
import sys


def test_the_single_host_path_does_not_import_ray() -> None:
    code = ("import sys, jukebox_host.cli, jukebox_host.host.server, jukebox_host.host.worker, "
            "jukebox_host.host.generation; "
            "sys.exit(1 if any(m == 'ray' or m.startswith('ray.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0
