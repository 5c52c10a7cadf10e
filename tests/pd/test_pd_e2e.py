"""jukebox~ inside real headless Pd, talking to the real host (tiny model)."""

import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pd_harness import count_bangs, external_dir, jukebox_patch, quit_on_info, run_pd, save_array

SR = 44100
TINY = ["model tiny", "length 2", "prompt 1", "levels 1", "seed 1"]


def settings(ep: str, *extra: str) -> list[str]:
    return [f"host {ep}", *TINY, *extra]


@pytest.mark.parametrize("variant", ["plain", "asan"])
def test_pd_roundtrip(host: str, tmp_path: Path, variant: str) -> None:
    if variant == "asan" and not (external_dir("asan") / "jukebox~.pd_linux").exists():
        pytest.skip("sanitizer build absent (configure with -DJBX_SANITIZE=ON)")
    t = np.arange(int(1.5 * SR)) / SR
    x = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    sf.write(tmp_path / "in.wav", x, SR, subtype="FLOAT")
    out = tmp_path / "out.wav"
    patch = jukebox_patch(settings(host, "bang"), in_wav=tmp_path / "in.wav", out_wav=out)
    rc, err = run_pd(patch.write(tmp_path / "roundtrip.pd"), variant)
    assert rc == 0, err
    assert "info: state done" in err, err
    assert "done: bang" in err, err
    y, sr = sf.read(out, dtype="float32")
    assert sr == SR
    assert y.ndim == 1
    assert abs(len(y) - 2 * SR) <= 0.05 * SR, len(y)
    assert np.all(np.isfinite(y))
    assert not np.array_equal(y[: len(x)], x)
    assert "runtime error" not in err and "AddressSanitizer" not in err, err


def test_pd_missing_array(host: str, tmp_path: Path) -> None:
    patch = jukebox_patch(settings(host, "bang"), src="nosuch", quit_after_ms=2000)
    rc, err = run_pd(patch.write(tmp_path / "missing.pd"))
    assert rc == 0, err
    assert "jukebox~: array 'nosuch' not found" in err, err
    assert "info: error no_buffer" in err, err


def test_pd_refused_setting_is_an_error_on_the_info_outlet_and_changes_nothing(host: str, tmp_path: Path) -> None:
    """The same 'error bad_setting <message>' as the Max external; the setting keeps its value (levels 1 here:
    the job still runs and bangs)."""
    patch = jukebox_patch(settings(host, "levels 9", "mode sideways", "mode ancestral", "bang"), src="nosuch",
                          quit_after_ms=60000)
    count_bangs(patch, {1: patch.msg("; pd quit")})
    rc, err = run_pd(patch.write(tmp_path / "bad_setting.pd"), timeout=90)
    assert rc == 0, err
    assert err.count("info: error bad_setting") == 2, err  # the info outlet, as in Max; the console says what
    assert "jukebox~: levels must be a whole number from 1 to 3" in err, err
    assert "jukebox~: mode must be one of: primed ancestral upsample continue (not 'sideways')" in err, err
    assert "done: bang" in err, err


def test_pd_empty_array(host: str, tmp_path: Path) -> None:
    """Pd arrays never have 0 points; an empty wav read with -resize gives the
    smallest array Pd allows, which the host refuses as too short, or the
    external refuses as empty. Either way: a clear error, no crash."""
    sf.write(tmp_path / "empty.wav", np.zeros(0, np.float32), SR, subtype="FLOAT")
    patch = jukebox_patch(
        settings(host, "timeout 3", "bang"),
        in_wav=tmp_path / "empty.wav",
        quit_after_ms=8000,
    )
    quit_on_info(patch, patch.jb, "error")
    rc, err = run_pd(patch.write(tmp_path / "empty.pd"))
    assert rc == 0, err
    assert "info: error" in err, err
    assert (
        ("jukebox~: array 'src' is empty" in err)
        or ("info: error bad_audio" in err)
        or ("info: error" in err and "jukebox~:" in err)
    ), err


def test_pd_host_not_running(pd_external: Path, tmp_path: Path) -> None:
    ep = f"ipc://{tmp_path}/nobody"
    patch = jukebox_patch([f"host {ep}", "timeout 2", *TINY, "bang"], in_wav=None, quit_after_ms=10000)
    # src table has 100 zeros by default: enough to send
    quit_on_info(patch, patch.jb, "error")
    rc, err = run_pd(patch.write(tmp_path / "nohost.pd"))
    assert rc == 0, err
    assert f"jukebox~: host not responding at {ep}" in err, err
    assert "info: state idle" in err, err


