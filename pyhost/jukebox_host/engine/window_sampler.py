"""Sampling one window of one level, and watching the tokens as they are sampled.

We drive transformers' per-window routine ourselves instead of calling model.primed_sample()/_sample():
- primed_sample() hands the VQ-VAE's codes (bottom level first) to priors ordered top first (trap 3);
- _sample() counts new tokens below n_ctx but total tokens above it, and writes files by default (trap 5);
- the bottom level's temperature is fixed inside _sample (trap 7).
Progress and cancel come from a forward hook on each prior's output projection (no callback exists).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import torch

from jukebox_host.engine.levels import level_of_prior
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.engine.plan import ProgressFn
from jukebox_host.engine.schedule import Window
from jukebox_host.wire.errors import JobCancelled

# Priming chunk sizes as OpenAI's sample.py: 32 for the upsamplers and the 1b_lyrics top, 16 for the 5b tops.
CHUNK_SIZE = 32
CHUNK_SIZE_5B_TOP = 16


def sample_window(loaded: LoadedModel, tokens: list[torch.Tensor], labels: torch.Tensor, window: Window,
                  temperature: float, offset: int = 0) -> list[torch.Tensor]:
    """OpenAI's sample_single_window: sample the window [start, start + n_ctx) (or up to `sample_tokens` of it),
    conditioned on the tokens already there, the upper level's codes for that window and the window's labels.
    transformers' own version inverts its `sample_tokens` test and so appends too many tokens to a partial window.
    offset: codes of this level in the song before tokens[prior_index][:, 0] (labels say where the window is)."""
    model = loaded.model
    prior_index, start, sample_tokens = window.prior_index, window.start, window.sample_tokens
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


class TokenCounter:
    """Counts sampled tokens per prior through a forward hook, for progress over the whole job whatever the order
    of the windows; raises to cancel at the next step."""

    def __init__(self, loaded: LoadedModel, expected: dict[int, int], progress: ProgressFn,
                 cancel: threading.Event) -> None:
        self.expected = expected
        self.total = max(1, sum(expected.values()))
        self.counts = dict.fromkeys(expected, 0)
        self.progress = progress
        self.cancel = cancel
        self.n_priors = len(loaded.model.priors)
        self.last_sent = -1.0
        self.handles = [prior.prior.fc_proj_out.register_forward_hook(partial(self._hook, index))
                        for index, prior in enumerate(loaded.model.priors)]

    @property
    def fraction(self) -> float:
        return min(1.0, sum(self.counts.values()) / self.total)

    def _hook(self, prior_index: int, _module: Any, _inputs: Any, output: torch.Tensor) -> None:
        if self.cancel.is_set():
            raise JobCancelled()
        if output.shape[1] != 1 or prior_index not in self.counts:  # a priming chunk, not a sampled token
            return
        wanted = self.expected[prior_index]
        self.counts[prior_index] = min(self.counts[prior_index] + 1, wanted)
        fraction = self.fraction
        if fraction - self.last_sent >= 0.01 or self.counts[prior_index] == wanted:
            self.last_sent = fraction
            self.progress(fraction, level_of_prior(prior_index, self.n_priors), "sample")

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def clear_caches(model: Any) -> None:
    """After a cancel the attention cache is stale (sample_t stays where it stopped): always clear it."""
    for prior in model.priors:
        prior.prior.transformer.del_cache()
        encoder = getattr(prior, "encoder", None)
        if encoder is not None:
            encoder.transformer.del_cache()


class TokenTap:
    """The codes one prior has sampled so far in its running window, as they are sampled, and a pause after each:
    what lets a level below start before a window above ends (conductor.py).

    transformers' loop returns a window's codes only at its end; but it embeds each sampled token at the next step,
    so a pre-hook on the prior's token embedding sees every token but the window's last one (the last comes with
    the window's result). Embeddings before the window's first sampled token (its priming, the last given code)
    are not taken. An encoder-decoder top embeds music codes shifted past the lyric vocabulary: shifted back, as
    transformers' prior_postprocess does."""

    def __init__(self, prior: Any, on_token: Callable[[], None]) -> None:
        self.prior = prior
        self.on_token = on_token
        self.shift = int(prior.embed_dim_shift[1]) if getattr(prior, "is_encoder_decoder", False) else 0
        self.steps = 0
        self.captured: list[torch.Tensor] = []
        self.handles = [prior.prior.embed_tokens.register_forward_pre_hook(self._embedded),
                        prior.prior.fc_proj_out.register_forward_hook(self._predicted)]

    def _embedded(self, _module: Any, inputs: tuple[torch.Tensor, ...]) -> None:
        if self.steps:  # a sampled token, embedded for the next step
            self.captured.append(torch.clamp(inputs[0].reshape(inputs[0].shape[0], -1) - self.shift, min=0))

    def _predicted(self, _module: Any, _inputs: Any, output: torch.Tensor) -> None:
        if output.shape[1] == 1:  # a token's step (a priming chunk predicts many)
            self.steps += 1
            self.on_token()

    def held(self, committed: torch.Tensor) -> int:
        """Codes of this level that can no longer change: those committed and those sampled in the window."""
        return committed.shape[1] + len(self.captured)

    def live(self, committed: torch.Tensor) -> torch.Tensor:
        return torch.cat([committed, *self.captured], dim=1) if self.captured else committed

    def start_window(self) -> None:
        self.steps = 0
        self.captured = []

    def end_window(self, sampled: torch.Tensor) -> None:
        """sampled: the window's new codes. What was taken must be them (the last one aside), or the levels below
        were conditioned on codes that are not the result's."""
        taken = self.live(sampled[:, :0])
        if not torch.equal(taken, sampled[:, : taken.shape[1]]):
            raise RuntimeError("the codes seen while sampling differ from the window's result")
        self.start_window()

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
