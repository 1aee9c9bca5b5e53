"""File -> reader -> provider mapping -> validated events: :func:`convert`.

The reader (geo/ingest/read.py) knows no provider; each provider (events.py, acled.py,
ucdp.py) maps its columns onto geo/schema.py; the validator (validate.py) checks every row the
same way. Problems are restated in the file's own terms (its line, its column as it spells it,
its value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.ingest import acled, events, ucdp
from geo.ingest.read import header_looks_like_data, read_table
from geo.ingest.validate import validate
from geo.problems import DataFileError, Problem

# Every provider, in the order a header is tried against them. A new provider (GDELT,
# Airwars, a newsroom's sheet) is one module with the same names, added here.
PROVIDERS: dict[str, ModuleType] = {p.NAME: p for p in (events, acled, ucdp)}
FORMATS = tuple(PROVIDERS)
FORMAT_LABELS = {name: p.LABEL for name, p in PROVIDERS.items()}

ROW = "_row"  # position of the row in the source file; dropped before returning


@dataclass
class ImportResult:
    events: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    format: str = "events"
    rows_read: int = 0
    variant: str = ""  # e.g. "current export", "pre-2023 export", "monadic export"
    rows_merged: int = 0  # monadic ACLED rows that were the second actor of an event
    name: str = ""  # display name of the file
    container: str = ""  # "CSV", "Excel workbook (.xlsx)", "JSON", "zip (CSV)"...
    encoding: str = ""  # of a text file: "UTF-8", "UTF-16", "Windows-1252"...
    delimiter: str = ""  # of a CSV file
    sheet: str = ""  # of a workbook: the sheet read
    notes: list[str] = field(default_factory=list)  # what the reader and mapping decided

    @property
    def rows_skipped(self) -> int:
        return self.rows_read - len(self.events) - self.rows_merged

    def summary(self) -> str:
        """One line, e.g. 'imported 3 of 4 rows from ACLED file x.csv; 1 rows skipped'."""
        label = FORMAT_LABELS[self.format]
        text = (
            f"imported {len(self.events)} of {self.rows_read} rows from {label} file "
            f"{self.name}; {self.rows_skipped} rows skipped"
        )
        if self.rows_merged:
            text += (
                f"; {self.rows_merged} rows merged into their event as its second actor "
                f"({self.variant})"
            )
        return text


# ----------------------------------------------------------------------------- detection


def _present(provider: ModuleType, columns: Sequence[str]) -> set[str]:
    return {provider.ALIASES.get(c, c) for c in columns}


def missing_columns(columns: Sequence[str], format: str) -> list[str]:
    """The key columns of `format` that `columns` (lower-cased names) lacks."""
    provider = PROVIDERS[format]
    present = _present(provider, columns)
    return [c for c in provider.KEY_COLUMNS if c not in present]


def _listing(columns: Sequence[str], limit: int = 12) -> str:
    if not columns:
        return "none"
    shown = ", ".join(columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _article(format: str) -> str:
    return "an" if FORMAT_LABELS[format][0].lower() in "aeiou" else "a"


def detect_format(columns: Sequence[str], name: str, format: str = "auto") -> str:
    """The format a header (lower-cased names) belongs to.

    Raises DataFileError naming, for each format, the key columns the header lacks and the
    ones it has; or saying that the first row looks like data rather than a header.
    """
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"format {format!r} is not one of auto, {', '.join(FORMATS)}")
    if format != "auto":
        missing = missing_columns(columns, format)
        if missing:
            _refuse_data_header(columns, name)
            raise DataFileError(
                f"{name} is not {_article(format)} {FORMAT_LABELS[format]} file: it lacks "
                f"{', '.join(missing)} (its columns are {_listing(columns)})"
            )
        return format
    for candidate in FORMATS:
        if not missing_columns(columns, candidate):
            return candidate
    _refuse_data_header(columns, name)
    reasons = []
    for f in sorted(FORMATS, key=lambda f: len(missing_columns(columns, f))):
        key = PROVIDERS[f].KEY_COLUMNS
        has = [c for c in key if c in _present(PROVIDERS[f], columns)]
        reason = f"for {FORMAT_LABELS[f]} it lacks {', '.join(missing_columns(columns, f))}"
        if has:
            reason += f" (it has {len(has)} of its {len(key)} key columns: {_listing(has, 6)})"
        reasons.append(reason)
    labels = ", ".join(FORMAT_LABELS[f] for f in FORMATS[:-1])
    raise DataFileError(
        f"{name} is not an {labels} or {FORMAT_LABELS[FORMATS[-1]]} file: " + "; ".join(reasons)
    )


def _refuse_data_header(columns: Sequence[str], name: str) -> None:
    if header_looks_like_data(columns):
        shown = ", ".join(repr(c) for c in list(columns)[:5])
        raise DataFileError(
            f"{name} has no header row: the first row looks like data ({shown}...); add a "
            "row of column names (ACLED's, UCDP's or this project's) and import it again"
        )


class _Layout:
    """Answers the reader's questions about a header for one convert() call."""

    def __init__(self, name: str, format: str) -> None:
        self.name, self.format = name, format
        self.found: str | None = None
        self.columns: list[str] = []

    def score(self, columns: Sequence[str]) -> float:
        return max(
            len(PROVIDERS[f].KEY_COLUMNS) - len(missing_columns(columns, f)) for f in FORMATS
        )

    def select(self, columns: Sequence[str]) -> list[str] | None:
        self.found = detect_format(columns, self.name, self.format)
        self.columns = list(columns)
        provider = PROVIDERS[self.found]
        if provider.READS_EVERY_COLUMN:
            return None
        wanted = set(provider.KEY_COLUMNS) | set(provider.OPTIONAL_COLUMNS)
        chosen, seen = [], set()
        for c in columns:
            target = provider.ALIASES.get(c, c)
            if target in wanted and target not in seen:
                chosen.append(c)
                seen.add(target)
        return chosen

    def few_values(self, columns: Sequence[str]) -> set[str]:
        provider = PROVIDERS[self.found]
        return {c for c in columns if provider.ALIASES.get(c, c) in provider.FEW_VALUES}


