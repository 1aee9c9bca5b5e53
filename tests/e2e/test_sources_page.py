"""From a map popup to the highlighted sentence on the Sources page, in a real browser."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from e2e.browser_helpers import (
    open_map,
    settle,
    show_marker,
    start_server,
    wait_idle,
    wait_reported,
)

IRQ4_SOURCE = "News article on US strikes"  # the title the popup's source link shows
IRQ4_SENTENCE = (
    "A suicide drone on Monday had targeted US-led coalition forces based at the "
    "Erbil International Airport, wounding three American service members."
)


def open_popup_link(page, server):
    """Click 1: open the map and click marker IRQ4; return its popup's source link."""
    frame = open_map(page, f"{server.url}/?basemap=Offline")
    settle(frame)
    show_marker(frame, "IRQ4").click()
    link = frame.locator(".ev-popup[data-event-id='IRQ4'] a", has_text=IRQ4_SOURCE)
    link.wait_for()
    wait_reported(page, frame)  # the zoom to the marker and the popup's pan, sent and rerun
    return link


def assert_at_irq4_evidence(page) -> None:
    """The Sources page, scrolled to IRQ4's emphasised sentence, says which document it is."""
    wait_idle(page)
    url = urlparse(page.url)
    assert url.path == "/Sources" and parse_qs(url.query)["event"] == ["IRQ4"]
    assert url.fragment == "IRQ4"
    highlight = page.locator("mark#IRQ4")
    highlight.wait_for(state="visible")
    assert IRQ4_SENTENCE in highlight.inner_text()
    assert "ev-focus" in highlight.get_attribute("class")
    # Scrolled into view: the second document starts far below the fold.
    page.wait_for_function("""() => {
        const r = document.getElementById('IRQ4').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
    }""")
    header = page.locator("[data-testid='stAlert']", has_text="Evidence for IRQ4")
    assert "News article on US strikes on Kataib Hezbollah" in header.inner_text()


def test_two_clicks_lead_from_a_popup_to_the_highlighted_sentence(server, context):
    page = context.new_page()
    link = open_popup_link(page, server)  # click 1: the marker
    assert link.get_attribute("target") == "_blank"  # the map and its session stay open
    with context.expect_page(timeout=15_000) as opened:
        link.click()  # click 2: the source link, in a new tab
    assert_at_irq4_evidence(opened.value)


def test_the_popup_link_leads_to_the_highlighted_sentence(server, context):
    page = context.new_page()
    link = open_popup_link(page, server)
    href = link.evaluate("a => a.href")  # as the browser resolves it inside the map's iframe
    page.goto(href)
    assert_at_irq4_evidence(page)


def test_other_events_stay_highlighted_but_not_emphasised(server, context):
    page = context.new_page()
    page.goto(f"{server.url}/Sources?event=IRQ2#IRQ2")
    wait_idle(page)
    page.locator("mark#IRQ2").wait_for(state="visible")
    emphasised = page.locator("mark.ev-focus").evaluate_all(
        "marks => [...new Set(marks.map(m => m.dataset.event))]"
    )
    assert emphasised == ["IRQ2"]
    # IRQ1-3 share the opening sentence: each has its own label there.
    opening = page.locator("mark#IRQ1")
    assert opening.locator(".ev-label").all_inner_texts() == ["IRQ1", "IRQ2", "IRQ3"]


def test_the_popup_link_keeps_the_filters_but_not_the_map_view(server, context):
    page = context.new_page()
    frame = open_map(
        page, f"{server.url}/?basemap=Offline&attacker=Islamic%20Resistance%20in%20Iraq"
    )
    settle(frame)
    show_marker(frame, "IRQ4").click()
    link = frame.locator(".ev-popup[data-event-id='IRQ4'] a", has_text=IRQ4_SOURCE)
    query = parse_qs(urlparse(link.evaluate("a => a.href")).query)
    assert query["attacker"] == ["Islamic Resistance in Iraq"] and query["event"] == ["IRQ4"]
    assert not {"lat", "lon", "zoom", "basemap"} & set(query)


@pytest.fixture(scope="module")
def unvisited(tmp_path_factory):
    """A server nobody has visited yet (the session's server has run the map page)."""
    s = start_server(tmp_path_factory.mktemp("unvisited"))
    yield s
    s.stop()


def test_a_shared_evidence_link_opened_first_on_a_new_server_has_the_apps_menu(unvisited, context):
    """Opened before any visit to the map, a link straight to a page ran that file alone,
    under Streamlit's menu of the pages folder, which listed the map as "app"."""
    page = context.new_page()
    page.goto(f"{unvisited.url}/Sources?event=IRQ4#IRQ4")
    assert_at_irq4_evidence(page)
    menu = page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()
    assert menu[:2] == ["Map", "Events"] and "app" not in menu
