"""The host's package follows its processes and layers (docs/ARCHITECTURE.md): the wire below everything, the
engine beside it, then the gateway process, the host process and the clients, the command line on top. An import
that runs the wrong way is a test failure, not a review comment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "pyhost" / "jukebox_host"
# What each folder may import of jukebox_host, besides itself; the host starts the gateway with its memory ceiling.
ALLOWED = {
    "wire": {"wire"},
    "engine": {"engine", "wire"},
    "gateway": {"gateway", "wire"},
    "host": {"host", "wire", "engine", "gateway.memory_ceiling"},
    "clients": {"clients", "wire"},
    "training": {"training", "engine", "wire", "host.audio"},
}


def _imports(path: Path) -> set[str]:
    """The jukebox_host modules a file imports, without the package's name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jukebox_host"):
            base = node.module.removeprefix("jukebox_host").lstrip(".")
            found |= {f"{base}.{a.name}" if base else a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("jukebox_host.") for a in node.names if a.name.startswith("jukebox_host.")}
    return found


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_no_import_runs_the_wrong_way(folder: str) -> None:
    for path in sorted((PKG / folder).glob("*.py")):
        for module in _imports(path):
            if module == "__version__":  # the package's own, read by everyone
                continue
            assert any(module == ok or module.startswith(f"{ok}.") for ok in ALLOWED[folder]), (
                f"{path.relative_to(PKG)} imports jukebox_host.{module}")


def test_every_module_lives_in_a_layer() -> None:
    top = {p.name for p in PKG.glob("*.py")}
    assert top == {"__init__.py", "__main__.py", "cli.py"}, top
    assert {p.name for p in PKG.iterdir() if p.is_dir() and not p.name.startswith("__")} == set(ALLOWED)
