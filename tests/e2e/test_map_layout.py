"""The map page as a reporter sees it on a laptop (1440x900) and a phone (390x844), offline:
what is on the first screen, the first framing, popups, labels, place search, colours."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from e2e.browser_helpers import (
    MAP_FRAME,
    download_control,
    go_to_page,
    import_file,
    open_map,
    set_view,
    settle,
    show_marker,
    wait_idle,
)
from geo.schema import ROOT

WIDE, PHONE = (1440, 900), (390, 844)
# Screenshots to look at: SCREENSHOTS=/tmp/shots python -m pytest tests/e2e/test_map_layout.py
SHOTS = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else None
OSM_TILES = re.compile(r"^https?://([a-z0-9-]+\.)*tile\.openstreetmap\.org/")


@pytest.fixture
def sized(context):
    """A page of the given viewport size, with the online tile server unreachable (no test
    touches the network: a tile request is refused as an offline machine refuses it)."""

    def make(size: tuple[int, int]):
        page = context.new_page()
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.route(OSM_TILES, lambda route: route.abort())
        return page

    return make


def box_in_page(locator) -> dict:
    b = locator.bounding_box()
    assert b is not None, locator
    return b


def inside(b: dict, width: int, height: int) -> bool:
    return (
        b["x"] >= -1
        and b["y"] >= -1
        and b["x"] + b["width"] <= width + 1
        and b["y"] + b["height"] <= height + 1
    )


MARKERS_IN_VIEW = """() => {
  const b = map_div.getBounds();
  return window.conflictMap.markers.filter(m => b.contains(m.getLatLng())).map(m => m.eventId);
}"""


def test_at_1440_the_map_fills_the_screen_under_a_compact_header(server, sized, events):
    page = sized(WIDE)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    the_map = box_in_page(page.locator(MAP_FRAME))
    assert the_map["y"] < 250, the_map  # was ~440 px down
    assert the_map["height"] >= 500 and inside(the_map, *WIDE), the_map
    for name in ("Frame the shown events", "CSV (7 in view)", "GeoJSON (7 in view)"):
        assert inside(box_in_page(download_control(page, name)), *WIDE), name
    assert inside(box_in_page(page.get_by_placeholder("Go to a place, e.g. Erbil")), *WIDE)
    truncated = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stMainBlockContainer"] button p')]
        .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText)""")
    assert truncated == []
    assert sorted(frame.evaluate(MARKERS_IN_VIEW)) == sorted(events["event_id"])
    legend = frame.locator(".ev-legend")
    assert legend.is_visible() and "Cluster of nearby events" in legend.inner_text()


def test_one_event_is_one_event_not_1_events(server, sized):
    page = sized(WIDE)
    frame = open_map(page, f"{server.url}/?basemap=Offline&attacker=Israel")
    settle(frame)
    download_control(page, "CSV (1 in view)").wait_for()
    text = page.locator("[data-testid='stMainBlockContainer']").inner_text()
    assert "1 of 1 shown event inside" in text
    assert not re.search(r"\b1 events\b", text)


def test_on_a_phone_the_first_view_frames_every_event_on_the_first_screen(server, sized, events):
    page = sized(PHONE)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    the_map = box_in_page(page.locator(MAP_FRAME))
    # The map fills most of the first screen: the header above it is compact (it took 408 px
    # of the 844 before the phone layout, leaving the map 426 px).
    assert inside(the_map, *PHONE) and the_map["height"] >= 0.6 * PHONE[1], the_map
    assert the_map["y"] <= 0.36 * PHONE[1], the_map
    # Every control of the header is on the screen, whole, its label not cut.
    controls = page.locator(".st-key-map_head button, .st-key-map_controls button")
    for control in (c for c in controls.all() if c.is_visible()):
        assert inside(box_in_page(control), *PHONE), control.inner_text()
        assert control.evaluate("b => b.scrollWidth <= b.clientWidth"), control.inner_text()
    assert sorted(frame.evaluate(MARKERS_IN_VIEW)) == sorted(events["event_id"])
    # The URL names the view the map shows, once the map has reported it.
    page.wait_for_url(re.compile(r"zoom=\d+"), timeout=30_000)
    wait_idle(page)
    zoom, lat = frame.evaluate("[map_div.getZoom(), map_div.getCenter().lat]")
    assert f"zoom={zoom}&" in page.url + "&" and f"lat={lat:.4f}" in page.url
    # The legend is folded away on a phone, and its button opens it.
    legend = frame.locator(".ev-legend")
    assert not frame.locator(".ev-legend li").first.is_visible()
    legend.get_by_role("button").click()
    assert frame.locator(".ev-legend li").first.is_visible()
    assert inside(box_in_page(legend), *PHONE)


