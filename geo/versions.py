"""Living datasets: what changed between two versions of one export, by event id.

ACLED revises and deletes events; re-importing a newer export should say what changed rather
than silently replacing the old one. :func:`diff` compares two frames (:func:`diff_files` two
files, read by :func:`geo.ingest.convert`) and reports the ids added, removed, and modified
with the fields that changed.

>>> import pandas as pd
>>> old = pd.DataFrame({"event_id": ["A", "B", "C"], "fatalities": [1, 2, None]})
>>> new = pd.DataFrame({"event_id": ["A", "C", "D"], "fatalities": [1, 4, None]})
>>> report = diff(old, new)
>>> report.added, report.removed, report.modified
(['D'], ['B'], {'C': ['fatalities']})
>>> report.summary()
'1 added, 1 removed, 1 modified (fatalities: 1), 1 unchanged'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class VersionDiff:
    """Added, removed and modified event ids between an old and a new version."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: dict[str, list[str]] = field(default_factory=dict)  # id -> changed fields
    unchanged: int = 0
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    repeated_ids: list[str] = field(default_factory=list)  # ids found twice in one version

    def field_counts(self) -> Counter:
        """How many modified events changed each field."""
        return Counter(f for fields in self.modified.values() for f in fields)

    def summary(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.field_counts().most_common())
        text = (
            f"{len(self.added):,} added, {len(self.removed):,} removed, "
            f"{len(self.modified):,} modified"
            + (f" ({counts})" if counts else "")
            + f", {self.unchanged:,} unchanged"
        )
        if self.repeated_ids:
            text += f"; {len(self.repeated_ids):,} id(s) repeated, compared by their last row"
        return text

    def table(self) -> pd.DataFrame:
        """One row per changed event: event_id, change (added/removed/modified), fields."""
        rows = (
            [(i, "added", "") for i in self.added]
            + [(i, "removed", "") for i in self.removed]
            + [(i, "modified", ", ".join(f)) for i, f in self.modified.items()]
        )
        return pd.DataFrame(rows, columns=["event_id", "change", "fields"])


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _as_text(values: pd.Series) -> pd.Series:
    """Text to compare (Arrow strings, compared without a Python object per cell): a date as
    YYYY-MM-DD, a missing value as "", spaces stripped."""
    if isinstance(values.dtype, pd.CategoricalDtype):  # few names: normalise those once
        names = pd.Series(values.cat.categories).astype(str).str.strip().to_numpy(dtype=object)
        codes = values.cat.codes.to_numpy()
        return pd.Series(np.where(codes >= 0, names[np.maximum(codes, 0)], ""), dtype=object)
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.strftime("%Y-%m-%d")
    text = values.astype("string[pyarrow]").fillna("").str.strip()
    return text.reset_index(drop=True)


def _differs(old: pd.Series, new: pd.Series) -> np.ndarray:
    return (_as_text(old) != _as_text(new)).to_numpy(dtype=bool)


def _changed(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Element-wise: does the value differ? Numbers compare as numbers when either side is
    numeric (5, 5.0 and "5" agree), a blank equals a missing value."""
    if _numeric(old) or _numeric(new):
        a = pd.to_numeric(old, errors="coerce").astype("float64").to_numpy()
        b = pd.to_numeric(new, errors="coerce").astype("float64").to_numpy()
        same = np.isclose(a, b, rtol=0, atol=1e-9) | (np.isnan(a) & np.isnan(b))
        # text that is not a number (on either side) is compared as text
        unreadable = (np.isnan(a) & old.notna().to_numpy()) | (np.isnan(b) & new.notna().to_numpy())
        if unreadable.any():
            same = np.where(unreadable, ~_differs(old, new), same)
        return ~same
    return _differs(old, new)


def diff(
    old: pd.DataFrame, new: pd.DataFrame, id_column: str = "event_id", ignore: tuple[str, ...] = ()
) -> VersionDiff:
    """Compare two versions of one dataset by ``id_column``.

    Fields are compared on the columns both versions have (minus ``ignore``), as text, so a
    number written 5 or 5.0 and a blank or missing cell are not reported as changes. An id
    repeated within one version is compared by its last row and named in ``repeated_ids``.
    """
    report = VersionDiff(
        columns_added=[c for c in new.columns if c not in old.columns],
        columns_removed=[c for c in old.columns if c not in new.columns],
    )
    old_ids = pd.Series(old[id_column].astype(str).to_numpy(dtype=object), index=old.index)
    new_ids = pd.Series(new[id_column].astype(str).to_numpy(dtype=object), index=new.index)
    report.repeated_ids = sorted(
        set(old_ids[old_ids.duplicated()]) | set(new_ids[new_ids.duplicated()])
    )
    old_rows = old.assign(**{id_column: old_ids}).drop_duplicates(id_column, keep="last")
    new_rows = new.assign(**{id_column: new_ids}).drop_duplicates(id_column, keep="last")
    old_index = pd.Index(old_rows[id_column].to_numpy(dtype=object), dtype=object)
    new_index = pd.Index(new_rows[id_column].to_numpy(dtype=object), dtype=object)
    in_old = new_index.isin(old_index)
    report.added = new_index[~in_old].tolist()
    report.removed = old_index[~old_index.isin(new_index)].tolist()
    common = new_index[in_old]
    a = old_rows.iloc[old_index.get_indexer(common)]
    b = new_rows.iloc[np.flatnonzero(in_old)]
    common = common.tolist()
    columns = [
        c for c in old_rows.columns if c in new_rows.columns and c != id_column and c not in ignore
    ]
    changed = np.zeros((len(common), len(columns)), dtype=bool)
    for j, column in enumerate(columns):
        changed[:, j] = _changed(a[column], b[column])
    for k in np.flatnonzero(changed.any(axis=1)):
        report.modified[common[k]] = [columns[j] for j in np.flatnonzero(changed[k])]
    report.unchanged = len(common) - len(report.modified)
    return report


def diff_files(
    old: str | Path | bytes, new: str | Path | bytes, format: str = "auto"
) -> VersionDiff:
    """:func:`diff` of two files read by :func:`geo.ingest.convert` (ACLED, UCDP GED or this
    project's events CSV). Rows either reader rejects are left out of the comparison."""
    from geo.ingest import convert

    return diff(convert(old, format).events, convert(new, format).events)
