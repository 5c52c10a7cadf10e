"""The sampling loop: primed continuation, ancestral generation and upsampling around transformers' Jukebox.

We drive transformers' per-window routine ourselves instead of calling model.primed_sample()/_sample():
- primed_sample() hands the VQ-VAE's codes (bottom level first) to priors ordered top first (trap 3);
- _sample() counts new tokens below n_ctx but total tokens above it, and writes files by default (trap 5);
- the bottom level's temperature is fixed inside _sample (trap 7).
Progress and cancel come from a forward hook on each prior's output projection (no callback exists).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from jukebox_host.engine.chunked_decode import Context, decode_range, measure_context
from jukebox_host.engine.fidelity import song_length_range
from jukebox_host.engine.labels import make_labels
from jukebox_host.engine.levels import level_of_prior, prior_of_level
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.engine.streaming import ChunkFn, Streamer
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError, JobCancelled
from jukebox_host.wire.generate_fields import DEFAULT_SONG_SECONDS

JUKEBOX_SAMPLE_RATE = 44100  # the rate of OpenAI's released models (hps.sr)
UPSAMPLER_TEMPERATURE = 0.99  # OpenAI's sample.py uses 0.99 for both upsamplers
# Priming chunk sizes as OpenAI's sample.py: 32 for the upsamplers and the 1b_lyrics top, 16 for the 5b tops.
CHUNK_SIZE = 32
CHUNK_SIZE_5B_TOP = 16

# (fraction 0..1, protocol level (2 = top), stage)
ProgressFn = Callable[[float, int, str], None]


@dataclass(kw_only=True)
class Plan:
    mode: str
    total_samples: int  # model-rate samples of the whole result
    prompt_samples: int
    levels: list[int]  # transformers prior indices to sample, 0 = top
    temperature: float
    # Per protocol level: bottom, middle, top; one number for all; None: the model's (config.hop_fraction).
    hop_fraction: float | tuple[float, float, float] | None
    n_samples: int
    seed: int | None
    artist: str
    genre: str
    lyrics: str
    preview: bool
    # Model-rate samples of the whole song the result starts (OpenAI's total_sample_length): labels every window.
    song_samples: int = int(DEFAULT_SONG_SECONDS * JUKEBOX_SAMPLE_RATE)
    stream_seconds: float = 1.0  # with on_chunk: the least audio worth a chunk before the last one
    # Continue: model-rate samples of the song before the codes given (a kept tail, see piece_tail); labels and
    # windows count from the song's start. new_only: the output is only what follows the codes given, and the
    # stretch before it that the decoder reaches back into (Output.overlap).
    position: int = 0
    new_only: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.hop_fraction, (int, float)):
            self.hop_fraction = (float(self.hop_fraction),) * 3


@dataclass
class Output:
    final: bool
    level: int  # protocol level: 2 = top, 0 = bottom
    audio: np.ndarray  # (frames,) float32 at the model's rate, first of n_samples
    variations: np.ndarray  # (n_samples, frames): every sample of the batch, the first included
    codes: list[torch.Tensor] | None = None  # the final output's codes, every level, top first (for continue)
    # new_only: samples at the start of audio that re-make the end of the piece continued. They were decoded
    # there without the codes that now follow; these are the ones a decode of the whole piece gives.
    overlap: int = 0


class _TokenCounter:
    """Counts sampled tokens per prior through a forward hook; raises to cancel at the next step."""

    def __init__(self, loaded: LoadedModel, expected: dict[int, int], progress: ProgressFn,
                 cancel: threading.Event) -> None:
        self.expected = expected
        self.total = max(1, sum(expected.values()))
        self.done_before = 0
        self.count = 0
        self.level = 0
        self.progress = progress
        self.cancel = cancel
        self.n_priors = len(loaded.model.priors)
        self.last_sent = -1.0
        self.handles = [
            prior.prior.fc_proj_out.register_forward_hook(self._hook) for prior in loaded.model.priors
        ]

    def start_level(self, level: int) -> None:
        self.level = level
        self.count = 0

    def finish_level(self) -> None:
        self.done_before += self.expected.get(self.level, 0)

    def _hook(self, _module: Any, _inputs: Any, output: torch.Tensor) -> None:
        if self.cancel.is_set():
            raise JobCancelled()
        if output.shape[1] != 1:  # a priming chunk, not a sampled token
            return
        self.count = min(self.count + 1, self.expected.get(self.level, 0))
        fraction = (self.done_before + self.count) / self.total
        if fraction - self.last_sent >= 0.01 or self.count == self.expected.get(self.level, 0):
            self.last_sent = fraction
            self.progress(min(fraction, 1.0), level_of_prior(self.level, self.n_priors), "sample")

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def _clear_caches(model: Any) -> None:
    """After a cancel the attention cache is stale (sample_t stays where it stopped): always clear it."""
    for prior in model.priors:
        prior.prior.transformer.del_cache()
        encoder = getattr(prior, "encoder", None)
        if encoder is not None:
            encoder.transformer.del_cache()


def tokens_per_level(model: Any, samples: int) -> list[int]:
    return [samples // int(prior.raw_to_tokens) for prior in model.priors]


def encode_prompt(loaded: LoadedModel, audio: np.ndarray, n_samples: int) -> list[torch.Tensor]:
    """Audio (frames,) → codes per prior, TOP FIRST. The VQ-VAE returns the bottom level first (trap 3)."""
    model = loaded.model
    x = torch.from_numpy(audio).to(loaded.device, torch.float32).view(1, -1, 1).repeat(n_samples, 1, 1)
    with torch.no_grad():
        codes = model.vqvae.encode(x, start_level=0, end_level=len(model.priors), bs_chunks=n_samples)
    return [c.long() for c in reversed(codes)]


def decode(loaded: LoadedModel, tokens: list[torch.Tensor], prior_index: int) -> np.ndarray:
    """Decode one level's codes to audio, (n_samples, frames), with the VQ-VAE."""
    model = loaded.model
    start_level = level_of_prior(prior_index, len(model.priors))
    with torch.no_grad():
        audio = model.vqvae.decode([tokens[prior_index]], start_level=start_level, end_level=start_level + 1)
    return audio[:, :, 0].float().cpu().numpy()


