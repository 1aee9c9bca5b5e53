"""Chromium timings of the real app (``streamlit run app.py``).

The app is started as the README says, on a free port of 127.0.0.1, with the synthetic events
(``python -m geo.ingest`` converts the ACLED file first), and opened with ``?basemap=Offline``
in Debian's headless Chromium with the browser tests' flags. Timestamps are taken inside the
page (``Date.now()`` in an init script), so how often Python polls does not change a number;
every wait is on a condition with a deadline, and a deadline that passes is reported as
``"timeout >N s"``, never a crash.

What is detected is deliberately generic, so that the numbers stay right when the rendering
changes: "markers shown" means a layer that streamlit-folium added (``window.feature_group``) is
on the map and something is drawn (markers or cluster icons in the marker pane, or interactive
vector shapes such as aggregated cells), timed at the next animation frame, once it is painted;
"redraw" means a layer that was not there before is shown.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from bench import ROOT, cpu_seconds, rss_mb
from bench.appserver import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: F401 (used by load.py)
from bench.appserver import AppServer as _AppServer

VIEWPORT = {"width": 1400, "height": 1000}
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
QUIET_MS = 1500  # "settled": the script is idle and no websocket frame came for this long

# Runs in the page before its own scripts. It records when the app's script finishes and when
# the user last clicked or typed, and, on every animation frame, looks into the map's frame
# (same origin) for events layers that are newly drawn. The map's frame is watched from the top
# because its own documents come and go (callbacks registered there can be dropped).
INIT_JS = r"""
(() => {
  if (window.top !== window || window.__bench) { return; }
  const b = window.__bench = {idle: null, lastIdle: null, runs: 0, running: false, input: null,
                              markers: null, layers: 0, layerTimes: []};
  const check = () => {
    const el = document.querySelector('[data-test-script-state]');
    if (!el) { return; }
    const state = el.getAttribute('data-test-script-state');
    if (state === 'running') { b.running = true; }
    else if (state === 'notRunning' && b.running) {
      b.running = false; b.runs += 1; b.lastIdle = Date.now();
      if (b.idle === null) { b.idle = b.lastIdle; }
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true,
    attributes: true, attributeFilter: ['data-test-script-state']});
  for (const type of ['click', 'keydown']) {
    document.addEventListener(type, () => { b.input = Date.now(); }, true);
  }
  const look = () => {
    const frame = document.querySelector("FRAME_SELECTOR");
    const w = frame && frame.contentWindow, d = frame && frame.contentDocument;
    if (!w || !d) { return; }
    // Before Leaflet runs, window.map can be the <div id="map"> element: test for a map.
    const map = [w.map_div, w.map].find(m => m && typeof m.hasLayer === 'function');
    if (!map) { return; }
    const drawn = !!d.querySelector('.leaflet-marker-pane > *, ' +
        '.leaflet-overlay-pane path.leaflet-interactive, .leaflet-overlay-pane canvas');
    if (!drawn) { return; }
    const groups = w.feature_group;
    if (groups === undefined) {            // no streamlit-folium layers: the DOM alone says
      if (b.markers === null && !pending.length) { pending.push(null); }
      return;
    }
    for (const g of groups) {
      if (!g.__benchSeen && map.hasLayer(g)) { g.__benchSeen = true; pending.push(g); }
    }
  };
  // A layer found in the DOM at one frame is timed at the next: after it has been painted.
  let pending = [];
  const tick = () => {
    const now = Date.now();
    for (const g of pending) {
      if (g !== null) { b.layers += 1; b.layerTimes.push(now); }
      if (b.markers === null) { b.markers = now; }
    }
    pending = [];
    try { look(); } finally { requestAnimationFrame(tick); }
  };
  requestAnimationFrame(tick);
})();
""".replace("FRAME_SELECTOR", MAP_FRAME.replace('"', '\\"'))

# The number the "Events shown" metric displays, or null while it is not there.
SHOWN_JS = """() => {
  for (const m of document.querySelectorAll("[data-testid='stMetric']")) {
    const label = m.querySelector("[data-testid='stMetricLabel']");
    if (label && label.innerText.includes('Events shown')) {
      const v = m.querySelector("[data-testid='stMetricValue']");
      return v ? parseInt(v.innerText.replace(/[^0-9]/g, ''), 10) : null;
    }
  }
  return null;
}"""

# Move a Leaflet map without animation (pan by `step` x 300 px, or zoom by `step`); the
# milliseconds until the frame after the next paint.
MOVE_JS = """async ([name, kind, step]) => {
  const map = name ? window[name] : [window.map_div, window.map].find(m => m && m.panBy);
  const t0 = Date.now(), p0 = performance.now();
  await new Promise(done => {
    map.once(kind === 'pan' ? 'moveend' : 'zoomend', done);
    if (kind === 'pan') { map.panBy([300 * step, 0], {animate: false}); }
    else { map.setZoom(map.getZoom() + step, {animate: false}); }
  });
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return {t0: t0, ms: performance.now() - p0};
}"""
MOVES = {"pan": (1, -1, 1), "zoom": (1, -1, 1)}  # there and back, and there again: 3 samples


def median(values: list[Any]) -> Any:
    """The median of the numbers; the first text (a time-out) if any value is not a number."""
    for v in values:
        if not isinstance(v, (int, float)):
            return v
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else None


class Timeout(Exception):
    """A step did not finish before its deadline."""


def timeout_text(seconds: float) -> str:
    return f"timeout >{seconds:.0f} s"


# ----------------------------------------------------------------------------- the app server


# The whole of ACLED (2.5M events) is about 610 MB of Parquet: above the store's default limit
# for one dataset (500 MB), which a deployer serving it raises as here.
MAX_DATASET_MB = 4000


def server_args(events_csv: Path) -> list[str]:
    # The path last: the peers' pages (bench/peers.py) read it as the last argument.
    return ["--max-dataset-mb", str(MAX_DATASET_MB), "--events", str(events_csv)]


class AppServer(_AppServer):
    """The app (or another page: `script`) with ``-- --events PATH`` (and the dataset limit
    above), and the server process's memory and CPU."""

    def __init__(self, events_csv: Path, log: Path, script: str = "app.py") -> None:
        super().__init__(server_args(events_csv), log, script)

    def usage(self) -> dict[str, float | None]:
        """The server's resident memory now (MB) and CPU time so far (s)."""
        return {"rss_mb": rss_mb(self.pid), "cpu_s": cpu_seconds(self.pid)}


