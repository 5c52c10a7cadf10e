"""The fields of a `generate` request, declared once on the host's side: name, kind, range, default and help.

From this table come the host's checks of each field (protocol.read_generate), `jukebox-host render`'s flags and
their help (cli.py), and the generate table of docs/PROTOCOL.md (a test holds it equal). The C side declares its
settings once too (max-sdk-ext/core/jbx_settings.h); tests/test_generate_fields.py holds the two equal, field by
field: kind, range, default. Checks that join fields (a prompt shorter than the length, a result that fits one
message) stay in read_generate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError

Kind = Literal["text", "choice", "number", "integer", "seed", "flag", "hop"]

DEFAULT_SONG_SECONDS = 240.0  # OpenAI's sample.py default for --total_sample_length_in_seconds


@dataclass(frozen=True, kw_only=True)
class Field:
    name: str
    kind: Kind
    default: Any  # what an absent field means; None: nothing (the model's own, the input's, a random seed …)
    help: str
    low: float = 0.0
    high: float = math.inf
    low_open: bool = False  # (low, high] rather than [low, high]
    limit: int = 256  # characters, for text
    choices: tuple[str, ...] = ()
    too_large: bool = False  # past `high` is ERR_TOO_LARGE (a size), not ERR_BAD_FIELD (a value)
    setting: bool = True  # the C external has a setting of this name (jbx_settings.h); False: set otherwise
    flag: bool = True  # `jukebox-host render --NAME` sends it (with this help and default)

    @property
    def range_text(self) -> str:
        if self.kind in ("text",):
            return f"≤ {self.limit} characters"
        if self.kind == "choice":
            return " / ".join(self.choices)
        if self.kind == "flag":
            return "true / false"
        bound = "(" if self.low_open else "["
        high = "∞" if math.isinf(self.high) else f"{self.high:g}"
        return f"{bound}{self.low:g}, {high}]"

    def read(self, header: dict[str, Any], default: Any = None) -> Any:
        """The field's value from a header, checked; `default` overrides the table's (a default that depends on
        other fields, e.g. song_length). Raises HostError with the field's name."""
        fallback = self.default if default is None else default
        if self.kind == "text":
            return read_text(header, self.name, fallback, self.limit)
        if self.kind == "choice":
            value = read_text(header, self.name, fallback)
            if value not in self.choices:
                raise HostError(C.ERR_BAD_FIELD, f"'{self.name}' {value!r} is not one of {', '.join(self.choices)}")
            return value
        if self.kind == "flag":
            return read_flag(header, self.name, fallback)
        if self.kind in ("integer", "seed"):
            return read_integer(header, self.name, fallback, int(self.low), int(self.high))
        if self.kind == "hop":
            return read_hop_fraction(header, self)
        if fallback is None and header.get(self.name) is None:
            return None
        if self.too_large:
            value = read_number(header, self.name, fallback, self.low, math.inf, self.low_open)
            if value > self.high:
                raise HostError(C.ERR_TOO_LARGE, f"'{self.name}' is {value:g} s; the limit is {self.high:g} s")
            return value
        return read_number(header, self.name, fallback, self.low, self.high, self.low_open)