def sample_window(loaded: LoadedModel, tokens: list[torch.Tensor], labels: torch.Tensor, prior_index: int,
                  start: int, sample_tokens: int | None, temperature: float, offset: int = 0) -> list[torch.Tensor]:
    """OpenAI's sample_single_window: sample the window [start, start + n_ctx) (or up to `sample_tokens` of it),
    conditioned on the tokens already there, the upper level's codes for that window and the window's labels.
    transformers' own version inverts its `sample_tokens` test and so appends too many tokens to a partial window.
    offset: codes of this level in the song before tokens[prior_index][:, 0] (labels say where the window is)."""
    model = loaded.model
    prior = model.priors[prior_index]
    end = start + int(prior.n_ctx)
    previous = tokens[prior_index][:, start:end]
    wanted = end - start if sample_tokens is None else sample_tokens
    new_tokens = wanted - previous.shape[1]
    if new_tokens <= 0:
        return tokens
    conds = prior.get_music_tokens_conds(tokens, start, end)
    metadata = prior.get_metadata(labels, start, model.total_length, offset)
    chunk = CHUNK_SIZE_5B_TOP if prior_index == 0 and not prior.is_encoder_decoder else CHUNK_SIZE
    sampled = prior.sample(n_samples=previous.shape[0], music_tokens=previous, music_tokens_conds=conds,
                           metadata=metadata, temp=temperature, chunk_size=chunk, sample_tokens=sample_tokens)
    tokens = list(tokens)
    tokens[prior_index] = torch.cat([tokens[prior_index], sampled[:, -new_tokens:]], dim=1)
    return tokens


