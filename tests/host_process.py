"""A real `jukebox-host serve` subprocess: the one way every test starts a host (the host tests' fixtures in
conftest.py, the Pd tests' in pd/pd_harness.py). $JBX_TEST_HOST_CMD names the host command (ctest sets it to the
configured Python's), else this Python runs the package."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST_CMD = shlex.split(os.environ.get("JBX_TEST_HOST_CMD", "")) or [sys.executable, "-m", "jukebox_host"]
LOG_DIR: Path | None = None  # where hosts' logs go unless told (conftest.py: the run's folder, removed at its end)


class HostProcess:
    def __init__(self, endpoint: str, models: list[str], extra: list[str] | None = None,
                 start_within: float = 120, log: Path | None = None) -> None:
        """Starts the host and waits until it says it is ready (RuntimeError with its log if it does not).
        log: where its output goes (default: a new file in LOG_DIR)."""
        self.endpoint = endpoint
        args = [*HOST_CMD, "serve", "--endpoint", endpoint, "--device", "cpu"]
        for model in models:
            args += ["--model", model]
        if log is None:
            with tempfile.NamedTemporaryFile(prefix="host-log-", suffix=".txt", delete=False, dir=LOG_DIR) as file:
                log = Path(file.name)
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(args + (extra or []), stdout=out, stderr=subprocess.STDOUT,
                                            env=os.environ.copy())
        deadline = time.monotonic() + start_within
        while "ready on" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                self.process.wait()
                raise RuntimeError(f"host did not start:\n{self.output()}")
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM and its exit code; killed when it has not ended within `timeout`."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)
