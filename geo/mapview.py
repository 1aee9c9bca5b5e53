"""Build the folium map: a constant base map and a layer of the events to show.

The base map never depends on the data, so streamlit-folium keeps the same iframe between
reruns (no flicker, no lost view); the events travel in a FeatureGroup (``events_layer``) that
streamlit-folium swaps in place. Markers are built in the browser from compact column arrays;
popups and tooltips are built with ``textContent``, so text from a file is never run as HTML.
``draw_map`` is the one render: the map page hands its result to st_folium, and the benchmark
renders the same to HTML.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import folium
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.assets import TILES_ATTRIBUTION, TILES_MAX_ZOOM, Assets
from geo.dates import date_labels
from geo.evidence import describe_sides_column
from geo.filters import Bounds, in_view
from geo.schema import PRECISION_LABELS
from geo.sources import casualty_context, source_labels
from geo.viewstate import HOME

# Okabe & Ito's colours (readable with the common forms of colour blindness), then Paul Tol's
# muted ones. Black is left out: it is the markers' outline and the clusters' colour.
PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#882255",
    "#44AA99",
    "#999933",
    "#332288",
    "#AA4499",
]
# Curated colours for the actors of the bundled data (keys normalised by colour_key), so that
# they keep the colours readers know; every other name is hashed into PALETTE.
CURATED_COLORS = {
    "islamic revolutionary guard corps (irgc)": "#0072B2",
    "us military": "#D55E00",
    "islamic resistance in iraq": "#009E73",
    "israel": "#CC79A7",
}
OTHER_COLOR = "#8c8c8c"  # an attacker the colour table does not know (never from a name)
OTHER_LABEL = "Other attackers"
CLUSTER_COLOR = "#3a3a3a"  # clusters: neutral, unlike any attacker
LEGEND_LIMIT = 10  # attackers named in the legend; the rest are counted
# Radius of the dashed circle that shows how uncertain a place is, by geo_precision.
UNCERTAINTY_METRES = {2: 10_000, 3: 50_000}
# Base map choices, named as the URL shows them (?basemap=Offline).
BASEMAPS = {
    "OpenStreetMap": "online tiles from openstreetmap.org",
    "Offline": "OpenStreetMap tiles to zoom 6, borders and town names, served by this app",
}
QUOTE_CHARS = 1200  # a popup's quote, when few events are sent
QUOTE_CHARS_MANY = 280  # ... and when many are: bytes sent stay bounded
POINT_LIMIT = 4000  # at most this many single events are sent to the browser
CELL_PIXELS = 48  # grid cell size on screen when events are aggregated
LAYERS_MIN_ZOOM = 5  # provinces, rivers and lakes from this zoom on when there are no tiles

POPUP_CSS = """<style>
html,body{margin:0;height:100%;overflow:hidden}
#map_div{height:100vh!important;width:100%!important}
.ev-popup{font:13px/1.4 system-ui,sans-serif;max-width:min(340px,calc(100vw - 70px))}
.ev-popup .ev-meta{color:#555;font-size:12px}
.ev-popup .ev-title{font-size:14px;margin:2px 0 4px}
.ev-popup blockquote{margin:6px 0;padding:4px 8px;border-left:3px solid #999;background:#f6f6f6;
 max-height:min(160px,30vh);overflow:auto;font-style:italic}
.ev-popup .ev-uncertain{color:#a33}
.leaflet-container.ev-offline{background:#aad3df}
.event-marker span{display:block;width:16px;height:16px;border-radius:50%;box-sizing:border-box;
 border:2px solid #1a1a1a;box-shadow:0 0 0 1.5px #fff}
.event-marker.ev-selected span{box-shadow:0 0 0 2px #fff,0 0 0 5px #111;width:20px;height:20px;
 margin:-2px}
.event-marker:focus span{outline:3px solid #222;outline-offset:2px}
.ev-cluster div{width:30px;height:30px;border-radius:50%;background:#3a3a3a;color:#fff;
 border:2px solid #fff;box-shadow:0 0 0 1.5px #3a3a3a;box-sizing:border-box;
 font:bold 12px/26px system-ui,sans-serif;text-align:center}
.ev-label{white-space:nowrap}
.ev-label span{position:absolute;transform:translate(-50%,-100%);font:12px/1.2 system-ui,
 sans-serif;color:#222;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;pointer-events:none}
.ev-label-big span{font-weight:600;font-size:13px}
.ev-label-town::before{content:"";position:absolute;left:-3px;top:-3px;width:4px;height:4px;
 border-radius:50%;background:#555;border:1px solid #fff}
.ev-label-town span{margin-top:-3px}
.ev-label-admin1 span{transform:translate(-50%,-50%);font:italic 11px/1.2 system-ui,sans-serif;
 color:#6d5580;letter-spacing:.6px;text-transform:uppercase}
.ev-notice{position:absolute;z-index:1000;bottom:52px;left:50%;transform:translateX(-50%);
 width:max-content;max-width:calc(100% - 40px);background:#fff8e1;border:1px solid #c9a227;
 border-radius:4px;
 padding:6px 10px;font:13px/1.4 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.ev-notice-button{margin-left:6px;font:inherit;cursor:pointer}
.leaflet-control-attribution{max-width:calc(100% - 130px);white-space:normal;
 font-size:10px!important;line-height:1.3}
@media (max-width:560px){.leaflet-control-attribution:not(.ev-open){white-space:nowrap;
 overflow:hidden;text-overflow:ellipsis;cursor:pointer;max-width:calc(100vw - 130px)!important;
 box-sizing:border-box}}
.ev-legend{background:rgba(255,255,255,.94);padding:4px 8px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.5 system-ui,sans-serif;
 max-width:min(300px,calc(100vw - 70px));max-height:calc(100vh - 90px);overflow:auto}
.ev-legend button{font:600 12px system-ui,sans-serif;border:0;background:none;padding:2px 0;
 cursor:pointer;width:100%;text-align:left}
.ev-legend ul{list-style:none;margin:2px 0 0;padding:0}
.ev-legend li{display:flex;gap:6px;align-items:baseline;overflow-wrap:anywhere}
.ev-legend i{flex:none;display:inline-block;width:11px;height:11px;border-radius:50%;
 border:1.5px solid #1a1a1a;transform:translateY(1px)}
.ev-legend i.ev-cl{background:#3a3a3a;border-color:#fff;box-shadow:0 0 0 1.5px #3a3a3a}
.ev-legend i.ev-ring{border:1.5px dashed #555;background:none}
.ev-legend i.ev-ramp{width:34px;border-radius:2px;border:1px solid #888}
.ev-legend .ev-n{color:#666;flex:none;margin-left:auto;white-space:nowrap}
.ev-legend.ev-collapsed ul{display:none}
</style>"""


def colour_key(name: str) -> str:
    """Case and spacing do not change an attacker's colour."""
    return " ".join(str(name).casefold().split())


def attacker_color(name: str) -> str:
    """One attacker's colour, from its name alone: the same in every dataset and session."""
    key = colour_key(name)
    if key in CURATED_COLORS:
        return CURATED_COLORS[key]
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return PALETTE[int.from_bytes(digest, "big") % len(PALETTE)]


def attacker_colors(
    events: pd.DataFrame, counts: Mapping[str, int] | None = None
) -> dict[str, str]:
    """Each attacker's colour (attacker_color), most frequent first. Loading other data never
    changes a colour; with many attackers some share one, and the legend names them.
    ``counts`` (attacker -> events: the store's legend, computed once per dataset) saves
    counting `events` on every rerun.

    >>> ev = pd.DataFrame({"attacker": ["B", "A", "B"]})
    >>> list(attacker_colors(ev)) == list(attacker_colors(ev, {"B": 2, "A": 1})) == ["B", "A"]
    True
    """
    if counts is None:
        counts = events["attacker"].value_counts()
    ordered = sorted((str(a) for a in counts.keys()), key=lambda a: (-counts[a], a))
    return {a: attacker_color(a) for a in ordered}


def legend_entries(shown: pd.DataFrame, colors: dict[str, str], limit: int = LEGEND_LIMIT) -> dict:
    """The legend of the shown events: the most frequent attackers with their colours (as
    plain text: the browser sets it with textContent), and how many more there are."""
    counts = shown["attacker"].value_counts(sort=False)  # by category code: no text made
    counts = counts[counts > 0]
    counts = counts.groupby(counts.index.astype(str)).sum()  # as text, as the legend shows it
    names = sorted(counts.index, key=lambda a: (-counts[a], a))
    return {
        "attackers": [[a, colors.get(a, attacker_color(a)), int(counts[a])] for a in names[:limit]],
        "more": max(0, len(names) - limit),
        "cluster_color": CLUSTER_COLOR,
        "precision_labels": {str(k): PRECISION_LABELS[k] for k in (2, 3)},
    }


class Basemap(MacroElement):
    """The base map. Offline: OpenStreetMap raster tiles at zooms 0-6, Natural Earth borders,
    and from zoom 7 on (where the tiles would only blur) the countries filled, provinces,
    rivers, lakes (geo.basemap_layers) and GeoNames town names by zoom, all from the app's
    own files.
    Online: openstreetmap.org tiles; if they fail to load, the map says so and offers the
    offline map in place."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var cfg = {{ this.config | tojson }};
  var offlineOn = false;
  function addNotice(text, button) {
    var box = L.DomUtil.create('div', 'ev-notice');
    box.setAttribute('role', 'status');
    box.appendChild(document.createTextNode(text));
    if (button) {
      var b = L.DomUtil.create('button', 'ev-notice-button', box);
      b.type = 'button'; b.textContent = button.text;
      L.DomEvent.on(b, 'click', function (e) { L.DomEvent.stop(e); button.click(); });
    }
    L.DomEvent.disableClickPropagation(box);
    var old = map.getContainer().querySelector('.ev-notice');
    if (old) { old.remove(); }
    map.getContainer().appendChild(box);
    return box;
  }
  // Town and province names, placed biggest first where they do not overlap. Where the
  // offline tiles are shown at their own zooms (0-6) they print names already: none here.
  // Each list of town names is read when first needed: not at all where the tiles name places.
  var names = {major: null, minor: null, loading: {}, provinces: []};
  var drawNames = function () {};
  function labels() {
    var pane = map.createPane('labels'); pane.style.zIndex = 380;
    pane.style.pointerEvents = 'none';
    var layer = L.layerGroup().addTo(map);
    drawNames = function () {
      layer.clearLayers();
      var z = map.getZoom(), b = map.getBounds().pad(0.1), size = map.getSize(), boxes = [];
      if (z < cfg.labels_min_zoom) { return; }
      // [list, class, width of a character]: towns to zoom 7, provinces, smaller towns.
      var lists = [[names.major || [], 'town', 6.6]];
      if (z >= cfg.layers_min_zoom) { lists.push([names.provinces, 'admin1', 7.4]); }
      if (names.minor && z >= 8) { lists.push([names.minor, 'town', 6.6]); }
      var placed = 0;
      for (var l = 0; l < lists.length && placed < 300; l++) {
        var list = lists[l][0], kind = lists[l][1];
        for (var i = 0; i < list.length && placed < 300; i++) {
          var p = list[i];
          if ((kind === 'town' && p[3] > z) || !b.contains([p[1], p[2]])) { continue; }
          var pt = map.latLngToContainerPoint([p[1], p[2]]);
          var w = p[0].length * lists[l][2] + 8, h = 15;
          var box = kind === 'town' ? [pt.x - w / 2, pt.y - h - 2, pt.x + w / 2, pt.y + 2]
                                    : [pt.x - w / 2, pt.y - h / 2, pt.x + w / 2, pt.y + h / 2];
          if (box[2] < 0 || box[0] > size.x || box[3] < 0 || box[1] > size.y) { continue; }
          var clash = false;
          for (var k = 0; k < boxes.length; k++) {
            var o = boxes[k];
            if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) {
              clash = true; break;
            }
          }
          if (clash) { continue; }
          boxes.push(box); placed++;
          var text = document.createElement('span');
          text.textContent = p[0];
          var cls = 'ev-label ev-label-' + kind + (kind === 'town' && p[3] <= 5
                                                   ? ' ev-label-big' : '');
          L.marker([p[1], p[2]], {pane: 'labels', interactive: false, keyboard: false,
            icon: L.divIcon({className: cls, html: text, iconSize: null})}).addTo(layer);
        }
      }
      read('major', cfg.places[0]);
      if (z >= 8) { read('minor', cfg.places[1]); }
    };
    function read(list, url) {
      if (names[list] !== null || names.loading[list]) { return; }
      names.loading[list] = true;
      fetch(url).then(function (r) { return r.json(); }).then(function (d) {
        names[list] = d.places;
        if (list === 'major') { map.attributionControl.addAttribution(d.attribution); }
        drawNames();
      });
    }
    map.on('moveend', function () { drawNames(); });
    drawNames();
  }
  // Provinces, rivers and lakes from zoom layers_min_zoom on, one file per square of the
  // world (static/basemap/cells/): only the squares in view are fetched and drawn.
  function layers() {
    [['water', 255], ['admin1', 258]].forEach(function (p) {
      var pane = map.createPane(p[0]); pane.style.zIndex = p[1]; pane.style.pointerEvents = 'none';
    });
    var index = null, loaded = {}, shown = {}, pending = {};
    function decode(v, s) {
      var out = [], x = 0, y = 0;
      for (var i = 0; i < v.length; i += 2) { x += v[i]; y += v[i + 1]; out.push([y / s, x / s]); }
      return out;
    }
    function build(d) {
      var s = index.scale, group = L.layerGroup(), opt = {interactive: false, smoothFactor: 1};
      if (d.lakes.length) {
        L.polygon(d.lakes.map(function (v) { return [decode(v, s)]; }), L.extend({pane: 'water',
          stroke: false, fillColor: '#9ccbe0', fillOpacity: 1, className: 'ev-lake'}, opt))
          .addTo(group);
      }
      if (d.rivers.length) {
        L.polyline(d.rivers.map(function (v) { return decode(v, s); }), L.extend({pane: 'water',
          color: '#4f93c9', weight: 1.3, opacity: 0.85, className: 'ev-river'}, opt))
          .addTo(group);
      }
      if (d.admin1.length) {
        L.polyline(d.admin1.map(function (v) { return decode(v, s); }), L.extend({
          pane: 'admin1', color: '#8f6f9f', weight: 1.1, opacity: 0.8, dashArray: '5 3',
          className: 'ev-admin1'}, opt)).addTo(group);
      }
      return {layer: group, names: d.names};
    }
    function wanted() {
      if (map.getZoom() < cfg.layers_min_zoom) { return []; }
      var b = map.getBounds().pad(0.2), c = index.cell_degrees, out = [];
      var s = Math.max(-90, b.getSouth()), n = Math.min(89.99, b.getNorth());
      var w = Math.max(-180, b.getWest()), e = Math.min(179.99, b.getEast());
      for (var x = Math.floor(w / c) * c; x <= e; x += c) {
        for (var y = Math.floor(s / c) * c; y <= n; y += c) {
          var key = x + '_' + y;
          if (index.has[key]) { out.push(key); }
        }
      }
      return out;
    }
    function update() {
      var keys = wanted(), want = {};
      keys.forEach(function (k) { want[k] = true; });
      Object.keys(shown).forEach(function (k) {
        if (!want[k]) { map.removeLayer(shown[k].layer); delete shown[k]; }
      });
      keys.forEach(function (k) {
        if (shown[k]) { return; }
        if (loaded[k]) { shown[k] = loaded[k]; loaded[k].layer.addTo(map); return; }
        if (pending[k]) { return; }
        pending[k] = true;
        fetch(cfg.cells_folder + k + '.json')
          .then(function (r) { return r.json(); })
          .then(function (d) {
            delete pending[k]; loaded[k] = build(d); update();
          });
      });
      var list = [];
      Object.keys(shown).sort().forEach(function (k) { list = list.concat(shown[k].names); });
      names.provinces = list;
      window.conflictBasemap.cells = Object.keys(shown).sort();
      drawNames();
    }
    fetch(cfg.cells).then(function (r) { return r.json(); }).then(function (d) {
      index = d; index.has = {};
      d.cells.forEach(function (k) { index.has[k] = true; });
      map.attributionControl.addAttribution(d.attribution);
      map.on('moveend', update); update();
    });
  }
  function offline() {
    if (offlineOn) { return; }
    offlineOn = true;
    map.getContainer().classList.add('ev-offline');
    // The tiles at their own zooms (0-6) print names and draw provinces and rivers; past
    // them they only blur, so from zoom 7 on the map is drawn from vectors alone: the
    // countries filled, provinces, rivers, lakes and our names.
    var tiles = cfg.tiles && L.tileLayer(cfg.tiles, {maxNativeZoom: cfg.tiles_max_zoom,
      maxZoom: cfg.tiles_max_zoom, attribution: cfg.tiles_attribution,
      className: 'ev-offline-tiles'});
    var countries = null;
    var outline = {color: '#5a5a5a', weight: 1.2, opacity: 0.8, fill: false};
    var filled = {color: '#7d7d7d', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1,
                  fill: true};
    function switchTiles() {
      var useTiles = tiles && map.getZoom() <= cfg.tiles_max_zoom;
      if (useTiles && !map.hasLayer(tiles)) { tiles.addTo(map); }
      if (!useTiles && tiles && map.hasLayer(tiles)) { map.removeLayer(tiles); }
      if (countries) { countries.setStyle(useTiles ? outline : filled); }
    }
    map.on('zoomend', switchTiles); switchTiles();
    map.attributionControl.addAttribution('Borders, provinces: Natural Earth (public domain)');
    fetch(cfg.outlines).then(function (r) { return r.json(); }).then(function (d) {
      var pane = map.createPane('basemap'); pane.style.zIndex = 250;
      // A country is on the map only while it is near the view: Leaflet projects every point
      // of the shapes on the map at each zoom, and the world's borders are 100,000 points.
      countries = L.geoJSON(d, {pane: 'basemap', interactive: false});
      var parts = countries.getLayers().map(function (l) { return [l, l.getBounds()]; });
      function nearView() {
        var b = map.getBounds().pad(0.5);
        parts.forEach(function (p) {
          var near = b.intersects(p[1]);
          if (near && !map.hasLayer(p[0])) { p[0].addTo(map); }
          if (!near && map.hasLayer(p[0])) { map.removeLayer(p[0]); }
        });
      }
      map.on('moveend', nearView); nearView();
      switchTiles();
    });
    labels();
    layers();
  }
  window.conflictBasemap = {offline: offline, name: cfg.basemap};
  if (cfg.basemap !== 'OpenStreetMap') { offline(); return; }
  var online = L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                 + 'contributors'}).addTo(map);
  var loaded = 0, failed = 0, told = false;
  online.on('tileload', function () { loaded++; });
  online.on('tileerror', function () {
    failed++;
    if (told || loaded > 0 || failed < 3) { return; }
    told = true;
    window.conflictBasemap.failed = true;
    addNotice('Online map tiles could not be loaded (no connection to openstreetmap.org?). ',
      {text: 'Show the offline map', click: function () {
        map.removeLayer(online); offline();
        addNotice('Offline map. To keep it, choose Base map → Offline in the sidebar.');
      }});
  });
})();
{% endmacro %}
""")

    def __init__(self, basemap: str, assets: Assets) -> None:
        super().__init__()
        self._name = "Basemap"
        self.config = {
            "basemap": basemap,
            "outlines": assets.basemap_url,
            "places": list(assets.places_urls),
            "tiles": assets.tiles_url,
            "tiles_max_zoom": TILES_MAX_ZOOM,
            "tiles_attribution": TILES_ATTRIBUTION,
            "cells": assets.cells_url,
            "cells_folder": assets.cells_url.removesuffix(".json") + "/",
            # The tiles print names (in the local script) and draw provinces and rivers at
            # their own zooms: ours start where the tiles are stretched.
            "labels_min_zoom": TILES_MAX_ZOOM + 1 if assets.tiles_url else 0,
            "layers_min_zoom": TILES_MAX_ZOOM + 1 if assets.tiles_url else LAYERS_MIN_ZOOM,
        }


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
  // On a narrow map the credits take one line; a tap on them shows them all (and hides
  // them again), and their links still work.
  var credits = map.attributionControl.getContainer();
  credits.title = 'Map data sources: tap to show them all';
  L.DomEvent.on(credits, 'click', function (e) {
    if (e.target.tagName !== 'A') { credits.classList.toggle('ev-open'); }
  });
})();
{% endmacro %}
""")


def base_map(basemap: str, assets: Assets) -> folium.Map:
    """The map without events. Depends only on the base map choice and the asset URLs."""
    # maxZoom must reach L.map itself: with no tile layer, clustering fails without it.
    m = folium.Map(
        location=(HOME.lat, HOME.lon),  # constant start; the events layer moves the view
        zoom_start=HOME.zoom,
        tiles=None,
        control_scale=True,
        world_copy_jump=True,
        **{"maxZoom": 18, "minZoom": 2},
    )
    m.default_js = assets.js
    m.default_css = assets.css
    Basemap(basemap, assets).add_to(m)
    FocusWithoutScroll().add_to(m)
    m.get_root().header.add_child(Element(POPUP_CSS))
    return m


def _codes(values: pd.Series) -> tuple[list[int], list[str]]:
    codes, uniques = pd.factorize(values.fillna("").astype(str), sort=False)
    return codes.tolist(), uniques.tolist()


def _numbers(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values.tolist()]


def layer_payload(
    events: pd.DataFrame, colors: dict[str, str], source_link: str = "../../Sources"
) -> dict:
    """Compact column arrays for the browser: strings are dictionary-encoded once."""
    payload: dict = {
        "mode": "points",
        "n": len(events),
        "source_link": source_link,
        "precision_labels": {str(k): v for k, v in PRECISION_LABELS.items()},
    }
    payload["lat"] = events["latitude"].round(5).tolist()
    payload["lon"] = events["longitude"].round(5).tolist()
    payload["id"] = events["event_id"].astype(str).tolist()
    payload["date"] = events["event_date"].dt.strftime("%Y-%m-%d").tolist()
    place = (
        events["location"].astype(str)
        + ", "
        + events["admin1"].fillna("").astype(str)
        + ", "
        + events["country"].astype(str)
    ).str.replace(", , ", ", ")
    for key, values in (
        ("attacker", events["attacker"]),
        ("target", events["target_group"]),
        ("place", place),
        ("doc", events["source_doc"]),
    ):
        payload[key], payload[key + "_names"] = _codes(values)
    payload["doc_names"] = source_labels(pd.Series(payload["doc_names"], dtype=object)).tolist()
    payload["when"], payload["when_names"] = _codes(date_labels(events))
    payload["context"], payload["context_names"] = _codes(casualty_context(events))
    if "attribution" in events:
        payload["basis"], payload["basis_names"] = _codes(events["attribution"])
    # "A → B", or "A ↔ B, direction not stated" where the source states no direction.
    payload["sides"], payload["sides_names"] = _codes(describe_sides_column(events))
    payload["color_names"] = [colors.get(a, OTHER_COLOR) for a in payload["attacker_names"]]
    payload["precision"] = _numbers(events["geo_precision"])
    payload["near"] = (
        events.get("near_location", pd.Series(False, index=events.index))
        .fillna(False)
        .astype(bool)
        .astype(int)
        .tolist()
    )
    payload["fatalities"] = _numbers(events["fatalities"])
    payload["fatality_range"], payload["fatality_range_names"] = _codes(fatality_ranges(events))
    payload["injuries"] = _numbers(events["injuries"])
    if "possible_duplicate_of" in events:
        payload["duplicate"], payload["duplicate_names"] = _codes(duplicate_notes(events))
    limit = QUOTE_CHARS if len(events) <= 500 else QUOTE_CHARS_MANY
    quotes = events["source_quote"].fillna("").astype(str)
    long = quotes.str.len() > limit
    payload["quote"] = quotes.where(~long, quotes.str.slice(0, limit) + "…").tolist()
    payload["radius_m"] = {str(k): v for k, v in UNCERTAINTY_METRES.items()}
    return payload


def fatality_ranges(events: pd.DataFrame) -> pd.Series:
    """ " (low 10, high 15)" where the source gives a low or high estimate (UCDP's ``low`` and
    ``high``) that differs from the best one, else '': what the popup adds after the figure.

    >>> ev = pd.DataFrame({"fatalities": [12, 5, 7, None], "fatalities_low": [10, 5, None, 3],
    ...                    "fatalities_high": [15, 5, 9, 3]})
    >>> fatality_ranges(ev).tolist()
    [' (low 10, high 15)', '', ' (high 9)', ' (low 3, high 3)']
    """
    best = pd.to_numeric(events["fatalities"], errors="coerce").astype("Float64")
    out = pd.Series("", index=events.index, dtype=object)
    parts = []
    differs = pd.Series(False, index=events.index)
    for column, word in (("fatalities_low", "low"), ("fatalities_high", "high")):
        if column not in events:
            continue
        value = pd.to_numeric(events[column], errors="coerce").astype("Float64")
        given = value.notna().to_numpy(dtype=bool)
        differs |= (value != best).fillna(True).to_numpy(dtype=bool) & given
        text = pd.Series("", index=events.index, dtype=object)
        text.loc[given] = [f"{word} {int(v):,}" for v in value[given]]
        parts.append(text)
    if not parts:
        return out
    joined = parts[0] if len(parts) == 1 else (parts[0] + ", " + parts[1]).str.strip(", ")
    shown = differs.to_numpy() & (joined != "").to_numpy()
    out.loc[shown] = " (" + joined[shown] + ")"
    return out


def duplicate_notes(events: pd.DataFrame) -> pd.Series:
    """'Possibly the same event as ACLED-1 (same day, within 5 km, ...)' for an event that
    geo.duplicates flagged, else ''.

    >>> ev = pd.DataFrame({"possible_duplicate_of": ["ACLED-1", "", "A B"],
    ...                    "duplicate_rule": ["same day", "", "within 2 days"]})
    >>> for note in duplicate_notes(ev): print(repr(note))
    'Possibly the same event as ACLED-1 (same day)'
    ''
    'Possibly the same event as A, B (within 2 days)'
    """
    other = events["possible_duplicate_of"].astype(str).fillna("")
    rule = events.get("duplicate_rule", pd.Series("", index=events.index)).astype(str)
    flagged = (other != "").to_numpy()
    out = pd.Series("", index=events.index, dtype=object)
    if flagged.any():
        ids = other[flagged].str.split().str.join(", ")
        out.loc[flagged] = "Possibly the same event as " + ids + " (" + rule[flagged] + ")"
    return out


def cell_degrees(zoom: int) -> float:
    """Grid cell size in degrees of longitude that shows as about CELL_PIXELS on screen."""
    return 360.0 / (256 * 2**zoom) * CELL_PIXELS


def snap(bounds: Bounds, zoom: int) -> Bounds:
    """The bounds widened by half a view on each side and snapped to the grid of this zoom,
    so that small pans give the same payload (and the browser redraws nothing)."""
    step = cell_degrees(zoom) * 4
    pad_lat, pad_lon = (bounds.north - bounds.south) / 2, (bounds.east - bounds.west) / 2
    return Bounds(
        max(-90.0, math.floor((bounds.south - pad_lat) / step) * step),
        math.floor((bounds.west - pad_lon) / step) * step,
        min(90.0, math.ceil((bounds.north + pad_lat) / step) * step),
        math.ceil((bounds.east + pad_lon) / step) * step,
    )


CELL_COLUMNS = ["longitude", "latitude", "attacker", "fatalities"]  # what cells_payload reads


def cells_payload(events: pd.DataFrame, colors: dict[str, str], zoom: int) -> dict:
    """Events aggregated into grid cells: count, fatalities, the most frequent attacker (the
    first of them in the data on a tie). Cells in the order their first event comes; counted
    with numpy's bincount over one hashed cell key (2.5M events: 0.1 s, where pandas' groupby
    on two keys took 0.4 s)."""
    size = cell_degrees(zoom)
    lon = events["longitude"].to_numpy(dtype=np.float64)
    lat = events["latitude"].to_numpy(dtype=np.float64)
    ix = np.floor(lon / size).astype(np.int64)
    iy = np.floor(lat / size).astype(np.int64)
    cell, keys = pd.factorize(ix * 2**32 + (iy + 2**31), sort=False)  # one int64 per cell
    codes, attackers = pd.factorize(events["attacker"], sort=False)
    n_cells, n_att = len(keys), max(len(attackers), 1)
    n = np.bincount(cell, minlength=n_cells)
    fatalities = events["fatalities"].fillna(0).to_numpy(dtype=np.int64)
    f = np.bincount(cell, weights=fatalities, minlength=n_cells)
    pair, pairs = pd.factorize(cell.astype(np.int64) * n_att + codes, sort=False)
    k = np.bincount(pair, minlength=len(pairs))
    # The attacker of each cell with the most events: the pairs ordered by count (a stable
    # sort keeps the data's order on a tie), then the first pair of each cell.
    order = np.argsort(-k, kind="stable")
    pair_cell = pairs[order] // n_att
    first = np.unique(pair_cell, return_index=True)[1]
    top = np.empty(n_cells, dtype=np.int64)
    top_k = np.empty(n_cells, dtype=np.int64)
    top[pair_cell[first]] = pairs[order][first] % n_att
    top_k[pair_cell[first]] = k[order][first]
    names = [str(a) for a in attackers]
    return {
        "mode": "cells",
        "n": int(len(events)),
        "cells": int(n_cells),
        "size": size,
        "lat": np.round(np.bincount(cell, weights=lat, minlength=n_cells) / n, 4).tolist(),
        "lon": np.round(np.bincount(cell, weights=lon, minlength=n_cells) / n, 4).tolist(),
        "count": n.astype(int).tolist(),
        "fatalities": f.astype(int).tolist(),
        "top": top.tolist(),
        "top_share": np.round(top_k / n, 2).tolist(),
        "ix": (keys // 2**32).tolist(),
        "iy": (keys % 2**32 - 2**31).tolist(),
        "attacker_names": names,
        "color_names": [colors.get(a, OTHER_COLOR) for a in names],
    }


@dataclass(frozen=True)
class LayerPlan:
    """What the map shows for a set of events at a view, and a sentence that says so; with
    the legend (legend_entries) when it comes from plan_view. Shared read-only (the map page
    caches it for every session): callers copy the payload before changing it."""

    payload: dict
    description: str
    legend: dict | None = None


def plan_layer(
    events: pd.DataFrame,
    colors: dict[str, str],
    bounds: Bounds,
    zoom: int,
    text: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> LayerPlan:
    """Choose what to send so that the bytes sent never grow without bound.

    Up to POINT_LIMIT events: every event, clustered in the browser (the view does not matter,
    so panning sends nothing). More: only the events in (and around) the view, when they are
    few enough; otherwise grid cells with counts, which a click zooms into. ``text`` adds the
    popups' quotes to the events sent one by one, where `events` holds none (the app's frames:
    ui.with_text reads them for those events only).
    """
    text = text or (lambda e: e)
    if len(events) <= POINT_LIMIT:
        return LayerPlan(layer_payload(text(events), colors), "")
    inside = in_view(events, snap(bounds, zoom))
    count = len(events) if inside is None else int(inside.sum())
    if count <= POINT_LIMIT:
        near = events if inside is None else events.loc[inside]
        payload = layer_payload(text(near), colors)
        return LayerPlan(
            payload,
            f"Zoomed in: the {len(near):,} events in and around the view are drawn one by one.",
        )
    # The cells' four columns only: a copy of every column of 2.5M events is 0.3 GB a pan.
    near = events[CELL_COLUMNS] if inside is None else events.loc[inside, CELL_COLUMNS]
    payload = cells_payload(near, colors, zoom)
    km = round(cell_degrees(zoom) * 111)
    return LayerPlan(
        payload,
        f"Zoomed out: {len(near):,} events in and around the view are "
        f"counted in {payload['cells']:,} grid cells of about {km:,} km. "
        "Zoom in, or click a cell, to see single events.",
    )


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
  var map = window.map || map_div;
  function legend(g) {
    if (window.__conflictLegend) { map.removeControl(window.__conflictLegend); }
    var ctl = L.control({position: 'topright'});
    ctl.onAdd = function () {
      var box = el('div', null, 'ev-legend');
      var collapsed = window.__conflictLegendCollapsed;
      if (collapsed === undefined) { collapsed = map.getSize().x < 600; }
      var button = el('button');
      button.type = 'button';
      function show() {
        box.classList.toggle('ev-collapsed', collapsed);
        button.textContent = (collapsed ? '\u25b8 ' : '\u25be ') + 'Legend';
        button.setAttribute('aria-expanded', String(!collapsed));
      }
      button.onclick = function () {
        collapsed = !collapsed; window.__conflictLegendCollapsed = collapsed; show();
      };
      // An open popup keeps the corner: the legend folds while it is open.
      var fold = window.__conflictLegendFold;
      if (fold) { map.off('popupopen', fold.open); map.off('popupclose', fold.close); }
      fold = window.__conflictLegendFold = {
        open: function () { box.classList.add('ev-collapsed'); }, close: show};
      map.on('popupopen', fold.open);
      map.on('popupclose', fold.close);
      show();
      box.appendChild(button);
      var list = el('ul');
      function item(cls, color, text, n) {
        var li = el('li'), dot = el('i', null, cls);
        if (color) { dot.style.background = color; }
        li.appendChild(dot);
        li.appendChild(el('span', text));
        if (n !== undefined) { li.appendChild(el('span', n.toLocaleString(), 'ev-n')); }
        list.appendChild(li);
        return li;
      }
      if (d.mode !== 'density') {
        g.attackers.forEach(function (a) { item('ev-attacker', a[1], a[0], a[2]); });
      }
      if (g.more && d.mode !== 'density') {
        list.appendChild(el('li', '\u2026 and ' + g.more.toLocaleString() + ' more attacker' +
                                  (g.more === 1 ? '' : 's') + ' (colours can repeat)', 'ev-n'));
      }
      if (d.mode === 'density') {
        var ramp = item('ev-ramp', null, 'Events per square: 1 \u2026 ' +
                        d.largest.toLocaleString() + ' (density)');
        ramp.firstChild.style.background = 'linear-gradient(90deg,' + d.colors.join(',') + ')';
      } else if (d.mode === 'cells') {
        item('ev-cl', null, 'Grid cell: events counted, in its top attacker\u2019s colour');
      } else {
        item('ev-cl', null, 'Cluster of nearby events (click to open)');
      }
      if (d.mode !== 'density') {
        item('ev-ring', null, 'Dashed circle: place known to ~10 km (precision 2) or ~50 km (3)')
          .title = 'Precision 2: ' + g.precision_labels['2'] + '; 3: ' + g.precision_labels['3'];
      }
      box.appendChild(list);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    ctl.addTo(map);
    window.__conflictLegend = ctl;
  }
  if (d.legend) { legend(d.legend); }
  // A move (first framing, "Frame the shown events", a place found by name) is made once: the
  // layer is redrawn on pans and filters, with the same token.
  if (d.move && window.__conflictMoveToken !== d.move.token) {
    window.__conflictMoveToken = d.move.token;
    map.invalidateSize(false);
    if (d.move.fit) {
      // Keep the framed events clear of the legend in the top right corner.
      var pad = d.move.padding, box = d.legend && window.__conflictLegend.getContainer();
      var open = box && !box.classList.contains('ev-collapsed');
      map.fitBounds(d.move.fit, {paddingTopLeft: [pad, box && !open ? 48 : pad],
        paddingBottomRight: [open ? box.offsetWidth + 20 : pad, pad],
        maxZoom: d.move.maxZoom, animate: false});
    } else {
      map.setView(d.move.center, d.move.zoom, {animate: false});
    }
  }
  var sourceQuery = '';
  try {
    var top = new URLSearchParams(window.parent.location.search);
    ['lat', 'lon', 'zoom', 'basemap', 'event'].forEach(function (k) { top.delete(k); });
    sourceQuery = top.toString();
  } catch (e) { sourceQuery = ''; }
  // A popup fits the map it opens on (a phone's map is short): its text scrolls inside a box
  // as high as the map leaves below the top padding, and no wider than the map.
  var POPUP_PAD_TL = [12, 84], POPUP_PAD_BR = [12, 12], POPUP_FRAME = 56;
  function fitted(layer, i) {
    var p = layer.getPopup(), size = map.getSize();
    if (p) {
      p.options.maxHeight = Math.max(120, size.y - POPUP_PAD_TL[1] - POPUP_PAD_BR[1] - POPUP_FRAME);
      p.options.maxWidth = Math.max(160, Math.min(360, size.x - 40));
    }
    return popup(i);
  }
  function popup(i) {
    var box = el('div', null, 'ev-popup');
    box.setAttribute('data-event-id', d.id[i]);
    box.appendChild(el('div', d.when_names[d.when[i]] + ' \u00b7 ' + d.id[i], 'ev-meta'));
    var title = el('div', null, 'ev-title');
    title.appendChild(el('b', d.sides_names[d.sides[i]]));
    box.appendChild(title);
    if (d.basis) { box.appendChild(el('div', 'Attribution: ' + d.basis_names[d.basis[i]],
                                      'ev-meta ev-basis')); }
    var p = d.precision[i];
    var where = el('div', (d.near[i] ? 'Near ' : '') + d.place_names[d.place[i]]);
    where.appendChild(el('span', ' (precision ' + p + ': ' + d.precision_labels[p] + ')',
                         p > 1 ? 'ev-uncertain' : null));
    box.appendChild(where);
    box.appendChild(el('div', 'Fatalities: ' + count(d.fatalities[i]) +
                              d.fatality_range_names[d.fatality_range[i]] +
                              ' \u00b7 Injuries: ' + count(d.injuries[i]), 'ev-counts'));
    var context = d.context_names[d.context[i]];
    if (context) { box.appendChild(el('div', 'In a total: ' + context, 'ev-meta ev-context')); }
    var twin = d.duplicate ? d.duplicate_names[d.duplicate[i]] : '';
    if (twin) { box.appendChild(el('div', twin, 'ev-meta ev-duplicate')); }
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
  if (d.mode === 'density') {
    // Squares counted on the server (geo/density.py): no heat-map plugin, nothing fetched.
    var squares = L.geoJSON(d.geojson, {renderer: L.canvas({padding: 0.2}),
      style: function (f) {
        return {color: '#800026', weight: 1, opacity: 0.55, fillColor: f.properties.color,
                fillOpacity: 0.8};
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(el('span', f.properties.count.toLocaleString() + ' event' +
          (f.properties.count === 1 ? '' : 's') + ' \u00b7 ' +
          f.properties.fatalities.toLocaleString() + ' fatalities'));
      }});
    group.addLayer(squares);
    window.conflictMap = {mode: 'density', squares: squares, count: d.n, cellCount: d.cells};
    return;
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
    spiderfyOnMaxZoom: true, showCoverageOnHover: false,
    iconCreateFunction: function (c) {
      return L.divIcon({html: '<div>' + c.getChildCount() + '</div>',
                        className: 'ev-cluster', iconSize: [30, 30]});
    }});
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
    m.bindPopup((function (k) { return function (layer) { return fitted(layer, k); }; })(i),
                {maxWidth: 360, autoPan: true, autoPanPaddingTopLeft: POPUP_PAD_TL,
                 autoPanPaddingBottomRight: POPUP_PAD_BR});
    m.on('popupopen', function () { this.closeTooltip(); });
    markers[i] = m;
  }
  cluster.addLayers(markers);
  group.addLayer(halos);
  group.addLayer(cluster);
  window.conflictMap = {mode: 'points', cluster: cluster, markers: markers, count: d.n};
  // Linked from a table: highlight the selected events, open a popup once per request.
  var selected = d.selected || [];
  markers.forEach(function (m) {
    if (selected.indexOf(m.eventId) < 0) { return; }
    m.on('add', function () { this._icon.classList.add('ev-selected'); });
    m.setZIndexOffset(1000);
  });
  if (d.open && window.__conflictOpenKey !== d.open_key) {
    var wanted = markers.find(function (m) { return m.eventId === d.open; });
    if (wanted) {
      window.__conflictOpenKey = d.open_key;
      // The cluster places its markers once it is on the map (and in chunks): wait for that.
      var tries = 0;
      var openIt = function () {
        if (!wanted.__parent || !cluster._map) {
          if (tries++ < 50) { setTimeout(openIt, 100); }
          return;
        }
        cluster.zoomToShowLayer(wanted, function () { wanted.openPopup(); });
      };
      setTimeout(openIt, 0);
    }
  }
})();
{% endmacro %}
""")

    def __init__(self, payload: dict) -> None:
        super().__init__()
        self._name = "EventsLayer"
        # "</" is escaped so that no text in the data can close the script element.
        self.payload_json = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")


def events_layer(
    events: pd.DataFrame,
    colors: dict[str, str],
    payload: dict | None = None,
    move: dict | None = None,
    legend: dict | None = None,
) -> folium.FeatureGroup:
    """The FeatureGroup to pass to st_folium(feature_group_to_add=...).

    ``move`` (from geo.viewstate) is made once by the browser; ``legend`` (legend_entries) is
    drawn over the map.
    """
    group = folium.FeatureGroup(name="Events")
    payload = dict(payload if payload is not None else layer_payload(events, colors))
    if move is not None:
        payload["move"] = move
    if legend is not None:
        payload["legend"] = legend
    EventsLayer(payload).add_to(group)
    return group


@dataclass(frozen=True)
class MapDrawing:
    """What the map page hands st_folium: the constant base map, the events layer to swap
    into it, and what the layer shows (``plan.description`` goes under the map)."""

    base: folium.Map
    events: folium.FeatureGroup
    plan: LayerPlan

    def html(self) -> str:
        """The page the browser is sent on a first visit (what the benchmark measures). It puts
        the layer into the base map, as st_folium does: call it once, instead of st_folium."""
        self.events.add_to(self.base)
        return self.base.get_root().render()


def plan_view(
    shown: pd.DataFrame,
    colors: dict[str, str],
    bounds: Bounds,
    zoom: int,
    layer: str = "points",
    text: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> LayerPlan:
    """The layer of the shown events at a view: points or grid cells (``plan_layer``) or
    density squares (``layer="density"``), with the legend. It depends on the view only
    through ``snap(bounds, zoom)`` and `zoom`: two views that snap alike get the same plan."""
    if layer == "density":
        from geo.density import density_description, density_payload  # density uses snap()

        payload = density_payload(shown, bounds, zoom)
        plan = LayerPlan(payload, density_description(payload))
    else:
        plan = plan_layer(shown, colors, bounds, zoom, text)
    return replace(plan, legend=legend_entries(shown, colors))


def draw_map(
    shown: pd.DataFrame,
    colors: dict[str, str],
    bounds: Bounds,
    zoom: int,
    *,
    basemap: str,
    assets: Assets,
    layer: str = "points",
    text: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    mark: Callable[[dict], dict] | None = None,
    move: dict | None = None,
    plan: LayerPlan | None = None,
) -> MapDrawing:
    """The map of the shown events at a view: the base map, and the layer of ``plan_view``
    (or `plan`, the same computed before: the map page caches it), with the legend.

    ``text`` adds popup quotes to the events sent one by one (see plan_layer); ``mark`` adds
    what the page highlights to the layer's payload; ``move`` is the view change the browser
    makes once (geo.viewstate).
    """
    plan = plan or plan_view(shown, colors, bounds, zoom, layer, text)
    payload = mark(plan.payload) if mark else plan.payload
    group = events_layer(shown, colors, payload, move=move, legend=plan.legend)
    return MapDrawing(base_map(basemap, assets), group, plan)
