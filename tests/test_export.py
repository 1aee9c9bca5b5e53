"""CSV and GeoJSON exports: every column, spreadsheet-safe, RFC 7946 coordinates."""

import csv
import io
import json
from datetime import date

import pandas as pd
import pytest

from geo.events import load_events
from geo.export import (
    FORMULA_START,
    csv_chunks,
    export_name,
    geojson_chunks,
    to_csv_bytes,
    to_geojson_bytes,
)
from geo.filters import FilterState
from geo.schema import COLUMN_NAMES


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_holds_every_column_and_reloads_identically(events, tmp_path):
    data = to_csv_bytes(events)
    expected = list(COLUMN_NAMES)
    expected.insert(expected.index("time_precision") + 1, "event_date_interval")
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == expected
    (tmp_path / "out.csv").write_bytes(data)
    again = load_events(tmp_path / "out.csv")
    assert again.problems == []
    pd.testing.assert_frame_equal(again.events.drop(columns="event_date_interval"), events)
    assert to_csv_bytes(again.events) == data  # the interval column is kept, not added twice


def test_formula_like_text_is_neutralised_but_numbers_stay_numbers(events):
    hostile = events.iloc[:1].copy()
    hostile["attacker"] = '=HYPERLINK("http://x","y")'
    hostile["notes"] = "@SUM(1)"
    hostile["location"] = "-Koya"
    hostile["target_group"] = "+1"
    hostile["longitude"] = -44.5
    row = rows(to_csv_bytes(hostile))[0]
    assert row["attacker"].startswith("'=") and row["notes"] == "'@SUM(1)"
    assert row["location"] == "'-Koya" and row["target_group"] == "'+1"
    assert row["longitude"] == "-44.5"


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_like_column_name_is_neutralised_in_the_header(name, events):
    hostile = events.iloc[:2].copy()
    hostile[name] = ["=1+1", "text"]
    data = to_csv_bytes(hostile)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header[-1] == "'" + name
    assert not any(cell.startswith(FORMULA_START) for cell in header)
    expected = list(COLUMN_NAMES)
    expected.insert(expected.index("time_precision") + 1, "event_date_interval")
    assert header[:-1] == expected  # the dataset's own columns keep their names
    assert [r["'" + name] for r in rows(data)] == ["'=1+1", "text"]


def test_geojson_is_lon_lat_with_all_properties(events):
    data = json.loads(to_geojson_bytes(events))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(events)
    airport = next(f for f in data["features"] if f["properties"]["event_id"] == "IRQ4")
    assert airport["geometry"] == {"type": "Point", "coordinates": [43.9632, 36.2376]}
    assert airport["properties"]["event_date"] == "2023-12-25"
    assert airport["properties"]["fatalities"] is None and airport["properties"]["injuries"] == 3
    assert set(airport["properties"]) == (
        set(COLUMN_NAMES) - {"latitude", "longitude"} | {"event_date_interval"}
    )


def test_empty_exports_are_valid(events):
    assert rows(to_csv_bytes(events.iloc[0:0])) == []
    assert json.loads(to_geojson_bytes(events.iloc[0:0]))["features"] == []


def test_file_names_say_what_they_hold():
    name = export_name(
        FilterState(attackers=("US military",), start=date(2023, 1, 1)),
        2,
        "csv",
        today=date(2026, 11, 21),
    )
    assert name == "events_US-military_2023-01-01_to_end_in-view_2_2026-11-21.csv"
    assert export_name(FilterState(), 7, "geojson", today=date(2026, 1, 1)).endswith(
        "in-view_7_2026-01-01.geojson"
    )


def test_exports_carry_each_date_as_an_iso_8601_interval(events):
    coarse = events.assign(time_precision=pd.array([1, 2, 3, 1, 1, 1, 1], dtype="Int64"))
    by_id = {r["event_id"]: r for r in rows(to_csv_bytes(coarse))}
    assert by_id["IRQ1"]["event_date_interval"] == "2022-09-28/2022-09-28"
    assert by_id["IRQ2"]["event_date_interval"] == "2022-09-25/2022-10-01"  # week around it
    assert by_id["IRQ3"]["event_date_interval"] == "2022-09-01/2022-09-30"  # the month
    features = json.loads(to_geojson_bytes(coarse))["features"]
    props = {f["properties"]["event_id"]: f["properties"] for f in features}
    assert props["IRQ3"]["event_date_interval"] == "2022-09-01/2022-09-30"
    assert props["IRQ3"]["time_precision"] == 3


def test_a_stated_end_date_makes_the_interval(events):
    ucdp = events.head(1).assign(event_date_end=["2022-10-03"])
    assert rows(to_csv_bytes(ucdp))[0]["event_date_interval"] == "2022-09-28/2022-10-03"


