"""The map page, and the app's page list.

Run with ``streamlit run app.py``; the other pages live in pages/ and share ui.py's sidebar.
Which view the map shows and the URL names is decided by geo/viewstate.py; this page passes
it what the browser reported and draws what it returns.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import partial
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components
from streamlit_folium import st_folium

import downloads
import map_links
import playback_ui
import ui
from geo import places, viewstate
from geo.assets import served_assets, served_folders
from geo.export import csv_chunks, export_name, geojson_chunks
from geo.filters import FilterState, in_view
from geo.mapview import BASEMAPS, LayerPlan, draw_map, plan_view
from geo.places import online_search_from_env, search_places
from geo.text import escape_markdown, plural
from geo.viewstate import MAP_HEIGHT

VIEW_KEY = "map_view_state"  # geo.viewstate.MapState of this session
PLACE_KEY = "place_query"
PLACE_DONE = "place_query_done"  # the query last searched, so a rerun does not move again
PLACE_NOTE = "place_note"
BASEMAP_SHOWN = "basemap_shown"  # the base map last drawn: a new one keeps the view
DATA_SHOWN = "map_data_shown"  # the datasets (store ids) the map last showed: new ones are framed

# The map fills the screen below a compact header; on a phone it starts on the first screen.
LAYOUT_CSS = """<style>
[data-testid="stMainBlockContainer"]{padding-top:3.2rem;padding-bottom:1rem}
.st-key-map_head h3{padding:0;margin:0}
.st-key-counts [data-testid="stMetricValue"]{font-size:1.35rem;line-height:1.2}
.st-key-counts [data-testid="stMetric"]{padding:0}
iframe[title="streamlit_folium.st_folium"]{height:max(360px,calc(100dvh - 205px))!important}
@media (max-width:640px){
 [data-testid="stMainBlockContainer"]{padding:3.6rem 0.75rem 0.5rem}
 .st-key-map_head,.st-key-map_controls,.st-key-counts,.st-key-playback{gap:0.35rem 0.5rem!important}
 .st-key-map_head h3{font-size:1.05rem;line-height:1.3}
 .st-key-map_head>div:first-child{flex:1 1 100%;height:auto!important;min-height:1.4rem}
 .st-key-map_head>div:first-child *{height:auto!important}
 .st-key-counts [data-testid="stMetricValue"]{font-size:1.05rem}
 .st-key-counts [data-testid="stMetricLabel"] p{font-size:0.75rem}
 .st-key-map_head button,.st-key-map_controls button{min-height:2rem;padding:0.15rem 0.55rem}
 .st-key-map_head button p,.st-key-map_controls button p{font-size:0.8rem}
 .st-key-place_query{flex:1 1 8rem;width:auto!important;min-width:8rem}
 .st-key-place_query input{padding:0.3rem 0.6rem;font-size:0.9rem}
 .st-key-place_query [data-baseweb="input"]{height:2rem}
 iframe[title="streamlit_folium.st_folium"]{height:max(300px,calc(100dvh - 300px))!important}
}
</style>"""


@st.cache_resource
def assets():
    """Serve Leaflet & co. and the offline tiles from where they are installed (once a process:
    /component/app.<name>/...), and return their URLs."""
    for name, folder in served_folders().items():
        components.declare_component(name, path=str(folder))
    return served_assets()


PLACE_INDEX_DELAY_S = 15  # after the first visit's map is drawn: the two do not share the CPU


@st.cache_resource
def warm_place_index() -> threading.Timer:
    """Load the GeoNames index in the background once a process (0.2 s from the user's cache;
    about 4 s of CPU the first time on a machine), after the first visit has its map and at
    the lowest priority, so that the first "go to a place" does not wait for it and the first
    map does not wait for the index (a search before then loads it itself)."""

    def warm() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only
        except (AttributeError, OSError):
            pass  # not Linux: at the normal priority
        places.warm()

    timer = threading.Timer(PLACE_INDEX_DELAY_S, warm)
    timer.name, timer.daemon = "place-index", True
    timer.start()
    return timer


ENGINE_DELAY_S = 3  # after the first visit's map: the first filter comes later


@st.cache_resource
def warm_engine(_path: Path) -> threading.Timer:
    """Load the query engine once a process, a few seconds after the first map is drawn: its
    import (Polars, 0.2 s) and its first query (0.1 s, its threads started), which the first
    filter of a fresh server otherwise waits for (first filter -> redraw at 100k events on three
    fresh servers: 0.33-0.35 s without this, 0.26-0.29 s with it)."""

    def warm() -> None:
        try:
            ui.ENGINE.rows([_path], FilterState(attackers=("",)))  # matches no event
        except Exception:  # the first filter then loads the engine itself
            logging.getLogger(__name__).debug("warming the query engine failed", exc_info=True)

    timer = threading.Timer(ENGINE_DELAY_S, warm)
    timer.name, timer.daemon = "query-engine", True
    timer.start()
    return timer


def go_to_place(state: viewstate.MapState) -> viewstate.MapState:
    """Search the place typed (once per query) and move the map to the best match."""
    query = (st.session_state.get(PLACE_KEY) or "").strip()
    if not query or query == st.session_state.get(PLACE_DONE):
        return state
    st.session_state[PLACE_DONE] = query
    found = search_places(query, online=online_search_from_env())
    if not found:
        st.session_state[PLACE_NOTE] = (
            f"No place called “{query}” in the gazetteer or "
            "GeoNames (towns of 5,000 people or more)."
        )
        return state
    others = "; ".join(p.label for p in found[1:4])
    st.session_state[PLACE_NOTE] = f"Showing {found[0].label}." + (
        f" Also: {others}. Add “, country” to choose." if others else ""
    )
    return viewstate.go_to(state, found[0].view)


def layer_plan(data: ui.Dataset, filters, shown, colors, bounds, zoom, layer) -> LayerPlan:
    """plan_view, from ui.cached_plan (shared by every session) when the events shown are the
    stored ones filtered (not during a playback, whose frames change at every step)."""
    if not data.ids or playback_ui.current() is not None:
        return plan_view(shown, colors, bounds, zoom, layer, partial(ui.with_text, data))
    return ui.cached_plan(data, filters, shown, colors, bounds, zoom, layer)


# ?layer=density: the option itself is the URL's value (a bound widget writes its label).
LAYERS = ("points", "density")


def layer_choice() -> str:
    """The sidebar's layer choice, in the URL as ``layer`` like every other choice."""
    return st.selectbox(
        "Layer",
        LAYERS,
        key="layer",
        bind="query-params",
        help="points: single events (clustered), or grid cells when too many to draw; "
        "density: events counted in small squares, darker where there are more",
    )


