"""CMake arguments that build for a target, and for macOS the small wrapper programs behind them.

macOS: CMake will not take a compiler command with spaces, so `python -m ziglang cc -target ...` is wrapped in a
script per target. Zig's own linker cannot make an MH_BUNDLE (`-bundle` fails) and exports every default-visible
symbol, so the externals are linked by `ld-bundle`, a wrapper around ld64.lld that takes compiler-driver style
arguments (as CMake passes them) and adds Zig's libc++, libc++abi and compiler_rt for the target.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from run import run
from targets import ROOT, Target, cache_root

LD64 = "ld64.lld-14"
LIPO = "llvm-lipo-14"


def _zig_dir() -> Path:
    import ziglang  # type: ignore[import-not-found]  # pip's ziglang: the zig binary and its lib/ folder

    return Path(ziglang.__file__).parent


def zig_version() -> str:
    return run([sys.executable, "-m", "ziglang", "version"]).strip()


def _write_script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def _zig_archives(target: Target, wrappers: Path) -> list[str]:
    """The static runtime archives Zig links into a C++ shared library for target (it builds them on first use,
    20 s to 2 min, and caches them): found by linking a small one and reading Zig's verbose link line."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "probe.cpp"
        source.write_text('#include <string>\nint probe(const char *s) { return (int)std::string(s).size(); }\n')
        out = run([wrappers / "c++", "-O2", "-g0", "-shared", "-v", "-o", Path(tmp) / "probe.dylib", source,
                   "-Wl,-undefined,dynamic_lookup"])
    link = next((line for line in out.splitlines() if line.startswith("zig ld ")), "")
    archives = [word for word in link.split() if word.endswith(".a") and Path(word).is_file()]
    names = sorted(Path(a).name for a in archives)
    if names != ["libc++.a", "libc++abi.a", "libcompiler_rt.a"]:
        sys.exit(f"release: could not find Zig's runtime archives for {target.name} (found {names})")
    return archives


def _libsystem_stub(target: Target, folder: Path) -> Path:
    """Zig's libSystem.tbd names arm64e (and arm64e.x1) slices, which lld-14 cannot parse, and no plain arm64:
    renamed to arm64 (the same libSystem symbols)."""
    text = (_zig_dir() / "lib" / "libc" / "darwin" / "libSystem.tbd").read_text()
    text = re.sub(r"arm64e(\.x1)?-", "arm64-", text)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "libSystem.tbd").write_text(text)
    return folder


def macos_wrappers(target: Target) -> Path:
    """The folder of cc, c++, ar, ranlib and ld-bundle for target (made once per Zig version)."""
    folder = cache_root() / "toolchains" / f"zig-{zig_version()}" / target.name
    if (folder / "ld-bundle").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    for name, tool in (("cc", "cc"), ("c++", "c++")):
        _write_script(folder / name, f'#!/bin/sh\nexec "{python}" -m ziglang {tool} -target {target.zig} "$@"\n')
    for name in ("ar", "ranlib"):
        _write_script(folder / name, f'#!/bin/sh\nexec "{python}" -m ziglang {name} "$@"\n')
    archives = " ".join(f'"{a}"' for a in _zig_archives(target, folder))
    tbd = _libsystem_stub(target, folder / "sdk")
    _write_script(folder / "ld-bundle", f"""#!/bin/sh
# Links an MH_BUNDLE for {target.name} with ld64.lld, taking the compiler driver's arguments: -Wl,a,b becomes
# a b; -lc++ is Zig's libc++ (added below); -O*, -g*, -arch and -bundle are the driver's, not the linker's.
set -e
args=""
for a in "$@"; do
  case "$a" in
    -Wl,*) args="$args $(printf '%s' "${{a#-Wl,}}" | tr ',' ' ')" ;;
    -lc++|-bundle|-O*|-g*|-fPIC|-fvisibility=*) ;;
    *) args="$args $a" ;;
  esac
done
exec {LD64} -arch {target.arch} -bundle -platform_version macos {target.min_os} {target.min_os} -dead_strip \\
  $args {archives} -L "{tbd}" -lSystem
""")
    return folder


def cmake_args(target: Target) -> list[str]:
    """Arguments that make a CMake build (ours or a dependency's) produce code for target."""
    if target.os == "linux":
        return ["-DCMAKE_C_COMPILER=gcc", "-DCMAKE_CXX_COMPILER=g++"]
    if target.os == "windows":
        return [f"-DCMAKE_TOOLCHAIN_FILE={ROOT / 'cmake' / 'toolchain-mingw-w64.cmake'}"]
    wrappers = macos_wrappers(target)
    return [f"-DCMAKE_TOOLCHAIN_FILE={ROOT / 'cmake' / 'toolchain-zig-macos.cmake'}", f"-DJBX_ZIG_WRAPPERS={wrappers}",
            f"-DJBX_MACOS_ARCH={target.arch}", f"-DJBX_MACOS_MIN={target.min_os}"]


def require_tools(targets: list[Target]) -> None:
    needed = ["cmake", "ninja"]
    if any(t.os == "windows" for t in targets):
        needed += ["x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-g++", "x86_64-w64-mingw32-dlltool"]
    if any(t.os == "macos" for t in targets):
        needed += [LD64, LIPO]
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if missing:
        sys.exit(f"release: missing {', '.join(missing)}: run scripts/setup.sh --release")
