"""`jukebox-host render`: one audio file through a host into another, with every ordinary mistake caught before
any host starts or any model loads, and said in one line."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from jukebox_host.clients.piece_files import PieceFiles
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError
from jukebox_host.wire.generate_fields import GENERATE_FIELDS
from jukebox_host.wire.socket_folders import FOLDER_PREFIX, OWNER_FILE

DEFAULT_CONTINUATION = 6.0  # seconds added to the prompt when --length is not given
DEFAULT_PROMPT = 12.0  # seconds of a long input used as the prompt when --prompt is not given
_ENDPOINT = re.compile(r"^(tcp://(\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+):\d+|ipc://\S+)$")


class RenderError(Exception):
    """A mistake in the command line or its files: one line that says what to change."""


def check_output(path: str) -> Path:
    out = Path(path)
    if out.is_dir():
        raise RenderError(f"-o {path} is a folder; give a file name, e.g. {out / 'out.wav'}")
    if not out.parent.is_dir():
        raise RenderError(f"the folder for -o {path} does not exist: create {out.parent} first")
    if not os.access(out.parent, os.W_OK):
        raise RenderError(f"cannot write into {out.parent}")
    return out


def check_endpoint(endpoint: str) -> str:
    if not _ENDPOINT.match(endpoint):
        raise RenderError(f"--endpoint {endpoint!r} is not a ZeroMQ endpoint; use e.g. tcp://127.0.0.1:5557 or "
                          f"ipc:///tmp/jukebox.sock")
    return endpoint


def read_prompt(path: str | None, prompt: float | None) -> tuple[np.ndarray, int]:
    """The prompt part of an audio file as (channels, frames) float32 and its rate."""
    import soundfile as sf

    if path is None:
        raise RenderError("give a prompt audio file, or --mode ancestral for music from nothing")
    source = Path(path)
    if not source.is_file():
        raise RenderError(f"{path}: no such file")
    try:
        info = sf.info(str(source))
    except (sf.LibsndfileError, RuntimeError):
        raise RenderError(f"{path} is not an audio file this program can read (wav, aiff, flac, ogg…)") from None
    if info.frames == 0:
        raise RenderError(f"{path} holds no audio (0 samples)")
    seconds = info.frames / info.samplerate
    if prompt is not None and prompt <= 0:
        raise RenderError(f"--prompt must be more than 0 s, not {prompt:g}")
    wanted = min(seconds, DEFAULT_PROMPT) if prompt is None else prompt
    if wanted > seconds + 1e-9:
        raise RenderError(f"--prompt {prompt:g} s is longer than {path} ({seconds:.2f} s)")
    data, rate = sf.read(str(source), dtype="float32", always_2d=True, frames=int(round(wanted * info.samplerate)))
    return np.ascontiguousarray(data.T), int(rate)


def plan_lengths(args: argparse.Namespace, prompt_seconds: float) -> float:
    """The result's total length: --length, else the prompt plus DEFAULT_CONTINUATION seconds."""
    length = args.length if args.length is not None else prompt_seconds + DEFAULT_CONTINUATION
    if not 0 < length <= C.MAX_OUTPUT_SECONDS:
        raise RenderError(f"--length must be more than 0 and at most {C.MAX_OUTPUT_SECONDS} s, not {length:g}")
    if args.mode == "primed" and length <= prompt_seconds:
        raise RenderError(f"--length {length:g} s must be longer than the prompt ({prompt_seconds:.2f} s): it counts "
                          f"the prompt too; try --length {prompt_seconds + DEFAULT_CONTINUATION:g}, or a shorter "
                          f"--prompt")
    if args.song_length is not None and args.song_length < length:
        raise RenderError(f"--song-length {args.song_length:g} s must be at least --length ({length:g} s)")
    return float(length)


def generate_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The generate fields given as flags (cli.py makes them from generate_fields.py), checked as the host checks
    them, so a wrong one is one line before any host starts; absent ones are left to the host's defaults."""
    given = {}
    for field in GENERATE_FIELDS:
        value = getattr(args, field.name, None) if field.flag else None
        if value is None:
            continue
        try:
            field.read({field.name: value})
        except HostError as exc:
            raise RenderError(f"--{field.name.replace('_', '-')}: {exc.message}") from None
        given[field.name] = value
    return given


