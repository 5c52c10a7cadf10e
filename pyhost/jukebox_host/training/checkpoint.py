"""A run's training state in one file, and its small files, written so that a kill at any moment leaves the previous
one whole: written beside it, flushed to disk, then renamed over it (a rename is atomic on one file system)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch

CHECKPOINT = "checkpoint.pt"


class SaveError(Exception):
    """A file of the run could not be written (a full disk, a folder gone); what was there before is whole."""


def save(run: Path, state: dict[str, Any]) -> Path:
    target = run / CHECKPOINT
    partial = run / (CHECKPOINT + ".part")
    try:
        with open(partial, "wb") as out:
            torch.save(state, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except (OSError, RuntimeError) as exc:  # torch.save reports a failed write as a RuntimeError
        partial.unlink(missing_ok=True)
        raise SaveError(f"cannot write {target}: {reason(exc)}") from None
    return target


def reason(exc: BaseException) -> str:
    """The one line a failed write is told by."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def load(run: Path) -> dict[str, Any]:
    # Our own file, but still read without running pickled code: tensors, numbers, strings and dicts only.
    return torch.load(run / CHECKPOINT, map_location="cpu", weights_only=True)


def exists(run: Path) -> bool:
    return (run / CHECKPOINT).is_file()


def write_json(path: Path, content: object) -> None:
    """A small file replaced whole, never half-written."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(content, indent=1))
    os.replace(partial, path)
