"""The files `render` writes, one per variation, each piece of audio where it belongs: a result from the start,
a streamed chunk at its frame (the file can be played while it grows), a chain link over the end it re-makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def variation_paths(output: Path, count: int) -> list[Path]:
    """out.wav for one variation; out-1.wav … out-N.wav for more."""
    if count == 1:
        return [output]
    return [output.with_name(f"{output.stem}-{k}{output.suffix}") for k in range(1, count + 1)]


class PieceFiles:
    def __init__(self, output: Path) -> None:
        self.output = output
        self.files: list[Any] = []  # soundfile.SoundFile, opened by the first audio (its shape and rate)
        self.frames = 0  # the piece's length so far, per file
        self.rate = 0

    def write(self, start: int, variations: list[np.ndarray], rate: int) -> None:
        """variations: each (channels, frames), written from frame `start` on; the piece ends after them."""
        import soundfile as sf

        if not self.files:
            self.rate = rate
            self.files = [sf.SoundFile(str(path), "w", rate, variations[0].shape[0], subtype="FLOAT")
                          for path in variation_paths(self.output, len(variations))]
        if rate != self.rate or len(variations) != len(self.files):
            raise ValueError("a piece keeps one rate and one number of variations")
        for file, audio in zip(self.files, variations, strict=True):
            file.seek(start)
            file.write(audio.T)
            file.flush()  # a player opening the file sees what has come
        self.frames = start + variations[0].shape[1]

    def paths(self) -> list[Path]:
        return variation_paths(self.output, len(self.files))

    def close(self) -> None:
        for file in self.files:
            file.close()