# ----------------------------------------------------------------------------- convert


def convert(source: str | Path | bytes | BinaryIO, format: str = "auto") -> ImportResult:
    """Read an events, ACLED or UCDP GED file and return its rows as typed, validated events.

    `source` is a path, bytes or a binary file object holding CSV (any of , ; tab |), an
    .xlsx/.xls/.ods workbook, JSON (ACLED's or UCDP's API, or an array of records) or a zip
    of one of these. `format` is "auto" (tell from the header) or one of FORMATS.
    Raises DataFileError when the file as a whole cannot be used, naming why; bad rows become
    Problems naming the file's line and column; the other rows are kept.
    """
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"format {format!r} is not one of auto, {', '.join(FORMATS)}")
    try:
        return _convert(source, format)
    finally:
        # pyarrow's allocator keeps freed buffers for reuse; once the intermediate tables are
        # gone, give them back, or a million-row file leaves ~1.4 GB held that nothing uses.
        pa.default_memory_pool().release_unused()


def _display_name(source: str | Path | bytes | BinaryIO) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "uploaded file"
    return Path(getattr(source, "name", "uploaded file")).name


def _convert(source: str | Path | bytes | BinaryIO, format: str) -> ImportResult:
    layout = _Layout(_display_name(source), format)
    table = read_table(source, layout)
    if layout.found is None:  # a file whose header the reader could not give to the layout
        layout.select(table.columns)
    provider = PROVIDERS[layout.found]
    frame = table.frame.rename(columns=provider.ALIASES)
    lines, name = table.lines, table.name
    try:
        conversion = provider.to_events(frame, [provider.ALIASES.get(c, c) for c in table.columns])
    except DataFileError as exc:
        raise DataFileError(f"{name}: {exc}") from exc

    n = len(frame)
    converted = conversion.frame
    converted[ROW] = np.arange(n)
    keep = np.ones(n, dtype=bool) if conversion.merged is None else ~conversion.merged
    if conversion.merged is None:
        result = validate(converted, lines, name)
    else:
        result = validate(converted.loc[keep].reset_index(drop=True), lines[keep], name)

    position = {c: i for i, c in enumerate(table.columns)}

    def shown(column: str) -> str:
        return " or ".join(table.original.get(c, c) for c in column.split(" or "))

    rejected_rows = np.zeros(n, dtype=bool)
    keyed: list[tuple[int, int, Problem]] = [(p.line or 0, -1, p) for p in table.problems]
    for mask, column, reason in conversion.rejected:
        mask = mask & keep
        rejected_rows |= mask
        for i in np.flatnonzero(mask):
            problem = Problem(name, int(lines[i]), shown(column), str(frame[column].iat[i]), reason)
            keyed.append((int(lines[i]), position.get(column, len(position)), problem))
    keyed += _translate(result.problems, frame, lines, conversion.origin, position, shown)
    keyed.sort(key=lambda item: (item[0], item[1]))

    out = result.events
    if rejected_rows.any():
        out = out.loc[~rejected_rows[out[ROW].to_numpy(dtype=int)]].reset_index(drop=True)
    out = out.drop(columns=ROW)
    return ImportResult(
        out,
        [p for _, _, p in keyed],
        layout.found,
        table.rows_read,
        conversion.variant,
        int(n - keep.sum()),
        name,
        table.container,
        table.encoding,
        table.delimiter,
        table.sheet,
        table.notes + conversion.notes,
    )


def _translate(
    problems: list[Problem],
    frame: pd.DataFrame,
    lines: np.ndarray,
    origin: dict[str, str],
    position: dict[str, int],
    shown,
) -> list[tuple[int, int, Problem]]:
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
        label = shown(column)
        reason = p.reason.replace("the event_id of", f"the {label} of")
        order = position.get(column.split(" or ")[0], len(position))
        out.append((p.line, order, Problem(p.file, p.line, label, value, reason)))
    return out
