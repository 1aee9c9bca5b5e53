"""Living datasets: two versions of one ACLED export compared by event id."""

import pandas as pd

from geo.events import load_events
from geo.versions import diff, diff_files
from helpers import ROOT

V1 = ROOT / "tests" / "fixtures" / "versions" / "acled_v1.csv"
V2 = ROOT / "tests" / "fixtures" / "versions" / "acled_v2.csv"


def test_the_known_differences_between_two_exports():
    report = diff_files(V1, V2)
    assert report.added == ["IRQ90005"]
    assert report.removed == ["IRQ90002"]
    assert report.modified == {"IRQ90001": ["fatalities"], "IRQ90003": ["location", "latitude"]}
    assert report.unchanged == 1  # IRQ90004: only ACLED's timestamp changed, which is not kept
    assert report.summary() == (
        "1 added, 1 removed, 2 modified (fatalities: 1, location: 1, latitude: 1), 1 unchanged"
    )
    table = report.table().set_index("event_id")
    assert table.loc["IRQ90003", "fields"] == "location, latitude"


def test_the_same_version_twice_changes_nothing():
    report = diff_files(V1, V1)
    assert (report.added, report.removed, report.modified) == ([], [], {})
    assert report.unchanged == 4


def test_number_formats_and_blanks_are_not_changes():
    old = pd.DataFrame({"event_id": ["A", "B"], "fatalities": ["5", ""], "note": ["x", None]})
    new = pd.DataFrame({"event_id": ["A", "B"], "fatalities": [5.0, None], "note": ["x ", ""]})
    assert diff(old, new).modified == {}


def test_columns_and_repeated_ids_are_reported():
    old = pd.DataFrame({"event_id": ["A", "A"], "x": [1, 2]})
    new = pd.DataFrame({"event_id": ["A"], "y": [1]})
    report = diff(old, new)
    assert report.columns_added == ["y"] and report.columns_removed == ["x"]
    assert report.repeated_ids == ["A"] and "repeated" in report.summary()


def test_a_revised_curated_event_is_named_with_its_field():
    events = load_events(ROOT / "data" / "events.csv").events
    revised = events.copy()
    revised.loc[revised["event_id"] == "SYR1", "attribution"] = "acknowledged by the attacker"
    assert diff(events, revised).modified == {"SYR1": ["attribution"]}
