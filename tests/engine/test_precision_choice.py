"""--fastpath auto: the layer path measured fastest on this CPU, and the registry loads models that way."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from jukebox_host.engine import precision_choice
from jukebox_host.engine.fastpath import Int8WeightLinear
from jukebox_host.engine.loading import ModelRegistry


def test_the_choice_is_the_fastest_measured_candidate() -> None:
    choice = precision_choice.choose(torch.device("cpu"), width=256, layers=2, reps=5)
    assert choice is not None
    assert len(choice.ms_per_step) == len(precision_choice.CANDIDATES)
    assert all(ms > 0 for ms in choice.ms_per_step.values())
    fastest = min(choice.ms_per_step, key=choice.ms_per_step.__getitem__)
    assert fastest == f"{choice.fastpath} {str(choice.dtype).replace('torch.', '')}"
    assert choice.capability in choice.summary() and "->" in choice.summary()


def test_off_the_cpu_nothing_is_measured() -> None:
    assert precision_choice.choose(torch.device("cuda")) is None


@pytest.mark.parametrize(("fastpath", "dtype"), [("int8", torch.float32), ("linear", torch.bfloat16)])
def test_the_registry_loads_models_by_the_choice(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                 fastpath: str, dtype: torch.dtype) -> None:
    picked = precision_choice.Choice(fastpath, dtype, "TEST", {})
    monkeypatch.setattr(precision_choice, "choose", lambda device: picked)
    registry = ModelRegistry("cpu", "auto", fastpath="auto")
    assert (registry.fastpath, registry.dtype) == (fastpath, dtype)
    loaded = registry.get(str(tiny_dir))
    layers = list(loaded.model.priors[0].modules())
    if fastpath == "int8":
        assert any(isinstance(m, Int8WeightLinear) for m in layers)
    else:
        assert any(isinstance(m, torch.nn.Linear) and m.weight.dtype == torch.bfloat16 for m in layers)
    explicit = ModelRegistry("cpu", "float32", fastpath="auto")
    assert explicit.dtype == torch.float32  # an explicit --dtype stands
