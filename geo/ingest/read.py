"""Read the bytes of a file into a table of strings, whatever container it came in.

The reader knows no provider: it turns CSV (``,`` ``;`` tab or ``|``, sniffed), spreadsheets
(.xlsx, .xls, .ods through python-calamine), JSON (ACLED's API, UCDP's API, a plain array of
records) and a .zip holding one of these into a :class:`Table`: one text column per header
name (trimmed, lower-cased), the line (or sheet row, or record number) where each row starts,
the rows it had to leave out as :class:`~geo.problems.Problem`\\ s, and notes for the user
("read as Windows-1252", "semicolon-separated"). Which columns to keep is asked of a
:class:`Chooser`, so that a million-row CSV is parsed only for the columns a provider reads.

>>> table = read_table(b"a;B\\n1;2\\n")
>>> table.columns, table.frame["b"].tolist(), table.lines.tolist(), table.notes
(['a', 'b'], ['2'], [2], ['semicolon-separated'])

Plain UTF-8 CSV takes pyarrow's multi-threaded path; anything unusual (another encoding, a
ragged row, a value spanning lines, a lone CR) takes the csv module's path, which names each
row it cannot read and keeps the others.
"""

from __future__ import annotations

import codecs
import concurrent.futures
import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from geo.ingest import limits
from geo.io import regular_file
from geo.problems import DataFileError, Problem

Source = str | Path | bytes | BinaryIO

DELIMITERS = ",;\t|"
DELIMITER_NOTES = {";": "semicolon-separated", "\t": "tab-separated", "|": "pipe-separated (|)"}
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx", ".xlsm", ".xls", ".ods")
# File types an upload form should offer (without the dot).
UPLOAD_TYPES = tuple(s.lstrip(".") for s in DATA_SUFFIXES) + ("zip",)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# pyarrow parses a CSV in blocks of this size, in parallel. Parsing 1M ACLED rows (474 MB)
# with values over lines: 2 MB 1.1-1.2 s, 4 MB 1.0-1.2 s, 8 MB 1.1-1.3 s, 16 MB 1.4 s; with
# every record on one line: 0.70-0.75 s at 2-8 MB, 0.86-1.09 s at 16 MB (pyarrow's default,
# 1 MB, leaves 470 chunks to the steps after it, which cost more than it saves).
CSV_BLOCK_BYTES = 4 << 20
DICTIONARY = pa.dictionary(pa.int32(), pa.large_string())
INDEX_COLUMN = re.compile(r"^(unnamed: ?\d+)?$")
DATA_LIKE = re.compile(r"^[-+]?\d[\d.,:/ -]*$|^\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}$")


class Chooser(Protocol):
    """What the reader asks of the caller about a header (see geo.ingest.pipeline)."""

    def score(self, columns: Sequence[str]) -> float:
        """How well a header fits a known layout (picks the sheet of a workbook)."""

    def select(self, columns: Sequence[str]) -> list[str] | None:
        """The columns to keep (None: all); raises DataFileError for an unknown layout."""

    def few_values(self, columns: Sequence[str]) -> set[str]:
        """Of the kept `columns`, those of few distinct values that the caller can take as
        categoricals: the reader may hand them over so."""


class KeepAll:
    def score(self, columns: Sequence[str]) -> float:
        return 0.0

    def select(self, columns: Sequence[str]) -> list[str] | None:
        return None

    def few_values(self, columns: Sequence[str]) -> set[str]:
        return set()


@dataclass
class Table:
    """A file read as text: one column per header name, and where each row came from."""

    name: str
    columns: list[str]  # every usable header name, trimmed and lower-cased
    original: dict[str, str]  # lower-cased name -> the name as the file writes it
    frame: pd.DataFrame  # the kept columns, one str column each
    lines: np.ndarray  # line (sheet row, JSON record) where each row starts
    problems: list[Problem] = field(default_factory=list)  # rows the reader left out
    notes: list[str] = field(default_factory=list)
    container: str = "CSV"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.problems)


# ----------------------------------------------------------------------------- bytes


