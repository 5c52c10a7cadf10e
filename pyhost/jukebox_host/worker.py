"""The worker thread: takes jobs from the queue one at a time and runs them on the model (one GPU)."""

from __future__ import annotations

import logging
import threading
import time
import traceback

import numpy as np
import torch
import zmq

from jukebox_host import audio as A
from jukebox_host import constants as C
from jukebox_host.engine import sampling
from jukebox_host.engine.loading import ModelRegistry
from jukebox_host.errors import HostError, JobCancelled
from jukebox_host.jobs import Job, JobQueue
from jukebox_host.kept_codes import KeptCodes
from jukebox_host.protocol import GenerateRequest, check_result_fits, error_header, message, variation_frames
from jukebox_host.routing_ids import label
from jukebox_host.transport import Outbox

log = logging.getLogger("jukebox_host")


def describe_job(job: Job) -> str:
    """One log line's worth: whose job, what it asked for."""
    who = f"client {label(job.client)} job {job.request_id}"
    req = job.payload
    if not isinstance(req, GenerateRequest):
        return f"{who} {job.kind} {req}"
    sent = req.audio.shape[1] / req.sample_rate if req.sample_rate else 0.0
    return (f"{who} {req.mode} {req.model}: {sent:.2f} s in → {req.length:g} s (song {req.song_length:g} s), "
            f"levels {req.levels}, n_samples {req.n_samples}")


class Worker(threading.Thread):
    def __init__(self, queue: JobQueue, registry: ModelRegistry, context: zmq.Context, outbox_address: str,
                 preload: list[str]) -> None:
        super().__init__(name="jukebox-worker", daemon=True)
        self.queue = queue
        self.registry = registry
        self.context = context
        self.outbox_address = outbox_address
        self.preload = preload
        self.stopping = threading.Event()
        self.preloaded = threading.Event()
        self.outbox: Outbox | None = None
        self.kept = KeptCodes()  # each client's last result, for mode continue (only this thread uses it)

    def run(self) -> None:
        self.outbox = Outbox(self.context, self.outbox_address)
        try:
            for name in self.preload:
                try:
                    self.registry.get(name)
                    log.info("loaded %s", name)
                except HostError as exc:
                    log.error("could not preload %s: %s", name, exc.message)
            self.preloaded.set()
            while not self.stopping.is_set():
                job = self.queue.take(timeout=0.2)
                if job is not None:
                    self._run_job(job)
        finally:
            self.outbox.close()

    def _send(self, job: Job, header: dict, frames: list[bytes] | None = None) -> None:
        assert self.outbox is not None
        self.outbox.send(job.client, header, frames)

    def _run_job(self, job: Job) -> None:
        frames: list[bytes] | None = None
        started = time.perf_counter()
        try:
            if job.cancel.is_set():
                raise JobCancelled()
            if job.kind == C.TYPE_LOAD:
                loaded = self.registry.get(job.payload)
                last = message(C.TYPE_LOADED, job.request_id, model=job.payload, seconds=loaded.load_seconds)
            elif job.kind == C.TYPE_UNLOAD:
                self.registry.unload(job.payload)
                last = message(C.TYPE_UNLOADED, job.request_id, model=job.payload)
            else:
                last, frames = self._generate(job, job.payload)
        except JobCancelled:
            text = "the host is shutting down" if job.cancel_code == C.ERR_SHUTDOWN else "the job was cancelled"
            last = error_header(job.request_id, job.cancel_code, text)
        except HostError as exc:
            last = error_header(job.request_id, exc.code, exc.message)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            last = error_header(job.request_id, C.ERR_INTERNAL,
                                "out of GPU memory: ask for fewer seconds, fewer samples or fewer levels")
        except Exception as exc:  # the host keeps serving whatever a job does
            log.error("job %s failed:\n%s", job.request_id, traceback.format_exc())
            last = error_header(job.request_id, C.ERR_INTERNAL, f"{type(exc).__name__}: {exc}")
        log.info("%s: %s in %.1f s", describe_job(job), last.get("code", last["type"]), time.perf_counter() - started)
        # The job is over before its client hears so: a status sent right after never shows it running.
        self.queue.done(job)
        self._send(job, last, frames)

    def _generate(self, job: Job, req: GenerateRequest) -> tuple[dict, list[bytes]]:
        """Run the job, sending progress and any preview; return the final result message for the caller."""
        started = time.perf_counter()

        def progress(fraction: float, level: int, stage: str) -> None:
            self._send(job, message(C.TYPE_PROGRESS, job.request_id, fraction=float(fraction), level=level,
                                    stage=stage))

        kept = self.kept.get(job.client, req.model) if req.mode == C.MODE_CONTINUE else None
        if not self.registry.is_loaded(req.model):
            progress(0.0, 2, "load")
        loaded = self.registry.get(req.model)
        rate = loaded.sample_rate
        n_priors = len(loaded.model.priors)
        total = int(req.length * rate)
        if kept is not None:  # 'length' is what the continuation adds; the result is the whole, or that part
            total += kept.codes[0].shape[1] * int(loaded.model.priors[0].raw_to_tokens)
            if not req.new_only:
                _check_total(total / rate, req)
        position, song_samples = sampling.song_position(loaded, kept.start if kept is not None else 0, total,
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
        plan = sampling.Plan(
            mode=req.mode, total_samples=total, prompt_samples=prompt_samples, levels=levels,
            temperature=req.temperature, hop_fraction=req.hop_fraction, n_samples=req.n_samples, seed=req.seed,
            artist=req.artist, genre=req.genre, lyrics=req.lyrics, preview=req.preview,
            song_samples=song_samples, position=position, new_only=req.new_only,
        )
        codes = kept.codes if kept is not None else None
        # new_only: where the new audio starts in the codes given (the overlap before it is told in frames)
        piece_end = codes[0].shape[1] * int(loaded.model.priors[0].raw_to_tokens) if codes and req.new_only else 0
        chunks = _ChunkSender(self, job, req, rate, piece_end) if req.stream else None
        for output in sampling.run(loaded, plan, prompt, progress, job.cancel, codes, chunks):
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
                C.TYPE_RESULT, job.request_id, final=output.final, level=output.level,
                sample_rate=req.out_sample_rate, channels=channels, frames=frames, variations=variations,
                seconds=time.perf_counter() - started, **extra,
            )
            if output.final:
                assert output.codes is not None
                kept_codes, start = output.codes, position
                if req.new_only:  # a chain: keep what its next link needs, however long the piece grows
                    kept_codes, start = sampling.piece_tail(loaded, kept_codes, position)
                self.kept.put(job.client, req.model, kept_codes, start)
                return header, pcm
            self._send(job, header, pcm)
        raise RuntimeError("sampling ended without a final result")


