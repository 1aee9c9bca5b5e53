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

from geo.ingest import limits
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
    kept as they are, after the schema's.
    """
    n = len(raw)
    bad = np.zeros(n, dtype=bool)
    problems: list[tuple[int, int, Problem]] = []  # (row, column order, problem) for sorting
    out: dict[str, object] = {}
    blank = pd.Series("", index=raw.index, dtype="str")

    def report(
        mask: np.ndarray, column: str, values: pd.Series, reason: str, show_value: bool = True
    ) -> None:
        nonlocal bad
        bad |= mask
        order = COLUMN_NAMES.index(column) if column in COLUMN_NAMES else 99
        for i in np.flatnonzero(mask):
            value = str(values.iat[i]) if show_value else None
            problems.append((i, order, Problem(name, int(lines[i]), column, value, reason)))

    for column in COLUMN_NAMES:
        spec = BY_NAME[column]
        source = raw[column] if column in raw.columns else blank
        values = source.astype("str").str.strip()
        empty = (values == "").to_numpy()
        if spec.required:
            report(empty, column, values, "required value is missing", show_value=False)
        if spec.kind == "text":
            out[column] = values.mask(empty, spec.default) if spec.default else values
        elif spec.kind == "date":
            parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
            report(
                parsed.isna().to_numpy() & ~empty,
                column,
                values,
                "is not a date of the form YYYY-MM-DD",
            )
            out[column] = parsed
        elif spec.kind == "bool":
            lowered = values.str.lower()
            unknown = ~lowered.isin(TRUE_WORDS | FALSE_WORDS).to_numpy()
            report(unknown, column, values, "is not true or false")
            out[column] = lowered.isin(TRUE_WORDS).to_numpy()
        else:
            number = _numbers(values, empty)
            not_number = number.isna().to_numpy() & ~empty
            report(not_number, column, values, "is not a number")
            ok = ~not_number & ~empty
            if spec.kind == "int":
                whole = np.isfinite(number.fillna(0).to_numpy())
                fractional = ok & ~(whole & (number.fillna(0) % 1 == 0).to_numpy())
                report(fractional, column, values, "is not a whole number")
                ok &= ~fractional
                if spec.allowed:
                    outside = ok & ~number.isin(spec.allowed).to_numpy()
                    allowed = ", ".join(map(str, spec.allowed))
                    report(outside, column, values, f"is not one of {allowed}")
                    ok &= ~outside
                else:
                    negative = ok & (number.fillna(0) < 0).to_numpy()
                    report(negative, column, values, "is negative")
                    huge = ok & (number.fillna(0) > limits.MAX_COUNT).to_numpy()
                    report(
                        huge,
                        column,
                        values,
                        "is larger than any plausible count (the limit is "
                        f"{limits.MAX_COUNT:,}, setting max_count)",
                    )
                    ok &= ~negative & ~huge
                counts = np.where(ok, number.fillna(0).to_numpy(), 0).astype("int64")
                out[column] = pd.Series(pd.arrays.IntegerArray(counts, ~ok), index=raw.index)
            else:
                limit = 90 if column == "latitude" else 180
                report(
                    ok & (number.abs() > limit).to_numpy(),
                    column,
                    values,
                    f"is outside [-{limit}, {limit}]",
                )
                out[column] = number

    ids = out["event_id"]
    dup = (ids.duplicated(keep="first") & (ids != "")).to_numpy()
    if dup.any():
        first_line = {v: int(lines[i]) for i, v in reversed(list(enumerate(ids)))}
        for i in np.flatnonzero(dup):
            bad[i] = True
            reason = f"repeats the event_id of line {first_line[ids.iat[i]]}"
            problems.append((i, 0, Problem(name, int(lines[i]), "event_id", ids.iat[i], reason)))

    if n > 1000:
        for column in COLUMN_NAMES:
            # Repeated names (attackers, places, documents) stored once: a million events with
            # fifty attackers hold fifty strings, not a million.
            if BY_NAME[column].kind == "text" and out[column].nunique() < n // 2:
                out[column] = out[column].astype("category")
    for column in raw.columns:
        if column not in BY_NAME:
            out[column] = raw[column]
    typed = pd.DataFrame(out, index=raw.index)
    problems.sort(key=lambda t: (t[0], t[1]))
    events = typed.loc[~bad].reset_index(drop=True)
    return LoadResult(events, [p for _, _, p in problems])


def _numbers(values: pd.Series, empty: np.ndarray) -> pd.Series:
    """Text as float64 (NaN where it is not a number), parsing each distinct value once."""
    if empty.all():
        return pd.Series(np.nan, index=values.index, dtype="float64")
    codes, uniques = pd.factorize(values, sort=False)
    if len(uniques) * 2 > len(values):
        return pd.to_numeric(values, errors="coerce").astype("float64")
    parsed = (
        pd.to_numeric(pd.Series(np.asarray(uniques, dtype=object), dtype="str"), errors="coerce")
        .astype("float64")
        .to_numpy()
    )
    return pd.Series(np.where(codes >= 0, parsed.take(codes), np.nan), index=values.index)
