"""Training speed: a top prior's steps, and a VQ-VAE's, through jukebox~'s trainer and through OpenAI's train.py
loop (its own code, unmodified, exported as tests/fixtures/openai_reference/README.md says), same shapes, same batch,
one run. Prints figures; asserts nothing.

    python bench/train.py [--width 256 --depth 4 --window 1024 --batch 2 --vqvae-window 32768 --steps 10]

Both sides build a new top prior shaped like OpenAI's small_prior at the given size (attn_order 2, one head, labels
with artist, genre and timing, no lyrics) over the same tiny VQ-VAE (the encode is part of each step, as in
train.py), and time whole steps (forward, backward, gradient norm, Adam, schedule, weight average) after two
warm-up steps: the median, as steps/s and tokens/s. jukebox~ runs float32 and bfloat16 autocast (float16 on CUDA);
OpenAI's loop runs float32 (its fp16 path needs CUDA and apex). The VQ-VAE is the tiny test one (OpenAI's `vqvae`
set's loss), timed the same way, as samples/s. Without the export, only jukebox~'s rows print.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import torch
from common import REPO, cpu_line, smallest, table

from jukebox_host.engine.tiny import build_tiny_model
from jukebox_host.training.lr_schedule import Schedule
from jukebox_host.training.new_prior import PriorShape, build_prior, new_prior_config
from jukebox_host.training.optimiser import Optimisation
from jukebox_host.training.prior_step import PriorTrainer

BANDWIDTH = dict(l1=0.12, l2=0.03, spec=25.0)  # the loss scale (from the material in a real run): fixed here
GENERATOR = REPO / "tests" / "fixtures" / "openai_reference" / "generator"
OPENAI_SRC = REPO / "tests" / "fixtures" / "openai_layout" / "generator" / "openai_src" / "jukebox"


def _time_steps(step: Callable[[], None], steps: int) -> float:
    """Median seconds per step after two warm-up steps."""
    for _ in range(2):
        step()
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _batch(args: argparse.Namespace, hop: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    audio = 0.3 * torch.randn(args.batch, args.window * hop, 2, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([[44100 * 60, 0, args.window * hop, 1, 2]] * args.batch)  # length, offset, artist, genre
    return audio.to(device), labels.to(device)


def ours(args: argparse.Namespace, precision: str) -> float:
    model = build_tiny_model()
    shape = PriorShape(args.width, args.depth, 1, args.window, args.blocks)
    config = new_prior_config(model.config.prior_configs[0], shape)
    model.priors[0] = build_prior(config, 0, seed=0)
    model.to(args.device)
    trainer = PriorTrainer(model, 0, Optimisation(schedule=Schedule(warmup=1), precision=precision), args.batch)
    audio, labels = _batch(args, int(model.priors[0].raw_to_tokens), args.device)
    return _time_steps(lambda: trainer.step(audio, labels), args.steps)


def ours_vqvae(args: argparse.Namespace) -> float:
    from jukebox_host.training.vqvae_loss import VQVAELossSettings
    from jukebox_host.training.vqvae_step import VQVAETrainer

    model = build_tiny_model()
    trainer = VQVAETrainer(model.vqvae.to(args.device), Optimisation(schedule=Schedule(warmup=1)),
                           VQVAELossSettings(bandwidth=BANDWIDTH), args.batch)
    trainer.restore_codebooks(args.vqvae_window)
    audio = 0.3 * torch.randn(args.batch, args.vqvae_window, 2, generator=torch.Generator().manual_seed(0))
    return _time_steps(lambda: trainer.step(audio.to(args.device)), args.steps)


def _openai_modules() -> Any:
    # transformers asks importlib about optional packages once, at its import; OpenAI's shims stub some of them
    # (librosa, av) as modules importlib cannot describe, so transformers is imported first.
    import transformers.models.deprecated.jukebox  # noqa: F401

    sys.path.insert(0, str(GENERATOR))
    import make_training_reference as mtr  # installs OpenAI's code with the CPU shims (no OpenAI file is edited)

    return mtr


def _openai_step(module: Any, loss_of: Callable[[], Any], hps: Any, opt: Any, shd: Any, scalar: Any,
                 ema: Any) -> Callable[[], None]:
    """train.py train(), one step: the loss, OpenAI's backward and clipping, its Adam, schedule and EMA."""
    from jukebox.utils.fp16 import backward, clipped_grad_scale
    from jukebox.utils.torch_utils import zero_grad

    def step() -> None:
        _, scale, norm, _, _ = backward(loss=loss_of(), params=list(module.parameters()), scalar=scalar,
                                        fp16=False, logger=None)
        opt.step(scale=clipped_grad_scale(norm, hps.clip, scale))
        zero_grad(module)
        shd.step()
        ema.step()

    return step


