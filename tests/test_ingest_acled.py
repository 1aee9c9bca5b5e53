"""geo.ingest.acled: every ACLED vintage and date form, and the direction it does not state."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from geo.evidence import describe_sides
from geo.ingest import convert
from geo.ingest.acled import NO_SUB_EVENT, NO_TARGET
from geo.ingest.base import read_dates
from geo.problems import DataFileError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def records(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_2015_regional_release_reads_with_upper_case_headers_and_ally_actors():
    result = convert(FIXTURES / "acled_2015_upper.csv")
    assert (result.format, result.variant, result.problems) == ("acled", "2015-era release", [])
    source = records("acled_2015_upper.csv")
    events = result.events
    assert events["event_id"].tolist() == [r["EVENT_ID_CNTY"] for r in source]
    assert events["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2015-01-01",
        "2015-02-03",
        "2015-03-15",
    ]
    assert events["event_type"].tolist() == [r["EVENT_TYPE"] for r in source]
    assert (events["sub_event_type"] == NO_SUB_EVENT).all()
    assert events["attacker_as_reported"].iat[0] == (
        "Rioters (Bangladesh) (with: AL: Awami League)"
    )
    assert events["target_as_reported"].iat[2] == (
        "Civilians (Bangladesh) (with: BNP: Bangladesh Nationalist Party)"
    )
    assert events["source_quote"].iat[0] == source[0]["NOTES"]  # spans two lines
    assert events["fatalities"].tolist() == [int(r["FATALITIES"]) for r in source]


def test_a_pre_2019_export_reads_and_a_blank_event_id_falls_back_to_data_id():
    result = convert(FIXTURES / "acled_pre2019.csv")
    assert (result.variant, result.problems) == ("pre-2019 export", [])
    assert result.events["event_id"].tolist() == ["IRQ501", "1002"]
    assert "data_id is the event_id" in result.events["notes"].iat[1]
    assert any("use ACLED's data_id" in n for n in result.notes)
    assert result.events["event_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2017-11-01",
        "2017-11-02",
    ]
    assert result.events["attacker_as_reported"].iat[1] == (
        "Military Forces of Iraq (2014-) (with: PMF: Popular Mobilization Forces)"
    )


def test_acled_sides_carry_no_direction_and_are_described_so():
    events = convert(FIXTURES / "acled_current.csv").events
    assert not events["direction_stated"].any()
    row = events.iloc[0].to_dict()
    assert describe_sides(row) == f"{row['attacker']} ↔ {row['target_group']}, direction not stated"
    assert "→" not in describe_sides(row)
    assert NO_TARGET in set(events["target_group"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-11-01", "2024-11-01"),
        ("01 November 2024", "2024-11-01"),
        ("1-Nov-24", "2024-11-01"),
        ("01-January-2015", "2015-01-01"),
        ("2013-07-24T00:00:00", "2013-07-24"),
        ("2009-06-09 00:00:00.000", "2009-06-09"),
        ("45597", "2024-11-01"),
    ],
)
def test_every_date_form_acled_or_a_spreadsheet_writes(text, expected):
    dates = read_dates(pd.Series([text, "2024-01-02"], dtype="str"), "event_date")
    assert dates.text.tolist() == [expected, "2024-01-02"] and not dates.bad.any()


@pytest.mark.parametrize(
    "values, first, order",
    [
        (["21/03/2020", "01/04/2020"], "2020-03-21", "day-first"),
        (["03/21/2020", "04/01/2020"], "2020-03-21", "month-first"),
        (["21.03.2020", "1-4-20"], "2020-03-21", "day-first"),
    ],
)
def test_day_or_month_first_is_decided_for_the_whole_file(values, first, order):
    dates = read_dates(pd.Series(values, dtype="str"), "event_date")
    assert dates.text.iat[0] == first
    second = "2020-04-01" if order == "day-first" else "2020-04-01"
    assert dates.text.iat[1] == second
    assert dates.notes[0].startswith(f"dates in event_date read {order}")


def test_a_file_whose_dates_are_ambiguous_throughout_is_refused_saying_why():
    rows = list(csv.reader(open(FIXTURES / "acled_2022.csv", encoding="utf-8", newline="")))
    column = rows[0].index("event_date")
    for row, day in zip(rows[1:], ["03/01/2020", "12/10/2023"], strict=True):
        row[column] = day
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with pytest.raises(
        DataFileError,
        match="uploaded file: column event_date: every date "
        "written like '03/01/2020' could be day-first or "
        "month-first",
    ):
        convert(out.getvalue().encode())


def test_a_date_against_the_files_order_is_a_named_row_problem():
    dates = read_dates(
        pd.Series(["21/03/2020", "22/03/2020", "03/23/2020"], dtype="str"), "event_date"
    )
    assert dates.bad.tolist() == [False, False, True]
    assert "1 contradict it and are refused" in dates.notes[0]


def test_the_map_popup_and_tooltip_say_direction_not_stated_for_imported_events():
    from geo.events import load_events
    from geo.mapview import layer_payload
    from geo.schema import EVENTS_CSV

    imported = convert(FIXTURES / "acled_current.csv").events
    curated = load_events(EVENTS_CSV).events
    both = pd.concat([curated, imported], ignore_index=True)
    payload = layer_payload(both, {})
    sides = [payload["sides_names"][c] for c in payload["sides"]]
    assert all(" → " in s for s in sides[: len(curated)])
    assert all(s.endswith(", direction not stated") and " ↔ " in s for s in sides[len(curated) :])
    assert len(sides) == len(both)
