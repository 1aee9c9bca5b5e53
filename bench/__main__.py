"""``python -m bench``: how the app scales from 1,000 to 1,000,000 events (issue 6).

For each size, a fresh Python process (so that its peak memory is its own) imports a synthetic
ACLED export with ``geo.ingest.convert`` and times the public functions the app calls: filters,
viewport selection, the map layer and its JavaScript as streamlit-folium sends it, the CSV and
GeoJSON exports. Then, unless ``--no-browser``, the real app runs in headless Chromium
(``bench/browser.py``) beside a naive folium map with one marker per event. Tables are printed
and everything is written as JSON (``bench/results/latest.json``)::

    python -m bench                                   # 1k, 10k, 100k, 1M; browser up to 1M
    python -m bench --sizes 1000,10000 --no-browser   # quick, in-process only

Everything is measured through the app's public functions, chosen the way ``app.py`` chooses
them (see :func:`build_layer`), so the benchmark follows the app when its rendering changes.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from bench import (
    RESULTS_DIR,
    ROOT,
    Column,
    current_rss_mb,
    format_table,
    machine_facts,
    machine_line,
    peak_rss_mb,
    timed,
    write_results,
)
from bench.synth import cache_dir, cached_acled

DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
NAIVE_MAX = 10_000
APP = ROOT / "app.py"

SERVER_COLUMNS = [
    Column("size", "events"),
    Column("import_s", "import s", 1, 2),
    Column("filter_ms", "filter ms (slowest of 3)", 1000, 1),
    Column("viewport_ms", "viewport ms", 1000, 1),
    Column("map_s", "map build s", 1, 2),
    Column("payload_mb", "map payload MB", 1, 2),
    Column("map_mode", "map shows"),
    Column("filtered_payload_mb", "payload MB, one attacker", 1, 2),
    Column("csv_s", "CSV export s", 1, 2),
    Column("geojson_s", "GeoJSON export s", 1, 2),
    Column("rss_data_mb", "RSS after import MB"),
    Column("peak_before_export_mb", "peak RSS before exports MB"),
    Column("peak_mb", "peak RSS MB"),
]
BROWSER_COLUMNS = [
    Column("size", "events"),
    Column("cold_markers_s", "first visit (cold cache): markers s", 1, 2),
    Column("script_done_s", "script done s", 1, 2),
    Column("markers_s", "first markers s", 1, 2),
    Column("idle_to_markers_s", "script done → markers s", 1, 2),
    Column("ws_mb", "websocket MB", 1, 2),
    Column("filter_redraw_s", "filter → redraw s", 1, 2),
    Column("pan_rerun_s", "pan → rerun done s", 1, 2),
    Column("zoom_rerun_s", "zoom → rerun done s", 1, 2),
    Column("zoom_new_layer_s", "zoom → new layer s", 1, 2),
    Column("server_rss_mb", "server RSS MB"),
]
NAIVE_COLUMNS = [
    Column("size", "events"),
    Column("markers_s", "ours: first markers s", 1, 2),
    Column("naive_markers_s", "naive: all markers s", 1, 2),
    Column("ratio", "ours / naive", 1, 2),
    Column("pan_ms", "ours: pan ms", 1000, 0),
    Column("naive_pan_ms", "naive: pan ms", 1000, 0),
    Column("zoom_ms", "ours: zoom ms", 1000, 0),
    Column("naive_zoom_ms", "naive: zoom ms", 1000, 0),
    Column("naive_html_mb", "naive HTML MB", 1, 1),
]


LEGEND = """\
In-process: import = geo.ingest.convert of the synthetic ACLED CSV; filter = geo.filters.
filter_events, slowest of one attacker / one year / attacker + year + event type; viewport =
geo.filters.visible_events at the first view (all events framed); map build = base_map + the
layer functions app.py calls + streamlit-folium's feature-group JavaScript, for all events at
the first view; payload = that JavaScript (sent on every change of the layer); exports =
geo.export of every event in the first view; RSS = resident memory (peak: ru_maxrss).
Chromium (warm cache = a second visit; median of the repeats): script done = navigation to the
page's script first finishing; first markers = navigation to the first frame painted with the
events layer; websocket = bytes the server sent until the page settled; filter -> redraw = click
on an attacker in the sidebar to its layer painted; pan/zoom -> rerun = panBy 300 px or zoom +-1
to the rerun it causes finishing; zoom -> new layer = to the new layer painted (when the layer
depends on the view). Naive: navigation to every folium marker in the page with its image
loaded, painted; pan/zoom ms = the move without animation to the next frame painted (median of
3), for both maps."""


# ----------------------------------------------------------------------------- what app.py does


def app_constant(name: str, default: int) -> int:
    """A module-level integer of app.py (e.g. MAP_HEIGHT), read without running the page."""
    try:
        tree = ast.parse(APP.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return default
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, int)):
            return node.value.value
    return default


def app_imports(module: str = "geo.mapview") -> set[str]:
    """The names app.py imports from `module`: the functions the page really calls."""
    try:
        tree = ast.parse(APP.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return set()
    return {alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == module
            for alias in node.names}


def call_with(fn: Callable[..., Any], available: dict[str, Any]) -> Any:
    """Call fn with the arguments it names, taken from `available`.

    The app's functions may gain parameters (a viewport, a zoom) while this benchmark lives;
    a required parameter we cannot supply is an error that names it.
    """
    kwargs, missing = {}, []
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if name in available:
            kwargs[name] = available[name]
        elif param.default is param.empty:
            missing.append(name)
    if missing:
        raise TypeError(f"{fn.__module__}.{fn.__name__} needs {', '.join(missing)}, which the "
                        "benchmark does not know how to supply: update bench/__main__.py")
    return fn(**kwargs)


def build_layer(shown: pd.DataFrame, colors: dict[str, str], view: Any, bounds: Any,
                assets: Any) -> tuple[str, str]:
    """Build the map as app.py does; return (feature-group JavaScript as sent, what it shows).

    The JavaScript is what streamlit-folium sends to the browser on every change of the layer
    (``_get_feature_group_string``, the function st_folium itself calls).
    """
    from streamlit_folium import _get_feature_group_string

    import geo.mapview as mapview

    used = app_imports()
    available = {"events": shown, "shown": shown, "colors": colors, "view": view,
                 "bounds": bounds, "zoom": view.zoom, "center": (view.lat, view.lon)}
    m = mapview.base_map("Offline", assets)
    mode = "points"
    if "plan_layer" in used and hasattr(mapview, "plan_layer"):
        plan = call_with(mapview.plan_layer, available)
        payload = getattr(plan, "payload", plan)
        mode = payload.get("mode", mode) if isinstance(payload, dict) else mode
        if mode == "cells":
            mode = f"{payload.get('cells', 0):,} cells"
        layer = call_with(mapview.events_layer, {**available, "payload": payload})
    else:
        layer = call_with(mapview.events_layer, available)
    return _get_feature_group_string(layer, m), mode


def realistic_filters(events: pd.DataFrame) -> dict[str, Any]:
    """Filter states a user would try: one attacker, one year, and both with an event type."""
    from geo.filters import FilterState

    attackers = events["attacker"].value_counts().index.tolist()
    years = events["event_date"].dt.year
    year = int(years.median()) if len(years) else 2022
    top_type = events["event_type"].value_counts().index[0]
    one_year = dict(start=date(year, 1, 1), end=date(year, 12, 31))
    return {
        "one attacker": FilterState(attackers=(attackers[0],)),
        "date range": FilterState(**one_year),
        "combined": FilterState(attackers=(attackers[1 % len(attackers)],),
                                event_types=(top_type,), **one_year),
    }


def city_view(events: pd.DataFrame, zoom: int = 11) -> Any:
    """A zoomed-in view on the place with the most events."""
    from geo.filters import View

    if events.empty:
        return View(33.0, 44.0, zoom)
    here = events.loc[events["location"] == events["location"].mode().iat[0]]
    return View(round(float(here["latitude"].median()), 4),
                round(float(here["longitude"].median()), 4), zoom)


# ----------------------------------------------------------------------------- one size


def measure_size(acled: Path) -> dict[str, Any]:
    """Everything in-process for one synthetic ACLED file; run it in a fresh process."""
    from geo.assets import install_assets
    from geo.export import to_csv_bytes, to_geojson_bytes
    from geo.filters import View, filter_events, frame, view_bounds, visible_events
    from geo.ingest import convert
    from geo.mapview import HOME, attacker_colors
    from geo.viewstate import ASSUMED_WIDTH, MAP_HEIGHT

    width, height = ASSUMED_WIDTH, MAP_HEIGHT
    out: dict[str, Any] = {"file": acled.name, "file_mb": round(acled.stat().st_size / 1e6, 1)}
    start = time.perf_counter()
    result = convert(acled)
    out["import_s"] = time.perf_counter() - start
    events = result.events
    out.update(rows=len(events), problems=len(result.problems), rss_data_mb=current_rss_mb())

    out["filters"] = {}
    for name, state in realistic_filters(events).items():
        seconds, shown = timed(lambda state=state: filter_events(events, state))
        out["filters"][name] = {"seconds": seconds, "rows": len(shown)}
    out["filter_ms"] = max(f["seconds"] for f in out["filters"].values())

    initial = frame(events, width, height) or View(HOME[0], HOME[1], 5)
    views = {"initial": initial, "city": city_view(events)}
    out["views"] = {}
    for name, view in views.items():
        bounds = view_bounds(view, width, height)
        seconds, visible = timed(lambda bounds=bounds: visible_events(events, bounds))
        out["views"][name] = {"view": [view.lat, view.lon, view.zoom], "seconds": seconds,
                              "rows": len(visible)}
    out["viewport_ms"] = out["views"]["initial"]["seconds"]

    assets = install_assets()
    colors = attacker_colors(events)
    one_attacker = filter_events(events, realistic_filters(events)["one attacker"])
    out["maps"] = {}
    for name, shown, view in (("initial", events, initial), ("one attacker", one_attacker, initial),
                              ("city", events, views["city"])):
        bounds = view_bounds(view, width, height)
        try:
            seconds, (script, mode) = timed(
                lambda shown=shown, view=view, bounds=bounds:
                build_layer(shown, colors, view, bounds, assets), budget=2.0, max_runs=3)
        except Exception as exc:  # a changed API is reported in the table, not a crash
            out["maps"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        out["maps"][name] = {"seconds": seconds, "bytes": len(script.encode("utf-8")),
                             "mode": mode, "events": len(shown)}
    first = out["maps"]["initial"]
    out["map_s"] = first.get("seconds", "error")
    out["payload_mb"] = first["bytes"] / 1e6 if "bytes" in first else first.get("error")
    out["map_mode"] = first.get("mode")
    filtered = out["maps"]["one attacker"]
    out["filtered_payload_mb"] = filtered["bytes"] / 1e6 if "bytes" in filtered else None
    out["peak_before_export_mb"] = peak_rss_mb()

    visible = visible_events(events, view_bounds(initial, width, height))
    out["export_rows"] = len(visible)
    for key, fn in (("csv", to_csv_bytes), ("geojson", to_geojson_bytes)):
        seconds, data = timed(lambda fn=fn: fn(visible), budget=1.0, max_runs=3)
        out[f"{key}_s"], out[f"{key}_mb"] = seconds, len(data) / 1e6
        del data
    # ru_maxrss is in kilobytes on Linux: the peak of this process, from start to now.
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def run_worker(acled: Path, timeout: float) -> dict[str, Any]:
    """measure_size in a fresh interpreter; a crash or time-out becomes a message."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "bench", "--worker", str(acled), "--worker-out", str(out)]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timeout >{timeout:.0f} s"}
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return {"error": f"exit {proc.returncode}: {' / '.join(tail)}"}
        return json.loads(out.read_text())


