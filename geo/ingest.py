"""Import ACLED and UCDP GED exports (and this project's own events CSV) as events of our schema.

One entry point, :func:`convert`, reads a file, tells its format from the header, maps the
source's columns onto ``geo/schema.py`` and runs every row through the same checks as
:func:`geo.events.load_events`. Bad rows are reported as Problems that name the *original*
file's line and column (ACLED ``event_date``, UCDP ``date_start``...); the good rows are kept.
``data/README.md`` ("Importing ACLED and UCDP GED files") documents the mapping and its caveats.

>>> from geo.ingest import convert
>>> result = convert("acled_export.csv")                 # doctest: +SKIP
>>> result.format, result.rows_read, len(result.events)  # doctest: +SKIP
('acled', 1200, 1198)
>>> print(result.problems[0])                            # doctest: +SKIP
acled_export.csv line 17, column event_date: '31 Febuary 2020' is not a date ...

From the command line (writes OUT.csv atomically, only when at least one row is good)::

    python -m geo.ingest acled_export.csv --output data/imported.csv [--format acled]

Reading is vectorised: pyarrow parses the CSV as text (all columns are strings, nothing is
guessed), and files that pyarrow refuses fall back to :func:`geo.events.read_text` and
:func:`geo.events.read_table`, which give the project's usual error messages.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo.events import read_table, read_text, record_lines, validate
from geo.export import to_csv_bytes
from geo.io import write_atomic
from geo.problems import DataFileError, Problem
from geo.schema import REQUIRED

FORMATS = ("events", "acled", "ucdp")
FORMAT_LABELS = {"events": "events", "acled": "ACLED", "ucdp": "UCDP GED"}

# Columns a file must have to be read as each format (the ones the mapping reads).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": REQUIRED,
    "acled": (
        "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
        "actor1", "admin1", "country", "location", "latitude", "longitude", "geo_precision",
        "source", "notes", "fatalities",
    ),
    "ucdp": (
        "id", "type_of_violence", "side_a", "side_b", "source_article", "source_office",
        "source_headline", "where_prec", "where_coordinates", "where_description", "adm_1",
        "latitude", "longitude", "country", "date_prec", "date_start", "best",
    ),
}
# Read when present: the dyadic ACLED export has them, the monadic one does not.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": (),
    "acled": ("assoc_actor_1", "actor2", "assoc_actor_2"),
    "ucdp": (),
}

# ACLED's own CSV writes 2023-01-31; older exports "21 March 2020"; a spreadsheet re-save
# "5-Aug-24". Each format is tried in turn on the values still unparsed.
ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%b-%y", "%d-%b-%Y")
UCDP_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")

# Target group of an ACLED event that names no second actor (actor2 blank, or a monadic
# export with a single row for the event): target_group is required, so it gets this value.
NO_TARGET = "Unknown or none (ACLED names no second actor)"

# Provenance notes, one per row: kept short, a million copies of them are stored.
ACLED_NOTE = ("Imported from ACLED ({variant}); actor1 taken as attacker, which ACLED does "
              "not guarantee.")
ACLED_MONADIC_NOTE = " target_group is the actor of the event's next row, if any."
UCDP_NOTE = "Imported from UCDP GED; side_a taken as attacker, which UCDP does not imply."

# UCDP GED where_prec (1-7) -> ACLED-style geo_precision (1-3). See data/README.md.
UCDP_WHERE_PREC = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3", "6": "3", "7": "3"}
UCDP_WHERE_CAVEAT = {
    "5": " where_prec 5: UCDP places it only in an area wider than a province.",
    "6": " where_prec 6: UCDP knows only the country; the point is its centroid.",
    "7": " where_prec 7: over water or in international airspace.",
}
# UCDP GED date_prec (1-5) -> ACLED-style time_precision (1-3). See data/README.md.
UCDP_DATE_PREC = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3"}
UCDP_DATE_CAVEAT = " date_prec 5: UCDP knows only the year."
UCDP_VIOLENCE = {"1": "State-based conflict", "2": "Non-state conflict",
                 "3": "One-sided violence"}
UCDP_SUB_EVENT = "Not coded by UCDP"

# Valid stand-ins for cells whose source value the converter already reported, so that
# geo.events.validate does not report the same cell again.
PLACEHOLDER = {"event_date": "1970-01-01", "time_precision": "1", "geo_precision": "1",
               "event_type": "-"}

ROW = "_row"  # position of the row in the source file; dropped before returning
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class ImportResult:
    events: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    format: str = "events"
    rows_read: int = 0
    variant: str = ""       # e.g. "current export", "pre-2023 export", "monadic export"
    rows_merged: int = 0    # monadic ACLED rows that were the second actor of an event
    name: str = ""          # display name of the file

    @property
    def rows_skipped(self) -> int:
        return self.rows_read - len(self.events) - self.rows_merged

    def summary(self) -> str:
        """One line, e.g. 'imported 3 of 4 rows from ACLED file x.csv; 1 rows skipped'."""
        label = FORMAT_LABELS[self.format]
        text = (f"imported {len(self.events)} of {self.rows_read} rows from {label} file "
                f"{self.name}; {self.rows_skipped} rows skipped")
        if self.rows_merged:
            text += (f"; {self.rows_merged} rows merged into their event as its second actor "
                     f"({self.variant})")
        return text


@dataclass
class Conversion:
    """A source frame mapped onto the schema, before validation."""

    frame: pd.DataFrame                       # schema columns, strings, same rows as source
    origin: dict[str, str]                    # our column -> the source column it came from
    rejected: list[tuple[np.ndarray, str, str]] = field(default_factory=list)
    merged: np.ndarray | None = None          # rows folded into another row (monadic ACLED)
    variant: str = ""


# ----------------------------------------------------------------------------- detection


def missing_columns(columns: Iterable[str], format: str) -> list[str]:
    """The key columns of `format` that `columns` lacks."""
    present = set(columns)
    return [c for c in KEY_COLUMNS[format] if c not in present]


def detect_format(columns: Sequence[str], name: str, format: str = "auto") -> str:
    """The format a header belongs to: "events", "acled" or "ucdp".

    Raises DataFileError naming, for each format, the key columns the header lacks.
    """
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"format {format!r} is not one of auto, {', '.join(FORMATS)}")
    if format != "auto":
        missing = missing_columns(columns, format)
        if missing:
            raise DataFileError(
                f"{name} is not {_article(format)} {FORMAT_LABELS[format]} file: it lacks "
                f"{', '.join(missing)} (its columns are {_listing(columns)})")
        return format
    for candidate in FORMATS:
        if not missing_columns(columns, candidate):
            return candidate
    reasons = "; ".join(f"for {FORMAT_LABELS[f]} it lacks {', '.join(missing_columns(columns, f))}"
                        for f in FORMATS)
    raise DataFileError(f"{name} is not an events, ACLED or UCDP GED file: {reasons}")


def _listing(columns: Sequence[str], limit: int = 12) -> str:
    if not columns:
        return "none"
    shown = ", ".join(columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _article(format: str) -> str:
    return "an" if format in ("events", "acled") else "a"


# ----------------------------------------------------------------------------- reading


def _read_bytes(source: str | Path | bytes | BinaryIO) -> tuple[bytes, str]:
    """Bytes and display name of a path, bytes or binary file object (as read_text names it)."""
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes(), Path(source).name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "uploaded file"
    return source.read(), Path(getattr(source, "name", "uploaded file")).name


def _header(raw: bytes, start: int) -> list[str] | None:
    """Column names from the first line, or None when that line is not plainly readable."""
    end = raw.find(b"\n", start)
    first = raw[start:end if end >= 0 else len(raw)].rstrip(b"\r")
    if not first or first.count(b'"') % 2:
        return None
    try:
        names = next(csv.reader([first.decode("utf-8")]))
    except UnicodeDecodeError:
        return None
    return names


def _read_with_pyarrow(body: pa.Buffer, header: list[str],
                       wanted: list[str] | None) -> pd.DataFrame:
    """Parse with pyarrow, every column as text; raises pa.ArrowInvalid when it cannot."""
    raw_names = {name.strip(): name for name in header}
    include = [raw_names[c] for c in wanted] if wanted is not None else list(header)
    convert = pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in header}, include_columns=include,
        strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=True)
    table = None
    for newlines_in_values in (False, True):  # the faster mode first
        try:
            table = pa_csv.read_csv(
                pa.BufferReader(body), convert_options=convert,
                parse_options=pa_csv.ParseOptions(newlines_in_values=newlines_in_values))
            break
        except pa.ArrowInvalid:
            if newlines_in_values:
                raise
    if any(not pa.types.is_string(t) for t in table.schema.types):
        raise pa.ArrowInvalid("a column was not read as text")
    frame = table.to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _line_numbers(raw: bytes, start: int, n_rows: int) -> np.ndarray:
    """First line of each record (the header is line 1).

    Blank lines and values spanning lines both make the file longer than its records, so when
    the count of lines matches, each line is one record; otherwise the csv module counts.
    """
    physical = raw.count(b"\n", start) + (0 if raw.endswith(b"\n") else 1)
    if physical - 1 == n_rows:
        return np.arange(2, n_rows + 2)
    return record_lines(raw[start:].decode("utf-8"), n_rows)


def read_source(raw: bytes, name: str,
                format: str = "auto") -> tuple[pd.DataFrame, np.ndarray, str, list[str]]:
    """Parse CSV bytes as text; return (frame, record line numbers, format, header).

    Only the columns the format's mapping reads are kept (all of them for an events file).
    """
    start = len(UTF8_BOM) if raw.startswith(UTF8_BOM) else 0
    header = _header(raw, start)
    columns = [h.strip() for h in header or []]
    if header is not None and "" not in columns and len(set(columns)) == len(columns):
        found = detect_format(columns, name, format)
        wanted = _wanted_columns(columns, found)
        try:
            frame = _read_with_pyarrow(pa.py_buffer(raw)[start:], header, wanted)
        except (pa.ArrowInvalid, ValueError):
            pass  # the slow path below reads it or says why it cannot
        else:
            return frame, _line_numbers(raw, start, len(frame)), found, columns
    stream = io.BytesIO(raw)
    stream.name = name
    text, _ = read_text(stream)
    frame, lines = read_table(text, name)
    columns = list(frame.columns)
    found = detect_format(columns, name, format)
    wanted = _wanted_columns(columns, found)
    if wanted is not None:
        frame = frame[wanted]
    return frame, lines, found, columns


def _wanted_columns(columns: list[str], format: str) -> list[str] | None:
    if format == "events":
        return None
    return [c for c in columns if c in KEY_COLUMNS[format] or c in OPTIONAL_COLUMNS[format]]


# ----------------------------------------------------------------------------- helpers


def parse_dates(values: pd.Series, formats: Sequence[str]) -> pd.Series:
    """Dates as YYYY-MM-DD text; "" where a value is blank or matches none of `formats`.

    Each format is tried over the distinct values still unparsed, so a million rows of a few
    thousand distinct dates cost a few thousand parses.
    """
    codes, uniques = pd.factorize(values.astype("str"), sort=False)
    uniques = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = parsed.isna() & (uniques != "")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(uniques[todo], format=fmt, errors="coerce")
    text = pd.Series(parsed.dt.strftime("%Y-%m-%d").fillna(""), dtype="str")
    return pd.Series(text.array.take(codes), index=values.index, dtype="str")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as read (validate strips every column itself); "" when it is absent."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].astype("str").fillna("")


def _strip(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column without surrounding spaces, for the values the mapping looks at."""
    return _text(frame, column).str.strip()


