"""One job through the engine: primed continuation, ancestral generation, upsampling and continue around
transformers' Jukebox. Each stage is entered once on a job's path:

  the codes to start from (decoding.encode_prompt or continuation.continued_codes)
  → every window in the schedule's order (schedule.py), each sampled by window_sampler.sample_window with its
    level's random stream (random_streams.py); the last level's audio streamed as it becomes final
  → the preview (top level) and the final output decoded (decoding.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch

from jukebox_host.engine import schedule as S
from jukebox_host.engine.conductor import Conductor
from jukebox_host.engine.continuation import continued_codes, tokens_per_level
from jukebox_host.engine.decoding import decode_from, encode_prompt, first_new_output_code, streamer
from jukebox_host.engine.labels import make_labels
from jukebox_host.engine.levels import level_of_prior
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.engine.plan import Output, Plan, ProgressFn
from jukebox_host.engine.random_streams import LevelStreams
from jukebox_host.engine.song_length import check_song_length
from jukebox_host.engine.streaming import ChunkFn, Streamer
from jukebox_host.engine.window_sampler import TokenCounter, TokenTap, clear_caches, sample_window
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError, JobCancelled


@dataclass
class _Start:
    tokens: list[torch.Tensor]  # every level's codes to start from, top first
    total_samples: int  # model-rate samples of the result, whole top-level codes


def _starting_codes(loaded: LoadedModel, plan: Plan, prompt: np.ndarray | None, progress: ProgressFn,
                    codes: list[torch.Tensor] | None) -> _Start:
    model = loaded.model
    n_priors = len(model.priors)
    top_raw = int(model.priors[0].raw_to_tokens)
    total_samples = max(top_raw, plan.total_samples // top_raw * top_raw)
    empty = [torch.zeros(plan.n_samples, 0, dtype=torch.long, device=loaded.device) for _ in range(n_priors)]
    if codes is not None:
        return _Start(continued_codes(codes, plan.n_samples, loaded.device), total_samples)
    if plan.mode == C.MODE_ANCESTRAL or prompt is None:
        return _Start(empty, total_samples)
    progress(0.0, level_of_prior(0, n_priors), "encode")
    usable = len(prompt) // top_raw * top_raw
    if usable == 0:
        raise HostError(C.ERR_BAD_AUDIO, f"the prompt must be at least {top_raw} samples at the model's rate")
    tokens = encode_prompt(loaded, prompt[:usable], plan.n_samples)
    if plan.mode == C.MODE_UPSAMPLE:  # keep the top level as it is; re-sample the lower ones
        return _Start([tokens[0]] + empty[1:], usable)
    return _Start(tokens, total_samples)


def schedule_of(loaded: LoadedModel, plan: Plan) -> str:
    """The plan's schedule, unless the model can only run level by level (LoadedModel.schedule)."""
    return S.LEVEL_BY_LEVEL if S.LEVEL_BY_LEVEL in (loaded.schedule, plan.schedule) else S.PIPELINED


