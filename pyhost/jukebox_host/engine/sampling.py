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

from jukebox_host import constants as C
from jukebox_host.engine.chunked_decode import measure_context
from jukebox_host.engine.fidelity import song_length_range
from jukebox_host.engine.labels import make_labels
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.engine.streaming import ChunkFn, Streamer
from jukebox_host.errors import HostError, JobCancelled
from jukebox_host.protocol import DEFAULT_SONG_SECONDS

UPSAMPLER_TEMPERATURE = 0.99  # OpenAI's sample.py uses 0.99 for both upsamplers
# Priming chunk sizes as OpenAI's sample.py: 32 for the upsamplers and the 1b_lyrics top, 16 for the 5b tops.
CHUNK_SIZE = 32
CHUNK_SIZE_5B_TOP = 16

# (fraction 0..1, protocol level (2 = top), stage)
ProgressFn = Callable[[float, int, str], None]


@dataclass
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
    song_samples: int = int(DEFAULT_SONG_SECONDS * 44100)
    stream_seconds: float = 1.0  # with on_chunk: the least audio worth a chunk before the last one

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


def protocol_level(prior_index: int, n_priors: int) -> int:
    return n_priors - 1 - prior_index


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
            self.progress(min(fraction, 1.0), protocol_level(self.level, self.n_priors), "sample")

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
    start_level = len(model.priors) - 1 - prior_index
    with torch.no_grad():
        audio = model.vqvae.decode([tokens[prior_index]], start_level=start_level, end_level=start_level + 1)
    return audio[:, :, 0].float().cpu().numpy()


def sample_window(loaded: LoadedModel, tokens: list[torch.Tensor], labels: torch.Tensor, prior_index: int,
                  start: int, sample_tokens: int | None, temperature: float) -> list[torch.Tensor]:
    """OpenAI's sample_single_window: sample the window [start, start + n_ctx) (or up to `sample_tokens` of it),
    conditioned on the tokens already there, the upper level's codes for that window and the window's labels.
    transformers' own version inverts its `sample_tokens` test and so appends too many tokens to a partial window."""
    model = loaded.model
    prior = model.priors[prior_index]
    end = start + int(prior.n_ctx)
    previous = tokens[prior_index][:, start:end]
    wanted = end - start if sample_tokens is None else sample_tokens
    new_tokens = wanted - previous.shape[1]
    if new_tokens <= 0:
        return tokens
    conds = prior.get_music_tokens_conds(tokens, start, end)
    metadata = prior.get_metadata(labels, start, model.total_length, 0)
    chunk = CHUNK_SIZE_5B_TOP if prior_index == 0 and not prior.is_encoder_decoder else CHUNK_SIZE
    sampled = prior.sample(n_samples=previous.shape[0], music_tokens=previous, music_tokens_conds=conds,
                           metadata=metadata, temp=temperature, chunk_size=chunk, sample_tokens=sample_tokens)
    tokens = list(tokens)
    tokens[prior_index] = torch.cat([tokens[prior_index], sampled[:, -new_tokens:]], dim=1)
    return tokens


def sample_level(loaded: LoadedModel, tokens: list[torch.Tensor], labels: torch.Tensor, prior_index: int,
                 total_tokens: int, hop_fraction: float, temperature: float,
                 after_window: Callable[[torch.Tensor], None] | None = None) -> list[torch.Tensor]:
    """Sample `prior_index` up to `total_tokens` (prompt included), as OpenAI's sample_level: one partial window
    below n_ctx, else windows every hop, the last one ending at the total. after_window(codes of this level)
    follows every window (streaming)."""
    n_ctx = int(loaded.model.priors[prior_index].n_ctx)
    if tokens[prior_index].shape[1] >= total_tokens:
        starts: list[int | None] = []
    elif total_tokens < n_ctx:
        starts = [None]
    else:
        starts = list(window_starts(total_tokens, n_ctx, max(1, int(hop_fraction * n_ctx))))
    for start in starts:
        if start is None:
            tokens = sample_window(loaded, tokens, labels, prior_index, 0, total_tokens, temperature)
        else:
            tokens = sample_window(loaded, tokens, labels, prior_index, start, None, temperature)
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
        return float(model.config.hop_fraction[len(model.priors) - 1 - level])
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


def _streamer(loaded: LoadedModel, plan: Plan, prior_index: int, total_tokens: int, on_chunk: ChunkFn) -> Streamer:
    level = len(loaded.model.priors) - 1 - prior_index  # the VQ-VAE's numbering: 0 = bottom
    if level not in loaded.decode_contexts:  # measured once per model and level
        loaded.decode_contexts[level] = measure_context(loaded.model.vqvae, level)
    context = loaded.decode_contexts[level]
    chunk_codes = int(plan.stream_seconds * loaded.sample_rate) // context.hop
    return Streamer(loaded.model.vqvae, level, context, chunk_codes, total_tokens, on_chunk)


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
        progress(0.0, protocol_level(0, n_priors), "encode")
        usable = len(prompt) // top_raw * top_raw
        if usable == 0:
            raise HostError(C.ERR_BAD_AUDIO, f"the prompt must be at least {top_raw} samples at the model's rate")
        tokens = encode_prompt(loaded, prompt[:usable], plan.n_samples)
        if plan.mode == C.MODE_UPSAMPLE:
            total_samples = usable  # keep the top level as it is; re-sample the lower ones
            tokens = [tokens[0]] + empty[1:]
    model.total_length = plan.song_samples  # read by prior.get_metadata: the song's length, as OpenAI's labels
    targets = tokens_per_level(model, total_samples)
    expected = {i: max(0, targets[i] - tokens[i].shape[1]) for i in plan.levels}
    counter = _TokenCounter(loaded, expected, progress, cancel)
    try:
        for prior_index in plan.levels:
            loaded.activate(prior_index)
            counter.start_level(prior_index)
            temperature = plan.temperature if prior_index == 0 else UPSAMPLER_TEMPERATURE
            last = prior_index == plan.levels[-1]
            streamer = (_streamer(loaded, plan, prior_index, targets[prior_index], on_chunk)
                        if last and on_chunk is not None else None)
            with torch.inference_mode():  # less per-op bookkeeping than no_grad: measurable at ~10k ops a token
                tokens = sample_level(loaded, tokens, labels[prior_index], prior_index, targets[prior_index],
                                      _hop(plan, model, protocol_level(prior_index, n_priors)), temperature,
                                      streamer.update if streamer is not None else None)
                if streamer is not None:
                    streamer.update(tokens[prior_index])  # the rest, or all of it when nothing was sampled
            counter.finish_level()
            if cancel.is_set():
                raise JobCancelled()
            if last or (plan.preview and prior_index == 0):
                progress(counter.done_before / counter.total, protocol_level(prior_index, n_priors), "decode")
                audio = streamer.audio() if streamer is not None else decode(loaded, tokens, prior_index)
                yield Output(final=last, level=protocol_level(prior_index, n_priors), audio=audio[0],
                             variations=audio, codes=tokens if last else None)
    finally:
        counter.remove()
        _clear_caches(model)
        loaded.activate(None)