def test_on_a_phone_a_popup_fits_the_screen_and_the_attribution_clears_the_scale(server, sized):
    page = sized(PHONE)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    scale = box_in_page(frame.locator(".leaflet-control-scale"))
    credits = frame.locator(".leaflet-control-attribution")
    credit = box_in_page(credits)
    assert (
        scale["x"] + scale["width"] <= credit["x"] or scale["y"] + scale["height"] <= credit["y"]
    ), (scale, credit)
    # The credits take one line of the phone's map; a tap shows them all, another folds them.
    assert credit["height"] <= 18, credit
    credits.dispatch_event("click")  # on the credits themselves, not on one of their links
    assert box_in_page(credits)["height"] > 2 * credit["height"]
    assert "Natural Earth" in credits.inner_text()
    credits.dispatch_event("click")
    assert box_in_page(credits)["height"] <= 18
    marker = show_marker(frame, "IRQ4")
    marker.click()
    popup = frame.locator(".leaflet-popup")
    popup.wait_for()
    frame.wait_for_function("!map_div._panAnim || !map_div._panAnim._inProgress")
    assert inside(box_in_page(popup), *PHONE), box_in_page(popup)
    assert frame.locator(".leaflet-tooltip").count() == 0  # no tooltip left beside it


def test_offline_the_map_names_towns_at_zoom_9_near_erbil(server, sized):
    page = sized(WIDE)
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if r.url.startswith("http") and "127.0.0.1" not in r.url else None
        ),
    )
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    set_view(frame, 36.19, 44.01, 9)
    frame.locator(".ev-label span", has_text=re.compile(r"^Erbil$")).wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "offline-erbil-z9.png")) if SHOTS else None
    names = frame.locator(".ev-label span").all_inner_texts()
    assert len(names) >= 10 and {"Koysinceq", "Shaqlāwah"} & set(names), names
    # Past zoom 6 the raster tiles are not stretched into a blur: vectors draw the map
    # (tests/e2e/test_offline_basemap.py checks the tiles at their own zooms).
    assert frame.locator(".ev-offline-tiles img").count() == 0
    assert outside == []


def test_when_online_tiles_fail_the_map_says_so_and_offers_the_offline_map(server, sized):
    page = sized(WIDE)
    frame = open_map(page, server.url)
    notice = frame.locator(".ev-notice")
    notice.wait_for(timeout=30_000)
    assert "could not be loaded" in notice.inner_text()
    notice.get_by_role("button", name="Show the offline map").click()
    frame.locator(".ev-offline-tiles img").first.wait_for(timeout=30_000)
    frame.locator(".leaflet-basemap-pane path:not([d='M0 0'])").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "online-failed-then-offline.png")) if SHOTS else None
    assert "Base map" in frame.locator(".ev-notice").inner_text()


def test_going_to_a_place_moves_the_map_and_the_url(server, sized):
    page = sized(WIDE)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    wait_idle(page)
    box = page.get_by_placeholder("Go to a place, e.g. Erbil")
    box.fill("Erbil")
    box.press("Enter")
    # The first search may wait for GeoNames to be read (a few seconds, longer on a busy host).
    page.wait_for_url(re.compile(r"lat=36\.19\d*&lon=44\.0\d*&zoom=10"), timeout=180_000)
    lat, lon, zoom = frame.evaluate(
        "[map_div.getCenter().lat, map_div.getCenter().lng, map_div.getZoom()]"
    )
    assert abs(lat - 36.1926) < 0.005 and abs(lon - 44.0106) < 0.005 and zoom == 10
    assert f"lon={lon:.4f}" in page.url
    assert (
        "Showing Erbil, Iraq (GeoNames)"
        in page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    )


