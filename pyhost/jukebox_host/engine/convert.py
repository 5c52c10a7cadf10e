"""`jukebox-host convert`: OpenAI's original checkpoint files → a folder that loads like any other model.

Input: vqvae.pth.tar, prior_level_0.pth.tar, prior_level_1.pth.tar, prior_level_2.pth.tar (OpenAI publishes the
VQ-VAE and both upsamplers under 5b/ for every model; only prior_level_2 differs) and OpenAI's label id lists.
Output: config.json (OpenAI's hparams for that model), one weight shard per original file with an index, and the
tokenizer files. Every tensor of the model must come from the files exactly once with its exact shape; anything
else stops the conversion with the names at fault, so no weight is ever left random.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from jukebox_host.engine.label_files import LabelFileError, id_file_names, vocabularies
from jukebox_host.engine.loading import unique_bytes
from jukebox_host.engine.original_keys import PARTS, transformers_key

# Which label set each prior was trained with, top first (OpenAI's hparams: labels_v3 only on the 1b_lyrics top).
TOKENIZER_VERSIONS = {"1b_lyrics": ["v3", "v2", "v2"], "5b_lyrics": ["v2", "v2", "v2"], "5b": ["v2", "v2", "v2"]}
_SHOWN = 8  # names listed per problem


class ConvertError(Exception):
    pass


def _names(keys: list[str]) -> str:
    more = f" (and {len(keys) - _SHOWN} more)" if len(keys) > _SHOWN else ""
    return ", ".join(sorted(keys)[:_SHOWN]) + more


def _first_global(message: str) -> str:
    found = re.search(r"GLOBAL \S+", message)
    return found.group(0) if found else message.splitlines()[0]


def read_original(path: Path, trust_pickle: bool = False) -> dict[str, torch.Tensor]:
    """The state dict inside one original file ({'model': ..., 'hps': ..., 'step': ...} or a bare state dict).
    Loaded without running pickled code unless trust_pickle is set."""
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=not trust_pickle, mmap=zipfile.is_zipfile(path))
    except pickle.UnpicklingError as exc:
        if "GLOBAL" not in str(exc):  # not a disallowed class: the bytes are no pickle torch can read
            raise ConvertError(f"{path.name} is not a readable PyTorch checkpoint") from None
        raise ConvertError(
            f"{path.name} holds Python objects besides tensors, which are not loaded without your say-so. "
            f"If the file is OpenAI's own, pass --trust-pickle. ({_first_global(str(exc))})"
        ) from None
    except (RuntimeError, EOFError, OSError, ValueError) as exc:
        raise ConvertError(f"{path.name} is not a readable PyTorch checkpoint: {exc}") from None
    state = loaded.get("model", loaded) if isinstance(loaded, dict) else None
    if not isinstance(state, dict) or not state:
        raise ConvertError(f"{path.name} holds no state dict (expected a dict with a 'model' entry)")
    odd = [str(k) for k, v in state.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if odd:
        raise ConvertError(f"{path.name}: entries that are not named tensors: {_names(odd)}")
    return state


def map_part(file_name: str, state: dict[str, torch.Tensor], expected: dict[str, torch.Size]
             ) -> dict[str, torch.Tensor]:
    """Rename one file's tensors to transformers' keys and check them against the model's own: every expected key
    exactly once, same shape, nothing unknown."""
    mapped: dict[str, torch.Tensor] = {}
    unknown, twice, wrong_shape = [], [], []
    for original, tensor in state.items():
        key = transformers_key(file_name, original)
        if key is None or key not in expected:
            unknown.append(original)
        elif key in mapped:
            twice.append(original)
        elif tuple(tensor.shape) != tuple(expected[key]):
            wrong_shape.append(f"{original} {tuple(tensor.shape)} (model: {tuple(expected[key])})")
        else:
            mapped[key] = tensor
    missing = [key for key in expected if key not in mapped]
    problems = []
    if unknown:
        problems.append(f"unknown keys: {_names(unknown)}")
    if twice:
        problems.append(f"keys that land on a tensor already filled: {_names(twice)}")
    if wrong_shape:
        problems.append(f"shapes that differ from the model's: {_names(wrong_shape)}")
    if missing:
        problems.append(f"tensors of the model missing from the file: {_names(missing)}")
    if problems:
        hint = " Is --model right for these files?" if unknown or wrong_shape else ""
        raise ConvertError(f"{file_name}: " + "; ".join(problems) + "." + hint)
    return mapped


def expected_keys(config: Any) -> dict[str, dict[str, torch.Size]]:
    """Per original file, the transformers keys and shapes it must fill (model built on the meta device)."""
    from transformers.models.deprecated.jukebox import JukeboxModel

    with torch.device("meta"):
        model = JukeboxModel(config)
    shapes = {key: value.shape for key, value in model.state_dict().items()}
    return {name: {k: s for k, s in shapes.items() if k.startswith(prefix + ".")}
            for name, (prefix, _) in PARTS.items()}


def _check_inputs(src: Path, ids_dir: Path, versions: list[str], dst: Path) -> None:
    missing = [name for name in PARTS if not (src / name).is_file()]
    if missing:
        raise ConvertError(f"{src} lacks {', '.join(missing)} (OpenAI's files: vqvae, prior_level_0 and "
                           f"prior_level_1 from models/5b/, prior_level_2 from the model's own folder)")
    missing_ids = [name for name in id_file_names(versions) if not (ids_dir / name).is_file()]
    if missing_ids:
        raise ConvertError(f"{ids_dir} lacks {', '.join(missing_ids)}: copy them from OpenAI's repository, "
                           f"jukebox/data/ids/, or point --ids at them")
    if dst.exists() and (not dst.is_dir() or any(dst.iterdir())):
        raise ConvertError(f"{dst} exists and is not an empty folder; choose a new one")


def _write_tokenizer(ids_dir: Path, target: Path, config: Any, versions: list[str]) -> None:
    from transformers.models.deprecated.jukebox import JukeboxTokenizer

    try:
        files = vocabularies(ids_dir, versions)
    except LabelFileError as exc:
        raise ConvertError(str(exc)) from None
    for name, content in files.items():
        (target / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    lyric_tokens = int(config.prior_configs[0].nb_relevant_lyric_tokens) or 512
    JukeboxTokenizer(str(target / "artists.json"), str(target / "genres.json"), str(target / "lyrics.json"),
                     version=versions, n_genres=int(config.max_nb_genres),
                     max_n_lyric_tokens=lyric_tokens).save_pretrained(target)


def convert_checkpoint(src: Path, dst: Path, config: Any, versions: list[str], ids_dir: Path | None = None,
                       trust_pickle: bool = False, log: Callable[[str], None] = print) -> Path:
    """Convert the four original files in `src` into a new folder `dst` (written beside it, moved in place when
    complete, so a failed conversion leaves nothing half-written)."""
    src, dst = Path(src), Path(dst)
    ids_dir = Path(ids_dir) if ids_dir is not None else src
    _check_inputs(src, ids_dir, versions, dst)
    work = dst.with_name(dst.name + ".converting")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        config.save_pretrained(work)
        _write_tokenizer(ids_dir, work, config, versions)
        expected = expected_keys(config)
        weight_map: dict[str, str] = {}
        total = 0
        for index, name in enumerate(PARTS, start=1):
            log(f"converting {name}")
            mapped = map_part(name, read_original(src / name, trust_pickle), expected[name])
            shard = f"pytorch_model-{index:05d}-of-{len(PARTS):05d}.bin"
            torch.save(mapped, work / shard)  # tied tensors (same storage) stay one tensor in the file
            weight_map.update(dict.fromkeys(mapped, shard))
            total += unique_bytes(mapped.values())
            del mapped
        index_file = {"metadata": {"total_size": total}, "weight_map": weight_map}
        (work / "pytorch_model.bin.index.json").write_text(json.dumps(index_file, indent=1))
        if dst.exists():
            dst.rmdir()
        work.rename(dst)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log(f"wrote {dst}: {total / 2**30:.2f} GiB of weights")
    return dst


def convert_model(src: Path, dst: Path, model: str, ids_dir: Path | None = None, trust_pickle: bool = False,
                  log: Callable[[str], None] = print) -> Path:
    from jukebox_host.engine.configs import full_config

    if model not in TOKENIZER_VERSIONS:
        raise ConvertError(f"unknown model {model!r}; choose one of {', '.join(TOKENIZER_VERSIONS)}")
    return convert_checkpoint(src, dst, full_config(model), TOKENIZER_VERSIONS[model], ids_dir, trust_pickle, log)
