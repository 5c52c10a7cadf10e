"""The main job from the command line: `render` starts its own host and writes the result file."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers import poll_until
from jukebox_host.clients.client import Client
from jukebox_host.host.gateway_link import remove_stale_folders
from jukebox_host.wire.socket_folders import FOLDER_PREFIX, OWNER_FILE


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


MISTAKES = {
    "missing input": (["render", "{tmp}/missing.wav", "-o", "{tmp}/o.wav"], "no such file"),
    "text file named .wav": (["render", "{tmp}/text.wav", "-o", "{tmp}/o.wav"], "not an audio file"),
    "empty wav": (["render", "{tmp}/empty.wav", "-o", "{tmp}/o.wav"], "holds no audio"),
    "output folder missing": (["render", "{tmp}/p.wav", "-o", "{tmp}/nowhere/o.wav"], "does not exist"),
    "output is a folder": (["render", "{tmp}/p.wav", "-o", "{tmp}"], "is a folder"),
    "endpoint without scheme": (["render", "{tmp}/p.wav", "-o", "{tmp}/o.wav", "--endpoint", "127.0.0.1:5557"],
                                "not a ZeroMQ endpoint"),
    "zero length": (["render", "{tmp}/p.wav", "-o", "{tmp}/o.wav", "--length", "0"], "more than 0"),
    "length shorter than the prompt": (["render", "{tmp}/p.wav", "-o", "{tmp}/o.wav", "--length", "0.5"],
                                       "--length 0.5 s must be longer than the prompt"),
    "prompt longer than the file": (["render", "{tmp}/p.wav", "-o", "{tmp}/o.wav", "--prompt", "9"], "longer than"),
    "song shorter than the result": (["render", "{tmp}/p.wav", "-o", "{tmp}/o.wav", "--song-length", "2"],
                                     "--song-length 2 s must be at least --length"),
    "no input file": (["render", "-o", "{tmp}/o.wav"], "give a prompt audio file"),
}


@pytest.mark.parametrize("case", list(MISTAKES), ids=list(MISTAKES))
def test_a_mistake_is_one_line_before_any_host_starts(tmp_path: Path, case: str) -> None:
    args, words = MISTAKES[case]
    sf.write(tmp_path / "p.wav", np.zeros((44100, 1), "float32"), 44100)
    sf.write(tmp_path / "empty.wav", np.zeros((0, 1), "float32"), 44100)
    (tmp_path / "text.wav").write_text("not audio\n")
    started = time.monotonic()
    done = _cli(*[a.format(tmp=tmp_path) for a in args])
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert time.monotonic() - started < 15, "checked only after starting a host"  # a host start + load is ~5 s more
    assert not (tmp_path / "o.wav").exists()


def test_ctrl_c_cancels_the_job_and_exits_cleanly(host: object, tmp_path: Path) -> None:
    endpoint = host.endpoint  # type: ignore[attr-defined]
    # Ctrl-C as a terminal sends it. A test run from a script in the background (`cmd &`) inherits SIGINT ignored,
    # and Python then installs no KeyboardInterrupt handler in the render it starts: install it, as a terminal's
    # Python has it.
    with_ctrl_c = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                   "runpy.run_module('jukebox_host', run_name='__main__')")
    render = subprocess.Popen([sys.executable, "-c", with_ctrl_c, "render", "--mode", "ancestral", "--length",
                               "120", "-o", str(tmp_path / "o.wav"), "--endpoint", endpoint, "--quiet"],
                              stderr=subprocess.PIPE, text=True)
    with Client(endpoint, timeout=10) as probe:
        try:
            assert poll_until(lambda: probe.status()["running"] is not None, 60), "the job never started"
            render.send_signal(signal.SIGINT)
            _, err = render.communicate(timeout=30)
        finally:
            if render.poll() is None:  # never leave a 120 s job to the next test on the shared host
                render.kill()
                render.wait()
        assert render.returncode == 130 and "cancelled" in err and "Traceback" not in err, err
        assert poll_until(lambda: probe.status()["running"] is None, 10), "the host still runs the job"
    assert not (tmp_path / "o.wav").exists()


def test_a_private_host_ends_with_its_client_even_after_sigkill(tmp_path: Path) -> None:
    render = subprocess.Popen([sys.executable, "-m", "jukebox_host", "render", "--mode", "ancestral", "--length",
                               "120", "-o", str(tmp_path / "o.wav"), "--quiet"], stderr=subprocess.DEVNULL)
    children = Path(f"/proc/{render.pid}/task/{render.pid}/children")
    assert poll_until(lambda: bool(children.read_text().split()), 60), "render started no host"
    host_pid = int(children.read_text().split()[0])
    # Its socket folder names render as its owner, so that a kill leaves it to the next host's sweep.
    owned = [f for f in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*")
             if (f / OWNER_FILE).is_file() and (f / OWNER_FILE).read_text() == str(render.pid)]
    assert len(owned) == 1, owned
    time.sleep(3)  # let the host load and start the job
    render.kill()
    render.wait(10)
    assert poll_until(lambda: not Path(f"/proc/{host_pid}").exists() or
                     Path(f"/proc/{host_pid}/stat").read_text().split()[2] == "Z", 15), "the host outlived its client"
    remove_stale_folders()  # what the next host does at its start (another test's host may have done it already)
    assert not owned[0].exists()


def test_status_ping_and_version(host: object) -> None:
    endpoint = host.endpoint  # type: ignore[attr-defined]
    ping = _cli("ping", "--endpoint", endpoint)
    assert ping.returncode == 0 and ping.stdout.startswith(f"pong from {endpoint} in ")
    status = _cli("status", "--endpoint", endpoint)
    assert status.returncode == 0 and '"name": "tiny"' in status.stdout and '"device": "cpu"' in status.stdout
    version = _cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("jukebox-host ")


def test_ping_without_a_host_says_so(tmp_path: Path) -> None:
    done = _cli("ping", "--endpoint", f"ipc://{tmp_path}/none.sock", "--timeout", "1")
    assert done.returncode == 1 and "no host answers" in done.stderr and "Traceback" not in done.stderr


def test_render_then_continue_extends_the_result_from_its_codes(host: object, tmp_path: Path) -> None:
    import soundfile as sf

    output = tmp_path / "long.wav"
    done = _cli("render", "--mode", "ancestral", "--length", "1.0", "--then-continue", "0.5", "--then-continue",
                "0.5", "--seed", "4", "-o", str(output), "--endpoint", host.endpoint, "--quiet")  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stderr
    top = 128  # samples per top-level code of the tiny model, at 44.1 kHz
    assert sf.info(str(output)).frames == (44100 // top + 2 * (22050 // top)) * top
    refused = _cli("render", "--mode", "ancestral", "--then-continue", "0", "-o", str(tmp_path / "x.wav"))
    assert refused.returncode != 0 and "--then-continue takes seconds" in refused.stderr


def test_render_stream_writes_the_same_piece_chunk_by_chunk(host: object, tmp_path: Path) -> None:
    """--stream writes chunks (and chain links, over their overlap) where they belong: the file is the piece
    the unstreamed render writes, to float rounding."""
    import soundfile as sf

    common = ["render", "--mode", "ancestral", "--length", "2.0", "--levels", "2", "--then-continue", "1.5",
              "--then-continue", "1.0", "--seed", "9", "--endpoint", host.endpoint, "--quiet"]  # type: ignore[attr-defined]
    plain, streamed = tmp_path / "plain.wav", tmp_path / "streamed.wav"
    for output, extra in ((plain, []), (streamed, ["--stream"])):
        done = _cli(*common, *extra, "-o", str(output))
        assert done.returncode == 0, done.stderr
    ours, rate = sf.read(str(streamed), dtype="float32")
    theirs, _ = sf.read(str(plain), dtype="float32")
    assert rate == 44100 and ours.shape == theirs.shape == ((88200 // 128 + 66150 // 128 + 44100 // 128) * 128,)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
