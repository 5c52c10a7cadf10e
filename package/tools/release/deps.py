"""Static libzmq and msgpack-c for one target, built once into the cache (keyed by the source versions, this
file, the patches and the toolchain) and reused by every later release build."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import sources
from run import run, say
from targets import Target, cache_root
from toolchains import cmake_args, zig_version

LIBZMQ_OPTIONS = [
    "-DBUILD_SHARED=OFF", "-DBUILD_STATIC=ON", "-DBUILD_TESTS=OFF", "-DWITH_PERF_TOOL=OFF", "-DWITH_DOCS=OFF",
    "-DENABLE_DRAFTS=OFF", "-DENABLE_PRECOMPILED=OFF", "-DLIBZMQ_PEDANTIC=OFF",
    # CURVE through libzmq's bundled TweetNaCl: no libsodium to build or ship.
    "-DENABLE_CURVE=ON", "-DWITH_LIBSODIUM=OFF", "-DWITH_LIBBSD=OFF",
    "-DWITH_OPENPGM=OFF", "-DWITH_NORM=OFF", "-DWITH_VMCI=OFF",
]
# mingw: CMake cannot read _WIN32_WINNT off a cross toolchain (Windows 10, as Max 8 and 9 require); the
# condition variables of Windows itself (mingw's win32 threads have no std::condition_variable); no ipc.
# select, not wepoll: wepoll includes <WS2tcpip.h>, which mingw spells ws2tcpip.h (Linux files are case-sensitive);
# a client polls a socket or two, where select costs nothing.
WINDOWS_OPTIONS = ["-DZMQ_WIN32_WINNT=0x0A00", "-DZMQ_CV_IMPL=win32api", "-DZMQ_HAVE_IPC=OFF", "-DPOLLER=select"]
MACOS_OPTIONS = ["-DPOLLER=kqueue", "-DZMQ_CV_IMPL=stl11"]
MSGPACK_OPTIONS = ["-DMSGPACK_BUILD_EXAMPLES=OFF", "-DMSGPACK_BUILD_TESTS=OFF", "-DBUILD_SHARED_LIBS=OFF"]
# Position-independent (linked into modules), hidden (the externals export their entry point alone).
FLAGS = "-O2 -g0 -fPIC -fvisibility=hidden"


def _options(target: Target) -> list[str]:
    extra = WINDOWS_OPTIONS if target.os == "windows" else MACOS_OPTIONS if target.os == "macos" else []
    return LIBZMQ_OPTIONS + extra


def _flags(target: Target) -> str:
    return FLAGS if target.os != "windows" else "-O2 -g0"  # Windows: no -fPIC; only dllexport'ed symbols export


def _key(target: Target) -> str:
    """What the built libraries depend on: the sources, patches, options and (macOS) the Zig version."""
    digest = hashlib.sha256(repr((_options(target), MSGPACK_OPTIONS, _flags(target))).encode())
    for patch in sorted(sources.PATCHES.iterdir()):
        digest.update(patch.read_bytes())
    if target.os == "macos":
        digest.update(zig_version().encode())
    return f"{sources.LIBZMQ.key}+{sources.MSGPACK_C.key}-{digest.hexdigest()[:12]}"


def static_deps(target: Target) -> Path:
    """The prefix (include/, lib/) holding static libzmq and msgpack-c for target."""
    prefix = cache_root() / "deps" / _key(target) / target.name
    if (prefix / ".done").is_file():
        say(f"{target.name}: static libzmq and msgpack-c from the cache ({prefix})")
        return prefix
    shutil.rmtree(prefix, ignore_errors=True)
    work = cache_root() / "work" / target.name
    shutil.rmtree(work, ignore_errors=True)
    log = work / "build.log"
    flags = _flags(target)
    common = ["-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_INSTALL_PREFIX={prefix}",
              "-DCMAKE_POSITION_INDEPENDENT_CODE=ON", f"-DCMAKE_C_FLAGS={flags}", f"-DCMAKE_CXX_FLAGS={flags}",
              *cmake_args(target)]
    for name, source, options in (("libzmq", sources.LIBZMQ, _options(target)),
                                  ("msgpack-c", sources.MSGPACK_C, MSGPACK_OPTIONS)):
        say(f"{target.name}: building static {name} from {source.package} {source.version} (minutes, once)")
        tree = sources.unpacked(source)
        run(["cmake", "-S", tree, "-B", work / name, *common, *options], log=log)
        run(["cmake", "--build", work / name, "-j2"], log=log)
        run(["cmake", "--install", work / name], log=log)
    shutil.rmtree(work, ignore_errors=True)
    (prefix / ".done").write_text("ok\n")
    return prefix
