"""bench/: the synthetic ACLED generator and the results writer, on tiny sizes (no timings)."""

from __future__ import annotations

import doctest
import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bench
import bench.synth
from bench import Column, format_table, parse_sizes, write_results
from bench.__main__ import server_row
from bench.inprocess import first_view, realistic_filters, render_map
from bench.load import memory_verdict, session_filters
from bench.synth import ACLED_COLUMNS, cached_acled, generate, write_acled
from geo.filters import FilterState, filter_events
from geo.ingest import convert

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return generate(3000, seed=11)


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not():
    assert generate(200, seed=5).equals(generate(200, seed=5))
    assert not generate(200, seed=5).equals(generate(200, seed=6))


def test_rows_have_the_31_columns_of_the_current_acled_export(tmp_path, sample):
    assert list(sample.columns) == list(ACLED_COLUMNS) and len(ACLED_COLUMNS) == 31
    path = write_acled(50, tmp_path / "acled.csv", seed=3)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(ACLED_COLUMNS)


def test_every_synthetic_row_imports_without_a_problem(tmp_path):
    result = convert(write_acled(400, tmp_path / "acled.csv", seed=2))
    assert result.problems == []
    assert (result.format, result.variant) == ("acled", "current export")
    assert len(result.events) == result.rows_read == 400


def test_points_cluster_around_middle_east_towns(sample):
    lat, lon = sample["latitude"].astype(float), sample["longitude"].astype(float)
    assert lat.between(11, 39).all() and lon.between(33, 49).all()
    towns = sample.groupby("location")[["latitude", "longitude"]].agg(
        lambda s: s.astype(float).std()
    )
    assert (towns.max(axis=1) < 0.3).all()  # jitter of a few km around each town
    assert sample[["latitude", "longitude"]].duplicated().mean() < 0.5


def test_actors_are_skewed_like_real_data(sample):
    counts = sample["actor1"].value_counts()
    assert 30 <= len(counts) <= 50
    assert counts.iloc[0] > 5 * counts.iloc[9] > 0


def test_text_is_realistic_dates_span_years_and_ids_are_unique(sample):
    lengths = sample["notes"].str.len()
    assert lengths.between(80, 260).all() and 100 <= lengths.median() <= 200
    assert sample["notes"].str.contains('"').any() and sample["notes"].str.contains(",").all()
    arabic_or_kurdish = sample["location"].str.contains(r"[\u0600-\u06FF]")
    assert arabic_or_kurdish.any() and not arabic_or_kurdish.all()
    assert sample["year"].nunique() >= 5
    assert (sample["event_date"].str[:4] == sample["year"]).all()
    assert sample["event_id_cnty"].is_unique


def test_cached_files_are_written_once(tmp_path):
    first = cached_acled(30, tmp_path, seed=9)
    stamp = first.stat().st_mtime_ns
    again = cached_acled(30, tmp_path, seed=9)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert cached_acled(31, tmp_path, seed=9) != first


def test_the_table_formats_numbers_units_and_time_outs():
    rows = [
        {"size": 1000, "t": 0.01234, "mb": 2.0},
        {"size": 1_000_000, "t": "timeout >300 s", "mb": None},
    ]
    table = format_table(
        rows,
        [
            Column("size", "events"),
            Column("t", "import ms", 1000, 1),
            Column("mb", "payload MB", 1, 2),
        ],
    )
    assert table.splitlines() == [
        "| events | import ms | payload MB |",
        "|---:|---:|---:|",
        "| 1,000 | 12.3 | 2.00 |",
        "| 1,000,000 | timeout >300 s | – |",
    ]


def test_a_pipe_in_a_message_does_not_break_the_table():
    table = format_table([{"e": "error: a | b"}], [Column("e", "x")])
    assert table.splitlines()[-1] == "| error: a / b |"