def source_bytes(source: Source) -> tuple[bytes, str]:
    """Bytes and display name of a path, bytes or binary file object.

    A path that is not a regular file (a directory, FIFO or device) is refused before it is
    opened, so that reading a pipe cannot hang.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        regular_file(path)
        return path.read_bytes(), path.name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "uploaded file"
    return source.read(), Path(getattr(source, "name", "uploaded file")).name


def read_table(source: Source, chooser: Chooser | None = None) -> Table:
    """Read a path, bytes or binary file object into a :class:`Table`.

    Raises DataFileError (naming the file and the reason) when the file as a whole cannot
    be read; rows that cannot be read become ``Table.problems``. A plain UTF-8 CSV file named
    by its path is parsed from disk, never held whole in memory (a 2.5M-row ACLED export is
    1.2 GB of text).
    """
    chooser = chooser or KeepAll()
    if isinstance(source, (str, Path)):
        path = Path(source)
        regular_file(path)
        with path.open("rb") as file:
            head = file.read(len(codecs.BOM_UTF8) + limits.SNIFF_BYTES)
        if _plain_text(head):
            table = _fast_csv(path, path.name, chooser)
            return table if table is not None else _read_text(path.read_bytes(), path.name, chooser)
    raw, name = source_bytes(source)
    return read_bytes(raw, name, chooser)


def read_bytes(raw: bytes, name: str, chooser: Chooser, inside: str = "") -> Table:
    if raw[:4] in ZIP_MAGIC:
        return _read_zip(raw, name, chooser, inside)
    if raw.startswith(OLE2_MAGIC):
        return _read_workbook(raw, name, chooser, "Excel 97-2003 workbook (.xls)")
    if raw.startswith(b"%PDF"):
        raise DataFileError(
            f"{name} is a PDF document, not a data file: export the table as CSV, Excel or JSON"
        )
    if _plain_text(raw[: len(codecs.BOM_UTF8) + limits.SNIFF_BYTES]):
        table = _fast_csv(raw, name, chooser)
        if table is not None:
            return table
    return _read_text(raw, name, chooser)


def _plain_text(head: bytes) -> bool:
    """Whether a file starting with `head` may be CSV in UTF-8: not a zip, workbook, PDF,
    UTF-16 or binary file, nor JSON."""
    if head[:4] in ZIP_MAGIC or head.startswith((OLE2_MAGIC, b"%PDF")):
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _mostly_nul(head):
        return False
    body = head[len(codecs.BOM_UTF8) :] if head.startswith(codecs.BOM_UTF8) else head
    return body[: limits.SNIFF_BYTES].lstrip()[:1] not in (b"{", b"[")


def _read_text(raw: bytes, name: str, chooser: Chooser) -> Table:
    """A text file in any encoding: JSON, or CSV read by the csv module (which names what
    it cannot read)."""
    text, encoding, notes = decode(raw, name)
    if text.lstrip()[:1] in ("{", "["):
        table = _read_json(text, name)
        table.encoding, table.notes = encoding, notes + table.notes
        _choose(table, chooser)
        return table
    return _read_csv(text, encoding, notes, name, chooser)


# ----------------------------------------------------------------------------- containers


def _read_zip(raw: bytes, name: str, chooser: Chooser, inside: str) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataFileError(f"{name} looks like a zip file but cannot be opened ({exc})") from exc
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return _read_workbook(raw, name, chooser, "Excel workbook (.xlsx)")
    if "mimetype" in names and archive.read("mimetype").startswith(
        b"application/vnd.oasis.opendocument.spreadsheet"
    ):
        return _read_workbook(raw, name, chooser, "OpenDocument spreadsheet (.ods)")
    if "word/document.xml" in names:
        raise DataFileError(f"{name} is a Word document, not a data file")
    if inside:
        raise DataFileError(f"{name} is a zip inside the zip {inside}; unzip it first")
    members = [
        i
        for i in archive.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not Path(i.filename).name.startswith(".")
        and Path(i.filename).suffix.lower() in DATA_SUFFIXES
    ]
    if not members:
        listed = ", ".join(names[:10]) or "nothing"
        raise DataFileError(
            f"{name} is a zip that holds no CSV, spreadsheet or JSON file (it holds {listed})"
        )
    member = max(members, key=lambda i: i.file_size)
    if member.file_size > limits.MAX_UNPACKED_BYTES:
        raise DataFileError(
            f"{name}: {member.filename} would unpack to {member.file_size:,} "
            f"bytes, more than the limit of {limits.MAX_UNPACKED_BYTES:,} (setting max_unpacked_mb)"
        )
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise DataFileError(f"{name}: {member.filename} cannot be unpacked ({exc})") from exc
    inner = f"{Path(member.filename).name} in {name}"
    table = read_bytes(data, inner, chooser, inside=name)
    note = f"read {member.filename} from the zip"
    if len(members) > 1:
        others = ", ".join(i.filename for i in members if i is not member)
        note += f" (the largest of its {len(members)} data files; not read: {others})"
    table.notes.insert(0, note)
    table.container = f"zip ({table.container})"
    return table


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_workbook(raw: bytes, name: str, chooser: Chooser, kind: str) -> Table:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:
        raise DataFileError(
            f"{name} is an {kind}, and its reader, python-calamine, is not installed: "
            "install it (pip install -r requirements.txt) or save the sheet as CSV"
        ) from exc
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = []
        for sheet_name in book.sheet_names:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            top = next((i for i, r in enumerate(rows) if any(c != "" for c in r)), None)
            if top is None:
                continue
            header = [_cell_text(c).strip() for c in rows[top]]
            score = chooser.score([h.lower() for h in header])
            sheets.append((score, -len(sheets), sheet_name, rows, top))
    except DataFileError:
        raise
    except Exception as exc:  # calamine raises its own errors for damaged files
        raise DataFileError(f"{name} looks like an {kind} but cannot be opened ({exc})") from exc
    if not sheets:
        raise DataFileError(f"{name}: every sheet of the workbook is empty")
    score, _, sheet_name, rows, top = max(sheets, key=lambda s: (s[0], s[1]))
    header = [_cell_text(c) for c in rows[top]]
    body = [[_cell_text(c) for c in row] for row in rows[top + 1 :]]
    lines = np.arange(top + 2, top + 2 + len(body))
    table = _from_rows(header, body, lines, name, chooser)
    table.container, table.sheet = kind, sheet_name
    note = f"read sheet {sheet_name!r}"
    if len(sheets) > 1:
        note += f" (of {len(sheets)} sheets, the one whose header fits best)"
    table.notes.insert(0, note + "; row numbers are the sheet's")
    return table


def _json_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_json(text: str, name: str) -> Table:
    try:
        # Numbers kept as written: validation reads text, and a 5,000-digit integer is
        # then a bad value in its row, not a ValueError from int().
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = (
            f" at line {exc.lineno}, column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise DataFileError(f"{name} is not valid JSON: {reason}{where}") from exc
    notes: list[str] = []
    if isinstance(data, dict):
        key = next(
            (
                k
                for k in ("data", "Result", "result", "results", "events")
                if isinstance(data.get(k), list)
            ),
            None,
        )
        if key is None:
            error = data.get("error") or data.get("message")
            if error is not None or data.get("success") is False:
                raise DataFileError(
                    f"{name} is an error response of an API, not data: {str(error)[:200]!r}"
                )
            keys = ", ".join(map(str, list(data)[:10])) or "none"
            raise DataFileError(
                f"{name} is JSON but holds no list of records: expected ACLED's "
                f'{{"data": [...]}}, UCDP\'s {{"Result": [...]}} or a plain array '
                f"(its keys are {keys})"
            )
        records = data[key]
        notes.append("ACLED API response" if key == "data" else f"API response ({key!r})")
        if key == "Result" and data.get("NextPageUrl"):
            notes.append(
                f"this is one page of UCDP's API ({data.get('TotalCount', '?')} "
                "events in all); only its records are read"
            )
    elif isinstance(data, list):
        records = data
    else:
        raise DataFileError(f"{name} is JSON but holds a single value, not a list of records")
    columns: dict[str, None] = {}
    problems = []
    for i, record in enumerate(records, start=1):
        if isinstance(record, dict):
            for k in record:
                columns.setdefault(str(k), None)
                if len(columns) > limits.MAX_COLUMNS:
                    raise DataFileError(
                        f"{name}: its records have more than {limits.MAX_COLUMNS} "
                        "different fields, the limit (setting max_columns)"
                    )
        else:
            problems.append(
                Problem(
                    name, i, None, None, "is not a record (an object with named fields); left out"
                )
            )
    header = list(columns)
    body, lines = [], []
    for i, record in enumerate(records, start=1):
        if isinstance(record, dict):
            body.append([_json_text(record.get(k)) for k in header])
            lines.append(i)
    if not header:
        raise DataFileError(f"{name} is JSON with no records")
    table = _from_rows(header, body, np.asarray(lines, dtype=int), name, KeepAll())
    table.problems[:0] = problems
    table.container = "JSON"
    notes.append("row numbers in the problems count the JSON records, from 1")
    table.notes = notes + table.notes
    return table


# ----------------------------------------------------------------------------- text


def decode(raw: bytes, name: str) -> tuple[str, str, list[str]]:
    """(text, encoding, notes): UTF-8 with or without BOM, UTF-16, else what charset-normalizer
    finds (Windows-1252 preferred for Western text). Refuses binary files naming a byte."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16", ["read as UTF-16"]
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{name} starts as UTF-16 but byte {exc.start} is not") from exc
    try:
        text = raw.decode("utf-8")
        if _mostly_nul(raw):  # UTF-16 without a byte-order mark, or binary
            position = raw.index(b"\x00")
            raise UnicodeDecodeError("utf-8", raw, position, position + 1, "NUL byte")
    except UnicodeDecodeError as exc:
        return _decode_other(raw, name, exc)
    _refuse_binary(text, name)
    return text, "UTF-8", []


