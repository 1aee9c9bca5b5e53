"""geo.ingest: ACLED and UCDP GED files become events; bad rows named by their own line, column."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.events import load_events
from geo.export import to_csv_bytes
from geo.ingest import NO_QUOTE, NO_TARGET, UCDP_SUB_EVENT, convert, main, parse_dates
from geo.problems import DataFileError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
IRGC = "Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps"


def event(result, event_id: str) -> dict:
    rows = result.events.loc[result.events["event_id"] == event_id]
    assert len(rows) == 1, f"{event_id} not imported once: {list(result.events['event_id'])}"
    return rows.iloc[0].to_dict()


def rewrite(name: str, changes: dict[str, str]) -> bytes:
    """The fixture with the first data row's values changed, as bytes."""
    with open(FIXTURES / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0].update(changes)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerow(rows[0])
    return out.getvalue().encode("utf-8")


# ----------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "name, format, variant, rows",
    [
        ("events_own.csv", "events", "", 3),
        ("acled_current.csv", "acled", "current export", 4),
        ("acled_2022.csv", "acled", "pre-2023 export", 2),
        ("acled_monadic.csv", "acled", "monadic export", 3),
        ("ucdp_ged.csv", "ucdp", "", 4),
    ],
)
def test_each_format_is_told_from_its_header(name, format, variant, rows):
    result = convert(FIXTURES / name)
    assert (result.format, result.variant, result.rows_read) == (format, variant, rows)
    assert result.problems == []


def test_a_file_in_no_format_is_refused_naming_what_each_format_lacks():
    with pytest.raises(DataFileError) as error:
        convert(FIXTURES / "not_a_format.csv")
    message = str(error.value)
    assert message.startswith("not_a_format.csv is not an events, ACLED or UCDP GED file")
    assert "for ACLED it lacks event_id_cnty, event_date" in message
    assert "actor1" in message.split("for ACLED")[1].split(";")[0]
    assert "for UCDP GED it lacks id, type_of_violence, side_a, side_b" in message
    assert "for events it lacks event_id, event_date" in message


@pytest.mark.parametrize(
    "name, format, missing",
    [
        ("ucdp_ged.csv", "acled", ["event_id_cnty", "actor1", "geo_precision"]),
        ("acled_current.csv", "ucdp", ["side_a", "side_b", "where_prec", "date_start"]),
        ("acled_current.csv", "events", ["event_id", "attacker", "source_doc"]),
    ],
)
def test_an_explicit_format_that_does_not_fit_names_the_missing_columns(name, format, missing):
    with pytest.raises(DataFileError) as error:
        convert(FIXTURES / name, format=format)
    message = str(error.value)
    assert message.startswith(f"{name} is not a")
    lacks = message.split("it lacks ", 1)[1].split(" (its columns", 1)[0].split(", ")
    assert set(missing) <= set(lacks)
    assert "latitude" not in lacks  # present in both files, so not named


def test_an_explicit_format_that_fits_is_used():
    assert convert(FIXTURES / "ucdp_ged.csv", format="ucdp").format == "ucdp"


def test_an_unknown_format_name_is_a_programming_error():
    with pytest.raises(ValueError, match="'gdelt' is not one of auto, events, acled, ucdp"):
        convert(FIXTURES / "ucdp_ged.csv", format="gdelt")


# ----------------------------------------------------------------------------- ACLED mapping


