"""The externals of one target: this project configured with the target's toolchain and its static
dependencies, built, and installed into a prefix laid out as the release zips are (jukebox~/ for Max, pd/ for Pd)."""

from __future__ import annotations

import shutil
from pathlib import Path

from run import run, say
from targets import ROOT, Target
from toolchains import LIPO, cmake_args


def build(target: Target, deps: Path, sdk: Path | None, out: Path) -> Path:
    """Returns the install prefix (out/<target>)."""
    build_dir = ROOT / f"build-dist-{target.name}"
    prefix = out / target.name
    shutil.rmtree(prefix, ignore_errors=True)
    max_too = sdk is not None and target.os != "linux"  # Max runs on macOS and Windows only
    args = ["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", *cmake_args(target),
            f"-DJBX_DEPS_PREFIX={deps}", "-DJBX_BUILD_TESTS=OFF", "-DJBX_BUILD_BENCH=OFF", "-DJBX_SANITIZE=OFF",
            "-DJBX_WERROR=ON", f"-DJBX_BUILD_MAX={'ON' if max_too else 'OFF'}", f"-DMAX_SDK_BASE_DIR={sdk or ''}"]
    if target.os != "linux":
        args.append("-DPD_INCLUDE_DIR=/usr/include/pd")  # m_pd.h is one header for every platform
    if target.os == "windows":
        args.append("-DJBX_BUILD_WINE_TESTS=ON")  # the programs tests/release runs under wine (not shipped)
    log = build_dir / "release.log"
    if log.exists():
        log.unlink()
    run(args, log=log)
    run(["cmake", "--build", build_dir, "-j2"], log=log)
    run(["cmake", "--install", build_dir, "--prefix", prefix], log=log)
    say(f"{target.name}: externals built ({'Max and Pd' if max_too else 'Pd'})")
    return prefix


def universal_macos(arm64: Path, x86_64: Path, out: Path) -> Path:
    """One prefix whose Mach-O files hold both slices (llvm-lipo copies each slice as linked: the arm64 slice's
    ad-hoc signature stays valid)."""
    prefix = out / "macos-universal"
    shutil.rmtree(prefix, ignore_errors=True)
    shutil.copytree(arm64, prefix, symlinks=True)
    for path in sorted(p for p in arm64.rglob("*") if p.is_file() and p.read_bytes()[:4] == b"\xcf\xfa\xed\xfe"):
        relative = path.relative_to(arm64)
        run([LIPO, "-create", path, x86_64 / relative, "-output", prefix / relative])
    return prefix
