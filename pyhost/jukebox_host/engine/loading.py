"""Loading models once and keeping them: name resolution, device/dtype placement, a bounded registry."""

from __future__ import annotations

import logging
import os
import time
import types
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from jukebox_host.engine.fastpath import speed_up_priors
from jukebox_host.engine.fidelity import make_faithful, song_length_range
from jukebox_host.engine.kv_cache import use_inplace_cache
from jukebox_host.engine.levels import level_of_prior
from jukebox_host.engine.residency import LevelResidency
from jukebox_host.engine.schedule import LEVEL_BY_LEVEL, PIPELINED
from jukebox_host.engine.static_step import choose_step, install_on_priors, warm_up
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError

TINY_NAME = "tiny"
log = logging.getLogger("jukebox_host")


def cache_home() -> Path:
    return Path(os.environ.get("JUKEBOX_HOST_HOME", Path.home() / ".cache" / "jukebox-host"))


def resolve(name: str) -> str:
    """Model name → what from_pretrained gets. 'tiny' is generated on first use; folders must exist."""
    if name == TINY_NAME:
        folder = cache_home() / "tiny-v5"  # bump when tiny_config() changes
        if not (folder / "config.json").exists():
            from jukebox_host.engine.tiny import write_tiny_model

            write_tiny_model(folder)
        return str(folder)
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise HostError(C.ERR_UNKNOWN_MODEL, f"folder {name!r} has no config.json: not a Jukebox checkpoint")
        return str(path)
    looks_like_hub_id = name.count("/") == 1 and not name.startswith((".", "/", "~"))
    if not looks_like_hub_id:
        raise HostError(
            C.ERR_UNKNOWN_MODEL,
            f"model {name!r} is neither a folder nor a Hugging Face id (owner/name); "
            f"use '{TINY_NAME}', a local folder, or e.g. 'openai/jukebox-1b-lyrics'",
        )
    return name


def check_servable(name: str, timeout: float = 5.0) -> None:
    """Raises HostError at once when a model could not be loaded, before anything starts: a folder that is not a
    checkpoint or a name that is neither (unknown_model), a Hugging Face id neither in the local cache nor
    reachable (model_unavailable). One request to the hub, no retries: seconds, not the minute of backed-off
    retries a download makes when offline."""
    source = resolve(name)
    if Path(source).is_dir():  # a checkpoint folder ('tiny' resolves to one)
        return
    import huggingface_hub

    if isinstance(huggingface_hub.try_to_load_from_cache(source, "config.json"), str):
        return  # downloaded before: from_pretrained finds it offline too
    try:
        huggingface_hub.model_info(source, timeout=timeout)
    except huggingface_hub.utils.RepositoryNotFoundError:
        raise HostError(C.ERR_UNKNOWN_MODEL, f"model {name!r} does not exist on the Hugging Face hub") from None
    except Exception as exc:  # offline, a proxy, HF_HUB_OFFLINE: whatever stops the first request stops the load
        raise HostError(C.ERR_MODEL_UNAVAILABLE,
                        f"model {name!r} is not in the local Hugging Face cache and the hub cannot be reached "
                        f"({type(exc).__name__}): download it where there is a network, or give a local folder"
                        ) from None


