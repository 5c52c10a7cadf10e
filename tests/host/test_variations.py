"""n_samples > 1: every variation of the batch comes back, each as asked (issue 15, item 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jukebox_host.clients.client import Client, RemoteError
from jukebox_host.wire import constants as C


def test_every_variation_arrives_with_the_asked_length_rate_and_channels(host: object) -> None:
    with Client(host.endpoint, timeout=60) as c:  # type: ignore[attr-defined]
        variations, rate = c.generate_variations(None, None, model="tiny", mode=C.MODE_ANCESTRAL, length=1.0,
                                                 levels=1, n_samples=3, seed=3, out_sample_rate=48000,
                                                 out_channels=2)
    assert rate == 48000 and len(variations) == 3
    for v in variations:
        assert v.shape == variations[0].shape and v.shape[0] == 2
        assert abs(v.shape[1] - 48000) < 48000 * 0.01
    for a in range(3):
        for b in range(a + 1, 3):
            assert not np.allclose(variations[a], variations[b]), (a, b)


def test_variations_that_could_not_fit_one_message_are_refused(host: object) -> None:
    with Client(host.endpoint, timeout=60) as c, pytest.raises(RemoteError) as refused:  # type: ignore[attr-defined]
        c.generate(None, None, model="tiny", mode=C.MODE_ANCESTRAL, length=200.0, n_samples=16,
                   out_sample_rate=96000, out_channels=2)
    assert refused.value.code == C.ERR_TOO_LARGE and "16 variation(s)" in refused.value.message


def test_render_writes_one_file_per_variation(host: object, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "jukebox_host", "render", "--mode", "ancestral", "--length", "0.5",
                           "--n-samples", "2", "--seed", "5", "-o", str(tmp_path / "out.wav"), "--endpoint",
                           host.endpoint, "--quiet"], capture_output=True, text=True, timeout=300)  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stderr
    first, second = (sf.read(tmp_path / f"out-{k}.wav", dtype="float32")[0] for k in (1, 2))
    assert first.shape == second.shape and not np.allclose(first, second)
    assert not (tmp_path / "out.wav").exists()
