"""The C core built for Windows (mingw-w64) and run under wine against a real jukebox-host on loopback TCP: the
handshake, a tiny-model job, CURVE, cancel, the host killed mid-job, and autostart through CreateProcessW."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import release_helpers
from release_helpers import windows_path, windows_program

wine = release_helpers.wine  # a fixture of release_helpers

StartHost = Callable[..., object]  # tests/conftest.py's start_host: a real `jukebox-host serve` per call


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _client(wine: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Runs wine_client to its exit. Its output goes through files, not pipes: a host it autostarts inherits
    them and would hold a pipe open after the client is gone."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        code = subprocess.run(["wine", windows_program("wine_client"), *args], env=wine, stdout=out, stderr=err,
                              timeout=timeout).returncode
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(args, code, out.read(), err.read())


def test_ping_a_tiny_job_and_cancel(wine: dict[str, str], start_host: StartHost) -> None:
    endpoint = start_host(f"tcp://127.0.0.1:{_port()}").endpoint  # type: ignore[attr-defined]
    ping = _client(wine, "ping", endpoint)
    assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr
    job = _client(wine, "generate", endpoint)
    assert job.returncode == 0, job.stdout + job.stderr
    assert re.match(r"result 88\d\d\d frames 44100 Hz 1 channel\(s\)", job.stdout), job.stdout  # 2 s, mono
    cancel = _client(wine, "cancel", endpoint)  # then a ping on the same client
    assert cancel.returncode == 0, cancel.stdout + cancel.stderr
    assert cancel.stdout.splitlines()[-2:] == [cancel.stdout.splitlines()[-2], "pong"]
    assert cancel.stdout.splitlines()[-2].startswith("error cancelled: ")


def test_the_host_killed_mid_job_gives_one_clear_error(wine: dict[str, str], start_host: StartHost) -> None:
    host = start_host(f"tcp://127.0.0.1:{_port()}")
    client = subprocess.Popen(["wine", windows_program("wine_client"), "killed", host.endpoint], env=wine,  # type: ignore[attr-defined]
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert client.stdout is not None
        line = client.stdout.readline()
        assert line.strip() == "running", line
        host.kill()  # type: ignore[attr-defined]  # a crash: no bye
        out, err = client.communicate(timeout=120)
    finally:
        if client.poll() is None:
            client.kill()
    assert client.returncode == 0, out + err
    assert "error timeout: host not responding at" in out, out


def test_curve_the_right_keys_are_served_a_stranger_is_not(wine: dict[str, str], start_host: StartHost,
                                                            tmp_path: Path) -> None:
    keys, allowed = tmp_path / "keys", tmp_path / "allowed"
    allowed.mkdir()
    for name in ("server", "client", "stranger"):
        subprocess.run([sys.executable, "-m", "jukebox_host", "keygen", str(keys), name], check=True,
                       capture_output=True)
    (allowed / "client.key").write_bytes((keys / "client.key").read_bytes())
    endpoint = start_host(f"tcp://127.0.0.1:{_port()}", ["--curve-secret", str(keys / "server.key_secret"),
                                                         "--curve-allow", str(allowed)]).endpoint  # type: ignore[attr-defined]
    good = _client(wine, "curve", endpoint, windows_path(keys / "server.key"), windows_path(keys / "client.key_secret"))
    assert good.returncode == 0 and "pong" in good.stdout, good.stdout + good.stderr
    stranger = _client(wine, "curve", endpoint, windows_path(keys / "server.key"),
                       windows_path(keys / "stranger.key_secret"))
    assert stranger.returncode == 1 and "pong" not in stranger.stdout, stranger.stdout + stranger.stderr


def test_autostart_starts_the_host_through_createprocess(wine: dict[str, str], tiny_dir: Path,
                                                          tmp_path: Path) -> None:
    """jukebox~ with autostart on spawns `hostcmd serve --endpoint ...` with CreateProcessW (no shell). Under wine
    that starts a Linux program: here a script that runs this Python's host."""
    endpoint = f"tcp://127.0.0.1:{_port()}"
    script = tmp_path / "jukebox-host"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m jukebox_host "$@" --model tiny\n')
    script.chmod(0o755)
    started = time.monotonic()
    try:
        run = _client(wine, "autostart", endpoint, str(script))
        assert run.returncode == 0 and "pong" in run.stdout, run.stdout + run.stderr
        print(f"autostart to first pong: {time.monotonic() - started:.1f} s")
    finally:
        subprocess.run(["pkill", "-f", "--", f"--endpoint {endpoint}"], check=False)
