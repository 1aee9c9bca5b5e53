"""Bring-your-own-data in a real browser: uploads stay in their session; hostile text is text."""

from __future__ import annotations

import hashlib

from e2e.browser_helpers import go_to_page, import_file, open_map, settle, show_marker
from geo.ingest import convert
from geo.schema import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


def upload(page, server, name: str):
    """Start a session on the map, import a file on the Import page, come back to the map."""
    open_map(page, f"{server.url}/?basemap=Offline")
    go_to_page(page, "Import")
    import_file(page, FIXTURES / name)
    go_to_page(page, "Map")
    return open_map(page)


def events_shown(page) -> int:
    metric = page.locator("[data-testid='stMetric']", has_text="Events shown")
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def data_files() -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((ROOT / "data").iterdir())
        if p.is_file()
    }


def test_an_import_is_seen_by_its_session_and_not_by_another(server, browser, context):
    before = data_files()
    n = len(convert(FIXTURES / "acled_current.csv").events)
    alice = context.new_page()
    bob_browser = browser.new_context(viewport={"width": 1400, "height": 1000})
    bob = bob_browser.new_page()
    frame = upload(alice, server, "acled_current.csv")
    settle(frame)
    assert events_shown(alice) == 7 + n
    assert frame.evaluate("window.conflictMap.count") == 7 + n
    frame_b = open_map(bob, f"{server.url}/?basemap=Offline")
    settle(frame_b)
    assert events_shown(bob) == 7
    assert frame_b.evaluate("window.conflictMap.count") == 7
    bob_browser.close()
    assert data_files() == before  # nothing was written to the server's data


def test_hostile_text_is_shown_as_text_and_never_runs(server, context):
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    frame = upload(page, server, "acled_hostile.csv")
    settle(frame)
    marker = show_marker(frame, "IRQ40001")
    marker.hover()
    tooltip = frame.locator(".leaflet-tooltip").inner_text()
    assert "<script>alert('x')</script>" in tooltip
    marker.click()
    popup = frame.locator(".ev-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert "<img src=x onerror=alert(1)>" in text and "<iframe src=javascript:alert(1)>" in text
    assert frame.locator(".ev-popup img, .ev-popup script, .ev-popup iframe").count() == 0
    assert page.locator("img[src='x'], iframe[src^='javascript']").count() == 0
    legend = frame.locator(".ev-legend").get_by_text("<script>alert('x')</script>", exact=True)
    assert legend.count() >= 1  # the legend over the map shows the name as text
    for label in ("Events", "Sources", "Timeline"):
        if page.locator("[data-testid='stSidebarNavLink']", has_text=label).count():
            go_to_page(page, label)
            if label != "Timeline":
                page.get_by_text("IRQ40001").first.wait_for(state="attached", timeout=60_000)
            assert page.locator("img[src='x'], iframe[src^='javascript']").count() == 0, label
    assert dialogs == []