@st.fragment
def map_and_export(data: ui.Dataset, filters, colors, basemap: str) -> None:
    # Its arguments are kept for the fragment's reruns: the filter state, not the frame.
    shown = playback_ui.shown(ui.page_of(data, filters))
    box = viewstate.events_bounds(shown)
    state = st.session_state.get(VIEW_KEY) or viewstate.start(ui.url_view(), box)
    state = viewstate.reported(state, st.session_state.get("map"))
    if st.session_state.get(BASEMAP_SHOWN, basemap) != basemap:
        state = viewstate.keep_view(state)
    st.session_state[BASEMAP_SHOWN] = basemap
    if st.session_state.get(DATA_SHOWN, data.ids) != data.ids:
        state = viewstate.frame(state, box)  # an import added or removed: show the events now
    st.session_state[DATA_SHOWN] = data.ids

    bar = st.container(
        horizontal=True, vertical_alignment="bottom", gap="small", key="map_controls"
    )
    bar.text_input(
        "Go to a place",
        key=PLACE_KEY,
        placeholder="Go to a place, e.g. Erbil",
        label_visibility="collapsed",
        width=250,
        help="A town (GeoNames, 5,000 people or more) or a site of the gazetteer; "
        "add “, country” to choose among places of the same name",
    )
    if bar.button(
        "Frame the shown events",
        disabled=shown.empty,
        help="Zoom the map to all events that match the filters",
    ):
        state = viewstate.frame(state, box)
    state = go_to_place(state)
    state = map_links.frame_selection(state, shown)  # ?select=...: framed once
    st.session_state[VIEW_KEY] = state

    drawn = viewstate.drawing(state)
    layer = st.session_state.get("layer") or "points"
    drawing = draw_map(
        shown,
        colors,
        drawn.bounds,
        drawn.zoom,
        basemap=basemap,
        assets=assets(),
        mark=lambda payload: map_links.highlight(payload, shown),
        move=drawn.move,
        plan=layer_plan(data, filters, shown, colors, drawn.bounds, drawn.zoom, layer),
    )
    # The events in view: their row numbers (the downloads read the columns when clicked; the
    # table below, when listed, copies its own), not a copy of their columns (at 2.5M events,
    # every column was 0.3 GB a pan, the table's six 60 ms).
    inside = in_view(shown, drawn.bounds)
    visible = shown if inside is None else shown.loc[inside, []]
    n = len(visible)
    rows = ui.export_later(data, visible)
    help_text = f"{plural(n, 'shown event')} inside the map view, with every column"
    # Files are written only when a button is clicked, not on every pan; streamed a chunk
    # at a time when the app runs as serve.py (downloads.py).
    downloads.button(
        bar,
        f"CSV ({n:,} in view)",
        lambda: csv_chunks(rows()),
        file_name=export_name(filters, n, "csv"),
        mime="text/csv",
        key="download_csv",
        disabled=n == 0,
        help=f"Download the {help_text}",
    )
    downloads.button(
        bar,
        f"GeoJSON ({n:,} in view)",
        lambda: geojson_chunks(rows()),
        file_name=export_name(filters, n, "geojson"),
        mime="application/geo+json",
        key="download_geojson",
        disabled=n == 0,
        help=f"Download the {help_text}",
    )
    if st.session_state.get(PLACE_NOTE):
        st.caption(escape_markdown(st.session_state[PLACE_NOTE]))

    st_folium(
        drawing.base,
        key="map",
        height=MAP_HEIGHT,
        use_container_width=True,
        feature_group_to_add=drawing.events,
        returned_objects=["bounds", "center", "zoom"],
    )
    if drawn.url is not None and any(st.query_params.get(k) != v for k, v in drawn.url.items()):
        st.query_params.update(drawn.url)
    st.caption(
        f"{n:,} of {plural(len(shown), 'shown event')} inside the map view; the downloads "
        f"hold exactly those, with every column. {drawing.plan.description} Showing the "
        f"{escape_markdown(data.label)}; click a dot for its source sentence."
    )
    map_links.events_in_view(shown, inside)