ACLED_EXPECTED = [
    # file, event_id, event_date, time_precision, attacker, target_group, geo_precision,
    # fatalities, longitude
    (
        "acled_current.csv",
        "IRQ12001",
        "2022-09-28",
        1,
        IRGC,
        "KDPI: Kurdistan Democratic Party of Iran",
        1,
        5,
        44.6287,
    ),
    (
        "acled_current.csv",
        "IRQ12002",
        "2020-03-21",
        2,
        "Military Forces of Turkey (2016-)",
        "PKK: Kurdistan Workers Party",
        2,
        0,
        45.9424,
    ),
    (
        "acled_current.csv",
        "IRQ12003",
        "2024-08-05",
        3,
        "Unidentified Armed Group (Iraq)",
        NO_TARGET,
        3,
        0,
        44.4009,
    ),
    (
        "acled_current.csv",
        "MLI3456",
        "2023-01-31",
        1,
        "JNIM: Group for Support of Islam and Muslims",
        "Civilians (Mali)",
        1,
        2,
        -3.0074,
    ),
    (
        "acled_2022.csv",
        "IRQ8801",
        "2020-01-03",
        1,
        "Military Forces of the United States (2017-2021)",
        IRGC,
        1,
        10,
        44.2346,
    ),
    (
        "acled_2022.csv",
        "IRQ8802",
        "2023-12-26",
        1,
        "Military Forces of the United States (2021-)",
        "Kataib Hezbollah",
        2,
        1,
        44.4196,
    ),
    (
        "acled_monadic.csv",
        "IRQ13001",
        "2022-09-28",
        1,
        IRGC,
        "KDPI: Kurdistan Democratic Party of Iran",
        1,
        5,
        44.6287,
    ),
    (
        "acled_monadic.csv",
        "IRQ13002",
        "2021-06-02",
        1,
        "Islamic State (Iraq)",
        NO_TARGET,
        1,
        0,
        44.3922,
    ),
]


@pytest.mark.parametrize(
    "name, event_id, date, time_precision, attacker, target, geo_precision, fatalities, lon",
    ACLED_EXPECTED,
)
def test_acled_rows_map_onto_the_schema(
    name, event_id, date, time_precision, attacker, target, geo_precision, fatalities, lon
):
    row = event(convert(FIXTURES / name), event_id)
    assert row["event_date"] == pd.Timestamp(date)
    assert row["time_precision"] == time_precision
    assert row["attacker"] == attacker
    assert row["target_group"] == target
    assert row["geo_precision"] == geo_precision
    assert row["fatalities"] == fatalities
    assert row["longitude"] == pytest.approx(lon)
    assert pd.isna(row["injuries"])


def test_acled_text_columns_keep_source_description_and_provenance():
    result = convert(FIXTURES / "acled_current.csv")
    row = event(result, "IRQ12002")
    assert row["source_doc"] == "Anadolu Agency"
    assert row["source_quote"].startswith("On 21 March 2020, Turkish drones struck PKK")
    assert row["notes"].startswith("Imported from ACLED (current export)")
    assert (
        "actor1 and actor2 are the event's two sides: ACLED does not say which one "
        "attacked" in row["notes"]
    )
    assert row["direction_stated"] is False or row["direction_stated"] == False  # noqa: E712
    assert row["target_as_reported"] == "PKK: Kurdistan Workers Party (with: Civilians (Iraq))"
    assert row["admin1"] == "السليمانية"
    assert row["country"] == "Iraq" and row["event_type"] == "Explosions/Remote violence"
    assert str(result.events["event_date"].dtype).startswith("datetime64")
    assert str(result.events["fatalities"].dtype) == "Int64"


def test_a_monadic_export_merges_an_events_second_actor_row_into_its_target_group():
    result = convert(FIXTURES / "acled_monadic.csv")
    assert list(result.events["event_id"]) == ["IRQ13001", "IRQ13002"]
    assert result.rows_merged == 1 and result.rows_skipped == 0
    row = event(result, "IRQ13001")
    assert row["target_as_reported"] == (
        "KDPI: Kurdistan Democratic Party of Iran (with: Civilians (Iran))"
    )
    assert "monadic export" in row["notes"]
    assert result.summary() == (
        "imported 2 of 3 rows from ACLED file acled_monadic.csv; 0 rows skipped; "
        "1 rows merged into their event as its second actor (monadic export)"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-01-31", "2023-01-31"),
        ("21 March 2020", "2020-03-21"),
        ("5 August 2024", "2024-08-05"),
        ("21 Mar 2020", "2020-03-21"),
        ("5-Aug-24", "2024-08-05"),
        ("05-Aug-97", "1997-08-05"),
        ("5-Aug-2024", "2024-08-05"),
        ("31 Febuary 2020", ""),
        ("2020/03/21", ""),
        ("", ""),
    ],
)
def test_acled_dates_are_read_in_each_style_acled_and_spreadsheets_write(text, expected):
    from geo.ingest import ACLED_DATE_FORMATS

    values = pd.Series([text, "2023-01-31", text], dtype="str")
    assert parse_dates(values, ACLED_DATE_FORMATS).tolist() == [expected, "2023-01-31", expected]


