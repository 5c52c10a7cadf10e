"""bench/soak.py, briefly: every mishap once against the Python clients and the C core, and the soak's own verdict
(exit 0: no request unanswered or answered twice, no job lost but with a killed host or gateway)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOAK_CLIENT = Path(os.environ.get("JBX_BUILD_DIR", REPO / "build")) / "bench" / "jbx_soak_client"


def test_a_short_soak_answers_every_request_once() -> None:
    if not SOAK_CLIENT.exists():
        if os.environ.get("JBX_REQUIRE_RELEASE") == "1":  # the test command built it
            pytest.fail(f"{SOAK_CLIENT} was not built")
        pytest.skip(f"{SOAK_CLIENT} not built (cmake --build build)")
    done = subprocess.run([sys.executable, str(REPO / "bench" / "soak.py"), "--minutes", "0.6", "--chaos-every", "4",
                           "--big-mib", "20", "--c-client", str(SOAK_CLIENT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for mishap in ("hostile frames", "never reads", "killed", "key removed mid-job", "big prompt",
                   "host killed and started again"):
        assert mishap in done.stdout, done.stdout
    assert "unanswered, answered twice, or lost with no kill before: 0" in done.stdout