def sample_level(loaded: LoadedModel, tokens: list[torch.Tensor], labels: torch.Tensor, prior_index: int,
                 total_tokens: int, hop_fraction: float, temperature: float,
                 after_window: Callable[[torch.Tensor], None] | None = None, offset: int = 0) -> list[torch.Tensor]:
    """Sample `prior_index` up to `total_tokens` (prompt included), as OpenAI's sample_level: one partial window
    below n_ctx, else windows every hop, the last one ending at the total. after_window(codes of this level)
    follows every window (streaming). offset: codes of the song before the tokens given (a kept tail): windows
    stand where they stand in the whole song, so a tail continues exactly as the whole piece would."""
    n_ctx = int(loaded.model.priors[prior_index].n_ctx)
    hop = max(1, int(hop_fraction * n_ctx))
    have = tokens[prior_index].shape[1]
    if have >= total_tokens:
        starts: list[int | None] = []
    elif have == 0 or offset == 0:  # sampled from the start of what is given
        starts = [None] if total_tokens < n_ctx else list(window_starts(total_tokens, n_ctx, hop))
    else:
        song_starts = window_starts(offset + total_tokens, n_ctx, hop)
        # Windows before the tail's start end before its end (piece_tail keeps a whole window): nothing to sample.
        assert all(s + n_ctx <= offset + have for s in song_starts if s < offset), "the kept tail is too short"
        starts = [s - offset for s in song_starts if s >= offset]
    for start in starts:
        if start is None:
            tokens = sample_window(loaded, tokens, labels, prior_index, 0, total_tokens, temperature, offset)
        else:
            tokens = sample_window(loaded, tokens, labels, prior_index, start, None, temperature, offset)
        if after_window is not None:
            after_window(tokens[prior_index])
    return tokens


def window_starts(total: int, n_ctx: int, hop: int) -> list[int]:
    """Window starts covering [0, total): every hop, the last one ending exactly at total (OpenAI's get_starts)."""
    starts = list(range(0, max(1, total - n_ctx + 1), hop))
    if starts[-1] + n_ctx < total:
        starts.append(total - n_ctx)
    return starts


def check_song_length(loaded: LoadedModel, song_samples: int) -> None:
    """The top prior bins the song's length over [min_duration, max_duration): outside it OpenAI refuses."""
    low, high = song_length_range(loaded.model.config)
    seconds = song_samples / loaded.sample_rate
    if not low <= seconds < high:
        raise HostError(C.ERR_BAD_FIELD, f"'song_length' {seconds:g} s is outside this model's range: at least "
                                         f"{low:g} s and less than {high:g} s (unset, it is 240 s or the result's "
                                         f"length when longer)")


def _hop(plan: Plan, model: Any, level: int) -> float:
    if plan.hop_fraction is None:  # the model's, top first (transformers' order): OpenAI's 0.125 top, 0.5 below
        return float(model.config.hop_fraction[prior_of_level(level, len(model.priors))])
    assert isinstance(plan.hop_fraction, tuple)
    return plan.hop_fraction[level]


def continued_codes(codes: list[torch.Tensor], n_samples: int, device: torch.device) -> list[torch.Tensor]:
    """Kept codes (top first) as the tokens a continuation starts from, for a batch of n_samples: the same batch,
    its first n_samples, or one result repeated (its continuations then differ)."""
    kept = codes[0].shape[0]
    if kept != n_samples and kept != 1 and kept < n_samples:
        raise HostError(C.ERR_BAD_FIELD, f"'n_samples' {n_samples}: the kept result has {kept} samples; continue "
                                         f"with at most {kept}, or from a result of 1 sample")
    rows = [c[:n_samples] if kept >= n_samples else c.repeat(n_samples, 1) for c in codes]
    return [r.to(device, torch.long) for r in rows]


def decode_context(loaded: LoadedModel, prior_index: int) -> Context:
    """The codes of context prior_index's level decodes with (chunked_decode.py), measured once per model."""
    level = level_of_prior(prior_index, len(loaded.model.priors))  # the VQ-VAE's numbering: 0 = bottom
    if level not in loaded.decode_contexts:
        loaded.decode_contexts[level] = measure_context(loaded.model.vqvae, level)
    return loaded.decode_contexts[level]