def fix_windowed_conditioning(prior: Any) -> None:
    """Trap 4: transformers conditions each upsampling window on the upper level's *whole* sequence, so time and
    memory grow without bound. Condition on the window's slice, zero-padded to n_ctx // cond_downsample, as
    OpenAI's original code does."""
    if prior.level == 0:
        return

    def music_tokens_conds(self: Any, music_tokens: list[torch.Tensor], start: int, end: int) -> list[torch.Tensor]:
        upper = music_tokens[self.level - 1]
        step = self.cond_downsample
        window = upper[:, start // step : end // step]
        missing = self.n_ctx // step - window.shape[1]
        if missing > 0:
            pad = torch.zeros(window.shape[0], missing, dtype=torch.long, device=window.device)
            window = torch.cat([window.long(), pad], dim=1)
        return [window]

    prior.get_music_tokens_conds = types.MethodType(music_tokens_conds, prior)


def unique_bytes(tensors: Iterable[torch.Tensor]) -> int:
    """Bytes of these tensors, each storage once (tied weights share one)."""
    distinct = {t.data_ptr(): t for t in tensors}
    return sum(t.numel() * t.element_size() for t in distinct.values())


def tensor_bytes(module: torch.nn.Module) -> int:
    """Bytes of a module's parameters and buffers (int8 layers keep their weights as buffers)."""
    return unique_bytes([*module.parameters(), *module.buffers()])


def _retie_output_projections(model: Any) -> None:
    """Loading straight into a 16-bit dtype gives the tied output projection its own copy of the embedding (same
    values, twice the memory, and moves that no longer go together): point it back at the embedding, as the
    module's own constructor does."""
    for prior in model.priors:
        if prior.prior.share_embed_tokens_fc_proj_out:
            prior.prior.fc_proj_out.weight = prior.prior.embed_tokens.weight


@dataclass
class LoadedModel:
    name: str
    model: Any  # JukeboxModel
    tokenizer: Any  # JukeboxTokenizer
    device: torch.device
    dtype: torch.dtype
    load_seconds: float
    residency: LevelResidency | None = None  # None: every prior stays on the device
    decode_contexts: dict[int, Any] = field(default_factory=dict)  # VQ-VAE level → chunked_decode.Context

    @property
    def schedule(self) -> str:
        """How this model's levels take turns (schedule.py): pipelined needs every prior resident at once; with
        level-wise residency (a memory plan that fits one prior at a time) they run level by level."""
        return LEVEL_BY_LEVEL if self.residency is not None else PIPELINED

    def activate(self, prior_index: int | None) -> None:
        """Before sampling a level: with level-wise residency, only that prior on the device (None: none)."""
        if self.residency is not None:
            self.residency.place(prior_index)

    @property
    def sample_rate(self) -> int:
        return int(self.model.config.sampling_rate)

    def weight_bytes(self) -> int:
        return tensor_bytes(self.model)

    def facts(self) -> dict[str, Any]:
        """What a client needs to ask well: the rate it samples at, the top level's code size in samples (lengths
        are whole codes of it), the song lengths its top prior takes."""
        low, high = song_length_range(self.model.config)
        return {"sample_rate": self.sample_rate, "top_code_samples": int(self.model.priors[0].raw_to_tokens),
                "song_length_min": low, "song_length_max": high}

    def describe(self) -> dict[str, Any]:
        if self.residency is not None:
            placement = self.residency.describe()
        else:
            placement = [{"prior": i, "device": str(self.device), "bytes": tensor_bytes(prior)}
                         for i, prior in enumerate(self.model.priors)]
        for entry in placement:  # protocol levels: 2 = top
            entry["level"] = level_of_prior(entry.pop("prior"), len(self.model.priors))
        return {
            "name": self.name,
            "device": str(self.device),
            "dtype": str(self.dtype).replace("torch.", ""),
            "bytes": self.weight_bytes(),
            "levels": len(self.model.priors),
            "residency": "level" if self.residency is not None else "all",
            "schedule": self.schedule,
            "placement": placement,
            **self.facts(),
        }


def pick_device(requested: str, cuda: bool | None = None, mps: bool | None = None) -> torch.device:
    """'auto': CUDA, then Apple silicon's GPU (MPS), then the CPU. cuda/mps: what is there (default: ask torch)."""
    if requested != "auto":
        return torch.device(requested)
    if cuda is None:
        cuda = torch.cuda.is_available()
    if mps is None:
        mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    return torch.device("cuda" if cuda else "mps" if mps else "cpu")


def pick_dtype(requested: str, device: torch.device) -> torch.dtype:
    if requested == "auto":
        return torch.float16 if device.type == "cuda" else torch.float32
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[requested]


def load_model(name: str, device: torch.device, dtype: torch.dtype, fastpath: str = "stock",
               residency: str = "all", source: str | None = None, step: str = "stock") -> LoadedModel:
    """fastpath: 'stock' (transformers' layers as they are, default), 'linear' (same maths through nn.Linear),
    'int8' (int8 weight-only layers). See fastpath.py and bench/RESULTS.md for what each buys.
    residency: 'all' (every prior on the device) or 'level' (only the prior being sampled; residency.py).
    step: a sampled token through transformers' code ('stock'), a static key/value cache ('static'), or that
    compiled ('compiled': torch.compile; CUDA graphs on CUDA), warmed up here (static_step.py)."""
    from transformers.models.deprecated.jukebox import JukeboxConfig, JukeboxModel, JukeboxTokenizer
    from transformers.utils import logging as hf_logging

    class VQVAEInFloat32(JukeboxModel):
        # Priors load straight into the serving precision (5b_lyrics read as float32 first would take ~31 GB of
        # host memory on the way); the VQ-VAE stays float32, as its encode expects.
        _keep_in_fp32_modules_strict = ["vqvae"]

    hf_logging.disable_progress_bar()
    source = source or resolve(name)
    started = time.perf_counter()
    try:
        # Masked and with OpenAI's song length range, whatever the folder's config.json says (fidelity.py).
        config = make_faithful(JukeboxConfig.from_pretrained(source), lambda text: log.info("%s: %s", name, text))
        model = VQVAEInFloat32.from_pretrained(source, config=config, dtype=dtype)
        tokenizer = JukeboxTokenizer.from_pretrained(source)
    except HostError:
        raise
    except Exception as exc:
        raise HostError(C.ERR_MODEL_UNAVAILABLE, f"cannot load model {name!r}: {exc}") from None
    model.eval()
    _retie_output_projections(model)
    # Loaded in place: the VQ-VAE in float32 (its encode casts input to float32), the priors in `dtype`.
    model.vqvae.to(device=device, dtype=torch.float32)
    for prior in model.priors:
        # Level-wise residency keeps the priors in host memory until they are sampled.
        prior.to(device=device if residency == "all" else torch.device("cpu"), dtype=dtype)
        fix_windowed_conditioning(prior)
        use_inplace_cache(prior)
    if fastpath != "stock":
        speed_up_priors(model, int8=fastpath == "int8", device=device)
    install_on_priors(model, step)
    if step == "compiled" and residency == "all":  # with level residency, each prior compiles at its first job
        log.info("%s: %s", name, warm_up(model, device))
    placed = LevelResidency(list(model.priors), device) if residency == "level" else None
    return LoadedModel(name, model, tokenizer, device, dtype, time.perf_counter() - started, placed)


class ModelRegistry:
    """Models stay loaded until `max_models` is exceeded; then the least recently used one is dropped.
    This bounds memory to max_models × the largest model's weights."""

    def __init__(self, device: str = "auto", dtype: str = "auto", max_models: int = 1,
                 fastpath: str = "stock", residency: str = "all",
                 source: Callable[[str], str] | None = None, step: str = "stock") -> None:
        """source(name): what from_pretrained gets for a model name (the host's catalog.py: allowed names only)."""
        self.source = source or resolve
        self.device = pick_device(device)
        self.dtype = pick_dtype(dtype, self.device)
        self.fastpath = fastpath
        if fastpath == "auto":  # measured on this machine (precision_choice.py)
            from jukebox_host.engine.precision_choice import choose

            choice = choose(self.device)
            self.fastpath = choice.fastpath if choice is not None else "stock"
            if choice is not None:
                self.dtype = choice.dtype if dtype == "auto" else self.dtype
                log.info("%s", choice.summary())
        self.residency = residency
        self.step = choose_step(step, self.fastpath, self.device)
        if step == "auto":
            log.info("step auto on %s with fastpath %s -> %s", self.device, self.fastpath, self.step)
        self.max_models = max(1, max_models)
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()

    def get(self, name: str) -> LoadedModel:
        if name in self._models:
            self._models.move_to_end(name)
            return self._models[name]
        while len(self._models) >= self.max_models:
            self._drop(next(iter(self._models)))
        loaded = load_model(name, self.device, self.dtype, self.fastpath, self.residency, self.source(name),
                            self.step)
        self._models[name] = loaded
        return loaded

    def is_loaded(self, name: str) -> bool:
        return name in self._models

    def unload(self, name: str) -> bool:
        if name not in self._models:
            return False
        self._drop(name)
        return True

    def _drop(self, name: str) -> None:
        del self._models[name]
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def names(self) -> list[str]:
        return list(self._models)

    def describe(self) -> list[dict[str, Any]]:
        return [m.describe() for m in self._models.values()]