@contextmanager
def private_host(model: str, device: str) -> Iterator[str]:
    """A host of this command's own on an ipc endpoint; it ends with this process, however this process ends."""
    with tempfile.TemporaryDirectory(prefix=FOLDER_PREFIX) as folder:
        # Named by this process, as a host's link folder is: killed, it leaves the folder to the next host's sweep.
        (Path(folder) / OWNER_FILE).write_text(str(os.getpid()))
        endpoint = f"ipc://{folder}/host.sock"
        process = subprocess.Popen(
            [sys.executable, "-m", "jukebox_host", "serve", "--endpoint", endpoint, "--model", model,
             "--device", device, "--exit-with-parent", str(os.getpid())],
            stderr=subprocess.PIPE,
        )
        try:
            assert process.stderr is not None
            said = []
            for raw in process.stderr:
                line = raw.decode(errors="replace").rstrip()
                said.append(line)
                if "ready on" in line:
                    break
            else:
                last = next((line for line in reversed(said) if line.strip()), "no output")
                raise RenderError(f"the host could not start (exit code {process.wait()}): {last}")
            # Keep reading its log so it never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in process.stderr or []], daemon=True).start()
            yield endpoint
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


def render(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from jukebox_host.clients.client import Client, HostUnavailable, JobLost, MessageTooLarge, RemoteError

    # Everything that can be checked here is checked before a host starts or a model loads.
    output = check_output(args.output)
    if args.endpoint is not None:
        check_endpoint(args.endpoint)
    audio, rate = (None, None) if args.mode == "ancestral" else read_prompt(args.input, args.prompt)
    prompt_seconds = 0.0 if audio is None or rate is None else audio.shape[1] / rate
    length = plan_lengths(args, prompt_seconds)
    extensions = args.then_continue or []
    if any(not 0 < seconds <= C.MAX_OUTPUT_SECONDS for seconds in extensions):
        raise RenderError(f"--then-continue takes seconds, more than 0 and at most {C.MAX_OUTPUT_SECONDS}")
    params: dict[str, Any] = {"mode": args.mode, "model": args.model, "length": length, **generate_flags(args)}

    bar = tqdm(total=100, unit="%", desc="jukebox", disable=args.quiet)

    def progress(fraction: float, level: int, stage: str) -> None:
        bar.set_description(f"{stage} level {level}")
        bar.update(int(fraction * 100) - bar.n)

    started = time.perf_counter()
    keys = dict(server_key=args.server_key, client_key=args.client_key)
    files = PieceFiles(output)
    # --stream: each chunk goes into the files as it comes (they can be played while they grow).
    on_chunk = (lambda start, parts, out_rate: files.write(start, parts, out_rate)) if args.stream else None
    try:
        with (private_host(args.model, args.device) if args.endpoint is None else _running(args.endpoint, keys)
              ) as endpoint, Client(endpoint, timeout=30.0, **keys) as client:
            outs, out_rate = client.generate_variations(audio, rate, on_progress=progress, on_chunk=on_chunk,
                                                        **params)
            if not args.stream:
                files.write(0, outs, out_rate)
            for step, seconds in enumerate(extensions, start=1):
                bar.reset()
                more = {**params, "length": seconds}
                if args.seed is not None:
                    more["seed"] = (args.seed + step) % 2**32  # the same seed would draw the same numbers again
                # A chain link: only what it adds comes back (the host keeps a bounded tail), after the overlap
                # it re-makes at the end of the piece so far.
                outs, out_rate, overlap = client.continue_piece(on_progress=progress, on_chunk=on_chunk,
                                                                piece_frames=files.frames, **more)
                if not args.stream:
                    files.write(max(0, files.frames - overlap), outs, out_rate)
    except (RemoteError, HostUnavailable, JobLost, MessageTooLarge, KeyboardInterrupt) as exc:
        bar.close()
        files.close()
        kept = f"; the piece so far is in {_names(files)}" if files.frames else ", nothing written"
        if isinstance(exc, KeyboardInterrupt):
            print(f"jukebox-host: interrupted: the job was cancelled{kept}", file=sys.stderr)
            return 130
        said = f"{exc.code}: {exc.message}" if isinstance(exc, RemoteError) else str(exc)
        print(f"jukebox-host: {said}{kept}", file=sys.stderr)
        return 1
    bar.update(100 - bar.n)
    bar.close()
    files.close()
    print(f"wrote {_names(files)}: {files.frames / files.rate:.2f} s, {outs[0].shape[0]} ch, {files.rate} Hz "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def _names(files: PieceFiles) -> str:
    paths = files.paths()
    return str(paths[0]) if len(paths) == 1 else f"{paths[0]} … {paths[-1].name}"


@contextmanager
def _running(endpoint: str, keys: dict[str, Any]) -> Iterator[str]:
    from jukebox_host.clients.client import Client, HostRefused, HostUnavailable

    with Client(endpoint, timeout=3.0, **keys) as probe:
        try:
            probe.hello()
        except HostRefused as exc:  # a host is there; its reason says which key to fix
            raise RenderError(str(exc)) from None
        except HostUnavailable:
            raise RenderError(f"no jukebox-host answers at {endpoint}: start one with `jukebox-host serve`") from None
    yield endpoint
