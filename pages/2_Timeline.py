"""The timeline page: the filtered events over time; dragging across the chart narrows the dates."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

import playback_ui
import state
import ui
from geo.text import plural
from geo.timeline import FIELD, SPAN, dates_in_span, grain, timeline_chart, with_window


def narrow_dates(key: str) -> None:
    """Chart callback: a brushed span becomes the From/To filter (runs before the script, so
    the bound date widgets may still be changed)."""
    selection = st.session_state[key].selection.get(SPAN) or {}
    days = dates_in_span(selection.get(FIELD))
    if days is None:
        return
    st.session_state[state.START], st.session_state[state.END] = days


def all_dates() -> None:
    st.session_state[state.START], st.session_state[state.END] = None, None


def playback_view(p: ui.Page):
    """During a playback of the map: the events of its whole range, and its current window
    (the date filter) to shade. Otherwise the filtered events and no window."""
    run = playback_ui.current()
    if run is None or p.state.start is None or p.state.end is None:
        return p.shown, None
    events = ui.filtered(p.data, replace(p.state, start=run.first, end=run.last))
    st.caption(
        f"The map's playback is at {p.state.start} – {p.state.end} (shaded) of "
        f"{run.first} – {run.last}. Drag across the chart to play on from another span."
    )
    return events, (p.state.start, p.state.end)


p = ui.page("Timeline")
st.title("Timeline")
st.caption(
    "One dot per event: one row per attacker, in the map's colours; the larger the dot, "
    "the more fatalities the source attributes to that event alone. A hollow, dashed "
    "dot has no figure of its own: not reported, which is not 0; where it is part of a "
    "total given for several sites, it is drawn at that total and its tooltip says so. "
    "A bar behind a dot is the week or month a coarse date stands for. Hover a dot for "
    "its details. Drag across the chart to narrow the date filter to that span, on "
    "every page."
)
ui.show_overview(p)

events, window = playback_view(p)
if not events.empty:
    gathered = grain(events)
    if gathered:
        st.info(
            f"{len(events):,} events are too many to draw one by one: each dot gathers an "
            f"attacker's events of a {gathered}, sized by their fatalities. Narrow the "
            "dates (drag across the chart) to see single events.",
            icon=":material/info:",
        )
    copies = int(events["duplicate_copy"].sum()) if "duplicate_copy" in events else 0
    if copies:
        st.caption(
            f"{plural(copies, 'event')} drawn here may be a second report of an event already "
            "drawn (a possible duplicate from another dataset), so counted twice. The Events "
            "page names each pair, the rule that matched, and can hide them."
        )
    chart = timeline_chart(events, ui.map_colors(p.data))
    if window is not None:
        chart = with_window(chart, *window)
    # A new key per date range: once a span has become the filter, the chart starts unbrushed.
    key = state.timeline_chart_key(p.state.start, p.state.end)
    st.altair_chart(
        chart, key=key, on_select=partial(narrow_dates, key), selection_mode=SPAN, width="stretch"
    )

if p.state.start or p.state.end:
    st.button(
        "Show all dates",
        key=state.ALL_DATES,
        on_click=all_dates,
        help="Empty the From/To filter: every date, on every page",
    )