def test_results_are_written_as_json_atomically(tmp_path):
    out = tmp_path / "results" / "latest.json"
    write_results(
        out, {"n": np.int64(3), "x": np.float64(0.5), "path": Path("a/b"), "text": "كۆیە"}
    )
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "n": 3,
        "x": 0.5,
        "path": "a/b",
        "text": "كۆیە",
    }
    assert os.listdir(out.parent) == ["latest.json"]  # no temporary file left behind
    with pytest.raises(TypeError, match="object is not JSON serialisable"):
        write_results(out, {"bad": object()})
    assert json.loads(out.read_text(encoding="utf-8"))["n"] == 3  # the old file survives


def test_machine_facts_name_the_cpu_memory_and_versions():
    facts = bench.machine_facts()
    assert facts["cores"] >= 1 and facts["cpu"]
    assert facts["versions"]["pandas"] == pd.__version__
    assert {"date", "python", "memory_gb", "git_commit"} <= set(facts)


@pytest.mark.parametrize(
    "text, sizes",
    [
        ("1000,10000", [1000, 10000]),
        ("1k, 10K,1m", [1000, 10000, 1_000_000]),
        ("100_000", [100_000]),
    ],
)
def test_sizes_are_read_with_k_and_m(text, sizes):
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize("text", ["", "ten", "0", "-5"])
def test_bad_sizes_are_refused(text):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match="--sizes"):
        parse_sizes(text)


def test_the_map_is_rendered_through_the_functions_the_app_calls(tmp_path):
    from geo.mapview import POINT_LIMIT, attacker_colors

    events = convert(write_acled(60, tmp_path / "acled.csv", seed=4)).events
    html, payload = render_map(events, attacker_colors(events), first_view(events))
    assert payload["mode"] == "points" and payload["n"] == 60 <= POINT_LIMIT
    assert "window.conflictMap" in html and events["event_id"].iat[0] in html


def benchmark_json(medians: dict[str, float], extra: dict[str, dict]) -> dict:
    return {
        "benchmarks": [
            {"name": name, "stats": {"median": m}, "extra_info": extra.get(name, {})}
            for name, m in medians.items()
        ]
    }


def test_a_table_row_is_read_from_pytest_benchmark_json():
    measured = benchmark_json(
        {
            "test_import": 1.5,
            "test_filter[one attacker]": 0.002,
            "test_filter[combined]": 0.007,
            "test_viewport": 0.0003,
            "test_map[all events]": 0.04,
            "test_map[one attacker]": 0.03,
            "test_export[csv]": 0.5,
            "test_export[geojson]": 2.5,
        },
        {
            "test_import": {"rss_mb": 300},
            "test_map[all events]": {"payload_mb": 0.01, "shows": "13 cells"},
            "test_map[one attacker]": {"payload_mb": 0.2, "peak_rss_mb": 400},
            "test_export[geojson]": {"peak_rss_mb": 900},
        },
    )
    row = server_row(100_000, measured)
    assert row == {
        "size": 100_000,
        "import_s": 1.5,
        "filter_ms": 0.007,
        "viewport_ms": 0.0003,
        "map_s": 0.04,
        "payload_mb": 0.01,
        "map_mode": "13 cells",
        "filtered_payload_mb": 0.2,
        "csv_s": 0.5,
        "geojson_s": 2.5,
        "rss_data_mb": 300,
        "peak_before_export_mb": 400,
        "peak_mb": 900,
    }
    assert server_row(10, {"error": "timeout >600 s"}) == {"size": 10, "import_s": "timeout >600 s"}


def test_the_store_row_takes_each_engines_slowest_query():
    from bench.__main__ import store_row

    measured = benchmark_json(
        {
            "test_store": 0.9,
            "test_open": 0.12,
            "test_query[polars-no filter]": 0.002,
            "test_query[polars-18 months]": 0.009,
            "test_query[duckdb-no filter]": 0.03,
            "test_query[duckdb-18 months]": 0.01,
            "test_playback_step": 0.05,
        },
        {"test_store": {"parquet_mb": 36.5}},
    )
    assert store_row(1000, measured) == {
        "size": 1000,
        "store_s": 0.9,
        "parquet_mb": 36.5,
        "open_s": 0.12,
        "polars_ms": 0.009,
        "duckdb_ms": 0.03,
        "playback_ms": 0.05,
    }
    assert store_row(10, {"error": "exit 1"}) == {"size": 10, "store_s": "exit 1"}


