"""Command line: `serve` (the host), `render` (the main job: a file through the host), `convert` (OpenAI's original
checkpoints), `make-tiny`, `example`, `keygen`, `memory-plan`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jukebox_host.gateway.memory_ceiling import DEFAULT_MEMORY_MIB
from jukebox_host.training import command as training_command
from jukebox_host.wire import constants as C
from jukebox_host.wire.generate_fields import GENERATE_FIELDS


def _exit_with_parent(stop: Any, parent: int) -> None:
    """A host started by a client (render, process `parent`) ends when that client is gone, however it ended
    (SIGKILL too), even if it was gone before this host got this far."""

    def watch() -> None:
        while not stop.wait(0.5):
            if os.getppid() != parent:
                logging.getLogger("jukebox_host").info("the client that started this host is gone: stopping")
                stop.set()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _check_models(names: list[str]) -> None:
    """Every model a command was told to serve can load, or one line and exit 1, before any host starts."""
    from jukebox_host.engine.loading import check_servable
    from jukebox_host.wire.errors import HostError

    for name in names:
        try:
            check_servable(name)
        except HostError as exc:
            raise SystemExit(f"jukebox-host: cannot serve {name}: {exc.message} ({exc.code})") from None


def _serve(args: argparse.Namespace) -> int:
    from jukebox_host.host.gateway_link import GatewayError
    from jukebox_host.host.server import Host
    from jukebox_host.wire.security import CurveServer, SecurityError

    logging.basicConfig(level=logging.INFO, format="jukebox-host: %(message)s")
    _check_models(args.model or [])
    curve = None
    if args.curve_secret or args.curve_allow:
        if not (args.curve_secret and args.curve_allow):
            raise SystemExit("jukebox-host: --curve-secret and --curve-allow go together")
        curve = CurveServer(Path(args.curve_secret), Path(args.curve_allow))
    pool = None
    if args.backend == "ray":
        try:
            import ray  # noqa: F401  (installed?)

            from jukebox_host.host.ray_backend import PoolSettings
        except ImportError:
            raise SystemExit("jukebox-host: --backend ray needs Ray Serve: pip install './pyhost[ray]'") from None
        if args.replicas < 1:
            raise SystemExit("jukebox-host: --replicas must be at least 1")
        threads = args.threads or max(1, int(args.cpus_per_replica))
        pool = PoolSettings(args.address, args.replicas, args.gpus_per_replica, args.cpus_per_replica, threads)
    elif args.threads:
        import torch

        torch.set_num_threads(args.threads)
    try:
        host = Host(args.endpoint, args.model, args.device, args.dtype, args.max_models, curve, args.fastpath,
                    args.residency, args.allow_model, args.models_dir, args.gateway_memory, pool, args.step)
    except (SecurityError, GatewayError) as exc:
        raise SystemExit(f"jukebox-host: {exc}") from None

    def stop(_signum: int, _frame: object) -> None:
        host.stop.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    hangup = getattr(signal, "SIGHUP", None)  # none on Windows
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:  # nohup'ed hosts outlive logout
        signal.signal(hangup, stop)
    if args.exit_with_parent is not None:
        _exit_with_parent(host.stop, args.exit_with_parent)
    host.serve()
    return host.exit_code


def _keygen(args: argparse.Namespace) -> int:
    from jukebox_host.wire.security import generate_keys

    public, secret = generate_keys(args.folder, args.name)
    print(f"public key (give it to the other side): {public}\nsecret key (keep it here): {secret}")
    return 0


def _memory_plan(args: argparse.Namespace) -> int:
    from jukebox_host.engine.memory_plan import render

    print(render(args.models, args.precisions, args.n_samples))
    return 0


def _convert(args: argparse.Namespace) -> int:
    from jukebox_host.engine.convert import ConvertError, convert_model

    try:
        convert_model(args.source, args.target, args.model, args.ids, args.trust_pickle)
    except ConvertError as exc:
        print(f"jukebox-host convert: {exc}", file=sys.stderr)
        return 2
    print(f"load it with: jukebox-host serve --model {args.target}")
    return 0


def _make_tiny(args: argparse.Namespace) -> int:
    from jukebox_host.engine.tiny import write_tiny_model

    print(write_tiny_model(args.folder, seed=args.seed))
    return 0


def _example(args: argparse.Namespace) -> int:
    import soundfile as sf

    from jukebox_host.clients.example import example_phrase

    sf.write(args.output, example_phrase(args.seconds).T, 44100, subtype="FLOAT")
    print(args.output)
    return 0


def _hop_fractions(text: str) -> float | list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("give one number or three: bottom,middle,top") from None
    if len(values) not in (1, 3):
        raise argparse.ArgumentTypeError("give one number or three: bottom,middle,top")
    return values[0] if len(values) == 1 else values


_FLAG_TYPES: dict[str, Callable[[str], Any]] = {"number": float, "integer": int, "seed": int, "text": str,
                                                "hop": _hop_fractions}
_RENDER_NOTES = {"n_samples": "; with more than 1, -o out.wav writes out-1.wav … out-N.wav"}


def _add_generate_flags(render: argparse.ArgumentParser) -> None:
    """render's flags for the generate fields, from their table (generate_fields.py): name, help, range and default
    as the host has them. Absent flags are not sent: the host's defaults apply."""
    for field in GENERATE_FIELDS:
        if not field.flag:
            continue
        shown = f"{field.default:g}" if isinstance(field.default, float) else field.default
        default = "" if field.default in (None, "") else f"; default {shown}"
        render.add_argument(f"--{field.name.replace('_', '-')}", dest=field.name, type=_FLAG_TYPES[field.kind],
                            default=None, help=f"{field.help} ({field.range_text}{default})"
                                               f"{_RENDER_NOTES.get(field.name, '')}")


