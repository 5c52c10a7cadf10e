"""Full-size configs: built on the meta device (no weights allocated), parameter counts match the real models."""

from __future__ import annotations

import pytest
import torch

from jukebox_host.engine.configs import MODELS, full_config

# Millions of parameters per prior, top first (counted from the published models; see shared/JUKEBOX.md).
EXPECTED_M = {"1b_lyrics": 947.0, "5b_lyrics": 5640.0, "5b": 5060.0}
UPSAMPLER_M = 981.0


@pytest.mark.parametrize("name", MODELS)
def test_full_size_model_builds_on_meta_with_the_real_sizes(name: str) -> None:
    from transformers.models.deprecated.jukebox import JukeboxModel

    with torch.device("meta"):
        model = JukeboxModel(full_config(name))
    counts = [sum(p.numel() for p in prior.parameters()) / 1e6 for prior in model.priors]
    assert counts[0] == pytest.approx(EXPECTED_M[name], rel=0.01)
    for upsampler in counts[1:]:
        assert upsampler == pytest.approx(UPSAMPLER_M, rel=0.01)
    assert [p.n_ctx for p in model.priors] == [6144 if name == "1b_lyrics" else 8192, 8192, 8192]
    assert all(t.device.type == "meta" for t in model.parameters())


def test_unknown_full_size_model_is_refused() -> None:
    with pytest.raises(KeyError):
        full_config("2b")
