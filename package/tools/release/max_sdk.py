"""Where Cycling '74's max-sdk-base is (never committed here): the first of $MAX_SDK_BASE_DIR, the git-ignored
max-sdk-ext/max/max-sdk-base, and max-sdk-base in the build cache (~/.cache/jukebox-tilde), where a developer
puts one copy for every checkout:
    git clone https://github.com/Cycling74/max-sdk-base ~/.cache/jukebox-tilde/max-sdk-base
"""

from __future__ import annotations

import os
from pathlib import Path

from targets import ROOT, cache_root


def candidates() -> list[Path]:
    found = [Path(os.environ["MAX_SDK_BASE_DIR"])] if os.environ.get("MAX_SDK_BASE_DIR") else []
    return found + [ROOT / "max-sdk-ext" / "max" / "max-sdk-base", cache_root() / "max-sdk-base"]


def find() -> Path | None:
    for folder in candidates():
        if (folder / "c74support" / "max-includes" / "ext.h").is_file():
            return folder.resolve()
    return None


if __name__ == "__main__":  # scripts/test.sh asks: prints the folder, or nothing
    sdk = find()
    print(sdk or "")
