"""Fixtures for the Pd end-to-end tests: the built external and a real host.

The build is found through $JBX_BUILD_DIR, else <repo>/build. Nothing is
built here: tests skip with the reason when build/pd/jukebox~.pd_linux or pd
is missing, or when the host package cannot run."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pd_harness import PD, SOCKETS, endpoint, external_dir, start_host, stop_host


@pytest.fixture(scope="session", autouse=True)
def no_socket_files_left() -> Iterator[None]:
    """A host killed on purpose leaves its ipc socket file: this session's folder of them goes when it ends."""
    yield
    shutil.rmtree(SOCKETS, ignore_errors=True)


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
    ep = endpoint("host")
    proc = start_host(ep, tmp_path_factory.mktemp("host") / "host.log")
    yield ep
    stop_host(proc)
    Path(ep.removeprefix("ipc://")).unlink(missing_ok=True)
