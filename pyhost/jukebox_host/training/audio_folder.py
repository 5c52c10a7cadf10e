"""A folder of the artist's audio, read once into one float32 file at the model's rate.

Every file soundfile reads (WAV, AIFF, FLAC, OGG, MP3 with libsndfile ≥ 1.1) at any rate and channel count is
converted to two channels at the model's rate (mono copied to both, more than two mixed down to their mean on both:
OpenAI's loader also hands two channels to the blend) and appended to `audio.f32` in the run's folder, with
`audio.json` saying where each file starts. Training then reads windows from that file through a memory map, so a
folder larger than memory trains as well and a resumed run does not read the folder again. Files that cannot be read,
are shorter than one training window or lie outside the song lengths the prior's labels can say (OpenAI's dataset
drops those too) are skipped with one line each, and counted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from jukebox_host.host.audio import resample
from jukebox_host.training import checkpoint

CHANNELS = 2
AUDIO_FILE, INDEX_FILE = "audio.f32", "audio.json"


class DataError(Exception):
    """The folder cannot make a training set; the message is the one line the user sees."""


@dataclass(frozen=True)
class Song:
    name: str
    start: int  # first frame in audio.f32
    frames: int


@dataclass(frozen=True)
class AudioSet:
    audio: np.ndarray  # (frames, 2) float32, memory-mapped
    songs: list[Song]
    rate: int


def _read(path: Path, rate: int) -> np.ndarray:
    data, file_rate = sf.read(str(path), dtype="float32", always_2d=True)  # (frames, channels)
    if data.shape[1] == 1:
        data = np.repeat(data, CHANNELS, axis=1)
    elif data.shape[1] > CHANNELS:
        data = np.repeat(data.mean(axis=1, keepdims=True, dtype=np.float32), CHANNELS, axis=1)
    if not np.all(np.isfinite(data)):
        raise ValueError("it holds NaN or infinite samples")
    return np.ascontiguousarray(resample(np.ascontiguousarray(data.T), int(file_rate), rate).T)


@dataclass(frozen=True)
class Usable:
    """The lengths a file must have: at least one window, and within the song lengths the prior's labels can say."""
    min_frames: int
    min_reason: str  # what the shortest length is, for the message
    max_frames: int | None = None
    max_reason: str = ""


def gather(folder: Path, run: Path, rate: int, usable: Usable, say: Callable[[str], None]) -> AudioSet:
    """Read every audio file under `folder` (sorted, recursive) into `run`/audio.f32; say one line per skipped file."""
    if not folder.is_dir():
        raise DataError(f"no such folder: {folder}")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise DataError(f"{folder} holds no files")
    run.mkdir(parents=True, exist_ok=True)
    partial = run / (AUDIO_FILE + ".part")
    try:
        songs, skipped, written = _write_songs(files, folder, partial, rate, usable, say)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DataError(f"cannot write {partial.with_name(AUDIO_FILE)}: {checkpoint.reason(exc)}") from None
    if not songs:
        partial.unlink()
        raise DataError(f"none of the {len(files)} files in {folder} is usable audio of at least "
                        f"{usable.min_frames / rate:.2f} s ({skipped} skipped)")
    os.replace(partial, run / AUDIO_FILE)
    index = dict(rate=rate, channels=CHANNELS, songs=[s.__dict__ for s in songs], skipped=skipped)
    checkpoint.write_json(run / INDEX_FILE, index)
    say(f"{len(songs)} files, {written / rate:.1f} s of audio at {rate} Hz ({skipped} skipped)")
    return opened(run)


def opened(run: Path) -> AudioSet:
    """The audio gathered earlier into `run` (a resumed run)."""
    index = json.loads((run / INDEX_FILE).read_text())
    songs = [Song(**s) for s in index["songs"]]
    frames = songs[-1].start + songs[-1].frames
    audio = np.memmap(run / AUDIO_FILE, dtype=np.float32, mode="r", shape=(frames, index["channels"]))
    return AudioSet(audio, songs, int(index["rate"]))


def _write_songs(files: list[Path], folder: Path, partial: Path, rate: int, usable: Usable,
                 say: Callable[[str], None]) -> tuple[list[Song], int, int]:
    songs: list[Song] = []
    skipped = 0
    written = 0
    with open(partial, "wb") as out:
        for path in files:
            name = str(path.relative_to(folder))
            try:
                data = _read(path, rate)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is skipped, said and counted
                say(f"skipped {name}: not audio soundfile can read ({str(exc).splitlines()[0] if str(exc) else exc})")
                skipped += 1
                continue
            if data.shape[0] < usable.min_frames or (usable.max_frames and data.shape[0] >= usable.max_frames):
                short = data.shape[0] < usable.min_frames
                say(f"skipped {name}: {data.shape[0] / rate:.2f} s, "
                    + (f"shorter than {usable.min_reason} ({usable.min_frames / rate:.2f} s)" if short else
                       f"not shorter than {usable.max_reason} ({(usable.max_frames or 0) / rate:.2f} s)"))
                skipped += 1
                continue
            out.write(data.tobytes())
            songs.append(Song(name, written, int(data.shape[0])))
            written += int(data.shape[0])
        out.flush()
        os.fsync(out.fileno())
    return songs, skipped, written
