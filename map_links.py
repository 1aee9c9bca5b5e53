"""The map and the tables, linked (Streamlit side).

- ``?select=IRQ4&select=IRQ5`` (the Events page's "Show on map") opens the map framed on those
  events, highlighted; one selected event has its popup opened.
- "List the events in view" (``?list=true``) puts the events inside the map view in a table
  below the map; selecting a row opens that event's popup on the map.

The browser does the opening: the layer carries ``selected`` (ids to highlight) and ``open``
(an id, with a key so that it opens once, not on every redraw of the layer).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo import viewstate

SELECT = "select"  # URL key: events to frame and highlight
SELECT_DONE = "_select_framed"  # the selection the map was last framed on
IN_VIEW_TABLE = "in_view_table"
IN_VIEW_IDS = "_in_view_ids"  # the ids of the rows the table showed, in order
IN_VIEW_ROWS = 500  # rows listed at most (the count says how many more)
IN_VIEW_COLUMNS = ["event_id", "event_date", "attacker", "target_group", "location", "fatalities"]
OPEN_SERIAL = "_open_serial"  # increases with each new request to open a popup
OPEN_LAST = "_open_last"


def map_page() -> None:
    """Stands for app.py's map page in st.switch_page: Streamlit knows a page by its URL path,
    which for a function page is the function's name (app.map_page)."""
    raise RuntimeError("app.py runs the map page; this function only names it")


def open_map_with(ids: list[str], query: dict[str, list[str]]) -> None:
    """Go to the map page (same session: imported files stay) framed on these events."""
    st.switch_page(
        st.Page(map_page, title="Map", default=True), query_params={**query, SELECT: ids}
    )


def selected_ids(shown: pd.DataFrame) -> list[str]:
    """The URL's selected events that are among the shown events."""
    wanted = [v for v in st.query_params.get_all(SELECT) if v]
    if not wanted:
        return []
    ids = shown["event_id"].astype(str)
    return ids[ids.isin(wanted)].drop_duplicates().tolist()


def frame_selection(state: viewstate.MapState, shown: pd.DataFrame) -> viewstate.MapState:
    """Frame the map on the selected events, once per selection."""
    ids = selected_ids(shown)
    key = tuple(ids)
    if not ids or st.session_state.get(SELECT_DONE) == key:
        return state
    st.session_state[SELECT_DONE] = key
    picked = shown.loc[shown["event_id"].astype(str).isin(ids)]
    return viewstate.frame(state, viewstate.events_bounds(picked))


def _open_request() -> str | None:
    """The event whose popup to open: the row picked in the in-view table, else a single
    selected event. With a serial that changes only when the request changes."""
    table = st.session_state.get(IN_VIEW_TABLE)
    listed = st.session_state.get(IN_VIEW_IDS) or []
    rows = [r for r in (table.selection.rows if table else []) if r < len(listed)]
    wanted = listed[rows[0]] if rows else None
    return wanted


def highlight(payload: dict, shown: pd.DataFrame) -> dict:
    """The layer's payload with the selected events to highlight and the popup to open."""
    ids = selected_ids(shown)
    wanted = _open_request() or (ids[0] if len(ids) == 1 else None)
    if wanted is None:
        st.session_state[OPEN_LAST] = None
        return {**payload, "selected": ids}
    if st.session_state.get(OPEN_LAST) != wanted:
        st.session_state[OPEN_LAST] = wanted
        st.session_state[OPEN_SERIAL] = st.session_state.get(OPEN_SERIAL, 0) + 1
    key = f"{wanted}#{st.session_state[OPEN_SERIAL]}"
    return {**payload, "selected": ids, "open": wanted, "open_key": key}


def events_in_view(shown: pd.DataFrame, inside: np.ndarray | None) -> None:
    """Below the map: a toggle, and the events inside the map view (the `shown` events where
    `inside` is true, or all of them when it is None: geo.filters.in_view) as a table."""
    if not st.toggle(
        "List the events in view",
        key="list",
        bind="query-params",
        help="A table of the events inside the map view; select a row to open its popup on the map",
    ):
        st.session_state[IN_VIEW_IDS] = []
        return
    visible = shown if inside is None else shown.loc[inside, IN_VIEW_COLUMNS]
    rows = visible.sort_values("event_date", ascending=False, kind="stable").head(IN_VIEW_ROWS)
    table = pd.DataFrame(
        {
            "event_id": rows["event_id"].astype(str),
            "event_date": rows["event_date"],
            "attacker": rows["attacker"].astype(str),
            "target_group": rows["target_group"].astype(str),
            "location": rows["location"].astype(str),
            "fatalities": rows["fatalities"],
        }
    )
    st.session_state[IN_VIEW_IDS] = table["event_id"].tolist()
    more = len(visible) - len(table)
    st.caption(
        f"{len(visible):,} events in view, latest first"
        + (f"; the first {len(table):,} are listed (zoom in for the rest)." if more else ".")
        + " Select a row to open its popup on the map."
    )
    col = st.column_config
    st.dataframe(
        table,
        hide_index=True,
        key=IN_VIEW_TABLE,
        on_select="rerun",
        selection_mode="single-row",
        height=min(38 + 35 * len(table), 400),
        column_config={
            "event_id": col.TextColumn("Event", width=70),
            "event_date": col.DateColumn("Date", format="YYYY-MM-DD", width=96),
            "attacker": col.TextColumn("Attacker"),
            "target_group": col.TextColumn("Target group"),
            "location": col.TextColumn("Place"),
            "fatalities": col.NumberColumn("Fatalities", format="%d", width=80),
        },
    )
