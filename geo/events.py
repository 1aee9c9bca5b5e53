"""Read an events CSV into a typed DataFrame, reporting every bad row and keeping the good ones.

>>> from geo.events import load_events
>>> result = load_events("data/events.csv")       # doctest: +SKIP
>>> result.problems                                 # doctest: +SKIP
[]
>>> result.events.dtypes["event_date"]              # doctest: +SKIP
dtype('<M8[ns]')

Validation is vectorised (one pass per column, not per row) so that large files load quickly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from geo.problems import DataFileError, Problem
from geo.schema import BY_NAME, COLUMN_NAMES

TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n", ""}


@dataclass
class LoadResult:
    events: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def read_text(source: str | Path | bytes | BinaryIO) -> tuple[str, str]:
    """Return (text, display name) of a CSV given as a path, bytes or a binary file object.

    UTF-8 with or without a byte-order mark is accepted; anything else is a DataFileError.
    """
    if isinstance(source, (str, Path)):
        name = Path(source).name
        raw = Path(source).read_bytes()
    elif isinstance(source, bytes):
        name, raw = "uploaded file", source
    else:
        name = Path(getattr(source, "name", "uploaded file")).name
        raw = source.read()
    try:
        return raw.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"{name}: byte {exc.start} is not UTF-8 ({raw[exc.start:exc.start + 4]!r}); "
            "save the file as UTF-8 and try again"
        ) from exc


def read_table(text: str, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse CSV text as strings; return the frame and each record's first line number."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"{name}: not a readable CSV file ({exc})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, record_lines(text, len(frame))


def record_lines(text: str, n_rows: int) -> np.ndarray:
    """Line number (1-based, header is line 1) where each data record starts.

    The fast path assumes one line per record; quoted newlines fall back to the csv module.
    """
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    if physical - 1 == n_rows:
        return np.arange(2, n_rows + 2)
    starts, reader, previous = [], csv.reader(io.StringIO(text)), 1
    next(reader, None)
    previous = reader.line_num
    for row in reader:
        if row:
            starts.append(previous + 1)
        previous = reader.line_num
    return np.asarray(starts[:n_rows] + [0] * max(0, n_rows - len(starts)))


def load_events(source: str | Path | bytes | BinaryIO) -> LoadResult:
    """Load and validate an events CSV of this project's schema (see geo/schema.py).

    Raises DataFileError when the file as a whole is unusable (not UTF-8, not CSV, required
    columns missing). Bad rows are reported as Problems and left out; good rows are kept.

    Reading goes through geo.ingest's pyarrow reader (a million rows in seconds, without a
    Python string per cell), which then runs :func:`validate` like every import.
    """
    from geo.ingest import convert  # geo.ingest builds on this module; imported when used

    result = convert(source, "events")
    return LoadResult(result.events, result.problems)


def validate(raw: pd.DataFrame, lines: np.ndarray, name: str) -> LoadResult:
    """Type and check a frame of strings; rows with any problem are reported and dropped."""
    raw = raw.copy()
    for column in COLUMN_NAMES:
        if column not in raw.columns:
            raw[column] = ""
    bad = np.zeros(len(raw), dtype=bool)
    problems: list[tuple[int, int, Problem]] = []  # (row, column order, problem) for sorting
    out = pd.DataFrame(index=raw.index)

    def report(mask: np.ndarray, column: str, reason: str, show_value: bool = True) -> None:
        nonlocal bad
        bad |= mask
        order = COLUMN_NAMES.index(column) if column in COLUMN_NAMES else 99
        for i in np.flatnonzero(mask):
            value = str(raw[column].iat[i]) if show_value else None
            problems.append((i, order, Problem(name, int(lines[i]), column, value, reason)))

    for column in COLUMN_NAMES:
        spec = BY_NAME[column]
        values = raw[column].astype(str).str.strip()
        empty = (values == "").to_numpy()
        if spec.required:
            report(empty, column, "required value is missing", show_value=False)
        if spec.kind == "text":
            out[column] = values.mask(empty, spec.default) if spec.default else values
        elif spec.kind == "date":
            parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
            report(parsed.isna().to_numpy() & ~empty, column,
                   "is not a date of the form YYYY-MM-DD")
            out[column] = parsed
        elif spec.kind == "bool":
            lowered = values.str.lower()
            unknown = ~lowered.isin(TRUE_WORDS | FALSE_WORDS).to_numpy()
            report(unknown, column, "is not true or false")
            out[column] = lowered.isin(TRUE_WORDS)
        else:
            number = pd.to_numeric(values, errors="coerce")
            not_number = number.isna().to_numpy() & ~empty
            report(not_number, column, "is not a number")
            ok = ~not_number & ~empty
            if spec.kind == "int":
                fractional = ok & (number.fillna(0) % 1 != 0).to_numpy()
                report(fractional, column, "is not a whole number")
                ok &= ~fractional
                if spec.allowed:
                    outside = ok & ~number.isin(spec.allowed).to_numpy()
                    allowed = ", ".join(map(str, spec.allowed))
                    report(outside, column, f"is not one of {allowed}")
                else:
                    report(ok & (number.fillna(0) < 0).to_numpy(), column, "is negative")
                out[column] = number.where(ok).astype("Int64")
            else:
                limit = 90 if column == "latitude" else 180
                report(ok & (number.abs() > limit).to_numpy(), column,
                       f"is outside [-{limit}, {limit}]")
                out[column] = number.astype("float64")

    ids = out["event_id"]
    dup = (ids.duplicated(keep="first") & (ids != "")).to_numpy()
    if dup.any():
        first_line = {v: int(lines[i]) for i, v in reversed(list(enumerate(ids)))}
        for i in np.flatnonzero(dup):
            bad[i] = True
            reason = f"repeats the event_id of line {first_line[ids.iat[i]]}"
            problems.append((i, 0, Problem(name, int(lines[i]), "event_id", ids.iat[i], reason)))

    for column in COLUMN_NAMES:
        if BY_NAME[column].kind == "text" and len(out) > 1000:
            # Repeated names (attackers, places, documents) stored once: a million events with
            # fifty attackers hold fifty strings, not a million.
            if out[column].nunique() < len(out) // 2:
                out[column] = out[column].astype("category")

    extra = [c for c in raw.columns if c not in COLUMN_NAMES]
    for column in extra:
        out[column] = raw[column]
    problems.sort(key=lambda t: (t[0], t[1]))
    events = out.loc[~bad].reset_index(drop=True)
    return LoadResult(events, [p for _, _, p in problems])