# ----------------------------------------------------------------------------- UCDP mapping


UCDP_EXPECTED = [
    # event_id, event_type, attacker, target, date, time_prec, geo_prec, fatalities, near,
    # location, admin1, source_quote
    (
        "UCDP-244657",
        "One-sided violence",
        "IS",
        "Civilians",
        "2017-07-31",
        1,
        1,
        4,
        False,
        "Kirkuk town",
        "Kirkuk governorate",
        "Gunmen kill 4 in Kirkuk",
    ),
    (
        "UCDP-244700",
        "State-based conflict",
        "Government of Iraq",
        "IS",
        "2017-08-14",
        2,
        2,
        12,
        False,
        "Hawija district",
        "Kirkuk governorate",
        "Hawija district, Kirkuk",
    ),
    (
        "UCDP-244801",
        "Non-state conflict",
        "PKK",
        "KDP",
        "2018-05-01",
        3,
        3,
        3,
        False,
        "Iraq",
        "",
        "northern Iraq",
    ),
    (
        "UCDP-244902",
        "One-sided violence",
        "IS",
        "Civilians",
        "2019-03-01",
        3,
        2,
        0,
        True,
        "السليمانية",
        "السليمانية",
        "Gunmen kill 4 in Kirkuk",
    ),
]


@pytest.mark.parametrize(
    "event_id, event_type, attacker, target, date, time_precision, "
    "geo_precision, fatalities, near, location, admin1, quote",
    UCDP_EXPECTED,
)
def test_ucdp_ged_rows_map_onto_the_schema(
    event_id,
    event_type,
    attacker,
    target,
    date,
    time_precision,
    geo_precision,
    fatalities,
    near,
    location,
    admin1,
    quote,
):
    row = event(convert(FIXTURES / "ucdp_ged.csv"), event_id)
    assert row["event_type"] == event_type
    assert row["sub_event_type"] == UCDP_SUB_EVENT
    assert (row["attacker"], row["target_group"]) == (attacker, target)
    assert row["event_date"] == pd.Timestamp(date)
    assert row["time_precision"] == time_precision
    assert row["geo_precision"] == geo_precision
    assert row["fatalities"] == fatalities
    assert row["near_location"] is near or row["near_location"] == near
    assert (row["location"], row["admin1"], row["source_quote"]) == (location, admin1, quote)
    assert row["source_doc"].startswith('"Agence France Presse,2017-07-31')
    assert row["notes"].startswith(
        "Imported from UCDP GED; side_a and side_b are the event's "
        "two sides: UCDP does not say which one attacked"
    )
    assert not row["direction_stated"]


@pytest.mark.parametrize(
    "where_prec, geo_precision",
    [("1", 1), ("2", 2), ("3", 2), ("4", 3), ("5", 3), ("6", 3), ("7", 3)],
)
def test_ucdp_where_prec_maps_onto_geo_precision(where_prec, geo_precision):
    result = convert(rewrite("ucdp_ged.csv", {"where_prec": where_prec}))
    assert result.problems == []
    assert result.events["geo_precision"].tolist() == [geo_precision]
    assert ("where_prec" in result.events["notes"].iat[0]) == (where_prec in ("5", "6", "7"))


@pytest.mark.parametrize(
    "date_prec, time_precision", [("1", 1), ("2", 2), ("3", 2), ("4", 3), ("5", 3)]
)
def test_ucdp_date_prec_maps_onto_time_precision(date_prec, time_precision):
    result = convert(rewrite("ucdp_ged.csv", {"date_prec": date_prec}))
    assert result.problems == []
    assert result.events["time_precision"].tolist() == [time_precision]
    assert ("date_prec 5" in result.events["notes"].iat[0]) == (date_prec == "5")


