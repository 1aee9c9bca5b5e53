"""The map page, and the app's page list.

Run with ``streamlit run app.py``; the other pages live in pages/ and share ui.py's sidebar.
"""

from __future__ import annotations

import html

import streamlit as st
from streamlit_folium import st_folium

import ui
from geo.assets import install_assets
from geo.export import export_name, to_csv_bytes, to_geojson_bytes
from geo.filters import Bounds, View, frame, view_bounds, visible_events
from geo.mapview import (
    BASEMAPS,
    HOME,
    OTHER_COLOR,
    OTHER_LABEL,
    attacker_colors,
    base_map,
    events_layer,
    plan_layer,
)
from geo.schema import PRECISION_LABELS

MAP_HEIGHT = 620
ASSUMED_WIDTH = 900  # map width in pixels before the browser reports its real bounds

@st.cache_resource
def assets():
    return install_assets()


def legend(colors: dict[str, str], shown_attackers: set[str]) -> None:
    chips, other = [], False
    for attacker, color in colors.items():
        if attacker not in shown_attackers:
            continue
        if color == OTHER_COLOR:
            other = True
            continue
        chips.append(f'<span style="white-space:nowrap;margin-right:14px">'
                     f'<span style="display:inline-block;width:12px;height:12px;border-radius:50%;'
                     f'background:{color};border:1px solid #222;vertical-align:middle"></span> '
                     f'{html.escape(attacker)}</span>')
    if other:
        chips.append(f'<span style="white-space:nowrap"><span style="display:inline-block;'
                     f'width:12px;height:12px;border-radius:50%;background:{OTHER_COLOR};'
                     f'border:1px solid #222"></span> {OTHER_LABEL}</span>')
    chips.append('<span style="white-space:nowrap;color:#555">◌ dashed circle: approximate '
                 f'place (precision 2: {PRECISION_LABELS[2]}, ~10 km; 3: {PRECISION_LABELS[3]}, '
                 '~50 km)</span>')
    st.markdown(" ".join(chips), unsafe_allow_html=True)


@st.fragment
def map_and_export(shown, colors, state, basemap: str) -> None:
    if "view_request" not in st.session_state:
        st.session_state["view_request"] = (ui.url_view() or frame(shown, ASSUMED_WIDTH,
                                                                   MAP_HEIGHT)
                                            or View(HOME[0], HOME[1], 5))
    request: View = st.session_state["view_request"]
    if st.button("Frame the shown events", disabled=shown.empty,
                 help="Zoom the map to all events that match the filters"):
        framed = frame(shown, ASSUMED_WIDTH, MAP_HEIGHT)
        # A nudge far below a metre makes st_folium move even if the request did not change.
        request = View(framed.lat + 1e-9 * (1 if request.lat <= framed.lat else -1),
                       framed.lon, framed.zoom)
        st.session_state["view_request"] = request
    # The view the browser last reported (it triggered this rerun), else the one we asked for.
    reported = st.session_state.get("map") or {}
    seen = Bounds.from_leaflet(reported.get("bounds"))
    seen_zoom = reported.get("zoom") if seen is not None else None
    plan = plan_layer(shown, colors, seen or view_bounds(request, ASSUMED_WIDTH, MAP_HEIGHT),
                      int(seen_zoom) if seen_zoom is not None else request.zoom)
    out = st_folium(base_map(basemap, assets()), key="map", height=MAP_HEIGHT,
                    use_container_width=True, center=(request.lat, request.lon),
                    zoom=request.zoom,
                    feature_group_to_add=events_layer(shown, colors, plan.payload),
                    returned_objects=["bounds", "center", "zoom"]) or {}
    bounds = Bounds.from_leaflet(out.get("bounds"))
    center, zoom = out.get("center"), out.get("zoom")
    if bounds is not None and center and zoom is not None:
        current = View(round(center["lat"], 4), round(center["lng"], 4), int(zoom))
    else:  # the browser has not reported yet: the view is the one we asked for
        current = request
        bounds = view_bounds(request, ASSUMED_WIDTH, MAP_HEIGHT)
    st.query_params.update({"lat": f"{current.lat:.4f}", "lon": f"{current.lon:.4f}",
                            "zoom": str(current.zoom)})
    visible = visible_events(shown, bounds)
    n = len(visible)
    if plan.description:
        st.caption(plan.description)
    st.caption(f"{n:,} of {len(shown):,} shown events are inside the map view. "
               "The downloads hold exactly those, with every column.")
    left, right, _ = st.columns([1, 1, 2])
    # Files are built only when a button is clicked, not on every pan.
    left.download_button(f"Download CSV ({n:,} events in view)",
                         data=lambda: to_csv_bytes(visible),
                         file_name=export_name(state, n, "csv"), mime="text/csv",
                         key="download_csv", on_click="ignore", disabled=n == 0)
    right.download_button(f"Download GeoJSON ({n:,} events in view)",
                          data=lambda: to_geojson_bytes(visible),
                          file_name=export_name(state, n, "geojson"),
                          mime="application/geo+json", key="download_geojson",
                          on_click="ignore", disabled=n == 0)


def map_page() -> None:
    """The map: filters, counts, legend, the map itself and the downloads of the view."""
    p = ui.page("Map")
    with st.sidebar:
        basemap = st.selectbox("Base map", list(BASEMAPS), index=0, key="basemap",
                               bind="query-params",
                               help=" · ".join(f"{k}: {v}" for k, v in BASEMAPS.items()))

    st.title("Strikes and attacks")
    st.caption(f"Showing the {p.data.label}. Click a dot for its date, place, casualties and the "
               "sentence of the source that reports it.")
    ui.show_overview(p)
    colors = attacker_colors(p.data.events)
    legend(colors, set(p.shown["attacker"]))
    map_and_export(p.shown, colors, p.state, basemap)


PAGES = [
    st.Page(map_page, title="Map", default=True),
    st.Page("pages/1_Events.py", title="Events", url_path="Events"),
    st.Page("pages/2_Timeline.py", title="Timeline",
            url_path="Timeline"),
    st.Page("pages/3_Sources.py", title="Sources",
            url_path="Sources"),
    st.Page("pages/4_About_the_data.py", title="About the data",
            url_path="About_the_data"),
    st.Page("pages/5_Import.py", title="Import",
            url_path="Import"),
    st.Page("pages/6_Curate.py", title="Curate", url_path="Curate"),
]
st.navigation(PAGES).run()
