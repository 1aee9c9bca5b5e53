"""Browser tests: the real app (the README's command) in Debian's headless Chromium.

One app server and one Chromium serve the whole test session (as datasette's Playwright fixture
does); each test opens its own browser context, so its Streamlit session (filters, imports) is
its own. A server started with other arguments is a session fixture too: use `start_server`.
Readiness is polled on /_stcore/health and on the page's script state, never with fixed sleeps.
The log of every server a failed test used is printed with the failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.appserver import CHROMIUM, CHROMIUM_ARGS, ROOT, AppServer  # noqa: F401 (tests import ROOT)

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"

if not Path(CHROMIUM).exists():
    reason = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("CI"):
        raise RuntimeError(reason)  # CI must run the browser tests, never skip them
    pytest.skip(reason, allow_module_level=True)

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`-n 2 --dist loadgroup`) every browser test runs in one worker, so
    the session's one server and one Chromium are started once."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


Server = AppServer  # the running app, as the fixtures below name it


def start_server(tmp_dir: Path, args: list[str] | None = None) -> Server:
    server = AppServer(args or [], tmp_dir / "streamlit.log")
    server.wait_healthy()
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    s = start_server(tmp_path_factory.mktemp("server"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.when == "call":
        for name, value in item.funcargs.items():  # every server fixture the test used
            if isinstance(value, Server):
                report.sections.append((f"{name} log", value.output()))
    return report


@pytest.fixture
def context(browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield ctx
    ctx.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the app's script has finished running."""
    page.wait_for_selector(
        "[data-test-script-state='notRunning']", state="attached", timeout=timeout
    )
    page.wait_for_function(
        "!document.querySelector('[data-test-script-state=\"running\"]')", timeout=timeout
    )


def open_map(page, url: str | None = None):
    """Open the map (at url, or already navigated to) and return the map's frame once ready."""
    if url is not None:
        page.goto(url)
    wait_idle(page)
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    handle = page.wait_for_selector(MAP_FRAME).content_frame()
    handle.wait_for_function("window.conflictMap !== undefined", timeout=60_000)
    wait_idle(page)
    return handle


def set_view(frame, lat: float, lon: float, zoom: int) -> None:
    """Move the map as a user would, and return once the map has stopped moving."""
    frame.evaluate(
        """([lat, lon, zoom]) => new Promise(done => {
        map_div.once('moveend', () => done(true));
        map_div.setView([lat, lon], zoom);
    })""",
        [lat, lon, zoom],
    )


def go_to_page(page, label: str) -> None:
    """Move to another page through the sidebar, as a user does (the session is kept)."""
    page.locator("[data-testid='stSidebarNavLink']", has_text=label).first.click()
    wait_idle(page)


SETTLED_JS = """() => {
  const c = window.conflictMap;
  if (!c || c.cluster._inZoomAnimation || !c.cluster._map) return false;
  const offline = document.querySelector('.leaflet-container.ev-offline');
  if (offline && !document.querySelector('.leaflet-basemap-pane path')) return false;
  return true;
}"""

# What the map displays: each event either as its own marker or inside a visible cluster.
DISPLAYED_JS = """() => {
  const c = window.conflictMap, seen = new Set();
  let alone = 0, clustered = 0;
  for (const m of c.markers) {
    const parent = c.cluster.getVisibleParent(m);
    if (!parent) continue;
    if (parent === m) { if (m._icon && document.body.contains(m._icon)) alone++; }
    else if (!seen.has(parent)) { seen.add(parent); clustered += parent.getChildCount(); }
  }
  return {alone: alone, clustered: clustered, total: c.count};
}"""


def settle(frame, timeout: float = 30_000) -> None:
    frame.wait_for_function(SETTLED_JS, timeout=timeout)


def show_marker(frame, event_id: str):
    """Zoom the map until the event's own marker shows (as a user opening clusters would)."""
    frame.evaluate(
        """id => new Promise(done => {
        const m = window.conflictMap.markers.find(x => x.eventId === id);
        window.conflictMap.cluster.zoomToShowLayer(m, () => done(true));
    })""",
        event_id,
    )
    settle(frame)
    return frame.locator(f".event-marker[data-event-id='{event_id}']")
