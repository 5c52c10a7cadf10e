"""The platforms a release builds for, and where its builds are cached.

Every target is built on this Linux machine: Linux with the system gcc, Windows with mingw-w64, macOS with Zig's
clang (compiler and libc++) and LLVM's ld64.lld (the linker that makes a true Mach-O bundle).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Target:
    name: str
    os: str  # linux | windows | macos
    arch: str  # as the platform names it: x86_64, arm64
    zig: str = ""  # Zig's target triple, with the minimum OS version (Zig's default minimum is macOS 15.0)
    min_os: str = ""


# Minimum macOS: 11.0 is the first with Apple silicon (and what Max 9 requires); the Intel slice says 10.13,
# the oldest macOS Max 8.5 runs on, so one package serves both Max 8 and 9.
TARGETS = {
    t.name: t
    for t in (
        Target("linux-x86_64", "linux", "x86_64"),
        Target("windows-x64", "windows", "x86_64", min_os="10.0"),
        Target("macos-arm64", "macos", "arm64", zig="aarch64-macos.11.0", min_os="11.0"),
        Target("macos-x86_64", "macos", "x86_64", zig="x86_64-macos.10.13", min_os="10.13"),
    )
}


def cache_root() -> Path:
    """Outside the checkout, so a clean checkout (and CI's) reuses what an earlier run built."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jukebox-tilde"
    root = Path(os.environ.get("JBX_CACHE", default))
    root.mkdir(parents=True, exist_ok=True)
    return root
