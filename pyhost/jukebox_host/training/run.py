"""One training run of one part of a model (a prior, prior_part.py, or the VQ-VAE, vqvae_part.py): a folder of audio
in, a model folder the host serves out, with a checkpoint and a log a person can leave alone.

The run's folder holds: `data/` (the audio gathered once, audio_folder.py), `checkpoint.pt` (weights, Adam's moments,
the schedule, the weight average and the step, saved every `save_every` steps and when stopped), `log.jsonl` (one
line per step, one per test), `run.json` (what the run is: a resumed run must be the same run) and, at the end or
when stopped, `model/` (the base model with the trained part in place, its weights the average, as OpenAI saves).

Everything random is drawn from the run's seed and the step number (the window shifts and blends) or happens once at
the start (a new part's weights), so a run stopped and resumed gives the same losses as one that never stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import torch

from jukebox_host.engine.loading import load_model
from jukebox_host.training import checkpoint
from jukebox_host.training.audio_folder import DataError, gather, opened
from jukebox_host.training.distributed import Group
from jukebox_host.training.new_prior import PriorShape
from jukebox_host.training.optimiser import Optimisation
from jukebox_host.training.prior_part import PartError, PriorPart
from jukebox_host.training.vqvae_part import VQVAEPart
from jukebox_host.training.windows import Window, Windows

RUN_FILE, LOG_FILE, MODEL_FOLDER, DATA_FOLDER, SAMPLES_FOLDER = "run.json", "log.jsonl", "model", "data", "samples"


class RunError(Exception):
    """A run that cannot start or go on; the message is the one line the user sees."""


@dataclass(frozen=True)
class RunSettings:
    base: str  # the model the part belongs to: a folder or a Hugging Face id, as `serve --model`
    data: str  # the folder of audio
    out: str  # the run's folder
    prior_index: int  # transformers' order: 0 is the top
    # None: go on training the base model's own part (fine-tuning); else a new prior of this shape or, for the
    # VQ-VAE, a new one of the model's shape
    new_prior: PriorShape | None
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
    part: str = "prior"  # or "vqvae"
    checkpointing: bool = False  # a prior's blocks recompute their forward in backward (OpenAI's c_res=1)
    vqvae_window: int = 262144  # samples per VQ-VAE training window (OpenAI's README trains small_vqvae so)
    bandwidth_seconds: float = 600.0  # of material the VQ-VAE's loss scale is measured over (OpenAI: 600)

    def identity(self) -> dict[str, Any]:
        """What must not change when a run is resumed."""
        return dict(base=self.base, part=self.part, prior_index=self.prior_index, vqvae_window=self.vqvae_window,
                    new_prior=None if self.new_prior is None else asdict(self.new_prior), batch=self.batch,
                    seed=self.seed, aug_shift=self.aug_shift, aug_blend=self.aug_blend, artist=self.artist,
                    genre=self.genre, optimisation=json.loads(json.dumps(asdict(self.optimisation))))


@dataclass(frozen=True)
class RunResult:
    steps_done: int
    stopped: bool  # by Ctrl-C
    model_folder: Path
    last_loss: float | None


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
        self.loaded = load_model(settings.base, torch.device(settings.device), torch.float32)
        try:
            part = VQVAEPart if settings.part == "vqvae" else PriorPart
            self.part: PriorPart | VQVAEPart = part(self.loaded, settings, group.world)
        except PartError as exc:
            raise RunError(str(exc)) from None
        self.length = self.part.length
        self.rate = int(self.loaded.model.config.sampling_rate)
        data = self.folder / DATA_FOLDER
        try:
            if group.main and not resume:
                gather(Path(settings.data), data, self.rate, self.part.usable(self.rate), self.say)
            group.barrier()
            self.windows = Windows(opened(data), self.length)
        except (DataError, ValueError) as exc:
            raise RunError(str(exc)) from None
        self.part.prepare(self.windows)
        self.optimiser = self.part.trainer.optimiser  # type: ignore[union-attr]
        self.step = 0
        if resume:
            self._restore(checkpoint.load(self.folder))
        elif group.main:
            checkpoint.write_json(self.folder / RUN_FILE, settings.identity())
            (self.folder / LOG_FILE).write_text("")

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

    def _restore(self, state: dict[str, Any]) -> None:
        self.part.load_state_dict(state)
        self.optimiser.load_state_dict(state)
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

    def _audio_and_labels(self, windows: list[Window]) -> tuple[torch.Tensor, torch.Tensor]:
        audio = torch.from_numpy(np.stack([self.windows.audio_of(win) for win in windows]))
        labels = self.part.labels(windows, [self.windows.song_frames(win) for win in windows])
        device = torch.device(self.settings.device)
        return audio.to(device), labels.to(device)

    # ---- running ---------------------------------------------------------------------------------------------

    def test_loss(self) -> float | None:
        """The mean loss over the test windows (unshifted, blended 0.5/0.5), or None when there are none."""
        items = list(self.windows.test_items())
        if not items:
            return None
        module = self.part.module()
        module.eval()
        total, count = 0.0, 0
        try:
            with torch.no_grad():
                for first in range(0, len(items), self.settings.batch):
                    windows = [self.windows.window(i) for i in items[first:first + self.settings.batch]]
                    total += self.part.test_loss(*self._audio_and_labels(windows)) * len(windows)
                    count += len(windows)
        finally:
            module.train()
        return total / count

    def sample(self) -> list[Path]:
        """What the part makes so far, from its averaged weights (as OpenAI's sample_prior): samples/step_N*.wav,
        to hear how the run is going (prior_part.py and vqvae_part.py say what each writes)."""
        audio, labels, _ = self.batch(self.step)
        torch.manual_seed(self.settings.seed + self.step)
        module = self.part.module()
        self.optimiser.average.swap()
        module.eval()
        try:
            with torch.no_grad():
                waves = self.part.sample(audio, labels)
        finally:
            module.train()
            self.optimiser.average.swap()
        folder = self.folder / SAMPLES_FOLDER
        folder.mkdir(exist_ok=True)
        written = []
        for suffix, wave in waves:
            written.append(folder / f"step_{self.step:06d}{suffix}.wav")
            sf.write(written[-1], wave, self.rate, subtype="FLOAT")
        return written

    def save(self) -> None:
        """The checkpoint of this step; when it cannot be written the run stops, the last one kept whole."""
        if not self.group.main:
            return
        try:
            checkpoint.save(self.folder, dict(step=self.step, **self.part.state_dict(),
                                              **self.optimiser.state_dict()))
        except checkpoint.SaveError as exc:
            kept = int(checkpoint.load(self.folder)["step"]) if checkpoint.exists(self.folder) else None
            raise RunError(f"{exc}; " + (f"the checkpoint of step {kept} is kept: make room and give --resume"
                                         if kept is not None else "nothing was saved")) from None

    def export(self) -> Path:
        """The model folder the host serves: the base model with the trained part, its weights the average."""
        target = self.folder / MODEL_FOLDER
        partial = self.folder / (MODEL_FOLDER + ".part")
        shutil.rmtree(partial, ignore_errors=True)
        self.optimiser.average.swap()
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
            self.optimiser.average.swap()
        return target

    def run(self, progress: bool = True) -> RunResult:
        from tqdm import tqdm

        s, group = self.settings, self.group
        stop = _Stop(self.say)
        last_loss: float | None = None
        unit = getattr(self.part, "unit", "tokens")
        per_step = s.batch * group.world * self.part.tokens_per_window
        bar = tqdm(total=s.steps, initial=self.step, disable=not (progress and group.main), unit="step",
                   dynamic_ncols=True)
        stopped = False
        with _ctrl_c(stop), open(self.folder / LOG_FILE if group.main else os.devnull, "a") as log:
            while self.step < s.steps and not stopped:
                started = time.perf_counter()
                report = self.part.step(*self.batch(self.step))
                # the whole batch's losses (the gradient norm is already the whole batch's: gradients are averaged)
                for key, value in report.items():
                    if key not in ("grad_norm", "lr", "skipped"):
                        report[key] = group.mean(float(value))
                last_loss = report["loss"]
                seconds = time.perf_counter() - started
                self.step += 1
                entry = dict(step=self.step, **report, seconds=round(seconds, 4))
                entry[f"{unit}_per_s"] = round(per_step / seconds, 1)
                if s.test_every and self.step % s.test_every == 0 and group.main:
                    entry["test_loss"] = self.test_loss()
                if s.sample_every and self.step % s.sample_every == 0 and group.main:
                    entry["samples"] = [str(path.relative_to(self.folder)) for path in self.sample()]
                log.write(json.dumps(entry) + "\n")
                log.flush()
                bar.set_postfix(loss=f"{report['loss']:.3f}", lr=f"{report['lr']:.2e}", refresh=False)
                bar.update()
                if report["skipped"]:
                    self.say(f"step {self.step}: gradient norm {report['grad_norm']}; the step was skipped")
                if self.step % s.save_every == 0 and self.step < s.steps:
                    self.save()
                stopped = group.mean(float(stop.asked)) > 0  # every process stops at the same step
        bar.close()
        self.save()
        folder = self.export() if group.main else self.folder / MODEL_FOLDER
        group.barrier()
        if stopped and self.step < s.steps:
            self.say(f"stopped at step {self.step} of {s.steps}; saved. Give the same command with --resume to go on")
        if s.part == "vqvae" and s.new_prior is not None:
            self.say("a new VQ-VAE makes new codes: this model's priors were trained on the old ones; train each "
                     f"level's prior again on {folder} (--model {folder} --level top|middle|bottom)")
        return RunResult(self.step, stopped and self.step < s.steps, folder, last_loss)


def _truncate_log(path: Path, step: int) -> None:
    """Lines past the checkpoint's step were written by the steps a resumed run does again."""
    if not path.exists():
        return
    kept = [line for line in path.read_text().splitlines() if line and json.loads(line)["step"] <= step]
    path.write_text("".join(line + "\n" for line in kept))
