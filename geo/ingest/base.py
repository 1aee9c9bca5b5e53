"""What every provider module shares: the Conversion it returns and the column helpers.

A provider (``geo/ingest/acled.py``, ``ucdp.py``, ``events.py``) is a module with ``NAME``,
``LABEL``, ``KEY_COLUMNS`` (a file must have them), ``OPTIONAL_COLUMNS`` (read when present),
``ALIASES`` (older spellings of a column), ``READS_EVERY_COLUMN``, ``FEW_VALUES`` (columns of
few distinct values that the reader may hand over as categoricals: a million rows of fifty
actors are fifty strings and a million small codes) and ``to_events(frame, columns) ->
Conversion``. Column names reach it trimmed and lower-cased; values are text, or categoricals
of text for FEW_VALUES (``text``, ``strip``, ``fill_blank`` and ``recoded`` work on both).

>>> parse_dates(pd.Series(["01-January-2015", "9-May-20", "2013-07-24T00:00:00"])).tolist()
['2015-01-01', '2020-05-09', '2013-07-24']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.problems import DataFileError

# Every form ACLED, UCDP or a spreadsheet re-save writes a day in: ISO, "21 March 2020",
# "21 Mar 2020", "5-Aug-24", "01-January-2015", ISO with a time (UCDP's API and its dumps).
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d-%B-%y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%SZ",
)
DATE_REASON = (
    "is not a date (2024-11-01, 01 November 2024, 1-Nov-24, 01-January-2015, "
    "21/03/2020 or an Excel day number)"
)
NUMERIC_DATE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_DAYS = (20_000, 80_000)  # 1954-10-03 to 2119-01-10: an Excel day number, not a count

# Stand-ins for cells a provider already reported, so that validation does not report the
# same cell again (the row is dropped either way).
PLACEHOLDER = {
    "event_date": "1970-01-01",
    "time_precision": "1",
    "geo_precision": "1",
    "event_type": "-",
}

# What fills a required text cell that a real source leaves blank (kept, and said so).
NO_QUOTE = "(no quote in the source file)"
NO_SOURCE = "(no source named in the source file)"


@dataclass
class Conversion:
    """A source frame mapped onto the schema, before validation."""

    frame: pd.DataFrame  # schema columns, strings, same rows as source
    origin: dict[str, str]  # our column -> the source column it came from
    rejected: list[tuple[np.ndarray, str, str]] = field(default_factory=list)
    merged: np.ndarray | None = None  # rows folded into another row (monadic ACLED)
    variant: str = ""
    notes: list[str] = field(default_factory=list)  # said to the user once per file


@dataclass
class Dates:
    text: pd.Series  # YYYY-MM-DD, or PLACEHOLDER where `bad`
    bad: np.ndarray  # non-blank values that are not dates
    notes: list[str]


def text(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as read (validation strips every column itself); "" when it is absent. A
    categorical (a column of the provider's FEW_VALUES) stays one."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    if isinstance(frame[column].dtype, pd.CategoricalDtype):
        return frame[column]
    return frame[column].astype("str").fillna("")


def stripped(frame: pd.DataFrame, column: str) -> pd.Series:
    return strip(text(frame, column))


def constant(frame: pd.DataFrame, value: str) -> pd.Series:
    """`value` on every row, as a categorical: one copy of the text, not one per row (a
    million rows of a 120-character note would be 120 MB to build, hash and store)."""
    return one_of(frame, [value], np.zeros(len(frame), dtype=np.int8))


def one_of(rows: pd.DataFrame | pd.Series, values: Sequence[str], codes: np.ndarray) -> pd.Series:
    """Per row of `rows`, ``values[codes[row]]``, as a categorical (equal values merged).

    >>> labels = one_of(pd.DataFrame(index=range(3)), ["a", "b", "a"], np.array([0, 1, 2]))
    >>> labels.tolist(), labels.cat.codes.tolist()
    (['a', 'b', 'a'], [0, 1, 0])
    """
    recode, merged = pd.factorize(pd.Index(list(values), dtype="str"), sort=False)
    categories = pd.Index(merged, dtype="str")
    return pd.Series(pd.Categorical.from_codes(recode[codes], categories=categories), rows.index)


# White space as Python's str.strip and Arrow's utf8_trim_whitespace read it, in UTF-8: one
# byte (ASCII), two (U+0085, U+00A0) or three (U+1680, U+2000-U+200A, U+2028, U+2029,
# U+202F, U+205F, U+3000).
_SPACE_1 = np.array([9, 10, 11, 12, 13, 28, 29, 30, 31, 32])
_SPACE_2 = np.array([0xC285, 0xC2A0])
_SPACE_3 = np.array(
    [0xE19A80, *range(0xE28080, 0xE2808B), 0xE280A8, 0xE280A9, 0xE280AF, 0xE2819F, 0xE38080]
)


def strip(values: pd.Series) -> pd.Series:
    """``values.str.strip()``, returning `values` itself when no value needs it.

    Which values might is read from the first and last byte of each (no copy of the text):
    a column of a million quotes is not copied only to find that nothing changes.
    """
    array = values.array
    if isinstance(array, pd.Categorical):  # strip each category, merging those that meet
        stripped = pd.Index(array.categories.astype("str")).str.strip()
        return values if stripped.equals(array.categories) else recoded(values, stripped)
    if isinstance(array, pd.arrays.ArrowStringArray):
        column = array.__arrow_array__()  # the Arrow data itself (the protocol pyarrow uses)
        if isinstance(column, pa.Array):
            column = pa.chunked_array([column])
        if not _may_need_strip(column):
            return values
    return values.str.strip()


def categorical(values: pd.Series) -> pd.Series:
    """`values` as a categorical (a text column's distinct values coded once)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    return values.astype(pd.CategoricalDtype(pd.Index(values.unique(), dtype="str")))


def recoded(values: pd.Series, categories: Sequence[str]) -> pd.Series:
    """A categorical whose i-th category becomes ``categories[i]`` (equal ones merged).

    >>> values = recoded(pd.Series(pd.Categorical(["a ", "a", "b"])), ["a", "a", "c"])
    >>> values.tolist(), values.cat.categories.tolist()
    (['a', 'a', 'c'], ['a', 'c'])
    """
    return one_of(values, categories, values.cat.codes.to_numpy())  # the reader's have no NaN


def fill_blank(values: pd.Series, value: str) -> pd.Series:
    """`values` with `value` where a value is blank or white space only.

    >>> fill_blank(pd.Series(["a", " ", ""]), "none").tolist()
    ['a', 'none', 'none']
    >>> fill_blank(pd.Series(pd.Categorical(["a", " ", "a"])), "none").tolist()
    ['a', 'none', 'a']
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Index(values.cat.categories.astype("str"))
        blank = np.asarray(categories.str.strip() == "")
        if not blank.any():
            return values
        return recoded(values, np.where(blank, value, categories.to_numpy(dtype=object)))
    return values.mask(values.str.strip() == "", value)


def _may_need_strip(column: pa.ChunkedArray) -> bool:
    for chunk in column.chunks:
        if chunk.null_count:
            return True
        wide = pa.types.is_large_string(chunk.type)
        if not (wide or pa.types.is_string(chunk.type)):
            return True
        _, offsets, data = chunk.buffers()
        if data is None or not len(chunk):
            continue
        ends = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)
        ends = ends[chunk.offset : chunk.offset + len(chunk) + 1].astype(np.int64)
        starts, ends = ends[:-1], ends[1:]
        data = np.frombuffer(data, dtype=np.uint8)
        if _space_at(data, starts, ends - starts, 0) or _space_at(data, ends, ends - starts, -1):
            return True
    return False


def _space_at(data: np.ndarray, at: np.ndarray, lengths: np.ndarray, step: int) -> bool:
    """Whether a value begins (step 0: bytes from `at` on) or ends (step -1: bytes before `at`)
    with a white-space character."""
    for size, spaces in ((1, _SPACE_1), (2, _SPACE_2), (3, _SPACE_3)):
        first = at[lengths >= size] if step == 0 else at[lengths >= size] - size
        lead = np.zeros(256, dtype=bool)
        lead[spaces >> (8 * (size - 1))] = True
        first = first[lead[data[first]]]  # only values whose first byte could start one
        if not len(first):
            continue
        code = np.zeros(len(first), dtype=np.int64)
        for k in range(size):
            code = (code << 8) | data[first + k].astype(np.int64)
        if np.isin(code, spaces).any():
            return True
    return False


def code(frame: pd.DataFrame, column: str) -> pd.Series:
    """An integer code as text, "1.0" (a pandas or JSON round-trip) read as "1"."""
    values = stripped(frame, column)
    codes, uniques = pd.factorize(values, sort=False)
    cleaned = pd.Series(np.asarray(uniques, dtype=object), dtype="str").str.replace(
        r"^(-?\d+)\.0*$", r"\1", regex=True
    )
    return pd.Series(cleaned.array.take(codes), index=values.index, dtype="str")


def mapped(values: pd.Series, table: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Values looked up in `table`; the mask of non-blank values it does not hold."""
    out = values.map(table).fillna("").astype("str")
    unknown = ((out == "") & (values != "")).to_numpy()
    return out, unknown


def first_filled(*columns: pd.Series, default: str | None = None) -> pd.Series:
    """Per row, the first of `columns` that is not blank (else `default`, when given), as text
    (a categorical column read as its values)."""
    columns = tuple(
        c.astype("str") if isinstance(c.dtype, pd.CategoricalDtype) else c for c in columns
    )
    out = columns[-1] if default is None else default
    for values in reversed(columns if default is not None else columns[:-1]):
        out = values.where(values != "", out)
    return out


def parse_dates(values: pd.Series, formats: Sequence[str] = DATE_FORMATS) -> pd.Series:
    """Dates as YYYY-MM-DD text; "" where a value is blank or matches none of `formats`.

    Each format is tried over the distinct values still unparsed, so a million rows of a few
    thousand distinct dates cost a few thousand parses.
    """
    codes, uniques = _factorize(values)
    uniques = uniques.str.strip()
    parsed = _parse_unique(uniques, formats)
    out = pd.Series(parsed.dt.strftime("%Y-%m-%d").fillna(""), dtype="str")
    return pd.Series(out.array.take(codes), index=values.index, dtype="str")


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Per row the code of its value, and the distinct values as text (a categorical's
    categories are its distinct values already)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Series(values.cat.categories, dtype="str")
    codes, uniques = pd.factorize(values.astype("str"), sort=False)
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype="str")


