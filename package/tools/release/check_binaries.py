"""Reads every external of a release as a loader would, and says what is wrong with it: architectures, file type,
the one exported entry point, every library it loads (nothing from a build machine: no libzmq, libstdc++,
libgcc, libc++ or msgpack library), the minimum OS, and on macOS arm64 the signature Apple silicon requires.

    python package/tools/release/check_binaries.py FILE_OR_MXO [...]

Exits 1 and names each problem; prints one line per binary checked otherwise.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import lief
import pefile

ENTRY_POINTS = {"max": "ext_main", "pd": "jukebox_tilde_setup"}
# Windows: the DLLs of Windows itself, and the host program's own.
WINDOWS_SYSTEM = {"kernel32.dll", "msvcrt.dll", "ws2_32.dll", "iphlpapi.dll", "advapi32.dll", "user32.dll"}
WINDOWS_HOST = {"max": {"maxapi.dll", "maxaudio.dll"}, "pd": {"pd.dll"}}
# Linux: glibc's libraries only (libzmq, msgpack-c, libstdc++ and libgcc are linked in).
LINUX_ALLOWED = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "ld-linux-x86-64.so.2"}
# The newest glibc the Linux external may need: Debian 12's, where it is built (README, "Install").
GLIBC_MAX = (2, 36)
MACOS_ALLOWED = {"/usr/lib/libSystem.B.dylib"}
MACOS_MIN = {"arm64": (11, 0), "x86_64": (10, 13)}


@dataclass
class Report:
    path: Path
    kind: str  # max | pd
    problems: list[str]
    summary: str = ""


def kind_of(path: Path) -> str:
    return "max" if path.suffix in (".mxo", ".mxe64", ".mxl_x86_64") or ".mxo" in path.parts else "pd"


def check_pe(path: Path, kind: str) -> Report:
    report = Report(path, kind, [])
    pe = pefile.PE(str(path))
    if pe.FILE_HEADER.Machine != pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"]:
        report.problems.append(f"machine {pe.FILE_HEADER.Machine:#x}, not x64")
    if not pe.FILE_HEADER.Characteristics & pefile.IMAGE_CHARACTERISTICS["IMAGE_FILE_DLL"]:
        report.problems.append("not a DLL")
    exports = sorted(s.name.decode() for s in getattr(pe, "DIRECTORY_ENTRY_EXPORT", None).symbols if s.name) \
        if hasattr(pe, "DIRECTORY_ENTRY_EXPORT") else []
    if exports != [ENTRY_POINTS[kind]]:
        report.problems.append(f"exports {exports}, not [{ENTRY_POINTS[kind]}] alone")
    imports = sorted(entry.dll.decode().lower() for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []))
    foreign = [dll for dll in imports if dll not in WINDOWS_SYSTEM | WINDOWS_HOST[kind]
               and not dll.startswith("api-ms-win-")]
    if foreign:
        report.problems.append(f"loads {foreign}, which a user's Windows does not have")
    if not WINDOWS_HOST[kind] <= set(imports) and kind == "max" and "maxapi.dll" not in imports:
        report.problems.append("does not link Max's MaxAPI.dll")
    report.summary = f"PE x64 DLL, exports {exports}, loads {imports}"
    return report


def check_elf(path: Path, kind: str) -> Report:
    report = Report(path, kind, [])
    binary = lief.ELF.parse(str(path))
    if binary is None:
        return Report(path, kind, ["not an ELF file"])
    if binary.header.machine_type != lief.ELF.ARCH.X86_64:
        report.problems.append(f"machine {binary.header.machine_type}, not x86_64")
    if binary.header.file_type != lief.ELF.Header.FILE_TYPE.DYN:
        report.problems.append("not a shared object")
    exports = sorted(s.name for s in binary.dynamic_symbols
                     if s.shndx != 0 and s.binding in (lief.ELF.Symbol.BINDING.GLOBAL, lief.ELF.Symbol.BINDING.WEAK)
                     and s.visibility == lief.ELF.Symbol.VISIBILITY.DEFAULT and s.name not in ("_init", "_fini"))
    if exports != [ENTRY_POINTS[kind]]:
        report.problems.append(f"exports {exports[:8]}{'...' if len(exports) > 8 else ''} "
                               f"({len(exports)}), not [{ENTRY_POINTS[kind]}] alone")
    needed = sorted(binary.libraries)
    foreign = [lib for lib in needed if lib not in LINUX_ALLOWED]
    if foreign:
        report.problems.append(f"loads {foreign} from the system (should be linked in)")
    versions = [tuple(int(n) for n in aux.name.removeprefix("GLIBC_").split("."))
                for req in binary.symbols_version_requirement for aux in req.get_auxiliary_symbols()
                if aux.name.startswith("GLIBC_")]
    glibc = max(versions, default=(0,))
    if glibc > GLIBC_MAX:
        report.problems.append(f"needs glibc {'.'.join(map(str, glibc))}, newer than the stated "
                               f"{'.'.join(map(str, GLIBC_MAX))}")
    report.summary = (f"ELF x86_64 shared object, exports {exports}, loads {needed}, "
                      f"glibc {'.'.join(map(str, glibc))}+")
    return report


def _min_os(binary: lief.MachO.Binary) -> tuple[int, ...] | None:
    if binary.has_build_version:
        return tuple(binary.build_version.minos[:2])
    if binary.has_version_min:
        return tuple(binary.version_min.version[:2])
    return None


def _slices(data: bytes) -> dict[int, bytes]:
    """The raw bytes of each slice of a (fat or thin) Mach-O file, by CPU type."""
    if data[:4] == b"\xca\xfe\xba\xbe":
        (count,) = struct.unpack_from(">I", data, 4)
        slices = {}
        for i in range(count):
            cpu, _, offset, size, _ = struct.unpack_from(">iiIII", data, 8 + 20 * i)
            slices[cpu] = data[offset:offset + size]
        return slices
    (cpu,) = struct.unpack_from("<i", data, 4)
    return {cpu: data}


def signature_problem(slice_bytes: bytes, binary: lief.MachO.Binary) -> str | None:
    """Checks the ad-hoc signature as the kernel does page by page: every page hash in the CodeDirectory matches
    the slice's bytes (an edit after the link, or a lipo that moved bytes, would break it). None when valid."""
    command = binary.code_signature
    blob = slice_bytes[command.data_offset:command.data_offset + command.data_size]
    magic, _, count = struct.unpack_from(">III", blob, 0)
    if magic != 0xFADE0CC0:
        return "the signature is not a code signature SuperBlob"
    for i in range(count):
        slot, offset = struct.unpack_from(">II", blob, 12 + 8 * i)
        if slot != 0:  # the CodeDirectory
            continue
        (cd_magic, _, _, _, hash_offset, _, _, code_slots, code_limit, hash_size, hash_type, _, page_log2) = \
            struct.unpack_from(">IIIIIIIIIBBBB", blob, offset)
        if cd_magic != 0xFADE0C02 or hash_type != 2:  # SHA-256
            return f"unexpected CodeDirectory (magic {cd_magic:#x}, hash type {hash_type})"
        page = 1 << page_log2
        for n in range(code_slots):
            start = offset + hash_offset + n * hash_size
            expected = blob[start:start + hash_size]
            actual = hashlib.sha256(slice_bytes[n * page:min((n + 1) * page, code_limit)]).digest()
            if expected != actual:
                return f"the signature does not match page {n} (the binary was changed after signing)"
        return None
    return "the signature has no CodeDirectory"


