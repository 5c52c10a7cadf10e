"""Artist/genre/lyrics conditioning, as OpenAI's labeller computes it (jukebox/data/labels.py,
artist_genre_processor.py, text_processor.py), from the tables in the model folder's tokenizer files.

transformers' tokenizer differs from OpenAI's in ways that change what the model hears (tested against ids that
OpenAI's own code produced, tests/engine/test_openai_reference.py):
- v2 names: OpenAI keeps only a-z and 0-9 ('B.B. King' → 'b_b_king'); transformers keeps '.' and misses them;
- lyrics: OpenAI transliterates with unidecode ('straße' → 'strasse', '你好' → 'Ni Hao', curly quotes → ASCII);
  transformers strips accents and drops the rest;
- '+' is a lyric character in v2 only; transformers has it the other way round;
- v3 genres are one name ('hip hop' = 54); v2 genres are a bag of up to 5 words ('hip hop' = hip + hop);
- 5b reads no lyrics at all.
OpenAI maps unknown names to 'unknown' (id 0) silently; we refuse them with close matches instead.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import torch
from unidecode import unidecode

from jukebox_host.engine.label_files import lyric_vocab
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError

# OpenAI's hparams: labels_v3 (1b_lyrics top) takes one genre name, labels (every other prior) a bag of 5 words.
GENRE_SLOTS = {"v3": 1, "v2": 5}
_NOT_V2 = re.compile(r"[^a-z0-9]+")


def norm_v2(name: str) -> str:
    """OpenAI's v2 name normalisation: lowercase, every run of anything but a-z/0-9 becomes one '_'."""
    return _NOT_V2.sub("_", name.lower()).strip("_")


def clean_lyrics(text: str, chars: str) -> str:
    """OpenAI's TextProcessor.clean: transliterate to ASCII, '\\' → newline, drop what the vocabulary lacks."""
    text = unidecode(text).replace("\\", "\n")
    keep = set(chars)
    return "".join(c for c in text if c in keep)


@dataclass(frozen=True)
class LevelLabels:
    """How one prior reads labels."""
    version: str  # 'v3' or 'v2'
    genre_slots: int
    lyric_tokens: int  # relevant lyric tokens the prior reads (0: no lyrics)


def level_labels(model: Any, tokenizer: Any) -> list[LevelLabels]:
    """Per prior, top first."""
    versions = list(tokenizer.version)
    return [LevelLabels(version, GENRE_SLOTS[version], int(prior.nb_relevant_lyric_tokens))
            for version, prior in zip(versions, model.priors)]


def _known(names: dict[str, int], v2: bool) -> list[str]:
    # Show names of the same form as the one looked up, without the '.v2' suffix.
    return sorted(n[:-3] if v2 else n for n in names if n.endswith(".v2") == v2)


def _lookup(kind: str, code: str, key: str, table: dict[str, int], shown: str) -> int:
    if key in table:
        return int(table[key])
    v2 = key.endswith(".v2")
    choices = _known(table, v2)
    plain = key[:-3] if v2 else key
    close = difflib.get_close_matches(plain, choices, n=5, cutoff=0.5)
    hint = f"; close matches: {', '.join(close)}" if close else f"; {len(choices)} known, e.g. {', '.join(choices[:5])}"
    raise HostError(code, f"{kind} {shown!r} is not known to this model{hint}")


def artist_id(tokenizer: Any, artist: str, version: str) -> int:
    key = artist.lower() if version == "v3" else norm_v2(artist) + ".v2"
    return _lookup("artist", C.ERR_UNKNOWN_ARTIST, key, tokenizer.artists_encoder, artist)


def genre_ids(tokenizer: Any, genre: str, version: str, slots: int) -> list[int]:
    """OpenAI's ids padded with -1 to the prior's genre slots."""
    words = [genre.lower()] if version == "v3" else [w + ".v2" for w in norm_v2(genre).split("_")]
    if len(words) > slots:
        raise HostError(C.ERR_UNKNOWN_GENRE, f"genre {genre!r} has {len(words)} words; this model takes at most "
                                             f"{slots}")
    ids = [_lookup("genre", C.ERR_UNKNOWN_GENRE, w, tokenizer.genres_encoder, genre) for w in words]
    return ids + [-1] * (slots - len(ids))


def lyric_token_ids(tokenizer: Any, lyrics: str, version: str) -> list[int]:
    """Every lyric token of the song (the priors pick the window they read by position)."""
    vocab = lyric_vocab(version)
    if len(tokenizer.lyrics_encoder) != len(vocab):  # a folder with a vocabulary of its own
        vocab = dict(tokenizer.lyrics_encoder)
    chars = "".join(c for c in vocab if len(c) == 1)  # '<unk>' is no character
    return [vocab[c] for c in clean_lyrics(lyrics, chars)]


def label_row(tokenizer: Any, level: LevelLabels, artist: str, genre: str, lyrics: str) -> list[int]:
    """OpenAI's y without the positions: [total_length, offset, sample_length, artist, genres..., lyric tokens...].
    The first three are filled per window by the prior (get_metadata); lyric tokens are the whole song's, and only
    for a prior that reads lyrics (OpenAI ignores lyrics for 5b)."""
    row = [0, 0, 0, artist_id(tokenizer, artist, level.version),
           *genre_ids(tokenizer, genre, level.version, level.genre_slots)]
    if level.lyric_tokens > 0:
        row += lyric_token_ids(tokenizer, lyrics, level.version)
    return row


def make_labels(loaded_model: Any, tokenizer: Any, artist: str, genre: str, lyrics: str, n_samples: int,
                device: torch.device) -> list[torch.Tensor]:
    """One label tensor per prior (top first), each repeated for n_samples, after checking names exist."""
    rows = [label_row(tokenizer, level, artist, genre, lyrics) for level in level_labels(loaded_model, tokenizer)]
    return [torch.tensor([row], dtype=torch.long, device=device).repeat(n_samples, 1) for row in rows]
