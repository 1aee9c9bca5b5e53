"""Chromium timings of the real app (``streamlit run serve.py``) on a synthetic events file,
opened with ``?basemap=Offline`` in headless Chromium with the browser tests' flags.

Timestamps are taken inside the page (``Date.now()`` in an init script), so how often Python
polls changes no number; every wait has a deadline, and one that passes is reported as
``"timeout >N s"``. "Markers shown" is a streamlit-folium layer (``window.feature_group``) on
the map with something drawn, timed at the next animation frame; "redraw" is a new layer shown.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench import ROOT
from bench.appserver import AppServer, app_server, chromium, server_args
from geo.events import load_events
from geo.filters import FilterState, filter_events
from geo.store import Settings, Store

VIEWPORT = {"width": 1400, "height": 1000}
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
QUIET_MS = 1500  # "settled": the script is idle and no websocket frame came for this long

# Before the page's scripts: window.__bench.idles (each time the app's script finishes),
# .input (the last click or key) and .layers (each new events layer in the map's frame, timed
# at the animation frame after the one it was found at: painted). Watched from the top: the
# frame's documents come and go.
INIT_JS = r"""
(() => {
  if (window.top !== window || window.__bench) { return; }
  const b = window.__bench = {idles: [], running: false, input: null, layers: []};
  const check = () => {
    const state = document.querySelector('[data-test-script-state]')?.dataset.testScriptState;
    if (state === 'running') { b.running = true; }
    else if (state === 'notRunning' && b.running) { b.running = false; b.idles.push(Date.now()); }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true,
    attributes: true, attributeFilter: ['data-test-script-state']});
  for (const type of ['click', 'keydown']) {
    document.addEventListener(type, () => { b.input = Date.now(); }, true);
  }
  let pending = 0;
  const look = () => {
    const frame = document.querySelector("FRAME_SELECTOR");
    const w = frame && frame.contentWindow, d = frame && frame.contentDocument;
    // Before Leaflet runs, window.map can be the <div id="map"> element: test for a map.
    const map = w && d && [w.map_div, w.map].find(m => m && typeof m.hasLayer === 'function');
    if (!map || !d.querySelector('.leaflet-marker-pane > *, ' +
        '.leaflet-overlay-pane path.leaflet-interactive, .leaflet-overlay-pane canvas')) { return; }
    for (const g of w.feature_group || []) {
      if (!g.__benchSeen && map.hasLayer(g)) { g.__benchSeen = true; pending += 1; }
    }
  };
  const tick = () => {
    const now = Date.now();
    for (; pending > 0; pending -= 1) { b.layers.push(now); }
    try { look(); } finally { requestAnimationFrame(tick); }
  };
  requestAnimationFrame(tick);
})();
""".replace("FRAME_SELECTOR", MAP_FRAME.replace('"', '\\"'))

# The number the "Events shown" metric displays, or null while it is not there.
SHOWN_JS = """() => {
  const label = "[data-testid='stMetricLabel']", value = "[data-testid='stMetricValue']";
  const metric = [...document.querySelectorAll("[data-testid='stMetric']")]
    .find(m => m.querySelector(label)?.innerText.includes('Events shown'));
  const shown = metric?.querySelector(value);
  return shown ? parseInt(shown.innerText.replace(/[^0-9]/g, ''), 10) : null;
}"""

# Pan by `step` x 300 px or zoom by `step`, unanimated; the ms to the frame after the paint.
MOVE_JS = """async ([kind, step]) => {
  const map = [window.map_div, window.map].find(m => m && m.panBy);
  const t0 = Date.now(), p0 = performance.now();
  await new Promise(done => {
    map.once(kind === 'pan' ? 'moveend' : 'zoomend', done);
    if (kind === 'pan') { map.panBy([300 * step, 0], {animate: false}); }
    else { map.setZoom(map.getZoom() + step, {animate: false}); }
  });
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return {t0: t0, ms: performance.now() - p0};
}"""
STEPS = (1, -1, 1)  # there and back, and there again: 3 samples of a pan or a zoom


def median(values: list[Any]) -> Any:
    """The median (upper middle) of the numbers; the first text (a time-out) if there is one."""
    text = [v for v in values if not isinstance(v, (int, float))]
    return text[0] if text else statistics.median_high(values) if values else None


class Timeout(Exception):
    """A step did not finish before its deadline."""


def timeout_text(seconds: float) -> str:
    return f"timeout >{seconds:.0f} s"


def converted_events(acled: Path, folder: Path) -> Path:
    """The ACLED file as this project's events CSV (``python -m geo.ingest``), made once."""
    out = folder / f"{acled.stem}.events.csv"
    if out.exists() and out.stat().st_mtime >= acled.stat().st_mtime:
        return out
    cmd = [sys.executable, "-m", "geo.ingest", str(acled), "--output", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"python -m geo.ingest {acled.name} failed:\n{proc.stderr[-2000:]}")
    return out


