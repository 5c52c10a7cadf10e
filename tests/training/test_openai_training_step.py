"""A training step moves the weights as OpenAI's does: three steps of train.py's loop on the same batch (OpenAI's
unmodified code made tests/fixtures/openai_reference/training, see the README there) give the same losses, gradient
norms, learning rates, weights and weight average, in float32, for every prior shape."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from openai_reference import REF, SHAPES, converted, npz

from jukebox_host.engine.loading import LoadedModel, load_model
from jukebox_host.engine.original_keys import transformers_key
from jukebox_host.training.lr_schedule import Schedule
from jukebox_host.training.optimiser import Optimisation
from jukebox_host.training.prior_step import PriorTrainer

TRAINING = REF / "training"
SETTINGS = json.loads((TRAINING / "settings.json").read_text())
# fixture key → (model shape to load, OpenAI level)
CASES = {"5b": ("5b", 2), "1b_lyrics": ("1b_lyrics", 2), "5b_lyrics": ("5b_lyrics", 2), "up1": ("5b", 1),
         "up0": ("5b", 0)}
RELATIVE = 1e-5


def _optimisation() -> Optimisation:
    t = SETTINGS["train"]
    schedule = Schedule(t["lr_warmup"], t["lr_decay"], t["lr_gamma"], t["lr_scale"], t["lr_use_linear_decay"],
                        t["lr_start_linear_decay"])
    return Optimisation(lr=t["lr"], beta1=t["beta1"], beta2=t["beta2"], eps=t["eps"],
                        weight_decay=t["weight_decay"], clip=t["clip"], schedule=schedule, ema_every=t["cpu_ema_freq"])


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("openai-training"))


def _close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= RELATIVE * max(1.0, abs(theirs))


@pytest.mark.parametrize("case", list(CASES))
def test_three_steps_match_openai(root: str, case: str) -> None:
    shape, level = CASES[case]
    assert shape in SHAPES
    loaded: LoadedModel = load_model(converted(shape, root), torch.device("cpu"), torch.float32)
    fixture = npz(TRAINING / f"prior_{case}.npz")
    rows = fixture["x"].shape[0]
    trainer = PriorTrainer(loaded.model, 2 - level, _optimisation(), batch_size=rows)
    x, y = torch.from_numpy(fixture["x"]), torch.from_numpy(fixture["y"])
    for step in range(SETTINGS["steps"]):
        report = trainer.step(x, y)
        assert not report.skipped
        for name in ("loss", "gen_loss", "prime_loss", "grad_norm", "lr"):
            assert _close(getattr(report, name), float(fixture[name][step])), (step, name, getattr(report, name),
                                                                                fixture[name][step])
    ours = {name: p for name, p in loaded.model.state_dict().items()}
    names: dict[int, list[str]] = {}  # a tied weight has two names
    for name, p in loaded.model.named_parameters(remove_duplicate=False):
        names.setdefault(id(p), []).append(name)
    file_name = f"prior_level_{level}.pth.tar"
    compared = 0
    for key in fixture:
        if not key.startswith("after/"):
            continue
        theirs = fixture[key]
        mine = ours[transformers_key(file_name, key.removeprefix("after/"))].numpy()
        scale = max(1.0, float(np.abs(theirs).max()))
        assert np.abs(mine.reshape(theirs.shape) - theirs).max() <= RELATIVE * scale, key
        compared += 1
    assert compared > 10
    if "ema_mu" in fixture:
        assert _close(trainer.optimiser.average.mu, float(fixture["ema_mu"]))
        average = trainer.optimiser.average
        by_name = {name: kept for p, kept in zip(average.params, average.average) for name in names[id(p)]}
        for name in fixture["ema_names"]:
            mine = by_name[transformers_key(file_name, str(name))].numpy()
            theirs = fixture[f"ema/{name}"]
            assert np.abs(mine.reshape(theirs.shape) - theirs).max() <= RELATIVE * max(1.0, np.abs(theirs).max())


def test_learning_rate_schedules_match_openai() -> None:
    for name, table in SETTINGS["lr_schedules"].items():
        s = table["settings"]
        schedule = Schedule(s["lr_warmup"], s["lr_decay"], s["lr_gamma"], s["lr_scale"], s["lr_use_linear_decay"],
                            s["lr_start_linear_decay"])
        assert [schedule.factor(step) for step in table["steps"]] == table["scale"], name
