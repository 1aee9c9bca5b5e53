"""CSV and GeoJSON exports: every column, spreadsheet-safe, RFC 7946 coordinates."""

import csv
import io
import json
from datetime import date

import pandas as pd
import pytest

from geo.events import load_events
from geo.export import FORMULA_START, export_name, to_csv_bytes, to_geojson_bytes
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
