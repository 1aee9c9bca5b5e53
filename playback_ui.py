"""The map page's playback control (Streamlit); the stepping itself is geo/playback.py.

The current window is the date filter (the sidebar's From/To, the URL's ``start``/``end``): a
step sets it, so the map, the counts and the URL follow, and pausing leaves the filter on the
window. While a playback is under way (from Play until Stop) an event shows for its whole span
(a week or a month where its date is known only so well); the playback's range is kept in the
session, so the Timeline can show where the playback is. Choices are in the URL like every
other: ``step`` (day, week, month), ``speed`` (slow, normal, fast) and ``cumulative``.

Each step is one run of the page, started by a fragment that reruns on a timer (only while
playing); the base map does not change, so the map's iframe is never remounted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import streamlit as st

import ui
from geo import playback
from geo.filters import FilterState
from state import END, START  # the shared date filter's keys: playback moves it

PLAYBACK = "playback"  # this session's Playback (None: no playback under way)
SPANS = "_playback_spans"  # (events frame, Spans): spans computed once per filtered frame
STEPS = "_playback_steps"  # (key, spans, windows): the windows of the current playback
SKIP_TICK = "_playback_skip_tick"  # the ticker's in-run call is not a step


@dataclass(frozen=True)
class Playback:
    """A playback under way: its range, and the date filter it replaced (Stop restores it)."""

    first: date
    last: date
    before: tuple[date | None, date | None]
    playing: bool = False


def current() -> Playback | None:
    return st.session_state.get(PLAYBACK)


def spans_of(events: pd.DataFrame) -> playback.Spans:
    """Event spans, computed once per filtered frame (the frames are cached by ui.filtered)."""
    memo = st.session_state.get(SPANS)
    if memo is None or memo[0] is not events:
        memo = (events, playback.event_spans(events))
        st.session_state[SPANS] = memo
    return memo[1]


def undated(p: ui.Page) -> pd.DataFrame:
    """The events that match every filter but the dates: what a playback steps through."""
    if p.state.start is None and p.state.end is None:
        return p.shown  # the same filters: the page's own frame, not another copy
    return ui.filtered(p.data, replace(p.state, start=None, end=None))


def window_of(state: FilterState) -> playback.Window | None:
    if state.start is None or state.end is None:
        return None
    return playback.Window(state.start, state.end)


def _set_window(window: playback.Window, since: date | None) -> None:
    st.session_state[START] = since if since is not None else window.start
    st.session_state[END] = window.end


def _steps(p: ui.Page, run: Playback) -> list[playback.Window]:
    """The playback's windows, computed once per frame, step and range (a day step over
    seven years is 2,557 windows: ~0.1 s to list)."""
    step = st.session_state.get("step") or "month"
    spans = spans_of(undated(p))
    key = (id(spans), step, run.first, run.last)
    memo = st.session_state.get(STEPS)
    if memo is None or memo[0] != key or memo[1] is not spans:
        memo = (key, spans, playback.windows(spans, step, run.first, run.last))
        st.session_state[STEPS] = memo
    return memo[2]


def _cumulative() -> bool:
    return bool(st.session_state.get("cumulative"))


def _play(data: ui.Dataset, state: FilterState) -> None:
    """Play: from the next window, or from the start (a new playback covers the dates the
    filter named, or every date)."""
    p = ui.page_of(data, state)
    run = current()
    if run is None:
        whole = spans_of(undated(p)).range()
        if whole is None:
            return
        run = Playback(
            p.state.start or whole[0], p.state.end or whole[1], (p.state.start, p.state.end)
        )
        here = None
    else:
        here = window_of(p.state)
    steps = _steps(p, run)
    nxt = playback.next_window(steps, here, _cumulative())
    if nxt is None:  # at the end: play again from the start
        nxt = steps[0] if steps else None
    if nxt is None:
        return
    _set_window(nxt, steps[0].start if _cumulative() else None)
    st.session_state[PLAYBACK] = replace(run, playing=True)


def _pause() -> None:
    run = current()
    if run is not None:
        st.session_state[PLAYBACK] = replace(run, playing=False)


def _stop() -> None:
    """Stop: the dates go back to what they were before Play."""
    run = current()
    if run is None:
        return
    st.session_state[START], st.session_state[END] = run.before
    st.session_state[PLAYBACK] = None


def _tick(data: ui.Dataset, state: FilterState) -> None:
    """One step (a fragment that reruns on a timer while playing), then rerun the page."""
    if st.session_state.pop(SKIP_TICK, False):
        return  # this is the page's own run, not the timer
    run = current()
    if run is None or not run.playing:
        return
    p = ui.page_of(data, state)
    steps = _steps(p, run)
    nxt = playback.next_window(steps, window_of(p.state), _cumulative())
    if nxt is not None:
        _set_window(nxt, steps[0].start if _cumulative() else None)
    if nxt is None or playback.next_window(steps, nxt, _cumulative()) is None:
        st.session_state[PLAYBACK] = replace(run, playing=False)  # paused on the last window
    st.rerun(scope="app")


def shown(p: ui.Page) -> pd.DataFrame:
    """The events the map shows: during a playback, those whose span touches the window
    (cumulative: since the playback's first day); otherwise the filtered events."""
    run = current()
    if run is None or p.state.start is None or p.state.end is None:
        return p.shown
    events = undated(p)
    window = playback.Window(p.state.start, p.state.end)
    mask = playback.active(spans_of(events), window)
    return events.loc[mask] if not mask.all() else events


def controls(p: ui.Page) -> None:
    """The play bar (one short row, beside the counts): Play/Pause with where the playback is,
    Stop, and a popover with the step, the speed and the cumulative mode."""
    run = current()
    playing = run is not None and run.playing
    where = ""
    if run is not None:
        steps = _steps(p, run)
        at = playback.position(steps, window_of(p.state))
        where = f" ({at + 1} of {len(steps)})" if at is not None else ""
    bar = st.container(
        horizontal=True, vertical_alignment="center", gap="small", key="playback", width="content"
    )
    if playing:
        bar.button(
            f"Pause{where}",
            key="play_pause",
            icon=":material/pause:",
            on_click=_pause,
            help="Stop stepping; the date filter (From/To) stays on this window",
        )
    else:
        bar.button(
            ("Play" if run is None else "Resume") + where,
            key="play_pause",
            icon=":material/play_arrow:",
            on_click=_play,
            args=(p.data, p.state),  # not the page: its frame would stay with the button
            disabled=undated(p).empty,
            help="Step a window through the filtered events; the map, the counts, "
            "From/To and the URL follow",
        )
    if run is not None:
        bar.button(
            "",
            key="play_stop",
            icon=":material/stop:",
            on_click=_stop,
            help="Stop the playback: the dates go back to what they were before Play",
        )
    step = st.session_state.get("step") or "month"
    options = bar.popover(
        step, icon=":material/tune:", help="Step, speed and cumulative mode of the playback"
    )
    options.segmented_control(
        "Step",
        list(playback.STEPS),
        key="step",
        bind="query-params",
        default="month",
        help="How long each window is",
    )
    options.selectbox(
        "Speed",
        list(playback.SPEEDS_MS),
        key="speed",
        bind="query-params",
        index=1,
        help="Time per step: "
        + ", ".join(f"{k} {v / 1000:g} s" for k, v in playback.SPEEDS_MS.items()),
    )
    options.checkbox(
        "Cumulative",
        key="cumulative",
        bind="query-params",
        help="Keep the events of the earlier windows on the map",
    )
    if run is not None and p.state.start and p.state.end:
        options.caption(
            f"{'Playing' if playing else 'Paused'}: {p.state.start} – "
            f"{p.state.end}{where} of the playback from {run.first} to {run.last}"
        )


def ticker(p: ui.Page) -> None:
    """While playing, a fragment that steps on a timer. Call it after the map: an element that
    comes and goes before the map would move the map in the page and remount its iframe."""
    run = current()
    if run is not None and run.playing:
        speed = st.session_state.get("speed") or "normal"
        st.session_state[SKIP_TICK] = True
        # The fragment keeps its arguments: the filter state, not the page's frame.
        st.fragment(_tick, run_every=playback.speed_ms(speed) / 1000)(p.data, p.state)
