"""Fixtures for the Pd end-to-end tests: the built external and a real host.

The build is found through $JBX_BUILD_DIR, else <repo>/build. Nothing is
built here: tests skip with the reason when build/pd/jukebox~.pd_linux or pd
is missing, or when the host package cannot run."""

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pd_harness import HOST_CMD, PD, external_dir


@pytest.fixture(scope="session")
def pd_external() -> Path:
    if PD is None:
        pytest.skip("pd is not installed (apt-get install puredata-core)")
    ext = external_dir("plain") / "jukebox~.pd_linux"
    if not ext.exists():
        pytest.skip(f"{ext} not built (cmake -S . -B build && cmake --build build)")
    return ext


@pytest.fixture(scope="session")
def host(tmp_path_factory: pytest.TempPathFactory, pd_external: Path) -> Iterator[str]:
    """A real jukebox-host with the tiny model on a private ipc endpoint."""
    probe = subprocess.run(HOST_CMD + ["--help"], check=False, capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"host cannot run: {' '.join(HOST_CMD)} --help failed")
    ep = f"ipc:///tmp/jbx-pdtest-{uuid.uuid4().hex[:8]}"
    log = tmp_path_factory.mktemp("host") / "host.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            HOST_CMD + ["serve", "--endpoint", ep, "--model", "tiny"],
            stdout=f,
            stderr=subprocess.STDOUT,
        )
    deadline = time.time() + 120
    while b"ready on" not in log.read_bytes():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(f"host did not start:\n{log.read_text()}")
        time.sleep(0.1)
    yield ep
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