def _with_associates(actor: pd.Series, associates: pd.Series) -> pd.Series:
    """'actor' or 'actor (with: associates)' when ACLED names associated actors."""
    return actor.where(associates == "", actor + " (with: " + associates + ")")


def _constant(frame: pd.DataFrame, value: str) -> pd.Series:
    return pd.Series(value, index=frame.index, dtype="str")


# ----------------------------------------------------------------------------- mappings


def _from_events(frame: pd.DataFrame) -> Conversion:
    return Conversion(frame.copy(), {c: c for c in frame.columns})


def _acled_variant(columns: Iterable[str]) -> str:
    columns = set(columns)
    if "actor2" not in columns:
        return "monadic export"
    if {"data_id", "event_id_no_cnty", "iso3"} & columns or "disorder_type" not in columns:
        return "pre-2023 export"
    return "current export"


def _from_acled(frame: pd.DataFrame, columns: Sequence[str]) -> Conversion:
    variant = _acled_variant(columns)
    ids = _text(frame, "event_id_cnty")
    actor1 = _text(frame, "actor1")
    attacker_as_reported = _with_associates(actor1, _strip(frame, "assoc_actor_1"))
    merged = None
    if variant == "monadic export":
        ids = ids.str.strip()
        # One row per actor: an event's first row is kept, the actor of its second row
        # becomes the target group, and any further rows are merged away too.
        nth = ids.groupby(ids, sort=False).cumcount().to_numpy()
        named = (ids != "").to_numpy()
        merged = named & (nth > 0)
        second = named & (nth == 1)
        target_of = pd.Series(actor1[second].to_numpy(), index=ids[second].to_numpy())
        reported_of = pd.Series(attacker_as_reported[second].to_numpy(),
                                index=ids[second].to_numpy())
        target = ids.map(target_of).fillna("").astype("str")
        target_as_reported = ids.map(reported_of).fillna("").astype("str")
        target_origin = "actor1"
    else:
        target = _text(frame, "actor2")
        target_as_reported = _with_associates(target, _strip(frame, "assoc_actor_2"))
        target_origin = "actor2"
    target = target.mask(target.str.strip() == "", NO_TARGET)

    raw_dates = _strip(frame, "event_date")
    dates = parse_dates(raw_dates, ACLED_DATE_FORMATS)
    bad_date = ((dates == "") & (raw_dates != "")).to_numpy()
    dates = dates.mask(bad_date, PLACEHOLDER["event_date"])

    note = ACLED_NOTE.format(variant=variant)
    if variant == "monadic export":
        note += ACLED_MONADIC_NOTE
    out = pd.DataFrame({
        "event_id": ids,
        "event_date": dates,
        "time_precision": _text(frame, "time_precision"),
        "event_type": _text(frame, "event_type"),
        "sub_event_type": _text(frame, "sub_event_type"),
        "attacker": actor1,
        "attacker_as_reported": attacker_as_reported,
        "target_group": target,
        "target_as_reported": target_as_reported,
        "location": _text(frame, "location"),
        "admin1": _text(frame, "admin1"),
        "country": _text(frame, "country"),
        "latitude": _text(frame, "latitude"),
        "longitude": _text(frame, "longitude"),
        "geo_precision": _text(frame, "geo_precision"),
        "geo_source": _constant(frame, "ACLED coordinates as published"),
        "fatalities": _text(frame, "fatalities"),
        "source_doc": _text(frame, "source"),
        "source_quote": _text(frame, "notes"),
        "notes": _constant(frame, note),
    })
    origin = {
        "event_id": "event_id_cnty", "attacker": "actor1", "attacker_as_reported": "actor1",
        "target_group": target_origin, "target_as_reported": target_origin,
        "source_doc": "source", "source_quote": "notes",
    }
    date_reason = ("is not a date ACLED writes (2023-01-31, 21 March 2020, 21 Mar 2020 or "
                   "5-Aug-24)")
    return Conversion(out, origin, [(bad_date, "event_date", date_reason)], merged, variant)


