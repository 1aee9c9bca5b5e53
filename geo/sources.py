"""Traceability checks: quotes stand verbatim in their sources, and casualties never double count.

Also loads ``data/summaries.csv``: the statements the articles make that are not point events
("at least 103 attacks since October 17", "13 killed" across several sites), kept beside the
events instead of being mapped as dots.

>>> from geo.sources import quote_spans
>>> quote_spans("First sentence. ... Second one.")
['First sentence.', 'Second one.']
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo.problems import Problem
from geo.schema import QUOTE_SEPARATOR, SEEDS_DIR, SUMMARIES_CSV

CASUALTY_WORDS = re.compile(r"\b(kill\w*|dead|death\w*|died|martyrdom|wound\w*|injur\w*)\b",
                            re.IGNORECASE)


def quote_spans(quote: str) -> list[str]:
    return [s.strip() for s in str(quote).split(QUOTE_SEPARATOR.strip()) if s.strip()]


def read_source(name: str, seeds_dir: Path = SEEDS_DIR) -> str:
    return (Path(seeds_dir) / name).read_text(encoding="utf-8")


def check_quotes(frame: pd.DataFrame, id_column: str = "event_id",
                 seeds_dir: Path = SEEDS_DIR, file: str = "events.csv") -> list[Problem]:
    """A Problem for every quote span that is not verbatim in the row's source_doc."""
    problems = []
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        doc, rid = row.source_doc, getattr(row, id_column)
        path = Path(seeds_dir) / doc
        if not path.is_file():
            problems.append(Problem(file, i, "source_doc", doc, f"({rid}) is not a file in seeds/"))
            continue
        text = read_source(doc, seeds_dir)
        for span in quote_spans(row.source_quote):
            if span not in text:
                problems.append(Problem(file, i, "source_quote", span[:80],
                                        f"({rid}) is not verbatim in {doc}"))
    return problems


def load_summaries(path: Path = SUMMARIES_CSV) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in ("fatalities", "injuries", "attacks"):
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
    return frame


def check_double_counting(events: pd.DataFrame, summaries: pd.DataFrame) -> list[Problem]:
    """Problems where a casualty figure would be counted twice when summing fatalities.

    - two events that both carry fatalities or injuries and share a casualty sentence;
    - an event carrying the total of a summary that covers several events;
    - events whose fatalities add up to more than a summary's total for them.
    """
    problems = []
    counted = events[(events["fatalities"].fillna(0) > 0) | (events["injuries"].fillna(0) > 0)]
    seen: dict[str, str] = {}
    for row in counted.itertuples(index=False):
        for span in quote_spans(row.source_quote):
            if CASUALTY_WORDS.search(span):
                if span in seen and seen[span] != row.event_id:
                    problems.append(Problem("events.csv", None, "fatalities", row.event_id,
                                            f"shares its casualty sentence with {seen[span]}: "
                                            f"the same deaths would be counted twice"))
                seen.setdefault(span, row.event_id)
    by_id = events.set_index("event_id")
    for s in summaries.itertuples(index=False):
        covered = [e for e in str(s.covers_event_ids).split() if e in by_id.index]
        if len(covered) < 2:
            continue
        for column in ("fatalities", "injuries"):
            total = getattr(s, column)
            if pd.isna(total):
                continue
            values = by_id.loc[covered, column].fillna(0)
            copied = [e for e in covered if values[e] == total and total > 0]
            for e in copied:
                problems.append(Problem("events.csv", None, column, e,
                                        f"carries summary {s.summary_id}'s total of {total}, "
                                        f"which covers {len(covered)} events"))
            if not copied and values.sum() > total:
                problems.append(Problem("summaries.csv", None, column, s.summary_id,
                                        f"total {total} is less than the {values.sum()} "
                                        f"its events add up to"))
    return problems
