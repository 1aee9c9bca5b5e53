"""``python -m bench``: how the app scales from 1,000 to 1,000,000 events (issue 6).

For each size, a fresh Python process (so that its peak memory is its own) runs
``bench/inprocess.py`` under pytest-benchmark on a synthetic ACLED export: import, filters,
viewport selection, the map and the exports, each through the public ``geo/`` function the app
calls. Then, unless ``--no-browser``, the real app runs in headless Chromium
(``bench/browser.py``). Tables are printed
and everything is written as JSON (``bench/results/latest.json``); ``python -m bench.readme``
copies the tables and the findings into the README::

    python -m bench                                   # 1k, 10k, 100k, 1M; browser up to 1M
    python -m bench --sizes 1000,10000 --no-browser   # quick, in-process only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import (
    RESULTS_DIR,
    ROOT,
    Column,
    format_table,
    machine_facts,
    machine_line,
    write_results,
)
from bench.synth import cache_dir, cached_acled

DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)

SERVER_COLUMNS = [
    Column("size", "events"),
    Column("import_s", "import s", 1, 2),
    Column("filter_ms", "filter ms (slowest of 3, median)", 1000, 1),
    Column("viewport_ms", "viewport ms", 1000, 1),
    Column("map_s", "map build s", 1, 2),
    Column("payload_mb", "map data MB", 1, 2),
    Column("map_mode", "map shows"),
    Column("filtered_payload_mb", "map data MB, one attacker", 1, 2),
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


LEGEND = """\
In-process (pytest-benchmark, medians; bench/inprocess.py): import = geo.ingest.convert of the
synthetic ACLED CSV, once; filter = geo.filters.filter_events, the slowest of one attacker / one
year / attacker + year + event type; viewport = geo.filters.visible_events at the first view (all
events framed); map build = geo.mapview.draw_map (the map page's render: base map, layer, legend),
rendered to HTML, at the first view; map data = the layer's data as JSON (what a change of the layer
sends); exports = geo.export of every event in the first view; RSS = resident memory (peak: the
process's own high-water mark, VmHWM). Chromium (cold cache = the first visit to a fresh server, its
dataset already in the store; warm cache = a second visit; median of the repeats): script done =
navigation to the page's script first finishing; first markers = navigation to the first frame
painted with the events layer; websocket = bytes the server sent until the page settled; filter ->
redraw = click on an attacker in the sidebar to its layer painted; pan/zoom -> rerun = panBy 300 px
or zoom +-1 to the rerun it causes finishing; zoom -> new layer = to the new layer painted (when the
layer depends on the view)."""


# ----------------------------------------------------------------------------- one size


def run_inprocess(acled: Path, timeout: float) -> dict[str, Any]:
    """bench/inprocess.py on one file in a fresh interpreter: pytest-benchmark's JSON, or an
    {"error": ...} that says why there is none (a crash, a time-out)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "benchmark.json"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "bench" / "inprocess.py"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            f"--benchmark-json={out}",
        ]
        try:
            proc = subprocess.run(
                cmd,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "BENCH_ACLED": str(acled)},
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timeout >{timeout:.0f} s"}
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stdout or proc.stderr).strip().splitlines()[-3:]
            return {"error": f"exit {proc.returncode}: {' / '.join(tail)}"}
        return json.loads(out.read_text())


