"""The map page in a real browser, offline: markers, popups, URL filters, export of the view."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlparse

import pytest

from e2e.browser_helpers import (
    DISPLAYED_JS,
    MAP_FRAME,
    download_control,
    open_map,
    remember_map,
    same_map,
    set_view,
    settle,
    show_marker,
    wait_idle,
)
from geo.events import load_events
from geo.filters import Bounds, visible_events
from geo.schema import EVENTS_CSV


@pytest.fixture(scope="module")
def events():
    return load_events(EVENTS_CSV).events


def download_csv(page, label_start: str = "CSV (") -> list[dict]:
    wait_idle(page)  # a click during a rerun would land on a button about to be replaced
    control = download_control(page, label_start)
    with page.expect_download() as info:
        control.click()
    data = open(info.value.path(), encoding="utf-8-sig").read()
    return list(csv.DictReader(io.StringIO(data)))


def test_the_map_shows_every_event_and_nothing_leaves_the_machine(events, server, context):
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
            and not r.url.startswith(("data:", "blob:", "about:"))
            else None
        ),
    )
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    shown = frame.evaluate(DISPLAYED_JS)
    assert shown["alone"] + shown["clustered"] == len(events) == shown["total"]
    assert frame.locator(".leaflet-basemap-pane path").count() > 20  # the countries near Iraq
    assert outside == []


def test_online_tiles_are_the_only_requests_that_leave(server, context):
    page = context.new_page()
    hosts = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
    frame = open_map(page, server.url)
    settle(frame)
    assert hosts - {"127.0.0.1", "localhost", None} <= {"tile.openstreetmap.org"}


def test_clicking_a_marker_opens_its_popup_with_the_source_quote(server, context):
    page = context.new_page()
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    marker = show_marker(frame, "IRQ4")
    marker.click()
    popup = frame.locator(".leaflet-popup-content .ev-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert "2023-12-25" in text and "Islamic Resistance in Iraq" in text
    assert "US-led coalition forces" in text and "Injuries: 3" in text
    assert "suicide drone on Monday" in text
    assert "Source: News article on US strikes on Kataib Hezbollah" in text  # its title
    assert "Attribution: claimed by the group" in text
    marker.hover()
    assert "IRQ4" in frame.locator(".leaflet-tooltip").inner_text()


def test_uncertain_places_show_a_circle_not_a_pinpoint(events, server, context):
    page = context.new_page()
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    uncertain = int((events["geo_precision"] >= 2).sum())
    assert frame.locator("path.event-uncertainty").count() == uncertain > 0


def test_a_url_filtered_by_attacker_shows_and_exports_only_that_attacker(events, server, context):
    page = context.new_page()
    frame = open_map(page, f"{server.url}/?basemap=Offline&attacker=US%20military")
    settle(frame)
    expected = set(events.loc[events["attacker"] == "US military", "event_id"])
    on_map = set(frame.evaluate("window.conflictMap.markers.map(m => m.eventId)"))
    assert on_map == expected and len(expected) == 2
    rows = download_csv(page)
    assert {r["event_id"] for r in rows} == expected
    assert {r["attacker"] for r in rows} == {"US military"}


def test_after_zooming_to_erbil_airport_the_csv_holds_only_the_events_there(
    events, server, context
):
    page = context.new_page()
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    set_view(frame, 36.2376, 43.9632, 13)
    download_control(page, "CSV (1 in view)").wait_for(timeout=30_000)
    rows = download_csv(page)
    assert [r["event_id"] for r in rows] == ["IRQ4"]
    assert rows[0]["location"] == "Erbil International Airport"
    # Its quote, which the server's frames do not hold (read from the store for these rows).
    quote = events.loc[events["event_id"] == "IRQ4", "source_quote"].item()
    assert rows[0]["source_quote"] == quote and len(quote) > 40
    assert "zoom=13" in page.url and "lat=36.2376" in page.url


# In the map's frame: zoom to Erbil airport the moment the layer has framed the events, inside
# streamlit-folium's 250 ms debounce, so the browser reports only the zoomed view.
ZOOM_AS_SOON_AS_FRAMED = """(() => {
  let token;
  Object.defineProperty(window, '__conflictMoveToken', {
    configurable: true,
    get() { return token; },
    set(value) {
      token = value;
      if (value === 1 && window.map_div) {
        setTimeout(() => window.map_div.setView([36.2376, 43.9632], 13, {animate: false}), 0);
      }
    },
  });
})();"""


def test_a_zoom_made_as_soon_as_the_map_shows_is_what_the_csv_and_url_follow(server, context):
    """The user zooms in before the first framing's report has gone out: the server never sees
    that report. The CSV and the address bar stayed on the 7 framed events while the map showed
    one."""
    page = context.new_page()
    page.add_init_script(ZOOM_AS_SOON_AS_FRAMED)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    assert frame.evaluate("map_div.getZoom()") == 13
    download_control(page, "CSV (1 in view)").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('zoom=13')", timeout=30_000)
    assert "lat=36.2376" in page.url


def test_panning_keeps_the_same_map_without_reloading(events, server, context):
    page = context.new_page()
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    frame.evaluate("window.__sameMap = 'yes'")
    set_view(frame, 35.5, 45.4, 9)
    bounds = Bounds.from_leaflet(
        frame.evaluate(
            "(b => ({_southWest: b.getSouthWest(), _northEast: b.getNorthEast()}))"
            "(map_div.getBounds())"
        )
    )
    n = len(visible_events(events, bounds))
    assert 0 < n < len(events)
    download_control(page, f"CSV ({n} in view)").wait_for(timeout=30_000)
    wait_idle(page)
    same = page.wait_for_selector(MAP_FRAME).content_frame()
    assert same.evaluate("window.__sameMap") == "yes"
    assert same.evaluate("map_div.getZoom()") == 9


def test_filtering_to_no_events_and_back_keeps_the_same_map(server, context):
    """The "no events match" warning comes and goes above the map; the map's frame stays (it
    was rebuilt, blank for a moment, when the warning moved it down the page)."""
    page = context.new_page()
    open_map(page, f"{server.url}/?basemap=Offline&attacker=Israel")
    remember_map(page)
    page.get_by_role("combobox", name="Target group").click()
    page.keyboard.type("Komala")  # Israel struck no Komala target: nothing matches
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_text("No events match these filters").wait_for()
    wait_idle(page)
    assert same_map(page)
    page.get_by_role("combobox", name="Target group").click()
    page.keyboard.press("Backspace")  # takes Komala off again
    page.keyboard.press("Escape")
    page.get_by_text("No events match these filters").wait_for(state="detached")
    wait_idle(page)
    assert same_map(page)
    frame = page.wait_for_selector(MAP_FRAME).content_frame()
    frame.wait_for_function("() => window.conflictMap && window.conflictMap.count === 1")
