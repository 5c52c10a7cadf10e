"""The pipelined schedule's timing: every level sampled in a thread of its own, one thread at a time, the baton
passed at a sampled token or a window's end, always to the lowest level that can run.

A window of a level below can run as soon as the level above holds the codes it is conditioned on; with whole
windows as the unit the middle would wait for the top's whole first window (17.8 s of music on 1b_lyrics), so a
level that is sampling hands the baton down at the first token after which a lower level's next window has what it
needs, and takes it back when that level waits again. Only one thread ever runs, so nothing is computed
concurrently and no result depends on the interleaving: each level's codes are computed exactly as level by
level would, and its random draws come from its own stream (random_streams.py), swapped in with the baton.

The conductor knows nothing of models: it runs a level's windows in order through the function given to `run`,
starting each only once `held(level above)` reaches its `needs_above` (schedule.py), and that function calls
`token(prior_index)` after each token it samples.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Protocol

from jukebox_host.engine.schedule import Window

MAIN = -1  # the conductor's own thread holds the baton


class Streams(Protocol):
    def take(self, prior_index: int) -> None: ...  # the level's random stream into the device's generator
    def keep(self, prior_index: int) -> None: ...  # and back out


class _Aborted(Exception):
    """Raised in a level's thread to end it when the job ends early (an error elsewhere, a cancel, a close)."""


class Conductor:
    def __init__(self, windows: dict[int, list[Window]], order: list[int], held: Callable[[int], int],
                 streams: Streams) -> None:
        """windows: each sampled level's windows (order: the sampled levels, top first); held(prior_index): the
        codes a level holds that can no longer change, sampled within a window included."""
        self.windows = windows
        self.order = order
        self.held = held
        self.streams = streams
        self._baton = threading.Condition()
        self._holder = MAIN
        self._next: dict[int, int] = dict.fromkeys(order, 0)  # each level's next window
        self._sampling: set[int] = set()  # levels inside a window (paused at a token)
        self._done: set[int] = set()
        self._failure: BaseException | None = None
        self._abort = False

    # ---- what each level's thread calls ----------------------------------------------------------------------

    def token(self, prior_index: int) -> None:
        """After each token a level samples: hands the baton down when a level below can now run."""
        if self._runnable_below(prior_index) is not None:
            self._pass(prior_index, MAIN)

    # ---- the conductor ---------------------------------------------------------------------------------------

    def run(self, sample_window: Callable[[Window], None]) -> Iterator[int]:
        """Runs every window; yields each level (prior index) as it completes, in the conductor's thread, while
        every level waits. Raises what a level raised; a level's thread never outlives this."""
        threads = [threading.Thread(target=self._level, args=(index, sample_window), daemon=True,
                                    name=f"jukebox-level-{index}") for index in self.order]
        for thread in threads:
            thread.start()
        reported: set[int] = set()
        try:
            while len(reported) < len(self.order):
                for index in sorted(self._done - reported):
                    reported.add(index)
                    yield index
                if len(reported) == len(self.order):
                    break
                nxt = self._choose()
                if nxt is None:
                    raise RuntimeError("no level can run: a window waits on codes the level above never samples")
                self._pass(MAIN, nxt)
                if self._failure is not None:
                    raise self._failure
        finally:
            with self._baton:
                self._abort = True
                self._baton.notify_all()
            for thread in threads:
                thread.join()

    def _choose(self) -> int | None:
        """The lowest level that can run: inside a window (paused at a token), or with its next window's codes."""
        for index in reversed(self.order):
            if index in self._done:
                continue
            if index in self._sampling or self._can_start(index):
                return index
        return None

    def _can_start(self, index: int) -> bool:
        queue = self.windows[index]
        number = self._next[index]
        if number >= len(queue):
            return True  # nothing left: it runs to say it is done
        above = index - 1
        return above not in self.order or self.held(above) >= queue[number].needs_above

    def _runnable_below(self, index: int) -> int | None:
        for lower in reversed(self.order):
            if lower <= index:
                return None
            if lower not in self._done and lower not in self._sampling and self._can_start(lower):
                return lower
        return None

    # ---- the baton -------------------------------------------------------------------------------------------

    def _pass(self, me: int, to: int) -> None:
        """Give the baton from `me` to `to` and wait until it comes back to `me`. A level's random stream goes out
        with the baton and comes back with it."""
        if me != MAIN:
            self.streams.keep(me)
        with self._baton:
            self._holder = to
            self._baton.notify_all()
            self._baton.wait_for(lambda: self._holder == me or (self._abort and me != MAIN))
            if self._abort and me != MAIN:
                raise _Aborted()
        if me != MAIN:
            self.streams.take(me)

    def _level(self, index: int, sample_window: Callable[[Window], None]) -> None:
        try:
            self._wait_for_baton(index)
            self.streams.take(index)
            for number, window in enumerate(self.windows[index]):
                while not self._can_start(index):  # only the conductor gives the baton to a level that can start
                    self._pass(index, MAIN)
                self._sampling.add(index)
                sample_window(window)
                self._sampling.discard(index)
                self._next[index] = number + 1
            self._done.add(index)
            self.streams.keep(index)
        except _Aborted:
            return
        except BaseException as exc:  # noqa: BLE001 - carried to the conductor's thread and raised there
            self._failure = exc
            self._done.add(index)
        with self._baton:
            self._holder = MAIN
            self._baton.notify_all()

    def _wait_for_baton(self, index: int) -> None:
        with self._baton:
            self._baton.wait_for(lambda: self._holder == index or self._abort)
            if self._abort:
                raise _Aborted()


class _NoStreams:
    def take(self, prior_index: int) -> None:
        pass

    def keep(self, prior_index: int) -> None:
        pass


def rehearse(windows: dict[int, list[Window]], order: list[int], n_ctx: dict[int, int],
             pipelined: bool) -> list[tuple[int, int]]:
    """A job's schedule without a model: each window 'samples' its tokens one by one from what its level holds.
    Returns, for every window in the order it ends, (prior index, tokens sampled by then in the whole job):
    the machine-independent account of when each level's audio can exist (bench/first_audio.py)."""
    held = dict.fromkeys(order, 0)
    ended: list[tuple[int, int]] = []
    sampled = 0
    conductor = Conductor(windows, order, held.__getitem__, _NoStreams())

    def sample(window: Window) -> None:
        nonlocal sampled
        index = window.prior_index
        end = window.sample_tokens if window.sample_tokens is not None else window.start + n_ctx[index]
        while held[index] < end:
            held[index] += 1
            sampled += 1
            if pipelined:
                conductor.token(index)
        ended.append((index, sampled))

    if pipelined:
        for _ in conductor.run(sample):
            pass
    else:
        for index in order:
            for window in windows[index]:
                sample(window)
    return ended
