"""Imports are kept: a reload, a shared link in another browser and a server restart all show
the same events; a removed import is gone for good."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from e2e.browser_helpers import go_to_page, import_file, open_map, settle, start_server, wait_idle
from geo.ingest import convert
from geo.schema import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


def events_shown(page) -> int:
    metric = page.locator("[data-testid='stMetric']", has_text="Events shown")
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def data_ids(page) -> list[str]:
    return parse_qs(urlparse(page.url).query).get("data", [])


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="module")
def store_server(tmp_path_factory, store_dir):
    s = start_server(tmp_path_factory.mktemp("server1"), ["--store", str(store_dir)])
    yield s
    s.stop()


def other_browser(browser):
    """A tab in another browser context: no session, cookies or cache shared with the rest."""
    return browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()


def test_a_tampered_id_is_refused_with_a_message_as_text(store_server, context):
    page = context.new_page()
    open_map(page, f"{store_server.url}/?basemap=Offline&data=**bold**%5Blink%5D(http://x)")
    assert events_shown(page) == 7
    note = page.get_by_text("is not a valid id")
    assert note.count() == 1
    assert page.locator("a[href='http://x']").count() == 0


def test_an_import_survives_reload_shared_link_and_server_restart(
    store_server, browser, context, store_dir, tmp_path
):
    n = len(convert(FIXTURES / "acled_current.csv").events)
    page = context.new_page()
    open_map(page, f"{store_server.url}/?basemap=Offline")
    go_to_page(page, "Import")
    import_file(page, FIXTURES / "acled_current.csv")
    ids = data_ids(page)
    assert len(ids) == 1 and len(ids[0]) == 22, page.url
    go_to_page(page, "Map")
    settle(open_map(page))
    assert events_shown(page) == 7 + n
    assert data_ids(page) == ids  # the id stays in the address on every page

    page.reload()
    frame = open_map(page)
    settle(frame)
    assert events_shown(page) == 7 + n
    assert frame.evaluate("window.conflictMap.count") == 7 + n

    colleague = other_browser(browser)  # another browser context: no shared session or cookies
    frame = open_map(colleague, f"{store_server.url}/?basemap=Offline&data={ids[0]}")
    settle(frame)
    assert events_shown(colleague) == 7 + n
    colleague.context.close()

    store_server.stop()
    restarted = start_server(tmp_path, ["--store", str(store_dir)])
    try:
        later = context.new_page()
        frame = open_map(later, f"{restarted.url}/?basemap=Offline&data={ids[0]}")
        settle(frame)
        assert events_shown(later) == 7 + n

        # Remove deletes it for good: the link then opens the bundled data with a message.
        go_to_page(later, "Import")
        later.get_by_role("button", name="Remove").click()
        # The rerun the click starts takes the id out of the address: wait for that, not a moment.
        later.wait_for_function("!new URLSearchParams(location.search).has('data')")
        wait_idle(later)
        assert data_ids(later) == []
        gone = context.new_page()
        open_map(gone, f"{restarted.url}/?basemap=Offline&data={ids[0]}")
        assert events_shown(gone) == 7
        assert gone.get_by_text("No dataset has the id").count() == 1
    finally:
        restarted.stop()