def test_an_attacker_keeps_its_colour_after_an_import(server, sized, events, tmp_path):
    # ACLED's current fixture and 11 copies of its first event by an actor of a long name.
    rows = (ROOT / "tests" / "fixtures" / "ingest" / "acled_current.csv").read_text("utf-8")
    first = rows.splitlines()[1].replace(
        "Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps",
        "Military Forces of Yemen (2016-) Supreme Political Council",
    )
    copies = [first.replace("IRQ12001", f"IRQ9{i:04}", 1) for i in range(11)]
    upload = tmp_path / "acled_current_irgc.csv"
    upload.write_text(rows.rstrip("\n") + "\n" + "\n".join(copies) + "\n", encoding="utf-8")
    page = sized(WIDE)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    colour = """id => {
      const m = window.conflictMap.markers.find(x => x.eventId === id);
      const s = document.createElement('div');
      s.innerHTML = m.options.icon.options.html;
      return s.firstChild.style.background;
    }"""
    before = {i: frame.evaluate(colour, i) for i in ("IRQ1", "IRQ5", "SYR1", "IRQ4")}
    assert len(set(before.values())) == 4
    go_to_page(page, "Import")
    import_file(page, upload)
    go_to_page(page, "Map")
    frame = open_map(page)
    settle(frame)
    assert frame.evaluate("window.conflictMap.count") > len(events)
    assert {i: frame.evaluate(colour, i) for i in before} == before
    # The legend's counts stay whole beside a long name ("11", not "1" over "1").
    counts = frame.evaluate("""() => [...document.querySelectorAll('.ev-legend .ev-n')].map(n =>
      [n.innerText, n.getBoundingClientRect().height / parseFloat(getComputedStyle(n).lineHeight)
      ])""")
    assert ["11", 1.0] in [[text, round(lines, 1)] for text, lines in counts], counts
    assert all(round(lines, 1) == 1.0 for _, lines in counts), counts


def test_switching_to_the_offline_map_keeps_the_view(server, sized):
    page = sized(WIDE)
    frame = open_map(page, server.url)
    settle(frame)
    set_view(frame, 36.19, 44.01, 9)
    page.wait_for_url(re.compile(r"zoom=9"), timeout=30_000)
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']", has_text="Base map")
    combobox = box.get_by_role("combobox")  # Streamlit's selectbox is a react-aria combobox
    combobox.click()
    combobox.fill("Offline")
    combobox.press("Enter")
    page.wait_for_url(re.compile(r"basemap=Offline"), timeout=30_000)
    # The map's frame is replaced by a new one: look into whichever frame is there.
    page.wait_for_function(
        """selector => {
          const f = document.querySelector(selector), w = f && f.contentWindow;
          return !!(w && w.map_div && w.document.querySelector('.ev-offline')
                    && w.map_div.getZoom() === 9
                    && Math.abs(w.map_div.getCenter().lat - 36.19) < 0.01);
        }""",
        arg=MAP_FRAME,
        timeout=60_000,
    )
    assert re.search(r"lat=36\.19\d*&lon=44\.01\d*&zoom=9", page.url), page.url


RECORD_URLS = """(() => {
  window.__urls = [];
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name].bind(history);
    history[name] = (state, title, url) => {
      if (url !== undefined && url !== null) window.__urls.push(String(url));
      return original(state, title, url);
    };
  }
})();"""


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["wide", "phone"])
def test_the_address_bar_only_ever_names_the_view_the_map_shows(server, sized, size):
    """Every address the page writes from load on: no view before the map has framed the
    events (the base map's start, lat=33&lon=44&zoom=5, once showed for up to a second)."""
    page = sized(size)
    page.add_init_script(RECORD_URLS)
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    page.wait_for_url(re.compile(r"zoom=\d+"), timeout=30_000)
    wait_idle(page)
    zoom, lat = frame.evaluate("[map_div.getZoom(), map_div.getCenter().lat]")
    views = [u for u in page.evaluate("window.__urls") if "zoom=" in u]
    assert views, page.evaluate("window.__urls")
    assert all(f"zoom={zoom}" in u and f"lat={lat:.4f}" in u for u in views), (zoom, lat, views)
