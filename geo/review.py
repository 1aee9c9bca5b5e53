"""What an import brings, said before anyone relies on it: actor names the actor table does not
know, events that may already be in the data shown beside it, and what changed since an
earlier version of the same file.

It reports, and leaves out only what the user chose to: :meth:`ImportReview.leave_out` drops
the imported events that may already be in the data, and the review then names each of them
and why (geo.actors canonicalises, geo.duplicates flags, geo.versions compares; nothing is
merged).

>>> import pandas as pd
>>> base = pd.DataFrame({"event_id": ["IRQ5"], "event_date": pd.to_datetime(["2023-12-26"]),
...     "time_precision": [1], "latitude": [32.4637], "longitude": [44.4196],
...     "attacker": ["US military"], "target_group": ["Kataib Hezbollah"], "notes": [""]})
>>> new = base.assign(event_id=["ACLED-1"], latitude=[32.47], notes=["Imported from ACLED"],
...                   attacker=["Militia of Nowhere"])
>>> review = review_import(new, base, unmatched=["Militia of Nowhere"])
>>> for line in review.lines(): print(line)
1 actor name is not in data/actors.csv: Militia of Nowhere
0 of 1 imported event may already be in the data shown beside them (possible duplicates, not merged)
>>> again = review_import(new.assign(attacker=["US military"]), base)
>>> again.possible_duplicates
1
>>> len(again.leave_out(new))
0
>>> for line in again.lines(): print(line)
Left out at your choice: the 1 imported event that may already be in the data shown beside it:
- ACLED-1, possibly the same event as IRQ5 (same day, within 5 km, same attacker and target)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo import duplicates
from geo.text import plural
from geo.versions import VersionDiff, diff

NAMES_SHOWN = 20  # unmatched actor names named in the one-line summary; the rest are counted


@dataclass(frozen=True)
class Duplicate:
    """An imported event that may already be in the data: which, and by which rule."""

    position: int  # its row in the imported events
    event_id: str
    of: str  # the ids of the events already in the data, space-separated
    rule: str  # the geo.duplicates rule that matched


@dataclass
class ImportReview:
    """What :func:`review_import` found."""

    unmatched: list[str] = field(default_factory=list)  # actor names not in data/actors.csv
    events: int = 0  # events in the import
    duplicates: list[Duplicate] = field(default_factory=list)  # may already be in the base
    unchecked: str | None = None  # why duplicates were not looked for (geo.duplicates.LIMIT)
    changes: VersionDiff | None = None  # against an earlier import of the same file name
    left_out: bool | None = None  # whether the duplicates were left out; None: not asked yet

    @property
    def possible_duplicates(self) -> int:
        """How many imported events may already be in the base data."""
        return len(self.duplicates)

    def leave_out(self, events: pd.DataFrame) -> pd.DataFrame:
        """``events`` (the frame this review was made of) without the possible duplicates;
        the review's lines then say which were left out and why."""
        if len(events) != self.events:
            raise ValueError(f"this review is of {self.events} events, not of {len(events)}")
        keep = np.ones(len(events), dtype=bool)
        keep[[d.position for d in self.duplicates]] = False
        self.left_out = True
        return events.iloc[np.flatnonzero(keep)]

    def keep(self) -> None:
        """The user chose to keep the possible duplicates beside the data."""
        self.left_out = False

    def lines(self) -> list[str]:
        """Plain sentences for the Import page (shown as text)."""
        out = []
        if self.unmatched:
            named = ", ".join(self.unmatched[:NAMES_SHOWN])
            more = len(self.unmatched) - NAMES_SHOWN
            out.append(
                f"{plural(len(self.unmatched), 'actor name')} "
                f"{'is' if len(self.unmatched) == 1 else 'are'} not in data/actors.csv: {named}"
                + (f" and {more:,} more" if more > 0 else "")
            )
        if self.changes is not None:
            out.append(f"Since the earlier import of this file: {self.changes.summary()}")
        if self.unchecked:
            out.append(self.unchecked)
            return out
        n = self.possible_duplicates
        if self.left_out and n:
            out.append(
                f"Left out at your choice: the {plural(n, 'imported event')} that may already "
                f"be in the data shown beside {'it' if n == 1 else 'them'}:"
            )
        else:
            out.append(
                f"{n:,} of {plural(self.events, 'imported event')} may already be in the data "
                "shown beside them (possible duplicates, not merged)"
                + (":" if n and self.left_out is None else "")
                + ("; kept at your choice:" if n and self.left_out is False else "")
            )
        out += [
            f"- {d.event_id}, possibly the same event as {d.of} ({d.rule})"
            for d in self.duplicates[:NAMES_SHOWN]
        ]
        if n > NAMES_SHOWN:
            out.append(f"- and {n - NAMES_SHOWN:,} more")
        return out


def review_import(
    events: pd.DataFrame,
    base: pd.DataFrame,
    unmatched: list[str] | None = None,
    earlier: pd.DataFrame | None = None,
    limit: int = duplicates.LIMIT,
) -> ImportReview:
    """Review an imported, canonicalised events frame against the ``base`` events it will be
    shown beside and, when given, the ``earlier`` version of the same file. Duplicates are
    looked for while the smaller side holds at most ``limit`` events (geo.duplicates.LIMIT)."""
    review = ImportReview(unmatched=list(unmatched or []), events=len(events))
    if len(events) and len(base):
        # Only the columns the check reads: the base may hold a million events.
        both = pd.concat(
            [
                base[duplicates.needed(base)].assign(dataset="base"),
                events[duplicates.needed(events)].assign(dataset="import"),
            ],
            ignore_index=True,
        )
        review.unchecked = duplicates.unchecked(both, limit)
        flagged = duplicates.flags(both, limit=limit)
        imported = flagged.iloc[len(base) :]
        other = imported["possible_duplicate_of"].to_numpy()
        rule = imported["duplicate_rule"].to_numpy()
        ids = events["event_id"].astype(str).to_numpy()
        review.duplicates = [
            Duplicate(int(i), ids[i], other[i], rule[i]) for i in np.flatnonzero(other != "")
        ]
    if earlier is not None:
        review.changes = diff(earlier, events)
    return review
