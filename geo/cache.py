"""Frames shared by every session, bounded by memory, entries and idle time.

cachetools' TTLCache does the bookkeeping (least recently used goes first); each value's size
is its pandas memory (`frame_bytes`) and its time to live counts from its last use. One lock:
two sessions asking for the same frame load it once, and a frame larger than the whole budget
is returned uncached. `sweep()` (run by a daemon thread every `sweep_s`, and soon after each
page run: `sweep_soon()`) drops frames idle past their time and hands freed memory back to the
system (`give_back_memory`): the frames of closed sessions' imports go, and the server shrinks,
without a later visitor having to ask.

>>> cache = FrameCache(max_bytes=10_000, max_entries=2, ttl=60, sweep_s=None)
>>> frame = cache.get("a", lambda: pd.DataFrame({"x": range(100)}))
>>> cache.get("a", lambda: None) is frame, cache.held_bytes() == frame_bytes(frame)
(True, True)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import weakref
from collections.abc import Callable, Hashable
from time import monotonic

import cachetools
import pandas as pd
import pyarrow as pa


def frame_bytes(frame: pd.DataFrame) -> int:
    """Memory a frame holds: its columns' buffers (Arrow strings and categories counted in
    full; cheap, no per-value walk except for object columns) and its index."""
    return int(frame.memory_usage(index=True, deep=True).sum())


_LIBC = ctypes.util.find_library("c")


def give_back_memory(collect: bool = True) -> None:
    """Return freed memory to the system: Python's cycles collected, Arrow's pool emptied of
    unused blocks and glibc's heap trimmed (where the C library has malloc_trim). Without it
    the allocators keep what dropped frames used, and the server's size never comes down."""
    if collect:
        gc.collect()
    pa.default_memory_pool().release_unused()
    if _LIBC:
        trim = getattr(ctypes.CDLL(_LIBC), "malloc_trim", None)
        if trim is not None:
            trim(0)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD = 1024 * 1024


def free_large_blocks_at_once(threshold: int = MMAP_THRESHOLD) -> bool:
    """Have glibc's allocator (where it is glibc) map every block of `threshold` bytes or more
    on its own, so that freeing it hands it back to the system there and then; True if set.

    By default glibc raises that threshold to the largest block freed so far (up to 32 MB), so
    a pan's copies of a column end up in the threads' heaps, where a few small objects pin
    them. Streamlit runs each page run on its own thread. Measured at 2.5M events, after the
    bench's visits, a pan, a zoom and a filter change: the server peaked at 0.9-1.0 GB
    without this and at 0.51 GB with it, with the same timings.
    """
    return _mallopt(M_MMAP_THRESHOLD, threshold)


def _mallopt(parameter: int, value: int) -> bool:
    """glibc's mallopt(parameter, value) where the C library has it; True if it took it."""
    if not _LIBC:
        return False
    mallopt = getattr(ctypes.CDLL(_LIBC), "mallopt", None)
    return bool(mallopt is not None and mallopt(parameter, value) == 1)


M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
ARENAS = 2


def share_heaps(arenas: int = ARENAS) -> bool:
    """Have glibc's allocator (where it is glibc) give all threads at most `arenas` heaps
    (what ``MALLOC_ARENA_MAX`` sets); True if set.

    Streamlit runs each page run on a thread of its own, and glibc gives threads heaps of their
    own, up to eight per CPU, each keeping what a few small objects pin. Measured with
    ``python -m bench.load`` (10 sessions at 2.5M events, 5 runs each, interleaved, with
    ``MALLOC_ARENA_MAX=2``): 565-656 MB with every session open (median 589 MB) against
    610-680 MB (median 631 MB), the server's CPU the same (9.3-14.4 s against 10.8-12.9 s).
    """
    return _mallopt(M_ARENA_MAX, arenas)


class FrameCache:
    def __init__(
        self,
        max_bytes: int,
        max_entries: int,
        ttl: float,
        timer: Callable[[], float] = monotonic,
        sweep_s: float | None = 60.0,
    ) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._cache = cachetools.TTLCache(
            maxsize=max_bytes, ttl=ttl, timer=timer, getsizeof=frame_bytes
        )
        self._lock = threading.Lock()
        self._wake = threading.Event()
        if sweep_s:
            _start_sweeping(self, sweep_s)

    def get(self, key: Hashable, load: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame cached under `key`, else `load()`'s, kept while the limits allow."""
        dropped = fresh = False
        with self._lock:
            dropped = self._expire()
            try:
                frame = self._cache.pop(key)
            except KeyError:
                frame = None
            if frame is not None:
                self._cache[key] = frame  # used now: its time to live starts again
            else:
                frame = load()
                # What the load built and dropped on the way (Parquet pages, the duplicate
                # check's keys) goes back now, not at the next sweep: at 1M events 447 MB
                # held after the load, 308 MB after (10 ms).
                fresh = True
                if frame_bytes(frame) <= self.max_bytes:  # else: the caller's to hold, not ours
                    while len(self._cache) >= self.max_entries:
                        self._cache.popitem()  # the least recently used
                        dropped = True
                    before = len(self._cache)
                    self._cache[key] = frame  # TTLCache drops the least recently used to fit
                    dropped |= len(self._cache) <= before
        if dropped or fresh:
            give_back_memory(collect=dropped)
        return frame

    def _expire(self) -> bool:
        return bool(self._cache.expire())

    def sweep(self) -> bool:
        """Drop the frames idle past their time; True if any. The memory freed since the last
        sweep (these frames, or closed sessions' own objects) is given back either way."""
        with self._lock:
            dropped = self._expire()
        give_back_memory(collect=dropped)
        return dropped

    def sweep_soon(self) -> None:
        """Have the sweeper (when the cache has one) sweep shortly, off the caller's thread: a
        page run has ended, and what it built and dropped goes back to the system while the
        server waits for the next click, not at the next minute's sweep (1M events, after a
        few visits and moves: 725 MB held without it, 398 MB with it)."""
        self._wake.set()

    def held_bytes(self) -> int:
        with self._lock:
            self._expire()
            return int(self._cache.currsize)

    def keys(self) -> list[Hashable]:
        with self._lock:
            self._expire()
            return list(self._cache.keys())

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
        give_back_memory()


QUIET_S = 0.5  # after a page run, the sweeper waits this long without another one


def _start_sweeping(cache: FrameCache, every_s: float) -> None:
    """A daemon thread that sweeps `cache` every `every_s` seconds while the cache lives, and
    soon after `sweep_soon()` (once `QUIET_S` passes without another call: a pan's reruns are
    swept once)."""
    ref, wake, stopped = weakref.ref(cache), cache._wake, threading.Event()

    def run() -> None:
        while True:
            if wake.wait(every_s):
                wake.clear()
                while wake.wait(QUIET_S) and not stopped.is_set():
                    wake.clear()
            alive = ref()
            if alive is None or stopped.is_set():
                return
            alive.sweep()
            del alive

    def stop() -> None:
        stopped.set()
        wake.set()

    weakref.finalize(cache, stop)
    threading.Thread(target=run, name="frame-cache-sweep", daemon=True).start()
