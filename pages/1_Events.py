"""The events page: the filtered events as a sortable table, a CSV of it, and a row's details."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import streamlit as st

import downloads
import map_links
import state
import ui
from geo import duplicates
from geo.dates import date_labels
from geo.evidence import (
    describe_fatalities,
    describe_place,
    describe_sides,
    map_url,
    sources_url,
    sources_urls,
)
from geo.export import csv_chunks, export_name
from geo.filters import to_query
from geo.schema import BY_NAME, TIME_PRECISION_LABELS
from geo.sources import casualty_context, source_labels
from geo.text import escape_markdown

TABLE_COLUMNS = [
    "event_id",
    "event_date",
    "when",
    "attacker",
    "attribution",
    "target_group",
    "location",
    "fatalities",
    "injuries",
    "casualty_context",
    "evidence",
    "source",
    "possible_duplicate_of",
    "duplicate_rule",
    "geo_precision",
    "country",
    "source_quote",
    "sub_event_type",
    "admin1",
]


def column_config(undirected: bool = False) -> dict:
    """The table's columns; `undirected` when some rows only name two sides (ACLED actor 1 and
    2, UCDP side A and B) without saying who attacked whom: the headings then say so."""
    number, text = st.column_config.NumberColumn, st.column_config.TextColumn

    def sides(which: str, acled: str, ucdp: str) -> str:
        if not undirected:
            return ""
        return (
            " Where the attribution says direction not stated, the source names two sides "
            f"without saying who attacked whom: this is its {which} side ({acled}, {ucdp})."
        )

    return {
        "event_id": text("Event", width=64, pinned=True),
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width=96),
        "when": text(
            "When",
            width=150,
            help="The day, or the window a coarse date stands for "
            "(time_precision 2: week, 3: month)",
        ),
        "attacker": text(
            "Attacker or side A" if undirected else "Attacker",
            width=170,
            help=BY_NAME["attacker"].description + sides("first", "ACLED actor 1", "UCDP side A"),
        ),
        "attribution": text("Attribution", width=150, help=BY_NAME["attribution"].description),
        "target_group": text(
            "Target group or side B" if undirected else "Target group",
            width=170,
            help=BY_NAME["target_group"].description
            + sides("second", "ACLED actor 2", "UCDP side B"),
        ),
        "location": text("Place", width=160),
        "fatalities": number(
            "Fatalities", format="%d", width=80, help=BY_NAME["fatalities"].description
        ),
        "injuries": number("Injuries", format="%d", width=72, help=BY_NAME["injuries"].description),
        "casualty_context": text(
            "In a multi-site total",
            width=200,
            help="A total the source gives for several sites together, "
            "which includes this one (not broken down by site)",
        ),
        "evidence": st.column_config.LinkColumn(
            "Evidence",
            display_text="In source ↗",
            width=100,
            help="The quoted sentences highlighted in the source document (Sources page)",
        ),
        "source": text(
            "Source",
            width=200,
            help="The source's title; for an imported event, the source its dataset names",
        ),
        "possible_duplicate_of": text(
            "Possible duplicate of",
            width=120,
            help="An event of another dataset that may report the same strike (never merged)",
        ),
        "duplicate_rule": text("Duplicate rule", width=200),
        "geo_precision": number(
            "Geo precision", format="%d", width=100, help=BY_NAME["geo_precision"].description
        ),
        "country": text("Country", width=90),
        "source_quote": text(
            "Source quote",
            width="large",
            help="Verbatim from the source. Select the row to read it in full.",
        ),
        "sub_event_type": text("Sub-event type"),
        "admin1": text("Province"),
    }


def show_on_map(events: pd.DataFrame, p: ui.Page) -> None:
    """A button that opens the map framed on the selected events, highlighted (one selected
    event has its popup open): ``/?select=IRQ4&select=IRQ5`` with the same filters."""
    ids = events["event_id"].astype(str).tolist()
    label = f"Show {'it' if len(ids) == 1 else f'these {len(ids)}'} on the map"
    if st.button(
        label,
        key="show_on_map",
        icon=":material/map:",
        type="primary",
        help="Open the map framed on the selected events, highlighted",
    ):
        map_links.open_map_with(ids, to_query(p.state))


def details(event: pd.Series, p: ui.Page) -> None:
    """What a selected row holds, with links to its evidence and to the map centred on it."""

    def text(column: str) -> str:
        value = event.get(column)
        return "" if value is None or pd.isna(value) else html.escape(str(value))

    def count(column: str) -> str:
        return "not reported" if pd.isna(event[column]) else str(int(event[column]))

    time_label = TIME_PRECISION_LABELS.get(int(event["time_precision"]), "")
    when = html.escape(str(date_labels(event.to_frame().T.infer_objects()).iloc[0]))
    basis = text("attribution") or "not recorded"
    context = html.escape(casualty_context(event.to_frame().T).iloc[0])
    source = html.escape(source_labels(pd.Series([str(event["source_doc"])])).iloc[0])
    fatalities = html.escape(describe_fatalities(event.to_dict()))  # "12 (range 8 to 15)"
    weapon = f", {text('weapon')}" if text("weapon") else ""
    evidence = html.escape(sources_url(event["event_id"], p.state), quote=True)
    centred = html.escape(map_url(p.state, event["latitude"], event["longitude"]), quote=True)
    st.html(f"""<div class="ev-details" style="font-size:1rem;line-height:1.5">
