"""geo.store: datasets converted once into Parquet, kept, found by id, queried, removed."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.events import load_events
from geo.filters import Bounds, FilterState, Options, filter_events, visible_events
from geo.ingest import convert
from geo.problems import DataFileError
from geo.store import (
    LONG_TEXT,
    DuckDBEngine,
    PolarsEngine,
    QuotaError,
    Settings,
    Store,
    StoreError,
    UnknownDataset,
    csv_chunks,
    geojson_chunks,
    to_frame,
    with_text,
)
from helpers import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
EVENTS = ROOT / "data" / "events.csv"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(Settings(root=tmp_path / "store"))


def imported(store: Store, name: str = "acled_current.csv") -> tuple[str, pd.DataFrame]:
    result = convert(FIXTURES / name)
    entry = store.put(result.events, name=name, format=result.format, problems=result.problems)
    return entry.id, result.events


class CountingLoader:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path):
        self.calls += 1
        return load_events(path)


def test_a_file_is_converted_once_and_again_only_when_its_bytes_change(store, tmp_path):
    source = tmp_path / "events.csv"
    shutil.copy(EVENTS, source)
    loader = CountingLoader()
    first = store.ensure_file(source, loader)
    again = store.ensure_file(source, loader)
    assert loader.calls == 1 and again.id == first.id
    os.utime(source, ns=(1, 1))  # touched, same bytes: hashed again, not converted again
    assert store.ensure_file(source, loader).id == first.id and loader.calls == 1
    assert first.source_sha256 and first.rows == len(load_events(EVENTS).events)

    text = source.read_text(encoding="utf-8").splitlines(keepends=True)
    source.write_text("".join(text[:-1]), encoding="utf-8")  # one event fewer
    changed = store.ensure_file(source, loader)
    assert loader.calls == 2
    assert changed.id != first.id and changed.rows == first.rows - 1
    # The old conversion of the same path is gone, files and entry.
    assert not store.path(first.id).exists()
    with pytest.raises(UnknownDataset):
        store.get(first.id)


def test_a_new_store_on_the_same_folder_finds_the_conversion(tmp_path):
    loader = CountingLoader()
    Store(Settings(root=tmp_path / "s")).ensure_file(EVENTS, loader)
    Store(Settings(root=tmp_path / "s")).ensure_file(EVENTS, loader)
    assert loader.calls == 1


def test_stored_events_read_back_equal_and_carry_extra_columns(store):
    events = convert(FIXTURES / "acled_current.csv").events
    events["fatalities_low"] = pd.array([1] * len(events), dtype="Int64")
    events["direction_stated"] = [True] * len(events)
    entry = store.put(events, name="x.csv", format="acled")
    back = store.load(entry.id)
    assert list(back.columns) == list(events.columns)
    pd.testing.assert_frame_equal(back.astype(str), events.astype(str))


def test_catalogue_entry_holds_what_the_app_needs(store):
    result = convert(FIXTURES / "acled_bad_rows.csv")
    entry = store.put(result.events, name="bad.csv", format="acled", problems=result.problems)
    got = store.get(entry.id)
    assert got.name == "bad.csv" and got.format == "acled" and got.rows == len(result.events)
    assert got.problems == len(result.problems) > 0
    assert store.problems(entry.id) == [str(p) for p in result.problems]
    assert got.filter_options() == Options.of(result.events)
    assert got.legend == result.events["attacker"].astype(str).value_counts().to_dict()


def test_import_ids_are_unguessable_and_distinct(store):
    a, _ = imported(store)
    b, _ = imported(store)
    assert a != b and len(a) == 22 and len(b) == 22


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "x",
        "../../etc/passwd",
        "A" * 21,
        "A" * 23,
        "AAAAAAAAAAAAAAAAAAAAA/",
        "<script>alert(1)</script>xxxxx",
    ],
)
def test_a_malformed_id_is_refused_with_a_message(store, bad):
    with pytest.raises(UnknownDataset, match="not a valid id") as info:
        store.get(bad)
    assert "<" not in str(info.value) and "/" not in str(info.value)


def test_an_unknown_or_tampered_id_is_refused(store):
    good, _ = imported(store)
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    for dataset_id in (tampered, "Z" * 22):
        with pytest.raises(UnknownDataset, match="No dataset has the id"):
            store.get(dataset_id)
    assert store.get(good).id == good


def test_two_ids_are_isolated(store):
    a, events_a = imported(store, "acled_current.csv")
    b, events_b = imported(store, "ucdp_ged.csv")
    assert set(store.load(a)["event_id"]) == set(events_a["event_id"])
    assert set(store.load(b)["event_id"]) == set(events_b["event_id"])
    store.remove(a)
    assert set(store.load(b)["event_id"]) == set(events_b["event_id"])


def test_frames_hold_no_long_text_and_read_it_for_the_rows_asked(store):
    base = store.put(load_events(EVENTS).events, name="events.csv", format="events", kind="file").id
    other, events = imported(store)
    frame, lengths = store.load_together((base, other))
    assert lengths == [7, len(events)]
    assert not set(LONG_TEXT) & set(frame.columns)
    rows = frame.iloc[[1, 8, len(frame) - 1]]
    got = with_text(rows, store.text((base, other)))
    whole = pd.concat([store.load(base), store.load(other)], ignore_index=True)
    assert "source_quote" in whole
    for column in whole.columns.intersection(LONG_TEXT):
        assert got[column].tolist() == whole.loc[rows.index, column].tolist()
    assert got["source_quote"].iloc[-1] == events["source_quote"].iloc[-1]
    # The joined text of the two is one file, in the import's folder: it goes with the import.
    joined = list(store.path(other).parent.glob("with-*.text.arrow"))
    assert len(joined) == 1
    store.remove(other)
    assert not joined[0].exists()


def test_a_dataset_stored_before_the_text_file_gets_it_and_a_damaged_one_is_rewritten(store):
    dataset_id, events = imported(store)
    text_file = store.path(dataset_id).with_suffix(".text.arrow")
    assert text_file.is_file()  # written with the dataset
    text_file.unlink()
    assert store.text((dataset_id,))["source_quote"].to_pylist() == events["source_quote"].tolist()
    assert text_file.is_file()
    text_file.write_bytes(b"not an Arrow file")
    assert store.text((dataset_id,)).num_rows == len(events)


def test_remove_deletes_files_and_entry_for_good(store):
    dataset_id, _ = imported(store)
    folder = store.path(dataset_id).parent
    assert folder.is_dir()
    assert store.remove(dataset_id) is True
    assert not folder.exists()
    assert dataset_id not in (store.root / "catalogue.json").read_text()
    with pytest.raises(UnknownDataset):
        store.get(dataset_id)
    assert store.remove(dataset_id) is False


def test_the_quota_per_dataset_rows_is_enforced(tmp_path):
    store = Store(Settings(root=tmp_path / "s", max_dataset_rows=2))
    events = convert(FIXTURES / "acled_current.csv").events
    with pytest.raises(QuotaError, match=r"more than this server keeps.*max_dataset_rows"):
        store.put(events, name="big.csv", format="acled")
    assert store.total_bytes() == 0 and not list((tmp_path / "s" / "datasets").iterdir())


def test_the_quota_per_dataset_bytes_is_enforced(tmp_path):
    store = Store(Settings(root=tmp_path / "s", max_dataset_mb=0.000001))
    with pytest.raises(QuotaError, match="max_dataset_mb"):
        imported(store)


def test_the_total_quota_is_enforced_and_frees_up_after_remove(tmp_path):
    probe = Store(Settings(root=tmp_path / "probe"))
    one, _ = imported(probe)
    size = probe.get(one).bytes
    store = Store(Settings(root=tmp_path / "s", max_total_mb=1.5 * size / 1024 / 1024))
    first, _ = imported(store)
    with pytest.raises(QuotaError, match="store is full"):
        imported(store)
    store.remove(first)
    imported(store)


def test_retention_deletes_unused_imports_but_not_used_ones_or_files(store):
    old, _ = imported(store)
    recent, _ = imported(store)
    base = store.ensure_file(EVENTS)
    now = time.time()
    store.touch(old, now - 40 * 86400)
    store.touch(base.id, now - 400 * 86400)
    assert store.sweep(now) == [old]
    with pytest.raises(UnknownDataset):
        store.get(old)
    assert store.get(recent) and store.get(base.id)


def test_persistence_off_uses_a_temporary_folder(tmp_path):
    store = Store(Settings(root=None))
    dataset_id, _ = imported(store)
    assert not store.persistent and store.get(dataset_id)
    assert not str(store.root).startswith(str(ROOT))


def test_settings_from_environment_and_arguments(tmp_path):
    env = {
        "CONFLICT_MAP_STORE": str(tmp_path / "a"),
        "CONFLICT_MAP_RETENTION_DAYS": "7",
        "CONFLICT_MAP_MAX_TOTAL_MB": "12",
    }
    s = Settings.from_sources(["--store", str(tmp_path / "b"), "--imports-per-session", "3"], env)
    assert s.root == (tmp_path / "b").resolve() and s.retention_days == 7.0
    assert s.max_total_mb == 12.0 and s.imports_per_session == 3
    assert Settings.from_sources(["--no-persist"], env).root is None
    assert Settings.from_sources([], {"CONFLICT_MAP_PERSIST": "off"}).root is None
    with pytest.raises(StoreError, match="RETENTION_DAYS.*'soon'"):
        Settings.from_sources([], {"CONFLICT_MAP_RETENTION_DAYS": "soon"})
    with pytest.raises(StoreError, match="--max-total-mb.*'-1'"):
        Settings.from_sources(["--max-total-mb", "-1"], {})
    assert Settings.from_sources([], {"CONFLICT_MAP_FRAMES_MB": "64"}).frames_mb == 64.0
    assert Settings.from_sources(["--frames-mb", "8"], {}).frames_mb == 8.0
    assert Settings.from_sources(["--frames-idle-s", "30"], {}).frames_idle_s == 30.0
    assert Settings.from_sources([], {"CONFLICT_MAP_SHOWN_MB": "32"}).shown_mb == 32.0


def test_the_default_store_is_outside_the_source_tree():
    root = Settings().root
    assert root is not None and ROOT not in root.parents


def test_the_catalogue_is_never_written_over_a_non_regular_file(tmp_path):
    store = Store(Settings(root=tmp_path / "s"))
    os.mkfifo(store.root / "catalogue.json")
    with pytest.raises(StoreError, match="not a regular file"):
        imported(store)
    assert stat.S_ISFIFO((store.root / "catalogue.json").lstat().st_mode)


# -- queries: the engines answer as the pandas reference does -------------------------------

STATES = [
    FilterState(),
    FilterState(attackers=("__none__",)),
    FilterState(start=date(2023, 1, 1), end=date(2023, 12, 31)),
]
BOUNDS = [None, Bounds(30, 40, 37, 48), Bounds(-90, 170, 90, -170), Bounds(-90, -400, 90, 400)]


@pytest.fixture(scope="module")
def two_files(tmp_path_factory):
    store = Store(Settings(root=tmp_path_factory.mktemp("q")))
    a = convert(FIXTURES / "acled_current.csv").events
    b = convert(FIXTURES / "ucdp_ged.csv").events
    ia = store.put(a, name="a", format="acled").id
    ib = store.put(b, name="b", format="ucdp").id
    both = pd.concat([a, b], ignore_index=True)
    states = [
        *STATES,
        FilterState(attackers=(str(a["attacker"].iloc[0]), str(b["attacker"].iloc[0]))),
    ]
    return [store.path(ia), store.path(ib)], both, states


@pytest.mark.parametrize("engine", [PolarsEngine(), DuckDBEngine()], ids=["polars", "duckdb"])
@pytest.mark.parametrize("bounds", BOUNDS)
def test_engines_select_the_same_rows_as_pandas(two_files, engine, bounds):
    paths, both, states = two_files
    for state in states:
        expected = visible_events(filter_events(both, state), bounds)
        rows = engine.rows(paths, state, bounds)
        assert rows.tolist() == expected.index.tolist(), state
        counts = engine.count(paths, state, bounds)
        assert counts["events"] == len(expected)
        assert counts["fatalities"] == int(expected["fatalities"].fillna(0).sum())


def test_take_reads_only_the_asked_rows_and_columns(two_files):
    paths, both, _ = two_files
    rows = np.array([1, 3, len(both) - 1])
    got = PolarsEngine().take(paths, rows, ["event_id", "source_quote"])
    assert list(got.columns) == ["event_id", "source_quote"]
    assert got["event_id"].tolist() == both["event_id"].iloc[rows].tolist()


def test_csv_export_in_chunks_equals_the_one_piece_export(two_files):
    from geo.export import to_csv_bytes

    paths, both, _ = two_files
    rows = np.arange(0, len(both), 2)
    chunked = b"".join(csv_chunks(PolarsEngine(), paths, rows, chunk=2))
    whole = to_csv_bytes(PolarsEngine().take(paths, rows))
    assert chunked == whole and chunked.count(b"\xef\xbb\xbf") == 1


def test_geojson_export_in_chunks_equals_the_one_piece_export(two_files):
    from geo.export import to_geojson_bytes

    paths, both, _ = two_files
    rows = np.arange(1, len(both), 2)
    chunked = json.loads(b"".join(geojson_chunks(PolarsEngine(), paths, rows, chunk=2)))
    # Equal as JSON: the engine's take widens a nullable count to float (3.0), batches do not.
    assert chunked == json.loads(to_geojson_bytes(PolarsEngine().take(paths, rows)))
    ids = [f["properties"]["event_id"] for f in chunked["features"]]
    assert ids == both["event_id"].iloc[rows].tolist()
    empty = json.loads(b"".join(geojson_chunks(PolarsEngine(), paths, np.array([], int))))
    assert empty["features"] == []


@pytest.mark.parametrize(
    ("imports", "used_mb", "size_mb", "expected"),
    [
        (0, 0, 1, None),
        (2, 0, 1, None),
        (3, 0, 1, "already has 3 imports"),
        (1, 9.5, 1, "past its upload limit: 9.5 MB of 10 MB"),
        (1, 4, 6, None),
    ],
)
def test_per_session_limits(imports, used_mb, size_mb, expected):
    from geo.store import MB, session_limit

    settings = Settings(root=None, imports_per_session=3, session_mb=10)
    message = session_limit(settings, imports, int(used_mb * MB), int(size_mb * MB))
    if expected is None:
        assert message is None
    else:
        assert expected in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a POSIX FIFO")
def test_an_events_file_that_is_a_fifo_or_a_folder_is_refused_without_reading(store, tmp_path):
    """`--events` on a FIFO once blocked every session on hashing it: it is refused unread."""
    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        outcome: list[BaseException | None] = []

        def run(path=path, outcome=outcome):
            try:
                store.ensure_file(path)
                outcome.append(None)
            except BaseException as exc:  # handed to the test's thread below
                outcome.append(exc)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(timeout=20)
        if worker.is_alive():  # it is blocked reading the FIFO: unblock it, then fail
            with open(fifo, "wb"):
                pass
            pytest.fail(f"ensure_file({path.name}) blocked reading a FIFO")
        assert isinstance(outcome[0], DataFileError), outcome
        assert re.search(r"is not a regular file \(it is a (FIFO|directory)", str(outcome[0]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.integers(-200, 200)),
        max_size=40,
    )
)
def test_a_stored_integer_column_loads_with_the_same_values_in_the_narrowest_type(values):
    """to_frame narrows in Arrow: the values and gaps are pandas' own, in the narrowest of
    Int8/16/32/64 that holds them (boundaries such as 127/128 and 2**31 included)."""
    table = pa.Table.from_pandas(pd.DataFrame({"n": pd.array(values, dtype="Int64")}))
    frame = to_frame(table)
    assert frame["n"].astype("Int64").equals(table.to_pandas()["n"])
    present = [v for v in values if v is not None]
    fits = [
        t
        for t in ("Int8", "Int16", "Int32", "Int64")
        if all(np.iinfo(t.lower()).min <= v <= np.iinfo(t.lower()).max for v in present)
    ]
    assert str(frame["n"].dtype) == fits[0]
