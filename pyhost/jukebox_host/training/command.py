"""`jukebox-host train`: the command line of a training run (run.py), with OpenAI's recipe as the defaults."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

LEVELS = {"top": 0, "middle": 1, "bottom": 2}  # transformers' prior order
VQVAE = "vqvae"


def add_parser(sub: Any) -> None:
    from jukebox_host.training.new_prior import SMALL_PRIOR
    from jukebox_host.training.optimiser import Optimisation

    o = Optimisation()
    train = sub.add_parser(
        "train", help="train a prior on a folder of your own audio; writes a model folder the host serves",
        description="Train one level of a model on your own sounds, as OpenAI's train.py does. --from new (default) "
                    "trains a new prior, shaped like OpenAI's small_prior unless told, without labels, over the "
                    "model's VQ-VAE (and under its upper levels); --from base goes on training the model's own "
                    "prior (fine-tuning), with the learning rate falling linearly to 0 at the last step. --level vqvae "
                    "trains the VQ-VAE instead: --from base goes on with the model's own, --from new starts one of "
                    "the same shape from scratch (its priors must then be trained again, level by level). The run's "
                    "folder gets checkpoint.pt, log.jsonl and, at the end or when stopped, model/ (serve it with "
                    "--model OUT/model). Under torchrun (torchrun --nproc-per-node N -m jukebox_host train ...) "
                    "N processes share each step, --batch windows each.")
    train.add_argument("data", type=Path, help="folder of audio files (any rate and channels soundfile reads)")
    train.add_argument("-o", "--out", type=Path, required=True, help="the run's folder (new, or the run's own with "
                                                                     "--resume)")
    train.add_argument("--model", default="tiny", help="the model the prior belongs to (folder or Hugging Face id)")
    train.add_argument("--level", choices=[*LEVELS, VQVAE], default="top",
                       help="which prior, or the VQ-VAE itself (the codes every prior reads)")
    train.add_argument("--from", dest="start", choices=["new", "base"], default="new")
    train.add_argument("--steps", type=int, required=True)
    train.add_argument("--batch", type=int, default=1, help="windows per step (OpenAI: bs; 1)")
    train.add_argument("--seed", type=int, default=0)
    shape = train.add_argument_group("a new prior's shape (OpenAI's small_prior)")
    shape.add_argument("--width", type=int, default=SMALL_PRIOR["hidden_size"])
    shape.add_argument("--depth", type=int, default=SMALL_PRIOR["num_layers"])
    shape.add_argument("--heads", type=int, default=SMALL_PRIOR["n_heads"])
    shape.add_argument("--window", type=int, default=SMALL_PRIOR["n_ctx"], help="tokens per window (n_ctx)")
    shape.add_argument("--blocks", type=int, default=SMALL_PRIOR["blocks"])
    opt = train.add_argument_group("optimisation (OpenAI's defaults, hparams.py)")
    opt.add_argument("--lr", type=float, default=o.lr)
    opt.add_argument("--warmup", type=float, default=o.schedule.warmup, help="steps of linear warm-up (100)")
    opt.add_argument("--weight-decay", type=float, default=o.weight_decay,
                     help="0 by default; OpenAI's README uses 0.01 for a new prior")
    opt.add_argument("--clip", type=float, default=o.clip, help="gradient norm above which gradients are scaled")
    opt.add_argument("--precision", choices=["auto", "float32", "bfloat16", "float16"], default="auto",
                     help="the forward's precision (weights stay float32): auto is bfloat16 on GPUs and on CPUs with "
                          "AVX-512 BF16 or AMX, float32 elsewhere; float16 scales the loss as OpenAI's all_fp16 did; "
                          "only float32 steps equal OpenAI's fp32 steps")
    opt.add_argument("--checkpointing", action="store_true",
                     help="gradient checkpointing of a prior's blocks (OpenAI's c_res=1): less memory, one more "
                          "forward per step, the same results")
    opt.add_argument("--ema-every", type=int, default=o.ema_every,
                     help="steps between updates of the weight average (OpenAI's cpu_ema: 100)")
    vq = train.add_argument_group("the VQ-VAE (--level vqvae)")
    vq.add_argument("--vqvae-window", type=int, default=262144,
                    help="samples per training window (OpenAI's README trains small_vqvae at 262144)")
    vq.add_argument("--bandwidth-seconds", type=float, default=600.0,
                    help="seconds of material the loss scale is measured over (OpenAI: 600)")
    train.add_argument("--no-aug-shift", dest="aug_shift", action="store_false",
                       help="windows at fixed places (default: shifted at random by up to half a window)")
    train.add_argument("--no-aug-blend", dest="aug_blend", action="store_false",
                       help="stereo mixed 0.5/0.5 (default: a random blend per window)")
    train.add_argument("--artist", default="unknown", help="labels for a prior that reads them (--from base)")
    train.add_argument("--genre", default="unknown")
    train.add_argument("--save-every", type=int, default=1000, help="steps between checkpoints")
    train.add_argument("--test-every", type=int, default=500, help="steps between test-set losses (0: never)")
    train.add_argument("--sample-every", type=int, default=0,
                       help="steps between samples of the prior so far, one window each, into OUT/samples/ (0: never)")
    train.add_argument("--device", default="auto")
    train.add_argument("--resume", action="store_true", help="go on with the run saved in --out")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(func=run_command)


def settings_from(args: argparse.Namespace, device: str) -> Any:
    import torch

    from jukebox_host.training.lr_schedule import Schedule
    from jukebox_host.training.mixed_precision import auto_precision
    from jukebox_host.training.new_prior import PriorShape
    from jukebox_host.training.optimiser import Optimisation
    from jukebox_host.training.run import RunError, RunSettings

    if args.steps < 1 or args.batch < 1 or args.save_every < 1 or args.ema_every < 1 or args.test_every < 0 \
            or args.sample_every < 0 or args.vqvae_window < 1 or args.bandwidth_seconds <= 0:
        raise RunError("--steps, --batch, --save-every, --ema-every and --vqvae-window must be at least 1, "
                       "--bandwidth-seconds above 0, --test-every and "
                       "--sample-every at least 0")
    fine_tune = args.start == "base"
    # Fine-tuning anneals to 0 at the last step (OpenAI's README: --lr_use_linear_decay --lr_decay).
    schedule = Schedule(warmup=args.warmup, decay=float(args.steps), linear_decay=True) if fine_tune \
        else Schedule(warmup=args.warmup)
    precision = auto_precision(torch.device(device)) if args.precision == "auto" else args.precision
    optimisation = Optimisation(lr=args.lr, weight_decay=args.weight_decay, clip=args.clip, schedule=schedule,
                                ema_every=args.ema_every, precision=precision)
    shape = None if fine_tune else PriorShape(args.width, args.depth, args.heads, args.window, args.blocks)
    vqvae = args.level == VQVAE
    return RunSettings(base=args.model, data=str(args.data), out=str(args.out), prior_index=LEVELS.get(args.level, 0),
                       new_prior=shape, steps=args.steps, batch=args.batch, seed=args.seed,
                       save_every=args.save_every, test_every=args.test_every, sample_every=args.sample_every,
                       aug_shift=args.aug_shift,
                       aug_blend=args.aug_blend, artist=args.artist, genre=args.genre, optimisation=optimisation,
                       device=device, part="vqvae" if vqvae else "prior", vqvae_window=args.vqvae_window,
                       checkpointing=args.checkpointing,
                       bandwidth_seconds=args.bandwidth_seconds)


def run_command(args: argparse.Namespace) -> int:
    from jukebox_host.engine.loading import pick_device
    from jukebox_host.training.distributed import close, from_environment
    from jukebox_host.training.run import Run, RunError
    from jukebox_host.wire.errors import HostError

    def say(line: str) -> None:
        print(f"jukebox-host train: {line}", file=sys.stderr, flush=True)

    group, device = from_environment(str(pick_device(args.device)))
    try:
        result = Run(settings_from(args, device), resume=args.resume, say=say, group=group).run(
            progress=not args.quiet)
    except (RunError, HostError) as exc:
        say(str(exc))
        return 2
    finally:
        close(group)
    if not group.main:
        return 0
    if result.last_loss is not None:
        say(f"step {result.steps_done}: loss {result.last_loss:.4f}")
    say(f"model: {result.model_folder} (serve it with --model {result.model_folder})")
    return 130 if result.stopped else 0
