"""Level-wise residency: one host copy per storage, one prior placed at a time, same results as all-resident.
(On this CPU-only machine the device is the CPU too; the CUDA copies and pinning run only on a GPU.)"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch
from plans import make_plan

from jukebox_host.engine import sampling
from jukebox_host.engine.loading import load_model


def _run(loaded: object) -> np.ndarray:
    t = np.arange(8192) / 44100
    prompt = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    plan = make_plan(total_samples=16384, prompt_samples=8192, levels=[0, 1], seed=7)
    (out,) = list(sampling.run(loaded, plan, prompt, lambda *_: None, threading.Event()))  # type: ignore[arg-type]
    return out.audio


def test_level_wise_gives_the_same_result_level_by_level_and_reports_placement(tiny_dir: Path) -> None:
    resident = load_model(str(tiny_dir), torch.device("cpu"), torch.float32, residency="all")
    level = load_model(str(tiny_dir), torch.device("cpu"), torch.float32, residency="level")
    assert np.array_equal(_run(resident), _run(level))
    described = level.describe()
    assert described["residency"] == "level"
    assert described["schedule"] == "level_by_level"  # one prior on the device at a time: the levels take turns
    assert [p["level"] for p in described["placement"]] == [2, 1, 0]
    assert all(p["bytes"] > 0 and p["device"] == "cpu" for p in described["placement"])
    assert level.residency is not None and level.residency.active is None  # nothing left placed after a job
    assert resident.describe()["residency"] == "all" and resident.describe()["schedule"] == "pipelined"


def test_tied_tensors_share_one_host_copy(tiny_dir: Path) -> None:
    level = load_model(str(tiny_dir), torch.device("cpu"), torch.float32, residency="level")
    assert level.residency is not None
    for index, prior in enumerate(level.model.priors):
        storages = {t.data_ptr() for t in [*prior.parameters(), *prior.buffers()]}
        assert level.residency.storages(index) == len(storages)
    level.activate(1)
    upsampler = level.model.priors[1].prior
    assert upsampler.fc_proj_out.weight.data_ptr() == upsampler.embed_tokens.weight.data_ptr()
    assert level.residency.active == 1
    level.activate(None)
