"""geo.problems: a problem names the file, line, column and value, and stays one short line."""

from __future__ import annotations

import csv
import io

from geo.ingest import convert
from geo.problems import Problem
from geo.schema import EVENTS_CSV


def test_a_problem_names_where_and_what():
    problem = Problem("x.csv", 3, "latitude", "999", "is outside [-90, 90]")
    assert str(problem) == "x.csv line 3, column latitude: '999' is outside [-90, 90]"


def test_a_huge_value_is_cut_in_the_message_and_its_length_said():
    value = "9" * 99_999 + "x"
    text = str(Problem("x.csv", 2, "fatalities", value, "is not a number"))
    assert len(text) < 300
    assert text.startswith("x.csv line 2, column fatalities: '999")
    assert "… (100,000 characters) is not a number" in text


def test_an_imported_field_of_100k_characters_gives_a_short_problem():
    with open(EVENTS_CSV, encoding="utf-8", newline="") as f:
        header, row = list(csv.reader(f))[:2]
    row[header.index("fatalities")] = "1" * 50_000 + "z" * 50_000
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    result = convert(out.getvalue().encode(), "events")
    assert len(result.events) == 0
    [problem] = result.problems
    assert problem.column == "fatalities" and len(str(problem)) < 400, str(problem)[:400]
