"""``python -m bench.store``: the event store at scale (conversion, opening, queries with Polars
and DuckDB, exports, server memory). Prints numbers, asserts nothing; the synthetic files
come from bench/synth.py (cached)::

    python -m bench.store                  # 1M synthetic ACLED events
    python -m bench.store --rows 2500000   # ACLED's whole public history, about
    python -m bench.store --sessions 5     # also: server memory after 5 sessions importing 10 MB
    python -m bench.store --rows 0 --sessions 10   # the sessions alone
    python -m bench.store --rows 0 --downloads 1000000   # the exports through the real
                                           # server in Chromium (serve.py streamed; app.py not)
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import statistics
import tempfile
import time
import timeit
from datetime import date
from functools import partial
from multiprocessing.connection import wait
from pathlib import Path

import psutil

from bench import PeakRSS, cpu_seconds
from bench.appserver import MAX_DATASET_MB, AppServer, app_server, chromium
from bench.synth import cache_dir, cached_acled
from geo.filters import Bounds, FilterState
from geo.store import (
    DuckDBEngine,
    PolarsEngine,
    Settings,
    Store,
    csv_chunks,
    geojson_chunks,
    read_events,
)

MAP_COLUMNS = """event_id event_date attacker target_group event_type latitude longitude
geo_precision fatalities injuries""".split()


def _send(conn, target, *args) -> None:
    conn.send(target(*args))


def in_child(method: str, target, *args):
    """target(*args) in a child process: what it returned, and the child's peak RSS (bytes);
    RuntimeError if it dies first (its traceback is on stderr)."""
    ctx = mp.get_context(method)
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_send, args=(writer, target, *args))
    child.start()
    with PeakRSS(child.pid) as peak:
        wait([reader, child.sentinel])
    if not reader.poll():
        raise RuntimeError(f"the measuring process exited ({child.exitcode})")
    result = reader.recv()
    child.join()
    return result, peak.peak


def settings(root: Path | str) -> Settings:
    return Settings(root=Path(root), max_dataset_mb=MAX_DATASET_MB)


def convert_and_put(source: str, root: str) -> tuple[str, str, str]:
    """The ACLED file converted and stored (in a child): the dataset's id and what to print."""
    from geo.ingest import convert

    t = time.perf_counter()
    result = convert(source, "acled")
    t_convert, t = time.perf_counter() - t, time.perf_counter()
    entry = Store(settings(root)).put(
        result.events, name=Path(source).name, format=result.format, problems=result.problems
    )
    said = (
        f"convert ACLED CSV ({Path(source).stat().st_size / 1e6:,.0f} MB) → validated events: "
        f"{t_convert:.2f} s; → Parquet + catalogue: {time.perf_counter() - t:.2f} s"
    )
    return entry.id, said, f"stored: {entry.rows:,} events, Parquet {entry.bytes / 1e6:,.1f} MB"


def open_converted(root: str, dataset_id: str) -> str:
    """A stored dataset opened (in a fresh process): its catalogue entry and filter options,
    the map's columns, then every column; what to print."""
    process = psutil.Process()
    before = process.memory_info().rss
    t = time.perf_counter()
    store = Store(settings(root))
    attackers = len(store.get(dataset_id).filter_options().attackers)
    t_entry, t = time.perf_counter() - t, time.perf_counter()
    narrow = read_events(store.path(dataset_id), MAP_COLUMNS)
    t_narrow, rss_narrow = time.perf_counter() - t, process.memory_info().rss - before
    del narrow
    gc.collect()
    t = time.perf_counter()
    full = store.load(dataset_id)
    t_full, rss_full = time.perf_counter() - t, process.memory_info().rss - before
    return (
        f"open converted (fresh process): catalogue entry + filter options ({attackers} "
        f"attackers) {t_entry * 1000:.0f} ms; map columns {t_narrow:.2f} s (+"
        f"{rss_narrow / 1e6:,.0f} MB RSS); every column {t_full:.2f} s (+{rss_full / 1e6:,.0f} "
        f"MB RSS, pandas says {full.memory_usage(deep=True).sum() / 1e6:,.0f} MB)"
    )


def median_ms(fn, repeat: int = 5) -> float:
    return 1000 * statistics.median(timeit.repeat(fn, number=1, repeat=repeat))


