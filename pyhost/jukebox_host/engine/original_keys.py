"""Names of OpenAI's original Jukebox checkpoints (vqvae.pth.tar, prior_level_{0,1,2}.pth.tar) in transformers' terms.

OpenAI's modules are nested nn.Sequential stacks (`model.1.0.model.2.model.3.w`); transformers names the same
tensors by role (`upsample_block.0.resnet_block.2.conv1d_2.weight`). Each rule below matches one kind of tensor and
says where it goes. A key no rule matches is returned as None: the converter reports it, it never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A resnet block's two convolutions sit at positions 1 and 3 of its Sequential (ReLU, conv, ReLU, conv).
_CONV = {"1": "conv1d_1", "3": "conv1d_2"}
_LEAF = {"w": "weight", "b": "bias", "weight": "weight", "bias": "bias"}
_N = r"(\d+)"

Rule = tuple["re.Pattern[str]", Callable[["re.Match[str]"], str]]


def _rule(pattern: str, build: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern), build


def _resnet(block: str, m: re.Match[str], first: int) -> str:
    return f"{block}.resnet_block.{m[first]}.{_CONV[m[first + 1]]}.{m[first + 2]}"


_VQVAE: list[Rule] = [
    # Encoder level: model.I = (strided conv, resnet) per downsampling step, then model.<last> = output conv.
    _rule(rf"encoders\.{_N}\.level_blocks\.{_N}\.model\.{_N}\.1\.model\.{_N}\.model\.([13])\.(weight|bias)",
          lambda m: _resnet(f"encoders.{m[1]}.level_blocks.{m[2]}.downsample_block.{2 * int(m[3]) + 1}", m, 4)),
    _rule(rf"encoders\.{_N}\.level_blocks\.{_N}\.model\.{_N}\.0\.(weight|bias)",
          lambda m: f"encoders.{m[1]}.level_blocks.{m[2]}.downsample_block.{2 * int(m[3])}.{m[4]}"),
    _rule(rf"encoders\.{_N}\.level_blocks\.{_N}\.model\.{_N}\.(weight|bias)",
          lambda m: f"encoders.{m[1]}.level_blocks.{m[2]}.proj_out.{m[4]}"),
    # Decoder level: model.0 = input conv, then model.I (I ≥ 1) = (resnet, transposed conv) per upsampling step.
    _rule(rf"decoders\.{_N}\.level_blocks\.{_N}\.model\.{_N}\.0\.model\.{_N}\.model\.([13])\.(weight|bias)",
          lambda m: _resnet(f"decoders.{m[1]}.level_blocks.{m[2]}.upsample_block.{2 * int(m[3]) - 2}", m, 4)),
    _rule(rf"decoders\.{_N}\.level_blocks\.{_N}\.model\.{_N}\.1\.(weight|bias)",
          lambda m: f"decoders.{m[1]}.level_blocks.{m[2]}.upsample_block.{2 * int(m[3]) - 1}.{m[4]}"),
    _rule(rf"decoders\.{_N}\.level_blocks\.{_N}\.model\.0\.(weight|bias)",
          lambda m: f"decoders.{m[1]}.level_blocks.{m[2]}.proj_in.{m[3]}"),
    _rule(rf"decoders\.{_N}\.out\.(weight|bias)", lambda m: f"decoders.{m[1]}.out.{m[2]}"),
    _rule(rf"bottleneck\.level_blocks\.{_N}\.k", lambda m: f"bottleneck.level_blocks.{m[1]}.codebook"),
]

# One transformer stack, OpenAI `prior` / `prime_prior` → transformers `prior` / `encoder`.
_STACK = r"(prior|prime_prior)"
_STACK_NAME = {"prior": "prior", "prime_prior": "encoder"}
_LAYER = rf"{_STACK}\.transformer\._attn_mods\.{_N}"

_PRIOR: list[Rule] = [
    _rule(r"y_emb\.(bow_genre_emb|artist_emb)\.emb\.weight", lambda m: f"metadata_embedding.{m[1]}.weight"),
    _rule(r"y_emb\.(total_length_emb|absolute_pos_emb|relative_pos_emb)\.emb\.weight",
          lambda m: f"metadata_embedding.{m[1]}.emb.weight"),
    _rule(rf"{_LAYER}\.(attn\.c_attn|attn\.c_proj|attn\.c_enc_kv|mlp\.c_fc|mlp\.c_proj)\.([wb])",
          lambda m: f"{_STACK_NAME[m[1]]}.transformer._attn_mods.{m[2]}.{m[3]}.{_LEAF[m[4]]}"),
    _rule(rf"{_LAYER}\.ln_([01])\.(weight|bias)",
          lambda m: f"{_STACK_NAME[m[1]]}.transformer._attn_mods.{m[2]}.layer_norm_{m[3]}.{m[4]}"),
    _rule(rf"{_STACK}\.x_emb\.weight", lambda m: f"{_STACK_NAME[m[1]]}.embed_tokens.weight"),
    _rule(rf"{_STACK}\.pos_emb\.pos_emb", lambda m: f"{_STACK_NAME[m[1]]}.pos_emb.pos_emb"),
    _rule(rf"{_STACK}\.start_token", lambda m: f"{_STACK_NAME[m[1]]}.start_token"),
    _rule(r"prior\.x_out\.weight", lambda m: "prior.fc_proj_out.weight"),
    # The lyrics encoder's output side (5b_lyrics).
    _rule(r"prime_state_proj\.([wb])", lambda m: f"encoder.proj_in.{_LEAF[m[1]]}"),
    _rule(r"prime_state_ln\.(weight|bias)", lambda m: f"encoder.final_layer_norm.{m[1]}"),
    _rule(r"prime_x_out\.weight", lambda m: "encoder.lm_head.weight"),
    # Upsamplers: the upper level's tokens pass an embedding, a (resnet, transposed conv) stack and a layer norm.
    _rule(r"conditioner_blocks\.0\.x_emb\.weight", lambda m: "conditioner_blocks.embed_tokens.weight"),
    _rule(r"conditioner_blocks\.0\.cond\.model\.0\.(weight|bias)",
          lambda m: f"conditioner_blocks.upsampler.proj_in.{m[1]}"),
    _rule(rf"conditioner_blocks\.0\.cond\.model\.{_N}\.0\.(?:blocks|model)\.{_N}\.model\.([13])\.(weight|bias)",
          lambda m: _resnet(f"conditioner_blocks.upsampler.upsample_block.{2 * int(m[1]) - 2}", m, 2)),
    _rule(rf"conditioner_blocks\.0\.cond\.model\.{_N}\.1\.(weight|bias)",
          lambda m: f"conditioner_blocks.upsampler.upsample_block.{2 * int(m[1]) - 1}.{m[2]}"),
    _rule(r"conditioner_blocks\.0\.ln\.(weight|bias)", lambda m: f"conditioner_blocks.layer_norm.{m[1]}"),
]

# OpenAI's file name → (where its tensors go in transformers' JukeboxModel, the rules for its names).
# OpenAI numbers levels bottom up (prior_level_2 is the top prior); transformers lists priors top first.
PARTS: dict[str, tuple[str, list[Rule]]] = {
    "vqvae.pth.tar": ("vqvae", _VQVAE),
    "prior_level_2.pth.tar": ("priors.0", _PRIOR),
    "prior_level_1.pth.tar": ("priors.1", _PRIOR),
    "prior_level_0.pth.tar": ("priors.2", _PRIOR),
}


def strip_wrapper(key: str) -> str:
    # Checkpoints saved from a DistributedDataParallel model carry 'module.'; OpenAI's loader strips it too.
    return key[len("module."):] if key.startswith("module.") else key


def transformers_key(file_name: str, original_key: str) -> str | None:
    """Full transformers state-dict key (with 'vqvae.' / 'priors.N.') for one original key, or None if unknown."""
    prefix, rules = PARTS[file_name]
    key = strip_wrapper(original_key)
    for pattern, build in rules:
        match = pattern.fullmatch(key)
        if match:
            return f"{prefix}.{build(match)}"
    return None
