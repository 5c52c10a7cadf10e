#!/usr/bin/env bash
# The main job on any machine: install, start a host, render the example phrase through it into out.wav.
# Pass a model to use real weights on a GPU, e.g.  bash scripts/demo.sh openai/jukebox-1b-lyrics
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
MODEL="${1:-tiny}"
.venv/bin/jukebox-host example prompt.wav --seconds 2
.venv/bin/jukebox-host render prompt.wav -o out.wav --model "$MODEL" --length 6 --seed 1