def job_windows(model: Any, plan: Plan, have: list[int], targets: list[int]) -> dict[int, list[S.Window]]:
    """Every window of every level the plan samples, from the codes given (`have`, per prior) to the targets.
    Needs only the model's shape (a model on the meta device will do: bench/first_audio.py)."""
    n_priors = len(model.priors)
    offsets = tokens_per_level(model, plan.position)
    windows = {}
    for prior_index in plan.levels:
        prior = model.priors[prior_index]
        n_ctx = int(prior.n_ctx)
        hop = max(1, int(plan.hop_of(model, level_of_prior(prior_index, n_priors)) * n_ctx))
        above = None if prior_index == 0 else int(prior.cond_downsample)
        above_total = 0 if prior_index == 0 else max(targets[prior_index - 1] if prior_index - 1 in plan.levels
                                                     else 0, have[prior_index - 1])
        windows[prior_index] = S.level_windows(prior_index, n_ctx, hop, have[prior_index], targets[prior_index],
                                               offsets[prior_index], above, above_total)
    return windows


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
    if plan.position % top_raw:
        raise ValueError("a piece's position is a whole number of top-level codes")
    check_song_length(loaded, plan.song_samples)
    labels = make_labels(model, loaded.tokenizer, plan.artist, plan.genre, plan.lyrics, plan.n_samples, loaded.device)
    start = _starting_codes(loaded, plan, prompt, progress, codes)
    tokens = start.tokens
    model.total_length = plan.song_samples  # read by prior.get_metadata: the song's length, as OpenAI's labels
    targets = tokens_per_level(model, start.total_samples)
    # new_only: the output starts where the codes given end (their top level says how far they reach), less the
    # overlap the decoder reaches back from the new codes.
    given = tokens_per_level(model, tokens[0].shape[1] * top_raw) if plan.new_only else [0] * n_priors
    first = [first_new_output_code(loaded, g, i) for i, g in enumerate(given)]
    offsets = tokens_per_level(model, plan.position)
    windows = job_windows(model, plan, [t.shape[1] for t in tokens], targets)
    last_level = plan.levels[-1]
    streams = LevelStreams(plan.seed, n_priors, loaded.device)
    counter = TokenCounter(loaded, {i: max(0, targets[i] - tokens[i].shape[1]) for i in plan.levels}, progress,
                           cancel)
    stream: Streamer | None = None
    if on_chunk is not None:
        stream = streamer(loaded, last_level, plan.stream_seconds, targets[last_level], first[last_level], on_chunk)

    codes = list(tokens)  # every level's codes so far, top first; a window replaces its level's
    taps: dict[int, TokenTap] = {}  # pipelined: the codes each level has sampled inside its running window

    def held(index: int) -> int:
        return taps[index].held(codes[index]) if index in taps else codes[index].shape[1]

    def sample_one(window: S.Window) -> None:
        """One window, its codes committed, the last level's final audio streamed. Pipelined, in its level's
        thread (inference mode is per thread); the level above may be inside a window: its codes so far."""
        index = window.prior_index
        view = list(codes)
        if index - 1 in taps:
            view[index - 1] = taps[index - 1].live(codes[index - 1])
        before = codes[index].shape[1]
        with torch.inference_mode():  # less per-op bookkeeping than no_grad: measurable at ~10k ops a token
            codes[index] = sample_window(loaded, view, labels[index], window, plan.temperature_of(index),
                                         offsets[index])[index]
            if index in taps:
                taps[index].end_window(codes[index][:, before:])
            if stream is not None and index == last_level:
                stream.update(codes[index])

    def output(prior_index: int) -> Output:
        final = prior_index == last_level
        progress(counter.fraction, level_of_prior(prior_index, n_priors), "decode")
        audio = (stream.audio() if final and stream is not None
                 else decode_from(loaded, codes, prior_index, first[prior_index]))
        overlap = (given[prior_index] - first[prior_index]) * int(model.priors[prior_index].raw_to_tokens)
        return Output(final=final, level=level_of_prior(prior_index, n_priors), audio=audio[0], variations=audio,
                      codes=codes if final else None, overlap=overlap)

    # The top level's audio as soon as it is complete (before any window when it has none to sample).
    preview = plan.preview and 0 in plan.levels and last_level != 0
    try:
        if preview and not windows[0]:
            yield output(0)
        if schedule_of(loaded, plan) == S.PIPELINED:
            conductor = Conductor(windows, plan.levels, held, streams)
            taps.update({i: TokenTap(model.priors[i], partial(conductor.token, i)) for i in plan.levels})
            with closing(conductor.run(sample_one)) as completed:  # closed early, its threads end
                for index in completed:
                    if preview and index == 0 and windows[0]:
                        yield output(0)
        else:
            active = None
            for window in S.level_by_level(windows, plan.levels):
                index = window.prior_index
                if index != active:  # with level-wise residency, moves this prior's weights onto the device
                    loaded.activate(index)
                    active = index
                with streams.drawing_for(index):
                    sample_one(window)
                if cancel.is_set():
                    raise JobCancelled()
                if preview and window.last and index == 0:
                    yield output(0)
        if stream is not None:
            with torch.inference_mode():
                stream.update(codes[last_level])  # the rest, or all of it when nothing was sampled
        yield output(last_level)
    finally:
        for tap in taps.values():
            tap.remove()
        counter.remove()
        clear_caches(model)
        loaded.activate(None)