def _render(args: argparse.Namespace) -> int:
    from jukebox_host.clients.render import render

    if args.endpoint is None:  # a private host would start for nothing
        _check_models([args.model])
    return render(args)


def _ask(args: argparse.Namespace) -> int:
    """`status` / `ping` against a running host."""
    import json

    from jukebox_host.clients.client import Client, HostRefused, HostUnavailable
    from jukebox_host.clients.render import check_endpoint

    check_endpoint(args.endpoint)
    with Client(args.endpoint, timeout=args.timeout, server_key=args.server_key, client_key=args.client_key) as client:
        try:
            if args.command == "ping":
                print(f"pong from {args.endpoint} in {client.ping() * 1000:.1f} ms")
            else:
                header = client.status()
                print(json.dumps({k: v for k, v in header.items() if k not in ("v", "type", "id")}, indent=1))
        except HostRefused as exc:  # its reason says which key to fix
            print(f"jukebox-host: {exc}", file=sys.stderr)
            return 1
        except HostUnavailable:
            print(f"jukebox-host: no host answers at {args.endpoint} within {args.timeout:g} s", file=sys.stderr)
            return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    from jukebox_host import __version__

    parser = argparse.ArgumentParser(prog="jukebox-host", description=__doc__)
    parser.add_argument("--version", action="version", version=f"jukebox-host {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the host: keep models loaded, answer jukebox~ over ZeroMQ")
    serve.add_argument("--endpoint", default=os.environ.get("JUKEBOX_HOST_ENDPOINT", C.DEFAULT_ENDPOINT))
    serve.add_argument("--model", action="append", default=None,
                       help="model to preload (repeatable; the first is the default): 'tiny', a folder or a HF id")
    serve.add_argument("--allow-model", action="append", default=None, metavar="NAME",
                       help="a model clients may ask for, loaded on first use (repeatable; a Hugging Face id or "
                            "a folder). Clients can ask for nothing the host's operator did not allow")
    serve.add_argument("--models-dir", action="append", default=None, metavar="DIR",
                       help="clients may ask for any checkpoint folder in DIR by its folder name (repeatable)")
    serve.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1 …")
    serve.add_argument("--dtype", default="auto", choices=["auto", "float32", "float16", "bfloat16"],
                       help="priors' precision (auto: float16 on CUDA, float32 on CPU)")
    serve.add_argument("--max-models", type=int, default=1, help="models kept loaded at once (LRU beyond that)")
    serve.add_argument("--fastpath", default="stock", choices=["stock", "linear", "int8", "auto"],
                       help="priors' layers: transformers' own, nn.Linear (same maths), int8 weight-only, or 'auto': "
                            "the fastest on this CPU, measured at start (with its precision, unless --dtype says)")
    serve.add_argument("--step", default="auto", choices=["auto", "stock", "static", "compiled"],
                       help="a sampled token: transformers' code, a static key/value cache, or that compiled "
                            "(torch.compile; CUDA graphs on CUDA), compiled at load; 'auto': compiled "
                            "where measured faster (int8 layers on the CPU), else transformers' code")
    serve.add_argument("--residency", default="all", choices=["all", "level"],
                       help="'level': only the prior being sampled on the GPU, the others in pinned host memory")
    serve.add_argument("--curve-secret", default=None, help="the host's .key_secret file: turns CURVE on")
    serve.add_argument("--curve-allow", default=None, help="folder of the public .key files of allowed clients")
    serve.add_argument("--gateway-memory", type=int, default=DEFAULT_MEMORY_MIB, metavar="MIB",
                       help="how far the process holding the public socket may grow, in MiB, before it is replaced "
                            "(clients reconnect; jobs and models stay); 0: no ceiling (Linux only)")
    serve.add_argument("--backend", default="local", choices=["local", "ray"],
                       help="'ray': run jobs on a Ray Serve pool of replicas, each with the models loaded on its "
                            "own device (pip install './pyhost[ray]')")
    serve.add_argument("--address", default=None,
                       help="ray: the cluster to join ('auto', 'ray://head:10001'); default: start one here")
    serve.add_argument("--replicas", type=int, default=2, help="ray: replicas, each running one job at a time")
    serve.add_argument("--gpus-per-replica", dest="gpus_per_replica", type=float, default=0.0,
                       help="ray: GPUs per replica (1 on a GPU cluster; 0: CPU)")
    serve.add_argument("--cpus-per-replica", dest="cpus_per_replica", type=float, default=1.0,
                       help="ray: CPUs per replica (also its torch threads)")
    serve.add_argument("--threads", type=int, default=0,
                       help="torch CPU threads per job (default: torch's; ray: --cpus-per-replica). Results are "
                            "bit-identical between hosts and replicas that use the same number")
    serve.add_argument("--exit-with-parent", type=int, default=None, metavar="PID",
                       help="stop when process PID, which started this host, is gone (render uses it)")
    serve.set_defaults(func=_serve)

    for name, text in (("status", "ask a running host what it holds and runs"), ("ping", "is a host answering?")):
        ask = sub.add_parser(name, help=text)
        ask.add_argument("--endpoint", default=os.environ.get("JUKEBOX_HOST_ENDPOINT", C.DEFAULT_ENDPOINT))
        ask.add_argument("--timeout", type=float, default=5.0)
        ask.add_argument("--server-key", default=None, help="the host's public .key file (CURVE)")
        ask.add_argument("--client-key", default=None, help="this client's .key_secret file (CURVE)")
        ask.set_defaults(func=_ask)

    keygen = sub.add_parser("keygen", help="write a CURVE key pair NAME.key / NAME.key_secret into FOLDER")
    keygen.add_argument("folder")
    keygen.add_argument("name")
    keygen.set_defaults(func=_keygen)

    render = sub.add_parser("render", help="send an audio file through a host and write the result")
    render.add_argument("input", nargs="?", help="prompt audio file (any rate, any channels)")
    render.add_argument("-o", "--output", required=True)
    render.add_argument("--endpoint", default=None, help="use a running host (default: start a private one)")
    render.add_argument("--model", default="tiny")
    render.add_argument("--device", default="auto")
    render.add_argument("--mode", default="primed", choices=[m for m in C.MODES if m != C.MODE_CONTINUE])
    render.add_argument("--then-continue", dest="then_continue", type=float, action="append", default=None,
                        metavar="SECONDS", help="then extend the result by SECONDS from its exact codes (mode "
                                                "continue, a chain link); repeat it to extend again; the file "
                                                "holds the whole")
    render.add_argument("--stream", action="store_true",
                        help="write the audio into the file(s) while the host makes it, chunk by chunk, so they "
                             "can be played before the job ends")
    render.add_argument("--length", type=float, default=None,
                        help="total seconds of the result, prompt included (default: the prompt + 6 s)")
    render.add_argument("--prompt", type=float, default=None,
                        help="seconds from the start of the input used as prompt (default: all of it, at most 12 s)")
    _add_generate_flags(render)
    render.add_argument("--server-key", default=None, help="the host's public .key file (CURVE)")
    render.add_argument("--client-key", default=None, help="this client's .key_secret file (CURVE)")
    render.add_argument("--quiet", action="store_true")
    render.set_defaults(func=_render)

    convert = sub.add_parser("convert", help="OpenAI's original checkpoint files → a folder the host loads")
    convert.add_argument("source", type=Path, help="folder with vqvae.pth.tar and prior_level_{0,1,2}.pth.tar")
    convert.add_argument("target", type=Path, help="new folder to write (must not exist or be empty)")
    convert.add_argument("--model", required=True, choices=["5b", "5b_lyrics", "1b_lyrics"])
    convert.add_argument("--ids", type=Path, default=None,
                         help="folder with OpenAI's v2_/v3_{artist,genre}_ids.txt (default: the source folder)")
    convert.add_argument("--trust-pickle", action="store_true",
                         help="allow Python objects besides tensors in the files (only for files you trust)")
    convert.set_defaults(func=_convert)

    tiny = sub.add_parser("make-tiny", help="write a tiny random-initialised Jukebox checkpoint (noise-like output)")
    tiny.add_argument("folder", type=Path)
    tiny.add_argument("--seed", type=int, default=0)
    tiny.set_defaults(func=_make_tiny)

    memory = sub.add_parser("memory-plan", help="GPU memory per model, precision and placement (meta device)")
    memory.add_argument("--models", nargs="*", default=["1b_lyrics", "5b_lyrics", "5b"],
                        choices=["1b_lyrics", "5b_lyrics", "5b", "tiny"])
    memory.add_argument("--precisions", nargs="*", default=["float32", "float16", "int8"],
                        choices=["float32", "float16", "bfloat16", "int8"])
    memory.add_argument("--n-samples", dest="n_samples", type=int, default=1)
    memory.set_defaults(func=_memory_plan)

    training_command.add_parser(sub)

    example = sub.add_parser("example", help="write a short synthetic prompt phrase (float WAV)")
    example.add_argument("output")
    example.add_argument("--seconds", type=float, default=2.0)
    example.set_defaults(func=_example)
    return parser


def main(argv: list[str] | None = None) -> int:
    from jukebox_host.clients.render import RenderError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except RenderError as exc:
        print(f"jukebox-host {args.command}: {exc}", file=sys.stderr)
        return 2