def server_row(size: int, measured: dict[str, Any]) -> dict[str, Any]:
    """One row of the in-process table from pytest-benchmark's JSON for one size."""
    if "error" in measured:
        return {"size": size, "import_s": measured["error"]}
    runs = {b["name"]: b for b in measured["benchmarks"]}

    def median(name: str) -> float:
        return runs[name]["stats"]["median"]

    def extra(name: str, key: str) -> Any:
        return runs[name]["extra_info"].get(key)

    return {
        "size": size,
        "import_s": median("test_import"),
        "filter_ms": max(median(n) for n in runs if n.startswith("test_filter[")),
        "viewport_ms": median("test_viewport"),
        "map_s": median("test_map[all events]"),
        "payload_mb": extra("test_map[all events]", "payload_mb"),
        "map_mode": extra("test_map[all events]", "shows"),
        "filtered_payload_mb": extra("test_map[one attacker]", "payload_mb"),
        "csv_s": median("test_export[csv]"),
        "geojson_s": median("test_export[geojson]"),
        "rss_data_mb": extra("test_import", "rss_mb"),
        "peak_before_export_mb": extra("test_map[one attacker]", "peak_rss_mb"),
        "peak_mb": extra("test_export[geojson]", "peak_rss_mb"),
    }


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
            raise argparse.ArgumentTypeError(
                f"--sizes: {part!r} is not a number of events (e.g. 1000, 10k, 1M)"
            ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--sizes: {text!r} holds no positive size")
    return sizes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated event counts (default 1000,10000,100000,1000000)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="only the in-process measurements, no Chromium"
    )
    parser.add_argument(
        "--browser-sizes",
        type=parse_sizes,
        default=None,
        help="sizes to open in the browser (default: all of --sizes)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="page loads per size up to 100k, median reported (default 3; larger sizes load once)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds one browser step may take before it counts as a time-out",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS_DIR / "latest.json",
        help="where to write the JSON results",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where synthetic files are kept (default: $BENCH_CACHE or <tmp>/conflict-map-bench)",
    )
    return parser.parse_args(argv)


def browser_row(size: int, app: dict[str, Any]) -> dict[str, Any]:
    return {"size": size, **{c.key: app.get(c.key) for c in BROWSER_COLUMNS[1:]}}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    folder = args.cache_dir or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    browser_sizes = [] if args.no_browser else (args.browser_sizes or args.sizes)
    from bench.browser import CHROMIUM

    facts = machine_facts(None if args.no_browser else CHROMIUM)
    results: dict[str, Any] = {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": facts,
        "sizes": {},
        "server_table": [],
        "browser_table": [],
        "legend": LEGEND,
    }

    for size in args.sizes:
        start = time.perf_counter()
        acled = cached_acled(size, folder)
        print(
            f"[{size:,} events] synthetic file {acled.name} "
            f"({time.perf_counter() - start:.1f} s); measuring in a fresh process…",
            flush=True,
        )
        measured = run_inprocess(acled, timeout=max(600, args.timeout * 4))
        results["sizes"][str(size)] = {"server": measured}
        results["server_table"].append(server_row(size, measured))
        print(format_table(results["server_table"][-1:], SERVER_COLUMNS), flush=True)

    if browser_sizes:
        from bench.browser import measure_browser

        for size in browser_sizes:
            acled = cached_acled(size, folder)
            print(f"[{size:,} events] in Chromium…", flush=True)
            app = measure_browser(
                acled,
                size,
                folder,
                timeout=args.timeout,
                repeats=args.repeats if size <= 100_000 else 1,
            )
            results["sizes"].setdefault(str(size), {})["browser"] = app
            results["browser_table"].append(browser_row(size, app))
            print(format_table(results["browser_table"][-1:], BROWSER_COLUMNS), flush=True)

    print()
    print(report(results))
    write_results(args.out, results)
    print(f"\nwrote {args.out}")
    return 0


def report(results: dict[str, Any]) -> str:
    """The tables as printed and as pasted into the README."""
    parts = [
        f"Machine: {machine_line(results['machine'])}",
        "",
        "In-process (public functions of geo/, one fresh process per size, medians):",
        "",
        format_table(results["server_table"], SERVER_COLUMNS),
    ]
    if results["browser_table"]:
        parts += [
            "",
            "The real app in headless Chromium (page loads: median of the repeats):",
            "",
            format_table(results["browser_table"], BROWSER_COLUMNS),
        ]
    parts += ["", LEGEND]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
