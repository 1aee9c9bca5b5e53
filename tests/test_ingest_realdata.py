"""Every real ACLED and UCDP file of ../shared/realdata imports every valid event exactly.

Each file is read a second time here by a reader that shares nothing with the importer (the
csv module, or python-calamine's cells directly) and every valid record is compared with the
imported event: date, latitude, longitude, both sides and fatalities. The rows that really are
broken are named by line and reason. Each real CSV is also re-saved at test time as users
re-save it (other delimiters, day-first dates, other encodings, a zip, JSON) and must give the
same events. The folder holds files of other publishers and is not in the repository (nor is
any copy of them): these tests skip where it is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geo.ingest import NO_TARGET, convert, main
from geo.problems import DataFileError

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "realdata"
pytestmark = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"{REAL} (real ACLED/UCDP files) is not on this machine"
)

# file -> (format, {line: reason of the problem that line must get})
FILES = {
    "acled_2015_asia_uppercase__katehara.csv": ("acled", {}),
    "acled_2018_ssd_uppercase__ckelling.xlsx": ("acled", {}),
    "acled_2020_preexport_afg__dkoban.csv": ("acled", {}),
    # line 5072 is cut off upstream: the spreadsheet kept its first 12 fields, then commas.
    "acled_2020_preexport_ddmonyy__rpanlilio.csv": ("acled", {5072: "required value is missing"}),
    "acled_2024_current_sample_pse__tanisboxed.csv": ("acled", {}),
    "acled_2024_monadic_excel_ddmonyy_bgd__zachessesjohnson.csv": ("acled", {}),
    "ucdp_api241_json2csv__nan-chucs.csv": ("ucdp", {}),
    "ucdp_hdx_bgd_hxl__ocha-dap.csv": ("ucdp", {}),
    "ucdp_hdx_nga_hxl_pandas__t-downing.csv": ("ucdp", {}),
}
DATE_FORMS = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d-%b-%y",
    "%d-%B-%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
)


def day(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    for form in DATE_FORMS:
        try:
            return dt.datetime.strptime(str(value).strip(), form).strftime("%Y-%m-%d")
        except ValueError:
            continue
    raise AssertionError(f"test reader cannot read the date {value!r}")


def source_records(path: Path) -> list[tuple[int, dict[str, object]]]:
    """(line, record with lower-cased keys) of every data row, HXL row left out."""
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        rows = max((book.get_sheet_by_name(n).to_python() for n in book.sheet_names), key=len)
        header = [str(h).strip().lower() for h in rows[0]]
        return [(i + 1, dict(zip(header, row, strict=True))) for i, row in enumerate(rows) if i > 0]
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader)]
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            record = dict(zip(header, row, strict=False))
            values = [v for k, v in record.items() if k and v.strip()]
            if values and all(v.startswith("#") for v in values):
                continue  # HDX's hashtag row
            out.append((start, record))
    return out


def number(value: object) -> float:
    return float(value)


def expected_events(path: Path, format: str, broken: dict[int, str]) -> dict[str, dict]:
    records = [(line, r) for line, r in source_records(path) if line not in broken]
    expected: dict[str, dict] = {}
    if format == "ucdp":
        for _, r in records:
            expected[f"UCDP-{int(float(r['id']))}"] = {
                "date": day(r["date_start"]),
                "lat": number(r["latitude"]),
                "lon": number(r["longitude"]),
                "attacker": r["side_a"],
                "target": r["side_b"],
                "fatalities": int(float(r["best"])),
            }
        return expected
    monadic = "actor2" not in records[0][1]
    for _, r in records:
        event_id = str(r["event_id_cnty"]).strip() or str(r["data_id"]).strip()
        if monadic and event_id in expected:
            if expected[event_id]["target"] == NO_TARGET:
                expected[event_id]["target"] = r["actor1"]
            continue
        target = "" if monadic else str(r["actor2"])
        expected[event_id] = {
            "date": day(r["event_date"]),
            "lat": number(r["latitude"]),
            "lon": number(r["longitude"]),
            "attacker": str(r["actor1"]),
            "target": target if target.strip() else NO_TARGET,
            "fatalities": int(float(r["fatalities"])),
        }
    return expected


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_valid_event_of_a_real_file_is_imported_exactly(name):
    format, broken = FILES[name]
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    result = convert(path)
    assert result.format == format
    lines = {p.line for p in result.problems}
    assert lines == set(broken), [str(p) for p in result.problems[:10]]
    for problem in result.problems:
        assert broken[problem.line] in problem.reason, str(problem)

    expected = expected_events(path, format, broken)
    events = result.events
    assert len(events) == len(expected)
    assert events["event_id"].is_unique
    got = events.set_index("event_id")
    for event_id, want in expected.items():
        row = got.loc[event_id]
        assert row["event_date"].strftime("%Y-%m-%d") == want["date"], event_id
        assert row["latitude"] == pytest.approx(want["lat"]), event_id
        assert row["longitude"] == pytest.approx(want["lon"]), event_id
        assert row["attacker"] == want["attacker"].strip(), event_id
        assert row["target_group"] == want["target"].strip(), event_id
        assert row["fatalities"] == want["fatalities"], event_id
    assert not events["direction_stated"].any()


def test_the_blank_event_id_of_the_re_saved_2020_file_falls_back_to_data_id():
    path = REAL / "acled_2020_preexport_ddmonyy__rpanlilio.csv"
    result = convert(path)
    row = result.events.loc[result.events["event_id"] == "7080698"]
    assert len(row) == 1
    assert "data_id is the event_id" in row["notes"].iat[0]


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_command_line_writes_every_valid_event_of_a_real_file(name, tmp_path, capsys):
    out = tmp_path / "events.csv"
    assert main([str(REAL / name), "--output", str(out)]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    format, broken = FILES[name]
    assert len(written) == len(expected_events(REAL / name, format, broken))


# ----------------------------------------------------------------------------- re-saved variants

SAMPLE = 150  # records per file: the variants of every file together take a few seconds
DATE_COLUMNS = {"acled": ("event_date",), "ucdp": ("date_start", "date_end")}
VARIANTS = ("semicolon", "tab", "day-first", "cp1252", "utf-16", "zip", "json")
AMBIGUOUS = "could be day-first or month-first, and no date in the file settles which"


@functools.cache
def sampled_rows(path: Path) -> list[list[str]]:
    """The header and up to SAMPLE records spread over the file (the first, HDX's hashtag row
    where there is one, always among them), as the csv module reads them. Read once per file
    for all its variants; callers do not change the rows."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    step = max(1, len(body) // SAMPLE)
    return [header, *body[::step][:SAMPLE]]


