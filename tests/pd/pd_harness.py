"""Helpers for the Pd end-to-end tests: paths of the build, generated patches,
real-time headless Pd runs. Fixtures are in conftest.py."""

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from host_process import HOST_CMD, HostProcess

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("JBX_BUILD_DIR", REPO / "build"))
PD = shutil.which("pd")
# This session's ipc socket files, in a folder of its own: a short path (ipc paths are limited to ~100 bytes), and
# another test session running at the same time never sees, or sweeps, them (conftest.py).
SOCKETS = Path(tempfile.mkdtemp(prefix="jukebox-pd-", dir="/tmp"))


def endpoint(name: str) -> str:
    """A fresh ipc endpoint in this session's socket folder."""
    return f"ipc://{SOCKETS}/{name}-{uuid.uuid4().hex[:8]}"


def external_dir(variant: str) -> Path:
    return BUILD / ("pd-asan" if variant == "asan" else "pd")


class Patch:
    """A Pd patch written object by object; ids are Pd's object indices."""

    def __init__(self) -> None:
        self.lines = ["#N canvas 0 0 800 600 12;"]
        self.count = 0

    def _add(self, kind: str, text: str) -> int:
        self.lines.append(f"#X {kind} 10 {10 + 25 * self.count} {text};")
        self.count += 1
        return self.count - 1

    def obj(self, text: str) -> int:
        return self._add("obj", text)

    def msg(self, text: str) -> int:
        # commas and semicolons inside a message box are escaped in .pd files
        return self._add("msg", text.replace(",", " \\,").replace(";", " \\;"))

    def connect(self, a: int, outlet: int, b: int, inlet: int = 0) -> None:
        self.lines.append(f"#X connect {a} {outlet} {b} {inlet};")

    def write(self, path: Path) -> Path:
        path.write_text("\n".join(self.lines) + "\n")
        return path


def jukebox_patch(
    settings: list[str],
    src: str = "src",
    dst: str = "dst",
    in_wav: Path | None = None,
    out_wav: Path | None = None,
    after_start: tuple[int, str] | None = None,
    quit_after_ms: int = 45000,
) -> Patch:
    """loadbang -> (read in_wav into src) -> settings to [jukebox~ src dst];
    result bang -> (write dst to out_wav) -> quit; every outlet printed;
    after_start = (delay_ms, message) sends a second message later; a [delay]
    quits Pd whatever happens."""
    p = Patch()
    p.obj("table src")
    p.obj("table dst")
    lb = p.obj("loadbang")
    jb = p.jb = p.obj(f"jukebox~ {src} {dst}")
    start = p.msg(", ".join(settings))
    quit_msg = p.msg("; pd quit")
    if in_wav:
        read = p.msg(f"read -resize {in_wav} src")
        sf = p.obj("soundfiler")
        p.connect(lb, 0, read)
        p.connect(read, 0, sf)
        p.connect(sf, 0, start)  # frames read -> settings and bang
    else:
        p.connect(lb, 0, start)
    p.connect(start, 0, jb)
    done = p.obj("print done")
    p.connect(jb, 0, done)
    prog = p.obj("print progress")
    p.connect(jb, 1, prog)
    info = p.obj("print info")
    p.connect(jb, 2, info)
    if out_wav:
        p.connect(jb, 0, save_array(p, out_wav, then=quit_msg))
    if after_start:
        ms, text = after_start
        d = p.obj(f"delay {ms}")
        m = p.msg(text)
        p.connect(lb, 0, d)
        p.connect(d, 0, m)
        p.connect(m, 0, jb)
    fallback = p.obj(f"delay {quit_after_ms}")
    p.connect(lb, 0, fallback)
    p.connect(fallback, 0, quit_msg)
    return p


