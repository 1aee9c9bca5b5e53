"""The same strike twice: flag events of different datasets that may report one event.

Bundled and imported data (or ACLED and UCDP GED together) often report the same strike. Two
events of *different* datasets are a possible duplicate when they are close in place and time
and their actors are compatible after :func:`geo.actors.canonicalise`; the first rule of
:data:`RULES` that holds is recorded. Nothing is ever merged: :func:`flag` adds columns,
:func:`hide` leaves out the second copy of each pair for a page that asks for it, and says how
many it left out.

>>> import pandas as pd
>>> ev = pd.DataFrame({"event_id": ["IRQ5", "ACLED-1"], "dataset": ["bundled", "ACLED"],
...     "event_date": pd.to_datetime(["2023-12-26", "2023-12-26"]), "time_precision": [1, 1],
...     "latitude": [32.4637, 32.47], "longitude": [44.4196, 44.42],
...     "attacker": ["US military", "Military Forces of the United States (2021-)"],
...     "target_group": ["Kataib Hezbollah", "Kataib Hezbollah"]})
>>> flagged = flag(ev)
>>> flagged["possible_duplicate_of"].tolist()
['ACLED-1', 'IRQ5']
>>> flagged["duplicate_rule"].iloc[0]
'same day, within 5 km, same attacker and target'
>>> shown, hidden = hide(flagged)
>>> shown["event_id"].tolist(), hidden
(['IRQ5'], 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.actors import canonical_names
from geo.dates import END_COLUMN, date_windows

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Rule:
    """Events ``days`` apart at most (0: the same day) and ``km`` apart at most, whose actors
    are ``"same"`` (attacker and target), ``"attacker"`` (attacker only) or ``"swapped"``
    (each one's attacker is the other's target: ACLED and UCDP do not imply direction)."""

    name: str
    days: int
    km: float
    actors: str


RULES: tuple[Rule, ...] = (
    Rule("same day, within 5 km, same attacker and target", 0, 5.0, "same"),
    Rule("within 2 days and 25 km, same attacker", 2, 25.0, "attacker"),
    Rule("within 2 days and 25 km, same two actors with the sides swapped", 2, 25.0, "swapped"),
)
# Datasets in the order their copy is kept when two report the same event: the curated data
# first (every event quoted verbatim), then imports in the order they come.
FIRST = "bundled"
COLUMNS = ("possible_duplicate_of", "duplicate_rule", "duplicate_copy")
# The columns the check reads (those of them an events frame has): a caller holding many
# events may pass only these.
NEEDED = (
    "event_id",
    "dataset",
    "notes",
    "event_date",
    "time_precision",
    END_COLUMN,
    "latitude",
    "longitude",
    "attacker",
    "target_group",
)


def needed(events: pd.DataFrame) -> list[str]:
    """The columns of ``events`` that the check reads."""
    return [c for c in NEEDED if c in events.columns]


def dataset_of(events: pd.DataFrame) -> pd.Series:
    """Which dataset each event comes from: the ``dataset`` column where there is one, else
    read from the import note ("Imported from ACLED", "Imported from UCDP GED"), else
    "bundled" (the curated events and files of this project's own schema). Categories: each
    distinct note is read once (a million imported events share a handful of notes).

    >>> dataset_of(pd.DataFrame({"notes": ["Imported from ACLED (x)", "Seen.", None]})).tolist()
    ['ACLED', 'bundled', 'bundled']
    >>> dataset_of(pd.DataFrame({"notes": ["Seen."]})).cat.categories.tolist()  # those present
    ['bundled']
    """
    if "dataset" in events:
        values = events["dataset"]
        return values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype(str)
    notes = events["notes"] if "notes" in events else pd.Series("", index=events.index)
    notes = notes.astype("category")
    names = notes.cat.categories.astype(str)
    kinds = pd.Index([FIRST, "ACLED", "UCDP GED"])
    kind = np.zeros(len(names) + 1, dtype=np.int8)  # the last: a missing note
    kind[:-1][names.str.startswith("Imported from ACLED")] = 1
    kind[:-1][names.str.startswith("Imported from UCDP")] = 2
    per_row = kind[notes.cat.codes.to_numpy()]  # code -1 (missing) reads the last
    # only the kinds present, counted (pandas' remove_unused_categories sorts every code:
    # 0.22 s at 2.5M events, this 0.01 s)
    used = np.flatnonzero(np.bincount(per_row, minlength=len(kinds)))
    recode = np.zeros(len(kinds), dtype=np.int8)
    recode[used] = np.arange(len(used))
    found = pd.Categorical.from_codes(recode[per_row], categories=kinds[used])
    return pd.Series(found, index=events.index)


CHUNK = 20_000  # events of one dataset joined at a time: bounds memory on large imports
# The most events the datasets other than the largest may hold for :func:`flags` to look for
# duplicates. The cost grows with them times the largest one; measured on 2 shared cores with
# bench.synth's (dense) ACLED events: 7 curated events beside 1M imported ones take 2 s, 50,000
# beside 50,000 take 0.9 s, 50,000 beside 950,000 take 6 s, 500,000 beside 500,000 take 20-35 s.
# Above it nothing is flagged, and :func:`unchecked` says so.
LIMIT = 50_000


def dataset_ranks(events: pd.DataFrame) -> np.ndarray:
    """Each event's dataset as a number, in the order their copies are kept: the curated data
    first, then the others in the order they appear."""
    codes, names = pd.factorize(dataset_of(events), sort=False, use_na_sentinel=False)
    order = sorted(range(len(names)), key=lambda k: (names[k] != FIRST, k))
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    return rank[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _one_dataset(events: pd.DataFrame) -> bool:
    """Whether the events are of one dataset, told from its categories without ranking every
    event (the file a server starts with: 0.1 s at 2.5M events); False when unsure."""
    datasets = dataset_of(events)
    return isinstance(datasets.dtype, pd.CategoricalDtype) and len(datasets.cat.categories) < 2


def compared(events: pd.DataFrame) -> int:
    """How many events the check weighs against the largest dataset: all the others (0 for
    a single dataset, where nothing is ever flagged)."""
    if len(events) < 2 or _one_dataset(events):
        return 0
    sizes = np.bincount(dataset_ranks(events))
    return int(sizes.sum() - sizes.max())


def unchecked(events: pd.DataFrame, limit: int = LIMIT) -> str | None:
    """Why :func:`flags` did not look for duplicates in ``events`` (a sentence to show as
    text), or None when it did.

    >>> ev = pd.DataFrame({"dataset": ["ACLED"] * 3 + ["UCDP GED"] * 3})
    >>> print(unchecked(ev, limit=2)[:80])
    Possible duplicates across datasets were not looked for: besides the largest dat
    >>> unchecked(ev, limit=3) is None
    True
    """
    n = compared(events)
    if n <= limit:
        return None
    return (
        "Possible duplicates across datasets were not looked for: besides the largest "
        f"dataset the data holds {n:,} events, more than the {limit:,} the check weighs in a "
        "few seconds."
    )


def pairs(events: pd.DataFrame, rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """The pairs of events of different datasets that some rule matches: for each event of a
    later dataset, its best match (fewest days apart, then nearest) in each earlier dataset.

    Columns: ``first``, ``second`` (positions in ``events``; ``first`` is the copy kept),
    ``first_id``, ``second_id``, ``rule``, ``km``, ``days`` (days between their date windows).

    Candidates are joined on a grid of cells as wide as the widest rule's distance and as long
    as its days, and on the (canonical) actors the rules compare, a chunk of events at a time,
    so time and memory grow with the number of compatible close events, not with n².
    """
    columns = ["first", "second", "first_id", "second_id", "rule", "km", "days"]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    if len(events) < 2 or not rules:
        return empty
    rank = dataset_ranks(events)
    if (rank == rank[0]).all():  # one dataset (np.unique would sort every event)
        return empty
    max_km = max(r.km for r in rules)
    max_days = max(r.days for r in rules)
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    start, end = date_windows(events)
    first_day = start.to_numpy().astype("datetime64[D]").astype(np.int64)
    last_day = end.to_numpy().astype("datetime64[D]").astype(np.int64)
    attacker, _ = canonical_names(events["attacker"])
    target, _ = canonical_names(events["target_group"])
    names = pd.factorize(pd.concat([attacker, target], ignore_index=True))[0]
    att, tgt = names[: len(events)], names[len(events) :]
    cell_lat = max_km / 111.0
    finite = np.isfinite(lat) & np.isfinite(lon)
    widest = min(float(np.abs(lat[finite]).max()) if finite.any() else 0.0, 80.0)
    cell_lon = max_km / (111.0 * math.cos(math.radians(widest)))
    grid = pd.DataFrame(
        {
            "i": np.arange(len(events)),
            "rank": rank,
            "cy": np.floor(np.where(finite, lat, 0) / cell_lat).astype(np.int64),
            "cx": np.floor(np.where(finite, lon, 0) / cell_lon).astype(np.int64),
            "cd": first_day // (max_days + 1),
            "a1": att,
            "a2": tgt,
        }
    )[finite]
    offsets = pd.DataFrame(
        [(dy, dx, dd) for dy in (-1, 0, 1) for dx in (-1, 0, 1) for dd in (-1, 0, 1)],
        columns=["oy", "ox", "od"],
    )
    keys = ["cy", "cx", "cd", "a1"]
    swapped_rules = any(r.actors == "swapped" for r in rules)
    found = []
    for a in sorted(set(grid["rank"].tolist())):
        earlier = grid[grid["rank"] == a]
        later = grid[grid["rank"] > a]
        if earlier.empty or later.empty:
            continue
        # The smaller side is widened to its neighbouring cells (the offsets are symmetric, so
        # either side may be), a chunk at a time; the larger side is hashed once per chunk.
        # Seven curated events beside a million imported ones are then one small join.
        small, large, small_is = (
            (earlier, later, "a") if len(earlier) <= len(later) else (later, earlier, "b")
        )
        large_is = "b" if small_is == "a" else "a"
        for lo in range(0, len(small), CHUNK):
            chunk = small.iloc[lo : lo + CHUNK]
            near = chunk.merge(offsets, how="cross")
            near["cy"] += near.pop("oy")
            near["cx"] += near.pop("ox")
            near["cd"] += near.pop("od")
            suffixes = ("_" + small_is, "_" + large_is)
            joins = [near[["i", *keys]].merge(large[["i", *keys]], on=keys, suffixes=suffixes)]
            if swapped_rules:  # one event's target is the other's attacker, and back
                flipped = near[["i", "cy", "cx", "cd", "a2", "a1"]].rename(
                    columns={"a2": "a1", "a1": "a2"}
                )
                joins.append(
                    flipped.merge(large[["i", *keys, "a2"]], on=[*keys, "a2"], suffixes=suffixes)
                )
            cand = pd.concat([j[["i_a", "i_b"]] for j in joins], ignore_index=True)
            if not cand.empty:
                found.append(
                    _match(cand.drop_duplicates(), rules, lat, lon, first_day, last_day, att, tgt)
                )
    found = [f for f in found if len(f)]
    if not found:
        return empty
    out = pd.concat(found, ignore_index=True)
    # One match per later event and earlier dataset: the closest in time, then in place.
    out["rank_a"] = rank[out["first"].to_numpy()]
    out = (
        out.sort_values(["second", "rank_a", "days", "km", "first"])
        .drop_duplicates(["second", "rank_a"])
        .drop(columns="rank_a")
    )
    ids = events["event_id"].astype(str).to_numpy()
    out.insert(2, "first_id", ids[out["first"].to_numpy()])
    out.insert(3, "second_id", ids[out["second"].to_numpy()])
    return out[columns].sort_values(["first", "second"]).reset_index(drop=True)


def _match(cand: pd.DataFrame, rules, lat, lon, first_day, last_day, att, tgt) -> pd.DataFrame:
    """The candidate pairs (i_a earlier, i_b later) that a rule holds for, with its name."""
    a, b = cand["i_a"].to_numpy(), cand["i_b"].to_numpy()
    km = _haversine(lat[a], lon[a], lat[b], lon[b])
    gap = np.maximum(
        0, np.maximum(first_day[a], first_day[b]) - np.minimum(last_day[a], last_day[b])
    )
    same_attacker = att[a] == att[b]
    actors = {
        "same": same_attacker & (tgt[a] == tgt[b]),
        "attacker": same_attacker,
        "swapped": (att[a] == tgt[b]) & (tgt[a] == att[b]),
    }
    rule = np.full(len(a), None, dtype=object)
    for r in reversed(rules):  # the first rule that holds wins
        rule[(gap <= r.days) & (km <= r.km) & actors[r.actors]] = r.name
    keep = np.array([x is not None for x in rule], dtype=bool)
    return pd.DataFrame(
        {
            "first": a[keep],
            "second": b[keep],
            "rule": rule[keep],
            "km": km[keep].round(1),
            "days": gap[keep],
        }
    )


def _haversine(lat1, lon1, lat2, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def flag(
    events: pd.DataFrame, rules: tuple[Rule, ...] = RULES, limit: int | None = LIMIT
) -> pd.DataFrame:
    """A copy of ``events`` with three columns added, nothing merged or removed:

    - ``possible_duplicate_of``: the ids of the other datasets' events it may duplicate
      (space-separated), "" if none;
    - ``duplicate_rule``: the rule that matched ("same day, within 5 km, same attacker and
      target"...), "" if none;
    - ``duplicate_copy``: True for the second copy of a pair (the imported one when the
      curated data has the event), which :func:`hide` leaves out.

    When the datasets other than the largest hold more than ``limit`` events, nothing is
    looked for (every column says "none") and :func:`unchecked` says why; ``limit=None``
    always looks.
    """
    return events.assign(**flags(events, rules, limit))


def flags(
    events: pd.DataFrame, rules: tuple[Rule, ...] = RULES, limit: int | None = LIMIT
) -> pd.DataFrame:
    """Only the three columns :func:`flag` adds, on the index of ``events`` (no copy of the
    events: what a page holding a million of them needs). Bounded like :func:`flag`."""
    n = len(events)
    if _one_dataset(events):  # nothing to look for
        return pd.DataFrame(
            {"possible_duplicate_of": _blank(n), "duplicate_rule": _blank(n)}, index=events.index
        ).assign(duplicate_copy=np.zeros(n, dtype=bool))
    too_many = limit is not None and unchecked(events, limit) is not None
    found = pairs(events.iloc[0:0] if too_many else events, rules)
    other, rule = _blank(n), _blank(n)
    copy = np.zeros(n, dtype=bool)
    if len(found):
        both = pd.concat(
            [
                pd.DataFrame(
                    {"at": found["first"], "id": found["second_id"], "rule": found["rule"]}
                ),
                pd.DataFrame(
                    {"at": found["second"], "id": found["first_id"], "rule": found["rule"]}
                ),
            ],
            ignore_index=True,
        )
        grouped = both.groupby("at", sort=False)
        ids = grouped["id"].agg(" ".join)
        at = ids.index.to_numpy(dtype=np.int64)
        other = _blank(n, at, ids.to_numpy())
        rule = _blank(n, at, grouped["rule"].first().reindex(ids.index).to_numpy())
        copy[found["second"].to_numpy(dtype=np.int64)] = True
    return pd.DataFrame(
        {"possible_duplicate_of": other, "duplicate_rule": rule, "duplicate_copy": copy},
        index=events.index,
    )


def _blank(n: int, at: np.ndarray | None = None, values=None) -> pd.Categorical:
    """n texts, "" but for `values` at the rows `at`, as categories: a million events that
    match nothing cost a few megabytes, and no string is made for them."""
    categories = pd.Index([""])
    codes = np.zeros(n, dtype=np.int32)
    if at is not None and len(at):
        categories = categories.append(pd.Index(pd.unique(np.asarray(values, dtype=object))))
        categories = categories.unique()
        codes[at] = categories.get_indexer(values)
    return pd.Categorical.from_codes(codes, categories=categories)


def hide(flagged: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The events without the second copy of each possible duplicate, and how many were left
    out. ``flagged`` is the result of :func:`flag`."""
    copy = flagged["duplicate_copy"].to_numpy(dtype=bool)
    return flagged.loc[~copy], int(copy.sum())


def count(flagged: pd.DataFrame) -> int:
    """How many events are flagged as a possible duplicate of another dataset's event."""
    return int((flagged["possible_duplicate_of"] != "").sum())
