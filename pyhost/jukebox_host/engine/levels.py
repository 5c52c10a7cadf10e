"""The two numberings of Jukebox's levels, and the one place that converts between them.

- level: the protocol's and the VQ-VAE's numbering, 0 = bottom (finest), n - 1 = top (docs/PROTOCOL.md).
- prior index: transformers' order of `JukeboxModel.priors`, 0 = top.
"""

from __future__ import annotations


def level_of_prior(prior_index: int, n_priors: int) -> int:
    return n_priors - 1 - prior_index


def prior_of_level(level: int, n_priors: int) -> int:
    return n_priors - 1 - level
