"""Training computes OpenAI's losses: on the same weights and window, each prior's loss and its two parts equal what
OpenAI's unmodified SimplePrior.z_forward computed (tests/fixtures/openai_reference, the logits_level_*.npz files)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from openai_reference import REF, SHAPES, converted, npz

from jukebox_host.engine.loading import LoadedModel, load_model
from jukebox_host.training.prior_loss import prior_loss

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LoadedModel]:
    root = str(tmp_path_factory.mktemp("openai-reference"))
    return {shape: load_model(converted(shape, root), torch.device("cpu"), torch.float32) for shape in SHAPES}


@pytest.mark.parametrize("shape, openai_level", [(s, 2) for s in SHAPES] + [("5b", 1), ("5b", 0)])
def test_prior_loss_matches_openai(models: dict[str, LoadedModel], shape: str, openai_level: int) -> None:
    case = npz(REF / ("shared" if openai_level < 2 else shape) / f"logits_level_{openai_level}.npz")
    prior = models[shape].model.priors[2 - openai_level]
    for row in range(case["z"].shape[0]):  # per row, as OpenAI's were computed
        conds = [torch.from_numpy(case["z_cond"][row: row + 1])] if "z_cond" in case else []
        with torch.no_grad():
            got = prior_loss(prior, torch.from_numpy(case["z"][row: row + 1]), conds,
                             torch.from_numpy(case["y"][row: row + 1]))
        for name in ("loss", "gen_loss", "prime_loss"):
            assert abs(float(getattr(got, name)) - float(case[name][row])) < TOLERANCE, (name, row)
    assert np.any(case["prime_loss"] != 0) == bool(prior.nb_relevant_lyric_tokens)