class _ChunkSender:
    """Streaming (docs/PROTOCOL.md, "Streaming"): the final level's audio goes out in `chunk` messages as soon as
    it is final, converted by one resampler carried across chunks; the final result is these chunks joined."""

    def __init__(self, worker: Worker, job: Job, req: GenerateRequest, model_rate: int, piece_end: int) -> None:
        """piece_end: new_only, the model-rate sample where the continued piece ends (0 otherwise)."""
        self.worker, self.job, self.req = worker, job, req
        self.model_rate, self.piece_end = model_rate, piece_end
        self.delivery = A.StreamDelivery(model_rate, req.out_sample_rate, req.out_channels, req.n_samples)
        self.frames = 0  # sent so far, per variation
        self.overlap: dict[str, int] = {}  # new_only: {"overlap": frames}, told with every chunk

    def __call__(self, start: int, audio: np.ndarray) -> None:
        if self.req.new_only and not self.overlap:  # the first chunk starts where the overlap does
            self.overlap["overlap"] = _out_frames(self.piece_end - start, self.model_rate, self.req.out_sample_rate)
        self._send(self.delivery.push(audio))

    def _send(self, outs: list[np.ndarray]) -> None:
        if not outs or outs[0].shape[1] == 0:
            return
        header = message(C.TYPE_CHUNK, self.job.request_id, start=self.frames, frames=int(outs[0].shape[1]),
                         channels=int(outs[0].shape[0]), variations=len(outs), sample_rate=self.req.out_sample_rate,
                         **self.overlap)
        self.worker._send(self.job, header, variation_frames(outs))
        self.frames += int(outs[0].shape[1])

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
