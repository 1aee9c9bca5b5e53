"""Exports of the visible events: CSV (safe to open in a spreadsheet) and GeoJSON (RFC 7946).

Both are written a chunk of rows at a time (:func:`csv_chunks`, :func:`geojson_chunks`), so a
million events never make one whole file in memory: a caller streams the chunks to the browser
or to a file. ``to_csv_bytes`` and ``to_geojson_bytes`` are the same chunks joined.

>>> neutralise_text(pd.Series(["=HYPERLINK(1)", "Erbil", "-12"]), numeric=False).tolist()
["'=HYPERLINK(1)", 'Erbil', "'-12"]
>>> events = pd.DataFrame({"event_id": ["a", "b"], "attacker": ["=X", "Y"],
...     "event_date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
...     "latitude": [33.0, 34.5], "longitude": [44.0, -44.25]})
>>> print(b"".join(csv_chunks(events, chunk=1)).decode("utf-8-sig"), end="")
"event_id","event_date","event_date_interval","attacker","latitude","longitude"
"a","2024-01-02","2024-01-02/2024-01-02","'=X",33,44
"b","2024-01-03","2024-01-03/2024-01-03","Y",34.5,-44.25
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from geo.dates import date_windows
from geo.duplicates import COLUMNS as DUPLICATE_COLUMNS
from geo.schema import BY_NAME, COLUMN_NAMES

# OWASP CSV injection: cells starting with these may be read as formulas by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The same test as one RE2 pattern, for Arrow's vectorised string functions.
_FORMULA_PATTERN = "^[" + "".join("\\" + c if c in "-" else c for c in FORMULA_START) + "]"
BOM = b"\xef\xbb\xbf"  # so spreadsheets read Arabic and Kurdish right
CHUNK = 50_000  # rows a chunk: about 35 MB of CSV, 60 MB of GeoJSON at ACLED's widths
GEOJSON_HEAD = b'{"type": "FeatureCollection", "features": [\n'
GEOJSON_TAIL = b"\n]}"
Events = pd.DataFrame | Iterable[pd.DataFrame]


def neutralise_text(values: pd.Series, numeric: bool) -> pd.Series:
    """Prefix a quote to text cells that a spreadsheet would run as a formula.

    Numeric columns are left alone, so a negative longitude stays a number.
    """
    if numeric:
        return values
    text = values.astype("string")
    risky = text.str.startswith(FORMULA_START).fillna(False)
    return text.mask(risky, "'" + text)


def neutralise_name(name: str) -> str:
    """A column name for a CSV header, quoted like a text cell when it could run as a formula.

    >>> neutralise_name("=cmd|' /C calc'!A0"), neutralise_name("attacker")
    ("'=cmd|' /C calc'!A0", 'attacker')
    """
    return "'" + name if name.startswith(FORMULA_START) else name


def export_columns(events: pd.DataFrame) -> list[str]:
    """The columns an export holds, in order: the dataset's in schema order, then any others,
    then geo.duplicates' flags where the events carry them (the app's frames do):
    ``possible_duplicate_of`` (the other datasets' event ids, "" if none), ``duplicate_rule``
    and ``duplicate_copy`` (true for the copy the Events page can hide), so a file read
    without the app still says which events may be counted twice. ``event_date_interval``
    (the window the date stands for, ISO 8601) is added after ``time_precision``."""
    columns = [c for c in COLUMN_NAMES if c in events.columns]
    columns += [
        c
        for c in events.columns
        if c not in COLUMN_NAMES
        and c not in DUPLICATE_COLUMNS
        and not (c == "event_date_interval" and "event_date" in events.columns)
        and not str(c).startswith("_")
    ]
    columns += [c for c in DUPLICATE_COLUMNS if c in events.columns]
    if "event_date" in events.columns:
        at = columns.index("time_precision") + 1 if "time_precision" in columns else 2
        columns.insert(at, "event_date_interval")
    return columns


def csv_chunks(events: Events, chunk: int = CHUNK) -> Iterator[bytes]:
    """UTF-8 CSV (with a byte-order mark) of the events, `chunk` rows at a time.

    `events` is a frame, or frames with the same columns read one after the other (a
    store's batches). Text cells a spreadsheet would run as a formula get a ``'`` in front;
    numbers are left alone. Written by pyarrow's CSV writer (about ten times pandas' speed):
    memory holds one chunk, whatever the number of rows."""
    first = True
    for part in _parts(events, chunk):
        table = pa.Table.from_arrays(
            [_csv_column(part, c) for c in export_columns(part)],
            names=[neutralise_name(str(c)) for c in export_columns(part)],
        )
        sink = pa.BufferOutputStream()
        options = pa_csv.WriteOptions(include_header=first, quoting_style="needed")
        pa_csv.write_csv(table, sink, options)
        data = sink.getvalue().to_pybytes()
        yield BOM + data if first else data
        first = False


def geojson_chunks(events: Events, chunk: int = CHUNK) -> Iterator[bytes]:
    """A GeoJSON FeatureCollection (RFC 7946: [longitude, latitude], WGS84), `chunk` events
    at a time; `events` as for :func:`csv_chunks`.

    Each Feature is one line, its properties encoded by Polars (vectorised, in Rust): a
    million events take seconds, where a dict per event takes a minute."""
    yield GEOJSON_HEAD
    written = False
    for part in _parts(events, chunk):
        if len(part):
            yield _features(part, after=written)
            written = True
    yield GEOJSON_TAIL


def to_csv_bytes(events: pd.DataFrame) -> bytes:
    """The whole CSV export at once (:func:`csv_chunks` joined): for small files and tests."""
    return b"".join(csv_chunks(events))


def to_geojson_bytes(events: pd.DataFrame) -> bytes:
    """The whole GeoJSON export at once (:func:`geojson_chunks` joined)."""
    return b"".join(geojson_chunks(events))


def _parts(events: Events, chunk: int) -> Iterator[pd.DataFrame]:
    if not isinstance(events, pd.DataFrame):
        yield from events
        return
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1 row, not {chunk}")
    yield events.iloc[:chunk]  # the header, even for no rows
    for start in range(chunk, len(events), chunk):
        yield events.iloc[start : start + chunk]


def _arrow(values: pd.Series) -> pa.Array:
    """A column as Arrow; values of mixed types (an extra column) as their text."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(values.map(lambda v: v if pd.isna(v) else str(v)), from_pandas=True)
    if pa.types.is_dictionary(array.type) and len(array.dictionary) > len(array):
        # A chunk of a category column with more distinct values than the chunk has rows
        # (notes, quotes): its own values, so no chunk works through every one of them.
        return pc.cast(array, array.type.value_type)
    return array


def _is_text(array: pa.Array) -> bool:
    kind = array.type.value_type if pa.types.is_dictionary(array.type) else array.type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _days(values: pd.Series) -> pa.Array:
    """Dates as YYYY-MM-DD (what ``.dt.strftime("%Y-%m-%d")`` writes, twenty times faster)."""
    array = pa.array(values, from_pandas=True)
    if pa.types.is_timestamp(array.type) and array.type.tz is None:
        return pc.cast(pc.cast(pc.floor_temporal(array, unit="day"), pa.date32()), pa.string())
    return pa.array(values.dt.strftime("%Y-%m-%d"), from_pandas=True)


def _interval(events: pd.DataFrame) -> pa.Array:
    """The date's uncertainty as an ISO 8601 interval, kept when the events already have it."""
    if "event_date_interval" in events.columns:
        return _arrow(events["event_date_interval"])
    start, end = date_windows(events)
    return pc.binary_join_element_wise(_days(start), _days(end), "/")


def _column(events: pd.DataFrame, name: str) -> pa.Array:
    """One export column as Arrow, before any CSV treatment: dates as YYYY-MM-DD text."""
    if name == "event_date_interval":
        return _interval(events)
    if name == "event_date":
        return _days(events["event_date"])
    return _arrow(events[name])


def _neutralise(array: pa.Array) -> pa.Array:
    """:func:`neutralise_text` on Arrow text; on a dictionary (a category column), only its
    distinct values are looked at."""
    if pa.types.is_dictionary(array.type):
        return pa.DictionaryArray.from_arrays(array.indices, _neutralise(array.dictionary))
    risky = pc.match_substring_regex(array, _FORMULA_PATTERN)
    if not pc.any(risky).as_py():
        return array
    quote, nothing = pa.scalar("'", array.type), pa.scalar("", array.type)
    return pc.if_else(risky, pc.binary_join_element_wise(quote, array, nothing), array)


def _csv_column(events: pd.DataFrame, name: str) -> pa.Array:
    """A column as the CSV writes it: numbers as they are, true/false, text neutralised."""
    values = events[name] if name in events.columns else None
    kind = BY_NAME[name].kind if name in BY_NAME else "text"
    if values is not None and (pd.api.types.is_bool_dtype(values) or kind == "bool"):
        if pd.api.types.is_bool_dtype(values):
            return pc.cast(pa.array(values, from_pandas=True), pa.string())
        return pa.array(values.map({True: "true", False: "false"}).astype("string"))
    if kind in ("int", "float"):
        return _arrow(values)
    array = _column(events, name)
    if _is_text(array):
        return _neutralise(array)
    return pa.array(neutralise_text(values, numeric=False), from_pandas=True)


def _features(events: pd.DataFrame, after: bool) -> bytes:
    """The events' Features as UTF-8, one a line, separated by ",\n" (and led by one when
    they come `after` others)."""
    import polars as pl

    columns = export_columns(events)
    frame = pl.from_arrow(
        pa.Table.from_arrays([_column(events, c) for c in columns], names=columns),
        rechunk=False,
    )
    props = [c for c in columns if c not in ("latitude", "longitude")]

    def number(column: str) -> pl.Expr:  # a missing one as json.dumps writes it
        return pl.col(column).cast(pl.String).fill_null("null")

    line = pl.concat_str(
        pl.lit('{"type": "Feature", "geometry": {"type": "Point", "coordinates": ['),
        number("longitude"),
        pl.lit(", "),
        number("latitude"),
        pl.lit(']}, "properties": '),
        pl.struct(props).struct.json_encode(),
        pl.lit("}"),
    )
    out = io.BytesIO()
    if after:
        out.write(b",\n")
    # Polars' CSV writer, quoting nothing, writes each line as it is (JSON text has no raw
    # line break, so a Feature stays one line), each followed by ",\n": the last one's is cut.
    frame.select(line).write_csv(
        out, include_header=False, quote_style="never", line_terminator=",\n"
    )
    out.truncate(out.tell() - 2)
    return out.getvalue()


def export_name(state, count: int, extension: str, today: date | None = None) -> str:
    """A file name that says what it holds: filters, count, and the day it was exported."""
    parts = ["events"]
    for values in (state.attackers, state.target_groups, state.event_types):
        if values:
            parts.append("+".join(values) if len(values) <= 2 else f"{len(values)}-groups")
    if state.start or state.end:
        parts.append(f"{state.start or 'start'}_to_{state.end or 'end'}")
    parts += ["in-view", f"{count}", (today or date.today()).isoformat()]
    slug = re.sub(r"[^A-Za-z0-9+_.-]+", "-", "_".join(parts)).strip("-")
    return f"{slug[:150]}.{extension}"
