"""Full-size configs: built on the meta device (no weights allocated), parameter counts match the real models."""

from __future__ import annotations

import pytest
import torch

from jukebox_host.engine.configs import MODELS, full_config

# Millions of distinct parameters per prior, top first, as OpenAI's own modules count them (built from its
# hparams.py on the meta device; tests/fixtures/openai_layout/README.md). The 1b top ties its output projection to
# its embedding, so its 947 M state-dict entries are 942.6 M distinct parameters.
EXPECTED_M = {"1b_lyrics": 942.6432, "5b_lyrics": 5640.5068, "5b": 5060.4528}
UPSAMPLER_M = 981.298176


@pytest.mark.parametrize("name", MODELS)
def test_full_size_model_builds_on_meta_with_the_real_sizes(name: str) -> None:
    from transformers.models.deprecated.jukebox import JukeboxModel

    with torch.device("meta"):
        model = JukeboxModel(full_config(name))
    counts = [sum(p.numel() for p in prior.parameters()) / 1e6 for prior in model.priors]
    assert counts[0] == pytest.approx(EXPECTED_M[name], abs=0.0001)
    for upsampler in counts[1:]:
        assert upsampler == pytest.approx(UPSAMPLER_M, abs=0.0001)
    assert [p.n_ctx for p in model.priors] == [6144 if name == "1b_lyrics" else 8192, 8192, 8192]
    assert all(t.device.type == "meta" for t in model.parameters())


def test_unknown_full_size_model_is_refused() -> None:
    with pytest.raises(KeyError):
        full_config("2b")