def test_ucdp_source_doc_falls_back_to_source_office():
    result = convert(rewrite("ucdp_ged.csv", {"source_article": ""}))
    assert result.events["source_doc"].tolist() == ["Agence France Presse;Xinhua"]


# ----------------------------------------------------------------------------- bad rows


BAD_ROWS = [
    # file, line, column as the source names it, value, reason
    ("acled_bad_rows.csv", 3, "latitude", "95.5", "is outside [-90, 90]"),
    ("acled_bad_rows.csv", 4, "event_date", "31 Febuary 2020", "is not a date ACLED writes"),
    ("acled_bad_rows.csv", 5, "actor1", None, "required value is missing"),
    ("acled_bad_rows.csv", 6, "longitude", "east", "is not a number"),
    ("acled_bad_rows.csv", 7, "geo_precision", "4", "is not one of 1, 2, 3"),
    ("acled_bad_rows.csv", 8, "event_date", None, "required value is missing"),
    ("acled_bad_rows.csv", 10, "event_id_cnty", "IRQ20001", "repeats the event_id_cnty of line 2"),
    ("acled_bad_rows.csv", 11, "fatalities", "-3", "is negative"),
    ("ucdp_bad_rows.csv", 3, "longitude", "200", "is outside [-180, 180]"),
    ("ucdp_bad_rows.csv", 4, "date_start", "2017-13-45", "is not a date"),
    ("ucdp_bad_rows.csv", 5, "where_prec", "9", "is not a UCDP location precision (1 to 7)"),
    ("ucdp_bad_rows.csv", 6, "side_a", None, "required value is missing"),
    ("ucdp_bad_rows.csv", 7, "type_of_violence", "4", "is not 1 (state-based)"),
    ("ucdp_bad_rows.csv", 8, "date_prec", "0", "is not a UCDP date precision (1 to 5)"),
    ("ucdp_bad_rows.csv", 9, "best", "many", "is not a number"),
    ("ucdp_bad_rows.csv", 11, "date_start", None, "required value is missing"),
]


@pytest.mark.parametrize("name, line, column, value, reason", BAD_ROWS)
def test_each_bad_row_is_reported_by_its_original_line_and_column(
    name, line, column, value, reason
):
    result = convert(FIXTURES / name)
    found = [p for p in result.problems if p.line == line]
    assert len(found) == 1, [str(p) for p in result.problems]
    problem = found[0]
    assert (problem.file, problem.column, problem.value) == (name, column, value)
    assert reason in problem.reason
    assert str(problem).startswith(f"{name} line {line}, column {column}")


@pytest.mark.parametrize(
    "name, kept, quoteless_line",
    [
        ("acled_bad_rows.csv", ["IRQ20001", "IRQ20008", "IRQ20011"], 9),
        ("ucdp_bad_rows.csv", ["UCDP-300001", "UCDP-300009", "UCDP-300011"], 10),
    ],
)
def test_the_good_rows_of_a_file_with_bad_ones_are_imported(name, kept, quoteless_line):
    result = convert(FIXTURES / name)
    assert list(result.events["event_id"]) == kept
    lines = list(range(3, 12))
    lines.remove(quoteless_line)
    assert [p.line for p in result.problems] == lines
    assert result.rows_skipped == 8
    assert result.summary().endswith(f"file {name}; 8 rows skipped")


@pytest.mark.parametrize(
    "name, event_id, said",
    [
        ("acled_bad_rows.csv", "IRQ20008", "ACLED's notes are blank for this event"),
        ("ucdp_bad_rows.csv", "UCDP-300009", "UCDP gives no headline for this event"),
    ],
)
def test_an_event_without_a_quote_is_kept_and_says_so(name, event_id, said):
    result = convert(FIXTURES / name)
    row = event(result, event_id)
    assert row["source_quote"] == NO_QUOTE
    assert said in row["notes"]
    assert any(NO_QUOTE in note for note in result.notes)


