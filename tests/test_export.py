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
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == list(COLUMN_NAMES)
    (tmp_path / "out.csv").write_bytes(data)
    again = load_events(tmp_path / "out.csv")
    assert again.problems == []
    pd.testing.assert_frame_equal(again.events, events)


def test_formula_like_text_is_neutralised_but_numbers_stay_numbers(events):
    hostile = events.iloc[:1].copy()
    hostile["attacker"] = "=HYPERLINK(\"http://x\",\"y\")"
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
    assert header[:-1] == list(COLUMN_NAMES)  # the dataset's own columns keep their names
    assert [r["'" + name] for r in rows(data)] == ["'=1+1", "text"]


def test_geojson_is_lon_lat_with_all_properties(events):
    data = json.loads(to_geojson_bytes(events))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(events)
    airport = next(f for f in data["features"] if f["properties"]["event_id"] == "IRQ4")
    assert airport["geometry"] == {"type": "Point", "coordinates": [43.9632, 36.2376]}
    assert airport["properties"]["event_date"] == "2023-12-25"
    assert airport["properties"]["fatalities"] is None and airport["properties"]["injuries"] == 3
    assert set(airport["properties"]) == set(COLUMN_NAMES) - {"latitude", "longitude"}


def test_empty_exports_are_valid(events):
    assert rows(to_csv_bytes(events.iloc[0:0])) == []
    assert json.loads(to_geojson_bytes(events.iloc[0:0]))["features"] == []


def test_file_names_say_what_they_hold():
    name = export_name(FilterState(attackers=("US military",), start=date(2023, 1, 1)), 2, "csv",
                       today=date(2026, 11, 21))
    assert name == "events_US-military_2023-01-01_to_end_in-view_2_2026-11-21.csv"
    assert export_name(FilterState(), 7, "geojson", today=date(2026, 1, 1)).endswith(
        "in-view_7_2026-01-01.geojson")