def test_the_benchmark_filters_select_what_they_say(tmp_path):
    events = convert(write_acled(500, tmp_path / "acled.csv", seed=8)).events
    states = realistic_filters(events)
    one = filter_events(events, states["one attacker"])
    assert set(one["attacker"]) == {events["attacker"].value_counts().index[0]}
    year = filter_events(events, states["date range"])["event_date"].dt.year
    assert year.nunique() == 1 and 0 < len(year) < len(events)
    assert len(filter_events(events, states["combined"])) < len(one)


def test_load_sessions_each_get_a_different_filter(tmp_path):
    events = convert(write_acled(500, tmp_path / "acled.csv", seed=8)).events
    states = session_filters(events, 10)
    assert len(set(states)) == 10 and all(isinstance(s, FilterState) for s in states)
    assert all(len(filter_events(events, s)) > 0 for s in states)
    assert any(s.start == date(s.start.year, 1, 1) for s in states if s.start)


def test_memory_verdict_tells_data_held_once_from_data_per_session():
    def memory(before, one, many):
        return {
            "before_any_visit": {"rss_mb": before, "peak_mb": before},
            "after_one_visit": {"rss_mb": one, "peak_mb": one},
            "all_sessions_open": {"rss_mb": many, "peak_mb": many},
        }

    assert memory_verdict(memory(50, 450, 480), 10)["cached_once"]
    assert not memory_verdict(memory(50, 450, 4000), 10)["cached_once"]


