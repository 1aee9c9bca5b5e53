"""The offline base map in Chromium: provinces, rivers and names near Erbil and Mosul, the
raster tiles only at their own zooms, and not one request leaving the machine."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from e2e.browser_helpers import open_map, set_view, settle

SHOTS = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else None
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}

# The visible part of each drawn path of a kind, in the map's pixels: [kind, path count,
# longest on-screen extent]. Leaflet clips paths to the view, so a path off screen is empty.
LAYERS_IN_VIEW = """kind => {
  const box = map_div.getContainer().getBoundingClientRect();
  let count = 0, extent = 0;
  for (const p of document.querySelectorAll('path.ev-' + kind)) {
    const r = p.getBoundingClientRect();
    const w = Math.min(r.right, box.right) - Math.max(r.left, box.left);
    const h = Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top);
    if (w > 0 && h > 0 && (p.getAttribute('d') || '').length > 20) {
      count++; extent = Math.max(extent, w, h);
    }
  }
  return [count, extent];
}"""

LABELS_IN_VIEW = """kind => {
  const box = map_div.getContainer().getBoundingClientRect();
  return [...document.querySelectorAll('.ev-label-' + kind + ' span')].filter(s => {
    const r = s.getBoundingClientRect();
    return r.left >= box.left && r.right <= box.right && r.top >= box.top
      && r.bottom <= box.bottom;
  }).map(s => s.textContent);
}"""


@pytest.fixture
def offline_page(context):
    """A 1440x900 page on which every request to another machine is refused and recorded."""
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    outside: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname in LOCAL:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route(re.compile(r"^(https?|wss?)://"), route)
    page.on(
        "websocket",
        lambda ws: None if urlsplit(ws.url).hostname in LOCAL else outside.append(ws.url),
    )
    return page, outside


def wait_for_layers(frame) -> None:
    frame.wait_for_function(
        "() => document.querySelector('path.ev-admin1') && document.querySelector('path.ev-river')",
        timeout=30_000,
    )


def test_offline_at_zoom_9_near_erbil_provinces_rivers_and_mosul_show(server, offline_page):
    page, outside = offline_page
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)

    set_view(frame, 36.19, 44.01, 9)
    wait_for_layers(frame)
    frame.locator(".ev-label-town span", has_text=re.compile(r"^Mosul$")).wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "offline-layers-erbil-z9.png")) if SHOTS else None
    for kind in ("admin1", "river"):
        count, extent = frame.evaluate(LAYERS_IN_VIEW, kind)
        assert count >= 1 and extent > 200, (kind, count, extent)  # a line across the view
    towns = frame.evaluate(LABELS_IN_VIEW, "town")
    assert {"Mosul", "Erbil"} <= set(towns) and "Al Mawşil al Jadīdah" not in towns, towns
    assert "Arbil" in frame.evaluate(LABELS_IN_VIEW, "admin1")  # the province's name
    assert frame.locator(".ev-offline-tiles img").count() == 0  # no blurred stretched tiles
    attribution = frame.locator(".leaflet-control-attribution").inner_text()
    assert "Natural Earth" in attribution and "GSHHG" in attribution, attribution

    # Mosul is a city of 2 million (with New Mosul): named from the first zoom with our names.
    set_view(frame, 36.34, 43.13, 7)
    frame.locator(".ev-label-town span", has_text=re.compile(r"^Mosul$")).wait_for(timeout=30_000)

    # At the tiles' own zooms the tiles name places: none of ours on top of theirs.
    set_view(frame, 36.19, 44.01, 6)
    frame.wait_for_function(
        """() => {
      const t = [...document.querySelectorAll('.ev-offline-tiles img')];
      return t.length > 0 && t.every(i => i.complete && i.naturalWidth === 256);
    }""",
        timeout=30_000,
    )
    assert frame.locator(".ev-label span").count() == 0
    assert frame.locator("path.ev-river").count() == 0  # the tiles draw rivers here
    assert "OpenStreetMap" in frame.locator(".leaflet-control-attribution").inner_text()
    assert outside == []


BORDERS_ON_MAP = """() => Object.values(map_div._layers)
  .filter(l => l.feature && l.options.pane === 'basemap')
  .map(l => l.feature.properties.name)"""


def test_the_offline_map_draws_the_borders_of_the_countries_near_the_view(server, context):
    frame = open_map(context.new_page(), f"{server.url}/?basemap=Offline")
    settle(frame)
    near_iraq = frame.evaluate(BORDERS_ON_MAP)
    assert {"Iraq", "Syria", "Iran"} <= set(near_iraq) and "Brazil" not in near_iraq, near_iraq

    set_view(frame, -10, -55, 5)  # a move across the world brings that part's borders
    frame.wait_for_function(f"() => ({BORDERS_ON_MAP})().includes('Brazil')", timeout=30_000)
    assert "Iraq" not in frame.evaluate(BORDERS_ON_MAP)


def test_town_names_are_read_only_at_the_zooms_that_show_them(server, context):
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/basemap/places-" in r.url else None)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    credits = frame.locator(".leaflet-control-attribution")
    assert asked == [] and "GeoNames" not in credits.inner_text()  # the tiles name places here

    set_view(frame, 36.19, 44.01, 7)
    frame.locator(".ev-label-town span", has_text=re.compile(r"^Mosul$")).wait_for(timeout=30_000)
    assert [u.split("/")[-1] for u in asked] == ["places-major.json"], asked
    assert "GeoNames" in credits.inner_text()