def test_possible_duplicates_are_in_the_exported_files(events):
    from geo.actors import canonicalise
    from geo.duplicates import flag
    from geo.ingest import convert
    from helpers import ROOT

    overlap = ROOT / "tests" / "fixtures" / "duplicates" / "acled_overlapping_bundled.csv"
    imported, _ = canonicalise(convert(overlap).events)
    flagged = flag(pd.concat([events, imported], ignore_index=True))
    data = to_csv_bytes(flagged)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[-3:] == ["possible_duplicate_of", "duplicate_rule", "duplicate_copy"]
    by_id = {r["event_id"]: r for r in rows(data)}
    assert by_id["IRQ5"]["possible_duplicate_of"] == "IRQ90001"
    assert by_id["IRQ90001"]["possible_duplicate_of"] == "IRQ5"
    assert by_id["IRQ90001"]["duplicate_rule"] == "same day, within 5 km, same attacker and target"
    assert (by_id["IRQ5"]["duplicate_copy"], by_id["IRQ90001"]["duplicate_copy"]) == (
        "false",
        "true",
    )
    assert by_id["IRQ1"]["possible_duplicate_of"] == ""
    features = json.loads(to_geojson_bytes(flagged))["features"]
    props = {f["properties"]["event_id"]: f["properties"] for f in features}
    assert props["IRQ4"]["possible_duplicate_of"] == "IRQ90004"
    assert props["IRQ90004"]["duplicate_copy"] is True


def hostile_chunks(events: pd.DataFrame) -> pd.DataFrame:
    """The bundled events with a formula-like cell in every row, in plain text and in
    category columns whose categories differ from one chunk of 2 rows to the next."""
    out = events.copy()
    out["attacker"] = ["=1+1", "ok", "+2", "-Koya", "@SUM(1)", "\tx", "\ry"]
    out["notes"] = pd.Categorical(["fine", None, "fine", "=cmd|' /C calc'!A0", "x", "+", "y"])
    out["event_type"] = out["event_type"].astype("category")
    out["near_location"] = [True, False, None, True, True, False, True]
    return out


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 100])
def test_csv_in_chunks_is_byte_for_byte_the_whole_file(events, chunk):
    hostile = hostile_chunks(events)
    parts = list(csv_chunks(hostile, chunk=chunk))
    assert len(parts) == -(-len(hostile) // chunk)  # one piece per chunk of rows
    assert b"".join(parts) == to_csv_bytes(hostile)
    assert b"".join(parts).count(b"\xef\xbb\xbf") == 1 and parts[0].startswith(b"\xef\xbb\xbf")
    assert sum(p.count(b'"event_id"') for p in parts) == 1  # one header


@pytest.mark.parametrize("chunk", [1, 2, 3, 100])
def test_formulas_are_neutralised_in_every_chunk(events, chunk):
    hostile = hostile_chunks(events)
    got = rows(b"".join(csv_chunks(hostile, chunk=chunk)))
    attackers = ["'=1+1", "ok", "'+2", "'-Koya", "'@SUM(1)", "'\tx", "'\ry"]
    assert [r["attacker"] for r in got] == attackers
    assert [r["notes"] for r in got] == ["fine", "", "fine", "'=cmd|' /C calc'!A0", "x", "'+", "y"]
    near = ["true", "false", "", "true", "true", "false", "true"]
    assert [r["near_location"] for r in got] == near
    assert [r["longitude"] for r in got] == [str(v) for v in hostile["longitude"]]  # numbers
    every_cell = [cell for r in got for cell in r.values()]
    assert not any(cell.startswith(FORMULA_START) for cell in every_cell)


@pytest.mark.parametrize("chunk", [1, 2, 3, 100])
def test_geojson_in_chunks_is_byte_for_byte_the_whole_file(events, chunk):
    hostile = hostile_chunks(events)
    hostile["source_quote"] = 'He said "no" \\ then / left\nلا 😀 \u2028'
    parts = list(geojson_chunks(hostile, chunk=chunk))
    data = b"".join(parts)
    assert data == to_geojson_bytes(hostile) and len(parts) == 2 + -(-len(hostile) // chunk)
    features = json.loads(data)["features"]
    assert [f["properties"]["event_id"] for f in features] == hostile["event_id"].tolist()
    assert features[0]["properties"]["source_quote"] == hostile["source_quote"].iloc[0]
    assert features[2]["properties"]["near_location"] is None  # a missing value is null
    assert features[0]["properties"]["attacker"] == "=1+1"  # JSON text needs no quote mark


def test_exports_take_a_store_s_batches_and_hold_one_chunk_at_a_time(events):
    # Frames read one after the other (a store's batches) give the same file as the frame,
    # and each chunk is written before the next frame is read: nothing waits for them all.
    read = []

    def batches():
        for start in range(0, len(events), 3):
            read.append(start)
            yield events.iloc[start : start + 3]

    for chunks, whole in ((csv_chunks, to_csv_bytes), (geojson_chunks, to_geojson_bytes)):
        read.clear()
        stream = chunks(batches())
        first = next(stream)
        if chunks is geojson_chunks:
            first += next(stream)
        assert read == [0] and first  # the first chunk is out, the other rows not yet read
        assert first + b"".join(stream) == whole(events) and read == [0, 3, 6]
