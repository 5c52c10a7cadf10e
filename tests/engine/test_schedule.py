"""The pipelined schedule (issue 30): the levels' windows interleaved, each as soon as the codes it is conditioned on
exist above it, give the same codes and audio as OpenAI's level-by-level order, token for token and sample for
sample, for every kind of job; and the first window of the bottom level comes after a fixed number of windows."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from plans import make_plan

from jukebox_host.engine import sampling
from jukebox_host.engine import schedule as S
from jukebox_host.engine.conductor import Conductor, rehearse
from jukebox_host.engine.continuation import piece_tail
from jukebox_host.engine.loading import LoadedModel, load_model
from jukebox_host.engine.random_streams import LevelStreams, stream_seed

SECOND = 44100


@pytest.fixture(scope="module")
def loaded(tiny_dir: Path) -> LoadedModel:
    return load_model(str(tiny_dir), torch.device("cpu"), torch.float32)


def _prompt(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SECOND)) / SECOND
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _both(loaded: LoadedModel, prompt: np.ndarray | None = None, codes: list[torch.Tensor] | None = None,
          **fields: Any) -> list[tuple[list[sampling.Output], list[tuple[int, np.ndarray]], list[int]]]:
    """The same job under each schedule: (outputs, chunks streamed, windows' levels in the order they ran)."""
    runs = []
    original = sampling.sample_window
    for schedule in (S.LEVEL_BY_LEVEL, S.PIPELINED):
        plan = make_plan(schedule=schedule, **fields)
        chunks: list[tuple[int, np.ndarray]] = []
        order: list[int] = []

        def recording(loaded: LoadedModel, tokens: list, labels: Any, window: S.Window, *rest: Any,
                      order: list[int] = order) -> list:
            order.append(window.prior_index)
            return original(loaded, tokens, labels, window, *rest)

        sampling.sample_window = recording  # type: ignore[assignment]
        try:
            outputs = list(sampling.run(loaded, plan, prompt, lambda *_: None, threading.Event(), codes,
                                        lambda start, audio, chunks=chunks: chunks.append((start, audio.copy()))))
        finally:
            sampling.sample_window = original
        runs.append((outputs, chunks, order))
    return runs


def _assert_same(runs: list) -> None:
    (outs_a, chunks_a, _), (outs_b, chunks_b, _) = runs
    assert [o.final for o in outs_a] == [o.final for o in outs_b]
    for a, b in zip(outs_a, outs_b, strict=True):
        assert a.level == b.level and a.overlap == b.overlap
        assert np.array_equal(a.variations, b.variations)  # sample for sample
        if a.codes is not None:
            assert b.codes is not None
            for level_a, level_b in zip(a.codes, b.codes, strict=True):
                assert torch.equal(level_a, level_b)  # token for token
    assert len(chunks_a) == len(chunks_b)
    for (start_a, audio_a), (start_b, audio_b) in zip(chunks_a, chunks_b, strict=True):
        assert start_a == start_b and np.array_equal(audio_a, audio_b)


def _interleaved(order: list[int]) -> bool:
    """Did a lower level run before the top level's last step?"""
    return max(i for i, prior in enumerate(order) if prior == 0) > order.index(max(order))


@pytest.mark.parametrize("mode, levels, n_samples", [
    ("ancestral", [0, 1, 2], 2), ("primed", [0, 1, 2], 2), ("primed", [0, 1], 1),
    ("upsample", [1, 2], 1),
])
def test_both_schedules_give_the_same_result(loaded: LoadedModel, mode: str, levels: list[int],
                                             n_samples: int) -> None:
    runs = _both(loaded, None if mode == "ancestral" else _prompt(0.25), total_samples=SECOND // 2, mode=mode,
                 levels=levels, n_samples=n_samples, seed=11, preview=True, stream_seconds=0.1)
    _assert_same(runs)
    if mode != "upsample":  # the top level is given whole in an upsample: nothing to interleave with
        assert _interleaved(runs[1][2]) and not _interleaved(runs[0][2])


@pytest.mark.parametrize("new_only", [False, True])
def test_continuations_and_chain_links_are_the_same_under_both(loaded: LoadedModel, new_only: bool) -> None:
    (first, _, _), _ = _both(loaded, None, None, mode="ancestral", total_samples=SECOND // 2, levels=[0, 1, 2],
                             seed=3)
    codes = first[-1].codes
    assert codes is not None
    position = 0
    if new_only:  # a chain link continues a kept tail, positioned in its song
        codes, position = piece_tail(loaded, codes, 0)
    top_raw = int(loaded.model.priors[0].raw_to_tokens)
    runs = _both(loaded, None, codes, mode="continue", total_samples=codes[0].shape[1] * top_raw + SECOND // 4,
                 levels=[0, 1, 2], seed=4, position=position, new_only=new_only, stream_seconds=0.1)
    _assert_same(runs)
    assert _interleaved(runs[1][2])


def test_a_seed_gives_each_level_its_own_stream_and_the_top_the_seeds_own() -> None:
    assert stream_seed(42, 0) == 42
    seeds = {stream_seed(42, i) for i in range(3)} | {stream_seed(43, i) for i in range(3)}
    assert len(seeds) == 6 and all(0 <= s < 2**63 for s in seeds)


def _synthetic(windows_per_level: list[int]) -> dict[int, list[S.Window]]:
    """Three levels of windows of 16 codes, hop 8, each conditioned on a level 4x coarser above."""
    found = {}
    for index, count in enumerate(windows_per_level):
        above = None if index == 0 else 4
        above_total = 0 if index == 0 else 8 * (windows_per_level[index - 1] + 1)
        found[index] = S.level_windows(index, 16, 8, 0, 8 * (count + 1), 0, above, above_total)
    return found


N_CTX = {0: 16, 1: 16, 2: 16}


def test_the_conductor_runs_a_window_only_once_its_codes_above_exist() -> None:
    windows = _synthetic([10, 40, 160])
    held = {0: 0, 1: 0, 2: 0}
    ran: list[S.Window] = []
    conductor = Conductor(windows, [0, 1, 2], held.__getitem__, LevelStreams(0, 3, torch.device("cpu")))

    def sample(window: S.Window) -> None:
        if window.prior_index:
            assert held[window.prior_index - 1] >= window.needs_above
        ran.append(window)
        while held[window.prior_index] < window.start + 16:
            held[window.prior_index] += 1
            conductor.token(window.prior_index)

    completed = list(conductor.run(sample))
    assert sorted(completed) == [0, 1, 2]  # each said once, when it completed
    for index in range(3):  # each level's windows in their order, every one of them
        assert [w for w in ran if w.prior_index == index] == windows[index]
    assert ran.index(windows[2][0]) < ran.index(windows[0][-1])  # the bottom started long before the top ended


def test_a_level_that_fails_ends_the_job_with_its_error_and_no_thread_left() -> None:
    windows = _synthetic([4, 16, 64])
    held = {0: 0, 1: 0, 2: 0}
    conductor = Conductor(windows, [0, 1, 2], held.__getitem__, LevelStreams(0, 3, torch.device("cpu")))
    before = threading.active_count()

    def sample(window: S.Window) -> None:
        if window.prior_index == 1 and window.start >= 16:
            raise ValueError("the middle broke")
        while held[window.prior_index] < window.start + 16:
            held[window.prior_index] += 1
            conductor.token(window.prior_index)

    with pytest.raises(ValueError, match="the middle broke"):
        list(conductor.run(sample))
    assert threading.active_count() == before


def test_the_bottoms_first_audio_waits_the_same_whatever_the_length() -> None:
    """Counted in tokens sampled: one window's worth of codes at each level above, however long the piece."""
    def first_bottom(n: int, pipelined: bool) -> int:
        ended = rehearse(_synthetic([n, 4 * n, 16 * n]), [0, 1, 2], N_CTX, pipelined)
        return next(sampled for index, sampled in ended if index == 2)

    assert first_bottom(5, True) == first_bottom(50, True) == first_bottom(500, True) <= 3 * 16
    assert first_bottom(50, False) > 10 * first_bottom(5, True)  # level by level it grows with the piece
