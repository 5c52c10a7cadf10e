"""Where a result stands in its song: the song's length the top prior is labelled with, and a continuation's
position in it (OpenAI's total_sample_length and offset)."""

from __future__ import annotations

from jukebox_host.engine.fidelity import song_length_range
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError


def check_song_length(loaded: LoadedModel, song_samples: int) -> None:
    """The top prior bins the song's length over [min_duration, max_duration): outside it OpenAI refuses."""
    low, high = song_length_range(loaded.model.config)
    seconds = song_samples / loaded.sample_rate
    if not low <= seconds < high:
        raise HostError(C.ERR_BAD_FIELD, f"'song_length' {seconds:g} s is outside this model's range: at least "
                                         f"{low:g} s and less than {high:g} s (unset, it is 240 s or the result's "
                                         f"length when longer)")


def song_position(loaded: LoadedModel, position: int, samples: int, song_samples: int) -> tuple[int, int]:
    """(position, song length) in samples for a continuation of `samples` that starts `position` into the song,
    asked to be in a song of at least `song_samples`. The song is at least as long as what is made; when that
    passes the model's longest song (OpenAI's: 600 s), the kept tail starts a new song (position 0), as a prompt
    would: labels cannot say "later than the longest song", and a chain goes on."""
    _, longest = song_length_range(loaded.model.config)
    if position + samples >= longest * loaded.sample_rate:
        position = 0
    return position, max(song_samples, position + samples)
