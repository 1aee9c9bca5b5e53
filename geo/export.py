"""Exports of the visible events: CSV (safe to open in a spreadsheet) and GeoJSON (RFC 7946).

>>> neutralise_text(pd.Series(["=HYPERLINK(1)", "Erbil", "-12"]), numeric=False).tolist()
["'=HYPERLINK(1)", 'Erbil', "'-12"]
"""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo.dates import date_intervals
from geo.duplicates import COLUMNS as DUPLICATE_COLUMNS
from geo.schema import BY_NAME, COLUMN_NAMES

# OWASP CSV injection: cells starting with these may be read as formulas by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def export_frame(events: pd.DataFrame) -> pd.DataFrame:
    """All dataset columns, in schema order, with dates as YYYY-MM-DD, and after
    ``time_precision`` the window the date stands for (``event_date_interval``, ISO 8601).

    Where the events carry geo.duplicates' flags (the app's frames do), they come last, in
    their own order: ``possible_duplicate_of`` (the other datasets' event ids, "" if none),
    ``duplicate_rule`` and ``duplicate_copy`` (true for the copy the Events page can hide),
    so a file read without the app still says which events may be counted twice."""
    columns = [c for c in COLUMN_NAMES if c in events.columns]
    columns += [
        c
        for c in events.columns
        if c not in COLUMN_NAMES and c not in DUPLICATE_COLUMNS and not c.startswith("_")
    ]
    columns += [c for c in DUPLICATE_COLUMNS if c in events.columns]
    out = events[columns].copy()
    if "event_date" in out:
        out["event_date"] = out["event_date"].dt.strftime("%Y-%m-%d")
        # The date's uncertainty as an ISO 8601 interval, kept when the file already has it.
        interval = (
            out.pop("event_date_interval")
            if "event_date_interval" in out
            else date_intervals(events)
        )
        at = out.columns.get_loc("time_precision") + 1 if "time_precision" in out else 2
        out.insert(at, "event_date_interval", interval.to_numpy())
    return out


def to_csv_bytes(events: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so spreadsheets read Arabic and Kurdish right).

    Written by pyarrow's CSV writer: about ten times faster than pandas' at a million rows.
    """
    out = export_frame(events)
    for column in out.columns:
        kind = BY_NAME[column].kind if column in BY_NAME else "text"
        if pd.api.types.is_bool_dtype(out[column]):
            kind = "bool"
        if kind == "bool":
            out[column] = out[column].map({True: "true", False: "false"}).astype("string")
        else:
            out[column] = neutralise_text(out[column], numeric=kind in ("int", "float"))
    out.columns = [neutralise_name(str(c)) for c in out.columns]  # a header is read as cells too
    table = pa.Table.from_pandas(out, preserve_index=False)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(quoting_style="needed"))
    return b"\xef\xbb\xbf" + sink.getvalue().to_pybytes()


def to_geojson_bytes(events: pd.DataFrame) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946: [longitude, latitude], WGS84).

    Properties are serialised by pandas' C writer, one JSON object per line, then wrapped:
    a million events take seconds, not the minute a dict per event takes.
    """
    parts = [b'{"type": "FeatureCollection", "features": [\n']
    for start in range(0, len(events), GEOJSON_CHUNK):  # bounded memory: a chunk at a time
        chunk = _geojson_features(events.iloc[start : start + GEOJSON_CHUNK])
        parts.append(((",\n" if start else "") + chunk).encode("utf-8"))
    parts.append(b"\n]}")
    return b"".join(parts)


GEOJSON_CHUNK = 100_000


def _geojson_features(events: pd.DataFrame) -> str:
    out = export_frame(events)
    props = out.drop(columns=["latitude", "longitude"])
    for column in props.columns:
        if isinstance(props[column].dtype, pd.CategoricalDtype):
            props[column] = props[column].astype("string")
    lines = props.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    coords = [
        json.dumps([lon, lat])
        for lon, lat in zip(out["longitude"].tolist(), out["latitude"].tolist(), strict=True)
    ]
    return ",\n".join(
        f'{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": {c}}}, '
        f'"properties": {p}}}'
        for c, p in zip(coords, lines, strict=True)
    )


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
