"""A VQ-VAE trains as OpenAI's does: three steps of train.py's loop on the committed tiny VQ-VAE (fixtures made by
OpenAI's unmodified code, tests/fixtures/openai_reference/training) give the same losses, gradient norms, weights and
codebooks in float32, for a VQ-VAE restored for training (restore_k) and for fresh codebooks (init_k)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from openai_reference import REF, converted, npz

from jukebox_host.engine.loading import load_model
from jukebox_host.engine.original_keys import transformers_key
from jukebox_host.training.lr_schedule import Schedule
from jukebox_host.training.optimiser import Optimisation
from jukebox_host.training.vqvae_loss import VQVAELossSettings
from jukebox_host.training.vqvae_step import VQVAETrainer

TRAINING = REF / "training"
SETTINGS = json.loads((TRAINING / "settings.json").read_text())
RELATIVE = 1e-5


def _settings() -> tuple[Optimisation, VQVAELossSettings]:
    t, h = SETTINGS["train"], SETTINGS["vqvae_hps"]
    optimisation = Optimisation(lr=t["lr"], beta1=t["beta1"], beta2=t["beta2"], eps=t["eps"],
                                weight_decay=t["weight_decay"], clip=t["clip"], ema_every=t["cpu_ema_freq"],
                                schedule=Schedule(t["lr_warmup"], t["lr_decay"], t["lr_gamma"], t["lr_scale"],
                                                  t["lr_use_linear_decay"], t["lr_start_linear_decay"]))
    loss = VQVAELossSettings(
        bandwidth=SETTINGS["bandwidth"], loss_fn=h["loss_fn"], lmix_l1=h["lmix_l1"], lmix_l2=h["lmix_l2"],
        lmix_linf=h["lmix_linf"], linf_k=h["linf_k"], spectral=h["spectral"], multispectral=h["multispectral"],
        commit=h["commit"], multispec=tuple(zip(h["multispec_loss_n_fft"], h["multispec_loss_hop_length"],
                            h["multispec_loss_window_size"])))
    return optimisation, loss


def _close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= RELATIVE * max(1.0, abs(theirs))


@pytest.mark.parametrize("case", ["restored", "fresh"])
def test_three_vqvae_steps_match_openai(tmp_path: object, case: str) -> None:
    vqvae = load_model(converted("5b", str(tmp_path)), torch.device("cpu"), torch.float32).model.vqvae
    fixture = npz(TRAINING / f"vqvae_{case}.npz")
    optimisation, loss = _settings()
    trainer = VQVAETrainer(vqvae, optimisation, loss, batch_size=SETTINGS["vqvae_rows"])
    if case == "restored":
        trainer.restore_codebooks(SETTINGS["vqvae_hps"]["sample_length"], threshold=SETTINGS["vqvae_hps"][
            "revival_threshold"])
    else:
        trainer.fresh_codebooks()
    torch.manual_seed(SETTINGS["vqvae_cases"][case])  # the codebook draws, as the fixture's run seeded them
    x = torch.from_numpy(fixture["x"])
    for step in range(SETTINGS["steps"]):
        report = trainer.step(x)
        got = dict(report.metrics, loss=report.loss, grad_norm=report.grad_norm, lr=report.lr)
        for key in fixture:
            if key.startswith("log/"):
                name = key.removeprefix("log/")
                assert _close(got[name], float(fixture[key][step])), (step, name, got[name], fixture[key][step])
    ours = vqvae.state_dict()
    for key in fixture:
        if key.startswith("after/"):
            mine = ours[transformers_key("vqvae.pth.tar", key.removeprefix("after/")).removeprefix("vqvae.")]
            theirs = fixture[key]
            assert np.abs(mine.numpy().reshape(theirs.shape) - theirs).max() <= RELATIVE * max(
                1.0, float(np.abs(theirs).max())), key
    for level, block in enumerate(vqvae.bottleneck.level_blocks):
        for name, attribute in (("k_sum", "codebook_sum"), ("k_elem", "codebook_elem")):
            theirs = fixture[f"{name}/{level}"]
            assert np.abs(getattr(block, attribute).numpy() - theirs).max() <= RELATIVE * max(
                1.0, float(np.abs(theirs).max())), (name, level)