def queries(path: Path) -> None:
    import pyarrow.parquet as pq

    counts = pq.read_table(path, columns=["attacker"]).column(0).to_pandas().value_counts()
    top = [str(a) for a in counts.index[:3]]
    states = {
        "no filter": FilterState(),
        "1 attacker": FilterState(attackers=(top[0],)),
        "2 attackers": FilterState(attackers=tuple(top[1:3])),
        "18 months": FilterState(start=date(2020, 1, 1), end=date(2021, 6, 30)),
    }
    view = Bounds(30, 38, 38, 48)  # Iraq and around
    print("query (median of 5)           polars rows   duckdb rows   polars count  duckdb count")
    engines = (PolarsEngine(), DuckDBEngine())
    for name, state in states.items():
        for bounds in (None, view):
            n = len(engines[0].rows([path], state, bounds))
            cells = [
                f"{median_ms(partial(getattr(e, kind), [path], state, bounds)):9.0f} ms"
                for kind in ("rows", "count")
                for e in engines
            ]
            label = f"{name}{' + viewport' if bounds else ''} ({n:,})"
            print(f"{label:30s}" + "  ".join(cells))
    frame = read_events(path)
    rows = PolarsEngine().rows([path], states["1 attacker"])
    print(
        f"pandas take of the {len(rows):,} matching rows from the frame in memory (what "
        f"ui.filtered does after the query): {median_ms(lambda: frame.take(rows), 3):.0f} ms"
    )


def export(path: Path) -> None:
    """Every event to a file in geo.export's formats, read from Parquet in batches and written
    a chunk at a time (plain, then gzip-compressed as the export route sends it to a browser
    on another machine): seconds, CPU seconds, size, and peak RSS over the process before."""
    from downloads import body

    process = psutil.Process()
    for name, chunks in (("CSV", csv_chunks), ("GeoJSON", geojson_chunks)):
        for gzip in (False, True):
            gc.collect()
            with tempfile.TemporaryDirectory() as folder, PeakRSS(process.pid) as peak:
                base, cpu, t = process.memory_info().rss, cpu_seconds(), time.perf_counter()
                out = Path(folder) / "export"
                with out.open("wb") as f:
                    for chunk in body(chunks(PolarsEngine(), [path], None), gzip):
                        f.write(chunk)
                elapsed, size = time.perf_counter() - t, out.stat().st_size
            print(
                f"{name} export of every event from the store, chunks of 50,000"
                f"{', gzip' if gzip else ''}: {elapsed:.2f} s ({cpu_seconds() - cpu:.2f} s CPU), "
                f"{size / 1e6:,.0f} MB written, peak RSS +{(peak.peak - base) / 1e6:,.0f} MB "
                "over the process before it"
            )


def server_mb(server: AppServer) -> float:
    """The server's resident memory now, in MB (10^6 bytes, as every figure of this module)."""
    return psutil.Process(server.pid).memory_info().rss / 1e6


def server_cost(server: AppServer, what: str, action, *args) -> None:
    """Run action(*args) (which returns what to print first) and print the server's CPU time
    and its resident memory before, at the peak (sampled every 20 ms) and after."""
    gc.collect()
    before, cpu = server_mb(server), cpu_seconds(server.pid)
    with PeakRSS(server.pid) as peak:
        said = action(*args)
    print(
        f"{what}: {said}; server CPU {cpu_seconds(server.pid) - cpu:.2f} s, RSS {before:,.0f} "
        f"MB before, peak {peak.peak / 1e6:,.0f} MB, {server_mb(server):,.0f} MB after"
    )


