"""The memory plan is computed on the meta device and adds up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jukebox_host.engine.memory_plan import BYTES, meta_model, placements, plan


@pytest.fixture(scope="module")
def one_b() -> object:
    return meta_model("1b_lyrics")


def test_weights_are_parameters_times_bytes(one_b: object) -> None:
    for precision, size in BYTES.items():
        priors, vqvae = plan(one_b, precision)
        assert [p.weights for p in priors] == [p.params * size for p in priors]
        assert vqvae > 0


def test_cache_grows_with_samples_and_level_wise_is_smaller(one_b: object) -> None:
    one, vqvae = plan(one_b, "float16", 1)
    four, _ = plan(one_b, "float16", 4)
    assert [4 * p.cache for p in one] == [p.cache for p in four]
    totals = placements(one, vqvae)
    assert totals["level-wise"] < totals["all resident"]
    # The plan behind docs/ENGINE.md's table: 1b_lyrics level-wise in fp16 within 4 GiB.
    assert totals["level-wise"] < 4 * 2**30


def test_cli_prints_the_table() -> None:
    done = subprocess.run([sys.executable, "-m", "jukebox_host", "memory-plan", "--models", "tiny", "--precisions",
                           "float32"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "| tiny | float32 | total" in done.stdout


def test_the_documented_table_is_what_the_command_prints() -> None:
    from pathlib import Path

    from jukebox_host.engine.memory_plan import render

    readme = (Path(__file__).resolve().parents[2] / "docs" / "ENGINE.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "| total (+ VQ-VAE" in line]
    printed = render(["1b_lyrics", "5b_lyrics", "5b"], ["float16", "int8"], 1)
    assert len(rows) == 6 and all(row in printed for row in rows), rows
