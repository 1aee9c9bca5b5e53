"""Build the folium map: a constant base map and a layer of the events to show.

The base map never depends on the data, so streamlit-folium keeps the same iframe between
reruns (no flicker, no lost view); the events travel in a FeatureGroup (``events_layer``) that
streamlit-folium swaps in place. Markers are built in the browser from compact column arrays;
popups and tooltips are built with ``textContent``, so text from a file is never run as HTML.

>>> m = base_map("offline", install_assets())                # doctest: +SKIP
>>> layer = events_layer(events, attacker_colors(events))     # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.assets import Assets
from geo.evidence import describe_sides_column
from geo.filters import Bounds, visible_events
from geo.schema import PRECISION_LABELS

# Okabe & Ito's palette, readable for the common forms of colour blindness; grey for the rest.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
OTHER_COLOR = "#8c8c8c"
OTHER_LABEL = "Other attackers"
# Radius of the dashed circle that shows how uncertain a place is, by geo_precision.
UNCERTAINTY_METRES = {2: 10_000, 3: 50_000}
# Base map choices, named as the URL shows them (?basemap=Offline).
BASEMAPS = {
    "OpenStreetMap": "online tiles from openstreetmap.org",
    "Offline": "country outlines served by this app; needs no tile server",
}
QUOTE_CHARS = 1200         # a popup's quote, when few events are sent
QUOTE_CHARS_MANY = 280     # ... and when many are: bytes sent stay bounded
POINT_LIMIT = 4000         # at most this many single events are sent to the browser
CELL_PIXELS = 48           # grid cell size on screen when events are aggregated
HOME = (33.0, 44.0)  # constant start; the page moves the view with st_folium(center=, zoom=)

POPUP_CSS = """<style>
.ev-popup{font:13px/1.4 system-ui,sans-serif;max-width:340px}
.ev-popup .ev-meta{color:#555;font-size:12px}
.ev-popup .ev-title{font-size:14px;margin:2px 0 4px}
.ev-popup blockquote{margin:6px 0;padding:4px 8px;border-left:3px solid #999;background:#f6f6f6;
 max-height:160px;overflow:auto;font-style:italic}
.ev-popup .ev-uncertain{color:#a33}
.leaflet-container.ev-offline{background:#cfe0ea}
.event-marker span{display:block;width:16px;height:16px;border-radius:50%;box-sizing:border-box;
 border:2px solid #1a1a1a;box-shadow:0 0 0 1.5px #fff}
.event-marker:focus span{outline:3px solid #222;outline-offset:2px}
</style>"""


def attacker_colors(events: pd.DataFrame) -> dict[str, str]:
    """A stable colour per attacker: the most frequent get the palette, the rest grey."""
    counts = events["attacker"].value_counts()
    ordered = sorted(counts.index, key=lambda a: (-counts[a], a))
    return {a: (PALETTE[i] if i < len(PALETTE) else OTHER_COLOR) for i, a in enumerate(ordered)}


class OfflineBasemap(MacroElement):
    """Natural Earth country outlines fetched from the app's own static files: no tiles."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  map.getContainer().classList.add('ev-offline');
  map.attributionControl.addAttribution('Outlines: Natural Earth (public domain)');
  fetch({{ this.url | tojson }}).then(function (r) { return r.json(); }).then(function (d) {
    var pane = map.createPane('basemap'); pane.style.zIndex = 150;
    L.geoJSON(d, {pane: 'basemap', interactive: false,
      style: {color: '#7d7d7d', weight: 0.8, fillColor: '#f7f4ee', fillOpacity: 1}}).addTo(map);
  });
})();
{% endmacro %}
""")

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "OfflineBasemap"
        self.url = url


class FocusWithoutScroll(MacroElement):
    """Leaflet focuses the map on mousedown (for keyboard control); in an iframe that reaches
    below the fold this scrolls the page under the pointer and the click misses its marker.
    Focus without scrolling keeps keyboard control and makes clicks land."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  map.keyboard.disable();
  L.Map.Keyboard.prototype._onMouseDown = function () {
    if (!this._focused) { this._map._container.focus({preventScroll: true}); }
  };
  map.keyboard.enable();
})();
{% endmacro %}
""")


def base_map(basemap: str, assets: Assets) -> folium.Map:
    """The map without events. Depends only on the base map choice and the asset URLs."""
    # maxZoom must reach L.map itself: with no tile layer, clustering fails without it.
    m = folium.Map(location=HOME, zoom_start=5, tiles=None, control_scale=True,
                   world_copy_jump=True, **{"maxZoom": 18, "minZoom": 2})
    m.default_js = assets.js
    m.default_css = assets.css
    if basemap == "OpenStreetMap":
        folium.TileLayer("OpenStreetMap", max_zoom=19).add_to(m)
    else:
        OfflineBasemap(assets.basemap_url).add_to(m)
    FocusWithoutScroll().add_to(m)
    m.get_root().header.add_child(Element(POPUP_CSS))
    return m


def _codes(values: pd.Series) -> tuple[list[int], list[str]]:
    codes, uniques = pd.factorize(values.fillna("").astype(str), sort=False)
    return codes.tolist(), uniques.tolist()


def _numbers(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values.tolist()]


def layer_payload(events: pd.DataFrame, colors: dict[str, str],
                  source_link: str = "../../Sources") -> dict:
    """Compact column arrays for the browser: strings are dictionary-encoded once."""
    payload: dict = {"mode": "points", "n": len(events), "source_link": source_link,
                     "precision_labels": {str(k): v for k, v in PRECISION_LABELS.items()}}
    payload["lat"] = events["latitude"].round(5).tolist()
    payload["lon"] = events["longitude"].round(5).tolist()
    payload["id"] = events["event_id"].astype(str).tolist()
    payload["date"] = events["event_date"].dt.strftime("%Y-%m-%d").tolist()
    place = (events["location"].astype(str) + ", " + events["admin1"].fillna("").astype(str)
             + ", " + events["country"].astype(str)).str.replace(", , ", ", ")
    for key, values in (("attacker", events["attacker"]), ("target", events["target_group"]),
                        ("place", place), ("doc", events["source_doc"])):
        payload[key], payload[key + "_names"] = _codes(values)
    # "A → B", or "A ↔ B, direction not stated" where the source states no direction.
    payload["sides"], payload["sides_names"] = _codes(describe_sides_column(events))
    payload["color_names"] = [colors.get(a, OTHER_COLOR) for a in payload["attacker_names"]]
    payload["precision"] = _numbers(events["geo_precision"])
    payload["near"] = events.get("near_location", pd.Series(False, index=events.index)
                                 ).fillna(False).astype(bool).astype(int).tolist()
    payload["fatalities"] = _numbers(events["fatalities"])
    payload["injuries"] = _numbers(events["injuries"])
    limit = QUOTE_CHARS if len(events) <= 500 else QUOTE_CHARS_MANY
    quotes = events["source_quote"].fillna("").astype(str)
    long = quotes.str.len() > limit
    payload["quote"] = quotes.where(~long, quotes.str.slice(0, limit) + "…").tolist()
    payload["radius_m"] = {str(k): v for k, v in UNCERTAINTY_METRES.items()}
    return payload


def cell_degrees(zoom: int) -> float:
    """Grid cell size in degrees of longitude that shows as about CELL_PIXELS on screen."""
    return 360.0 / (256 * 2 ** zoom) * CELL_PIXELS


def snap(bounds: Bounds, zoom: int) -> Bounds:
    """The bounds widened by half a view on each side and snapped to the grid of this zoom,
    so that small pans give the same payload (and the browser redraws nothing)."""
    step = cell_degrees(zoom) * 4
    pad_lat, pad_lon = (bounds.north - bounds.south) / 2, (bounds.east - bounds.west) / 2
    return Bounds(max(-90.0, math.floor((bounds.south - pad_lat) / step) * step),
                  math.floor((bounds.west - pad_lon) / step) * step,
                  min(90.0, math.ceil((bounds.north + pad_lat) / step) * step),
                  math.ceil((bounds.east + pad_lon) / step) * step)


def cells_payload(events: pd.DataFrame, colors: dict[str, str], zoom: int) -> dict:
    """Events aggregated into grid cells: count, fatalities, the most frequent attacker."""
    size = cell_degrees(zoom)
    ix = np.floor(events["longitude"].to_numpy() / size).astype(np.int64)
    iy = np.floor(events["latitude"].to_numpy() / size).astype(np.int64)
    codes, attackers = pd.factorize(events["attacker"], sort=False)
    frame = pd.DataFrame({"ix": ix, "iy": iy, "a": codes,
                          "lat": events["latitude"].to_numpy(),
                          "lon": events["longitude"].to_numpy(),
                          "f": events["fatalities"].fillna(0).to_numpy(dtype=np.int64)})
    cells = frame.groupby(["ix", "iy"], sort=False).agg(
        n=("a", "size"), lat=("lat", "mean"), lon=("lon", "mean"), f=("f", "sum"))
    top = (frame.groupby(["ix", "iy", "a"], sort=False).size().reset_index(name="k")
           .sort_values("k", ascending=False).drop_duplicates(["ix", "iy"])
           .set_index(["ix", "iy"]))
    cells = cells.join(top)
    names = [str(a) for a in attackers]
    return {
        "mode": "cells", "n": int(len(events)), "cells": int(len(cells)), "size": size,
        "lat": cells["lat"].round(4).tolist(), "lon": cells["lon"].round(4).tolist(),
        "count": cells["n"].astype(int).tolist(), "fatalities": cells["f"].astype(int).tolist(),
        "top": cells["a"].astype(int).tolist(), "top_share": (cells["k"] / cells["n"]).round(2)
        .tolist(), "ix": cells.index.get_level_values(0).tolist(),
        "iy": cells.index.get_level_values(1).tolist(), "attacker_names": names,
        "color_names": [colors.get(a, OTHER_COLOR) for a in names],
    }


@dataclass(frozen=True)
class LayerPlan:
    """What the map shows for a set of events at a view, and a sentence that says so."""

    payload: dict
    description: str


def plan_layer(events: pd.DataFrame, colors: dict[str, str], bounds: Bounds,
               zoom: int) -> LayerPlan:
    """Choose what to send so that the bytes sent never grow without bound.

    Up to POINT_LIMIT events: every event, clustered in the browser (the view does not matter,
    so panning sends nothing). More: only the events in (and around) the view, when they are
    few enough; otherwise grid cells with counts, which a click zooms into.
    """
    if len(events) <= POINT_LIMIT:
        return LayerPlan(layer_payload(events, colors), "")
    area = snap(bounds, zoom)
    near = visible_events(events, area)
    if len(near) <= POINT_LIMIT:
        payload = layer_payload(near, colors)
        return LayerPlan(payload, f"Zoomed in: the {len(near):,} events in and around the view "
                                  f"are drawn one by one.")
    payload = cells_payload(near, colors, zoom)
    km = round(cell_degrees(zoom) * 111)
    return LayerPlan(payload, f"Zoomed out: {len(near):,} events in and around the view are "
                              f"counted in {payload['cells']:,} grid cells of about {km:,} km. "
                              "Zoom in, or click a cell, to see single events.")


class EventsLayer(MacroElement):
    """Clustered markers coloured by attacker, with uncertainty circles and popups."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var d = {{ this.payload_json }};
  var group = {{ this._parent.get_name() }};
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== null && text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function count(v) { return v === null ? 'not reported' : String(v); }
  var sourceQuery = '';
  try {
    var top = new URLSearchParams(window.parent.location.search);
    ['lat', 'lon', 'zoom', 'basemap', 'event'].forEach(function (k) { top.delete(k); });
    sourceQuery = top.toString();
  } catch (e) { sourceQuery = ''; }
  function popup(i) {
    var box = el('div', null, 'ev-popup');
    box.setAttribute('data-event-id', d.id[i]);
    box.appendChild(el('div', d.date[i] + ' \u00b7 ' + d.id[i], 'ev-meta'));
    var title = el('div', null, 'ev-title');
    title.appendChild(el('b', d.sides_names[d.sides[i]]));
    box.appendChild(title);
    var p = d.precision[i];
    var where = el('div', (d.near[i] ? 'Near ' : '') + d.place_names[d.place[i]]);
    where.appendChild(el('span', ' (precision ' + p + ': ' + d.precision_labels[p] + ')',
                         p > 1 ? 'ev-uncertain' : null));
    box.appendChild(where);
    box.appendChild(el('div', 'Fatalities: ' + count(d.fatalities[i]) +
                              ' \u00b7 Injuries: ' + count(d.injuries[i])));
    box.appendChild(el('blockquote', '\u201c' + d.quote[i] + '\u201d'));
    var src = el('div', 'Source: ');
    var a = el('a', d.doc_names[d.doc[i]]);
    // The map's iframe may not navigate the app's window (Streamlit's sandbox), but it may open
    // a tab: the evidence opens beside the map, with the same filters, and this session (with
    // any imported files) stays as it was.
    var query = new URLSearchParams(sourceQuery);
    query.set('event', d.id[i]);
    a.href = d.source_link + '?' + query.toString() + '#' + encodeURIComponent(d.id[i]);
    a.target = '_blank';
    a.rel = 'noopener';
    a.title = 'Read the sentence in the source document';
    src.appendChild(a);
    box.appendChild(src);
    return box;
  }
  if (d.mode === 'cells') {
    var cells = L.layerGroup();
    for (var c = 0; c < d.lat.length; c++) {
      var share = Math.round(d.top_share[c] * 100);
      var cell = L.circleMarker([d.lat[c], d.lon[c]], {
        radius: 6 + 5 * Math.log10(d.count[c]), color: '#1a1a1a', weight: 1,
        fillColor: d.color_names[d.top[c]], fillOpacity: 0.75, className: 'ev-cell'});
      cell.bindTooltip(el('span', d.count[c].toLocaleString() + ' events \u00b7 ' +
        d.fatalities[c].toLocaleString() + ' fatalities \u00b7 ' + share + '% ' +
        d.attacker_names[d.top[c]]));
      cell.cellBounds = [[d.iy[c] * d.size, d.ix[c] * d.size],
                         [(d.iy[c] + 1) * d.size, (d.ix[c] + 1) * d.size]];
      cell.on('click', function (e) { group._map.fitBounds(e.target.cellBounds); });
      cells.addLayer(cell);
    }
    group.addLayer(cells);
    window.conflictMap = {mode: 'cells', cells: cells, count: d.n, cellCount: d.lat.length};
    return;
  }
  var cluster = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 30,
    spiderfyOnMaxZoom: true, showCoverageOnHover: false});
  var halos = L.layerGroup();
  // Many uncertainty circles: one canvas, no dashes (dashed SVG circles kilometres wide cost
  // seconds to draw when zoomed in). Few: dashed SVG, easier to read.
  var halo_count = 0;
  for (var h = 0; h < d.n; h++) { if (d.radius_m[String(d.precision[h])]) { halo_count++; } }
  var many = halo_count > 100;
  var halo_style = many ? {renderer: L.canvas({padding: 0.2}), weight: 1, opacity: 0.5}
                        : {weight: 1.5, dashArray: '5 5'};
  var markers = new Array(d.n);
  for (var i = 0; i < d.n; i++) {
    var ll = [d.lat[i], d.lon[i]], color = d.color_names[d.attacker[i]];
    var radius = d.radius_m[String(d.precision[i])];
    if (radius) {
      L.circle(ll, L.extend({radius: radius, color: color, fillColor: color,
                             fillOpacity: many ? 0.04 : 0.08, interactive: false,
                             className: 'event-uncertainty'}, halo_style)).addTo(halos);
    }
    var m = L.marker(ll, {icon: L.divIcon({className: 'event-marker', iconSize: [16, 16],
      html: '<span style="background:' + color + '"></span>'}), riseOnHover: true,
      autoPanOnFocus: false});
    m.eventId = d.id[i];
    m.on('add', function () {
      this._icon.setAttribute('data-event-id', this.eventId);
      this._icon.setAttribute('aria-label', 'Event ' + this.eventId);
    });
    m.bindTooltip(el('span', d.id[i] + ' \u00b7 ' + d.date[i] + ' \u00b7 ' +
      d.sides_names[d.sides[i]]));
    m.bindPopup((function (k) { return function () { return popup(k); }; })(i),
                {maxWidth: 360});
    markers[i] = m;
  }
  cluster.addLayers(markers);
  group.addLayer(halos);
  group.addLayer(cluster);
  window.conflictMap = {mode: 'points', cluster: cluster, markers: markers, count: d.n};
})();
{% endmacro %}
""")

    def __init__(self, payload: dict) -> None:
        super().__init__()
        self._name = "EventsLayer"
        # "</" is escaped so that no text in the data can close the script element.
        self.payload_json = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")


def events_layer(events: pd.DataFrame, colors: dict[str, str],
                 payload: dict | None = None) -> folium.FeatureGroup:
    """The FeatureGroup to pass to st_folium(feature_group_to_add=...)."""
    group = folium.FeatureGroup(name="Events")
    EventsLayer(payload if payload is not None else layer_payload(events, colors)).add_to(group)
    return group
