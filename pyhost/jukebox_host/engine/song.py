"""What the engine knows of a song before any model is loaded: OpenAI's defaults, owned here (the wire takes them
from the engine, never the other way)."""

DEFAULT_SONG_SECONDS = 240.0  # OpenAI's sample.py default for --total_sample_length_in_seconds
JUKEBOX_SAMPLE_RATE = 44100  # the rate of OpenAI's released models (hps.sr)