@pytest.mark.parametrize("module", [bench, bench.synth])
def test_the_docstring_examples_hold(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_process_figures_and_a_gone_process_gives_none():
    now = bench.rss_mb()
    # Two kernel counters (ru_maxrss, /proc's RSS) that differ by a few pages: the peak
    # read after is at least about the resident memory now (in MB, not KB or bytes).
    assert bench.peak_rss_mb() >= 0.95 * now and now > 10
    assert bench.cpu_seconds() > 0 and bench.machine_busy_seconds() > 0
    gone = 2**22 + 1  # above Linux's largest pid
    assert bench.rss_mb(gone) is None and bench.cpu_seconds(gone) is None


def test_machine_facts_list_modified_files_by_their_full_name(tmp_path, monkeypatch):
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    (tmp_path / "app.py").write_text("a = 1\n")
    git("add", "app.py")
    git("commit", "-q", "-m", "one")
    (tmp_path / "app.py").write_text("a = 2\n")
    (tmp_path / "new.py").write_text("")  # untracked: not a change to measured code
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    assert bench.machine_facts()["git_modified"] == ["app.py"]


def test_the_readme_section_is_replaced_between_its_markers_only():
    from bench.readme import BEGIN, END, replace_section

    readme = f"# Title\n\n{BEGIN}\nold table\n{END}\n\n## Next\n"
    new = replace_section(readme, "| new |")
    assert new == f"# Title\n\n{BEGIN}\n| new |\n{END}\n\n## Next\n"
    assert replace_section(new, "| new |") == new
    with pytest.raises(ValueError, match="needs exactly one"):
        replace_section("# no markers\n", "x")


def test_the_readme_findings_quote_the_tables_and_later_runs_win():
    from bench.readme import findings, merge

    def run(commit, rows):
        return {
            "machine": {"git_commit": commit, "versions": {}, "date": f"2026-{commit}"},
            "server_table": rows,
            "browser_table": [],
        }

    old = run(
        "aaa",
        [{"size": 1000, "import_s": 0.1}, {"size": 1_000_000, "import_s": 20.0, "filter_ms": 0.3}],
    )
    new = run(
        "bbb",
        [
            {
                "size": 1_000_000,
                "import_s": 9.96,
                "filter_ms": 0.0659,
                "csv_s": 9.4,
                "geojson_s": 24.0,
                "peak_mb": 2800,
            }
        ],
    )
    tables, captions = merge([new, old])  # the newer run wins, whatever the order of files
    assert [r["import_s"] for r in tables["server_table"]] == [0.1, 9.96]
    assert "1,000 events:" in captions[0] and "commit aaa" in captions[0]
    assert "1,000,000 events:" in captions[1] and "commit bbb" in captions[1]
    said = " ".join(findings(tables, None))
    assert "the import takes 10.0 s and a filter 66 ms" in said
    assert "a GeoJSON 24.00 s (peak memory 2,800 MB)" in said
    assert "event store" not in said  # runs from before the store's table
    new["store_table"] = [
        {"size": 1_000_000, "store_s": 1.2, "parquet_mb": 226.4, "open_s": 0.31}
        | {"polars_ms": 0.0071, "duckdb_ms": 0.0192, "playback_ms": 0.066}
    ]
    said = " ".join(findings(merge([new, old])[0], None))
    assert (
        "converting the ACLED file takes 9.96 s and storing it 1.20 s more (226 MB of "
        "Parquet); a server opens it in 0.31 s. A filter queried over the file takes at most "
        "7 ms with Polars (the app's engine) and 19 ms with DuckDB; a playback step 66 ms"
    ) in said


def test_the_committed_readme_matches_the_committed_results():
    from bench.readme import BEGIN, END, bench_results, section

    results = [json.loads(path.read_text(encoding="utf-8")) for path in bench_results()]
    load = json.loads((ROOT / "bench" / "results" / "load.json").read_text(encoding="utf-8"))
    peers = json.loads((ROOT / "bench" / "results" / "peers.json").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split(BEGIN)[1].split(END)[0].strip()
    assert shown == section(results, load, peers)  # run `python -m bench.readme` after a run


def test_the_peer_pages_compile_and_their_cluster_map_loads_nothing_from_the_network(tmp_path):
    import re

    from bench.peers import POINTS, write_pages

    pages = write_pages(tmp_path)
    for path in pages.values():
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert "map_provider=None" in pages["pydeck"].read_text(encoding="utf-8")  # no base map
    namespace: dict = {}
    exec(pages["fmc"].read_text(encoding="utf-8").split(POINTS)[0], namespace)  # no Streamlit
    points = [[33.3, 44.4], [36.2, 43.1], [33.5, 36.3]]
    html = namespace["fmc_map"](points, [[33.3, 36.3], [36.2, 44.4]]).get_root().render()
    urls = re.findall(r"(?:https?:)?//[^\s\"'<>]+", html)
    assert [u for u in urls if "//127.0.0.1" not in u] == []
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(links) == 6 and "AwesomeMarkers" not in html  # its default icons are on CDNs
    assert all((tmp_path / "static" / u.removeprefix("../../app/static/")).is_file() for u in links)


def test_peer_rows_are_our_time_over_theirs_and_a_bound_when_they_time_out():
    from bench.peers import peer_rows

    measured = {
        "ours": {"markers_s": 2.0, "filter_redraw_s": 0.5},
        "pydeck": {"markers_s": "timeout >120 s"},
        "fmc": {"markers_s": 8.0, "filter_redraw_s": 0.25},
    }
    first, redraw = peer_rows(1000, measured, 120)
    assert (first["ours_pydeck"], first["ours_fmc"]) == ("<0.02", 0.25)
    assert (redraw["pydeck"], redraw["ours_pydeck"], redraw["ours_fmc"]) == (None, None, 2.0)


def test_a_run_of_the_in_process_part_alone_is_credited_with_those_rows_only():
    from bench.readme import merge

    old = {
        "machine": {"git_commit": "aaa", "versions": {}, "date": "2026-01"},
        "server_table": [{"size": 1000, "import_s": 0.2}],
        "browser_table": [{"size": 1000, "markers_s": 2.0}],
    }
    new = {
        "machine": {"git_commit": "bbb", "versions": {}, "date": "2026-02"},
        "server_table": [{"size": 1000, "import_s": 0.1}],
        "browser_table": [],
    }
    tables, captions = merge([old, new])
    assert tables["server_table"] == new["server_table"]
    assert tables["browser_table"] == old["browser_table"]
    by_commit = {("bbb" in c): c for c in captions}
    assert by_commit[True].startswith("In-process at 1,000 events: ")
    assert by_commit[False].startswith("In Chromium at 1,000 events: ")
