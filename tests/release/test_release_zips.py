"""What scripts/release.sh made, used as a user would and broken on purpose: the self-contained Linux Pd external
from its zip loads in a real Pd; the binary checks catch a system-linked external and a changed signed slice;
a Max package missing an external is never written."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from release_helpers import DIST, REPO, missing

sys.path.insert(0, str(REPO / "package" / "tools" / "release"))
import check_binaries  # noqa: E402

PREFIXES = DIST / "prefixes"


def _zip(pattern: str) -> Path:
    found = sorted(DIST.glob(pattern))
    if not found:
        missing(f"no {pattern} in {DIST}: run bash scripts/release.sh")
    return found[-1]


def test_the_linux_pd_zip_loads_in_pd_with_nothing_but_glibc(tmp_path: Path) -> None:
    if shutil.which("pd") is None:
        pytest.skip("no pd here (scripts/setup.sh installs puredata-core)")
    with zipfile.ZipFile(_zip("jukebox~-pd-linux-*.zip")) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "jukebox~"
    run = subprocess.run(["pd", "-nogui", "-noaudio", "-nomidi", "-stderr", "-path", str(folder), "-open",
                          str(folder / "jukebox~-help.pd"), "-send", "pd quit"], capture_output=True, text=True,
                         timeout=60)
    out = run.stdout + run.stderr
    assert "protocol v1" in out and "couldn't create" not in out, out
    report = check_binaries.check(folder / "jukebox~.pd_linux")
    assert report.problems == [] and "loads ['ld-linux-x86-64.so.2', 'libc.so.6']" in report.summary


def test_an_external_linked_against_the_systems_libzmq_is_refused() -> None:
    """The developer build (build/pd) links Debian's libzmq and msgpack-c: exactly what a release must not."""
    system_linked = REPO / "build" / "pd" / "jukebox~.pd_linux"
    if not system_linked.is_file():
        pytest.skip("no developer build in build/ (scripts/test.sh makes one)")
    problems = " ".join(check_binaries.check(system_linked).problems)
    assert "libzmq.so.5" in problems and "should be linked in" in problems


def test_a_changed_arm64_slice_breaks_its_signature(tmp_path: Path) -> None:
    original = PREFIXES / "macos-universal" / "pd" / "jukebox~" / "jukebox~.pd_darwin"
    if not original.is_file():
        missing(f"{original} not built: run bash scripts/release.sh")
    assert check_binaries.check(original).problems == []
    data = bytearray(original.read_bytes())
    (count,) = struct.unpack_from(">I", data, 4)
    arm64 = [struct.unpack_from(">iiIII", data, 8 + 20 * i) for i in range(count)]
    offset = next(entry[2] for entry in arm64 if entry[0] == 0x0100000C)  # CPU_TYPE_ARM64
    data[offset + 0x8000] ^= 1  # one bit in the code, as a careless post-link edit would
    changed = tmp_path / "jukebox~.pd_darwin"
    changed.write_bytes(bytes(data))
    problems = check_binaries.check(changed).problems
    assert problems and "signature does not match" in problems[0], problems


def test_a_max_package_missing_an_external_is_not_written(tmp_path: Path) -> None:
    windows = PREFIXES / "windows-x64"
    if not (windows / "jukebox~" / "externals" / "jukebox~.mxe64").is_file():
        missing(f"no Windows Max external under {windows}: run bash scripts/release.sh (with max-sdk-base)")
    run = subprocess.run([sys.executable, REPO / "package" / "tools" / "make_release.py", "--out", tmp_path,
                          windows], capture_output=True, text=True)
    assert run.returncode != 0 and "lacks its mxo external" in run.stderr
    assert not list(tmp_path.glob("jukebox~-max-package-*.zip"))