def _decode_other(raw: bytes, name: str, error: UnicodeDecodeError):
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: limits.SNIFF_BYTES]).best()
    guess = best.encoding if best is not None else ""
    # Only what the importer promises: UTF-16 or UTF-32 (without a byte-order mark, found by
    # charset-normalizer) and Windows-1252; a guess of another code page could misread names.
    order = [guess, "cp1252"] if guess.startswith(("utf_16", "utf_32")) else ["cp1252"]
    for encoding in dict.fromkeys(e for e in order if e):
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if encoding.startswith(("utf_16", "utf_32")) or not _mostly_nul(raw):
            label = {"cp1252": "Windows-1252"}.get(encoding, encoding.replace("_", "-").upper())
            _refuse_binary(text, name)
            return text, label, [f"read as {label} (the file is not UTF-8)"]
    bad = raw[error.start : error.start + 4]
    raise DataFileError(
        f"{name} is not text in UTF-8, UTF-16 or Windows-1252 (byte {error.start} is {bad!r}); "
        "if it is a spreadsheet, save it as .xlsx or CSV UTF-8"
    )


def _mostly_nul(raw: bytes) -> bool:
    """True for UTF-16/32 without a byte-order mark, or binary: a quarter of NUL bytes."""
    head = raw[:4096]
    return bool(head) and head.count(b"\x00") * 4 >= len(head)


def _refuse_binary(text: str, name: str) -> None:
    head = text[:4096]
    position = head.find("\x00")
    if position >= 0 and head.count("\x00") * 4 >= len(head):
        raise DataFileError(
            f"{name} is a binary file, not text (character {position} is a NUL "
            "byte): give a CSV, Excel, JSON or zip file"
        )


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample, by csv.Sniffer, checked against the header line."""
    header = sample.split("\n", 1)[0]
    present = [d for d in DELIMITERS if d in header]
    if len(present) <= 1:
        return present[0] if present else ","
    lines = sample.split("\n")
    cut = "\n".join(lines[:-1] if len(lines) > 1 else lines)[:16384]
    try:
        found = csv.Sniffer().sniff(cut, delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ""
    if found in present:
        return found
    return max(present, key=header.count)


def _read_csv(text: str, encoding: str, notes: list[str], name: str, chooser: Chooser) -> Table:
    """Text that pyarrow's path did not take, through the csv module."""
    if not text.strip():
        raise DataFileError(f"{name} is empty")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        lone = text.count("\r")
        if lone > text.count("\n"):  # CR is how this file ends its lines
            notes.append("lines end with CR only (an old Mac format)")
            text = text.replace("\r", "\n")
        elif lone:  # a stray CR inside a line: a space, so that the row stays whole
            notes.append(f"{lone} carriage return(s) (CR) inside lines read as spaces")
            text = text.replace("\r", " ")
    delimiter = sniff_delimiter(text[: limits.SNIFF_BYTES])
    if delimiter in DELIMITER_NOTES:
        notes.append(DELIMITER_NOTES[delimiter])
    table = _slow_csv(text, name, delimiter, chooser)
    table.encoding, table.delimiter = encoding, delimiter
    table.notes = notes + table.notes
    return table


