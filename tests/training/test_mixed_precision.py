"""Mixed precision and checkpointing: bfloat16 and float16 steps follow the float32 ones closely (the weights stay
float32), a checkpointed step is the plain one exactly, and a float16 step whose scaled gradients overflow is
skipped, moves nothing, and halves the loss scale."""

from __future__ import annotations

import pytest
import torch

from jukebox_host.engine.tiny import build_tiny_model
from jukebox_host.training.checkpointing import checkpoint_blocks
from jukebox_host.training.lr_schedule import Schedule
from jukebox_host.training.mixed_precision import MixedPrecision, auto_precision
from jukebox_host.training.optimiser import Optimisation
from jukebox_host.training.prior_step import PriorTrainer


def _trainer(precision: str) -> PriorTrainer:
    model = build_tiny_model(seed=3)
    return PriorTrainer(model, 1, Optimisation(lr=1e-3, schedule=Schedule(warmup=1), precision=precision), 2)


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    audio = 0.3 * torch.randn(2, 64 * 32, 2, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([[44100 * 30, 0, 64 * 32, 1, 2, 0, 0, 0, 0]] * 2)  # the middle level: v2, 5 genre slots
    return audio, labels


@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
def test_lower_precision_steps_follow_float32(precision: str) -> None:
    exact, mixed = _trainer("float32"), _trainer(precision)
    losses = []
    for _ in range(4):
        a, b = exact.step(*_batch()), mixed.step(*_batch())
        assert not b.skipped
        assert abs(a.loss - b.loss) < 0.02 and abs(a.grad_norm - b.grad_norm) < 0.05 * a.grad_norm
        losses.append(b.loss)
    assert all(p.dtype == torch.float32 for p in mixed.params)
    assert losses[-1] < losses[0] - 0.05


def test_a_float16_overflow_is_skipped_and_halves_the_scale() -> None:
    trainer = _trainer("float16")
    trainer.step(*_batch())
    trainer.step(*_batch())  # the rate is 0 at step 0 (OpenAI's schedule): this one moves the weights
    scaler = trainer.optimiser.precision.scaler
    assert scaler is not None
    scaler.update(new_scale=3e38)  # the next scaled loss overflows float16's backward
    before = [p.detach().clone() for p in trainer.params]
    report = trainer.step(*_batch())
    assert report.skipped
    assert all(torch.equal(a, p) for a, p in zip(before, trainer.params))
    assert scaler.get_scale() == pytest.approx(1.5e38)


def test_auto_precision_and_unknown_names() -> None:
    assert auto_precision(torch.device("cpu")) in ("float32", "bfloat16")
    with pytest.raises(ValueError, match="one of float32, bfloat16, float16"):
        MixedPrecision("int4", torch.device("cpu"))


def test_gradient_checkpointing_gives_the_same_step() -> None:
    plain, checkpointed = _trainer("float32"), _trainer("float32")
    checkpoint_blocks(checkpointed.prior)
    for _ in range(3):
        a, b = plain.step(*_batch()), checkpointed.step(*_batch())
        assert (a.loss, a.grad_norm) == (b.loss, b.grad_norm)
    for p, q in zip(plain.params, checkpointed.params):
        assert torch.equal(p, q)