def check_macho(path: Path, kind: str) -> Report:
    report = Report(path, kind, [])
    fat = lief.MachO.parse(str(path))
    if fat is None:
        return Report(path, kind, ["not a Mach-O file"])
    raw = _slices(path.read_bytes())
    slices = {}
    for binary in fat:
        arch = {lief.MachO.Header.CPU_TYPE.ARM64: "arm64", lief.MachO.Header.CPU_TYPE.X86_64: "x86_64"}.get(
            binary.header.cpu_type, str(binary.header.cpu_type))
        slices[arch] = binary
    if sorted(slices) != ["arm64", "x86_64"]:
        report.problems.append(f"architectures {sorted(slices)}, not arm64 + x86_64 (universal)")
    details = []
    for arch, binary in sorted(slices.items()):
        if binary.header.file_type != lief.MachO.Header.FILE_TYPE.BUNDLE:
            report.problems.append(f"{arch}: file type {binary.header.file_type}, not MH_BUNDLE")
        exports = sorted(s.name for s in binary.exported_symbols)
        if exports != ["_" + ENTRY_POINTS[kind]]:
            report.problems.append(f"{arch}: exports {exports[:8]} ({len(exports)}), not [_{ENTRY_POINTS[kind]}]")
        libraries = sorted(lib.name for lib in binary.libraries)
        if set(libraries) - MACOS_ALLOWED:
            report.problems.append(f"{arch}: loads {libraries}: only libSystem may be loaded from the system")
        undefined = [s.name for s in binary.symbols if s.category == lief.MachO.Symbol.CATEGORY.UNDEFINED]
        cxx = sorted(name for name in undefined if name.startswith("__Z"))
        if cxx:
            report.problems.append(f"{arch}: C++ symbols left for the loader ({cxx[:3]}...): libc++ not linked in")
        minimum = _min_os(binary)
        if minimum != MACOS_MIN.get(arch):
            report.problems.append(f"{arch}: minimum macOS {minimum}, expected {MACOS_MIN.get(arch)}")
        if arch == "arm64" and not binary.has_code_signature:
            report.problems.append("arm64: no code signature (Apple silicon refuses unsigned code)")
        elif binary.has_code_signature:
            problem = signature_problem(raw[binary.header.cpu_type.value], binary)
            if problem:
                report.problems.append(f"{arch}: {problem}")
        signed = " ad-hoc signed, pages verified" if binary.has_code_signature else ""
        details.append(f"{arch} (macOS {'.'.join(map(str, minimum or ()))}+{signed})")
    report.summary = f"Mach-O bundle, {', '.join(details)}, exports _{ENTRY_POINTS[kind]}, loads libSystem"
    return report


