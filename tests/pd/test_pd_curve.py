"""jukebox~ in headless Pd against a CURVE host on tcp://127.0.0.1:<free port>:
server_key/client_key messages (relative to the patch's folder), their errors,
a host that ignores clients without the right keys, and an object served once
its key is allowed."""

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pd_harness import HOST_CMD, jukebox_patch, on_info_later, quit_on_info, run_pd, start_host, stop_host


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))  # loopback only
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def curve_host(tmp_path_factory: pytest.TempPathFactory, pd_external: Path) -> Iterator[tuple[str, Path]]:
    """(endpoint, keys folder) of a CURVE host that allows keys/client only."""
    root = tmp_path_factory.mktemp("curve")
    keys, allow = root / "keys", root / "allow"
    for name in ("server", "client"):
        subprocess.run(HOST_CMD + ["keygen", str(keys), name], check=True, capture_output=True)
    allow.mkdir()
    shutil.copy(keys / "client.key", allow / "client.key")
    ep = f"tcp://127.0.0.1:{free_port()}"
    curve = ["--curve-secret", str(keys / "server.key_secret"), "--curve-allow", str(allow)]
    proc = start_host(ep, root / "host.log", curve)
    yield ep, root
    stop_host(proc)


@pytest.mark.parametrize("variant", ["plain", "asan"])
def test_pd_curve_keys(curve_host: tuple[str, Path], variant: str) -> None:
    ep, root = curve_host
    patch = jukebox_patch(
        [
            "server_key keys/missing.key",
            "client_key keys/client.key_secret",  # both set: the missing file is reported
            "server_key keys/server.key",
            "client_key keys/client.key",  # a public key where the secret one belongs
            "client_key keys/client.key_secret",  # CURVE on
            f"host {ep}",  # a new socket keeps the keys
            "timeout 3",
            "ping",
        ],
        quit_after_ms=10000,
    )
    quit_on_info(patch, patch.jb, "pong")
    rc, err = run_pd(patch.write(root / f"keys-{variant}.pd"), variant=variant)
    assert rc == 0, err
    assert "cannot read key file" in err and "missing.key" in err, err
    assert "holds no secret-key" in err, err
    assert "jukebox~: CURVE authentication on" in err, err
    assert "info: pong" in err, err
    # The two refused key files, on the info outlet as in Max (and nothing else went wrong).
    assert err.count("info: error") == err.count("info: error bad_setting") == 2, err


def test_pd_curve_refused_without_keys(curve_host: tuple[str, Path]) -> None:
    """No keys against a CURVE host: the refused handshake is reported at once (a 30 s timeout would not come
    before Pd quits), naming the cause."""
    ep, root = curve_host
    patch = jukebox_patch([f"host {ep}", "timeout 30", "ping"], quit_after_ms=10000)
    quit_on_info(patch, patch.jb, "error")
    rc, err = run_pd(patch.write(root / "nokeys.pd"))
    assert rc == 0, err
    assert "info: pong" not in err, err
    assert f"jukebox~: the handshake with {ep} failed: CURVE keys set on one side only" in err, err
    assert "info: error refused" in err, err


def test_pd_refused_object_is_served_once_its_key_is_allowed(curve_host: tuple[str, Path]) -> None:
    """A key the host does not know yet: the refusal is reported at once, naming the key (libzmq would leave that
    socket swallowing messages); once the key is in the allow list, the same object's next ping is answered: it
    dialled again by itself (issue 28)."""
    ep, root = curve_host
    subprocess.run(HOST_CMD + ["keygen", str(root / "keys"), "late"], check=True, capture_output=True)
    patch = jukebox_patch(
        [f"host {ep}", "server_key keys/server.key", "client_key keys/late.key_secret", "timeout 30", "ping"],
        quit_after_ms=30000,
    )
    # on the refusal the test allows the key (below); 3 s later the same object pings again
    on_info_later(patch, "route error", 3000, "ping")
    quit_on_info(patch, patch.jb, "pong")

    def allow_on_refusal(line: str) -> None:
        if "info: error refused" in line and not (root / "allow" / "late.key").exists():
            shutil.copy(root / "keys" / "late.key", root / "allow" / "late.key")

    rc, err = run_pd(patch.write(root / "late.pd"), on_line=allow_on_refusal)
    assert rc == 0, err
    assert err.count("info: error refused") == 1 and "info: pong" in err, err
    assert "refused this client's key" in err and "info: error timeout" not in err, err
    assert err.index("info: error refused") < err.index("info: pong"), err