GENERATE_FIELDS: tuple[Field, ...] = (
    Field(name="mode", kind="choice", default=C.MODE_PRIMED, choices=tuple(C.MODES), flag=False,
          help="primed: continue the prompt; ancestral: no input; upsample: re-sample the lower levels; "
               "continue: extend the last result by length s from its exact codes"),
    Field(name="model", kind="text", default=None, limit=1024, flag=False,
          help="a model the host serves (absent: the host's first)"),
    Field(name="length", kind="number", default=10.0, low=0.0, high=C.MAX_OUTPUT_SECONDS, low_open=True,
          too_large=True, flag=False,
          help="seconds of the result, prompt included (continue: the seconds it adds)"),
    Field(name="song_length", kind="number", default=DEFAULT_SONG_SECONDS, low=0.0, high=C.MAX_OUTPUT_SECONDS,
          low_open=True,
          help="seconds of the whole song the result begins, as sample.py's --total_sample_length_in_seconds "
               "(a longer result raises the default to its length)"),
    Field(name="prompt", kind="number", default=None, low=0.0, high=C.MAX_INPUT_SECONDS, low_open=True,
          flag=False, help="seconds of the input used as prompt (absent: all of it)"),
    Field(name="levels", kind="integer", default=1, low=1, high=3,
          help="1: top level only, fast preview quality; 3: all levels, full quality (a preview first)"),
    Field(name="temperature", kind="number", default=0.98, low=0.0, high=2.0, low_open=True,
          help="top-level sampling temperature"),
    Field(name="hop_fraction", kind="hop", default=None, low=0.0, high=1.0, low_open=True,
          help="window hop: one number for every level, or bottom, middle, top as sample.py's "
               "(absent: the model's, OpenAI's 0.5 0.5 0.125)"),
    Field(name="n_samples", kind="integer", default=1, low=1, high=C.MAX_N_SAMPLES,
          help="variations sampled in one batch"),
    Field(name="seed", kind="seed", default=None, low=0, high=2**32 - 1, help="a fixed seed (absent: random)"),
    Field(name="preview", kind="flag", default=True, flag=False,
          help="send a top-level preview first when levels > 1"),
    Field(name="stream", kind="flag", default=False, flag=False,
          help="send the last level's audio in chunks while it is sampled"),
    Field(name="artist", kind="text", default="unknown", help="an artist the model knows"),
    Field(name="genre", kind="text", default="unknown", help="a genre the model knows"),
    Field(name="lyrics", kind="text", default="", limit=C.MAX_LYRICS_CHARS, help="lyrics conditioning"),
    Field(name="out_sample_rate", kind="integer", default=None, low=C.MIN_SAMPLE_RATE, high=C.MAX_SAMPLE_RATE,
          setting=False, help="the result's sample rate (absent: the input's, else 44100)"),
    Field(name="out_channels", kind="integer", default=None, low=1, high=C.MAX_CHANNELS, setting=False,
          help="the result's channels (absent: the input's, else 1)"),
    Field(name="new_only", kind="flag", default=False, setting=False, flag=False,
          help="continue: the result is only what the continuation adds (a chain link)"),
)
FIELDS = {f.name: f for f in GENERATE_FIELDS}


# ---- the readers of each kind (protocol.py reads its other fields with them too) ------------------------

def read_number(header: dict[str, Any], key: str, default: float, lo: float, hi: float, lo_open: bool = False) -> float:
    value = header.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise HostError(C.ERR_BAD_FIELD, f"'{key}' must be a finite number")
    if value < lo or value > hi or (lo_open and value == lo):
        bound = "(" if lo_open else "["
        raise HostError(C.ERR_BAD_FIELD, f"'{key}' = {value} is outside {bound}{lo}, {hi}]")
    return float(value)


def read_integer(header: dict[str, Any], key: str, default: int | None, lo: int, hi: int) -> int | None:
    value = header.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise HostError(C.ERR_BAD_FIELD, f"'{key}' must be an integer")
    if value < lo or value > hi:
        raise HostError(C.ERR_BAD_FIELD, f"'{key}' = {value} is outside [{lo}, {hi}]")
    return value


def read_text(header: dict[str, Any], key: str, default: str, limit: int = 256) -> str:
    value = header.get(key, default)
    if not isinstance(value, str):
        raise HostError(C.ERR_BAD_FIELD, f"'{key}' must be a string")
    if len(value) > limit:
        raise HostError(C.ERR_TOO_LARGE, f"'{key}' is {len(value)} characters; the limit is {limit}")
    return value


def read_flag(header: dict[str, Any], key: str, default: bool) -> bool:
    value = header.get(key, default)
    if not isinstance(value, bool):
        raise HostError(C.ERR_BAD_FIELD, f"'{key}' must be true or false")
    return value


def read_hop_fraction(header: dict[str, Any], field: Field) -> tuple[float, float, float] | None:
    """One number for every level, or three (bottom, middle, top) as sample.py's --hop_fraction takes them; None
    when not given: the model's own (OpenAI's 0.5, 0.5, 0.125 for the real models)."""
    value = header.get(field.name)
    if value is None:
        return None
    values = value if isinstance(value, list) else [value] * 3
    if len(values) != 3:
        raise HostError(C.ERR_BAD_FIELD, f"'{field.name}' must be a number or a list of 3 (bottom, middle, top)")
    fractions = [read_number({field.name: v}, field.name, 0.5, field.low, field.high, field.low_open) for v in values]
    return fractions[0], fractions[1], fractions[2]
