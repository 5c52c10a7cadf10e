"""What runs next: every window a job samples, at every level, and the order they run in.

A window is OpenAI's: up to n_ctx codes of one level, sampled after the codes already in it, conditioned on the
window's labels and on its slice of the level above, codes [start // cond_downsample, end // cond_downsample)
(zero-padded). Which windows a level has is OpenAI's sample_level: one partial window below n_ctx, else one every
hop, the last ending at the level's total. Two orders run the same windows on the same inputs:

- level by level (OpenAI's sample.py): every window of the top level, then the middle, then the bottom;
- pipelined (conductor.py): a level's window runs as soon as the level above holds the codes it is conditioned on
  (`needs_above`), even in the middle of a window above, so the bottom level's first audio comes after a fixed
  part of the job, whatever the length of the piece.

Codes once sampled never change (a window only appends), so a window that runs as soon as its slice above
exists sees exactly what it sees when the level above is complete; with one random stream per level
(random_streams.py) both orders give the same codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

LEVEL_BY_LEVEL = "level_by_level"
PIPELINED = "pipelined"
SCHEDULES = (PIPELINED, LEVEL_BY_LEVEL)


@dataclass(frozen=True)
class Window:
    prior_index: int  # transformers' order, 0 = top
    start: int  # first code of the window, counted in the codes given (a kept tail's offset taken off)
    sample_tokens: int | None  # a partial window: sample until the level holds this many codes; None: n_ctx
    needs_above: int  # codes the level above must hold before this window can run
    last: bool  # the level's last window


def window_starts(total: int, n_ctx: int, hop: int) -> list[int]:
    """Window starts covering [0, total): every hop, the last one ending exactly at total (OpenAI's get_starts)."""
    starts = list(range(0, max(1, total - n_ctx + 1), hop))
    if starts[-1] + n_ctx < total:
        starts.append(total - n_ctx)
    return starts


def level_windows(prior_index: int, n_ctx: int, hop: int, have: int, total: int, offset: int,
                  cond_downsample: int | None, above_total: int) -> list[Window]:
    """The windows that take a level from `have` codes to `total` (OpenAI's sample_level). offset: codes of the
    song before the codes given (a kept tail): windows stand where they stand in the whole song, so a tail
    continues exactly as the whole piece would. cond_downsample: codes of this level per code above (None: the
    top); above_total: the codes the level above holds when its part is done."""
    if have >= total:
        return []
    spans: list[tuple[int, int | None]]
    if have == 0 or offset == 0:  # sampled from the start of what is given
        if total < n_ctx:
            spans = [(0, total)]
        else:
            spans = [(start, None) for start in window_starts(total, n_ctx, hop)]
    else:
        song_starts = window_starts(offset + total, n_ctx, hop)
        # Windows before the tail's start end before its end (piece_tail keeps a whole window): nothing to sample.
        assert all(s + n_ctx <= offset + have for s in song_starts if s < offset), "the kept tail is too short"
        spans = [(s - offset, None) for s in song_starts if s >= offset]
    windows = []
    for number, (start, sample_tokens) in enumerate(spans):
        needs = 0 if cond_downsample is None else min((start + n_ctx) // cond_downsample, above_total)
        windows.append(Window(prior_index, start, sample_tokens, needs, number == len(spans) - 1))
    return windows


def level_by_level(windows: dict[int, list[Window]], order: list[int]) -> Iterator[Window]:
    """Every window of each level in `order` (top first), one level after the other."""
    for prior_index in order:
        yield from windows[prior_index]
