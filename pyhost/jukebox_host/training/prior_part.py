"""A run that trains one prior (run.py does the rest): the prior built or taken from the model, the song lengths its
labels can say, each window's label row, the step, the test loss, a sample of the prior so far, its checkpoint."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import numpy as np
import torch

from jukebox_host.engine.labels import label_row, level_labels
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.training.audio_folder import Usable
from jukebox_host.training.checkpointing import checkpoint_blocks
from jukebox_host.training.new_prior import build_prior, new_prior_config
from jukebox_host.training.prior_loss import prior_loss
from jukebox_host.training.prior_step import PriorTrainer, blend_to_mono
from jukebox_host.training.windows import Window, Windows


class PartError(Exception):
    """This part cannot be trained as asked; the message is the one line the user sees."""


class PriorPart:
    unit = "tokens"

    def __init__(self, loaded: LoadedModel, settings: Any, devices: int) -> None:
        """settings: run.py's RunSettings."""
        self.loaded = loaded
        self.index = settings.prior_index
        model = loaded.model
        if not 0 <= self.index < len(model.priors):
            raise PartError(f"the model has {len(model.priors)} levels; no level {self.index}")
        if settings.new_prior is not None:
            try:
                config = new_prior_config(model.config.prior_configs[self.index], settings.new_prior)
            except ValueError as exc:
                raise PartError(str(exc)) from None
            model.priors[self.index] = build_prior(config, self.index, settings.seed).to(settings.device)
            model.config.prior_configs[self.index] = config
            if self.index == 0:  # the model's song length range is the top's (set_shared_params copies it)
                model.config.min_duration = config.min_duration
        self.prior = model.priors[self.index]
        if settings.checkpointing:
            checkpoint_blocks(self.prior)
        self.length = int(self.prior.n_ctx * self.prior.raw_to_tokens)
        self.tokens_per_window = int(self.prior.n_ctx)
        self.trainer = PriorTrainer(model, self.index, settings.optimisation, settings.batch, devices=devices)
        self._row = self._label_row(settings.artist, settings.genre)

    def prepare(self, windows: Windows) -> None:
        """Nothing to measure in the material before a prior trains."""

    def usable(self, rate: int) -> Usable:
        window = Usable(self.length, "one training window")
        if not (self.prior.metadata_conditioning and not self.prior.audio_conditioning):
            return window  # only a top prior reads the song's length
        config = self.prior.config
        shortest = max(self.length, math.ceil(config.min_duration * rate))
        reason = window.min_reason if shortest == self.length else \
            f"the shortest song this prior's labels can say ({config.min_duration:g} s)"
        return Usable(shortest, reason, int(config.max_duration * rate),
                      f"the longest song its labels can say ({config.max_duration:g} s)")

    def _label_row(self, artist: str, genre: str) -> torch.Tensor:
        """Every window's label row (lengths and offset filled per window); unused by a prior without labels."""
        if not self.prior.metadata_conditioning:
            return torch.zeros(5, dtype=torch.long)
        level = level_labels(self.loaded.model, self.loaded.tokenizer)[self.index]
        return torch.tensor(label_row(self.loaded.tokenizer, level, artist, genre, ""))

    def labels(self, windows: list[Window], song_frames: list[int]) -> torch.Tensor:
        rows = self._row.repeat(len(windows), 1)
        for row, win, frames in zip(rows, windows, song_frames):
            row[0], row[1], row[2] = frames, win.offset, self.length
        if self.prior.metadata_conditioning:
            rows, _ = self.prior.set_metadata_lyric_tokens(rows)
        return rows

    def step(self, audio: torch.Tensor, labels: torch.Tensor, mix: torch.Tensor | float) -> dict[str, Any]:
        return asdict(self.trainer.step(audio, labels, mix))

    def test_loss(self, audio: torch.Tensor, labels: torch.Tensor) -> float:
        tokens, conds = self.trainer.encode(blend_to_mono(audio))
        return float(prior_loss(self.prior, tokens, conds, labels).loss)

    def sample(self, audio: torch.Tensor, labels: torch.Tensor) -> list[tuple[str, np.ndarray]]:
        """One window sampled from the prior so far (the caller swaps in the averaged weights, as OpenAI's
        sample_prior), temperature 1, decoded at its own level. An upsampler is conditioned on the codes of the
        given window (the level above's)."""
        _, conds = self.trainer.encode(blend_to_mono(audio[:1]))
        codes = self.prior.sample(1, music_tokens=None, music_tokens_conds=conds, metadata=labels[:1], temp=1.0,
                                  sample_tokens=self.prior.n_ctx)
        level = self.trainer.level
        wave = self.loaded.model.vqvae.decode([codes], start_level=level, end_level=level + 1)
        return [("", wave[0, :, 0].float().cpu().numpy())]

    def module(self) -> torch.nn.Module:
        return self.prior

    def state_dict(self) -> dict[str, Any]:
        return dict(prior=self.prior.state_dict())

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.prior.load_state_dict(state["prior"])