def test_a_repeated_ucdp_id_is_named_by_ucdp_column_and_value():
    data = (FIXTURES / "ucdp_ged.csv").read_bytes()
    first_row = data.splitlines(keepends=True)[1]
    result = convert(data + first_row)
    assert [(p.line, p.column, p.value, p.reason) for p in result.problems] == [
        (6, "id", "244657", "repeats the id of line 2")
    ]
    assert len(result.events) == 4


def test_line_numbers_stay_right_in_a_large_file_with_values_spanning_lines(tmp_path, monkeypatch):
    """Big enough for pyarrow to split it into blocks, some inside quoted newlines; the fast
    reader must still read it (the pandas C-engine fallback is several times slower)."""
    import geo.ingest.read

    def no_fallback(*args, **kwargs):
        raise AssertionError("fell back to the slow reader")

    monkeypatch.setattr(geo.ingest.read, "_slow_csv", no_fallback)
    lines = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").splitlines()
    header, row = lines[0], lines[1]
    note = '"On 28 September 2022, the IRGC struck KDPI offices near Koya (Erbil)'
    assert note in row
    body, line, bad_line = [header], 2, None
    for i in range(12000):
        text = row.replace("IRQ12001", f"IRQ{i}")
        if i % 3 == 0:
            text = text.replace(note, note.replace("struck", "struck,\nlater, "))
        if i == 11990:
            text, bad_line = text.replace(",36.0829,", ",-95,"), line
        body.append(text)
        line += text.count("\n") + 1
    path = tmp_path / "big.csv"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    assert path.stat().st_size > 3_000_000
    result = convert(path)
    assert [(p.line, p.column, p.value) for p in result.problems] == [(bad_line, "latitude", "-95")]
    assert len(result.events) == 11999
    assert result.events["source_quote"].str.contains("struck,\nlater, ").sum() == 4000


def test_line_numbers_stay_right_after_a_value_spanning_two_lines():
    result = convert(FIXTURES / "acled_multiline.csv")
    assert [(p.line, p.column, p.value) for p in result.problems] == [(4, "latitude", "-91")]
    assert event(result, "IRQ30001")["source_quote"] == (
        "First line of the note.\nSecond line of the note."
    )


def test_a_windows_1252_file_is_read_and_says_so():
    data = (
        (FIXTURES / "acled_current.csv")
        .read_bytes()
        .replace("كۆیە".encode(), "K\xf6ya".encode("cp1252"))
    )
    result = convert(data)
    assert result.encoding == "Windows-1252" and result.problems == []
    assert "read as Windows-1252 (the file is not UTF-8)" in result.notes
    assert "Köya" in set(result.events["location"])


def test_a_file_in_no_text_encoding_is_refused_naming_the_byte():
    data = (FIXTURES / "acled_current.csv").read_bytes() + b"\x81\x8d\x8f\x90\x9d\xff\n"
    with pytest.raises(
        DataFileError,
        match=r"uploaded file is not text in UTF-8, UTF-16 or "
        r"Windows-1252 \(byte \d+ is",
    ):
        convert(data)


def test_a_row_with_too_many_fields_is_named_and_the_others_kept():
    data = (FIXTURES / "acled_current.csv").read_bytes() + b"IRQ9," * 40 + b"\n"
    result = convert(data)
    assert len(result.events) == 4
    assert [(p.line, p.column) for p in result.problems] == [(6, None)]
    assert "has 41 fields where the header has 31" in result.problems[0].reason


# ----------------------------------------------------------------------------- text


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("name", ["acled_current.csv", "ucdp_ged.csv", "events_own.csv"])
def test_utf8_with_or_without_byte_order_mark_reads_the_same(name, bom):
    data = (FIXTURES / name).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    expected = convert(FIXTURES / name)
    result = convert(bom + data)
    assert result.format == expected.format and result.problems == []
    pd.testing.assert_frame_equal(result.events, expected.events)


