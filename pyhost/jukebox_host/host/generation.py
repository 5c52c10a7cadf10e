"""One generate job on a loaded model, for whoever runs it: the host's worker thread, or a replica of a Ray
Serve pool (ray_backend.py). Messages go out through a send function as they are made."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from jukebox_host.engine import sampling
from jukebox_host.engine.continuation import new_only_overlap, piece_tail
from jukebox_host.engine.loading import ModelRegistry
from jukebox_host.engine.plan import Plan
from jukebox_host.engine.song_length import song_position
from jukebox_host.host import audio as A
from jukebox_host.host.kept_codes import Kept
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError
from jukebox_host.wire.protocol import GenerateRequest, check_result_fits, message, variation_frames

Send = Callable[[dict, "list[bytes] | None"], None]  # (header, PCM frames or None)


@dataclass
class Outcome:
    header: dict  # the final result message
    pcm: list[bytes]
    codes: list[torch.Tensor]  # what a later continue starts from (every level, top first)
    start: int  # model-rate samples of the piece before those codes


def generate(registry: ModelRegistry, req: GenerateRequest, request_id: int, kept: Kept | None,
             cancel: threading.Event, send: Send) -> Outcome:
    """Run one generate job: progress, previews and chunks go out through send(header, frames) as they come;
    the final result message is returned with what to keep for a later continue. kept: the codes a continue
    starts from (mode continue). Raises HostError or JobCancelled."""
    started = time.perf_counter()

    def progress(fraction: float, level: int, stage: str) -> None:
        send(message(C.TYPE_PROGRESS, request_id, fraction=float(fraction), level=level, stage=stage), None)

    if not registry.is_loaded(req.model):
        progress(0.0, 2, "load")
    loaded = registry.get(req.model)
    rate = loaded.sample_rate
    n_priors = len(loaded.model.priors)
    # continue: 'length' is what the continuation adds; the result is the whole, or that part (new_only)
    kept_samples = kept.codes[0].shape[1] * int(loaded.model.priors[0].raw_to_tokens) if kept is not None else 0
    total = int(req.length * rate) + kept_samples
    if kept is not None and not req.new_only:
        _check_total(total / rate, req)
    elif kept is not None:  # a chain link: the new audio and the overlap it re-makes travel together
        last = min(req.levels, n_priors) - 1
        overlap = new_only_overlap(loaded, kept.codes[0].shape[1], last)
        check_result_fits(req.length, req.out_sample_rate, req.out_channels, req.n_samples, extra=overlap / rate)
    position, song_samples = song_position(loaded, kept.start if kept is not None else 0, total,
                                           int(req.song_length * rate))
    prompt = None
    prompt_samples = 0
    if req.audio.shape[1] > 0 and req.mode not in (C.MODE_ANCESTRAL, C.MODE_CONTINUE):
        prompt = A.prepare_prompt(req.audio, req.sample_rate, rate)
        if req.prompt is not None:
            prompt = prompt[: int(round(req.prompt * rate))]
        prompt_samples = len(prompt)
    if req.mode == C.MODE_UPSAMPLE:
        levels = list(range(1, n_priors))
    else:
        levels = list(range(min(req.levels, n_priors)))
    plan = Plan(
        mode=req.mode, total_samples=total, prompt_samples=prompt_samples, levels=levels,
        temperature=req.temperature, hop_fraction=req.hop_fraction, n_samples=req.n_samples, seed=req.seed,
        artist=req.artist, genre=req.genre, lyrics=req.lyrics, preview=req.preview,
        song_samples=song_samples, position=position, new_only=req.new_only,
    )
    codes = kept.codes if kept is not None else None
    # new_only: where the new audio starts in the codes given (the overlap before it is told in frames)
    chunks = _ChunkSender(send, request_id, req, rate, kept_samples if req.new_only else 0) if req.stream else None
    for output in sampling.run(loaded, plan, prompt, progress, cancel, codes, chunks):
        streamed = output.final and chunks is not None
        if streamed:
            # The client holds the audio already: no message need carry it all, only what it amounts to.
            assert chunks is not None
            (channels, frames, variations), pcm = chunks.finish(), []
        else:
            outs = [A.deliver(v, rate, req.out_sample_rate, req.out_channels) for v in output.variations]
            channels, frames, variations = int(outs[0].shape[0]), int(outs[0].shape[1]), len(outs)
            pcm = variation_frames(outs)
        extra: dict = {"streamed": True} if streamed else {}
        if req.new_only:
            extra["overlap"] = _out_frames(output.overlap, rate, req.out_sample_rate)
        header = message(
            C.TYPE_RESULT, request_id, final=output.final, level=output.level,
            sample_rate=req.out_sample_rate, channels=channels, frames=frames, variations=variations,
            seconds=time.perf_counter() - started, **extra,
        )
        if output.final:
            assert output.codes is not None
            kept_codes, start = output.codes, position
            if req.new_only:  # a chain: keep what its next link needs, however long the piece grows
                kept_codes, start = piece_tail(loaded, kept_codes, position)
            return Outcome(header, pcm, kept_codes, start)
        send(header, pcm)
    raise RuntimeError("sampling ended without a final result")


class _ChunkSender:
    """Streaming (docs/PROTOCOL.md, "Streaming"): the final level's audio goes out in `chunk` messages as soon as
    it is final, converted by one resampler carried across chunks; the final result is these chunks joined."""

    def __init__(self, send: Send, request_id: int, req: GenerateRequest, model_rate: int, piece_end: int) -> None:
        """piece_end: new_only, the model-rate sample where the continued piece ends (0 otherwise)."""
        self.send, self.request_id, self.req = send, request_id, req
        self.model_rate, self.piece_end = model_rate, piece_end
        self.delivery = A.StreamDelivery(model_rate, req.out_sample_rate, req.out_channels, req.n_samples)
        self.frames = 0  # sent so far, per variation
        self.overlap: dict[str, int] = {}  # new_only: {"overlap": frames}, told with every chunk
        self.started = time.perf_counter()
        self.first: tuple[float, float] | None = None  # (when, final seconds) at the first chunk

    def __call__(self, start: int, audio: np.ndarray) -> None:
        if self.req.new_only and not self.overlap:  # the first chunk starts where the overlap does
            self.overlap["overlap"] = _out_frames(self.piece_end - start, self.model_rate, self.req.out_sample_rate)
        self._send(self.delivery.push(audio))

    def _send(self, outs: list[np.ndarray]) -> None:
        if not outs or outs[0].shape[1] == 0:
            return
        frames = int(outs[0].shape[1])
        header = message(C.TYPE_CHUNK, self.request_id, start=self.frames, frames=frames,
                         channels=int(outs[0].shape[0]), variations=len(outs), sample_rate=self.req.out_sample_rate,
                         **self.overlap, **self._final((self.frames + frames) / self.req.out_sample_rate))
        self.send(header, variation_frames(outs))
        self.frames += int(outs[0].shape[1])

    def _final(self, seconds: float) -> dict[str, float]:
        """How much final audio exists (sent, this chunk included) and how fast it grows, in seconds of audio
        per second: since the job started at the first chunk, since the first chunk after it (the wait for the
        first audio is not the pace of the rest). A player started now from the top never catches the writing
        when (length - final_seconds) / final_rate <= length (docs/PROTOCOL.md, "Streaming")."""
        now = time.perf_counter()
        if self.first is None:
            self.first = (now, seconds)
            rate = seconds / max(now - self.started, 1e-6)
        else:
            rate = (seconds - self.first[1]) / max(now - self.first[0], 1e-6)
        return {"final_seconds": round(seconds, 6), "final_rate": round(rate, 6)}

    def finish(self) -> tuple[int, int, int]:
        """Sends what the resampler still holds; returns the whole result's channels, frames and variations."""
        self._send(self.delivery.push(None))
        return self.req.out_channels, self.frames, self.req.n_samples


def _out_frames(samples: int, model_rate: int, out_rate: int) -> int:
    """Model-rate samples as frames of the result's rate (the resampler keeps durations)."""
    return int(round(samples * out_rate / model_rate))


def _check_total(seconds: float, req: GenerateRequest) -> None:
    """A continuation's whole result (kept + added) obeys the limits a fresh result does."""
    if seconds > C.MAX_OUTPUT_SECONDS:
        raise HostError(C.ERR_TOO_LARGE, f"the continued result would be {seconds:.1f} s; the limit is "
                                         f"{C.MAX_OUTPUT_SECONDS} s")
    check_result_fits(seconds, req.out_sample_rate, req.out_channels, req.n_samples)