def check_mxo(path: Path) -> Report:
    """A Max bundle: Info.plist naming the executable and Max's package type, PkgInfo, then the executable."""
    executable = path / "Contents" / "MacOS" / "jukebox~"
    problems = []
    plist = path / "Contents" / "Info.plist"
    text = plist.read_text() if plist.is_file() else ""
    for needed in ("<key>CFBundleExecutable</key>\n\t<string>jukebox~</string>",
                   "<key>CFBundlePackageType</key>\n\t<string>iLaX</string>"):
        if needed not in text:
            problems.append(f"Info.plist lacks {needed.split('<key>')[1].split('</key>')[0]} as Max needs it")
    if not (path / "Contents" / "PkgInfo").is_file():
        problems.append("no Contents/PkgInfo")
    if not executable.is_file():
        return Report(path, "max", [*problems, "no Contents/MacOS/jukebox~"])
    report = check_macho(executable, "max")
    report.path = path
    report.problems = problems + report.problems
    return report


def check(path: Path) -> Report:
    if path.suffix == ".mxo":
        return check_mxo(path)
    magic = path.read_bytes()[:4]
    kind = kind_of(path)
    if magic[:2] == b"MZ":
        return check_pe(path, kind)
    if magic == b"\x7fELF":
        return check_elf(path, kind)
    if magic in (b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe"):
        return check_macho(path, kind)
    return Report(path, kind, [f"unknown file type (magic {magic.hex()})"])


def main(paths: list[str]) -> int:
    lief.logging.disable()
    failed = False
    for name in paths:
        report = check(Path(name))
        if report.problems:
            failed = True
            for problem in report.problems:
                print(f"check_binaries: {report.path.name}: {problem}", file=sys.stderr)
        else:
            print(f"check_binaries: {report.path.name}: {report.summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
