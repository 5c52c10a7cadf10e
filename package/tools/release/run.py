"""Running build commands: each one printed, its output kept in a log and shown only when it fails."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def run(command: Sequence[str | Path], log: Path | None = None, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> str:
    """Runs command; returns its output. On failure prints the output's tail and exits."""
    words = [str(word) for word in command]
    result = subprocess.run(words, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as out:
            out.write(f"$ {' '.join(words)}\n{result.stdout}\n")
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-40:])
        sys.exit(f"release: failed ({result.returncode}): {' '.join(words)}\n{tail}")
    return result.stdout


def say(message: str) -> None:
    print(f"release: {message}", flush=True)
