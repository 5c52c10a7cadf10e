"""Shared fixtures: a tiny model on disk and real host processes on private ipc endpoints."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import host_process
import pytest
from host_process import HostProcess

# Everything this run writes outside pytest's own tmp_path lives here and goes when the run ends.
_RUN = Path(tempfile.mkdtemp(prefix="jukebox-tests-"))
atexit.register(shutil.rmtree, _RUN, True)
host_process.LOG_DIR = _RUN
# Every host and test in this run resolves 'tiny' to the same generated folder.
_HOME = _RUN / "home"
_HOME.mkdir()
os.environ["JUKEBOX_HOST_HOME"] = str(_HOME)
# The shared host serves every checkpoint folder in here by name (serve --models-dir).
MODELS_DIR = _RUN / "models"
MODELS_DIR.mkdir()

REPO = Path(__file__).resolve().parent.parent
# Fixture generators (and OpenAI's sources they run, never committed) are not tests of this project.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    from jukebox_host.engine.loading import resolve

    return Path(resolve("tiny"))


def _endpoint(name: str) -> str:
    return f"ipc://{tempfile.mkdtemp(prefix='jbx-', dir=_RUN)}/{name}.sock"


@pytest.fixture(scope="session")
def host(tiny_dir: Path) -> Iterator[HostProcess]:
    """One host shared by the tests that leave it as they found it."""
    process = HostProcess(_endpoint("shared"), ["tiny"], ["--models-dir", str(MODELS_DIR)])
    yield process
    process.stop()


@pytest.fixture(scope="session")
def ray_pool(tiny_dir: Path) -> Iterator[HostProcess]:
    """A host whose jobs run on a local Ray Serve pool of 2 replicas (serve --backend ray)."""
    # A Ray cluster, Serve and two replicas take 1-2 minutes to start on a 2-core machine that is busy with other
    # work (measured over 120 s with a stress loop beside it), seconds on a quiet one.
    process = HostProcess(_endpoint("pool"), ["tiny"], ["--backend", "ray", "--replicas", "2",
                                                        "--cpus-per-replica", "1"], start_within=600)
    yield process
    code = process.stop(timeout=60)
    assert code == 0, process.output()[-3000:]


@pytest.fixture
def one_thread_host(tiny_dir: Path) -> Iterator[HostProcess]:
    """A host whose jobs use one torch thread, as each replica of ray_pool does."""
    process = HostProcess(_endpoint("one-thread"), ["tiny"], ["--threads", "1"])
    yield process
    process.stop()


@pytest.fixture
def fresh_host(tiny_dir: Path) -> Iterator[HostProcess]:
    """A host of the test's own, for tests that stop or kill it."""
    process = HostProcess(_endpoint("fresh"), ["tiny"])
    yield process
    if process.process.poll() is None:
        process.kill()


@pytest.fixture
def start_host(tiny_dir: Path) -> Iterator[Callable[..., HostProcess]]:
    """start_host(endpoint, extra_serve_args=None): hosts of the test's own (a tcp:// endpoint, CURVE flags ...),
    serving 'tiny'; killed after the test if still running."""
    started: list[HostProcess] = []

    def start(endpoint: str, extra: list[str] | None = None) -> HostProcess:
        started.append(HostProcess(endpoint, ["tiny"], extra))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.kill()


@pytest.fixture
def client(host: HostProcess) -> Iterator[object]:
    from jukebox_host.clients.client import Client

    with Client(host.endpoint, timeout=60.0) as c:
        yield c