@contextmanager
def app_server(events_csv: Path, log_dir: Path, script: str = "app.py") -> Iterator[AppServer]:
    log = log_dir / f"streamlit-{Path(script).stem}-{events_csv.stem}.log"
    server = AppServer(events_csv, log, script)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def converted_events(acled: Path, folder: Path) -> Path:
    """The ACLED file as this project's events CSV (``python -m geo.ingest``), made once."""
    out = folder / f"{acled.stem}.events.csv"
    if out.exists() and out.stat().st_mtime >= acled.stat().st_mtime:
        return out
    proc = subprocess.run(
        [sys.executable, "-m", "geo.ingest", str(acled), "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"python -m geo.ingest {acled.name} failed:\n{proc.stderr[-2000:]}")
    return out


def stored(events_csv: Path) -> None:
    """The events file in the store the app's server will open (the settings it gets from
    ``--events PATH`` and the environment), so that the "cold" first visit is one to a server
    whose dataset is already stored: converting the file is measured apart (bench.store)."""
    from geo.store import Settings, Store

    Store(Settings.from_sources(server_args(events_csv))).ensure_file(events_csv)


# ----------------------------------------------------------------------------- the app in Chromium


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def _wait(page: Any, js: str, timeout: float, arg: Any = None) -> Any:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        return page.wait_for_function(js, arg=arg, timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise Timeout(timeout_text(timeout)) from None


def _bench(page: Any) -> dict[str, Any]:
    return page.evaluate("() => ({...window.__bench, origin: performance.timeOrigin})")


class Session:
    """One browser context and page on the app, counting the bytes the server sends and
    naming every request that leaves 127.0.0.1 (``offsite``)."""

    def __init__(self, browser: Any, url: str, init_js: str = INIT_JS) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(init_js)
        self.offsite: list[str] = []
        self.context.on("request", self._on_request)
        self.page = self.context.new_page()
        self.ws_bytes = 0
        self.last_frame = time.monotonic()
        self.errors: list[str] = []
        self.page.on("websocket", self._on_websocket)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)[:300]))
        self.page.goto(url, wait_until="commit")

    def _on_request(self, request: Any) -> None:
        url = request.url
        if url.startswith(("http", "ws")) and not url.split("//")[1].startswith("127.0.0.1"):
            self.offsite.append(url[:200])

    def _on_websocket(self, ws: Any) -> None:
        ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        self.ws_bytes += len(payload)
        self.last_frame = time.monotonic()

    def wait_quiet(self, timeout: float) -> None:
        """Until the script is idle and no websocket frame has come for QUIET_MS."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.page.evaluate(
                "() => { const e = document.querySelector('[data-test-script-state]');"
                " return e && e.getAttribute('data-test-script-state'); }"
            )
            if state == "notRunning" and time.monotonic() - self.last_frame > QUIET_MS / 1000:
                return
            self.page.wait_for_timeout(100)  # polling interval for the condition above
        raise Timeout(timeout_text(timeout))

    def close(self) -> None:
        self.context.close()


def first_visit(browser: Any, url: str, timeout: float) -> tuple[dict[str, Any], Session]:
    """Open the page and wait for the script to finish, the first markers and quiet."""
    session = Session(browser, url)
    try:
        _wait(session.page, "() => window.__bench && window.__bench.idle !== null", timeout)
        _wait(session.page, "() => window.__bench.markers !== null", timeout)
        b = _bench(session.page)
        out = {
            "script_done_s": (b["idle"] - b["origin"]) / 1000,
            "markers_s": (b["markers"] - b["origin"]) / 1000,
            "idle_to_markers_s": (b["markers"] - b["idle"]) / 1000,
        }
        session.wait_quiet(timeout)
        b = _bench(session.page)
        out.update(
            settled_layers=b["layers"],
            ws_mb=session.ws_bytes / 1e6,
            last_layer_s=(b["layerTimes"][-1] - b["origin"]) / 1000 if b["layerTimes"] else None,
            page_errors=session.errors[:5],
            error_elements=session.page.locator(ERRORS).count(),
        )
        return out, session
    except Exception:
        session.close()
        raise


def change_attacker(
    session: Session, attacker: str, expected: int, timeout: float
) -> dict[str, Any]:
    """Choose one attacker in the sidebar; time from the click to the new layer drawn."""
    page = session.page
    before = _bench(page)["layers"]
    sent_before = session.ws_bytes
    clicked = choose_attacker(page, attacker)
    _wait(page, "n => window.__bench.layers > n", timeout, before)
    b = _bench(page)
    out = {"filter_redraw_s": (b["layerTimes"][before] - clicked) / 1000}
    _wait(page, f"n => ({SHOWN_JS})() === n", timeout, expected)
    session.wait_quiet(timeout)
    out.update(
        filter_shown=page.evaluate(SHOWN_JS),
        filter_expected=expected,
        filter_ws_mb=(session.ws_bytes - sent_before) / 1e6,
    )
    return out


def choose_attacker(page: Any, attacker: str) -> int:
    """Type the attacker into the sidebar's Attacker box and click it: the click's Date.now()."""
    box = page.get_by_role("combobox", name="Attacker")
    box.click()
    box.fill(attacker)
    page.get_by_role("option", name=attacker, exact=True).click()
    return page.evaluate("() => window.__bench.input")


def map_frame(page: Any) -> Any:
    return page.wait_for_selector(MAP_FRAME).content_frame()


def move(session: Session, kind: str, timeout: float) -> dict[str, Any]:
    """Pan or zoom the app's map (three times): the browser's redraw, then the rerun it causes.

    A move makes streamlit-folium report the new view, which reruns the page; when the layer
    depends on the view, a new one is sent and drawn (``{kind}_new_layer_s``).
    """
    page = session.page
    samples: dict[str, list[Any]] = {
        f"{kind}_ms": [],
        f"{kind}_rerun_s": [],
        f"{kind}_new_layer_s": [],
    }
    for step in MOVES[kind]:
        b = _bench(page)
        runs, layers = b["runs"], b["layers"]
        moved = map_frame(page).evaluate(MOVE_JS, [None, kind, step])
        samples[f"{kind}_ms"].append(moved["ms"] / 1000)
        try:
            _wait(page, "n => window.__bench.runs > n && !window.__bench.running", timeout, runs)
            session.wait_quiet(timeout)
        except Timeout as exc:
            samples[f"{kind}_rerun_s"].append(str(exc))
            break
        b = _bench(page)
        samples[f"{kind}_rerun_s"].append((b["lastIdle"] - moved["t0"]) / 1000)
        if b["layers"] > layers:
            samples[f"{kind}_new_layer_s"].append((b["layerTimes"][layers] - moved["t0"]) / 1000)
    out: dict[str, Any] = {key: median(values) for key, values in samples.items()}
    out[f"{kind}_samples"] = samples
    return out


def measure_app(
    browser: Any, server: AppServer, attacker: str, expected: int, timeout: float, repeats: int = 3
) -> dict[str, Any]:
    """A cold first visit, `repeats` warm visits (medians), a filter change, pans and zooms.

    Each step may time out on its own; what depends on it is then left out.
    """
    url = f"{server.url}/?basemap=Offline"
    out: dict[str, Any] = {"url": url, "attacker": attacker}
    try:  # a fresh server: this visit loads the file into the cache
        cold, session = first_visit(browser, url, timeout)
        session.close()
        out["cold_markers_s"] = cold["markers_s"]
        out["cold_script_done_s"] = cold["script_done_s"]
    except Timeout as exc:
        out["cold_markers_s"] = str(exc)
        return out
    out["server_after_first_visit"] = server.usage()
    visits: list[dict[str, Any]] = []
    session = None
    for _ in range(repeats):
        if session is not None:
            session.close()
        try:
            visit, session = first_visit(browser, url, timeout)
        except Timeout as exc:
            out["markers_s"] = str(exc)
            return out
        visits.append(visit)
    for key in ("script_done_s", "markers_s", "idle_to_markers_s", "ws_mb", "last_layer_s"):
        out[key] = median([v[key] for v in visits])
    out.update(settled_layers=visits[-1]["settled_layers"], visits=visits)
    try:
        # Pan and zoom first, over every event (a filtered set may be small enough not to
        # depend on the view); then the filter change.
        for key, step in (
            ("pan_ms", lambda: move(session, "pan", timeout)),
            ("zoom_ms", lambda: move(session, "zoom", timeout)),
            ("filter_redraw_s", lambda: change_attacker(session, attacker, expected, timeout)),
        ):
            try:
                out.update(step())
            except Timeout as exc:
                out[key] = str(exc)
                break
        out["error_elements"] = session.page.locator(ERRORS).count()
        out["page_errors"] = session.errors[:5]
    finally:
        session.close()
    memory = server.usage()
    out.update(server_rss_mb=memory["rss_mb"])
    return out


# ----------------------------------------------------------------------------- one size


def chosen_attacker(events: pd.DataFrame) -> tuple[str, int]:
    """A filter a user would pick: the third most frequent attacker (a real share of events),
    and how many events it keeps."""
    from geo.filters import FilterState, filter_events

    ranked = events["attacker"].value_counts().index.tolist()
    attacker = ranked[min(2, len(ranked) - 1)]
    return attacker, len(filter_events(events, FilterState(attackers=(attacker,))))


def measure_browser(
    acled: Path, size: int, folder: Path, timeout: float, repeats: int = 3
) -> dict[str, Any]:
    """The app for one synthetic file, in one Chromium.

    Page loads are repeated `repeats` times and their median reported.
    """
    from playwright.sync_api import sync_playwright

    from geo.events import load_events

    try:
        events_csv = converted_events(acled, folder)
    except RuntimeError as exc:
        return {"cold_markers_s": f"error: {exc}"}
    stored(events_csv)
    events = load_events(events_csv).events
    attacker, expected = chosen_attacker(events)
    app: dict[str, Any]
    with sync_playwright() as p:
        browser = launch(p)
        try:
            try:
                with app_server(events_csv, folder) as server:
                    app = measure_app(browser, server, attacker, expected, timeout, repeats)
                    if any(
                        isinstance(v, str) and v.startswith(("timeout", "error"))
                        for v in app.values()
                    ) or app.get("error_elements"):
                        app["server_log_tail"] = server.output()[-1500:]
            except RuntimeError as exc:
                app = {"cold_markers_s": f"error: {str(exc).splitlines()[0]}"}
        finally:
            browser.close()
    return app
