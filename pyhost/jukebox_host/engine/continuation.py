"""A piece continued (mode continue, chains): the kept codes a continuation starts from, the bounded tail a chain
keeps, and what a new_only result re-makes of the piece before it."""

from __future__ import annotations

from typing import Any

import torch

from jukebox_host.engine.decoding import first_new_output_code, reach
from jukebox_host.engine.loading import LoadedModel
from jukebox_host.wire import constants as C
from jukebox_host.wire.errors import HostError


def tokens_per_level(model: Any, samples: int) -> list[int]:
    return [samples // int(prior.raw_to_tokens) for prior in model.priors]


def continued_codes(codes: list[torch.Tensor], n_samples: int, device: torch.device) -> list[torch.Tensor]:
    """Kept codes (top first) as the tokens a continuation starts from, for a batch of n_samples: the same batch,
    its first n_samples, or one result repeated (its continuations then differ)."""
    kept = codes[0].shape[0]
    if kept != n_samples and kept != 1 and kept < n_samples:
        raise HostError(C.ERR_BAD_FIELD, f"'n_samples' {n_samples}: the kept result has {kept} samples; continue "
                                         f"with at most {kept}, or from a result of 1 sample")
    rows = [c[:n_samples] if kept >= n_samples else c.repeat(n_samples, 1) for c in codes]
    return [r.to(device, torch.long) for r in rows]


def new_only_overlap(loaded: LoadedModel, kept_top_codes: int, prior_index: int) -> int:
    """Model-rate samples a new_only output re-makes before its new audio (Output.overlap), known before any
    sampling: the last level's decoder reach back into the codes given, at most all of them. The result a
    client receives is the new audio plus this."""
    model = loaded.model
    given = tokens_per_level(model, kept_top_codes * int(model.priors[0].raw_to_tokens))[prior_index]
    return (given - first_new_output_code(loaded, given, prior_index)) * int(model.priors[prior_index].raw_to_tokens)


def piece_tail(loaded: LoadedModel, codes: list[torch.Tensor], position: int) -> tuple[list[torch.Tensor], int]:
    """What a later continue needs of a piece (top first, starting `position` samples into the song): at every
    level its last window and the codes its decoder reaches back, cut at a whole top-level code. A chain then
    keeps a bounded tail however long the piece grows (about 24 s of codes for OpenAI's models). Levels the
    piece does not hold whole are dropped: a continuation samples them from the tail's start.
    Returns the tail and its position in the song."""
    priors = loaded.model.priors
    raws = [int(p.raw_to_tokens) for p in priors]
    length = codes[0].shape[1] * raws[0]
    whole = [c.shape[1] * raw == length for c, raw in zip(codes, raws, strict=True)]
    needed = max(max(int(priors[i].n_ctx), reach(loaded, i)) * raws[i] for i in range(len(priors)) if whole[i])
    cut = (length - needed) // raws[0] * raws[0]
    if cut <= 0:
        return codes, position
    tail = [c[:, cut // raw:] if w else c[:, :0] for c, raw, w in zip(codes, raws, whole, strict=True)]
    return tail, position + cut
