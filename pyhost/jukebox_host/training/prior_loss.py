"""A prior's training loss, as OpenAI's SimplePrior.z_forward computes it: the next-token loss of the music (bits
per token) and, for priors with lyrics, the lyric (prime) loss, weighted by how many positions each covers.

transformers' `forward_tokens` computes exactly this for priors with lyrics; for a prior without lyrics it still asks
its (absent) lyric encoder for a loss and fails, so those take the same steps without it (OpenAI's prime loss is 0
there and the loss is the music loss).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class PriorLoss:
    loss: torch.Tensor  # what is minimised
    gen_loss: torch.Tensor  # music, bits per token (OpenAI's bpd)
    prime_loss: torch.Tensor  # lyrics, bits per token; 0 without lyrics


def prior_loss(prior: nn.Module, tokens: torch.Tensor, conds: list[torch.Tensor],
               metadata: torch.Tensor) -> PriorLoss:
    """tokens: (batch, n_ctx) codes of the prior's level; conds: the level above's codes for that window (upsamplers);
    metadata: OpenAI's label row `y` (lengths, artist, genres and the lyric window) for each batch row."""
    if prior.nb_relevant_lyric_tokens:
        loss, metrics = prior.forward_tokens(tokens, conds, metadata)
        return PriorLoss(loss, metrics["next_token_prediction_loss"], metrics["encoder_loss"])
    audio, labels, _ = prior.get_cond(conds, metadata)
    gen_loss, _ = prior.prior(tokens, audio, labels, None)
    return PriorLoss(gen_loss, gen_loss.detach(), torch.zeros((), device=gen_loss.device))
