"""``python -m bench.peers``: the app against two minimal peers on the same events (issue 14).

The peers are the pages a Streamlit user would write, each with an "Attacker" multiselect:
``st.pydeck_chart`` with a ScatterplotLayer (no base map), and folium's ``FastMarkerCluster``
through ``st_folium`` (Leaflet & co. from the XStatic packages, served by Streamlit's static
serving). A peer's "markers painted" is the frame after every event is drawn (deck.gl's
instanced draw call of as many points, or cluster icons counting as many events); "redraw" is
the same for the chosen attacker's events after its click::

    python -m bench.peers --sizes 10k,100k,1M    # then python -m bench.readme
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bench import RESULTS_DIR, format_table, machine_facts, parse_sizes, write_results
from bench.appserver import CHROMIUM, app_server, chromium, server_args
from bench.browser import (
    ERRORS,
    INIT_JS,
    MAP_FRAME,
    Session,
    Timeout,
    _wait,
    choose_attacker,
    chosen_attacker,
    converted_events,
    measure_app,
    median,
    timeout_text,
)
from bench.readme import PEER_COLUMNS, PEERS, PEERS_LEGEND
from bench.synth import cache_dir, cached_acled
from geo.events import load_events

POINTS = """
import sys

import pandas as pd
import streamlit as st


@st.cache_resource  # read once per server, as the app's store is
def points(path):
    return pd.read_csv(path, usecols=["latitude", "longitude", "attacker"])


events = points(sys.argv[-1])  # streamlit run page.py -- --events PATH
chosen = st.sidebar.multiselect("Attacker", sorted(events["attacker"].unique()))
shown = events[events["attacker"].isin(chosen)] if chosen else events
"""
PYDECK_PAGE = """
import pydeck as pdk

layer = pdk.Layer("ScatterplotLayer", shown[["longitude", "latitude"]],
                  get_position="[longitude, latitude]", get_radius=1000, radius_min_pixels=2,
                  get_fill_color=[200, 30, 0, 160])
view = pdk.ViewState(latitude=float(events["latitude"].mean()),
                     longitude=float(events["longitude"].mean()), zoom=4)
deck = pdk.Deck(layers=[layer], initial_view_state=view, map_provider=None)  # no base map
st.pydeck_chart(deck)
"""
FMC_MAP = """
import folium
from folium.plugins import FastMarkerCluster

JS, CSS = {js!r}, {css!r}  # the XStatic files in static/ beside this page
# Leaflet's own marker: the default callback's AwesomeMarkers (and Font Awesome) are on CDNs.
MARKER = "function (row) {{ return L.marker(new L.LatLng(row[0], row[1])); }}"


def fmc_map(points, bounds):
    m = folium.Map(tiles=None, maxZoom=18)  # on L.map itself: no tile layer to carry it
    m.default_js, m.default_css = JS, CSS
    cluster = FastMarkerCluster(points, callback=MARKER)
    cluster.default_js = cluster.default_css = []  # MarkerCluster is in the map's own list
    cluster.add_to(m)
    m.fit_bounds(bounds)
    return m
"""
FMC_PAGE = """
from streamlit_folium import st_folium