def test_a_binary_file_object_is_read_and_named():
    with open(FIXTURES / "acled_bad_rows.csv", "rb") as f:
        result = convert(f)
    assert result.name == "acled_bad_rows.csv"
    assert result.problems[0].file == "acled_bad_rows.csv"


def test_an_events_file_imports_exactly_as_load_events_reads_it():
    result = convert(FIXTURES / "events_own.csv")
    loaded = load_events(FIXTURES / "events_own.csv")
    pd.testing.assert_frame_equal(result.events, loaded.events)
    assert list(result.events["event_id"]) == ["IRQ1", "IRQ2", "IRQ3"]


@pytest.mark.parametrize(
    "name, columns",
    [
        ("acled_current.csv", ["location", "admin1", "attacker", "source_quote"]),
        ("ucdp_ged.csv", ["location", "admin1", "attacker", "source_doc"]),
    ],
)
def test_arabic_and_kurdish_names_survive_import_export_and_reload(name, columns):
    imported = convert(FIXTURES / name).events
    reloaded = load_events(to_csv_bytes(imported))
    assert reloaded.problems == []
    for column in columns:
        assert reloaded.events[column].tolist() == imported[column].tolist()
    names = set(imported["location"]) | set(imported["admin1"])
    assert names & {"كۆیە", "السليمانية"}
    assert set(reloaded.events["location"]) | set(reloaded.events["admin1"]) >= (
        names & {"كۆیە", "السليمانية"}
    )


def test_hostile_html_is_kept_verbatim_as_data():
    row = event(convert(FIXTURES / "acled_hostile.csv"), "IRQ40001")
    assert row["attacker"] == "<script>alert('x')</script>"
    assert row["target_group"] == "<img src=x onerror=alert(1)>"
    assert row["location"] == "<iframe src=javascript:alert(1)>"
    assert row["source_doc"] == "Rudaw & <i>K24</i>"
    assert row["source_quote"] == (
        '<b>bold</b> & "quoted" <img src=x onerror=alert(1)> <script>alert(1)</script>'
    )
    reloaded = load_events(to_csv_bytes(convert(FIXTURES / "acled_hostile.csv").events))
    assert reloaded.events["source_quote"].iat[0] == row["source_quote"]


# ----------------------------------------------------------------------------- command line


def test_cli_writes_the_good_rows_and_reports_the_bad_ones(tmp_path, capsys):
    out = tmp_path / "imported.csv"
    code = main([str(FIXTURES / "acled_bad_rows.csv"), "--output", str(out)])
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    assert printed[0] == ("acled_bad_rows.csv line 3, column latitude: '95.5' is outside [-90, 90]")
    assert len([line for line in printed if " line " in line]) == 8
    assert "imported 3 of 11 rows from ACLED file acled_bad_rows.csv; 8 rows skipped" in printed
    written = load_events(out)
    assert written.problems == []
    assert list(written.events["event_id"]) == ["IRQ20001", "IRQ20008", "IRQ20011"]
    assert not written.events["direction_stated"].any()
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_cli_with_an_explicit_format(tmp_path):
    out = tmp_path / "ucdp.csv"
    assert main([str(FIXTURES / "ucdp_ged.csv"), "--output", str(out), "--format", "ucdp"]) == 0
    assert len(load_events(out).events) == 4


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("not_a_format.csv", [], "is not an events, ACLED or UCDP GED file"),
        ("ucdp_ged.csv", ["--format", "acled"], "is not an ACLED file: it lacks event_id_cnty"),
    ],
)
def test_cli_writes_nothing_and_exits_1_for_a_file_in_no_format(
    tmp_path, capsys, name, args, message
):
    out = tmp_path / "imported.csv"
    code = main([str(FIXTURES / name), "--output", str(out), *args])
    assert code == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_nothing_and_exits_1_when_no_row_is_good(tmp_path, capsys):
    source = tmp_path / "all_bad.csv"
    source.write_bytes(rewrite("acled_current.csv", {"latitude": "123"}))
    out = tmp_path / "imported.csv"
    assert main([str(source), "--output", str(out)]) == 1
    captured = capsys.readouterr()
    assert "all_bad.csv line 2, column latitude: '123' is outside [-90, 90]" in captured.out
    assert "no row of all_bad.csv could be imported" in captured.err
    assert not out.exists()


