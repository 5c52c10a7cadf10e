"""Every folder runs as OpenAI built its models, whatever its config.json says: causal attention everywhere, and
OpenAI's song-length range for OpenAI's three models (Hugging Face's example loads them with min_duration=0)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import torch

from jukebox_host.engine.configs import full_config
from jukebox_host.engine.fidelity import make_faithful


@pytest.mark.parametrize("name, low", [("1b_lyrics", 17.84), ("5b_lyrics", 23.8), ("5b", 60.0)])
def test_real_models_get_openais_range_and_mask(name: str, low: float) -> None:
    config = full_config(name)
    assert config.min_duration == low and all(p.mask for p in config.prior_configs)  # ours are faithful already
    said: list[str] = []
    make_faithful(config, said.append)
    assert said == []
    config.min_duration = 0  # as Hugging Face's example and hub folders may have it
    for prior in config.prior_configs:
        prior.mask = False
        if prior.encoder_config is not None:
            prior.encoder_config.mask = False
    make_faithful(config, said.append)
    assert config.min_duration == low and config.max_duration == 600.0
    assert all(p.mask and (p.encoder_config is None or p.encoder_config.mask) for p in config.prior_configs)
    assert len(said) == 1 and "causal attention" in said[0] and f"{low}-600 s as OpenAI's {name}" in said[0]


def test_an_unmasked_folder_loads_masked_and_says_so(tiny_dir: Path, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxAttention

    from jukebox_host.engine.loading import load_model

    folder = tmp_path / "unmasked"
    shutil.copytree(tiny_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    for prior in config["prior_config_list"]:
        prior["mask"] = False
    (folder / "config.json").write_text(json.dumps(config))
    with caplog.at_level(logging.INFO, logger="jukebox_host"):
        loaded = load_model(str(folder), torch.device("cpu"), torch.float32)
    attentions = [m for m in loaded.model.modules() if isinstance(m, JukeboxAttention)]
    assert attentions and all(m.mask for m in attentions)
    assert sum("causal attention on (3 transformer(s) had mask=false)" in r.message for r in caplog.records) == 1


def test_a_future_token_does_not_change_earlier_logits(tiny_dir: Path) -> None:
    """Causality itself: changing token 40 of a window leaves the logits of positions 0..40 exactly as they were."""
    from jukebox_host.engine.loading import load_model

    prior = load_model(str(tiny_dir), torch.device("cpu"), torch.float32).model.priors[1]
    tokens = torch.randint(0, 64, (1, 64), generator=torch.Generator().manual_seed(0))
    changed = tokens.clone()
    changed[0, 40] = (changed[0, 40] + 1) % 64
    conds = [torch.zeros(1, 16, dtype=torch.long)]
    metadata = torch.tensor([[240 * 44100, 0, 64 * 32, 1, 2, -1, -1, -1, -1]])
    with torch.no_grad():
        logits = [prior.prior(t, *prior.get_cond(conds, metadata)[:2], None, get_preds=True)[1]
                  for t in (tokens, changed)]
    assert torch.equal(logits[0][:, :41], logits[1][:, :41])
    assert not torch.equal(logits[0][:, 41:], logits[1][:, 41:])
