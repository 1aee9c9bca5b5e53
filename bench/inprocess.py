"""The in-process measurements of one synthetic ACLED file (``$BENCH_ACLED``), as
pytest-benchmark tests; ``python -m bench`` runs this module in a fresh process per size.

Every step calls the public ``geo/`` function the app calls: ``convert``, ``filter_events``,
``visible_events``, ``draw_map`` (the map page's render, as HTML, at the view
``geo.viewstate`` gives a first visit), ``csv_chunks`` and ``geojson_chunks`` (streamed to a
file as the export route streams them); the event store's ``Store.put`` and
``Store.load_together`` (what a server opening the dataset reads), each query engine's
``rows`` over the stored Parquet file (Polars, the app's, against DuckDB), and a playback step
(``geo.playback``, then the map's layer). What a step produced (rows, payload bytes, resident
memory) goes in its ``extra_info``.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bench import PeakRSS, peak_rss_mb, rss_mb
from geo import playback, viewstate
from geo.assets import Assets
from geo.export import csv_chunks, geojson_chunks
from geo.filters import Bounds, FilterState, filter_events, visible_events
from geo.ingest import convert
from geo.mapview import attacker_colors, draw_map
from geo.store import DuckDBEngine, PolarsEngine, Settings, Store

# URLs only matter to the browser: the in-process map needs none of the files.
ASSETS = Assets(js=[], css=[], basemap_url="basemap.geojson")


def realistic_filters(events: pd.DataFrame) -> dict[str, FilterState]:
    """Filter states a user would try: one attacker, one year, and both with an event type."""
    attackers = events["attacker"].value_counts().index.tolist()
    years = events["event_date"].dt.year
    year = int(years.median()) if len(years) else 2022
    top_type = events["event_type"].value_counts().index[0]
    one_year = {"start": date(year, 1, 1), "end": date(year, 12, 31)}
    return {
        "one attacker": FilterState(attackers=(attackers[0],)),
        "date range": FilterState(**one_year),
        "combined": FilterState(
            attackers=(attackers[1 % len(attackers)],), event_types=(top_type,), **one_year
        ),
    }


def first_view(events: pd.DataFrame) -> viewstate.Drawing:
    """What the map page draws on a first visit, before the browser reports: every event
    framed in a map of the assumed size (geo.viewstate, as app.py asks it)."""
    return viewstate.drawing(viewstate.start(None, viewstate.events_bounds(events)))


def render_map(
    shown: pd.DataFrame, colors: dict[str, str], drawn: viewstate.Drawing
) -> tuple[str, dict]:
    """The map as the app draws it for `drawn`: (HTML, the layer's payload)."""
    drawing = draw_map(
        shown, colors, drawn.bounds, drawn.zoom, basemap="Offline", assets=ASSETS, move=drawn.move
    )
    return drawing.html(), drawing.plan.payload


@pytest.fixture(scope="module")
def acled() -> Path:
    path = os.environ.get("BENCH_ACLED")
    if not path:
        pytest.skip("BENCH_ACLED names no file: run `python -m bench`")
    return Path(path)


@pytest.fixture(scope="module")
def events(acled) -> pd.DataFrame:
    return convert(acled).events


@pytest.fixture(scope="module")
def view(events) -> viewstate.Drawing:
    return first_view(events)


def test_import(benchmark, acled):
    """Converting the ACLED file: the median of 3 rounds (a single round's time varied by a
    third between runs of the same code on this 2-core machine). A round's result is let go
    before the next one starts, so the peak memory is one conversion's."""
    held: dict[str, Any] = {}

    def convert_once() -> None:
        held.clear()
        held["result"] = convert(acled)

    benchmark.pedantic(convert_once, rounds=3, iterations=1)
    result = held["result"]
    benchmark.extra_info.update(
        rows=len(result.events), problems=len(result.problems), rss_mb=rss_mb()
    )


@pytest.mark.parametrize("name", ["one attacker", "date range", "combined"])
def test_filter(benchmark, events, name):
    shown = benchmark(filter_events, events, realistic_filters(events)[name])
    benchmark.extra_info["rows"] = len(shown)


def test_viewport(benchmark, events, view):
    benchmark.extra_info["rows"] = len(benchmark(visible_events, events, view.bounds))


@pytest.mark.parametrize("name", ["all events", "one attacker"])
def test_map(benchmark, events, view, name):
    shown = (
        events
        if name == "all events"
        else filter_events(events, realistic_filters(events)["one attacker"])
    )
    html, payload = benchmark(render_map, shown, attacker_colors(events), view)
    benchmark.extra_info.update(
        payload_mb=len(json.dumps(payload).encode()) / 1e6,
        html_mb=len(html.encode()) / 1e6,
        shows=f"{payload['cells']:,} cells" if payload.get("mode") == "cells" else "points",
        peak_rss_mb=peak_rss_mb(),
    )


def stream(chunks, events: pd.DataFrame, sink: Path) -> int:
    """Write an export a chunk at a time, as the export route does; return its bytes."""
    size = 0
    with sink.open("wb") as f:
        for chunk in chunks(events):
            size += f.write(chunk)
    return size


@pytest.mark.parametrize("export", [csv_chunks, geojson_chunks], ids=["csv", "geojson"])
def test_export(benchmark, events, view, export, tmp_path):
    visible = visible_events(events, view.bounds)
    before = rss_mb()
    with PeakRSS(os.getpid()) as peak:
        size = benchmark.pedantic(
            stream,
            args=(export, visible, tmp_path / "export"),
            rounds=1 if len(visible) > 100_000 else 3,
        )
    benchmark.extra_info.update(
        rows=len(visible),
        mb=size / 1e6,
        peak_rss_mb=peak_rss_mb(),
        # What the export itself holds: its peak resident memory over the process before it.
        export_peak_mb=round(peak.peak / 1024**2 - before, 1),
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store(Settings(root=tmp_path_factory.mktemp("store"), max_dataset_mb=4000))


@pytest.fixture(scope="module")
def stored(store, events) -> str:
    """The events' dataset id in the store (written by test_store, or here)."""
    return store.put(events, name="bench.csv", format="acled").id


def test_store(benchmark, store, events, acled):
    """Writing the converted events into the store: the Parquet file, the text file, the
    catalogue entry (with its filter options and legend)."""
    entry = benchmark.pedantic(
        store.put, args=(events,), kwargs={"name": acled.name, "format": "acled"}, rounds=1
    )
    benchmark.extra_info.update(parquet_mb=entry.bytes / 1e6)


def test_open(benchmark, store, stored):
    """What a server opening a stored dataset reads: every column but the long text."""
    benchmark.extra_info["rows"] = len(benchmark(store.load_together, [stored])[0])


QUERIES = {
    "no filter": lambda attackers: FilterState(),
    "one attacker": lambda attackers: FilterState(attackers=attackers[:1]),
    "one attacker in view": lambda attackers: FilterState(attackers=attackers[:1]),
    "18 months": lambda attackers: FilterState(start=date(2020, 1, 1), end=date(2021, 6, 30)),
}
IRAQ = Bounds(30, 38, 38, 48)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("engine", [PolarsEngine(), DuckDBEngine()], ids=["polars", "duckdb"])
def test_query(benchmark, store, stored, events, engine, query):
    """The rows a filter selects, queried over the stored Parquet file by each engine."""
    attackers = tuple(events["attacker"].value_counts().index[:1])
    state, bounds = QUERIES[query](attackers), IRAQ if query.endswith("in view") else None
    rows = benchmark(engine.rows, [store.path(stored)], state, bounds)
    benchmark.extra_info["rows"] = len(rows)


def test_playback_step(benchmark, events, view):
    """One tick of a playback by month: the next window, its events, the map's layer."""
    spans, colors = playback.event_spans(events), attacker_colors(events)
    steps, here = playback.windows(spans, "month"), [None]

    def step():
        here[0] = playback.next_window(steps, here[0])
        shown = events.loc[playback.active(spans, here[0])]
        drawing = draw_map(shown, colors, view.bounds, view.zoom, basemap="Offline", assets=ASSETS)
        return len(shown), drawing.plan.payload

    shown, payload = benchmark(step)
    benchmark.extra_info.update(rows=shown, payload_mb=len(json.dumps(payload).encode()) / 1e6)
