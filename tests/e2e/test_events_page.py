"""The events page in a real browser: select a row, read its details, open it on the map."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from e2e.browser_helpers import MAP_FRAME, wait_idle

HEADER_PX, ROW_PX = 35, 35  # st.dataframe's default header and row heights


def test_selecting_a_row_shows_the_event_and_opens_the_map_centred_on_it(server, context):
    page = context.new_page()
    page.goto(f"{server.url}/Events?attacker=US%20military")
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']")
    grid.wait_for()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + HEADER_PX + ROW_PX / 2)  # IRQ5's checkbox
    page.get_by_text("IRQ5 · 2023-12-26").wait_for()
    assert parse_qs(urlparse(page.url).query)["event"] == ["IRQ5"]  # the selection is shareable
    assert page.get_by_text("fatalities: 1 · injuries: 18").is_visible()
    evidence = page.get_by_role("link", name="Read the evidence in the source")
    assert evidence.get_attribute("href") == "Sources?attacker=US%20military&event=IRQ5#IRQ5"

    page.get_by_role("link", name="Show on the map").click()
    page.wait_for_url("**zoom=12**")
    query = parse_qs(urlparse(page.url).query)
    assert query["attacker"] == ["US military"]
    assert (query["lat"], query["lon"]) == (["32.4637"], ["44.4196"])
    frame = page.wait_for_selector(MAP_FRAME, timeout=60_000).content_frame()
    frame.wait_for_function("window.conflictMap !== undefined", timeout=60_000)
    assert frame.evaluate("map_div.getZoom()") == 12
    center = frame.evaluate("map_div.getCenter()")
    assert abs(center["lat"] - 32.4637) < 0.01 and abs(center["lng"] - 44.4196) < 0.01
    assert sorted(frame.evaluate("window.conflictMap.markers.map(m => m.eventId)")) == [
        "IRQ5",
        "IRQ6",
    ]  # the filter came along
