"""The loader types the shipped data and reports each bad row by line, column and reason."""

import pytest

from geo.events import load_events
from geo.problems import DataFileError
from geo.schema import COLUMN_NAMES
from helpers import ROOT


def test_shipped_dataset_loads_with_no_problems():
    result = load_events(ROOT / "data" / "events.csv")
    assert result.problems == []
    assert len(result.events) >= 7
    assert str(result.events["event_date"].dtype).startswith("datetime64")
    assert result.events["latitude"].between(-90, 90).all()


def test_shipped_dataset_has_the_events_the_articles_report():
    events = load_events(ROOT / "data" / "events.csv").events
    pairs = set(zip(events["attacker"], events["target_group"], strict=True))
    assert ("Islamic Revolutionary Guard Corps (IRGC)", "Komala") in pairs
    assert ("US military", "Kataib Hezbollah") in pairs
    assert set(events["location"]) >= {
        "Koysanjak",
        "Zarkwezela",
        "Kirkuk province",
        "Erbil International Airport",
        "Sayyidah Zaynab",
        "Baghdad International Airport",
    }


def good_row(**changes) -> dict:
    events = load_events(ROOT / "data" / "events.csv").events
    row = events.iloc[0].to_dict()
    row["event_date"] = row["event_date"].strftime("%Y-%m-%d")
    row["near_location"] = "true"
    merged = {**row, **changes}
    return {k: ("" if v is None or str(v) == "<NA>" else str(v)) for k, v in merged.items()}


BAD_ROWS = [
    ({"latitude": "999.0"}, "latitude", "is outside [-90, 90]"),
    ({"longitude": "east"}, "longitude", "is not a number"),
    ({"event_date": "28/09/2022"}, "event_date", "is not a date of the form YYYY-MM-DD"),
    ({"geo_precision": "4"}, "geo_precision", "is not one of 1, 2, 3"),
    ({"time_precision": "1.5"}, "time_precision", "is not a whole number"),
    ({"attacker": ""}, "attacker", "required value is missing"),
    ({"fatalities": "-2"}, "fatalities", "is negative"),
    ({"near_location": "maybe"}, "near_location", "is not true or false"),
]


def write_csv(path, rows):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("change, column, reason", BAD_ROWS)
def test_each_bad_value_is_reported_with_line_and_column_and_the_good_rows_kept(
    tmp_path, change, column, reason
):
    rows = [good_row(event_id="A"), good_row(event_id="B", **change), good_row(event_id="C")]
    write_csv(tmp_path / "broken.csv", rows)
    result = load_events(tmp_path / "broken.csv")
    assert list(result.events["event_id"]) == ["A", "C"]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.line, problem.column) == ("broken.csv", 3, column)
    assert reason in str(problem)
    assert str(problem).startswith(f"broken.csv line 3, column {column}")


def test_several_problems_are_all_reported_in_file_order(tmp_path):
    rows = [
        good_row(event_id="A", latitude="91"),
        good_row(event_id="B"),
        good_row(event_id="B", event_date="yesterday"),
        good_row(event_id="D"),
    ]
    write_csv(tmp_path / "broken.csv", rows)
    result = load_events(tmp_path / "broken.csv")
    assert [(p.line, p.column) for p in result.problems] == [
        (2, "latitude"),
        (4, "event_id"),
        (4, "event_date"),
    ]
    assert list(result.events["event_id"]) == ["B", "D"]


def test_line_numbers_count_quoted_newlines(tmp_path):
    rows = [good_row(event_id="A", notes="two\nlines"), good_row(event_id="B", latitude="-95")]
    write_csv(tmp_path / "multi.csv", rows)
    problem = load_events(tmp_path / "multi.csv").problems[0]
    assert problem.line == 4


def test_a_file_without_the_required_columns_names_the_missing_ones(tmp_path):
    (tmp_path / "other.csv").write_text("name,value\nx,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="other.csv is not an events file: it lacks event_id"):
        load_events(tmp_path / "other.csv")


def test_utf8_with_byte_order_mark_loads(tmp_path):
    write_csv(tmp_path / "plain.csv", [good_row(event_id="A", location="كويسنجق")])
    data = (tmp_path / "plain.csv").read_bytes()
    result = load_events(b"\xef\xbb\xbf" + data)
    assert result.problems == [] and result.events["location"][0] == "كويسنجق"


def test_a_file_that_is_no_text_is_refused_with_the_byte(tmp_path):
    header = ",".join(COLUMN_NAMES).encode()
    with pytest.raises(
        DataFileError,
        match=r"is not text in UTF-8, UTF-16 or Windows-1252 "
        r"\(byte \d+ is b'\\x81",
    ):
        load_events(header + b"\n" + b"\x81\x8d" + b"," * (len(COLUMN_NAMES) - 1) + b"\n")


def test_curated_events_state_their_direction_and_blank_means_stated(tmp_path):
    events = load_events(ROOT / "data" / "events.csv").events
    assert events["direction_stated"].all()
    rows = [
        good_row(event_id="A", direction_stated=""),
        good_row(event_id="B", direction_stated="false"),
    ]
    write_csv(tmp_path / "d.csv", rows)
    loaded = load_events(tmp_path / "d.csv").events
    assert loaded["direction_stated"].tolist() == [True, False]


def test_a_large_file_stores_repeated_names_once_and_works_everywhere(tmp_path):
    import json

    import numpy as np
    import pandas as pd

    from geo.export import to_csv_bytes, to_geojson_bytes
    from geo.filters import Bounds, FilterState, Options, filter_events
    from geo.mapview import attacker_colors, plan_layer

    small = load_events(ROOT / "data" / "events.csv").events
    big = small.loc[np.resize(small.index.to_numpy(), 3000)].reset_index(drop=True)
    big["event_id"] = [f"B{i}" for i in range(len(big))]
    (tmp_path / "big.csv").write_bytes(to_csv_bytes(big))
    loaded = load_events(tmp_path / "big.csv")
    events = loaded.events
    assert loaded.problems == [] and len(events) == 3000
    assert isinstance(events["attacker"].dtype, pd.CategoricalDtype)
    assert events["event_id"].dtype != "category"  # unique: kept as text
    kept = filter_events(events, FilterState(attackers=("US military",)))
    assert len(kept) == int((big["attacker"] == "US military").sum()) > 0
    assert Options.of(events).attackers == sorted(set(small["attacker"]))
    colors = attacker_colors(events)
    for zoom, bounds in ((13, Bounds(36.2, 43.9, 36.27, 44.02)), (3, Bounds(20, 20, 50, 60))):
        assert plan_layer(events, colors, bounds, zoom).payload["n"] > 0
    rows = to_csv_bytes(kept).decode("utf-8-sig").splitlines()
    assert len(rows) == len(kept) + 1
    assert len(json.loads(to_geojson_bytes(kept))["features"]) == len(kept)
    both = pd.concat([small, events], ignore_index=True)
    assert len(filter_events(both, FilterState(target_groups=("Komala",)))) > 1