def as_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def day_first(rows: list[list[str]], columns: tuple[str, ...]) -> tuple[list[list[str]], bool]:
    """The rows with every date of `columns` written dd/mm/yyyy, and whether a day above 12
    settles the order somewhere in the file."""
    header = [h.strip().lower() for h in rows[0]]
    at = [header.index(c) for c in columns if c in header]
    settled = False
    out = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        for i in at:
            if i < len(row) and row[i].strip() and not row[i].startswith("#"):
                iso = day(row[i])
                row[i] = f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"
                settled |= int(iso[8:10]) > 12
        out.append(row)
    return out, settled


def variant_bytes(kind: str, rows: list[list[str]], format: str) -> bytes:
    if kind == "semicolon":
        return as_csv(rows, ";").encode()
    if kind == "tab":
        return as_csv(rows, "\t").encode()
    if kind == "day-first":
        return as_csv(day_first(rows, DATE_COLUMNS[format])[0]).encode()
    if kind == "cp1252":
        try:
            return as_csv(rows).encode("cp1252")
        except UnicodeEncodeError as exc:
            pytest.skip(f"not encodable in Windows-1252: {exc.object[exc.start : exc.end]!r}")
    if kind == "utf-16":
        return as_csv(rows).encode("utf-16")
    if kind == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("export/events.csv", as_csv(rows).encode())
        return out.getvalue()
    assert kind == "json"
    header = rows[0]
    records = [
        dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in rows[1:]
    ]
    return json.dumps(records, ensure_ascii=False).encode()


def compared(events: pd.DataFrame) -> pd.DataFrame:
    columns = ["event_id", "event_date", "latitude", "longitude"]
    if "event_date_end" in events:
        columns.append("event_date_end")
    return events[columns].reset_index(drop=True)


CSV_FILES = sorted(name for name in FILES if name.endswith(".csv"))


@functools.cache
def imported_sample(name: str):
    """The sample of `name` written back as a plain comma-separated UTF-8 file, imported."""
    return convert(as_csv(sampled_rows(REAL / name)).encode())


def where_and_why(problems) -> list[tuple]:
    return [(p.line, p.column, p.value, p.reason) for p in problems]


@pytest.mark.parametrize("kind", VARIANTS)
@pytest.mark.parametrize("name", CSV_FILES)
def test_a_re_saved_variant_of_a_real_file_gives_the_same_events(name, kind):
    """Each real CSV re-saved as users re-save it (another delimiter, day-first dates, another
    encoding, zipped, as JSON) imports the same events as the plain CSV of the same records:
    ids, dates and coordinates. A file whose day-first dates never settle the order is refused
    with that reason."""
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    format = FILES[name][0]
    rows = sampled_rows(path)
    expected = imported_sample(name)
    assert expected.format == format and len(expected.events) > 0

    data = variant_bytes(kind, rows, format)
    if kind == "day-first" and not day_first(rows, DATE_COLUMNS[format])[1]:
        with pytest.raises(DataFileError, match=AMBIGUOUS):
            convert(data)
        return
    result = convert(data)
    assert result.format == format
    assert where_and_why(result.problems) == where_and_why(expected.problems)
    pd.testing.assert_frame_equal(compared(result.events), compared(expected.events))
