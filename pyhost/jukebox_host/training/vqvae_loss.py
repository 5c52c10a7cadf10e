"""A VQ-VAE's training loss, as OpenAI's VQVAE.forward computes it (jukebox/vqvae/vqvae.py, utils/audio_utils.py):
every level encodes the audio, its bottleneck quantises (and, training, moves its codebook: an EMA of the vectors
each code is given, codes used too little redrawn from the batch), its decoder decodes that level alone, and each
level's output is compared with the input: a reconstruction loss (l1, l2, the mean of the largest squared errors
'linf', or their mix), a spectral and a multi-resolution spectral loss (norms of magnitude-spectrogram differences),
each divided by the data's `bandwidth`; plus the commitment loss of the bottlenecks.

The modules are transformers' (the model the host serves); their composition is ours, because transformers' own
JukeboxVQVAE.forward pairs each level's latents with another level's bottleneck (level_blocks[-level - 1]) and hands
the decoders codes instead of quantised vectors: it computes something else than OpenAI's training.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass(frozen=True)
class VQVAELossSettings:
    """OpenAI's hparams of the loss; the defaults are the `vqvae` set's (the released VQ-VAE)."""
    bandwidth: dict[str, float]  # 'l1', 'l2', 'spec': the data's scale (bandwidth.py), set per run
    loss_fn: str = "lmix"
    lmix_l1: float = 0.0
    lmix_l2: float = 1.0
    lmix_linf: float = 0.02
    linf_k: int = 2048
    spectral: float = 0.0
    multispectral: float = 1.0
    commit: float = 0.02
    # (n_fft, hop, window) of the spectral loss and convergence: OpenAI's DefaultSTFTValues, fixed whatever the hps
    spectral_stft: tuple[int, int, int] = (2048, 256, 1536)
    multispec: tuple[tuple[int, int, int], ...] = field(
        default=((2048, 240, 1200), (1024, 120, 600), (512, 50, 240)))  # (n_fft, hop, window) each


def _spec(x: torch.Tensor, n_fft: int, hop: int, window: int) -> torch.Tensor:
    """Magnitude spectrogram of (batch, samples) mono audio, as OpenAI's `spec` (torch.stft, Hann window)."""
    stft = torch.stft(x, n_fft, hop, win_length=window, window=torch.hann_window(window, device=x.device),
                      return_complex=True)
    return torch.view_as_real(stft).norm(p=2, dim=-1)


def _squeeze(x: torch.Tensor) -> torch.Tensor:
    return x.mean(-1) if x.dim() == 3 else x


def _norm(x: torch.Tensor) -> torch.Tensor:
    return (x.reshape(x.shape[0], -1) ** 2).sum(dim=-1).sqrt()


def _spectral_distance(target: torch.Tensor, output: torch.Tensor, n_fft: int, hop: int, window: int
                       ) -> torch.Tensor:
    a = _spec(_squeeze(target.float()), n_fft, hop, window)
    b = _spec(_squeeze(output.float()), n_fft, hop, window)
    return _norm(a - b)


def _spectral_convergence(target: torch.Tensor, output: torch.Tensor, s: VQVAELossSettings,
                          epsilon: float = 2e-3) -> torch.Tensor:
    a = _spec(_squeeze(target.float()), *s.spectral_stft)
    b = _spec(_squeeze(output.float()), *s.spectral_stft)
    gt_norm, residual = _norm(a), _norm(a - b)
    return (residual * (gt_norm > epsilon).float()) / torch.clamp(gt_norm, min=epsilon)


def reconstruction(kind: str, target: torch.Tensor, output: torch.Tensor, s: VQVAELossSettings) -> torch.Tensor:
    if kind == "l1":
        return torch.mean(torch.abs(output - target)) / s.bandwidth["l1"]
    if kind == "l2":
        return torch.mean((output - target) ** 2) / s.bandwidth["l2"]
    if kind == "linf":
        residual = ((output - target) ** 2).reshape(target.shape[0], -1)
        values, _ = torch.topk(residual, s.linf_k, dim=1)
        return torch.mean(values) / s.bandwidth["l2"]
    if kind == "lmix":
        loss: torch.Tensor | float = 0.0
        for weight, part in ((s.lmix_l1, "l1"), (s.lmix_l2, "l2"), (s.lmix_linf, "linf")):
            if weight:
                loss = loss + weight * reconstruction(part, target, output, s)
        return loss  # type: ignore[return-value]
    raise ValueError(f"unknown reconstruction loss {kind!r}: l1, l2, linf or lmix")


def vqvae_loss(vqvae: nn.Module, audio: torch.Tensor, s: VQVAELossSettings
               ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """audio: (batch, samples, 1). Returns the loss and OpenAI's metrics (its names)."""
    x_in = audio.permute(0, 2, 1).float()
    levels = len(vqvae.encoders)
    outputs, commits, quantiser = [], [], []
    for level in range(levels):
        latent = vqvae.encoders[level](x_in)[-1]
        _, quantised, commit, metrics = vqvae.bottleneck.level_blocks[level](latent, update_codebook=vqvae.training)
        decoded = vqvae.decoders[level]([quantised], all_levels=False)
        outputs.append(decoded.permute(0, 2, 1))
        commits.append(commit)
        quantiser.append(metrics)
    target = audio.float()
    metrics: dict[str, torch.Tensor] = {}
    zero = torch.zeros((), device=audio.device)
    recons, spectral, multispectral = zero, zero, zero
    for level in reversed(range(levels)):
        out = outputs[level]
        this_recons = reconstruction(s.loss_fn, target, out, s)
        this_spectral = torch.mean(_spectral_distance(target, out, *s.spectral_stft) / s.bandwidth["spec"])
        this_multi = torch.mean(sum(_spectral_distance(target, out, *resolution) for resolution in s.multispec)
                                / len(s.multispec) / s.bandwidth["spec"])
        metrics[f"recons_loss_l{level + 1}"] = this_recons
        metrics[f"spectral_loss_l{level + 1}"] = this_spectral
        metrics[f"multispectral_loss_l{level + 1}"] = this_multi
        recons, spectral, multispectral = recons + this_recons, spectral + this_spectral, multispectral + this_multi
    commit_loss = sum(commits)
    loss = recons + s.spectral * spectral + s.multispectral * multispectral + s.commit * commit_loss
    with torch.no_grad():  # of the last output compared, the bottom level's, as OpenAI's
        metrics.update(spectral_convergence=torch.mean(_spectral_convergence(target, out, s)),
                       l2_loss=reconstruction("l2", target, out, s), l1_loss=reconstruction("l1", target, out, s),
                       linf_loss=reconstruction("linf", target, out, s))
    metrics.update(recons_loss=recons, spectral_loss=spectral, multispectral_loss=multispectral,
                   commit_loss=commit_loss)  # type: ignore[arg-type]
    for key in quantiser[0]:
        metrics[key] = sum(torch.as_tensor(m[key], dtype=torch.float32) for m in quantiser) / levels
    return loss, {key: value.detach() for key, value in metrics.items()}