def _streamer(loaded: LoadedModel, plan: Plan, prior_index: int, total_tokens: int, first: int,
              on_chunk: ChunkFn) -> Streamer:
    context = decode_context(loaded, prior_index)
    chunk_codes = int(plan.stream_seconds * loaded.sample_rate) // context.hop
    level = level_of_prior(prior_index, len(loaded.model.priors))
    return Streamer(loaded.model.vqvae, level, context, chunk_codes, total_tokens, on_chunk, first)


def _decode_from(loaded: LoadedModel, tokens: list[torch.Tensor], prior_index: int, first: int) -> np.ndarray:
    """prior_index's codes from code `first` on, decoded as one decode of them all would (new_only)."""
    if first == 0:
        return decode(loaded, tokens, prior_index)
    level = level_of_prior(prior_index, len(loaded.model.priors))
    codes = tokens[prior_index]
    return decode_range(loaded.model.vqvae, codes, level, first, codes.shape[1], decode_context(loaded, prior_index))


def new_only_overlap(loaded: LoadedModel, kept_top_codes: int, prior_index: int) -> int:
    """Model-rate samples a new_only output re-makes before its new audio (Output.overlap), known before any
    sampling: the last level's decoder reach back into the codes given, at most all of them. The result a
    client receives is the new audio plus this."""
    model = loaded.model
    given = tokens_per_level(model, kept_top_codes * int(model.priors[0].raw_to_tokens))[prior_index]
    return (given - _first_new_output_code(loaded, given, prior_index)) * int(model.priors[prior_index].raw_to_tokens)


def _first_new_output_code(loaded: LoadedModel, given: int, prior_index: int) -> int:
    """Where a new_only output starts at a level, `given` codes already there: its decoder's reach before them."""
    return max(0, given - decode_context(loaded, prior_index).after) if given else 0


def _reach(loaded: LoadedModel, prior_index: int) -> int:
    """Codes before a new_only output that its decode needs: the overlap it re-makes and that overlap's context."""
    context = decode_context(loaded, prior_index)
    return context.after + context.before


