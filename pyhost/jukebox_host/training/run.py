"""One training run of one prior: a folder of audio in, a model folder the host serves out, with a checkpoint and a
log a person can leave alone.

The run's folder holds: `data/` (the audio gathered once, audio_folder.py), `checkpoint.pt` (weights, Adam's moments,
the schedule, the weight average and the step, saved every `save_every` steps and when stopped), `log.jsonl` (one
line per step, one per test), `run.json` (what the run is: a resumed run must be the same run) and, at the end or
when stopped, `model/` (the base model with the trained prior in place, its weights the average, as OpenAI saves).

Everything random is drawn from the run's seed and the step number (the window shifts and blends) or happens once at
the start (a new prior's weights), so a run stopped and resumed gives the same losses as one that never stopped.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import torch

from jukebox_host.engine.labels import label_row, level_labels
from jukebox_host.engine.loading import LoadedModel, load_model
from jukebox_host.training import checkpoint
from jukebox_host.training.audio_folder import DataError, Usable, gather, opened
from jukebox_host.training.distributed import Group
from jukebox_host.training.new_prior import PriorShape, build_prior, new_prior_config
from jukebox_host.training.optimiser import Optimisation
from jukebox_host.training.prior_loss import prior_loss
from jukebox_host.training.prior_step import PriorTrainer, StepReport, blend_to_mono
from jukebox_host.training.windows import Windows

RUN_FILE, LOG_FILE, MODEL_FOLDER, DATA_FOLDER, SAMPLES_FOLDER = "run.json", "log.jsonl", "model", "data", "samples"


class RunError(Exception):
    """A run that cannot start or go on; the message is the one line the user sees."""


@dataclass(frozen=True)
class RunSettings:
    base: str  # the model the prior belongs to: a folder or a Hugging Face id, as `serve --model`
    data: str  # the folder of audio
    out: str  # the run's folder
    prior_index: int  # transformers' order: 0 is the top
    new_prior: PriorShape | None  # None: go on training the base model's own prior (fine-tuning)
    steps: int
    batch: int = 1
    seed: int = 0
    save_every: int = 1000
    test_every: int = 0  # 0: no test loss
    sample_every: int = 0  # 0: no samples; else a window sampled every so many steps, into samples/
    aug_shift: bool = True
    aug_blend: bool = True
    artist: str = "unknown"  # labels, for a prior that reads them (a fine-tuned released prior)
    genre: str = "unknown"
    optimisation: Optimisation = field(default_factory=Optimisation)
    device: str = "cpu"

    def identity(self) -> dict[str, Any]:
        """What must not change when a run is resumed."""
        return dict(base=self.base, prior_index=self.prior_index,
                    new_prior=None if self.new_prior is None else asdict(self.new_prior), batch=self.batch,
                    seed=self.seed, aug_shift=self.aug_shift, aug_blend=self.aug_blend, artist=self.artist,
                    genre=self.genre, optimisation=json.loads(json.dumps(asdict(self.optimisation))))


@dataclass(frozen=True)
class RunResult:
    steps_done: int
    stopped: bool  # by Ctrl-C
    model_folder: Path
    last: StepReport | None


class _Stop:
    """Ctrl-C asks the run to stop after the step in progress (and save); a second Ctrl-C stops at once."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.asked = False
        self.say = say

    def __call__(self, signum: int, frame: Any) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True
        self.say("stopping after this step and saving (Ctrl-C again to stop at once, losing this step)")


