"""Training windows over the gathered audio, as OpenAI's FilesAudioDataset and DataProcessor cut them.

The songs are laid end to end and cut into items of `length` frames; item i starts at i·length, moved by a random
shift of up to half a window either way with `aug_shift`, and is then pulled back inside the song its midpoint falls
in (files_dataset.py get_index_offset). The first `split` of the items trains, the rest tests (train_test_split,
0.9). Batches draw the training items in a random order per epoch, whole batches only (drop_last); the order comes
from the run's seed and the epoch, so a resumed run continues with the same batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jukebox_host.training.audio_folder import AudioSet


@dataclass(frozen=True)
class Window:
    song: int
    offset: int  # frames into the song


class Windows:
    def __init__(self, audio: AudioSet, length: int, split: float = 0.9) -> None:
        self.audio = audio
        self.length = length
        self.ends = np.cumsum([s.frames for s in audio.songs])
        self.items = int(self.ends[-1] // length)
        self.train_items = int(self.items * split)
        if self.train_items < 1:
            raise ValueError(f"{self.ends[-1] / audio.rate:.1f} s of audio make no training window of "
                             f"{length / audio.rate:.2f} s")

    def window(self, item: int, shift: int = 0) -> Window:
        """files_dataset.py get_index_offset: the item's window, shifted, kept inside one song."""
        half = self.length // 2
        offset = item * self.length + shift
        midpoint = offset + half
        index = int(np.searchsorted(self.ends, midpoint))  # the song the midpoint lies in
        index = min(index, len(self.ends) - 1)
        start = int(self.ends[index - 1]) if index > 0 else 0
        end = int(self.ends[index])
        if offset > end - self.length:
            offset = max(start, offset - half)
        elif offset < start:
            offset = min(end - self.length, offset + half)
        return Window(index, offset - start)

    def audio_of(self, window: Window) -> np.ndarray:
        """(length, 2) float32."""
        start = self.audio.songs[window.song].start + window.offset
        return np.asarray(self.audio.audio[start:start + self.length], dtype=np.float32)

    def song_frames(self, window: Window) -> int:
        return self.audio.songs[window.song].frames

    def epoch_order(self, seed: int, epoch: int) -> np.ndarray:
        """The training items in the order epoch `epoch` draws them."""
        return np.random.default_rng([seed, epoch]).permutation(self.train_items)

    def test_items(self) -> range:
        return range(self.train_items, self.items)
