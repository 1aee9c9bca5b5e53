"""Frames shared by every session, bounded by memory, entries and age.

cachetools' TTLCache does the bookkeeping (least recently used goes first, entries expire);
each value's size is its pandas memory (`frame_bytes`). One lock: two sessions asking for the
same frame load it once, and a frame larger than the whole budget is returned uncached.

>>> cache = FrameCache(max_bytes=10_000, max_entries=2, ttl=60)
>>> frame = cache.get("a", lambda: pd.DataFrame({"x": range(100)}))
>>> cache.get("a", lambda: None) is frame, cache.held_bytes() == frame_bytes(frame)
(True, True)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from time import monotonic

import cachetools
import pandas as pd


def frame_bytes(frame: pd.DataFrame) -> int:
    """Memory a frame holds: its columns' buffers (Arrow strings and categories counted in
    full; cheap, no per-value walk except for object columns) and its index."""
    return int(frame.memory_usage(index=True, deep=True).sum())


class FrameCache:
    def __init__(
        self, max_bytes: int, max_entries: int, ttl: float, timer: Callable[[], float] = monotonic
    ) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._cache = cachetools.TTLCache(
            maxsize=max_bytes, ttl=ttl, timer=timer, getsizeof=frame_bytes
        )
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame cached under `key`, else `load()`'s, kept while the limits allow."""
        with self._lock:
            self._cache.expire()
            try:
                return self._cache[key]
            except KeyError:
                pass
            frame = load()
            if frame_bytes(frame) > self.max_bytes:
                return frame  # larger than the whole budget: the caller's to hold, not ours
            while len(self._cache) >= self.max_entries:
                self._cache.popitem()  # the least recently used
            self._cache[key] = frame  # TTLCache drops the least recently used to fit
            return frame

    def held_bytes(self) -> int:
        with self._lock:
            self._cache.expire()
            return int(self._cache.currsize)

    def keys(self) -> list[Hashable]:
        with self._lock:
            self._cache.expire()
            return list(self._cache.keys())

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