def _header_of(first_line: str, delimiter: str, name: str) -> list[str]:
    try:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise DataFileError(f"{name} line 1: the header cannot be read ({exc})") from exc
    if len(header) > limits.MAX_COLUMNS:
        raise DataFileError(
            f"{name} has {len(header):,} columns, more than the limit of "
            f"{limits.MAX_COLUMNS} (setting max_columns); is it the file you meant?"
        )
    return header


@dataclass
class Header:
    positions: list[int]  # positions in the file of the usable columns
    columns: list[str]  # their names, trimmed and lower-cased
    original: dict[str, str]
    notes: list[str]


def prepare_header(header: Sequence[str], name: str) -> Header:
    """Usable columns of a header: trimmed, lower-cased, first of repeated names, no index."""
    if len(header) > limits.MAX_COLUMNS:
        raise DataFileError(
            f"{name} has {len(header):,} columns, more than the limit of "
            f"{limits.MAX_COLUMNS} (setting max_columns); is it the file you meant?"
        )
    positions, columns, original, notes = [], [], {}, []
    unnamed = 0
    for i, raw_name in enumerate(header):
        shown = str(raw_name).replace("\ufeff", "").strip()
        key = shown.lower()
        if INDEX_COLUMN.match(key):
            if i == 0:
                notes.append("ignored the first column, an unnamed index (a pandas export)")
            else:
                unnamed += 1
            continue
        if key in original:
            notes.append(f"column {shown!r} appears twice; its first occurrence is read")
            continue
        positions.append(i)
        columns.append(key)
        original[key] = shown
    if unnamed:
        notes.append(f"ignored {unnamed} column(s) without a name")
    return Header(positions, columns, original, notes)


def header_looks_like_data(columns: Sequence[str]) -> bool:
    """True when header names look like values (numbers, dates): the file has no header row.

    Column names are words; two or more names that are numbers or dates (or one, in a header
    of fewer than four names) mean the first row is a record.
    """
    named = [c for c in columns if c]
    values = sum(bool(DATA_LIKE.match(c)) for c in named)
    return values >= 2 or (values == 1 and len(named) < 4)


def _is_hxl(values: Sequence[str]) -> bool:
    filled = [v.strip() for v in values if v.strip()]
    return bool(filled) and all(v.startswith("#") and " " not in v for v in filled)


def _fast_csv(raw: bytes | Path, name: str, chooser: Chooser) -> Table | None:
    """pyarrow's reader on the bytes (or the file at a path, streamed from disk), when the
    file is plain UTF-8 CSV with one line per record; None when it is not (the csv module's
    path then reads it and names what is odd).
    """
    first_bytes = _head(raw, len(codecs.BOM_UTF8) + limits.SNIFF_BYTES)
    start = len(codecs.BOM_UTF8) if first_bytes.startswith(codecs.BOM_UTF8) else 0
    head = first_bytes[start:].decode("utf-8", errors="replace").replace("\r\n", "\n")
    end = head.find("\n")
    if end < 0 or not head.strip():
        return None
    first = head[:end]
    if first.count('"') % 2 or "\ufffd" in first:
        return None
    delimiter = sniff_delimiter(head)
    raw_header = _header_of(first, delimiter, name)
    header = prepare_header(raw_header, name)
    wanted = chooser.select(header.columns)
    keep = header.columns if wanted is None else list(wanted)
    index = dict(zip(header.columns, header.positions, strict=True))
    generated = [f"c{i}" for i in range(len(raw_header))]
    include = [generated[index[c]] for c in keep]
    encoded = {generated[index[c]] for c in chooser.few_values(keep)}
    table = _parse(raw, start, generated, include, encoded, delimiter, False)  # the faster mode
    lines = None
    if table is not None:
        newlines, lone_cr, ends_with_newline = _line_ends(raw)
        if lone_cr:
            return None  # a lone CR: line ends the csv module's path normalises
        if newlines + (0 if ends_with_newline else 1) - 1 == table.num_rows:
            lines = np.arange(2, table.num_rows + 2)
    if lines is None:
        # Blank lines, or values over lines (the faster mode fails on those): where each
        # record starts, from the bytes; None on anything the csv module's path must name.
        records = _record_starts(raw, start, delimiter, len(raw_header))
        if records is None:
            return None
        lines, offsets = records
        if table is None or len(lines) != table.num_rows:
            table = _parse_records(raw, start, offsets, generated, include, encoded, delimiter)
        if table is None or len(lines) != table.num_rows:
            return None
    for column in table.columns:
        if _longest(column, pc.binary_length) <= limits.MAX_FIELD_CHARS:
            continue  # no value has more bytes than the limit, so none has more characters
        if _longest(column, pc.utf8_length) > limits.MAX_FIELD_CHARS:
            return None  # the csv module's path names the rows
    frame = table.unify_dictionaries().to_pandas()
    frame.columns = keep
    notes = [DELIMITER_NOTES[delimiter]] if delimiter in DELIMITER_NOTES else []
    out = Table(
        name,
        header.columns,
        header.original,
        frame,
        lines,
        notes=notes + header.notes,
        encoding="UTF-8",
        delimiter=delimiter,
    )
    first_row = _first_row(head, delimiter)
    _drop_hxl(out, [first_row[i] for i in header.positions if i < len(first_row)])
    return out


