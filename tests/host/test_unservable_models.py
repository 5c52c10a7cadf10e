"""A host told to serve a model it cannot load says so at once, in one line, and exits 1: it never claims to be
ready while serving nothing. `render` checks its model before it starts a private host."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "jukebox_host", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    return done, time.monotonic() - started


def _one_line_refusal(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "ready on" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    refusals = [line for line in done.stderr.splitlines() if "cannot serve" in line]
    assert len(refusals) == 1 and words in refusals[0], done.stderr


@pytest.mark.parametrize(("model", "words"), [
    ("/no/such/folder", "neither a folder nor a Hugging Face id"),
    ("not-a-model", "neither a folder nor a Hugging Face id"),
])
def test_serve_refuses_a_model_that_is_not_there(model: str, words: str) -> None:
    done, seconds = _run("serve", "--endpoint", "ipc:///tmp/jbx-never-served", "--model", model)
    _one_line_refusal(done, words)
    assert "(unknown_model)" in done.stderr and seconds < 15


def test_serve_refuses_a_hub_id_it_cannot_reach_in_seconds(tmp_path: Path) -> None:
    """Offline (as here, and as HF_HUB_OFFLINE says): one line in seconds, not a minute of retried downloads."""
    done, seconds = _run("serve", "--endpoint", "ipc:///tmp/jbx-never-served", "--model", "openai/jukebox-1b-lyrics",
                         env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")})
    _one_line_refusal(done, "the hub cannot be reached")
    assert "(model_unavailable)" in done.stderr and done.stderr.count("MaxRetryError") == 0
    assert seconds < 15


def test_serve_exits_when_a_checkpoint_does_not_load(tiny_dir: Path, tmp_path: Path) -> None:
    """A folder that looks like a checkpoint (config.json) but whose weights are broken passes the first check;
    the load fails, and the host exits 1 instead of saying 'ready' with nothing to serve."""
    broken = tmp_path / "broken"
    shutil.copytree(tiny_dir, broken)
    for weights in [*broken.glob("*.safetensors"), *broken.glob("*.bin")]:
        weights.write_bytes(b"not weights")
    done, _ = _run("serve", "--endpoint", f"ipc://{tmp_path}/h.sock", "--model", str(broken))
    _one_line_refusal(done, f"{broken}: cannot load model")
    assert "(model_unavailable)" in done.stderr


def test_render_checks_its_model_before_starting_a_host(tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    sf.write(tmp_path / "p.wav", np.zeros((44100, 1), "float32"), 44100)
    done, seconds = _run("render", str(tmp_path / "p.wav"), "-o", str(tmp_path / "o.wav"), "--model", "nosuch")
    assert done.returncode == 1 and "cannot serve nosuch" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert seconds < 15 and not (tmp_path / "o.wav").exists()
