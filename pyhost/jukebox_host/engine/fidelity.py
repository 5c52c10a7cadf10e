"""What OpenAI's code does that a transformers config.json may not say: applied to every folder before the model is
built (converted, Hugging Face, tiny), so all of them compute what OpenAI's Jukebox computes on the same weights.

- Causal attention. OpenAI builds every prior (and the 5b_lyrics lyric encoder) with mask=True; transformers'
  JukeboxPriorConfig defaults to mask=False, and its attention masks only when told. Unmasked, every multi-token
  forward (priming, each window's overlap, the lyric encoder) sees the future.
- Song length range. The top prior bins the song's total length over [min_duration, max_duration]; OpenAI's are
  17.84 s (1b_lyrics), 23.8 s (5b_lyrics) and 60 s (5b). Hugging Face's example loads with min_duration=0, which
  moves every bin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# OpenAI's hparams.py: each top's song length range starts here and ends before MAX_DURATION.
MIN_DURATION = {"1b_lyrics": 17.84, "5b_lyrics": 23.8, "5b": 60.0}
MAX_DURATION = 600.0
# The shape of the top prior (width, layers, lyrics) that identifies each of OpenAI's models.
REAL_TOPS = {(2048, 72, True): "1b_lyrics", (4800, 79, True): "5b_lyrics", (4800, 72, False): "5b"}


def real_model(config: Any) -> tuple[str, float] | None:
    """(name, OpenAI's min_duration) when the config is one of OpenAI's three models, else None."""
    top = config.prior_configs[0]
    lyrics = int(getattr(top, "nb_relevant_lyric_tokens", 0) or 0) > 0
    name = REAL_TOPS.get((int(top.hidden_size), int(top.num_layers), lyrics))
    return None if name is None else (name, MIN_DURATION[name])


def _prior_configs(config: Any) -> list[Any]:
    found = []
    for prior in config.prior_configs:
        found.append(prior)
        if getattr(prior, "encoder_config", None) is not None:
            found.append(prior.encoder_config)
    return found


def make_faithful(config: Any, log: Callable[[str], None]) -> Any:
    """Correct `config` in place as OpenAI builds its models; say once what was overridden."""
    said = []
    unmasked = [c for c in _prior_configs(config) if not getattr(c, "mask", False)]
    for prior in unmasked:
        prior.mask = True
    if unmasked:
        said.append(f"causal attention on ({len(unmasked)} transformer(s) had mask=false)")
    known = real_model(config)
    if known is not None:
        name, min_duration = known
        if float(config.min_duration) != min_duration or float(config.max_duration) != MAX_DURATION:
            said.append(f"song length range {min_duration}-{MAX_DURATION:.0f} s as OpenAI's {name} "
                        f"(config said {config.min_duration}-{config.max_duration})")
            config.min_duration, config.max_duration = min_duration, MAX_DURATION
    if said:
        log("model config overridden to match OpenAI's code: " + "; ".join(said))
    return config


def song_length_range(config: Any) -> tuple[float, float]:
    return float(config.min_duration), float(config.max_duration)
