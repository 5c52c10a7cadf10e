"""Which models clients may ask for: what the host's operator allowed on the serve command line, nothing else.

A client names a model; it never hands the host a path to open or an id to download. Allowed are the names
given to `serve --model` (loaded at start; the first is the default) and `--allow-model` (loaded on first use),
exactly as written there, and the folders directly inside each `--models-dir` that hold a `config.json`, by
their folder name (looked at on every request, so a checkpoint copied there is available at once). Anything
else is `unknown_model`, with the names that are served and without saying what exists on the host's disk.
"""

from __future__ import annotations

from pathlib import Path

from jukebox_host.engine.loading import resolve
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError


def _is_plain_name(name: str) -> bool:
    """One folder name: no separators, nothing hidden, no way up."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".") and "\0" not in name


class ModelCatalog:
    def __init__(self, default: str, allowed: list[str] | None = None, folders: list[str] | None = None) -> None:
        self.default = default
        self.allowed = list(dict.fromkeys([default, *(allowed or [])]))
        self.folders = [Path(folder).expanduser() for folder in folders or []]

    def _in_folders(self, name: str) -> Path | None:
        if not _is_plain_name(name):
            return None
        for folder in self.folders:
            candidate = folder / name
            if (candidate / "config.json").is_file():
                return candidate
        return None

    def check(self, name: str) -> None:
        """HostError(unknown_model) unless a client may ask for `name`."""
        if name not in self.allowed and self._in_folders(name) is None:
            raise HostError(C.ERR_UNKNOWN_MODEL, f"model {name!r} is not served by this host; it serves "
                            f"{', '.join(self.names())} (its operator allows more with serve --model, "
                            "--allow-model or --models-dir)")

    def source(self, name: str) -> str:
        """What from_pretrained gets for an allowed name."""
        self.check(name)
        if name in self.allowed:
            return resolve(name)
        found = self._in_folders(name)
        assert found is not None
        return str(found)

    def names(self) -> list[str]:
        found = sorted({entry.name for folder in self.folders if folder.is_dir() for entry in folder.iterdir()
                        if _is_plain_name(entry.name) and (entry / "config.json").is_file()})
        return [*self.allowed, *[name for name in found if name not in self.allowed]]
