"""The events page: the filtered events as a sortable table, a CSV of it, and a row's details."""

from __future__ import annotations

import html
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

import map_links
import ui
from geo.evidence import describe_place, escape_markdown, map_url, sources_url, sources_urls
from geo.export import export_name, to_csv_bytes
from geo.filters import to_query
from geo.schema import BY_NAME, TIME_PRECISION_LABELS

TABLE_COLUMNS = ["event_id", "event_date", "attacker", "target_group", "location",
                 "fatalities", "injuries", "evidence", "geo_precision", "country",
                 "source_quote", "sub_event_type", "admin1"]


def column_config() -> dict:
    number, text = st.column_config.NumberColumn, st.column_config.TextColumn
    return {
        "event_id": text("Event", width=64, pinned=True),
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width=96),
        "attacker": text("Attacker", width=170),
        "target_group": text("Target group", width=170),
        "location": text("Place", width=160),
        "fatalities": number("Fatalities", format="%d", width=80,
                             help=BY_NAME["fatalities"].description),
        "injuries": number("Injuries", format="%d", width=72,
                           help=BY_NAME["injuries"].description),
        "evidence": st.column_config.LinkColumn(
            "Evidence", display_text="In source ↗", width=100,
            help="The quoted sentences highlighted in the source document (Sources page)"),
        "geo_precision": number("Geo precision", format="%d", width=100,
                                help=BY_NAME["geo_precision"].description),
        "country": text("Country", width=90),
        "source_quote": text("Source quote", width="large",
                             help="Verbatim from the source. Select the row to read it in full."),
        "sub_event_type": text("Sub-event type"),
        "admin1": text("Province"),
    }


def show_on_map(events: pd.DataFrame, p: ui.Page) -> None:
    """A button that opens the map framed on the selected events, highlighted (one selected
    event has its popup open): ``/?select=IRQ4&select=IRQ5`` with the same filters."""
    ids = events["event_id"].astype(str).tolist()
    label = f"Show {'it' if len(ids) == 1 else f'these {len(ids)}'} on the map"
    if st.button(label, key="show_on_map", icon=":material/map:", type="primary",
                 help="Open the map framed on the selected events, highlighted"):
        map_links.open_map_with(ids, to_query(p.state))


def details(event: pd.Series, p: ui.Page) -> None:
    """What a selected row holds, with links to its evidence and to the map centred on it."""
    def text(column: str) -> str:
        value = event.get(column)
        return "" if value is None or pd.isna(value) else html.escape(str(value))

    def count(column: str) -> str:
        return "not reported" if pd.isna(event[column]) else str(int(event[column]))

    time_label = TIME_PRECISION_LABELS.get(int(event["time_precision"]), "")
    weapon = f", {text('weapon')}" if text("weapon") else ""
    evidence = html.escape(sources_url(event["event_id"], p.state), quote=True)
    centred = html.escape(map_url(p.state, event["latitude"], event["longitude"]), quote=True)
    st.html(f"""<div class="ev-details" style="font-size:1rem;line-height:1.5">
<h3 style="margin:0 0 .2em">{text("event_id")} · {event["event_date"]:%Y-%m-%d}</h3>
<p style="margin:0"><b>{text("attacker")}</b> → <b>{text("target_group")}</b>
 · {text("sub_event_type")}{weapon}</p>
<p style="margin:0;color:#555">{html.escape(describe_place(event.to_dict()))}
 · date: {time_label} · fatalities: {count("fatalities")} · injuries: {count("injuries")}</p>
<p style="margin:.6em 0 .2em;color:#555">As the source words it: {text("attacker_as_reported")}
 → {text("target_as_reported")}</p>
<blockquote style="margin:.2em 0;padding:.4em .9em;border-left:4px solid #bbb;
 background:#f6f6f6;font-style:italic">“{text("source_quote")}”</blockquote>
<p style="margin:.2em 0;color:#555">Source: {text("source_doc")}</p>
<p style="margin:.6em 0"><a href="{evidence}" target="_self">Read the evidence in the
 source →</a> &nbsp;·&nbsp; <a href="{centred}" target="_self">Show on the map →</a>
 (zoom 12, same filters)</p></div>""")
    if text("notes"):
        with st.expander("How the date, place and casualties were resolved"):
            st.text(event["notes"])


p = ui.page("Events")
st.title("Events")
st.caption(f"The events of the {escape_markdown(p.data.label)} that match the filters. "
           "Click a column header to sort; select a row for its details and its evidence, "
           "or several to show them on the map.")
ui.show_overview(p)

if not p.shown.empty:
    table = p.shown.assign(evidence=sources_urls(p.shown["event_id"], p.state))
    table = table[TABLE_COLUMNS]
    n = len(table)
    # ?event=ID (kept in the URL while a row is selected) opens that event's details.
    wanted = st.query_params.get("event")
    positions = np.flatnonzero(table["event_id"].to_numpy() == wanted).tolist()
    if wanted and not positions:
        st.info(f"Event “{escape_markdown(wanted)}” from the URL is not among the events "
                "shown; clear a filter to see it.", icon="🔗")
    picked = st.dataframe(table, hide_index=True, column_config=column_config(),
                          key="events_table", on_select="rerun", selection_mode="multi-row",
                          selection_default={"selection": {"rows": positions[:1]}},
                          height=min(38 + 35 * n, 560), placeholder="–")
    # Built when clicked, not on every rerun: a large import takes seconds to write.
    st.download_button(f"Download CSV ({n:,} events)", data=partial(to_csv_bytes, p.shown),
                       file_name=export_name(p.state, n, "csv"), mime="text/csv",
                       key="download_csv", on_click="ignore",
                       help="Every column of the events in the table. Cells a spreadsheet "
                            "would run as a formula are prefixed with '.")
    rows = [r for r in picked.selection.rows if r < n]
    if rows:
        show_on_map(p.shown.iloc[rows], p)
        event = p.shown.iloc[rows[0]]
        st.query_params["event"] = event["event_id"]
        st.divider()
        details(event, p)
    else:
        if positions:
            del st.query_params["event"]
        st.caption("Select a row (the box at its left) to see the event's details, its "
                   "evidence and where it is on the map.")
