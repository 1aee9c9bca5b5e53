"""The Events table and the map, linked, in a real browser (bundled data)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from e2e.browser_helpers import MAP_FRAME, open_map, wait_idle

HEADER_PX, ROW_PX = 35, 35  # st.dataframe's default header and row heights


def click_row(page, grid, row: int) -> None:
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + HEADER_PX + ROW_PX * row + ROW_PX / 2)


def popup_of(page):
    frame = page.wait_for_selector(MAP_FRAME, timeout=60_000).content_frame()
    frame.wait_for_function("window.conflictMap !== undefined", timeout=60_000)
    popup = frame.locator(".leaflet-popup-content .ev-popup")
    popup.wait_for(timeout=30_000)
    return frame, popup


def test_selecting_irq4_in_the_events_table_opens_its_popup_on_the_map(server, context, events):
    page = context.new_page()
    page.goto(f"{server.url}/Events")
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']")
    grid.wait_for()
    click_row(page, grid, list(events["event_id"]).index("IRQ4"))
    page.get_by_text("IRQ4 · 2023-12-25").wait_for()
    page.get_by_role("button", name="Show it on the map").click()
    page.wait_for_url("**select=IRQ4**")
    frame, popup = popup_of(page)
    assert popup.get_attribute("data-event-id") == "IRQ4"
    assert "Islamic Resistance in Iraq" in popup.inner_text()
    assert frame.locator(".event-marker.ev-selected").count() == 1
    assert frame.locator(".event-marker.ev-selected").get_attribute("data-event-id") == "IRQ4"


def test_several_rows_open_the_map_framed_on_them(server, context, events):
    page = context.new_page()
    page.goto(f"{server.url}/Events")
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']")
    grid.wait_for()
    for event_id in ("IRQ1", "IRQ2"):
        click_row(page, grid, list(events["event_id"]).index(event_id))
        wait_idle(page)
    page.get_by_role("button", name="Show these 2 on the map").click()
    page.wait_for_url("**select=IRQ2**")
    assert parse_qs(urlparse(page.url).query)["select"] == ["IRQ1", "IRQ2"]
    frame = open_map(page)
    frame.wait_for_function(
        "document.querySelectorAll('.event-marker.ev-selected').length === 2"
        " || document.querySelectorAll('.ev-cluster').length > 0"
    )
    bounds = frame.evaluate("map_div.getBounds().toBBoxString()").split(",")
    west, south, east, north = map(float, bounds)
    # Koysanjak and Zarkwezela are in view; Damascus (SYR1) and Babil (IRQ5) are not.
    assert south < 35.6 < north and west < 44.7 < east
    assert not (south < 33.5 < north and west < 36.3 < east)


def test_a_row_of_the_events_in_view_opens_its_popup(server, context):
    page = context.new_page()
    open_map(page, f"{server.url}/?basemap=Offline&list=true")
    grid = page.locator(".st-key-in_view_table, [data-testid='stDataFrame']").last
    grid.wait_for()
    # The table lists the events in view latest first: IRQ5 (2023-12-26) is the first row.
    page.get_by_text("events in view, latest first").wait_for()
    click_row(page, grid, 0)
    frame, popup = popup_of(page)
    assert popup.get_attribute("data-event-id") == "IRQ5"