# ----------------------------------------------------------------------------- the run


def parse_sizes(text: str) -> list[int]:
    """'1000,10k,1M' -> [1000, 10000, 1000000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        factor = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        number = part[:-1] if factor > 1 else part
        try:
            sizes.append(int(float(number) * factor))
        except ValueError:
            raise argparse.ArgumentTypeError(f"--sizes: {part!r} is not a number of events "
                                             "(e.g. 1000, 10k, 1M)") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--sizes: {text!r} holds no positive size")
    return sizes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="comma-separated event counts (default 1000,10000,100000,1000000)")
    parser.add_argument("--no-browser", action="store_true",
                        help="only the in-process measurements, no Chromium")
    parser.add_argument("--browser-sizes", type=parse_sizes, default=None,
                        help="sizes to open in the browser (default: all of --sizes)")
    parser.add_argument("--naive-max", type=int, default=NAIVE_MAX,
                        help=f"largest size for the naive folium baseline (default {NAIVE_MAX})")
    parser.add_argument("--repeats", type=int, default=3,
                        help="page loads per size up to 100k, median reported (default 3; "
                             "larger sizes load once)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds one browser step may take before it counts as a time-out")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json",
                        help="where to write the JSON results")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where synthetic files are kept (default: $BENCH_CACHE or "
                             "<tmp>/conflict-map-bench)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def server_row(size: int, measured: dict[str, Any]) -> dict[str, Any]:
    if "error" in measured:
        return {"size": size, "import_s": measured["error"]}
    return {"size": size, **{c.key: measured.get(c.key) for c in SERVER_COLUMNS[1:]}}


def browser_row(size: int, app: dict[str, Any]) -> dict[str, Any]:
    return {"size": size, **{c.key: app.get(c.key) for c in BROWSER_COLUMNS[1:]}}


def naive_row(size: int, app: dict[str, Any], naive: dict[str, Any]) -> dict[str, Any]:
    row = {"size": size, "markers_s": app.get("markers_s"), "pan_ms": app.get("pan_ms"),
           "zoom_ms": app.get("zoom_ms"), "naive_markers_s": naive.get("markers_s"),
           "naive_pan_ms": naive.get("pan_ms"), "naive_zoom_ms": naive.get("zoom_ms"),
           "naive_html_mb": naive.get("html_mb")}
    ours, theirs = row["markers_s"], row["naive_markers_s"]
    if isinstance(ours, float) and isinstance(theirs, float) and theirs > 0:
        row["ratio"] = ours / theirs
    return row


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        write_results(args.worker_out, measure_size(args.worker))
        return 0

    folder = args.cache_dir or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    browser_sizes = [] if args.no_browser else (args.browser_sizes or args.sizes)
    from bench.browser import CHROMIUM

    facts = machine_facts(None if args.no_browser else CHROMIUM)
    results: dict[str, Any] = {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": facts, "sizes": {}, "server_table": [], "browser_table": [],
        "naive_table": [], "legend": LEGEND}

    for size in args.sizes:
        start = time.perf_counter()
        acled = cached_acled(size, folder)
        print(f"[{size:,} events] synthetic file {acled.name} "
              f"({time.perf_counter() - start:.1f} s); measuring in a fresh process…", flush=True)
        measured = run_worker(acled, timeout=max(600, args.timeout * 4))
        results["sizes"][str(size)] = {"server": measured}
        results["server_table"].append(server_row(size, measured))
        print(format_table(results["server_table"][-1:], SERVER_COLUMNS), flush=True)

    if browser_sizes:
        from bench.browser import measure_browser

        for size in browser_sizes:
            acled = cached_acled(size, folder)
            print(f"[{size:,} events] in Chromium…", flush=True)
            app, naive = measure_browser(acled, size, folder, timeout=args.timeout,
                                         naive=size <= args.naive_max,
                                         repeats=args.repeats if size <= 100_000 else 1)
            entry = results["sizes"].setdefault(str(size), {})
            entry.update(browser=app, naive=naive)
            results["browser_table"].append(browser_row(size, app))
            print(format_table(results["browser_table"][-1:], BROWSER_COLUMNS), flush=True)
            if naive is not None:
                results["naive_table"].append(naive_row(size, app, naive))
                print(format_table(results["naive_table"][-1:], NAIVE_COLUMNS), flush=True)

    print()
    print(report(results))
    write_results(args.out, results)
    print(f"\nwrote {args.out}")
    return 0


def report(results: dict[str, Any]) -> str:
    """The tables as printed and as pasted into the README."""
    parts = [f"Machine: {machine_line(results['machine'])}", "",
             "In-process (public functions of geo/, one fresh process per size):", "",
             format_table(results["server_table"], SERVER_COLUMNS)]
    if results["browser_table"]:
        parts += ["", "The real app in headless Chromium (page loads: median of the repeats):",
                  "", format_table(results["browser_table"], BROWSER_COLUMNS)]
    if results["naive_table"]:
        parts += ["", "Against a naive folium map (one folium.Marker with a popup per event):",
                  "", format_table(results["naive_table"], NAIVE_COLUMNS)]
    parts += ["", LEGEND]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