def test_pd_cancel(host: str, tmp_path: Path) -> None:
    t = np.arange(SR) / SR
    sf.write(
        tmp_path / "in.wav",
        (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32),
        SR,
        subtype="FLOAT",
    )
    patch = jukebox_patch(
        settings(host, "length 60", "bang"),
        in_wav=tmp_path / "in.wav",
        after_start=(1500, "cancel"),
        quit_after_ms=30000,
    )
    quit_on_info(patch, patch.jb, "error")
    rc, err = run_pd(patch.write(tmp_path / "cancel.pd"))
    assert rc == 0, err
    assert "jukebox~: job cancelled" in err, err
    assert "info: error cancelled" in err, err
    assert "done: bang" not in err, err


def test_pd_ping_status(host: str, tmp_path: Path) -> None:
    patch = jukebox_patch([f"host {host}", "ping"], after_start=(1000, "status"), quit_after_ms=4000)
    rc, err = run_pd(patch.write(tmp_path / "ping.pd"))
    assert rc == 0, err
    assert "info: pong" in err, err
    assert "info: status device" in err, err


def test_pd_preview_ancestral(host: str, tmp_path: Path) -> None:
    """levels 3: the top-level preview lands in dst first (info: preview).
    Ancestral mode: no input array needed. Pd quits at the preview (the
    lower levels of even the tiny model take long on a CPU)."""
    patch = jukebox_patch(
        [f"host {host}", "model tiny", "mode ancestral", "length 2", "levels 3", "seed 3", "bang"],
        src="nosuch",
        quit_after_ms=60000,
    )
    quit_on_info(patch, patch.jb, "preview")
    rc, err = run_pd(patch.write(tmp_path / "preview.pd"))
    assert rc == 0, err
    assert "info: preview" in err, err
    assert "not found" not in err, err


def _stop_hosts_on(ep: str) -> int:
    """SIGTERM the processes whose argv holds `--endpoint ep` (autostarted hosts
    are not our children); returns how many."""
    n = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--endpoint" in argv and ep.encode() in argv:
            os.kill(int(proc.name), signal.SIGTERM)
            n += 1
    return n


@pytest.mark.skipif(shutil.which("jukebox-host") is None, reason="jukebox-host not on PATH")
def test_pd_autostart(pd_external: Path, tmp_path: Path) -> None:
    """autostart 1: no host answers, so jukebox~ starts `jukebox-host serve`
    on its endpoint and the job then completes."""
    ep = f"ipc://{tmp_path}/autostart"
    out = tmp_path / "out.wav"
    patch = jukebox_patch(
        [f"host {ep}", "autostart 1", *TINY, "mode ancestral", "bang"],
        src="nosuch",
        out_wav=out,
        quit_after_ms=80000,
    )
    try:
        rc, err = run_pd(patch.write(tmp_path / "autostart.pd"), timeout=100)
    finally:
        stopped = _stop_hosts_on(ep)
    assert rc == 0, err
    assert stopped >= 1, err
    assert "done: bang" in err, err
    y, sr = sf.read(out, dtype="float32")
    assert sr == SR and abs(len(y) - 2 * SR) <= 0.05 * SR


