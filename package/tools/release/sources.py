"""The dependencies' sources: Debian's source packages, pinned by version (apt checks their checksums against
the signed archive), unpacked with Debian's patches applied, plus ours for cross-compiling."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from run import run, say
from targets import cache_root

PATCHES = Path(__file__).resolve().parent / "patches"


@dataclass(frozen=True)
class Source:
    package: str  # Debian source package
    version: str  # Debian version, pinned
    upstream: str  # folder dpkg-source unpacks into
    patches: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.package}_{self.version}"


LIBZMQ = Source("zeromq3", "4.3.4-6", "zeromq3-4.3.4", ("libzmq-4.3.4-secure-allocator.patch",))
MSGPACK_C = Source("msgpack-c", "4.0.0-3", "msgpack-c-4.0.0")


def unpacked(source: Source) -> Path:
    """The source tree, fetched and unpacked once into the cache."""
    folder = cache_root() / "sources" / source.key
    tree = folder / source.upstream
    if (folder / ".done").is_file():
        return tree
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    say(f"fetching Debian's source package {source.package} {source.version}")
    fetched = subprocess.run(["apt-get", "source", "--download-only", f"{source.package}={source.version}"],
                             cwd=folder, capture_output=True, text=True)
    if fetched.returncode != 0:
        sys.exit(f"release: apt-get source {source.package}={source.version} failed (scripts/setup.sh --release "
                 f"adds the deb-src entry it needs):\n{fetched.stderr.strip()}")
    dsc = folder / f"{source.key}.dsc"
    run(["dpkg-source", "--no-check", "-x", dsc.name, source.upstream], cwd=folder)  # apt checked the files
    for patch in source.patches:
        run(["patch", "-p1", "-i", PATCHES / patch], cwd=tree)
    (folder / ".done").write_text("ok\n")
    return tree
