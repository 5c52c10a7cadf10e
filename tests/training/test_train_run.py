"""`jukebox-host train` end to end on the tiny model: a folder of a few files becomes a model folder that `render
--model` plays, its loss falling; a stopped run resumes exactly; Ctrl-C saves; bad input gets one clear line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from jukebox_host.cli import main as cli_main
from jukebox_host.engine.loading import load_model
from jukebox_host.engine.tiny import write_tiny_model
from jukebox_host.training import checkpoint
from jukebox_host.training.lr_schedule import Schedule
from jukebox_host.training.new_prior import PriorShape
from jukebox_host.training.optimiser import Optimisation
from jukebox_host.training.run import LOG_FILE, Run, RunError, RunSettings

# The tiny prior, in float32 whatever the CPU (auto would pick bfloat16 on AVX-512 BF16 machines)
TINY_SHAPE = ["--width", "32", "--depth", "2", "--heads", "1", "--window", "64", "--blocks", "8",
              "--precision", "float32"]


def _tone(seconds: float, rate: int, freqs: list[float]) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return np.stack([0.3 * np.sin(2 * np.pi * f * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t)) for f in freqs],
                    axis=1).astype(np.float32)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three usable files at three rates and channel counts, one too short, one not audio."""
    folder = tmp_path_factory.mktemp("artist")
    sf.write(folder / "mono-22k.wav", _tone(2.0, 22050, [220.0]), 22050)
    (folder / "takes").mkdir()
    sf.write(folder / "takes" / "stereo-48k.flac", _tone(1.5, 48000, [330.0, 440.0]), 48000)
    sf.write(folder / "takes" / "quad.wav", _tone(1.0, 44100, [110.0, 165.0, 220.0, 275.0]), 44100)
    sf.write(folder / "click.wav", np.zeros((1000, 1), np.float32), 44100)
    (folder / "notes.txt").write_text("lyrics ideas")
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("base"))


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jukebox_host", *args], capture_output=True, text=True,
                          timeout=timeout)


def _log(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / LOG_FILE).read_text().splitlines()]