lat, lon = events["latitude"], events["longitude"]
bounds = [[lat.min(), lon.min()], [lat.max(), lon.max()]]
m = fmc_map(shown[["latitude", "longitude"]].values.tolist(), bounds)
st_folium(m, height=600, use_container_width=True, returned_objects=[])
"""

# Added to INIT_JS (which records the clicks): window.__peer.painted lists [events drawn,
# Date.now()] at the frame after a draw: deck.gl's last instanced draw call (a ScatterplotLayer
# draws its points as instances), or what the cluster icons of each Leaflet frame stand for.
PEER_JS = r"""
(() => {
  if (window.top !== window || window.__peer) { return; }
  const b = window.__peer = {painted: []};
  let drawn = null, seen = [];
  for (const name of ['drawArraysInstanced', 'drawElementsInstanced']) {
    const draw = WebGL2RenderingContext.prototype[name];
    WebGL2RenderingContext.prototype[name] = function (...args) {
      drawn = args[args.length - 1];
      return draw.apply(this, args);
    };
  }
  const clustered = d => {
    const pane = d && d.querySelector('.leaflet-marker-pane');
    if (!pane || !pane.children.length) { return null; }
    let n = 0;
    for (const icon of pane.children) {
      n += icon.classList.contains('marker-cluster') ? parseInt(icon.textContent, 10) : 1;
    }
    return n;
  };
  const last = new WeakMap();
  const tick = () => {
    const now = Date.now();
    for (const n of seen) { b.painted.push([n, now]); }
    seen = drawn === null ? [] : [drawn];
    drawn = null;
    for (const frame of document.querySelectorAll("FRAME_SELECTOR")) {
      const n = clustered(frame.contentDocument);
      if (n !== null && last.get(frame) !== n) { last.set(frame, n); seen.push(n); }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
""".replace("FRAME_SELECTOR", MAP_FRAME.replace('"', '\\"'))

MEASURES = {"markers_s": "first markers", "filter_redraw_s": "filter → redraw"}


def write_pages(folder: Path) -> dict[str, Path]:
    """The two peer pages in `folder`, Leaflet & co. copied into `folder`/static/vendor."""
    from geo.assets import install_assets

    assets = install_assets(folder / "static")  # URLs ../../app/static/vendor/...
    fmc = FMC_MAP.format(js=assets.js, css=assets.css) + POINTS + FMC_PAGE
    pages = {"pydeck": POINTS + PYDECK_PAGE, "fmc": fmc}
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / f"peer_{name}.py").write_text(text, encoding="utf-8")  # not pydeck.py
    return {name: folder / f"peer_{name}.py" for name in pages}


def painted(session: Session, count: int, since: float, timeout: float) -> float:
    """Date.now() of the first frame painted with `count` events drawn after `since`."""
    js = "([n, t]) => (window.__peer.painted.find(([c, at]) => c === n && at > t) || [])[1]"
    return _wait(session.page, js, timeout, [count, since]).json_value()


def measure_peer(
    browser: Any, url: str, counts: tuple[int, int], attacker: str, timeout: float, repeats: int
) -> dict[str, Any]:
    """A warm-up visit, `repeats` visits (median), then the attacker chosen on the last one."""
    out: dict[str, Any] = {"url": url, "visits": []}
    session = None
    try:
        for _ in range(1 + repeats):
            if session is not None:
                session.close()
            session = Session(browser, url, INIT_JS + PEER_JS)
            origin = session.page.evaluate("performance.timeOrigin")
            try:
                out["visits"].append((painted(session, counts[0], 0, timeout) - origin) / 1000)
            except Timeout as exc:  # the page may still be busy: ask it nothing more
                out["markers_s"] = str(exc)
                return out
        out["markers_s"] = median(out["visits"][1:])
        clicked = choose_attacker(session.page, attacker)
        try:
            redrawn = painted(session, counts[1], clicked, timeout)
            out["filter_redraw_s"] = (redrawn - clicked) / 1000
        except Timeout as exc:
            out["filter_redraw_s"] = str(exc)
        out["error_elements"] = session.page.locator(ERRORS).count()
        return out
    finally:
        if session is not None:
            out.update(offsite=session.offsite[:5], page_errors=session.errors[:5])
            session.close()


def measure_size(size: int, folder: Path, timeout: float, repeats: int) -> dict[str, Any]:
    """Ours, then each peer, on one synthetic file in one Chromium."""
    events_csv = converted_events(cached_acled(size, folder), folder)
    attacker, expected = chosen_attacker(load_events(events_csv).events)
    read = pd.read_csv(events_csv, usecols=["attacker"])["attacker"]  # as the peers read it
    counts = (len(read), int((read == attacker).sum()))
    out: dict[str, Any] = {"attacker": attacker, "peer_counts": counts}
    with chromium() as browser:
        with app_server(server_args(events_csv), folder) as server:
            out["ours"] = measure_app(browser, server, attacker, expected, timeout, repeats)
        for name, script in write_pages(folder / "peers").items():
            with app_server(server_args(events_csv), folder, str(script)) as server:
                out[name] = measure_peer(browser, server.url, counts, attacker, timeout, repeats)
                out[name]["server_rss_mb"] = server.usage()["rss_mb"]
    return out


def ratio(ours: Any, theirs: Any, timeout: float) -> float | str | None:
    if not isinstance(ours, float):
        return None
    if isinstance(theirs, float):
        return ours / theirs
    return f"<{ours / timeout:.2f}" if theirs == timeout_text(timeout) else None


def peer_rows(size: int, measured: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    rows = []
    for key, what in MEASURES.items():
        row = {"size": size, "what": what}
        row.update({name: measured[name].get(key) for name in ("ours", *PEERS)})
        row.update({f"ours_{p}": ratio(row["ours"], row[p], timeout) for p in PEERS})
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__)
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="visits after the warm-up")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a step may take")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "peers.json")
    args = parser.parse_args(argv)
    folder = cache_dir()
    results: dict[str, Any] = {
        "command": "python -m bench.peers " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_facts(CHROMIUM),
        "sizes": {},
        "peers_table": [],
        "legend": PEERS_LEGEND,
    }
    for size in args.sizes:
        print(f"[{size:,} events] ours, st.pydeck_chart and FastMarkerCluster…", flush=True)
        measured = measure_size(size, folder, args.timeout, args.repeats)
        results["sizes"][str(size)] = measured
        results["peers_table"] += peer_rows(size, measured, args.timeout)
        print(format_table(results["peers_table"][-2:], PEER_COLUMNS), flush=True)
        write_results(args.out, results)  # after each size: a later crash keeps the earlier
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
