"""A host killed with kill -9 leaves its link folder (and socket files) in the temporary folder; the next host
to start removes it, and only such folders."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from jukebox_host.host.gateway_link import remove_stale_folders
from jukebox_host.wire.socket_folders import FOLDER_PREFIX, OWNER_FILE


def _folder(pid: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    (folder / OWNER_FILE).write_text(str(pid))
    (folder / "link-1").write_text("")  # stands for a socket file
    return folder


def test_folders_of_dead_hosts_go_and_live_ones_stay() -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone, alive = _folder(int(dead.stdout)), _folder(os.getpid())
    making = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))  # no owner file yet: a host still making it
    try:
        assert remove_stale_folders() >= 1
        assert not gone.exists() and alive.exists() and making.exists()
    finally:
        for folder in (alive, making):
            for item in folder.iterdir():
                item.unlink()
            folder.rmdir()


def test_the_next_host_removes_a_killed_hosts_folder(fresh_host: object, start_host: object, tmp_path: Path) -> None:
    pid = fresh_host.process.pid  # type: ignore[attr-defined]
    folders = [f for f in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*")
               if (f / OWNER_FILE).is_file() and (f / OWNER_FILE).read_text() == str(pid)]
    assert len(folders) == 1
    fresh_host.kill()  # type: ignore[attr-defined]  # kill -9: no clean-up of its own
    assert folders[0].exists()
    start_host(f"ipc://{tmp_path}/next.sock")  # type: ignore[operator]
    assert not folders[0].exists()
