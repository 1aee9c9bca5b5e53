"""The timeline in a real browser: dragging across the chart narrows the shared date filter."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

from e2e.browser_helpers import download_control, wait_idle

CHART = "[data-testid='stVegaLiteChart']"


def test_dragging_across_the_chart_narrows_the_dates_on_every_page(server, context):
    page = context.new_page()
    page.goto(f"{server.url}/Timeline")
    wait_idle(page)
    plot = page.locator(f"{CHART} canvas, {CHART} svg").first
    plot.wait_for()
    box = plot.bounding_box()
    # The x axis runs from January 2020 to December 2023: the right fifth holds only December
    # 2023's four events, the left edge the 2020 one.
    y = box["y"] + 40
    page.mouse.move(box["x"] + box["width"] * 0.80, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 2, y, steps=8)
    page.mouse.up()
    page.wait_for_url("**end=**")
    wait_idle(page)
    query = parse_qs(urlparse(page.url).query)
    start, end = date.fromisoformat(query["start"][0]), date.fromisoformat(query["end"][0])
    assert date(2022, 9, 28) < start <= date(2023, 12, 25) <= date(2023, 12, 26) <= end
    shown = page.locator("[data-testid='stMetricValue']").first
    assert shown.inner_text() == "3"  # IRQ4, SYR1 (25 December) and IRQ5 (26 December)

    page.get_by_role("link", name="Events").click()  # the sidebar's page link
    page.wait_for_url("**/Events**")
    wait_idle(page)
    grid = page.locator("[data-testid='stDataFrame']")
    grid.wait_for()
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "3"
    download_control(page, "Download CSV (3 events)").wait_for(timeout=30_000)