PIECE_BYTES = 16 << 20  # a file's bytes are scanned this much at a time
THREADS_FROM_BYTES = 8 << 20  # a smaller file's pieces are handled in the calling thread


def _map_pieces(fn: Callable, pieces: Sequence, size: int) -> list:
    """`fn` of each piece of a file of `size` bytes, in order: on as many threads as there
    are CPUs from THREADS_FROM_BYTES, in this thread below it, where a pool's hand-offs cost
    more than they save (the importer's fuzz tests, which cut a few bytes into pieces of 1-9,
    waited 3.5 s on the pool's locks over 24,000 hand-offs, far longer on a busy machine)."""
    workers = os.cpu_count() or 1
    if size < THREADS_FROM_BYTES or workers == 1 or len(pieces) < 2:
        return [fn(p) for p in pieces]
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, pieces))


LONE_CR = re.compile("\r(?!\n)")


def _head(raw: bytes | Path, size: int) -> bytes:
    if isinstance(raw, bytes):
        return raw[:size]
    with raw.open("rb") as file:
        return file.read(size)


def _longest(column: pa.ChunkedArray, length) -> int:
    """The largest `length` (pc.binary_length or pc.utf8_length) of a column's values (of a
    dictionary column's distinct values); 0 for no values."""
    parts = [c.dictionary if pa.types.is_dictionary(c.type) else c for c in column.chunks]
    return max((pc.max(length(p)).as_py() or 0 for p in parts if len(p)), default=0)