def test_pd_continue_extends_the_last_result(host: str, tmp_path: Path) -> None:
    """mode continue: the first result (ancestral, 2 s) is saved, then extended by 1 s from the codes the host
    kept; dst ends up holding the whole, and starts as the first result did."""
    first, whole = tmp_path / "first.wav", tmp_path / "whole.wav"
    patch = jukebox_patch(settings(host, "mode ancestral", "bang"), src="nosuch", quit_after_ms=80000)
    then, ask_more = patch.obj("t b b"), patch.msg("mode continue, length 1, seed 2, bang")
    patch.connect(then, 1, save_array(patch, first))  # right to left: save the first result, then ask for more
    patch.connect(then, 0, ask_more)
    patch.connect(ask_more, 0, patch.jb)
    count_bangs(patch, {0: then, 1: save_array(patch, whole, then=patch.msg("; pd quit"))})
    rc, err = run_pd(patch.write(tmp_path / "continue.pd"), timeout=100)
    assert rc == 0, err
    assert err.count("done: bang") == 2, err
    a, _ = sf.read(first, dtype="float32")
    b, sr = sf.read(whole, dtype="float32")
    assert sr == SR and len(a) == 689 * 128 and len(b) == (689 + 344) * 128, (len(a), len(b))
    assert np.allclose(b[: len(a) // 2], a[: len(a) // 2], atol=1e-5)


def test_pd_variations_land_in_the_arrays_named_for_them(host: str, tmp_path: Path) -> None:
    """n_samples 3 with 'variations dst2': variation 1 in dst, 2 in dst2, the third has no array (said once);
    one bang for the whole result."""
    first, second = tmp_path / "v1.wav", tmp_path / "v2.wav"
    patch = jukebox_patch(settings(host, "mode ancestral", "n_samples 3", "variations dst2", "bang"), src="nosuch",
                          quit_after_ms=80000)
    patch.obj("table dst2")
    then = patch.obj("t b b")
    patch.connect(patch.jb, 0, then)
    patch.connect(then, 1, save_array(patch, second, "dst2"))
    patch.connect(then, 0, save_array(patch, first, then=patch.msg("; pd quit")))
    rc, err = run_pd(patch.write(tmp_path / "variations.pd"), timeout=100)
    assert rc == 0, err
    assert err.count("done: bang") == 1, err
    assert "variations 3 to 3 have no array" in err, err
    a, _ = sf.read(first, dtype="float32")
    b, _ = sf.read(second, dtype="float32")
    assert len(a) == len(b) == 689 * 128 and not np.allclose(a, b)


def test_pd_stream_writes_chunks_into_dst_before_the_result(host: str, tmp_path: Path) -> None:
    """stream 1: 'chunk <start> <frames>' on the info outlet as each stretch lands in dst, in order and without
    gaps, each followed by 'final <seconds> <rate>' (the final audio so far, and its pace); then one bang, and dst
    holds the whole result."""
    out = tmp_path / "out.wav"
    patch = jukebox_patch(settings(host, "mode ancestral", "hop_fraction 0.125", "stream 1", "bang"), src="nosuch",
                          out_wav=out, quit_after_ms=80000)
    rc, err = run_pd(patch.write(tmp_path / "stream.pd"), timeout=100)
    assert rc == 0, err
    chunks = [line.split()[2:4] for line in err.splitlines() if line.startswith("info: chunk ")]
    assert len(chunks) >= 2, err
    position = 0
    finals = [line.split()[2:4] for line in err.splitlines() if line.startswith("info: final ")]
    assert len(finals) == len(chunks), err
    for (start, frames), (seconds, rate) in zip(chunks, finals, strict=True):
        assert int(start) == position, chunks
        position += int(frames)
        assert float(seconds) == pytest.approx(position / SR, abs=1e-3) and float(rate) > 0, finals
    assert err.count("done: bang") == 1 and err.index("info: chunk") < err.index("done: bang")
    y, sr = sf.read(out, dtype="float32")
    assert sr == SR and len(y) == position == 689 * 128


def _piece_continued_whole(host: str, links: int) -> np.ndarray:
    """The tiny model's 1 s ancestral result (seed 1) continued `links` times by 1 s, each as a whole continue
    with the same seed: what a chain must leave in dst."""
    from jukebox_host.clients.client import Client

    with Client(host, timeout=60) as c:
        piece, _ = c.generate(None, None, model="tiny", mode="ancestral", length=1.0, levels=1, seed=1)
        for _ in range(links):
            piece, _ = c.generate(None, None, model="tiny", mode="continue", length=1.0, levels=1, seed=1)
    return piece[0]


@pytest.mark.parametrize("stream", [0, 1])
def test_pd_chain_continues_each_result_and_cancel_stops_it(host: str, tmp_path: Path, stream: int) -> None:
    """chain 3: the first result, then three continue links on their own, each adding 'length' (only that comes
    back, after an overlap that re-makes dst's end); dst is the piece a whole continue makes, streamed or not."""
    whole = tmp_path / "whole.wav"
    patch = jukebox_patch([f"host {host}", "model tiny", "mode ancestral", "length 1", "levels 1", "seed 1",
                           f"stream {stream}", "chain 3", "bang"], src="nosuch", quit_after_ms=80000)
    count_bangs(patch, {3: save_array(patch, whole, then=patch.msg("; pd quit"))})
    rc, err = run_pd(patch.write(tmp_path / "chain.pd"), timeout=100)
    assert rc == 0, err
    assert err.count("done: bang") == 4, err
    ours = sf.read(whole, dtype="float32")[0]
    assert len(ours) == 4 * 344 * 128
    np.testing.assert_allclose(ours, _piece_continued_whole(host, 3), atol=1e-5)
    if stream:
        return  # the cancel below needs no second run

    patch = jukebox_patch([f"host {host}", "model tiny", "mode ancestral", "length 1", "levels 1", "seed 1",
                           "chain 100", "bang"], src="nosuch", quit_after_ms=80000)
    then, stop, later = patch.obj("t b b"), patch.msg("cancel"), patch.obj("delay 5000")
    patch.connect(then, 1, later)  # quit 5 s after the cancel: time enough for a link that should not come
    patch.connect(then, 0, stop)
    patch.connect(stop, 0, patch.jb)
    patch.connect(later, 0, patch.msg("; pd quit"))
    count_bangs(patch, {1: then})
    rc, err = run_pd(patch.write(tmp_path / "chain_cancel.pd"), timeout=100)
    assert rc == 0, err
    assert err.count("done: bang") == 2, err