def piece_tail(loaded: LoadedModel, codes: list[torch.Tensor], position: int) -> tuple[list[torch.Tensor], int]:
    """What a later continue needs of a piece (top first, starting `position` samples into the song): at every
    level its last window and the codes its decoder reaches back, cut at a whole top-level code. A chain then
    keeps a bounded tail however long the piece grows (about 24 s of codes for OpenAI's models). Levels the
    piece does not hold whole are dropped: a continuation samples them from the tail's start.
    Returns the tail and its position in the song."""
    priors = loaded.model.priors
    raws = [int(p.raw_to_tokens) for p in priors]
    length = codes[0].shape[1] * raws[0]
    whole = [c.shape[1] * raw == length for c, raw in zip(codes, raws, strict=True)]
    needed = max(max(int(priors[i].n_ctx), _reach(loaded, i)) * raws[i] for i in range(len(priors)) if whole[i])
    cut = (length - needed) // raws[0] * raws[0]
    if cut <= 0:
        return codes, position
    tail = [c[:, cut // raw:] if w else c[:, :0] for c, raw, w in zip(codes, raws, whole, strict=True)]
    return tail, position + cut


def song_position(loaded: LoadedModel, position: int, samples: int, song_samples: int) -> tuple[int, int]:
    """(position, song length) in samples for a continuation of `samples` that starts `position` into the song,
    asked to be in a song of at least `song_samples`. The song is at least as long as what is made; when that
    passes the model's longest song (OpenAI's: 600 s), the kept tail starts a new song (position 0), as a prompt
    would: labels cannot say "later than the longest song", and a chain goes on."""
    _, longest = song_length_range(loaded.model.config)
    if position + samples >= longest * loaded.sample_rate:
        position = 0
    return position, max(song_samples, position + samples)


def run(loaded: LoadedModel, plan: Plan, prompt: np.ndarray | None, progress: ProgressFn,
        cancel: threading.Event, codes: list[torch.Tensor] | None = None,
        on_chunk: ChunkFn | None = None) -> Iterator[Output]:
    """Yield an optional top-level preview, then the final output. Raises JobCancelled when cancelled.
    codes (mode continue): the tokens to start from at every level, top first; plan.total_samples counts them.
    on_chunk (streaming): called with the final level's audio as it becomes final (streaming.py); the final
    output is then made of those chunks."""
    model = loaded.model
    n_priors = len(model.priors)
    top_raw = int(model.priors[0].raw_to_tokens)
    total_samples = max(top_raw, plan.total_samples // top_raw * top_raw)
    if plan.seed is not None:
        torch.manual_seed(plan.seed)
    check_song_length(loaded, plan.song_samples)
    labels = make_labels(model, loaded.tokenizer, plan.artist, plan.genre, plan.lyrics, plan.n_samples, loaded.device)
    empty = [torch.zeros(plan.n_samples, 0, dtype=torch.long, device=loaded.device) for _ in range(n_priors)]
    if codes is not None:
        tokens = continued_codes(codes, plan.n_samples, loaded.device)
    elif plan.mode == C.MODE_ANCESTRAL or prompt is None:
        tokens = empty
    else:
        progress(0.0, level_of_prior(0, n_priors), "encode")
        usable = len(prompt) // top_raw * top_raw
        if usable == 0:
            raise HostError(C.ERR_BAD_AUDIO, f"the prompt must be at least {top_raw} samples at the model's rate")
        tokens = encode_prompt(loaded, prompt[:usable], plan.n_samples)
        if plan.mode == C.MODE_UPSAMPLE:
            total_samples = usable  # keep the top level as it is; re-sample the lower ones
            tokens = [tokens[0]] + empty[1:]
    model.total_length = plan.song_samples  # read by prior.get_metadata: the song's length, as OpenAI's labels
    targets = tokens_per_level(model, total_samples)
    if plan.position % top_raw:
        raise ValueError("a piece's position is a whole number of top-level codes")
    offsets = tokens_per_level(model, plan.position)
    # new_only: the output starts where the codes given end (their top level says how far they reach), less the
    # overlap the decoder reaches back from the new codes.
    given = tokens_per_level(model, tokens[0].shape[1] * top_raw) if plan.new_only else [0] * n_priors
    first = [_first_new_output_code(loaded, g, i) for i, g in enumerate(given)]
    expected = {i: max(0, targets[i] - tokens[i].shape[1]) for i in plan.levels}
    counter = _TokenCounter(loaded, expected, progress, cancel)
    try:
        for prior_index in plan.levels:
            loaded.activate(prior_index)
            counter.start_level(prior_index)
            temperature = plan.temperature if prior_index == 0 else UPSAMPLER_TEMPERATURE
            last = prior_index == plan.levels[-1]
            streamer = (_streamer(loaded, plan, prior_index, targets[prior_index], first[prior_index], on_chunk)
                        if last and on_chunk is not None else None)
            with torch.inference_mode():  # less per-op bookkeeping than no_grad: measurable at ~10k ops a token
                tokens = sample_level(loaded, tokens, labels[prior_index], prior_index, targets[prior_index],
                                      _hop(plan, model, level_of_prior(prior_index, n_priors)), temperature,
                                      streamer.update if streamer is not None else None, offsets[prior_index])
                if streamer is not None:
                    streamer.update(tokens[prior_index])  # the rest, or all of it when nothing was sampled
            counter.finish_level()
            if cancel.is_set():
                raise JobCancelled()
            if last or (plan.preview and prior_index == 0):
                progress(counter.done_before / counter.total, level_of_prior(prior_index, n_priors), "decode")
                audio = (streamer.audio() if streamer is not None
                         else _decode_from(loaded, tokens, prior_index, first[prior_index]))
                overlap = (given[prior_index] - first[prior_index]) * int(model.priors[prior_index].raw_to_tokens)
                yield Output(final=last, level=level_of_prior(prior_index, n_priors), audio=audio[0],
                             variations=audio, codes=tokens if last else None, overlap=overlap)
    finally:
        counter.remove()
        _clear_caches(model)
        loaded.activate(None)