def downloads(rows: int, root: Path, scripts: tuple[str, ...] = ("serve.py", "app.py")) -> None:
    """The map's two exports of every event in the first view through the real server: under
    serve.py (streamed by downloads.py) read twice by a plain HTTP client (the second warm),
    to show what the browser adds; then, under both scripts, click in Chromium -> file saved
    (under app.py Streamlit's download button builds the file in memory)."""
    import urllib.request

    from bench.browser import converted_events, first_visit

    folder = Path(tempfile.mkdtemp(prefix="store-downloads-"))
    events_csv = converted_events(cached_acled(rows), cache_dir())
    timeout = 900.0

    def fetch(url: str) -> str:
        t, size = time.perf_counter(), 0
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        with urllib.request.urlopen(request, timeout=600) as r:
            while block := r.read(1 << 20):
                size += len(block)
        return f"{time.perf_counter() - t:.2f} s, {size / 1e6:,.0f} MB sent"

    def save(page, control) -> str:
        t = time.perf_counter()
        with page.expect_download(timeout=timeout * 1000) as info:
            control.click()
        saved = Path(info.value.path())  # returns once the file is complete
        said = f"{time.perf_counter() - t:.2f} s, {saved.stat().st_size / 1e6:,.0f} MB"
        saved.unlink()
        return said

    args = ["--events", str(events_csv), "--store", str(root / "downloads")]
    for script in scripts:
        with app_server(args, folder, script, timeout=300) as server, chromium() as browser:
            # The map drawn and the page quiet (the map's first report has rerun it).
            _, session = first_visit(browser, f"{server.url}/?basemap=Offline", timeout)
            for label in ("CSV (", "GeoJSON ("):
                session.wait_quiet(timeout)
                role = "link" if script == "serve.py" else "button"
                control = session.page.get_by_role(role, name=label).first
                shown = control.inner_text().strip().splitlines()[-1]  # after the icon
                if role == "link":
                    url = server.url + control.get_attribute("href")
                    for _ in range(2):
                        server_cost(server, f"{script} {shown}: HTTP client", fetch, url)
                what = f"{script} {shown}: Chromium, click -> file saved"
                server_cost(server, what, save, session.page, control)


def sessions(n: int, root: Path) -> None:
    """A real server; n browser sessions each import a ~10 MB ACLED file, then close."""
    from bench.synth import write_acled

    folder = Path(tempfile.mkdtemp(prefix="store-sessions-"))
    upload = write_acled(21_000, folder / "acled_10mb.csv")
    dropzone = "[data-testid='stFileUploaderDropzoneInput']"
    with app_server(["--store", str(root / "sessions")], folder) as server, chromium() as browser:

        def rss() -> str:
            return f"server RSS {server_mb(server):,.0f} MB"

        print(f"upload file: {upload.stat().st_size / 1e6:.1f} MB; at start {rss()}")
        for i in range(n):
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(f"{server.url}/Import")
            page.wait_for_selector(dropzone, state="attached", timeout=120_000)
            page.set_input_files(dropzone, str(upload))
            page.get_by_role("button", name="Import this file").click()
            page.get_by_text("Link to these events").wait_for(timeout=180_000)
            ctx.close()
            print(f"after session {i + 1} imported and closed: {rss()}")
        closed = time.monotonic()
        for after in (130, 300, 720):
            # Streamlit keeps a closed session 2 minutes for a reconnect, and drops it when its
            # session storage is next touched: a new visitor does that. The frames cache drops a
            # frame 10 minutes unused (frames_idle_s) and hands freed memory back every minute:
            # hence the readings at 5 and 12 minutes.
            time.sleep(max(0.0, closed + after - time.monotonic()))
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(f"{server.url}/Import")
            page.get_by_text("Import your own events").wait_for(timeout=120_000)
            ctx.close()
            print(f"{after} s after the last session closed (then one visit): {rss()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=0)
    parser.add_argument("--downloads", type=int, default=0, help="events for the exports")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-store-"))
    if args.rows:
        print(f"== {args.rows:,} synthetic ACLED events; store {root}")
        source, t = cached_acled(args.rows), time.perf_counter()
        (dataset_id, *said), peak = in_child("fork", convert_and_put, str(source), str(root))
        print(f"{said[0]}; total {time.perf_counter() - t:.2f} s; peak RSS {peak / 1e9:.2f} GB")
        print(said[1])
        # "spawn": a fresh interpreter, nothing warm, as after a restart
        print(in_child("spawn", open_converted, str(root), dataset_id)[0])
        path = Store(settings(root)).path(dataset_id)
        queries(path)
        export(path)
    if args.downloads:
        downloads(args.downloads, root)
    if args.sessions:
        sessions(args.sessions, root)


if __name__ == "__main__":
    main()
