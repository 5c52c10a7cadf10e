"""How much context a chunk of codes needs to decode as the whole does (issue 15, item 1: streaming), measured on
the real Jukebox VQ-VAE's architecture (OpenAI's config, random weights: the receptive field is the
architecture's, the weights cannot be downloaded here), and what decoding in chunks costs against one decode.
Prints figures; asserts nothing.

    python bench/decode_context.py [--seconds 10] [--chunk 2] [--model 1b_lyrics]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from common import cpu_line, smallest, table

from jukebox_host.engine import chunked_decode as cd
from jukebox_host.engine.configs import full_config
from jukebox_host.engine.tiny import tiny_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="audio decoded, whole and in chunks")
    parser.add_argument("--chunk", type=float, default=2.0, help="seconds per chunk")
    parser.add_argument("--model", default="1b_lyrics", help="whose VQ-VAE ('tiny': the test model's, 3 levels too)")
    args = smallest(parser.parse_args(), model="tiny", seconds=0.5, chunk=0.2)
    from transformers.models.deprecated.jukebox.modeling_jukebox import JukeboxVQVAE

    print(cpu_line())
    torch.manual_seed(0)
    vqvae = JukeboxVQVAE((tiny_config() if args.model == "tiny" else full_config(args.model)).vqvae_config).eval()
    for name, codebook in vqvae.named_buffers():  # zeros until trained: every code would decode alike
        if name.endswith("codebook"):
            codebook.normal_()
    rate = 44100
    rows = []
    for level in range(len(vqvae.hop_lengths)):
        context = cd.measure_context(vqvae, level)
        tokens = int(args.seconds * rate) // context.hop
        size = max(1, int(args.chunk * rate) // context.hop)
        codes = torch.randint(0, int(vqvae.nb_discrete_codes), (1, tokens))
        started = time.perf_counter()
        whole = cd.decode_level(vqvae, codes, level)
        whole_s = time.perf_counter() - started
        started = time.perf_counter()
        chunks = [cd.decode_range(vqvae, codes, level, a, min(tokens, a + size), context)
                  for a in range(0, tokens, size)]
        chunked_s = time.perf_counter() - started
        diff = float(np.abs(np.concatenate(chunks, axis=1) - whole).max())
        ms_before, ms_after = (codes_ * context.hop / rate * 1000 for codes_ in (context.before, context.after))
        rows.append([str(level), str(context.hop), f"{context.before} / {context.after}",
                     f"{ms_before:.0f} / {ms_after:.0f}",
                     f"{whole_s:.2f}", f"{chunked_s:.2f}", f"{chunked_s / whole_s:.2f}", f"{diff:.1e}"])
    print(table(rows, ["level (0 = bottom)", "samples per code", "context codes before / after",
                       "context ms before / after", f"whole {args.seconds:g} s decode s",
                       f"in {args.chunk:g} s chunks s", "chunked / whole", "max |chunked − whole|"]))


if __name__ == "__main__":
    main()