def _wait(page: Any, js: str, timeout: float, arg: Any = None) -> Any:
    try:
        return page.wait_for_function(js, arg=arg, timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise Timeout(timeout_text(timeout)) from None


def _bench(page: Any) -> dict[str, Any]:
    return page.evaluate("() => ({...window.__bench, origin: performance.timeOrigin})")


class Session:
    """A browser context and page (opened at `url` if given) that counts the bytes the server
    sends, the page's errors and every request leaving 127.0.0.1 (``offsite``)."""

    def __init__(self, browser: Any, url: str | None = None, init_js: str = INIT_JS) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(init_js)
        self.offsite: list[str] = []
        self.errors: list[str] = []
        self.ws_bytes, self.last_frame = 0, time.monotonic()
        self.context.on("request", self._on_request)
        self.page = self.context.new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)[:300]))
        if url:
            self.page.goto(url, wait_until="commit")

    def _on_request(self, request: Any) -> None:
        url = request.url
        if url.startswith(("http", "ws")) and not url.split("//")[1].startswith("127.0.0.1"):
            self.offsite.append(url[:200])

    def _on_frame(self, payload: str | bytes) -> None:
        self.ws_bytes += len(payload)
        self.last_frame = time.monotonic()

    def page_times(self, out: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Navigation to the script's first finish and to the first markers painted, in s."""
        _wait(self.page, "() => window.__bench && window.__bench.idles.length > 0", timeout)
        b = _bench(self.page)
        out["script_done_s"] = (b["idles"][0] - b["origin"]) / 1000
        _wait(self.page, "() => window.__bench.layers.length > 0", timeout)
        first = _bench(self.page)["layers"][0]  # Date.now() when the markers were painted
        out.update(markers_s=(first - b["origin"]) / 1000, markers_at=first / 1000)
        return out

    def wait_quiet(self, timeout: float) -> None:
        """Until the script is idle and no websocket frame has come for QUIET_MS."""
        deadline = time.monotonic() + timeout
        js = "() => document.querySelector('[data-test-script-state]')?.dataset.testScriptState"
        while time.monotonic() < deadline:
            if (
                self.page.evaluate(js) == "notRunning"
                and time.monotonic() - self.last_frame > QUIET_MS / 1000
            ):
                return
            self.page.wait_for_timeout(100)  # polling interval for the condition above
        raise Timeout(timeout_text(timeout))

    def close(self) -> None:
        self.context.close()


def first_visit(browser: Any, url: str, timeout: float) -> tuple[dict[str, Any], Session]:
    """Open the page and wait for the script to finish, the first markers and quiet."""
    session = Session(browser, url)
    try:
        out = session.page_times({}, timeout)
        out["idle_to_markers_s"] = out["markers_s"] - out["script_done_s"]
        session.wait_quiet(timeout)
        b = _bench(session.page)
        out.update(
            settled_layers=len(b["layers"]),
            ws_mb=session.ws_bytes / 1e6,
            last_layer_s=(b["layers"][-1] - b["origin"]) / 1000 if b["layers"] else None,
            page_errors=session.errors[:5],
            error_elements=session.page.locator(ERRORS).count(),
        )
        return out, session
    except Exception:
        session.close()
        raise


def choose_attacker(page: Any, attacker: str) -> int:
    """Type the attacker into the sidebar's Attacker box and click it: the click's Date.now()."""
    box = page.get_by_role("combobox", name="Attacker")
    box.click()
    box.fill(attacker)
    page.get_by_role("option", name=attacker, exact=True).click()
    return page.evaluate("() => window.__bench.input")


def change_attacker(
    session: Session, attacker: str, expected: int, timeout: float
) -> dict[str, Any]:
    """Choose one attacker in the sidebar; time from the click to the new layer drawn."""
    page, sent_before = session.page, session.ws_bytes
    before = len(_bench(page)["layers"])
    clicked = choose_attacker(page, attacker)
    _wait(page, "n => window.__bench.layers.length > n", timeout, before)
    out = {"filter_redraw_s": (_bench(page)["layers"][before] - clicked) / 1000}
    _wait(page, f"n => ({SHOWN_JS})() === n", timeout, expected)
    session.wait_quiet(timeout)
    out.update(
        filter_shown=page.evaluate(SHOWN_JS),
        filter_expected=expected,
        filter_ws_mb=(session.ws_bytes - sent_before) / 1e6,
    )
    return out


def move(session: Session, kind: str, timeout: float) -> dict[str, Any]:
    """Pan or zoom the map three times: the browser's redraw, the rerun it causes and, when the
    layer depends on the view, the new layer drawn (``{kind}_new_layer_s``)."""
    page = session.page
    samples: dict[str, list[Any]] = {f"{kind}_{k}": [] for k in ("ms", "rerun_s", "new_layer_s")}
    for step in STEPS:
        b = _bench(page)
        runs, layers = len(b["idles"]), len(b["layers"])
        moved = page.wait_for_selector(MAP_FRAME).content_frame().evaluate(MOVE_JS, [kind, step])
        samples[f"{kind}_ms"].append(moved["ms"] / 1000)
        try:
            js = "n => window.__bench.idles.length > n && !window.__bench.running"
            _wait(page, js, timeout, runs)
            session.wait_quiet(timeout)
        except Timeout as exc:
            samples[f"{kind}_rerun_s"].append(str(exc))
            break
        b = _bench(page)
        samples[f"{kind}_rerun_s"].append((b["idles"][-1] - moved["t0"]) / 1000)
        if len(b["layers"]) > layers:
            samples[f"{kind}_new_layer_s"].append((b["layers"][layers] - moved["t0"]) / 1000)
    return {**{key: median(values) for key, values in samples.items()}, f"{kind}_samples": samples}


def measure_app(
    browser: Any, server: AppServer, attacker: str, expected: int, timeout: float, repeats: int = 3
) -> dict[str, Any]:
    """A cold first visit, `repeats` warm visits (medians), pans and zooms over every event,
    then a filter change. A step that times out leaves out what depends on it."""
    url = f"{server.url}/?basemap=Offline"
    out: dict[str, Any] = {"url": url, "attacker": attacker}
    try:  # a fresh server: this visit loads the file into the cache
        cold, session = first_visit(browser, url, timeout)
        session.close()
        out.update(
            cold_markers_s=cold["markers_s"],
            cold_script_done_s=cold["script_done_s"],
            cold_from_start_s=cold["markers_at"] - server.started,
        )
    except Timeout as exc:
        out["cold_markers_s"] = str(exc)
        return out
    out["server_after_first_visit"] = server.usage()
    visits: list[dict[str, Any]] = []
    for _ in range(repeats):
        if visits:
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
    out["server_rss_mb"] = server.usage()["rss_mb"]
    return out


def chosen_attacker(events: pd.DataFrame) -> tuple[str, int]:
    """The third most frequent attacker (a real share of events) and how many events it has."""
    ranked = events["attacker"].value_counts().index.tolist()
    attacker = ranked[min(2, len(ranked) - 1)]
    return attacker, len(filter_events(events, FilterState(attackers=(attacker,))))


def measure_browser(acled: Path, folder: Path, timeout: float, repeats: int = 3) -> dict[str, Any]:
    """The app on one synthetic file in one Chromium (page loads: median of `repeats`)."""
    try:
        events_csv = converted_events(acled, folder)
    except RuntimeError as exc:
        return {"cold_markers_s": f"error: {exc}"}
    # Stored before the server starts: its "cold" first visit finds the dataset in the store
    # (converting and storing are measured in-process, by bench/inprocess.py).
    Store(Settings.from_sources(server_args(events_csv))).ensure_file(events_csv)
    attacker, expected = chosen_attacker(load_events(events_csv).events)
    with chromium() as browser:
        try:
            with app_server(server_args(events_csv), folder) as server:
                app = measure_app(browser, server, attacker, expected, timeout, repeats)
                failed = [v for v in app.values() if str(v).startswith(("timeout", "error"))]
                if failed or app.get("error_elements"):
                    app["server_log_tail"] = server.output()[-1500:]
        except RuntimeError as exc:
            app = {"cold_markers_s": f"error: {str(exc).splitlines()[0]}"}
    return app