def _mapped(values: pd.Series, table: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Values looked up in `table`; the mask of non-blank values it does not hold."""
    mapped = values.map(table).fillna("").astype("str")
    unknown = ((mapped == "") & (values != "")).to_numpy()
    return mapped, unknown


def _from_ucdp(frame: pd.DataFrame) -> Conversion:
    ids = _strip(frame, "id")
    event_id = ("UCDP-" + ids).where(ids != "", "")

    raw_dates = _strip(frame, "date_start")
    dates = parse_dates(raw_dates, UCDP_DATE_FORMATS)
    bad_date = ((dates == "") & (raw_dates != "")).to_numpy()
    dates = dates.mask(bad_date, PLACEHOLDER["event_date"])

    date_prec = _strip(frame, "date_prec")
    time_precision, bad_date_prec = _mapped(date_prec, UCDP_DATE_PREC)
    time_precision = time_precision.mask(bad_date_prec, PLACEHOLDER["time_precision"])

    where_prec = _strip(frame, "where_prec")
    geo_precision, bad_where_prec = _mapped(where_prec, UCDP_WHERE_PREC)
    geo_precision = geo_precision.mask(bad_where_prec, PLACEHOLDER["geo_precision"])

    violence = _strip(frame, "type_of_violence")
    event_type, bad_violence = _mapped(violence, UCDP_VIOLENCE)
    event_type = event_type.mask(bad_violence, PLACEHOLDER["event_type"])

    article, office = _strip(frame, "source_article"), _strip(frame, "source_office")
    headline, where = _strip(frame, "source_headline"), _strip(frame, "where_description")

    notes = _constant(frame, UCDP_NOTE)
    for prec, caveat in UCDP_WHERE_CAVEAT.items():
        notes = notes.mask(where_prec == prec, notes + caveat)
    notes = notes.mask(date_prec == "5", notes + UCDP_DATE_CAVEAT)

    out = pd.DataFrame({
        "event_id": event_id,
        "event_date": dates,
        "time_precision": time_precision,
        "event_type": event_type,
        "sub_event_type": _constant(frame, UCDP_SUB_EVENT),
        "attacker": _text(frame, "side_a"),
        "target_group": _text(frame, "side_b"),
        "location": _text(frame, "where_coordinates"),
        "near_location": (where_prec == "2").map({True: "true", False: "false"}).astype("str"),
        "admin1": _text(frame, "adm_1"),
        "country": _text(frame, "country"),
        "latitude": _text(frame, "latitude"),
        "longitude": _text(frame, "longitude"),
        "geo_precision": geo_precision,
        "geo_source": "UCDP GED coordinates, where_prec " + where_prec,
        "fatalities": _text(frame, "best"),
        "source_doc": article.where(article != "", office),
        "source_quote": headline.where(headline != "", where),
        "notes": notes,
    })
    origin = {
        "event_id": "id", "event_date": "date_start", "time_precision": "date_prec",
        "event_type": "type_of_violence", "attacker": "side_a", "target_group": "side_b",
        "location": "where_coordinates", "near_location": "where_prec", "admin1": "adm_1",
        "geo_precision": "where_prec", "fatalities": "best",
        "source_doc": "source_article or source_office",
        "source_quote": "source_headline or where_description",
    }
    rejected = [
        (bad_date, "date_start", "is not a date of the form YYYY-MM-DD"),
        (bad_date_prec, "date_prec", "is not a UCDP date precision (1 to 5)"),
        (bad_where_prec, "where_prec", "is not a UCDP location precision (1 to 7)"),
        (bad_violence, "type_of_violence", "is not 1 (state-based), 2 (non-state) or "
                                           "3 (one-sided violence)"),
    ]
    return Conversion(out, origin, rejected)


# ----------------------------------------------------------------------------- convert


def convert(source: str | Path | bytes | BinaryIO, format: str = "auto") -> ImportResult:
    """Read an events, ACLED or UCDP GED CSV and return its rows as typed, validated events.

    `source` is a path, bytes or a binary file object (UTF-8, with or without a byte-order
    mark). `format` is "auto" (tell from the header) or one of "events", "acled", "ucdp".
    Raises DataFileError when the file as a whole cannot be used: not UTF-8, not CSV, or not
    in the format (the message names the missing columns). Bad rows become Problems that
    name the source file's line and column; the other rows are kept.
    """
    try:
        return _convert(source, format)
    finally:
        # pyarrow's allocator keeps freed buffers for reuse; once the intermediate tables are
        # gone, give them back, or a million-row file leaves ~1.4 GB held that nothing uses.
        pa.default_memory_pool().release_unused()


def _convert(source: str | Path | bytes | BinaryIO, format: str) -> ImportResult:
    raw_bytes, name = _read_bytes(source)
    frame, lines, found, header = read_source(raw_bytes, name, format)
    columns = list(frame.columns)
    if found == "acled":
        conversion = _from_acled(frame, header)
    elif found == "ucdp":
        conversion = _from_ucdp(frame)
    else:
        conversion = _from_events(frame)

    n = len(frame)
    converted = conversion.frame
    converted[ROW] = np.arange(n)
    if conversion.merged is None:
        keep = np.ones(n, dtype=bool)
        result = validate(converted, lines, name)
    else:
        keep = ~conversion.merged
        result = validate(converted.loc[keep].reset_index(drop=True), lines[keep], name)

    rejected_rows = np.zeros(n, dtype=bool)
    keyed: list[tuple[int, int, Problem]] = []
    position = {c: i for i, c in enumerate(columns)}
    for mask, column, reason in conversion.rejected:
        mask = mask & keep
        rejected_rows |= mask
        for i in np.flatnonzero(mask):
            problem = Problem(name, int(lines[i]), column, str(frame[column].iat[i]), reason)
            keyed.append((int(lines[i]), position.get(column, len(position)), problem))
    keyed += _translate(result.problems, frame, lines, conversion.origin, position)
    keyed.sort(key=lambda item: (item[0], item[1]))

    events = result.events
    events = events.loc[~rejected_rows[events[ROW].to_numpy(dtype=int)]]
    events = events.drop(columns=ROW).reset_index(drop=True)
    return ImportResult(events, [p for _, _, p in keyed], found, n, conversion.variant,
                        int(n - keep.sum()), name)


def _translate(problems: list[Problem], frame: pd.DataFrame, lines: np.ndarray,
               origin: dict[str, str], position: dict[str, int]) -> list[tuple[int, int, Problem]]:
    """Problems of our columns restated in the source's columns, with its original values."""
    if not problems:
        return []
    wanted = np.array([p.line for p in problems])
    rows = np.flatnonzero(np.isin(lines, wanted))
    row_of_line = {int(lines[i]): int(i) for i in rows}
    out = []
    for p in problems:
        column = origin.get(p.column, p.column)
        value = p.value
        row = row_of_line.get(p.line)
        if value is not None and column in frame.columns and row is not None:
            value = str(frame[column].iat[row])
        reason = p.reason.replace("the event_id of", f"the {column} of")
        order = position.get(column.split(" or ")[0], len(position))
        out.append((p.line, order, Problem(p.file, p.line, column, value, reason)))
    return out


# ----------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """python -m geo.ingest INPUT --output OUT.csv [--format auto|events|acled|ucdp]."""
    parser = argparse.ArgumentParser(
        prog="python -m geo.ingest",
        description="Convert an ACLED or UCDP GED export (or an events CSV) into this "
                    "project's events CSV. Bad rows are reported and left out.")
    parser.add_argument("input", type=Path, help="the CSV file to import")
    parser.add_argument("--output", "-o", type=Path, required=True,
                        help="where to write the events CSV (never the input file)")
    parser.add_argument("--format", choices=("auto", *FORMATS), default="auto",
                        help="the input's format; auto tells it from the header (default)")
    args = parser.parse_args(argv)

    if args.output.resolve() == args.input.resolve() or (
            args.output.exists() and args.input.exists()
            and args.output.samefile(args.input)):
        parser.error(f"--output {args.output} is the input file; refusing to overwrite it")

    try:
        result = convert(args.input, args.format)
    except (DataFileError, OSError) as exc:
        print(f"error: {exc}; no output written", file=sys.stderr)
        return 1
    for problem in result.problems:
        print(problem)
    print(result.summary())
    if result.events.empty:
        print(f"error: no row of {result.name} could be imported; {args.output} not written",
              file=sys.stderr)
        return 1

    try:
        write_atomic(args.output, to_csv_bytes(result.events))
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(result.events)} events to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