def openai_vqvae(args: argparse.Namespace) -> float | None:
    if not OPENAI_SRC.is_dir():
        return None
    mtr = _openai_modules()
    from jukebox.hparams import Hyperparams
    from jukebox.make_models import make_vqvae
    from jukebox.train import get_ema, get_optimizer
    from jukebox.utils.audio_utils import audio_preprocess

    ref = mtr.ref
    with ref.openai_cpu.cuda_to_cpu(), ref.openai_cpu.quiet(), mtr.stft_as_before():
        hps = Hyperparams({**ref._hps(*ref.VQVAE), **mtr.TRAIN, "bs": args.batch, "prior": False,
                           "restore_vqvae": "", "bandwidth": BANDWIDTH, "weight_decay": 0.0, "eps": 1e-8,
                           "sample_length": args.vqvae_window})
        vqvae = make_vqvae(hps, "cpu")
        ref.randomize_vqvae(vqvae, seed=1000)
        vqvae.train()
        vqvae.requires_grad_(True)
        for block in vqvae.bottleneck.level_blocks:
            block.restore_k(num_tokens=args.vqvae_window, threshold=1.0)
        opt, shd, scalar = get_optimizer(vqvae, hps)
        ema = get_ema(vqvae, hps)
        ema.state = [(p, state.copy()) for p, state in ema.state]
        audio = 0.3 * torch.randn(args.batch, args.vqvae_window, 2, generator=torch.Generator().manual_seed(0))

        step = _openai_step(vqvae, lambda: vqvae(audio_preprocess(audio, hps), hps, loss_fn=hps.loss_fn)[1], hps,
                            opt, shd, scalar, ema)
        return _time_steps(step, args.steps)


def openai(args: argparse.Namespace) -> float | None:
    if not OPENAI_SRC.is_dir():
        return None
    mtr = _openai_modules()
    from jukebox.hparams import Hyperparams
    from jukebox.make_models import make_prior, make_vqvae
    from jukebox.train import get_ema, get_optimizer
    from jukebox.utils.audio_utils import audio_preprocess

    ref = mtr.ref
    with ref.openai_cpu.cuda_to_cpu(), ref.openai_cpu.quiet():
        vqvae = make_vqvae(ref._hps(*ref.VQVAE), "cpu")
        ref.randomize_vqvae(vqvae, seed=1000)
        hps = ref._hps("small_prior", dict(
            restore_prior="", n_ctx=args.window, prior_width=args.width, prior_depth=args.depth, heads=1,
            blocks=args.blocks, labels=True, labels_v3=True, y_bins=(6, 5), max_bow_genre_size=1, t_bins=8,
            min_duration=0.0, max_duration=600.0, level=2, train=True, prior=True))
        prior = make_prior(hps, vqvae, "cpu")
        prior.train()
        train = Hyperparams(dict(mtr.TRAIN, bs=args.batch, weight_decay=0.0, eps=1e-8))
        opt, shd, scalar = get_optimizer(prior, train)
        ema = get_ema(prior, train)
        ema.state = [(p, state.copy()) for p, state in ema.state]  # as on a GPU (make_training_reference.py)
        audio, y = _batch(args, int(prior.raw_to_tokens), "cpu")  # OpenAI's v3 label row, one genre, no lyrics

        step = _openai_step(prior, lambda: prior(audio_preprocess(audio, train), y=y, fp16=False, decode=False)[1],
                            train, opt, shd, scalar, ema)
        return _time_steps(step, args.steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--window", type=int, default=1024, help="tokens per window (n_ctx)")
    parser.add_argument("--blocks", type=int, default=16)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--vqvae-window", type=int, default=32768, help="samples per VQ-VAE window")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="cpu")
    args = smallest(parser.parse_args(), width=32, depth=2, window=64, blocks=8, batch=2, steps=1,
                    vqvae_window=8192)
    device = torch.device(args.device)
    print(cpu_line() if device.type == "cpu" else f"GPU: {torch.cuda.get_device_name(device)}")
    print(f"top prior width {args.width}, {args.depth} layers, window {args.window} tokens, batch {args.batch}; "
          f"median of {args.steps} steps")
    tokens = args.batch * args.window
    baseline = openai(args) if device.type == "cpu" else None
    rows = []
    if baseline is None:
        why = f"no export at {OPENAI_SRC}" if device.type == "cpu" else "CPU only here"
        print(f"OpenAI's train.py loop: not run ({why})")
    else:
        rows.append(["OpenAI train.py", "float32", f"{1 / baseline:.2f}", f"{tokens / baseline:.0f}", "1.00x"])
    for precision in ("float32", "float16" if device.type == "cuda" else "bfloat16"):
        seconds = ours(args, precision)
        ratio = f"{baseline / seconds:.2f}x" if baseline else "-"
        rows.append(["jukebox~", precision, f"{1 / seconds:.2f}", f"{tokens / seconds:.0f}", ratio])
    print(table(rows, ["implementation", "precision", "steps/s", "tokens/s", "speed vs OpenAI"]))

    print(f"VQ-VAE (the tiny test one), windows of {args.vqvae_window} samples, batch {args.batch}, float32")
    samples = args.batch * args.vqvae_window
    baseline = openai_vqvae(args) if device.type == "cpu" else None
    rows = []
    if baseline is not None:
        rows.append(["OpenAI train.py", f"{1 / baseline:.2f}", f"{samples / baseline:.0f}", "1.00x"])
    seconds = ours_vqvae(args)
    rows.append(["jukebox~", f"{1 / seconds:.2f}", f"{samples / seconds:.0f}",
                 f"{baseline / seconds:.2f}x" if baseline else "-"])
    print(table(rows, ["implementation", "steps/s", "samples/s", "speed vs OpenAI"]))


if __name__ == "__main__":
    main()