def _parse_unique(uniques: pd.Series, formats: Sequence[str]) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = parsed.isna() & (uniques != "")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(uniques[todo], format=fmt, errors="coerce")
    return parsed


def read_dates(values: pd.Series, column: str) -> Dates:
    """Dates in any form of DATE_FORMATS, day/month numbers or Excel day numbers.

    ``21/03/2020`` and ``03/21/2020`` are read in one order for the whole file, decided by the
    dates that can only be read one way; when none can, the file is refused (DataFileError).
    """
    codes, uniques = _factorize(values)
    uniques = uniques.str.strip()
    parsed = _parse_unique(uniques, DATE_FORMATS)
    notes: list[str] = []

    todo = parsed.isna() & (uniques != "")
    numeric = uniques[todo].str.extract(NUMERIC_DATE)
    numeric = numeric.loc[numeric[0].notna()]
    if len(numeric):
        first, second = numeric[0].astype(int), numeric[1].astype(int)
        day_first = int(((first > 12) & (second <= 12)).sum())
        month_first = int(((second > 12) & (first <= 12)).sum())
        if not day_first and not month_first:
            example = uniques[numeric.index[0]]
            raise DataFileError(
                f"column {column}: every date written like {example!r} could be day-first "
                "or month-first, and no date in the file settles which; write the dates as "
                "YYYY-MM-DD (or 21 March 2020) and import it again"
            )
        year = numeric[2].where(numeric[2].str.len() == 4, "20" + numeric[2])
        day, month = (first, second) if day_first >= month_first else (second, first)
        iso = year + "-" + month.astype(str).str.zfill(2) + "-" + day.astype(str).str.zfill(2)
        parsed[numeric.index] = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
        order = "day-first (21/03/2020)" if day_first >= month_first else "month-first (03/21/2020)"
        notes.append(
            f"dates in {column} read {order}: {max(day_first, month_first)} "
            "date(s) can only be read that way"
            + (
                f", {min(day_first, month_first)} contradict it and are refused"
                if min(day_first, month_first)
                else ""
            )
        )

    todo = parsed.isna() & (uniques != "")
    serial = pd.to_numeric(uniques[todo], errors="coerce")
    serial = serial[(serial >= EXCEL_DAYS[0]) & (serial <= EXCEL_DAYS[1]) & (serial % 1 == 0)]
    if len(serial):
        parsed[serial.index] = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
        notes.append(
            f"dates in {column} written as Excel day numbers were read as days since 1899-12-30"
        )

    dates = pd.Series(parsed.dt.strftime("%Y-%m-%d").fillna(""), dtype="str")
    text_dates = pd.Series(dates.array.take(codes), index=values.index, dtype="str")
    raw = pd.Series(uniques.array.take(codes), index=values.index, dtype="str")
    bad = ((text_dates == "") & (raw != "")).to_numpy()
    return Dates(text_dates.mask(bad, PLACEHOLDER["event_date"]), bad, notes)
