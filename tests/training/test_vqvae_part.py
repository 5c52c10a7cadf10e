"""What a VQ-VAE run refuses before it starts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from jukebox_host.engine.loading import load_model
from jukebox_host.training.prior_part import PartError
from jukebox_host.training.vqvae_part import VQVAEPart


def test_the_vqvae_refuses_several_processes(tmp_path: object) -> None:
    """Nothing averages a VQ-VAE's gradients or codebook sums across processes: refused, not silently wrong."""
    loaded = load_model("tiny", torch.device("cpu"), torch.float32)
    with pytest.raises(PartError, match="the VQ-VAE trains in one process only"):
        VQVAEPart(loaded, SimpleNamespace(), devices=2)