def _parse(
    raw: bytes | Path,
    start: int,
    names: list[str],
    include: list[str],
    encoded: set[str],
    delimiter: str,
    newlines_in_values: bool,
    skip_rows: int = 1,
    block_size: int = 0,
) -> pa.Table | None:
    """pyarrow's parse of the bytes after any BOM, or of the file itself (read block by block,
    never decompressed whatever its name); None where it fails. Columns named in `encoded`
    come dictionary-encoded (a categorical in pandas), the others as pandas holds text.
    `skip_rows`: the header's 1 (0 for a piece after it); `block_size`: CSV_BLOCK_BYTES's if 0
    (a larger one makes the bytes one block, parsed in this thread)."""
    source = pa.py_buffer(raw)[start:] if isinstance(raw, bytes) else pa.OSFile(str(raw))
    block_size = block_size or CSV_BLOCK_BYTES
    try:
        if isinstance(source, pa.NativeFile):
            source.seek(start)
        return pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(
                column_names=names,
                skip_rows=skip_rows,
                block_size=block_size,
                use_threads=block_size == CSV_BLOCK_BYTES,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=newlines_in_values
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={
                    name: DICTIONARY if name in encoded else pa.large_string() for name in names
                },
                include_columns=include,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    finally:
        if isinstance(source, pa.NativeFile):
            source.close()


def _parse_records(
    raw: bytes | Path,
    start: int,
    offsets: np.ndarray | None,
    names: list[str],
    include: list[str],
    encoded: set[str],
    delimiter: str,
) -> pa.Table | None:
    """_parse of a file whose values span lines, given where its records start (`offsets`,
    bytes from `start`; None: pyarrow's slower mode finds them). The file is cut into pieces
    of about CSV_BLOCK_BYTES where records start, each parsed as one block in the faster mode
    (a block of that mode must not end inside a value), on as many threads as there are CPUs.
    1M ACLED rows with 40,000 notes over two lines: 0.84-1.13 s, where the slower mode took
    1.4-1.5 s in 16 MB blocks and 1.0-1.2 s in 4 MB ones."""
    if offsets is None:
        return _parse(raw, start, names, include, encoded, delimiter, True)
    size = (len(raw) if isinstance(raw, bytes) else raw.stat().st_size) - start
    wanted = np.arange(CSV_BLOCK_BYTES, size, CSV_BLOCK_BYTES)
    at = np.searchsorted(offsets, wanted)
    cuts = [0, *np.unique(offsets[at[at < len(offsets)]]).tolist(), size]

    def piece(i: int) -> pa.Table | None:
        data = read(cuts[i], cuts[i + 1])
        return _parse(
            data, 0, names, include, encoded, delimiter, False, 1 if i == 0 else 0, len(data) + 1
        )

    with _reader(raw, start) as read:
        tables = _map_pieces(piece, range(len(cuts) - 1), size)
    if any(t is None for t in tables):
        return None
    return pa.concat_tables(tables)


def _line_ends(raw: bytes | Path) -> tuple[int, bool, bool]:
    """The number of LF bytes, whether any CR stands alone (not before an LF), and whether
    the last byte is an LF; looked at a piece at a time (a path's file read piece by piece).

    >>> _line_ends(b"a\\r\\nb\\n"), _line_ends(b"a\\rb")
    ((2, False, True), (0, True, False))
    """
    newlines, lone_cr, carried_cr, last = 0, False, False, 0
    mask = np.empty(PIECE_BYTES, bool)  # reused: a fresh mask a piece costs page faults
    for holder, start, end in _pieces(raw):
        data = np.frombuffer(holder, np.uint8, end - start, start)  # no copy; numpy counts fast
        newlines += int(np.count_nonzero(np.equal(data, 10, out=mask[: len(data)])))
        lone_cr = lone_cr or _lone_cr(data, holder, start, end, carried_cr, mask)
        carried_cr, last = bool(data[-1] == 13), int(data[-1])
    return newlines, lone_cr or carried_cr, last == 10


def _lone_cr(data: np.ndarray, holder, begin: int, end: int, carried: bool, mask) -> bool:
    """Whether a CR in this piece of bytes (holder[begin:end], as `data`) stands alone, not
    before an LF; `carried`: the piece before ended with a CR. A CR that ends this piece is
    judged with the next one (or, at the end of the file, by the caller)."""
    if carried and data[0] != 10:
        return True
    if holder.find(b"\r", begin, end - 1) < 0:
        return False
    at = np.flatnonzero(np.equal(data[:-1], 13, out=mask[: len(data) - 1]))
    return bool(np.any(data[at + 1] != 10))


def _pieces(raw: bytes | Path):
    """(holder, start, end) for each non-empty piece of `raw`'s bytes. A path's file is read
    into one buffer, each piece over the one before (a fresh object per piece would cost a
    page fault per 4 KB)."""
    if isinstance(raw, bytes):
        for start in range(0, len(raw), PIECE_BYTES):
            yield raw, start, min(start + PIECE_BYTES, len(raw))
        return
    buffer = bytearray(min(PIECE_BYTES, raw.stat().st_size))  # (n zeros written)
    with raw.open("rb", buffering=0) as file:
        while size := file.readinto(buffer):
            yield buffer, 0, size


def _record_starts(
    raw: bytes | Path, start: int, delimiter: str, width: int
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The line where each record starts (the header's line is 1) and its first byte (counted
    from `start`; None when the csv module found the lines); None when a record is ragged or
    swallows a row, a CR stands alone (not before an LF) or the text cannot be read (the csv
    module's path names why or normalises the line ends).

    Where every quote is where CSV puts one (opening a value, closing it, or doubled inside
    it), a line break ends a record exactly when an even number of quotes comes before it:
    numpy finds those over the bytes, a piece at a time (1M ACLED rows, 40,000 of their notes
    over two lines: 0.55 s, of which 0.12 s looks for a swallowed row among the lines inside
    records, only those with enough delimiters going to the csv module; converting 1M rows
    with 100 such notes took 11.8 s and 3.9 GB when the csv module did this holding the text,
    3.4 s and 0.74 GB then). Elsewhere the csv module reads the text, as it always did
    (_record_starts_by_csv).

    >>> _record_starts(b'a,b\\n1,"x\\ny"\\n\\n2,z\\n', 0, ",", 2)
    (array([2, 5]), array([ 4, 13]))
    """
    scan = _quotes_and_line_ends(raw, start, delimiter)
    if scan is None:
        try:
            text = (raw if isinstance(raw, bytes) else raw.read_bytes())[start:].decode("utf-8")
        except UnicodeDecodeError:
            return None
        if LONE_CR.search(text):
            return None
        lines = _record_starts_by_csv(text, delimiter, width)
        return None if lines is None else (lines, None)
    quotes, ends, size, lone_cr = scan
    if lone_cr:
        return None  # line ends the csv module's path normalises
    ends_record = np.searchsorted(quotes, ends) % 2 == 0  # an even number of quotes before
    number = np.flatnonzero(ends_record)  # of the line each record ends (0: the header's)
    offsets = ends[number]
    after = np.append(offsets[1:], size)  # where the record after each record end ends
    length = after - offsets - 1  # its bytes, its line break not counted
    filled = length > 0
    record_lines = number + 2  # the record after line end k starts on line k + 2
    # the lines inside a record (after a line break inside a value): from each line end that
    # does not end a record to the next line end
    inside = np.flatnonzero(~ends_record)
    inside_from, inside_to = ends[inside] + 1, np.append(ends, size)[inside + 1]
    separator = delimiter.encode()
    with _reader(raw, start) as read:
        # "\r" alone (a blank line of a CRLF file) is a blank line too
        for i in np.flatnonzero(filled & (length == 1)):
            filled[i] = read(int(offsets[i]) + 1, int(offsets[i]) + 2) != b"\r"
        for begin, stop in zip(inside_from.tolist(), inside_to.tolist(), strict=True):
            line = read(begin, stop)
            if line.count(separator) < width - 1:
                continue  # too few delimiters to be a row by itself (most such lines)
            if _swallowed_line([line.decode("utf-8", errors="replace")], 0, 1, width, delimiter):
                return None
    return record_lines[filled], offsets[filled] + 1


def _quotes_and_line_ends(
    raw: bytes | Path, start: int, delimiter: str
) -> tuple[np.ndarray, np.ndarray, int, bool] | None:
    """Where the quotes and the LF bytes are (offsets from `start`), how many bytes follow
    `start`, and whether a CR stands alone (not before an LF); None when a quote is anywhere
    but at the start of a value (after a delimiter or a line break), at its end (before one)
    or doubled inside it. The pieces are scanned on as many threads as there are CPUs (numpy
    lets go of the GIL: 1M rows, 474 MB, 0.34-0.50 s on one thread, 0.19-0.23 s on two)."""
    size = (len(raw) if isinstance(raw, bytes) else raw.stat().st_size) - start
    offsets = range(0, size, PIECE_BYTES)
    with _piece_reader(raw, start) as read:
        pieces = _map_pieces(lambda at: _scan_piece(*read(at)), offsets, size)
    quotes, ends, prev, next_ = [], [], [], []
    last, lone_cr = 10, False  # (as if after a line break)
    for at, piece in zip(offsets, pieces, strict=True):
        q, e, before, following, lone, first, final = piece
        if len(q) and q[0] == 0:
            before[0] = last  # the byte before the piece
        if next_ and len(next_[-1]) and quotes[-1][-1] == at - 1:
            next_[-1][-1] = first  # the byte after the piece before
        lone_cr = lone_cr or lone or (last == 13 and first != 10)
        quotes.append(q + at)
        ends.append(e + at)
        prev.append(before)
        next_.append(following)
        last = final
    q = np.concatenate(quotes) if quotes else np.zeros(0, np.int64)
    if len(q):
        before, following = np.concatenate(prev), np.concatenate(next_)
        opening = np.arange(len(q)) % 2 == 0
        doubled_before = np.append(False, np.diff(q) == 1)  # a quote right after a quote
        doubled_after = np.append(np.diff(q) == 1, False)
        delim = ord(delimiter)
        opens = (before == delim) | (before == 10) | doubled_before
        closes = (following == delim) | (following == 10) | (following == 13) | doubled_after
        if not np.all(np.where(opening, opens, closes)):
            return None
    e = np.concatenate(ends) if ends else np.zeros(0, np.int64)
    return q, e, size, lone_cr or last == 13


def _scan_piece(data: np.ndarray, holder, begin: int, end: int, mask: np.ndarray):
    """One piece's quotes and LFs (offsets in the piece), the bytes before and after each
    quote (a line break where the piece ends: the caller puts the neighbouring pieces' bytes
    there), whether a CR inside it stands alone, and its first and last bytes."""
    q = np.flatnonzero(np.equal(data, 34, out=mask[: len(data)]))
    ends = np.flatnonzero(np.equal(data, 10, out=mask[: len(data)]))
    before = np.full(len(q), 10, np.uint8)
    inside = q > 0
    before[inside] = data[q[inside] - 1]
    following = np.full(len(q), 10, np.uint8)  # the end of the file ends a value
    inside = q + 1 < len(data)
    following[inside] = data[q[inside] + 1]
    lone = _lone_cr(data, holder, begin, end, False, mask)
    return q, ends, before, following, lone, int(data[0]), int(data[-1])


@contextlib.contextmanager
def _piece_reader(raw: bytes | Path, start: int):
    """read(at): the arguments of _scan_piece for the piece of PIECE_BYTES at `at` (counted
    from `start`). A path's file is read into a buffer per thread, reused (a fresh object per
    piece would cost a page fault per 4 KB); so is each thread's mask."""
    local = threading.local()
    # no larger than the file (bytearray(n) writes its n zeros: 16 MB for a file of 20 bytes
    # took most of the importer's fuzz tests' time)
    largest = min(PIECE_BYTES, len(raw) if isinstance(raw, bytes) else raw.stat().st_size)

    def buffers() -> tuple[bytearray, np.ndarray]:
        if not hasattr(local, "mask"):
            local.mask = np.empty(largest, bool)
            local.buffer = bytearray(0 if isinstance(raw, bytes) else largest)
        return local.buffer, local.mask

    if isinstance(raw, bytes):

        def read(at: int):
            begin = start + at
            end = min(begin + PIECE_BYTES, len(raw))
            data = np.frombuffer(raw, np.uint8, end - begin, begin)  # no copy
            return data, raw, begin, end, buffers()[1]

        yield read
        return
    fd = os.open(raw, os.O_RDONLY)
    try:

        def read(at: int):
            buffer, mask = buffers()
            size = os.preadv(fd, [buffer], start + at)
            return np.frombuffer(buffer, np.uint8, size), buffer, 0, size, mask

        yield read
    finally:
        os.close(fd)


@contextlib.contextmanager
def _reader(raw: bytes | Path, start: int) -> Iterator[Callable[[int, int], bytes]]:
    """read(begin, stop): the bytes from `begin` to `stop`, counted from `start`; a path's file
    is opened once for every read, and read by position (threads may share it). Not a memory
    map: the pages it reads ahead count in the process's memory (converting 2.5M rows peaked at
    2.51 GB instead of 1.86 GB)."""
    if isinstance(raw, bytes):
        yield lambda begin, stop: raw[start + begin : start + stop]
        return
    fd = os.open(raw, os.O_RDONLY)
    try:
        yield lambda begin, stop: os.pread(fd, stop - begin, start + begin)
    finally:
        os.close(fd)


def _record_starts_by_csv(text: str, delimiter: str, width: int) -> np.ndarray | None:
    """_record_starts by the csv module, for text whose quotes numpy cannot follow."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    starts: list[int] = []
    physical: list[str] | None = None
    try:
        next(reader, None)
        previous = reader.line_num
        for row in reader:
            start, end = previous + 1, reader.line_num
            previous = end
            if not row:
                continue
            if len(row) != width:
                return None
            if end > start:
                physical = physical if physical is not None else text.split("\n")
                if _swallowed_line(physical, start, end, width, delimiter):
                    return None
            starts.append(start)
    except csv.Error:
        return None
    return np.asarray(starts, dtype=int)


def _first_row(head: str, delimiter: str) -> list[str]:
    rest = head.split("\n", 2)
    if len(rest) < 2:
        return []
    try:
        return next(csv.reader([rest[1]], delimiter=delimiter), [])
    except csv.Error:
        return []


def _drop_hxl(table: Table, all_values: Sequence[str]) -> None:
    if len(table.frame) and _is_hxl(all_values):
        table.frame = table.frame.iloc[1:].reset_index(drop=True)
        table.notes.append(f"skipped HDX's hashtag row (HXL) on line {table.lines[0]}")
        table.lines = table.lines[1:]


def _records(text: str, delimiter: str, first: int = 1):
    """(first line, last line, fields or None, csv.Error or None) of each record of `text`,
    whose first line is line `first` of the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, previous = previous + 1, reader.line_num
            yield start + first - 1, previous + first - 1, None, exc
            continue
        start, previous = previous + 1, reader.line_num
        yield start + first - 1, previous + first - 1, row, None


def _slow_csv(text: str, name: str, delimiter: str, chooser: Chooser) -> Table:
    """The csv module's reader: ragged rows, unclosed quotes and long values named by line.

    A quote left open swallows the lines after it into one record; when one of those lines
    is a whole row by itself, only the broken lines are left out and reading starts again at
    that row, so the valid rows after a stray quote are kept.
    """
    records = _records(text, delimiter)
    _, _, raw_header, error = next(records, (1, 1, [], None))
    if error is not None:
        raise DataFileError(f"{name} line 1: the header cannot be read ({error})") from error
    if len(raw_header) > limits.MAX_COLUMNS:
        raise DataFileError(
            f"{name} has {len(raw_header):,} columns, more than the limit of "
            f"{limits.MAX_COLUMNS} (setting max_columns); is it the file you meant?"
        )
    width = len(raw_header)
    body: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    physical: list[str] | None = None
    while (record := next(records, None)) is not None:
        start, end, row, error = record
        if error is not None:
            problems.append(
                Problem(name, start, None, None, f"cannot be read as CSV ({error}); row left out")
            )
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if end > start:
            physical = physical if physical is not None else text.split("\n")
            swallowed = _swallowed_line(physical, start, end, width, delimiter)
            if swallowed:
                left_out = (
                    f"line {start}"
                    if swallowed == start + 1
                    else f"lines {start} to {swallowed - 1}"
                )
                problems.append(
                    Problem(
                        name,
                        start,
                        None,
                        None,
                        f"has a quote that is not closed before line {swallowed}, which reads as a "
                        f"row of its own; {left_out} left out (close the quote), reading "
                        f"goes on at line {swallowed}",
                    )
                )
                records = _records("\n".join(physical[swallowed - 1 :]), delimiter, swallowed)
                continue
        if len(row) > width:
            if any(v.strip() for v in row[width:]):
                problems.append(
                    Problem(
                        name,
                        start,
                        None,
                        None,
                        f"has {len(row)} fields where the header has {width} (a value with an "
                        f"unquoted {delimiter!r}?); row left out",
                    )
                )
                continue
            row = row[:width]
        elif len(row) < width:
            problems.append(
                Problem(
                    name,
                    start,
                    None,
                    None,
                    f"has {len(row)} fields where the header has {width} (is the line cut "
                    "short?); row left out",
                )
            )
            continue
        body.append(row)
        lines.append(start)
    table = _from_rows(raw_header, body, np.asarray(lines, dtype=int), name, chooser)
    table.problems = sorted(
        problems + table.problems, key=lambda p: p.line if p.line is not None else 0
    )
    return table


def _swallowed_line(
    physical: list[str], start: int, end: int, width: int, delimiter: str
) -> int | None:
    """The first line after `start` inside one record that is a whole row by itself."""
    for number in range(start + 1, end + 1):
        line = physical[number - 1] if number - 1 < len(physical) else ""
        if line.count(delimiter) < width - 1:
            continue  # fewer delimiters than a row has: not a row (the csv module not asked)
        try:
            alone = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(alone) == width and width > 1:
            return number
    return None


def _from_rows(
    raw_header: Sequence[str], body: list[list[str]], lines: np.ndarray, name: str, chooser: Chooser
) -> Table:
    """A Table from a header and rectangular rows of text (padded to the header's width)."""
    header = prepare_header(raw_header, name)
    wanted = chooser.select(header.columns)
    keep = header.columns if wanted is None else list(wanted)
    index = dict(zip(header.columns, header.positions, strict=True))
    width = len(raw_header)
    data = {}
    for column in keep:
        i = index[column]
        data[column] = pd.Series([r[i] if i < len(r) else "" for r in body], dtype="str")
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(body)))
    if not keep:
        frame = pd.DataFrame(index=pd.RangeIndex(len(body)))
    table = Table(name, header.columns, header.original, frame, lines, notes=header.notes)
    if body and width:
        _drop_hxl(table, [body[0][i] for i in header.positions if i < len(body[0])])
    _drop_long_values(table)
    return table


def _drop_long_values(table: Table) -> None:
    """Rows with a value longer than limits.MAX_FIELD_CHARS become problems."""
    frame = table.frame
    if frame.empty:
        return
    bad = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        lengths = frame[column].str.len().to_numpy()
        over = lengths > limits.MAX_FIELD_CHARS
        for i in np.flatnonzero(over & ~bad):
            table.problems.append(
                Problem(
                    table.name,
                    int(table.lines[i]),
                    table.original.get(column, column),
                    None,
                    f"holds a value of {int(lengths[i]):,} characters, more than the limit of "
                    f"{limits.MAX_FIELD_CHARS:,} (setting max_field_chars); row left out",
                )
            )
        bad |= over
    if bad.any():
        table.frame = frame.loc[~bad].reset_index(drop=True)
        table.lines = table.lines[~bad]


def _choose(table: Table, chooser: Chooser) -> None:
    """Keep only the columns the chooser wants (for containers read whole)."""
    wanted = chooser.select(table.columns)
    if wanted is not None:
        table.frame = table.frame[list(wanted)]
