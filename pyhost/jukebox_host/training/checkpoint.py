"""A run's training state in one file, and its small files, written so that a kill at any moment leaves the previous
one whole: written beside it, flushed to disk, then renamed over it (a rename is atomic on one file system)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch

CHECKPOINT = "checkpoint.pt"


def save(run: Path, state: dict[str, Any]) -> Path:
    target = run / CHECKPOINT
    partial = run / (CHECKPOINT + ".part")
    with open(partial, "wb") as out:
        torch.save(state, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    return target


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
