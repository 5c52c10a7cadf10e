"""Artist/genre/lyrics conditioning. The tokenizer maps unknown names to 0 silently; we refuse them instead."""

from __future__ import annotations

import difflib
import re
from typing import Any

import torch

from jukebox_host import constants as C
from jukebox_host.errors import HostError


def _known(names: dict[str, int], v2: bool) -> list[str]:
    # Show names of the same form as the one looked up, without the '.v2' suffix.
    return sorted(n[:-3] if v2 else n for n in names if n.endswith(".v2") == v2)


def _check(kind: str, code: str, wanted: list[str], table: dict[str, int], shown: str) -> None:
    for key in wanted:
        if key not in table:
            choices = _known(table, key.endswith(".v2"))
            plain = key[:-3] if key.endswith(".v2") else key
            close = difflib.get_close_matches(plain, choices, n=5, cutoff=0.5)
            if close:
                hint = f"; close matches: {', '.join(close)}"
            else:
                hint = f"; {len(choices)} known, e.g. {', '.join(choices[:5])}"
            raise HostError(code, f"{kind} {shown!r} is not known to this model{hint}")


def v2_genre(genre: str) -> str:
    """OpenAI's v2 labels are a bag of words: 'Hip Hop' → 'hip_hop' → hip, hop. transformers' tokenizer splits
    v2 genres on '_' only, so 'hip hop' would be one unknown word; give it the words joined by '_'."""
    return re.sub(r"[^a-z0-9]+", "_", genre.lower()).strip("_") or genre


def make_labels(tokenizer: Any, artist: str, genre: str, lyrics: str, n_samples: int, device: torch.device
                ) -> list[torch.Tensor]:
    """One label tensor per prior (top first), each repeated for n_samples, after checking names exist."""
    versions = list(tokenizer.version)
    genres_asked = [genre if version == "v3" else v2_genre(genre) for version in versions]
    # prepare_for_tokenization rewrites the lists it is given: hand it copies.
    artists, genres, _ = tokenizer.prepare_for_tokenization([artist] * len(versions), list(genres_asked), lyrics)
    _check("artist", C.ERR_UNKNOWN_ARTIST, artists, tokenizer.artists_encoder, artist)
    _check("genre", C.ERR_UNKNOWN_GENRE, [g for gs in genres for g in gs], tokenizer.genres_encoder, genre)
    if any(len(gs) > tokenizer.n_genres for gs in genres):
        raise HostError(C.ERR_UNKNOWN_GENRE, f"genre {genre!r} has more words than this model takes "
                                             f"({tokenizer.n_genres})")
    by_genre = {g: tokenizer(artist, g, lyrics)["input_ids"] for g in set(genres_asked)}
    return [by_genre[g][level].to(device).repeat(n_samples, 1) for level, g in enumerate(genres_asked)]
