"""geo.ingest.read: every container and text shape analysts bring, and the reader's defences.

Each shape is compared with the plain UTF-8 comma CSV of the same rows: the same events come
out, and the reader's notes say what it decided.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geo.ingest import convert, read_table
from geo.ingest.limits import MAX_COLUMNS, MAX_FIELD_CHARS
from geo.problems import DataFileError, GeoError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
COMPARED = [
    "event_id",
    "event_date",
    "attacker",
    "target_group",
    "latitude",
    "longitude",
    "fatalities",
    "location",
    "source_quote",
    "time_precision",
    "geo_precision",
]


def same_events(result, reference: str) -> None:
    expected = convert(FIXTURES / reference).events
    assert result.problems == [], [str(p) for p in result.problems]
    pd.testing.assert_frame_equal(
        result.events[COMPARED].reset_index(drop=True), expected[COMPARED].reset_index(drop=True)
    )


def csv_rows(name: str) -> list[list[str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def rewrite_csv(rows: list[list[str]], delimiter: str = ",", terminator: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerows(rows)
    return out.getvalue()


# ----------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize(
    "name, note",
    [
        ("acled_tab.tsv", "tab-separated"),
        ("acled_pipe.txt", "pipe-separated (|)"),
    ],
)
def test_tab_and_pipe_separated_files_read_like_the_comma_file(name, note):
    result = convert(FIXTURES / name)
    same_events(result, "acled_current.csv")
    assert note in result.notes
    assert result.delimiter == {"acled_tab.tsv": "\t", "acled_pipe.txt": "|"}[name]


def test_a_semicolon_file_with_day_first_dates_reads_and_says_both():
    result = convert(FIXTURES / "acled_semicolon_dayfirst.csv")
    same_events(result, "acled_current.csv")
    assert "semicolon-separated" in result.notes
    assert any(
        n.startswith("dates in event_date read day-first (21/03/2020)") for n in result.notes
    ), result.notes


def test_a_comma_file_says_nothing_about_its_delimiter_or_encoding():
    result = convert(FIXTURES / "acled_current.csv")
    assert result.notes == [] and result.delimiter == "," and result.encoding == "UTF-8"


# ----------------------------------------------------------------------------- encodings


def test_windows_1252_is_read_and_named():
    rows = csv_rows("acled_current.csv")
    rows[1][rows[0].index("location")] = "Köya – “centre”"
    data = rewrite_csv(rows).encode("cp1252", errors="replace")
    result = convert(data)
    assert result.encoding == "Windows-1252"
    assert "read as Windows-1252 (the file is not UTF-8)" in result.notes
    assert result.events["location"].iat[0] == "Köya – “centre”"
    assert len(result.events) == 4


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_with_or_without_byte_order_mark_is_read(codec):
    text = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8")
    result = convert(text.encode(codec))
    same_events(result, "acled_current.csv")
    assert result.encoding.startswith("UTF-16")
    assert any("UTF-16" in n for n in result.notes)


# ----------------------------------------------------------------------------- JSON


def test_an_acled_api_response_reads_like_the_csv_export():
    result = convert(FIXTURES / "acled_api.json")
    same_events(result, "acled_current.csv")
    assert result.container == "JSON" and "ACLED API response" in result.notes


def test_a_ucdp_api_response_reads_like_the_csv_with_typed_values():
    result = convert(FIXTURES / "ucdp_api.json")
    same_events(result, "ucdp_ged.csv")
    assert result.format == "ucdp"
    with open(FIXTURES / "ucdp_ged.csv", encoding="utf-8", newline="") as f:
        records = list(csv.DictReader(f))
    assert result.events["fatalities_low"].tolist() == [int(r["low"]) for r in records]
    assert result.events["fatalities_high"].tolist() == [int(r["high"]) for r in records]


def test_a_plain_array_of_records_is_read():
    result = convert(FIXTURES / "events_records.json")
    same_events(result, "events_own.csv")


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b'{"status": 200, "success": false, "error": {"message": "Access denied"}}',
            "is an error response of an API, not data",
        ),
        (b'{"rows": 3}', "holds no list of records"),
        (b'{"data": [1, 2', "is not valid JSON"),
        (b"42", None),
    ],
)
def test_json_that_holds_no_records_is_refused_with_the_reason(data, message):
    with pytest.raises(DataFileError) as error:
        convert(data)
    if message:
        assert message in str(error.value)


# ----------------------------------------------------------------------------- zip, xlsx


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_holding_a_csv_is_read_and_named():
    data = zipped(
        {
            "ged241-csv/GEDEvent_v24_1.csv": (FIXTURES / "ucdp_ged.csv").read_bytes(),
            "ged241-csv/codebook.pdf": b"%PDF-1.4",
        }
    )
    result = convert(data)
    same_events(result, "ucdp_ged.csv")
    assert result.notes[0] == "read ged241-csv/GEDEvent_v24_1.csv from the zip"
    assert result.name == "GEDEvent_v24_1.csv in uploaded file"


def test_a_zip_without_a_data_file_is_refused_listing_what_it_holds():
    with pytest.raises(DataFileError, match="holds no CSV, spreadsheet or JSON file .*readme"):
        convert(zipped({"readme.md": b"hello"}))


def workbook(rows: list[list[object]], extra_sheet: bool = True) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    if extra_sheet:
        book.active.title = "About"
        book.active.append(["This workbook holds ACLED data"])
        sheet = book.create_sheet("Events")
    else:
        sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def typed_acled_rows() -> list[list[object]]:
    """acled_current.csv as a spreadsheet holds it: upper-case header, dates as date cells,
    numbers as numbers."""
    import datetime as dt

    rows = csv_rows("acled_current.csv")
    header = [h.upper() for h in rows[0]]
    days = convert(FIXTURES / "acled_current.csv").events["event_date"].tolist()
    body: list[list[object]] = []
    for row, day in zip(rows[1:], days, strict=True):
        cells: list[object] = list(row)
        cells[rows[0].index("event_date")] = dt.datetime(day.year, day.month, day.day)
        for column in ("latitude", "longitude"):
            cells[rows[0].index(column)] = float(row[rows[0].index(column)])
        for column in ("fatalities", "time_precision", "geo_precision"):
            cells[rows[0].index(column)] = int(row[rows[0].index(column)])
        body.append(cells)
    return [header, *body]


def test_an_xlsx_export_is_read_from_the_sheet_that_holds_the_events():
    result = convert(workbook(typed_acled_rows()))
    same_events(result, "acled_current.csv")
    assert result.sheet == "Events" and result.container == "Excel workbook (.xlsx)"
    assert "read sheet 'Events'" in result.notes[0]


def ods_workbook(rows: list[list[object]]) -> bytes:
    """An OpenDocument spreadsheet (LibreOffice's format) written by pandas' odf engine."""
    pytest.importorskip("odf", reason="odfpy (requirements-dev.txt) writes the .ods fixture")
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="odf") as writer:
        about = pd.DataFrame([["This workbook holds ACLED data"]])
        about.to_excel(writer, sheet_name="About", header=False, index=False)
        pd.DataFrame(rows).to_excel(writer, sheet_name="Events", header=False, index=False)
    return out.getvalue()


def xls_workbook(rows: list[list[object]]) -> bytes:
    """An Excel 97-2003 workbook (BIFF8 in an OLE2 file), dates as date-formatted cells."""
    import datetime as dt

    xlwt = pytest.importorskip("xlwt", reason="xlwt (requirements-dev.txt) writes the .xls fixture")
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("About").write(0, 0, "This workbook holds ACLED data")
    sheet = book.add_sheet("Events")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, day)
            else:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "write, container, magic",
    [
        (ods_workbook, "OpenDocument spreadsheet (.ods)", b"PK\x03\x04"),
        (xls_workbook, "Excel 97-2003 workbook (.xls)", b"\xd0\xcf\x11\xe0"),
    ],
    ids=["ods", "xls"],
)
def test_ods_and_xls_workbooks_read_like_the_csv_from_the_sheet_that_holds_the_events(
    write, container, magic
):
    data = write(typed_acled_rows())
    assert data.startswith(magic)
    result = convert(data)
    same_events(result, "acled_current.csv")
    assert result.sheet == "Events" and result.container == container
    assert "read sheet 'Events' (of 2 sheets, the one whose header fits best)" in result.notes[0]
    # Arabic and Kurdish names (admin1 here, location in same_events) keep their script.
    expected = convert(FIXTURES / "acled_current.csv").events
    assert result.events["admin1"].tolist() == expected["admin1"].tolist()


@pytest.mark.parametrize("write", [ods_workbook, xls_workbook], ids=["ods", "xls"])
def test_a_bad_cell_of_a_workbook_is_named_by_the_sheet_row_and_column(write):
    rows = typed_acled_rows()
    rows[2][rows[0].index("LATITUDE")] = 95.5
    result = convert(write(rows))
    assert [(p.line, p.column, p.value) for p in result.problems] == [(3, "LATITUDE", "95.5")]
    assert len(result.events) == 3


def test_excel_day_numbers_in_a_date_column_are_read_as_dates():
    rows = csv_rows("acled_current.csv")
    days = convert(FIXTURES / "acled_current.csv").events["event_date"]
    serials = (days - pd.Timestamp("1899-12-30")).dt.days.tolist()  # Excel's day count
    assert serials[0] == 44832  # 2022-09-28, as Excel shows it
    for row, serial in zip(rows[1:], serials, strict=True):
        row[1] = str(serial)
    result = convert(rewrite_csv(rows).encode())
    same_events(result, "acled_current.csv")
    assert any("Excel day numbers" in n for n in result.notes)


def test_a_workbook_without_its_reader_is_refused_saying_so(monkeypatch):
    data = workbook([["a"], ["b"]], extra_sheet=False)
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(DataFileError) as error:
        convert(data)
    message = str(error.value)
    assert (
        "is an Excel workbook (.xlsx), and its reader, python-calamine, is not installed" in message
    )
    assert "UTF-8" not in message


# ----------------------------------------------------------------------------- headers


def test_headers_match_whatever_their_case_and_spaces():
    rows = csv_rows("acled_current.csv")
    rows[0] = [f"  {h.upper()} " for h in rows[0]]
    same_events(convert(rewrite_csv(rows).encode()), "acled_current.csv")


def test_a_pandas_index_column_and_the_hxl_row_are_skipped_silently():
    result = convert(FIXTURES / "ucdp_hdx_pandas.csv")
    assert result.problems == []
    assert result.rows_read == 3 and len(result.events) == 3
    assert "ignored the first column, an unnamed index (a pandas export)" in result.notes
    assert "skipped HDX's hashtag row (HXL) on line 2" in result.notes


def test_a_file_without_a_header_row_is_refused_as_such():
    rows = csv_rows("acled_current.csv")[1:]
    with pytest.raises(DataFileError, match="has no header row: the first row looks like data"):
        convert(rewrite_csv(rows).encode())


def test_an_unknown_layout_names_the_closest_format_and_what_it_lacks():
    rows = csv_rows("acled_current.csv")
    keep = [i for i, h in enumerate(rows[0]) if h not in ("actor1", "event_id_cnty")]
    data = rewrite_csv([[r[i] for i in keep] for r in rows]).encode()
    with pytest.raises(DataFileError) as error:
        convert(data)
    message = str(error.value)
    first = message.split(": ", 1)[1].split(";")[0]
    assert first.startswith("for ACLED it lacks event_id_cnty, actor1 (it has 12 of its 14")


# ----------------------------------------------------------------------------- issue 10


def test_a_ragged_first_data_row_is_named_and_does_not_shift_the_others():
    rows = csv_rows("acled_current.csv")
    rows[1] = rows[1] + ["x", "y", "z"]
    result = convert(rewrite_csv(rows).encode())
    assert [(p.line, p.column) for p in result.problems] == [(2, None)]
    assert "has 34 fields where the header has 31" in result.problems[0].reason
    assert list(result.events["event_id"]) == ["IRQ12002", "IRQ12003", "MLI3456"]
    assert result.rows_read == 4 and result.rows_skipped == 1


def test_an_unbalanced_quote_loses_only_its_own_row():
    text = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    assert lines[2].count('"') >= 2 and ',"' in lines[2]
    lines[2] = lines[2].replace(',"', ',"unclosed ', 1).replace('",', ",", 1)
    result = convert("".join(lines).encode())
    reasons = [(p.line, p.reason) for p in result.problems]
    assert reasons and reasons[0][0] == 3
    assert "is not closed before line 4" in reasons[0][1]
    assert "line 3 left out" in reasons[0][1] and "reading goes on at line 4" in reasons[0][1]
    # Only the broken row is lost: the valid rows after it (line 4 on) are all kept.
    assert list(result.events["event_id"]) == ["IRQ12001", "IRQ12003", "MLI3456"]
    assert "IRQ12001" in set(result.events["event_id"])


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_any_line_ending_reads_the_same(ending):
    rows = csv_rows("acled_2022.csv")
    result = convert(rewrite_csv(rows, terminator=ending).encode())
    same_events(result, "acled_2022.csv")


def test_a_file_cut_into_pieces_on_threads_reads_as_in_one_piece(tmp_path, monkeypatch):
    """A large file's pieces are scanned and parsed on threads (geo.ingest.read._map_pieces):
    cut here into pieces of 64 bytes and forced onto threads, a file whose notes run over two
    lines gives the same record starts, the same parsed rows in the same order, and the same
    events and problems. (Where the threaded reading goes wrong, the importer falls back on
    the csv module, so only the first two would show it.)"""
    from geo.ingest import read

    header, *rows = csv_rows("acled_2022.csv")
    ids, notes = header.index("event_id_cnty"), header.index("notes")
    rows = [list(row) for _ in range(20) for row in rows]
    for i, row in enumerate(rows):
        row[ids] = f"{row[ids]}-{i}"
        row[notes] += f'\nSecond paragraph of {i}, with a comma and a "quote".'
    rows[30][header.index("latitude")] = "north"  # a problem named by its line
    path = tmp_path / "acled.csv"
    path.write_text(rewrite_csv([header, *rows]), encoding="utf-8")
    names = [f"c{i}" for i in range(len(header))]

    def read_it():
        lines, offsets = read._record_starts(path, 0, ",", len(header))
        table = read._parse_records(path, 0, offsets, names, names, set(), ",")
        return lines.tolist(), offsets.tolist(), table.to_pandas(), convert(path)

    lines, offsets, table, whole = read_it()  # one piece, in this thread
    assert lines == list(range(2, 2 * len(rows) + 2, 2))
    assert table[f"c{ids}"].tolist() == [row[ids] for row in rows]
    assert [(p.line, p.value) for p in whole.problems] == [(62, "north")]  # row 31's line
    monkeypatch.setattr(read, "THREADS_FROM_BYTES", 0)
    monkeypatch.setattr(read, "PIECE_BYTES", 64)
    monkeypatch.setattr(read, "CSV_BLOCK_BYTES", 64)
    threaded = read_it()
    assert (threaded[0], threaded[1]) == (lines, offsets)
    pd.testing.assert_frame_equal(threaded[2], table)
    pd.testing.assert_frame_equal(threaded[3].events, whole.events)
    assert threaded[3].problems == whole.problems


def test_a_bare_cr_inside_an_unquoted_field_is_read_as_a_space_and_said():
    rows = csv_rows("acled_current.csv")
    text = rewrite_csv(rows)
    assert ",Anadolu Agency," in text
    text = text.replace("Anadolu Agency", "Anadolu\rAgency", 1)
    result = convert(text.encode())
    assert result.problems == [] and len(result.events) == 4
    assert "Anadolu Agency" in set(result.events["source_doc"])
    assert "1 carriage return(s) (CR) inside lines read as spaces" in result.notes


@pytest.mark.parametrize("value", ["9300000000000000000", "9223372036854775807", "1e300"])
def test_a_huge_count_is_a_named_row_problem(value):
    rows = csv_rows("acled_current.csv")
    rows[2][rows[0].index("fatalities")] = value
    result = convert(rewrite_csv(rows).encode())
    assert [(p.line, p.column, p.value) for p in result.problems] == [(3, "fatalities", value)]
    assert "is larger than any plausible count" in result.problems[0].reason
    assert int(result.events["fatalities"].sum()) == 7


def test_a_value_longer_than_the_limit_is_a_named_row_problem():
    rows = csv_rows("acled_current.csv")
    rows[2][rows[0].index("notes")] = "x" * (MAX_FIELD_CHARS + 1)
    result = convert(rewrite_csv(rows).encode())
    assert [(p.line, p.column) for p in result.problems] == [(3, "notes")]
    assert f"more than the limit of {MAX_FIELD_CHARS:,}" in result.problems[0].reason
    assert len(result.events) == 3


def test_a_file_with_too_many_columns_is_refused_before_its_rows_are_read(monkeypatch):
    import geo.ingest.read as reader

    def must_not_run(*args, **kwargs):
        raise AssertionError("rows were parsed")

    monkeypatch.setattr(reader, "_from_rows", must_not_run)
    header = ",".join(f"c{i}" for i in range(10_000))
    data = (header + "\n" + ",".join("1" for _ in range(10_000)) + "\n").encode()
    with pytest.raises(
        DataFileError, match=f"has 10,000 columns, more than the limit of {MAX_COLUMNS}"
    ):
        convert(data)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a POSIX FIFO")
def test_a_fifo_or_a_directory_is_refused_without_reading(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        with pytest.raises(DataFileError, match="is not a regular file"):
            convert(path)


def test_reader_errors_are_the_projects_own():
    with pytest.raises(GeoError, match=r"is not text in UTF-8, UTF-16 or Windows-1252 \(byte 0"):
        read_table(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 40)
    with pytest.raises(GeoError):
        convert(b"\x00\x01\x02binary")
    assert issubclass(DataFileError, ValueError)


def test_json_numbers_too_long_for_python_are_a_row_problem_not_a_crash():
    """int() refuses more than 4,300 digits: the JSON reader keeps numbers as written."""
    huge = "9" * 5000
    record = (
        '{"event_id_cnty": "IRQ1", "event_date": "2024-11-01", "event_type": "Battles", '
        '"actor1": "A", "actor2": "B", "country": "Iraq", "latitude": 33.3, '
        '"longitude": 44.4, "fatalities": %s, "time_precision": 1, "admin1": "Baghdad", '
        '"location": "Baghdad", "geo_precision": 1, "source": "S", "notes": "n"}'
    )
    data = ("[" + record % huge + ", " + record.replace("IRQ1", "IRQ2") % "2" + "]").encode()
    result = convert(data, "acled")
    assert list(result.events["event_id"]) == ["IRQ2"]
    assert result.events["fatalities"].tolist() == [2]
    assert result.events["latitude"].tolist() == [33.3]
    [problem] = result.problems
    assert (problem.line, problem.column) == (1, "fatalities"), str(problem)