@contextmanager
def _ctrl_c(stop: _Stop) -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGINT, stop)
    except ValueError:  # not the main thread: no Ctrl-C to catch
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Run:
    def __init__(self, settings: RunSettings, resume: bool, say: Callable[[str], None],
                 group: Group | None = None) -> None:
        """group: the processes training together (torchrun); the first writes the run's files."""
        self.settings = settings
        self.group = group = group or Group()
        self.say = say if group.main else (lambda _: None)
        self.folder = Path(settings.out)
        if group.main:
            self._check_folder(resume)
        self.loaded = self._load_base()
        prior = self.loaded.model.priors[settings.prior_index]
        self.length = int(prior.n_ctx * prior.raw_to_tokens)
        self.rate = int(self.loaded.model.config.sampling_rate)
        data = self.folder / DATA_FOLDER
        try:
            if group.main and not resume:
                gather(Path(settings.data), data, self.rate, self._usable(), self.say)
            group.barrier()
            self.windows = Windows(opened(data), self.length)
        except (DataError, ValueError) as exc:
            raise RunError(str(exc)) from None
        self.trainer = PriorTrainer(self.loaded.model, settings.prior_index, settings.optimisation, settings.batch,
                                    devices=group.world)
        self.step = 0
        if resume:
            self._restore(checkpoint.load(self.folder))
        elif group.main:
            checkpoint.write_json(self.folder / RUN_FILE, settings.identity())
            (self.folder / LOG_FILE).write_text("")
        self._label_row = self._labels()

    # ---- setting up ------------------------------------------------------------------------------------------

    def _check_folder(self, resume: bool) -> None:
        if resume:
            if not checkpoint.exists(self.folder):
                raise RunError(f"{self.folder} holds no run to resume (no {checkpoint.CHECKPOINT})")
            saved = json.loads((self.folder / RUN_FILE).read_text())
            if saved != self.settings.identity():
                changed = sorted(k for k in saved if saved[k] != self.settings.identity().get(k))
                raise RunError(f"--resume must repeat the run's settings; these differ: {', '.join(changed)}")
            return
        if checkpoint.exists(self.folder):
            step = int(checkpoint.load(self.folder)["step"])
            raise RunError(f"{self.folder} holds a run (at step {step}): give --resume to go on with it, or "
                           "choose another folder (nothing was changed)")
        if self.folder.exists() and any(self.folder.iterdir()):
            raise RunError(f"{self.folder} exists and is not empty; choose a new folder for the run")
        self.folder.mkdir(parents=True, exist_ok=True)

    def _load_base(self) -> LoadedModel:
        s = self.settings
        loaded = load_model(s.base, torch.device(s.device), torch.float32)
        count = len(loaded.model.priors)
        if not 0 <= s.prior_index < count:
            raise RunError(f"the model has {count} levels; no level {s.prior_index}")
        if s.new_prior is not None:
            try:
                config = new_prior_config(loaded.model.config.prior_configs[s.prior_index], s.new_prior)
            except ValueError as exc:
                raise RunError(str(exc)) from None
            prior = build_prior(config, s.prior_index, s.seed).to(s.device)
            loaded.model.priors[s.prior_index] = prior
            loaded.model.config.prior_configs[s.prior_index] = config
            if s.prior_index == 0:  # the model's song length range is the top's (set_shared_params copies it)
                loaded.model.config.min_duration = config.min_duration
        return loaded

    def _usable(self) -> Usable:
        window = Usable(self.length, "one training window")
        prior = self.loaded.model.priors[self.settings.prior_index]
        if not (prior.metadata_conditioning and not prior.audio_conditioning):
            return window  # only a top prior reads the song's length
        config = prior.config
        shortest = max(self.length, math.ceil(config.min_duration * self.rate))
        reason = window.min_reason if shortest == self.length else \
            f"the shortest song this prior's labels can say ({config.min_duration:g} s)"
        return Usable(shortest, reason, int(config.max_duration * self.rate),
                      f"the longest song its labels can say ({config.max_duration:g} s)")

    def _labels(self) -> torch.Tensor:
        """The label row of every window (lengths and offset filled per window); unused by a prior without labels."""
        prior = self.loaded.model.priors[self.settings.prior_index]
        if not prior.metadata_conditioning:
            return torch.zeros(5, dtype=torch.long)
        level = level_labels(self.loaded.model, self.loaded.tokenizer)[self.settings.prior_index]
        return torch.tensor(label_row(self.loaded.tokenizer, level, self.settings.artist, self.settings.genre, ""))

    def _restore(self, state: dict[str, Any]) -> None:
        prior = self.loaded.model.priors[self.settings.prior_index]
        prior.load_state_dict(state["prior"])
        self.trainer.optimiser.load_state_dict(state)
        self.step = int(state["step"])
        if self.group.main:
            _truncate_log(self.folder / LOG_FILE, self.step)
        self.say(f"resumed at step {self.step}")

    # ---- the batches -----------------------------------------------------------------------------------------

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | float]:
        """This process's share of step `step`'s audio (batch, length, 2), labels and blend: a function of the seed
        and the step alone. The whole batch is drawn as one process at batch × processes would draw it."""
        s, w = self.settings, self.windows
        whole = s.batch * self.group.world
        per_epoch = w.train_items // whole
        if per_epoch < 1:
            raise RunError(f"{w.train_items} training windows cannot fill a batch of {whole}")
        order = w.epoch_order(s.seed, step // per_epoch)
        items = order[(step % per_epoch) * whole:][:whole]
        rng = np.random.default_rng([s.seed, step, 1])
        half = self.length // 2
        shifts = rng.integers(-half, half, size=whole) if s.aug_shift else np.zeros(whole, dtype=np.int64)
        mixes = rng.random((whole, 1)).astype(np.float32) if s.aug_blend else None
        mine = slice(self.group.rank * s.batch, (self.group.rank + 1) * s.batch)
        windows = [w.window(int(item), int(shift)) for item, shift in zip(items[mine], shifts[mine])]
        mix: torch.Tensor | float = 0.5 if mixes is None else torch.from_numpy(mixes[mine])
        return self._audio_and_labels(windows) + (mix,)

    def _audio_and_labels(self, windows: list[Any]) -> tuple[torch.Tensor, torch.Tensor]:
        audio = torch.from_numpy(np.stack([self.windows.audio_of(win) for win in windows]))
        rows = self._label_row.repeat(len(windows), 1)
        for row, win in zip(rows, windows):
            row[0], row[1], row[2] = self.windows.song_frames(win), win.offset, self.length
        prior = self.loaded.model.priors[self.settings.prior_index]
        if prior.metadata_conditioning:
            rows, _ = prior.set_metadata_lyric_tokens(rows)
        device = torch.device(self.settings.device)
        return audio.to(device), rows.to(device)

    # ---- running ---------------------------------------------------------------------------------------------

    def test_loss(self) -> float | None:
        """The mean loss over the test windows (unshifted, blended 0.5/0.5), or None when there are none."""
        items = list(self.windows.test_items())
        if not items:
            return None
        prior = self.loaded.model.priors[self.settings.prior_index]
        prior.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for first in range(0, len(items), self.settings.batch):
                windows = [self.windows.window(i) for i in items[first:first + self.settings.batch]]
                audio, rows = self._audio_and_labels(windows)
                tokens, conds = self.trainer.encode(blend_to_mono(audio))
                total += float(prior_loss(prior, tokens, conds, rows).loss) * len(windows)
                count += len(windows)
        prior.train()
        return total / count

    def sample(self) -> Path:
        """One window sampled from the prior so far (its averaged weights, as OpenAI's sample_prior), temperature 1,
        decoded at its own level: samples/step_N.wav, to hear how the run is going. An upsampler is conditioned on the
        codes of the current batch's first window (the level above's)."""
        prior = self.loaded.model.priors[self.settings.prior_index]
        audio, labels, _ = self.batch(self.step)
        torch.manual_seed(self.settings.seed + self.step)
        self.trainer.optimiser.average.swap()
        prior.eval()
        try:
            with torch.no_grad():
                _, conds = self.trainer.encode(blend_to_mono(audio[:1]))
                codes = prior.sample(1, music_tokens=None, music_tokens_conds=conds, metadata=labels[:1], temp=1.0,
                                     sample_tokens=prior.n_ctx)
                level = self.trainer.level
                wave = self.loaded.model.vqvae.decode([codes], start_level=level, end_level=level + 1)
        finally:
            prior.train()
            self.trainer.optimiser.average.swap()
        folder = self.folder / SAMPLES_FOLDER
        folder.mkdir(exist_ok=True)
        target = folder / f"step_{self.step:06d}.wav"
        sf.write(target, wave[0, :, 0].float().cpu().numpy(), self.rate, subtype="FLOAT")
        return target

    def save(self) -> None:
        """The checkpoint of this step; when it cannot be written the run stops, the last one kept whole."""
        if not self.group.main:
            return
        try:
            self._write_checkpoint()
        except checkpoint.SaveError as exc:
            kept = int(checkpoint.load(self.folder)["step"]) if checkpoint.exists(self.folder) else None
            raise RunError(f"{exc}; " + (f"the checkpoint of step {kept} is kept: make room and give --resume"
                                         if kept is not None else "nothing was saved")) from None

    def _write_checkpoint(self) -> None:
        prior = self.loaded.model.priors[self.settings.prior_index]
        checkpoint.save(self.folder, dict(step=self.step, prior=prior.state_dict(),
                                          **self.trainer.optimiser.state_dict()))

    def export(self) -> Path:
        """The model folder the host serves: the base model with the trained prior, its weights the average."""
        target = self.folder / MODEL_FOLDER
        partial = self.folder / (MODEL_FOLDER + ".part")
        shutil.rmtree(partial, ignore_errors=True)
        self.trainer.optimiser.average.swap()
        try:
            self.loaded.model.save_pretrained(partial, safe_serialization=False)  # tied weights (trap 2)
            self.loaded.tokenizer.save_pretrained(partial)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(partial, target)
        except (OSError, RuntimeError) as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise RunError(f"cannot write the model folder {target}: {checkpoint.reason(exc)}; the checkpoint "
                           f"of step {self.step} is kept: make room and give --resume") from None
        finally:
            self.trainer.optimiser.average.swap()
        return target

    def run(self, progress: bool = True) -> RunResult:
        from tqdm import tqdm

        s, group = self.settings, self.group
        stop = _Stop(self.say)
        last: StepReport | None = None
        tokens = s.batch * group.world * self.loaded.model.priors[s.prior_index].n_ctx
        bar = tqdm(total=s.steps, initial=self.step, disable=not (progress and group.main), unit="step",
                   dynamic_ncols=True)
        stopped = False
        with _ctrl_c(stop), open(self.folder / LOG_FILE if group.main else os.devnull, "a") as log:
            while self.step < s.steps and not stopped:
                started = time.perf_counter()
                report = self.trainer.step(*self.batch(self.step))
                # the whole batch's losses (the gradient norm is already the whole batch's: gradients are averaged)
                last = replace(report, loss=group.mean(report.loss), gen_loss=group.mean(report.gen_loss),
                               prime_loss=group.mean(report.prime_loss))
                seconds = time.perf_counter() - started
                self.step += 1
                entry = dict(step=self.step, **asdict(last), seconds=round(seconds, 4),
                             tokens_per_s=round(tokens / seconds, 1))
                if s.test_every and self.step % s.test_every == 0 and group.main:
                    entry["test_loss"] = self.test_loss()
                if s.sample_every and self.step % s.sample_every == 0 and group.main:
                    entry["sample"] = str(self.sample().relative_to(self.folder))
                log.write(json.dumps(entry) + "\n")
                log.flush()
                bar.set_postfix(loss=f"{last.loss:.3f}", lr=f"{last.lr:.2e}", refresh=False)
                bar.update()
                if last.skipped:
                    self.say(f"step {self.step}: gradient norm {last.grad_norm}; the step was skipped")
                if self.step % s.save_every == 0 and self.step < s.steps:
                    self.save()
                stopped = group.mean(float(stop.asked)) > 0  # every process stops at the same step
        bar.close()
        self.save()
        folder = self.export() if group.main else self.folder / MODEL_FOLDER
        group.barrier()
        if stopped and self.step < s.steps:
            self.say(f"stopped at step {self.step} of {s.steps}; saved. Give the same command with --resume to go on")
        return RunResult(self.step, stopped and self.step < s.steps, folder, last)



def _truncate_log(path: Path, step: int) -> None:
    """Lines past the checkpoint's step were written by the steps a resumed run does again."""
    if not path.exists():
        return
    kept = [line for line in path.read_text().splitlines() if line and json.loads(line)["step"] <= step]
    path.write_text("".join(line + "\n" for line in kept))
