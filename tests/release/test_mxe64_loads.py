"""The Windows Max external from the release zip, loaded as Max loads it (LoadLibrary, then ext_main) under wine,
beside stub MaxAPI.dll and MaxAudio.dll generated from its own import table: every function it imports from Max
resolves, its runtime needs nothing else, and ext_main runs to the end and registers the class."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pefile
import release_helpers
from release_helpers import windows_path, windows_program

max_package = release_helpers.max_package  # a fixture of release_helpers
wine = release_helpers.wine  # a fixture of release_helpers

# Functions the stubs give a behaviour; every other import returns 0 (NULL), which ext_main only passes on.
BEHAVIOUR = {
    "class_new": "static char the_class[4096]; snprintf(registered_name, sizeof registered_name, \"%s\", "
                 "(const char *)a); return the_class;",
    "class_register": "class_registered = 1; return 0;",
    "post": "printf(\"post: %s\\n\", (const char *)a); return 0;",
}


def stub_source(dll: str, functions: list[str]) -> str:
    lines = ["#include <stdio.h>", "static char registered_name[256] = \"(none)\";", "static int class_registered;"]
    if dll.lower() == "maxapi.dll":
        lines.append("__declspec(dllexport) const char *stub_registered_class(void) "
                     "{ return class_registered ? registered_name : \"(class_register never called)\"; }")
    for name in functions:
        body = BEHAVIOUR.get(name, "return 0;")
        lines.append(f"__declspec(dllexport) void *{name}(void *a, void *b, void *c, void *d) "
                     f"{{ (void)a; (void)b; (void)c; (void)d; {body} }}")
    return "\n".join(lines) + "\n"


def test_the_mxe64_loads_and_ext_main_registers_the_class(wine: dict[str, str], max_package: Path,
                                                          tmp_path: Path) -> None:
    external = max_package / "externals" / "jukebox~.mxe64"
    loader = windows_program("load_external")
    imports = {entry.dll.decode(): [i.name.decode() for i in entry.imports if i.name]
               for entry in pefile.PE(str(external)).DIRECTORY_ENTRY_IMPORT}
    max_dlls = {dll: names for dll, names in imports.items() if dll.lower() in ("maxapi.dll", "maxaudio.dll")}
    assert "class_new" in max_dlls.get("MaxAPI.dll", []), imports
    for dll, names in max_dlls.items():
        source = tmp_path / f"{dll}.c"
        source.write_text(stub_source(dll, names))
        subprocess.run(["x86_64-w64-mingw32-gcc", "-shared", "-w", "-fno-builtin", "-o", tmp_path / dll, source],
                       check=True)
    shutil.copy(external, tmp_path / external.name)
    run = subprocess.run(["wine", loader, windows_path(tmp_path / external.name)], env=wine, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "class registered: jukebox~" in run.stdout
    assert "post: jukebox~ " in run.stdout  # its greeting, through Max's post
