"""Checkpoints in OpenAI's original layout, for converter tests.

The key names, shapes, dtypes and ties come from tests/fixtures/openai_layout/*.json.gz, which were dumped from
OpenAI's own module code (see the README there), not from our key map. Values are random.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import torch

from jukebox_host.engine.labels import norm_v2
from jukebox_host.engine.tiny import TINY_ARTISTS, TINY_GENRES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openai_layout"
FILES = ("vqvae.pth.tar", "prior_level_0.pth.tar", "prior_level_1.pth.tar", "prior_level_2.pth.tar")


def layout(size: str) -> dict[str, Any]:
    with gzip.open(FIXTURES / f"{size}.json.gz", "rt") as handle:
        return json.load(handle)


def file_layout(size: str, model: str, file_name: str) -> dict[str, Any]:
    pinned = layout(size)
    return pinned["tops"][model] if file_name == "prior_level_2.pth.tar" else pinned[file_name]


def random_state(entry: dict[str, Any], seed: int) -> dict[str, torch.Tensor]:
    """A state dict with every pinned key, its shape and stored dtype; tied keys share one tensor, as in OpenAI's
    files (torch.save keeps the sharing)."""
    generator = torch.Generator().manual_seed(seed)
    state = {key: (0.02 * torch.randn(shape, generator=generator)).to(getattr(torch, dtype))
             for key, shape, dtype in entry["keys"]}
    for group in entry["tied"]:
        for key in group[1:]:
            state[key] = state[group[0]]
    return state


def write_original_checkpoint(folder: Path, model: str, seed: int = 0, size: str = "tiny") -> dict[str, dict]:
    """The four .pth.tar files as OpenAI's save_checkpoint writes them ({'hps', 'model', 'opt', 'step'}), and the
    label id lists. Returns the state dicts by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    states = {}
    for index, name in enumerate(FILES):
        states[name] = random_state(file_layout(size, model, name), seed + index)
        hps = {"name": name, "l_bins": 64, "strides_t": (2, 2, 2), "sr": 44100}
        torch.save({"hps": hps, "model": states[name], "opt": None, "step": 1000}, folder / name)
    write_id_lists(folder)
    return states


def write_id_lists(folder: Path) -> None:
    """OpenAI's jukebox/data/ids/*.txt format: `name;id` per line; v2 names are normalised, v3 are plain."""
    for version in ("v2", "v3"):
        for kind, names in (("artist", TINY_ARTISTS), ("genre", TINY_GENRES)):
            lines = [f"{norm_v2(n) if version == 'v2' else n};{i}" for i, n in enumerate(names)]
            (folder / f"{version}_{kind}_ids.txt").write_text("\n".join(lines) + "\n")
