"""The main job from the command line: `render` starts its own host and writes the result file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import soundfile as sf


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jukebox_host", *args], capture_output=True, text=True, timeout=300)


def test_render_the_example_prompt_end_to_end(tmp_path: Path) -> None:
    prompt, output = tmp_path / "prompt.wav", tmp_path / "out.wav"
    assert _cli("example", str(prompt), "--seconds", "1.0").returncode == 0
    done = _cli("render", str(prompt), "-o", str(output), "--length", "2.0", "--seed", "1", "--out-sample-rate",
                "48000", "--quiet")
    assert done.returncode == 0, done.stderr
    data, rate = sf.read(output, always_2d=True)
    assert rate == 48000 and data.shape[1] == 2
    assert abs(len(data) / rate - 2.0) < 0.01


def test_render_with_a_running_host(host: object, tmp_path: Path) -> None:
    prompt, output = tmp_path / "prompt.wav", tmp_path / "out.wav"
    _cli("example", str(prompt), "--seconds", "0.5")
    done = _cli("render", str(prompt), "-o", str(output), "--length", "1.0", "--endpoint",
                host.endpoint, "--quiet")  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stderr
    assert abs(sf.info(str(output)).duration - 1.0) < 0.01


def test_render_reports_a_host_error_and_fails(host: object, tmp_path: Path) -> None:
    prompt = tmp_path / "prompt.wav"
    _cli("example", str(prompt), "--seconds", "0.5")
    done = _cli("render", str(prompt), "-o", str(tmp_path / "x.wav"), "--artist", "Nobody Atall",
                "--endpoint", host.endpoint, "--quiet")  # type: ignore[attr-defined]
    assert done.returncode == 1 and "unknown_artist" in done.stderr
    assert not (tmp_path / "x.wav").exists()


def test_render_without_a_host_at_the_endpoint_says_so(tmp_path: Path) -> None:
    prompt = tmp_path / "prompt.wav"
    _cli("example", str(prompt), "--seconds", "0.5")
    done = _cli("render", str(prompt), "-o", str(tmp_path / "x.wav"), "--endpoint", f"ipc://{tmp_path}/none.sock")
    assert done.returncode != 0 and "no jukebox-host answers" in done.stderr
