"""Type and check a frame of strings against geo/schema.py; bad rows become Problems.

Vectorised: one pass per column, and the typed frame is built once at the end (adding
columns one at a time to a frame costs minutes at thousands of columns).

>>> import numpy as np, pandas as pd
>>> raw = pd.DataFrame({"fatalities": ["3", "9223372036854775807"]})
>>> [str(p) for p in validate(raw, np.array([2, 3]), "x.csv").problems
...  if p.column == "fatalities"]
["x.csv line 3, column fatalities: '9223372036854775807' is larger than any plausible count \
(the limit is 1,000,000,000, setting max_count)"]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from geo.ingest import limits
from geo.ingest.base import one_of, strip
from geo.problems import Problem
from geo.schema import BY_NAME, COLUMN_NAMES

TRUE_WORDS = {"true", "yes", "1", "y", "1.0"}
FALSE_WORDS = {"false", "no", "0", "n", "", "0.0"}
COUNT_COLUMNS = ("fatalities", "injuries", "fatalities_low", "fatalities_high")


@dataclass
class LoadResult:
    events: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def validate(raw: pd.DataFrame, lines: np.ndarray, name: str) -> LoadResult:
    """Type and check a frame of strings; rows with any problem are reported and dropped.

    Columns of the schema that `raw` lacks are blank; columns it has beyond the schema are
    kept as they are, after the schema's. Each distinct value of a column is stripped, parsed
    and checked once (a million rows of fifty attackers are fifty checks); text columns of
    few distinct values come out as categoricals.
    """
    n = len(raw)
    bad = np.zeros(n, dtype=bool)
    problems: list[tuple[int, int, Problem]] = []  # (row, column order, problem) for sorting
    out: dict[str, object] = {}
    # An absent column: one category, so that its checks look at one value, not n of them.
    blank = one_of(raw, [""], np.zeros(n, dtype=np.int8))

    def report(
        mask: np.ndarray, column: str, values: Distinct, reason: str, show_value: bool = True
    ) -> None:
        nonlocal bad
        bad |= mask
        order = COLUMN_NAMES.index(column) if column in COLUMN_NAMES else 99
        for i in np.flatnonzero(mask):
            value = values.value(i) if show_value else None
            problems.append((i, order, Problem(name, int(lines[i]), column, value, reason)))

    for column in COLUMN_NAMES:
        spec = BY_NAME[column]
        source = raw[column] if column in raw.columns else blank
        values = distinct(source)
        empty_u = (values.uniques == "").to_numpy()
        empty = values.take(empty_u)
        if spec.required:
            report(empty, column, values, "required value is missing", show_value=False)
        if spec.kind == "text":
            text = values.uniques.mask(empty_u, spec.default) if spec.default else values.uniques
            out[column] = values.series(text, raw.index, categorical=n > 1000)
        elif spec.kind == "date":
            parsed = pd.to_datetime(values.uniques, format="%Y-%m-%d", errors="coerce")
            report(
                values.take(parsed.isna().to_numpy() & ~empty_u),
                column,
                values,
                "is not a date of the form YYYY-MM-DD",
            )
            out[column] = pd.Series(values.take(parsed.to_numpy()), index=raw.index)
        elif spec.kind == "bool":
            lowered = values.uniques.str.lower()
            unknown = ~lowered.isin(TRUE_WORDS | FALSE_WORDS).to_numpy()
            report(values.take(unknown), column, values, "is not true or false")
            out[column] = values.take(lowered.isin(TRUE_WORDS).to_numpy())
        else:
            number = pd.to_numeric(values.uniques, errors="coerce").astype("float64")
            not_number = number.isna().to_numpy() & ~empty_u
            report(values.take(not_number), column, values, "is not a number")
            ok = ~not_number & ~empty_u
            number = number.fillna(0).to_numpy() if spec.kind == "int" else number.to_numpy()
            if spec.kind == "int":
                fractional = ok & ~(np.isfinite(number) & (number % 1 == 0))
                report(values.take(fractional), column, values, "is not a whole number")
                ok &= ~fractional
                if spec.allowed:
                    outside = ok & ~np.isin(number, spec.allowed)
                    allowed = ", ".join(map(str, spec.allowed))
                    report(values.take(outside), column, values, f"is not one of {allowed}")
                    ok &= ~outside
                else:
                    negative = ok & (number < 0)
                    report(values.take(negative), column, values, "is negative")
                    huge = ok & (number > limits.MAX_COUNT)
                    report(
                        values.take(huge),
                        column,
                        values,
                        "is larger than any plausible count (the limit is "
                        f"{limits.MAX_COUNT:,}, setting max_count)",
                    )
                    ok &= ~negative & ~huge
                counts = np.where(ok, number, 0).astype("int64")
                out[column] = pd.Series(
                    pd.arrays.IntegerArray(values.take(counts), values.take(~ok)), index=raw.index
                )
            else:
                limit = 90 if column == "latitude" else 180
                outside = ok & (np.abs(np.nan_to_num(number)) > limit)
                report(values.take(outside), column, values, f"is outside [-{limit}, {limit}]")
                out[column] = pd.Series(values.take(number), index=raw.index)
        if column == "event_id":
            ids = values

    # A repeated event_id: its distinct value's code seen on an earlier row. Ids that are all
    # different (the usual case) are counted without coding them (a million ids' codes).
    if ids.codes is None and _count_distinct(ids.uniques) == n:
        codes = np.arange(n)
    else:
        codes = ids.codes if ids.codes is not None else pd.factorize(ids.uniques)[0]
    if codes.max(initial=-1) + 1 == n:  # as many distinct ids as rows
        dup = np.zeros(n, dtype=bool)
    else:
        dup = pd.Series(codes).duplicated(keep="first").to_numpy()
        dup = dup & ~ids.take((ids.uniques == "").to_numpy())
    if dup.any():
        _, first_rows = np.unique(codes, return_index=True)  # each code's first row
        first = dict(zip(codes[first_rows].tolist(), first_rows.tolist(), strict=True))
        for i in np.flatnonzero(dup):
            bad[i] = True
            value = ids.value(i)
            reason = f"repeats the event_id of line {int(lines[first[codes[i]]])}"
            problems.append((i, 0, Problem(name, int(lines[i]), "event_id", value, reason)))

    for column in raw.columns:
        if column not in BY_NAME:
            out[column] = raw[column]
    typed = pd.DataFrame(out, index=raw.index, copy=False)
    problems.sort(key=lambda t: (t[0], t[1]))
    events = typed.loc[~bad].reset_index(drop=True) if bad.any() else typed
    return LoadResult(events, [p for _, _, p in problems])


def _count_distinct(values: pd.Series) -> int:
    return pc.count_distinct(values.array.__arrow_array__()).as_py()  # Arrow data, no copy


SAMPLE = 10_000  # rows looked at to tell a column of few distinct values from one of many


@dataclass
class Distinct:
    """A column's stripped distinct values and, per row, which one it holds.

    ``codes`` is None for a column of (almost) all different values (quotes, notes): hashing
    them would cost more than it saves, so ``uniques`` is then every row's value.
    """

    uniques: pd.Series  # str, unique when codes is not None
    codes: np.ndarray | None

    def take(self, per_unique: np.ndarray) -> np.ndarray:
        return per_unique if self.codes is None else per_unique[self.codes]

    def value(self, row: int) -> str:
        return str(self.uniques.iat[row if self.codes is None else self.codes[row]])

    def series(self, text: pd.Series, index: pd.Index, categorical: bool) -> pd.Series:
        """Per row, its value of `text` (one per unique): a categorical when there are fewer
        distinct values than half the rows."""
        if self.codes is None:
            return text.set_axis(index)
        if categorical and len(text) < len(index) // 2:
            recode, categories = pd.factorize(text, sort=True)  # text may repeat a value
            codes = recode[self.codes]
            return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=index)
        return pd.Series(text.array.take(self.codes), index=index, dtype="str")


def distinct(source: pd.Series) -> Distinct:
    """The column's values stripped, each distinct value once (see Distinct)."""
    if isinstance(source.dtype, pd.CategoricalDtype):  # its categories are its distinct values
        codes = source.cat.codes.to_numpy()
        categories = pd.Series(source.cat.categories.astype("str")).str.strip()
        if (codes < 0).any():  # a missing value is a blank one
            codes = np.where(codes < 0, len(categories), codes)
            categories = pd.concat([categories, pd.Series([""], dtype="str")])
        recode, merged = pd.factorize(categories, sort=False)
        return Distinct(pd.Series(np.asarray(merged, dtype=object), dtype="str"), recode[codes])
    values = source.astype("str").fillna("")
    n = len(values)
    if n > SAMPLE and values.iloc[:SAMPLE].nunique() > SAMPLE * 0.9:
        # (almost) all different values (quotes, ids): hashing them would not pay
        return Distinct(strip(values).reset_index(drop=True), None)
    codes, uniques = pd.factorize(values, sort=False)
    stripped = pd.Series(np.asarray(uniques, dtype=object), dtype="str").str.strip()
    recode, merged = pd.factorize(stripped, sort=False)  # " a" and "a" are one value
    if len(merged) < len(stripped):
        codes, stripped = recode[codes], pd.Series(np.asarray(merged, dtype=object), dtype="str")
    return Distinct(stripped, codes)