<h3 style="margin:0 0 .2em">{text("event_id")} · {when}</h3>
<p style="margin:0"><b>{html.escape(describe_sides(event.to_dict()))}</b>
 · {text("sub_event_type")}{weapon}</p>
<p style="margin:0;color:#555">Attribution: {html.escape(basis)}</p>
<p style="margin:0;color:#555">{html.escape(describe_place(event.to_dict()))}
 · date: {time_label} · fatalities: {fatalities} · injuries: {count("injuries")}
 {("<br>In a multi-site total: " + context) if context else ""}</p>
<p style="margin:.6em 0 .2em;color:#555">As the source words it: {
        html.escape(
            describe_sides(
                {
                    "attacker": event.get("attacker_as_reported"),
                    "target_group": event.get("target_as_reported"),
                    "direction_stated": event.get("direction_stated"),
                }
            )
        )
    }</p>
<blockquote style="margin:.2em 0;padding:.4em .9em;border-left:4px solid #bbb;
 background:#f6f6f6;font-style:italic">“{text("source_quote")}”</blockquote>
<p style="margin:.2em 0;color:#555">Source: {source}</p>
<p style="margin:.6em 0"><a href="{evidence}" target="_self">Read the evidence in the
 source →</a> &nbsp;·&nbsp; <a href="{centred}" target="_self">Show on the map →</a>
 (zoom 12, same filters)</p></div>""")
    if text("notes"):
        with st.expander("How the date, place and casualties were resolved"):
            st.text(event["notes"])


p = ui.page("Events")
st.title("Events")
st.caption(
    f"The events of the {escape_markdown(p.data.label)} that match the filters. "
    "Click a column header to sort; select a row for its details and its evidence, "
    "or several to show them on the map."
)
ui.show_overview(p)


def flagged_dataset(events: pd.DataFrame) -> pd.DataFrame:
    """The possible duplicates across datasets (geo.duplicates: nothing merged): the columns
    the session's shared frame carries (ui flags them once per dataset), else computed here."""
    if set(duplicates.COLUMNS) <= set(events.columns):
        return events
    return duplicates.flags(events)


shown = p.shown
flagged = flagged_dataset(p.data.events)
copies = int(flagged.loc[shown.index, "duplicate_copy"].sum()) if not shown.empty else 0
if p.data.duplicates_note:
    st.caption(escape_markdown(p.data.duplicates_note))
if duplicates.count(flagged):
    hide = st.toggle(
        f"Hide possible duplicates ({copies:,} among the events shown)",
        key="hide_duplicates",
        value=False,
        help="Leaves out the second copy of each event another dataset also "
        "reports (the imported one when the curated data has it). Nothing "
        "is merged; see the Possible duplicate column.",
    )
    if hide and copies:
        shown = shown.loc[~flagged.loc[shown.index, "duplicate_copy"].to_numpy()]
        st.caption(f"{copies:,} possible duplicate(s) hidden.")

if not shown.empty:
    shown = ui.with_text(p.data, shown)  # the quotes, read for the events in the table only
    extra = flagged.loc[shown.index, ["possible_duplicate_of", "duplicate_rule"]].astype(str)
    table = shown.assign(
        evidence=sources_urls(shown["event_id"], p.state),
        when=date_labels(shown),
        casualty_context=casualty_context(shown),
        source=source_labels(shown["source_doc"]),
        attribution=shown.get("attribution", "direction not stated"),
        **{c: extra[c] for c in extra.columns},
    )
    table = table[TABLE_COLUMNS]
    n = len(table)
    # ?event=ID (kept in the URL while a row is selected) opens that event's details.
    wanted = st.query_params.get("event")
    positions = np.flatnonzero(table["event_id"].to_numpy() == wanted).tolist()
    if wanted and not positions:
        st.info(
            f"Event “{escape_markdown(wanted)}” from the URL is not among the events "
            "shown; clear a filter to see it.",
            icon="🔗",
        )
    picked = st.dataframe(
        table,
        hide_index=True,
        column_config=column_config(
            "direction_stated" in shown and not shown["direction_stated"].fillna(True).all()
        ),
        key=state.EVENTS_TABLE,
        on_select="rerun",
        selection_mode="multi-row",
        selection_default={"selection": {"rows": positions[:1]}},
        height=min(38 + 35 * n, 560),
        placeholder="–",
    )
    # Written when clicked, not on every rerun; streamed when the app runs as serve.py.
    later = ui.export_later(p.data, shown)
    downloads.button(
        st,
        f"Download CSV ({n:,} events)",
        lambda: csv_chunks(later()),
        file_name=export_name(p.state, n, "csv"),
        mime="text/csv",
        key=state.DOWNLOAD_CSV,
        help="Every column of the events in the table. Cells a spreadsheet "
        "would run as a formula are prefixed with '.",
    )
    rows = [r for r in picked.selection.rows if r < n]
    if rows:
        show_on_map(shown.iloc[rows], p)
        event = shown.iloc[rows[0]]
        st.query_params["event"] = event["event_id"]
        st.divider()
        details(event, p)
    else:
        if positions:
            del st.query_params["event"]
        st.caption(
            "Select a row (the box at its left) to see the event's details, its "
            "evidence and where it is on the map."
        )
