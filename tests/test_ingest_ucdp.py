"""geo.ingest.ucdp: GED of every version, its API and HDX copies; rows without a headline kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from geo.evidence import describe_fatalities, describe_sides
from geo.export import to_csv_bytes
from geo.ingest import NO_QUOTE, NO_SOURCE, convert

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def exported(events) -> list[dict[str, str]]:
    """The rows of the CSV export of `events`, as a user downloads it."""
    return list(csv.DictReader(io.StringIO(to_csv_bytes(events).decode("utf-8-sig"))))


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
    where_prec = [str(int(float(r["where_prec"]))) for r in source]
    assert events["geo_source"].tolist() == [
        f"UCDP GED coordinates, where_prec {p}" for p in where_prec
    ]
    assert events["near_location"].tolist() == [p == "2" for p in where_prec]
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


# ----------------------------------------------------------------------------- date_end


def ucdp_csv_with(changes: dict[str, dict[str, str]]) -> bytes:
    """ucdp_ged.csv with some cells changed: {event id: {column: value}}."""
    with open(FIXTURES / "ucdp_ged.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    for row in rows[1:]:
        for column, value in changes.get(row[0], {}).items():
            row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_an_event_spanning_several_days_keeps_its_end_date_and_exports_the_range():
    result = convert(FIXTURES / "ucdp_ged.csv")
    assert result.problems == []
    events = result.events.set_index("event_id")
    # 244700 runs from 14 to 20 August 2017 (date_start, date_end).
    assert events.at["UCDP-244700", "event_date_end"] == "2017-08-20"
    # 244657 starts and ends on 31 July 2017: no end of its own, the day is the window.
    assert events.at["UCDP-244657", "event_date_end"] == ""
    intervals = {r["event_id"]: r["event_date_interval"] for r in exported(result.events)}
    assert intervals["UCDP-244700"] == "2017-08-14/2017-08-20"
    assert intervals["UCDP-244657"] == "2017-07-31/2017-07-31"
    assert intervals["UCDP-244902"] == "2019-03-01/2019-03-20"


def test_the_end_date_of_the_api_response_and_of_the_csv_agree():
    from_csv = convert(FIXTURES / "ucdp_ged.csv").events
    from_api = convert(FIXTURES / "ucdp_api.json").events
    assert from_api["event_date_end"].tolist() == from_csv["event_date_end"].tolist()


@pytest.mark.parametrize(
    "value, reason",
    [
        ("2017-08-32", "is not a date"),
        ("soon", "is not a date"),
        ("2017-08-13", "is before date_start (2017-08-14)"),
    ],
)
def test_a_bad_end_date_is_a_row_problem_naming_file_line_and_column(value, reason):
    result = convert(ucdp_csv_with({"244700": {"date_end": value}}))
    [problem] = result.problems
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "uploaded file",
        3,
        "date_end",
        value,
    ), str(problem)
    assert reason in problem.reason
    assert "UCDP-244700" not in set(result.events["event_id"])
    assert len(result.events) == 3


def test_a_blank_end_date_or_a_bad_start_date_is_not_reported_as_a_bad_end():
    data = ucdp_csv_with({"244700": {"date_end": ""}, "244801": {"date_start": "2018-13-01"}})
    result = convert(data)
    assert [(p.line, p.column) for p in result.problems] == [(4, "date_start")]
    events = result.events.set_index("event_id")
    assert events.at["UCDP-244700", "event_date_end"] == ""


def test_day_first_start_and_end_dates_are_read_in_one_order():
    # Only the start dates settle the order (31/07/2017); the end dates alone could be
    # either, and must be read the same way, not refused.
    changes = {
        "244657": {"date_start": "31/07/2017", "date_end": "01/08/2017"},
        "244700": {"date_start": "01/08/2017", "date_end": "02/08/2017"},
        "244801": {"date_start": "01/05/2018", "date_end": "03/05/2018"},
        "244902": {"date_start": "01/03/2019", "date_end": "05/03/2019"},
    }
    result = convert(ucdp_csv_with(changes))
    assert result.problems == [], [str(p) for p in result.problems]
    events = result.events.set_index("event_id")
    assert events.at["UCDP-244700", "event_date"].strftime("%Y-%m-%d") == "2017-08-01"
    assert events.at["UCDP-244700", "event_date_end"] == "2017-08-02"
    assert events.at["UCDP-244902", "event_date_end"] == "2019-03-05"
    assert any("read day-first" in n for n in result.notes), result.notes


# ------------------------------------------------------------------------- aggregation, Candidate


def source_rows(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_an_aggregation_row_is_a_real_event_over_its_whole_year():
    """ucdp_aggregation.csv: GED 19.1 columns (no relid, code_status, where_description), a
    sourced event and an AGGREGATION EVENT: no article, headline or office, the country's
    centroid, known only to the year (where_prec 6, date_prec 5)."""
    result = convert(FIXTURES / "ucdp_aggregation.csv")
    assert result.format == "ucdp" and result.problems == [], [str(p) for p in result.problems]
    assert result.events["event_id"].tolist() == ["UCDP-90001", "UCDP-90002"]
    aggregated = result.events.set_index("event_id").loc["UCDP-90002"]
    assert aggregated["source_quote"] == NO_QUOTE and aggregated["source_doc"] == NO_SOURCE
    assert "where_prec 6: UCDP knows only the country" in aggregated["notes"]
    assert "date_prec 5: UCDP knows only the year" in aggregated["notes"]
    assert "UCDP gives no headline for this event" in aggregated["notes"]
    assert (aggregated["fatalities"], aggregated["fatalities_low"]) == (5, 5)
    assert aggregated["fatalities_high"] == 8
    assert (aggregated["latitude"], aggregated["longitude"]) == (23.7, 90.35)
    said = "1 event(s) have neither a headline nor a place description"
    assert any(said in n for n in result.notes), result.notes
    intervals = {r["event_id"]: r["event_date_interval"] for r in exported(result.events)}
    assert intervals == {
        "UCDP-90001": "1992-04-10/1992-04-10",
        "UCDP-90002": "1992-01-01/1992-12-31",  # the year, not January
    }


def test_a_ucdp_candidate_file_imports_every_event_with_its_span_and_range():
    """ucdp_candidate.csv: a monthly Candidate release: GED's columns, every field quoted, CRLF,
    dates with a time, events not yet vetted (code_status other than Clear) kept."""
    raw = (FIXTURES / "ucdp_candidate.csv").read_bytes()
    assert raw.startswith(b'"id","relid",') and b"\r\n" in raw
    result = convert(FIXTURES / "ucdp_candidate.csv")
    assert result.format == "ucdp" and result.problems == [], [str(p) for p in result.problems]
    rows = source_rows("ucdp_candidate.csv")
    assert {r["code_status"] for r in rows} == {"Clear", "Check deaths", "Check dyad"}
    events = result.events
    assert events["event_id"].tolist() == [f"UCDP-{r['id']}" for r in rows]
    assert events["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        r["date_start"][:10] for r in rows
    ]
    ends = [r["date_end"][:10] if r["date_end"] != r["date_start"] else "" for r in rows]
    assert events["event_date_end"].tolist() == ends == ["", "2024-03-11", "2024-03-31"]
    assert events["latitude"].tolist() == [float(r["latitude"]) for r in rows]
    assert events["longitude"].tolist() == [float(r["longitude"]) for r in rows]
    assert events["attacker"].tolist() == [r["side_a"] for r in rows]
    assert events["target_group"].tolist() == [r["side_b"] for r in rows]
    assert events["fatalities"].tolist() == [int(r["best"]) for r in rows]
    assert events["fatalities_low"].tolist() == [int(r["low"]) for r in rows]
    assert events["fatalities_high"].tolist() == [int(r["high"]) for r in rows]
    assert events["time_precision"].tolist() == [1, 2, 3]
    assert describe_fatalities(events.iloc[1].to_dict()) == "11 (range 11 to 20)"
    assert not events["direction_stated"].any()
