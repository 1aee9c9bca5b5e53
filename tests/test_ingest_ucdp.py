"""geo.ingest.ucdp: GED of every version, its API and HDX copies; rows without a headline kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from geo.evidence import describe_fatalities, describe_sides
from geo.ingest import NO_QUOTE, NO_SOURCE, convert

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_an_hdx_pandas_round_trip_reads_floats_as_ints_and_keeps_the_range():
    result = convert(FIXTURES / "ucdp_hdx_pandas.csv")
    with open(FIXTURES / "ucdp_hdx_pandas.csv", encoding="utf-8", newline="") as f:
        source = list(csv.DictReader(f))[1:]  # after the HXL row
    events = result.events
    assert events["event_id"].tolist() == [f"UCDP-{int(float(r['id']))}" for r in source]
    assert events["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        r["date_start"][:10] for r in source
    ]
    assert events["fatalities"].tolist() == [int(float(r["best"])) for r in source]
    assert events["fatalities_low"].iat[0] == 30 and events["fatalities_high"].iat[0] == 55
    assert events["fatalities_low"].isna().iat[2]
    assert events["event_type"].tolist() == [
        "State-based conflict",
        "One-sided violence",
        "Non-state conflict",
    ]
    assert events["geo_precision"].tolist() == [1, 3, 2]
    assert describe_fatalities(events.iloc[0].to_dict()) == "39 (range 30 to 55)"
    assert describe_fatalities(events.iloc[1].to_dict()) == "2"


def test_rows_without_headline_or_source_are_real_events_and_say_so():
    events = convert(FIXTURES / "ucdp_hdx_pandas.csv").events
    second, third = events.iloc[1], events.iloc[2]
    assert second["source_quote"] == NO_QUOTE and second["source_doc"] == NO_SOURCE
    assert "UCDP gives no headline for this event" in second["notes"]
    assert third["source_quote"] == "near Jos,\nPlateau"  # falls back to where_description


def test_ucdp_sides_carry_no_direction():
    events = convert(FIXTURES / "ucdp_ged.csv").events
    assert not events["direction_stated"].any()
    assert describe_sides(events.iloc[0].to_dict()) == "IS ↔ Civilians, direction not stated"


def test_a_ged_file_without_the_newer_columns_reads():
    with open(FIXTURES / "ucdp_ged.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    dropped = {"relid", "code_status", "where_description", "low", "high", "source_headline"}
    keep = [i for i, h in enumerate(rows[0]) if h not in dropped]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
    result = convert(out.getvalue().encode())
    assert result.problems == [] and len(result.events) == 4
