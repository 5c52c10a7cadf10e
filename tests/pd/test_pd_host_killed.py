"""kill -9 of the host in the middle of a job: jukebox~ inside real Pd reports it within a few seconds, Pd keeps
running and exits normally; a job after a host restart on the same endpoint succeeds."""

import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from pd_harness import endpoint as pd_endpoint
from pd_harness import jukebox_patch, on_info_later, quit_on_info, run_pd, start_host, stop_host

SR = 44100


def test_pd_reports_a_killed_host_and_works_after_a_restart(pd_external: Path, tmp_path: Path) -> None:
    endpoint = pd_endpoint("kill")
    t = np.arange(SR) / SR
    sf.write(tmp_path / "in.wav", (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), SR, subtype="FLOAT")
    host = start_host(endpoint, tmp_path / "host1.log")
    killed_at: list[float] = []

    def kill_mid_job() -> None:
        time.sleep(4.0)  # Pd starts, sends the job, the host is sampling
        host.kill()
        killed_at.append(time.time())

    killer = threading.Thread(target=kill_mid_job)
    patch = jukebox_patch([f"host {endpoint}", "model tiny", "length 60", "prompt 1", "timeout 3", "bang"],
                          in_wav=tmp_path / "in.wav", quit_after_ms=30000)
    quit_on_info(patch, patch.jb, "error")
    killer.start()
    rc, err = run_pd(patch.write(tmp_path / "killed.pd"))
    finished = time.time()
    killer.join()
    assert rc == 0, err
    assert f"jukebox~: host not responding at {endpoint}" in err, err
    assert "done: bang" not in err, err
    assert finished - killed_at[0] < 10.0, "the failure took too long to be reported"

    # The host comes back on the same endpoint: a new job works.
    host = start_host(endpoint, tmp_path / "host2.log")
    try:
        out = tmp_path / "out.wav"
        patch = jukebox_patch([f"host {endpoint}", "model tiny", "length 2", "prompt 1", "bang"],
                              in_wav=tmp_path / "in.wav", out_wav=out)
        rc, err = run_pd(patch.write(tmp_path / "again.pd"))
        assert rc == 0, err
        assert "done: bang" in err, err
        assert abs(sf.info(str(out)).duration - 2.0) < 0.1
    finally:
        stop_host(host)


def test_the_same_object_heals_after_the_host_is_killed_and_restarted(pd_external: Path, tmp_path: Path) -> None:
    """One [jukebox~] through a kill -9 and, once it has timed out, a restart on the same endpoint: one "host
    lost", then its next bang renders, with one "host back"; nobody recreates the object. (A host back within the
    timeout is another path: libzmq reconnects by itself and the job is reported lost.)"""
    endpoint = pd_endpoint("heal")
    t = np.arange(SR) / SR
    sf.write(tmp_path / "in.wav", (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), SR, subtype="FLOAT")
    hosts = [start_host(endpoint, tmp_path / "host1.log")]

    def kill_and_restart() -> None:
        time.sleep(4.0)  # Pd starts, sends the job, the host is sampling
        hosts[0].kill()
        time.sleep(5.0)  # past the object's timeout (3 s): it gives the host up and dials again
        hosts.append(start_host(endpoint, tmp_path / "host2.log"))

    out = tmp_path / "out.wav"
    patch = jukebox_patch([f"host {endpoint}", "model tiny", "length 60", "prompt 1", "timeout 3", "bang"],
                          in_wav=tmp_path / "in.wav", out_wav=out, quit_after_ms=60000)
    # on "host lost": wait for the new host, then bang again (a short job) on the same object
    on_info_later(patch, "route host lost", 8000, "length 2, bang")
    restarter = threading.Thread(target=kill_and_restart)
    restarter.start()
    try:
        rc, err = run_pd(patch.write(tmp_path / "heal.pd"), timeout=120)
    finally:
        restarter.join()
        for host in hosts:
            stop_host(host)
    assert rc == 0, err
    assert err.count("info: host lost") == 1 and err.count("info: host back") == 1, err
    assert err.index("info: host lost") < err.index("info: host back") < err.index("done: bang"), err
    assert err.count("done: bang") == 1, err
    assert abs(sf.info(str(out)).duration - 2.0) < 0.1
