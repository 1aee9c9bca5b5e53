"""geo/cache.py: the frames shared by sessions stay within memory, entries and age."""

from __future__ import annotations

import platform
import threading
import weakref

import pandas as pd
import pytest

from geo.cache import FrameCache, frame_bytes, free_large_blocks_at_once, share_heaps


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"x": range(rows), "name": pd.Series(["Erbil"] * rows, dtype="str")})


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_frame_bytes_counts_arrow_strings_and_grows_with_rows():
    small, large = frame_bytes(_frame(1_000)), frame_bytes(_frame(100_000))
    assert 90 * small < large < 110 * small
    assert frame_bytes(_frame(1_000)) >= 1_000 * (8 + len("Erbil"))


def test_the_least_recently_used_frame_goes_when_memory_runs_out():
    one = frame_bytes(_frame(1_000))
    cache = FrameCache(max_bytes=int(2.5 * one), max_entries=10, ttl=60, sweep_s=None)
    for key in "abc":
        cache.get(key, lambda: _frame(1_000))
        if key == "b":
            cache.get("a", lambda: pytest.fail("a is cached"))  # a is now the most recent
    assert sorted(cache.keys()) == ["a", "c"]
    assert cache.held_bytes() <= 2.5 * one


def test_entries_are_bounded_too():
    cache = FrameCache(max_bytes=10**9, max_entries=2, ttl=60, sweep_s=None)
    for key in "abc":
        cache.get(key, lambda: _frame(10))
    assert sorted(cache.keys()) == ["b", "c"]


def test_a_frame_larger_than_the_budget_is_returned_but_not_kept():
    cache = FrameCache(max_bytes=100, max_entries=4, ttl=60, sweep_s=None)
    frame = cache.get("big", lambda: _frame(1_000))
    assert len(frame) == 1_000 and cache.keys() == [] and cache.held_bytes() == 0


def test_frames_expire_after_their_time_unused():
    clock = Clock()
    cache = FrameCache(max_bytes=10**9, max_entries=4, ttl=600, timer=clock, sweep_s=None)
    cache.get("a", lambda: _frame(10))
    clock.now = 500
    cache.get("a", lambda: pytest.fail("a is cached"))  # used again: 600 s more from now
    clock.now = 1099
    assert cache.keys() == ["a"]
    clock.now = 1101
    assert cache.sweep() and cache.keys() == [] and cache.held_bytes() == 0


def test_a_daemon_sweeps_idle_frames_away_without_anyone_asking():
    clock = Clock()
    cache = FrameCache(max_bytes=10**9, max_entries=4, ttl=60, timer=clock, sweep_s=0.01)
    frame = weakref.ref(cache.get("a", lambda: _frame(10)))
    clock.now = 61
    for _ in range(500):  # a condition, not a fixed wait: the sweeper runs every 10 ms
        if frame() is None:
            break
        threading.Event().wait(0.01)
    assert frame() is None  # dropped by the sweeper, and nothing else held it


def test_sessions_asking_at_once_load_a_frame_once():
    cache = FrameCache(max_bytes=10**9, max_entries=4, ttl=60, sweep_s=None)
    loads, start = [], threading.Barrier(8)

    def load():
        loads.append(1)
        return _frame(100)

    def session():
        start.wait()
        cache.get("a", load)

    threads = [threading.Thread(target=session) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1


def test_memory_is_given_back_after_a_load_but_not_after_a_hit(monkeypatch):
    calls = []
    monkeypatch.setattr("geo.cache.give_back_memory", lambda collect=True: calls.append(collect))
    cache = FrameCache(max_bytes=10**9, max_entries=4, ttl=60, sweep_s=None)
    cache.get("a", lambda: _frame(10))
    assert calls == [False]  # what the load dropped on the way; nothing cached was dropped
    cache.get("a", lambda: pytest.fail("a is cached"))
    assert calls == [False]


def test_after_a_page_run_the_sweeper_gives_memory_back_soon_not_at_the_next_minute(
    monkeypatch,
):
    swept = threading.Event()
    monkeypatch.setattr("geo.cache.give_back_memory", lambda collect=True: swept.set())
    cache = FrameCache(max_bytes=10**9, max_entries=4, ttl=600, sweep_s=3600)
    cache.get("a", lambda: _frame(10))
    swept.clear()  # the load's own give-back
    cache.sweep_soon()
    assert swept.wait(10)  # a condition: the sweeper's hour is far off
    assert cache.keys() == ["a"]  # swept, not emptied


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_glibc_is_told_to_map_large_blocks_on_their_own():
    assert free_large_blocks_at_once() is True  # mallopt said yes to the parameter


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_glibc_is_told_to_give_the_page_runs_threads_two_heaps():
    assert share_heaps() is True  # mallopt said yes to the parameter
