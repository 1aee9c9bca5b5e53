"""What the browser tests share: start an app server, wait for the page, drive the map.

Import from here (``from e2e.browser_helpers import open_map, wait_idle``), never from
``conftest``: the unit and the browser tests each have a conftest.py, so ``from conftest
import`` depends on which one pytest loaded last. The fixtures (``server``, ``browser``,
``context``) stay in tests/e2e/conftest.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.appserver import AppServer

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"

Server = AppServer  # the running app, as the fixtures name it


# The app the browser tests start: ``streamlit run app.py``, or the README's ``serve.py`` (the
# same pages, its downloads streamed as links) with CONFLICT_MAP_E2E_SCRIPT=serve.py.
SCRIPT = os.environ.get("CONFLICT_MAP_E2E_SCRIPT", "app.py")


def start_server(tmp_dir: Path, args: list[str] | None = None, script: str = SCRIPT) -> Server:
    """Start the app (with `args` after ``--``; ``script="serve.py"`` for streamed exports) and
    return once /_stcore/health answers; its log goes to tmp_dir/streamlit.log (shown with a
    failed test that used it)."""
    server = AppServer(args or [], tmp_dir / "streamlit.log", script=script)
    server.wait_healthy()
    return server


def download_control(page, name):
    """The download labelled `name` (its start): a button under app.py, a link under serve.py
    (downloads.py streams the file)."""
    return page.get_by_role("button", name=name).or_(page.get_by_role("link", name=name))


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
    wait_reported(page, handle)
    return handle


def wait_reported(page, frame) -> None:
    """Wait until the map has sent the server the view it shows, and the page is idle.

    The map reports its view 250 ms after it stops moving, and the report reruns the map's
    fragment. A report still on its way when a test moves to another page reruns the fragment
    there ("Couldn't find fragment") and can cut that page's run short; one that lands as a
    test clicks in the map redraws the map under the click.
    """
    frame.wait_for_function(REPORTED_JS, timeout=60_000)
    wait_idle(page)


REPORTED_JS = """() => {
  const sent = window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.previous_data;
  if (!sent || sent.zoom === undefined || !sent.center) return false;
  const c = window.map.getCenter();
  return sent.zoom === window.map.getZoom()
    && Math.abs(sent.center.lat - c.lat) < 1e-9 && Math.abs(sent.center.lng - c.lng) < 1e-9;
}"""


def remember_map(page) -> None:
    """Note which iframe holds the map now; same_map(page) then says whether it is still that
    one (a new iframe means the map was rebuilt: blank for a moment, its view reloaded)."""
    page.evaluate(f'() => {{ window.__mapFrame = document.querySelector("{MAP_FRAME}"); }}')


def same_map(page) -> bool:
    return page.evaluate(f'() => window.__mapFrame === document.querySelector("{MAP_FRAME}")')


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
    """Move to another page through the sidebar, as a user does (the session is kept).

    A click that lands while the map is reporting its view can be lost: Streamlit keeps the
    newer of two rerun requests, and the map's report names the map's page
    (streamlit/runtime/scriptrunner_utils/script_requests.py). A user then sees the map stay
    and clicks again; so does this, up to three times, and fails if the page never opened.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    links = "[data-testid='stSidebarNavLink']"
    link = page.locator(links, has_text=label).first
    current = page.locator(f"{links}[aria-current='page']", has_text=label).first
    for _ in range(3):
        link.click()
        try:
            current.wait_for(timeout=20_000)  # the page is switched once the server runs it
        except PlaywrightTimeout:
            continue
        wait_idle(page)
        return
    raise AssertionError(f"the sidebar link {label!r} did not open its page in three clicks")


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


def import_file(page, path: Path, keep_duplicates: bool = True) -> None:
    """On the Import page: upload `path` and import it, answering the possible-duplicates
    choice when the page asks (keep them, or leave them out), until "Your imports" shows."""
    page.locator("input[type='file']").set_input_files(str(path))
    page.get_by_role("button", name="Import this file").click()
    done = page.get_by_text("Your imports")
    confirm = page.get_by_role("button", name="Import", exact=True)
    done.or_(confirm).first.wait_for(timeout=60_000)
    if confirm.count():
        box = page.get_by_role("checkbox", name="Leave out the")
        if keep_duplicates and box.is_checked():
            page.get_by_text("Leave out the").click()
            wait_idle(page)
        confirm.click()
    done.wait_for(timeout=60_000)