def test_a_folder_becomes_a_model_that_render_plays(data: Path, base: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    done = _cli("train", str(data), "-o", str(run), "--model", str(base), "--steps", "40", "--batch", "2",
                "--lr", "1e-3", "--warmup", "5", "--test-every", "10", "--save-every", "15", "--sample-every", "20",
                "--quiet", *TINY_SHAPE)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert sum("skipped notes.txt: not audio" in line for line in lines) == 1
    assert sum("skipped click.wav" in line and "shorter than one training window" in line for line in lines) == 1
    assert any("3 files, 4.5 s of audio at 44100 Hz (2 skipped)" in line for line in lines), lines
    log = _log(run)
    assert [entry["step"] for entry in log] == list(range(1, 41))
    losses = [entry["loss"] for entry in log]
    assert np.mean(losses[-8:]) < np.mean(losses[:8]) - 0.3, losses
    tests = [entry["test_loss"] for entry in log if "test_loss" in entry]
    assert len(tests) == 4 and tests[-1] < tests[0]
    assert int(checkpoint.load(run)["step"]) == 40
    samples = sorted((run / "samples").iterdir())
    assert [p.name for p in samples] == ["step_000020.wav", "step_000040.wav"]
    for path in samples:  # one window of the top level: 64 tokens of 128 samples
        sound, rate = sf.read(path)
        assert rate == 44100 and sound.shape == (64 * 128,) and np.isfinite(sound).all() and sound.std() > 1e-3

    prompt, output = tmp_path / "prompt.wav", tmp_path / "out.wav"
    assert _cli("example", str(prompt), "--seconds", "0.5").returncode == 0
    played = _cli("render", str(prompt), "-o", str(output), "--model", str(run / "model"), "--length", "1.0",
                  "--quiet")
    assert played.returncode == 0, played.stderr
    assert abs(sf.info(str(output)).duration - 1.0) < 0.01


def test_the_model_folder_holds_the_trained_prior_averaged(data: Path, base: Path, tmp_path: Path) -> None:
    run = Run(_settings(data, base, tmp_path / "run", steps=6), resume=False, say=lambda _: None)
    run.run(progress=False)
    served = load_model(str(tmp_path / "run" / "model"), torch.device("cpu"), torch.float32).model
    top = served.priors[0]
    assert top.nb_relevant_lyric_tokens == 0 and not top.is_encoder_decoder  # the new prior: the base top reads lyrics
    trained = dict(run.loaded.model.priors[0].named_parameters())
    for p, average in zip(run.optimiser.average.params, run.optimiser.average.average):
        name = next(n for n, q in trained.items() if q is p)
        assert torch.equal(dict(top.named_parameters())[name].detach(), average), name
    original = load_model(str(base), torch.device("cpu"), torch.float32).model
    for ours, theirs in zip(served.vqvae.state_dict().values(), original.vqvae.state_dict().values()):
        assert torch.equal(ours, theirs)  # the VQ-VAE is the base model's, untouched


def _settings(data: Path, base: Path, out: Path, steps: int, **extra: object) -> RunSettings:
    return RunSettings(base=str(base), data=str(data), out=str(out), prior_index=0,
                       new_prior=PriorShape(32, 2, 1, 64, 8), steps=steps, batch=2, save_every=3, test_every=0,
                       optimisation=Optimisation(lr=1e-3, schedule=Schedule(warmup=2), ema_every=2), **extra)


def test_a_resumed_run_gives_the_losses_of_one_that_never_stopped(data: Path, base: Path, tmp_path: Path) -> None:
    Run(_settings(data, base, tmp_path / "whole", steps=8), resume=False, say=lambda _: None).run(progress=False)
    Run(_settings(data, base, tmp_path / "split", steps=5), resume=False, say=lambda _: None).run(progress=False)
    said: list[str] = []
    Run(_settings(data, base, tmp_path / "split", steps=8), resume=True, say=said.append).run(progress=False)
    assert said[0] == "resumed at step 5"
    whole, split = _log(tmp_path / "whole"), _log(tmp_path / "split")
    assert [e["step"] for e in split] == list(range(1, 9))
    for a, b in zip(whole, split):
        assert (a["loss"], a["grad_norm"], a["lr"]) == (b["loss"], b["grad_norm"], b["lr"]), a["step"]
    for (name, a), b in zip(checkpoint.load(tmp_path / "whole")["prior"].items(),
                            checkpoint.load(tmp_path / "split")["prior"].values()):
        assert torch.equal(a, b), name


def test_ctrl_c_saves_and_the_run_resumes(data: Path, base: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = ["train", str(data), "-o", str(run), "--model", str(base), "--steps", "100000", "--quiet", *TINY_SHAPE]
    proc = subprocess.Popen([sys.executable, "-m", "jukebox_host", *args], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not ((run / LOG_FILE).exists() and len((run / LOG_FILE).read_text().splitlines()) >= 3):
            assert proc.poll() is None and time.monotonic() < deadline, "the run did not start"
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    step = int(checkpoint.load(run)["step"])
    assert f"stopped at step {step} of 100000; saved" in stderr
    assert len(_log(run)) == step and (run / "model" / "config.json").exists()
    again = _cli("train", str(data), "-o", str(run), "--model", str(base), "--steps", str(step + 2), "--resume",
                 "--quiet", *TINY_SHAPE)
    assert again.returncode == 0, again.stderr
    assert f"resumed at step {step}" in again.stderr
    assert [e["step"] for e in _log(run)] == list(range(1, step + 3))


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The command line's own code, in this process (no interpreter to start): (exit code, what it printed)."""
    code = cli_main(list(args))
    return code, capsys.readouterr().err


def _one_line_error(done: tuple[int, str], text: str) -> None:
    code, stderr = done
    assert code == 2, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("jukebox-host train:")]
    assert len(errors) == 1 and text in errors[0], stderr


def test_bad_input_gets_one_line_and_loses_nothing(data: Path, base: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--model", str(base), "--steps", "2", "--quiet", *TINY_SHAPE]
    empty = tmp_path / "empty"
    empty.mkdir()
    _one_line_error(_in_process(capsys, "train", str(empty), "-o", str(tmp_path / "r1"), *common), "holds no files")
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.wav").write_bytes(b"RIFF not really")
    code, stderr = _in_process(capsys, "train", str(junk), "-o", str(tmp_path / "r2"), *common)
    assert code == 2 and "none of the 1 files" in stderr.splitlines()[-1]
    _one_line_error(_in_process(capsys, "train", str(tmp_path / "nowhere"), "-o", str(tmp_path / "r3"), *common),
                    "no such folder")
    _one_line_error(_in_process(capsys, "train", str(data), "-o", str(tmp_path / "r4"), *common, "--width", "30",
                                "--heads", "4"), "not a multiple of 4 heads")

    run = tmp_path / "kept"
    assert _in_process(capsys, "train", str(data), "-o", str(run), *common)[0] == 0
    before = {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()}
    _one_line_error(_in_process(capsys, "train", str(data), "-o", str(run), *common),
                    "holds a run (at step 2): give --resume")
    _one_line_error(_in_process(capsys, "train", str(data), "-o", str(run), *common, "--seed", "3", "--resume"),
                    "these differ: seed")
    assert {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()} == before
    _one_line_error(_in_process(capsys, "train", str(data), "-o", str(tmp_path / "r5"), *common, "--resume"),
                    "no run to resume")


def test_runs_refuse_what_cannot_be_trained(data: Path, base: Path, tmp_path: Path) -> None:
    with pytest.raises(RunError, match="no level 5"):
        Run(RunSettings(base=str(base), data=str(data), out=str(tmp_path / "r"), prior_index=5, new_prior=None,
                        steps=1), resume=False, say=lambda _: None)
    with pytest.raises(RunError, match="cannot fill a batch of 64"):
        Run(replace(_settings(data, base, tmp_path / "big", steps=1), batch=64), resume=False,
            say=lambda _: None).run(progress=False)


def test_the_trained_prior_is_causal(data: Path, base: Path, tmp_path: Path) -> None:
    """Each position's prediction depends on earlier tokens only (OpenAI's mask). Trained without the mask, a
    prior learns to read the token it predicts: the same check on such a prior fails."""
    run = Run(_settings(data, base, tmp_path / "run", steps=2), resume=False, say=lambda _: None)
    run.run(progress=False)
    prior = run.loaded.model.priors[0]

    def predictions(tokens: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            audio, labels, _ = prior.get_cond([], run.batch(0)[1][:1])
            return prior.prior(tokens, audio, labels, None, get_preds=True)[1]

    tokens = torch.randint(0, 64, (1, 64), generator=torch.Generator().manual_seed(1))
    changed = tokens.clone()
    changed[0, 40] = (changed[0, 40] + 1) % 64
    a, b = predictions(tokens), predictions(changed)
    assert torch.equal(a[:, :41], b[:, :41]) and not torch.equal(a[:, 41:], b[:, 41:])
    for module in prior.modules():  # the same weights, unmasked: position 40 now sees its own token
        if hasattr(module, "mask") and isinstance(module.mask, bool):
            module.mask = False
    a, b = predictions(tokens), predictions(changed)
    assert not torch.equal(a[:, :41], b[:, :41])


def test_fine_tuning_the_models_own_prior_anneals_to_zero(data: Path, base: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    code, stderr = _in_process(capsys, "train", str(data), "-o", str(run), "--model", str(base), "--level", "middle",
                               "--from", "base", "--steps", "4", "--warmup", "1", "--quiet")
    assert code == 0, stderr
    # OpenAI's linear decay over the run: rate 0 at step 0 (LambdaLR), then lr·(1 − step/4).
    assert [e["lr"] for e in _log(run)] == [0.0, 0.0003 * 0.75, 0.0003 * 0.5, 0.0003 * 0.25]
    tuned = load_model(str(run / "model"), torch.device("cpu"), torch.float32).model
    original = load_model(str(base), torch.device("cpu"), torch.float32).model
    for index, (ours, theirs) in enumerate(zip(tuned.priors, original.priors)):
        same = all(torch.equal(a, b) for a, b in zip(ours.state_dict().values(), theirs.state_dict().values()))
        assert same == (index != 1), index  # only the middle level moved


def test_a_released_top_refuses_pieces_shorter_than_its_song_lengths(data: Path, base: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The tiny model's top reads song lengths from 17.84 s, as OpenAI's 1b_lyrics; OpenAI's dataset drops shorter
    files, and so does a run that fine-tunes it."""
    code, stderr = _in_process(capsys, "train", str(data), "-o", str(tmp_path / "run"), "--model", str(base),
                               "--from", "base", "--steps", "1", "--quiet")
    assert code == 2
    assert "shorter than the shortest song this prior's labels can say (17.84 s)" in stderr
    assert "none of the 5 files" in stderr.splitlines()[-1]


def test_two_processes_take_the_steps_of_one_with_the_whole_batch(data: Path, base: Path, tmp_path: Path) -> None:
    """torchrun, 2 CPU processes (gloo) at batch 1 each, against one process at batch 2: the same losses, gradient
    norms and weights (up to the order of float sums), as OpenAI's MPI runs against one GPU."""
    common = ["--model", str(base), "--steps", "5", "--quiet", "--warmup", "2", "--lr", "1e-3", "--test-every", "0",
              *TINY_SHAPE]
    one = _cli("train", str(data), "-o", str(tmp_path / "one"), "--batch", "2", *common)
    assert one.returncode == 0, one.stderr
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                          "-m", "jukebox_host", "train", str(data), "-o", str(tmp_path / "two"), "--batch", "1",
                          *common], capture_output=True, text=True, timeout=300)
    assert two.returncode == 0, two.stderr
    for a, b in zip(_log(tmp_path / "one"), _log(tmp_path / "two"), strict=True):
        for key in ("loss", "grad_norm", "lr"):
            assert abs(a[key] - b[key]) <= 1e-6 * max(1.0, abs(a[key])), (a["step"], key, a[key], b[key])
    for (name, a), b in zip(checkpoint.load(tmp_path / "one")["prior"].items(),
                            checkpoint.load(tmp_path / "two")["prior"].values()):
        assert torch.allclose(a, b, rtol=0, atol=1e-6), name


def test_a_full_disk_stops_the_run_and_keeps_the_last_checkpoint(data: Path, base: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real_save = torch.save
    saves = []

    def filling_up(state: object, out: object) -> None:
        saves.append(1)
        if len(saves) > 1:  # the first checkpoint fits, then the disk is full
            out.write(b"half a checkpoint")  # type: ignore[attr-defined]
            raise OSError(28, "No space left on device")
        real_save(state, out)

    monkeypatch.setattr(checkpoint.torch, "save", filling_up)
    run = tmp_path / "run"
    with pytest.raises(RunError) as refused:
        Run(_settings(data, base, run, steps=9), resume=False, say=lambda _: None).run(progress=False)
    assert str(refused.value) == (f"cannot write {run / 'checkpoint.pt'}: No space left on device; the checkpoint "
                                  "of step 3 is kept: make room and give --resume")
    monkeypatch.undo()
    assert int(checkpoint.load(run)["step"]) == 3 and not (run / "checkpoint.pt.part").exists()
    Run(_settings(data, base, run, steps=9), resume=True, say=lambda _: None).run(progress=False)
    assert int(checkpoint.load(run)["step"]) == 9 and [e["step"] for e in _log(run)] == list(range(1, 10))


def test_a_vqvae_from_scratch_trains_and_lands_in_the_model(data: Path, base: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """--level vqvae --from new: fresh weights, codebooks drawn from the first batch (init_k), the loss scaled by
    the material's bandwidth. Tiny VQ-VAEs jump in their first steps as the codebooks settle (OpenAI's own code does
    the same on these weights, tests/fixtures/openai_reference/training); the test loss falls after that."""
    run = tmp_path / "run"
    code, stderr = _in_process(capsys, "train", str(data), "-o", str(run), "--model", str(base), "--level", "vqvae",
                               "--from", "new", "--steps", "16", "--batch", "2", "--vqvae-window", "8192",
                               "--bandwidth-seconds", "2", "--lr", "1e-5", "--warmup", "2", "--test-every", "8",
                               "--sample-every", "16", "--quiet", "--precision", "float32")
    assert code == 0, stderr
    assert "train each level's prior again" in stderr
    log = _log(run)
    assert {"recons_loss", "multispectral_loss", "commit_loss", "usage", "samples_per_s"} <= set(log[0])
    tests = [e["test_loss"] for e in log if "test_loss" in e]
    assert len(tests) == 2 and tests[1] < tests[0]
    assert sorted(p.name for p in (run / "samples").iterdir()) == [f"step_000016_level{n}.wav" for n in range(3)]
    state = checkpoint.load(run)
    assert len(state["codebooks"]) == 3 and all(c["init"] for c in state["codebooks"])
    trained = load_model(str(run / "model"), torch.device("cpu"), torch.float32).model
    original = load_model(str(base), torch.device("cpu"), torch.float32).model
    assert not torch.equal(trained.vqvae.bottleneck.level_blocks[0].codebook,
                           original.vqvae.bottleneck.level_blocks[0].codebook)
    for ours, theirs in zip(trained.priors.state_dict().values(), original.priors.state_dict().values()):
        assert torch.equal(ours, theirs)  # the priors are the base model's, to be trained again


def test_a_whole_model_of_ones_own_from_scratch_plays(data: Path, base: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The README's chain: a new VQ-VAE, then a new prior at each level on its codes, each run's model/ the next
    run's --model; the last model renders. (Few steps: the chain is what is tested, each part is tested above.)"""
    model = str(base)
    for level, steps in (("vqvae", "3"), ("top", "3"), ("middle", "2"), ("bottom", "2")):
        run = tmp_path / level
        extra = ["--vqvae-window", "8192", "--bandwidth-seconds", "1"] if level == "vqvae" else TINY_SHAPE
        code, stderr = _in_process(capsys, "train", str(data), "-o", str(run), "--model", model, "--level", level,
                                   "--from", "new", "--steps", steps, "--test-every", "0", "--quiet",
                                   "--precision", "float32", *extra)
        assert code == 0, (level, stderr)
        model = str(run / "model")
    prompt, output = tmp_path / "prompt.wav", tmp_path / "out.wav"
    assert _cli("example", str(prompt), "--seconds", "0.5").returncode == 0
    played = _cli("render", str(prompt), "-o", str(output), "--model", model, "--length", "1.0", "--quiet")
    assert played.returncode == 0, played.stderr
    assert abs(sf.info(str(output)).duration - 1.0) < 0.01
    whole = load_model(model, torch.device("cpu"), torch.float32).model
    first = load_model(str(tmp_path / "vqvae" / "model"), torch.device("cpu"), torch.float32).model
    assert torch.equal(whole.vqvae.bottleneck.level_blocks[2].codebook,
                       first.vqvae.bottleneck.level_blocks[2].codebook)  # the new VQ-VAE came along the chain