def save_array(p: Patch, wav: Path, array: str = "dst", then: int | None = None) -> int:
    """A message box that writes `array` into `wav` (32-bit float) when banged, then bangs object `then`."""
    write = p.msg(f"write -wave -bytes 4 {wav} {array}")
    writer = p.obj("soundfiler")
    p.connect(write, 0, writer)
    if then is not None:
        p.connect(writer, 0, then)
    return write


def count_bangs(p: Patch, on: dict[int, int]) -> None:
    """Counts the left outlet's bangs (0, 1, …) and sends bang number n to object on[n]."""
    count, add = p.obj("f"), p.obj("+ 1")
    p.connect(count, 0, add)
    p.connect(add, 0, count, 1)
    p.connect(p.jb, 0, count)
    which = p.obj("sel " + " ".join(str(n) for n in on))
    p.connect(count, 0, which)
    for outlet, target in enumerate(on.values()):
        p.connect(which, outlet, target)


def on_info_later(p: Patch, route: str, delay_ms: int, message: str) -> None:
    """When the info outlet says what `route` (e.g. "route host lost") lets through, send `message` to the
    object `delay_ms` later."""
    routes = [p.obj(f"route {word}") for word in route.split()[1:]]
    p.connect(p.jb, 2, routes[0])
    for earlier, later in zip(routes, routes[1:]):
        p.connect(earlier, 0, later)
    to_bang, wait, send = p.obj("t b"), p.obj(f"delay {delay_ms}"), p.msg(message)
    p.connect(routes[-1], 0, to_bang)
    p.connect(to_bang, 0, wait)
    p.connect(wait, 0, send)
    p.connect(send, 0, p.jb)


def quit_on_info(p: Patch, jb_index: int, selector: str) -> None:
    """Quit Pd as soon as the info outlet says `selector ...`."""
    route = p.obj(f"route {selector}")
    quit_msg = p.msg("; pd quit")
    p.connect(jb_index, 2, route)
    p.connect(route, 0, quit_msg)


def run_pd(patch_path: Path, variant: str = "plain", timeout: int = 90,
           on_line: Callable[[str], None] | None = None) -> tuple[int, str]:
    """Runs Pd headless in real time (never -batch: it would not poll the
    socket) and returns (returncode, stderr text). on_line: called with each
    line Pd prints, as it prints it (a test acting on what the patch says)."""
    env = dict(os.environ)
    if variant == "asan":
        libs = []
        for name in ("libasan.so", "libubsan.so"):
            lib = subprocess.run(
                ["gcc", f"-print-file-name={name}"],
                check=False,
                capture_output=True,
                text=True,
            ).stdout.strip()
            if not os.path.isabs(lib):
                pytest.skip(f"{name} not found for the sanitizer build")
            libs.append(lib)
        env["LD_PRELOAD"] = " ".join(libs)
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    cmd = [
        "timeout",
        str(timeout),
        PD,
        "-nogui",
        "-noaudio",
        "-nomidi",
        "-stderr",
        "-path",
        str(external_dir(variant)),
        "-open",
        str(patch_path),
    ]
    if on_line is None:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, timeout=timeout + 30)
        return proc.returncode, proc.stderr
    lines = []
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env) as running:
        assert running.stderr is not None
        for line in running.stderr:  # ends when Pd does (timeout bounds it)
            lines.append(line)
            on_line(line)
    return running.returncode, "".join(lines)


def start_host(endpoint: str, log: Path, extra: list[str] | None = None) -> HostProcess:
    """A real `jukebox-host serve` with the tiny model (tests/host_process.py); fails the test if it does not
    start, skips it when the host command cannot run here."""
    probe = subprocess.run(HOST_CMD + ["--help"], check=False, capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"host cannot run: {' '.join(HOST_CMD)} --help failed")
    try:
        return HostProcess(endpoint, ["tiny"], extra, log=log)
    except RuntimeError as exc:
        pytest.fail(str(exc))


def stop_host(host: HostProcess) -> None:
    try:
        host.stop(timeout=10)
    except subprocess.TimeoutExpired:
        pass  # killed by stop