def test_cli_keeps_an_existing_output_when_the_input_is_unusable(tmp_path):
    out = tmp_path / "imported.csv"
    out.write_text("previous\n", encoding="utf-8")
    assert main([str(FIXTURES / "not_a_format.csv"), "--output", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "previous\n"


@pytest.mark.parametrize("output", ["same", "dotted"])
def test_cli_refuses_to_overwrite_its_input(tmp_path, capsys, output):
    source = tmp_path / "acled.csv"
    original = (FIXTURES / "acled_current.csv").read_bytes()
    source.write_bytes(original)
    target = source if output == "same" else tmp_path / "." / "sub" / ".." / "acled.csv"
    (tmp_path / "sub").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main([str(source), "--output", str(target)])
    assert exit_info.value.code == 2
    assert "is the input file; refusing to overwrite it" in capsys.readouterr().err
    assert source.read_bytes() == original


def test_cli_runs_as_a_module(tmp_path):
    out = tmp_path / "imported.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo.ingest",
            str(FIXTURES / "ucdp_bad_rows.csv"),
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "ucdp_bad_rows.csv line 5, column where_prec: '9'" in done.stdout
    assert "imported 3 of 11 rows from UCDP GED file ucdp_bad_rows.csv" in done.stdout
    assert list(load_events(out).events["event_id"]) == [
        "UCDP-300001",
        "UCDP-300009",
        "UCDP-300011",
    ]

    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo.ingest",
            str(FIXTURES / "not_a_format.csv"),
            "--output",
            str(tmp_path / "none.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1
    assert "for ACLED it lacks event_id_cnty" in missing.stderr
    assert not (tmp_path / "none.csv").exists()


# ----------------------------------------------------------------------------- categoricals


def _messy_acled(n: int = 3000) -> bytes:
    """Synthetic ACLED rows (more than 1,000, so that text comes out as categoricals) with
    the blanks and stray spaces real files have in the columns the reader hands over coded."""
    from bench.synth import generate

    rows = generate(n, seed=5)
    every = np.arange(n)
    rows.loc[every % 7 == 0, "actor2"] = ""
    rows.loc[every % 11 == 0, "actor2"] = "  "
    rows.loc[every % 13 == 0, "source"] = ""
    rows.loc[every % 17 == 0, "event_type"] = " " + rows["event_type"] + " "
    rows.loc[every % 19 == 0, "assoc_actor_1"] = "Civilians (Iraq)"
    rows.loc[every % 23 == 0, "assoc_actor_2"] = " Tribesmen "
    rows.loc[every % 29 == 0, "event_date"] = "31 February 2020"
    rows.loc[every % 31 == 0, "fatalities"] = "-1"
    return rows.to_csv(index=False).encode("utf-8")


@pytest.mark.parametrize(
    "name", [p.name for p in sorted(FIXTURES.iterdir())] + ["messy synthetic ACLED"]
)
def test_columns_handed_over_as_categoricals_give_what_text_gives(name, monkeypatch):
    """The reader hands a provider's FEW_VALUES over coded; nothing a user sees may change."""
    from geo.ingest.pipeline import PROVIDERS

    source = _messy_acled() if name == "messy synthetic ACLED" else FIXTURES / name
    try:
        coded = convert(source)
    except DataFileError as exc:
        coded = str(exc)
    for provider in PROVIDERS.values():
        monkeypatch.setattr(provider, "FEW_VALUES", ())
    try:
        plain = convert(source)
    except DataFileError as exc:
        assert coded == str(exc)
        return
    assert [str(p) for p in coded.problems] == [str(p) for p in plain.problems]
    assert coded.notes == plain.notes
    assert list(coded.events.columns) == list(plain.events.columns)
    for column in plain.events.columns:
        assert (
            coded.events[column].astype(str).tolist() == plain.events[column].astype(str).tolist()
        ), column
