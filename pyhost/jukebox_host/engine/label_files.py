"""The tokenizer's vocabulary files (artists.json, genres.json, lyrics.json) from OpenAI's label id lists.

OpenAI's repository lists the artist and genre ids its models were trained with in jukebox/data/ids/
(`v2_artist_ids.txt`, `v2_genre_ids.txt` for 5b and 5b_lyrics and every upsampler, `v3_*` for the 1b_lyrics top),
one `name;id` per line. transformers' tokenizer looks 'v3' names up lowercased and 'v2' names normalised with a
'.v2' suffix, all in one table per kind.
"""

from __future__ import annotations

from pathlib import Path

# OpenAI's lyric characters (jukebox/data/text_processor.py): v2 has '+', v3 does not; id 0 is <unk>.
V3_LYRIC_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:;!?-'\"()[] \t\n"
V2_LYRIC_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:;!?-+'\"()[] \t\n"


class LabelFileError(Exception):
    pass


def id_file_names(versions: list[str]) -> list[str]:
    return [f"{version}_{kind}_ids.txt" for version in sorted(set(versions)) for kind in ("artist", "genre")]


def read_ids(path: Path) -> dict[str, int]:
    """`name;id` lines → {lowercased name: id}, as OpenAI's ArtistGenreProcessor reads them."""
    if not path.is_file():
        raise LabelFileError(f"{path} is missing: copy it from OpenAI's repository, jukebox/data/ids/{path.name}")
    table: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.strip().rpartition(";")
        if not sep or not value.isdigit():  # an empty name is allowed: OpenAI's v2_artist_ids.txt has ';0'
            raise LabelFileError(f"{path}:{number}: expected 'name;id', got {line!r}")
        table[name.lower()] = int(value)
    if not table:
        raise LabelFileError(f"{path} lists no names")
    return table


def lyric_chars(version: str) -> str:
    return V3_LYRIC_CHARS if version == "v3" else V2_LYRIC_CHARS


def lyric_vocab(version: str) -> dict[str, int]:
    chars = lyric_chars(version)
    return {"<unk>": 0, **{char: index + 1 for index, char in enumerate(chars)}}


def vocabularies(ids_dir: Path, versions: list[str]) -> dict[str, dict[str, int]]:
    """artists.json, genres.json and lyrics.json contents for a model whose priors (top first) use `versions`."""
    files: dict[str, dict[str, int]] = {"artists.json": {}, "genres.json": {}}
    for version in sorted(set(versions)):
        for kind, target in (("artist", "artists.json"), ("genre", "genres.json")):
            for name, index in read_ids(ids_dir / f"{version}_{kind}_ids.txt").items():
                files[target][name if version == "v3" else f"{name}.v2"] = index
    files["lyrics.json"] = lyric_vocab(versions[0])  # only the top prior reads lyrics
    return files
