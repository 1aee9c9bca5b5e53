"""What an import brings, said before anyone relies on it: actor names the actor table does not
know, events that may already be in the data shown beside it, and what changed since an
earlier version of the same file.

It only reports; nothing is merged, renamed or dropped here (geo.actors canonicalises,
geo.duplicates flags, geo.versions compares).

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
>>> review_import(new.assign(attacker=["US military"]), base).possible_duplicates
1
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo import duplicates
from geo.text import plural
from geo.versions import VersionDiff, diff

NAMES_SHOWN = 20  # unmatched actor names named in the one-line summary; the rest are counted


@dataclass
class ImportReview:
    """What :func:`review_import` found."""

    unmatched: list[str] = field(default_factory=list)  # actor names not in data/actors.csv
    events: int = 0  # events in the import
    possible_duplicates: int = 0  # of them, those that may already be in the base data
    changes: VersionDiff | None = None  # against an earlier import of the same file name

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
        out.append(
            f"{self.possible_duplicates:,} of {plural(self.events, 'imported event')} may "
            "already be in the data shown beside them (possible duplicates, not merged)"
        )
        if self.changes is not None:
            out.append(f"Since the earlier import of this file: {self.changes.summary()}")
        return out


def review_import(
    events: pd.DataFrame,
    base: pd.DataFrame,
    unmatched: list[str] | None = None,
    earlier: pd.DataFrame | None = None,
) -> ImportReview:
    """Review an imported, canonicalised events frame against the ``base`` events it will be
    shown beside and, when given, the ``earlier`` version of the same file."""
    review = ImportReview(unmatched=list(unmatched or []), events=len(events))
    if len(events) and len(base):
        both = pd.concat(
            [base.assign(dataset="base"), events.assign(dataset="import")], ignore_index=True
        )
        flagged = duplicates.flags(both)
        imported = flagged.iloc[len(base) :]
        review.possible_duplicates = int((imported["possible_duplicate_of"] != "").sum())
    if earlier is not None:
        review.changes = diff(earlier, events)
    return review