def map_page() -> None:
    """The map: a one-line header with the counts, the controls, the map filling the screen."""
    p = ui.page("Map")
    warm_place_index()
    if p.data.ids:
        warm_engine(ui.store().path(p.data.ids[0]))
    st.html(LAYOUT_CSS)
    with st.sidebar:
        layer_choice()
        basemap = st.selectbox(
            "Base map",
            list(BASEMAPS),
            index=0,
            key="basemap",
            bind="query-params",
            help=" · ".join(f"{k}: {v}" for k, v in BASEMAPS.items()),
        )
    shown = playback_ui.shown(p)  # during a playback: events whose span touches the window
    with st.container(key="map_head", horizontal=True, vertical_alignment="center", gap="medium"):
        st.markdown("### Strikes and attacks")
        ui.compact_counts(shown, len(p.data.events), p.data.label)
        playback_ui.controls(p)  # the play bar, in the header: the map keeps its height
    # Always drawn, empty or not: an element that came and went above the map would move the
    # map's block in the page, and the browser would rebuild the map (a blank map, a reload).
    with st.container(key="map_status"):
        ui.show_status(p)
        if shown.empty:
            st.warning(ui.NO_MATCH)
    colors = ui.map_colors(p.data)
    map_and_export(p.data, p.state, colors, basemap)
    playback_ui.ticker(p)


PAGES = [
    st.Page(map_page, title="Map", default=True),
    st.Page("pages/1_Events.py", title="Events", url_path="Events"),
    st.Page("pages/2_Timeline.py", title="Timeline", url_path="Timeline"),
    st.Page("pages/3_Sources.py", title="Sources", url_path="Sources"),
    st.Page("pages/4_About_the_data.py", title="About the data", url_path="About_the_data"),
    st.Page("pages/5_Import.py", title="Import", url_path="Import"),
    st.Page("pages/6_Curate.py", title="Curate", url_path="Curate"),
]
st.navigation(PAGES).run()
ui.frames().sweep_soon()  # what this run dropped goes back to the system (geo.cache)
