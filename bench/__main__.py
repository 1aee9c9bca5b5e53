"""``python -m bench``: how the app scales from 1,000 to 1,000,000 events (issue 6).

For each size, a fresh Python process (its peak memory its own) runs ``bench/inprocess.py``
under pytest-benchmark on a synthetic ACLED export; then, unless ``--no-browser``, the real
app runs in headless Chromium (``bench/browser.py``). The results go to JSON, whose tables and
findings ``python -m bench.readme`` copies into the README.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import RESULTS_DIR, ROOT, format_table, machine_facts, parse_sizes, write_results
from bench.appserver import CHROMIUM
from bench.readme import LEGEND, TABLES, section
from bench.synth import cache_dir, cached_acled


def run_inprocess(acled: Path, timeout: float) -> dict[str, Any]:
    """bench/inprocess.py on one file in a fresh interpreter: pytest-benchmark's JSON, or an
    {"error": ...} that says why there is none (a crash, a time-out)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "benchmark.json"
        cmd = [sys.executable, "-m", "pytest", str(ROOT / "bench" / "inprocess.py"), "-q"]
        cmd += ["-p", "no:cacheprovider", "-o", "addopts=", f"--benchmark-json={out}"]
        env = {**os.environ, "BENCH_ACLED": str(acled)}
        try:
            proc = subprocess.run(
                cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
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
    median = {name: b["stats"]["median"] for name, b in runs.items()}
    everything, one = runs["test_map[all events]"], runs["test_map[one attacker]"]
    return {
        "size": size,
        "import_s": median["test_import"],
        "filter_ms": max(m for n, m in median.items() if n.startswith("test_filter[")),
        "viewport_ms": median["test_viewport"],
        "map_s": median["test_map[all events]"],
        "payload_mb": everything["extra_info"].get("payload_mb"),
        "map_mode": everything["extra_info"].get("shows"),
        "filtered_payload_mb": one["extra_info"].get("payload_mb"),
        "csv_s": median["test_export[csv]"],
        "geojson_s": median["test_export[geojson]"],
        "rss_data_mb": runs["test_import"]["extra_info"].get("rss_mb"),
        "peak_before_export_mb": one["extra_info"].get("peak_rss_mb"),
        "peak_mb": runs["test_export[geojson]"]["extra_info"].get("peak_rss_mb"),
    }


def store_row(size: int, measured: dict[str, Any]) -> dict[str, Any]:
    """One row of the store's table (writing, opening, each engine's slowest query, a playback
    step) from pytest-benchmark's JSON for one size."""
    if "error" in measured:
        return {"size": size, "store_s": measured["error"]}
    median = {b["name"]: b["stats"]["median"] for b in measured["benchmarks"]}
    runs = {b["name"]: b for b in measured["benchmarks"]}

    def slowest(engine: str) -> float:
        return max(m for n, m in median.items() if n.startswith(f"test_query[{engine}-"))

    return {
        "size": size,
        "store_s": median["test_store"],
        "parquet_mb": runs["test_store"]["extra_info"].get("parquet_mb"),
        "open_s": median["test_open"],
        "polars_ms": slowest("polars"),
        "duckdb_ms": slowest("duckdb"),
        "playback_ms": median["test_playback_step"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", type=parse_sizes, default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--no-browser", action="store_true", help="in-process only")
    parser.add_argument("--repeats", type=int, default=3, help="page loads up to 100k (median)")
    parser.add_argument("--timeout", type=float, default=300, help="browser step deadline, s")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    folder = cache_dir()
    results: dict[str, Any] = {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_facts(None if args.no_browser else CHROMIUM),
        "sizes": {},
        "server_table": [],
        "store_table": [],
        "browser_table": [],
        "legend": LEGEND,
    }
    for size in args.sizes:
        print(f"[{size:,} events] in a fresh process…", flush=True)
        measured = run_inprocess(cached_acled(size, folder), timeout=max(600, args.timeout * 4))
        results["sizes"][str(size)] = {"server": measured}
        for table, row in (("server_table", server_row), ("store_table", store_row)):
            results[table].append(row(size, measured))
            print(format_table(results[table][-1:], TABLES[table]), flush=True)
    for size in [] if args.no_browser else args.sizes:
        from bench.browser import measure_browser

        print(f"[{size:,} events] in Chromium…", flush=True)
        repeats = args.repeats if size <= 100_000 else 1
        app = measure_browser(cached_acled(size, folder), folder, args.timeout, repeats)
        results["sizes"][str(size)]["browser"] = app
        columns = TABLES["browser_table"]
        results["browser_table"].append({c.key: app.get(c.key) for c in columns} | {"size": size})
        print(format_table(results["browser_table"][-1:], columns), flush=True)
    print("\n" + section([results], None))
    write_results(args.out, results)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
