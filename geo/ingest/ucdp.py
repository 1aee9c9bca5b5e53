"""Provider: UCDP GED (every version), UCDP Candidate, UCDP's API and its CSV dumps.

Columns added over the years (``relid``, ``code_status``, ``where_description``...) are
optional; integers written as ``1.0`` and dates with a time (``2013-07-24T00:00:00``,
``2009-06-09 00:00:00.000``) are read. Side A and side B are not attacker and victim, so the
events are marked ``direction_stated = false``. Rows without a headline (and UCDP's
aggregated rows) are real events and are kept: the quote falls back to ``where_description``,
or reads "(no quote in the source file)". ``low`` and ``high`` are kept beside ``best``.
An event that runs over several days keeps ``date_end`` as ``event_date_end`` (blank when it
ends the day it starts), read in the same day/month order as ``date_start``.
data/README.md ("From UCDP GED") documents the mapping.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.ingest.base import (
    DATE_REASON,
    NO_QUOTE,
    NO_SOURCE,
    PLACEHOLDER,
    Conversion,
    Dates,
    code,
    constant,
    first_filled,
    mapped,
    one_of,
    read_dates,
    stripped,
    text,
)

NAME = "ucdp"
LABEL = "UCDP GED"
KEY_COLUMNS: tuple[str, ...] = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "latitude",
    "longitude",
    "country",
    "date_prec",
    "date_start",
    "best",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "source_article",
    "source_office",
    "source_headline",
    "where_coordinates",
    "where_description",
    "adm_1",
    "low",
    "high",
    "date_end",
)
ALIASES: dict[str, str] = {}
READS_EVERY_COLUMN = False
# Columns of few distinct values, which the reader may hand over as categoricals (see
# geo.ingest.acled): not the ids, coordinates, headlines and place descriptions.
FEW_VALUES: tuple[str, ...] = (
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "adm_1",
    "country",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "low",
    "high",
)

# UCDP GED where_prec (1-7) -> ACLED-style geo_precision (1-3). See data/README.md.
WHERE_PREC = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3", "6": "3", "7": "3"}
WHERE_CAVEAT = {
    "5": " where_prec 5: UCDP places it only in an area wider than a province.",
    "6": " where_prec 6: UCDP knows only the country; the point is its centroid.",
    "7": " where_prec 7: over water or in international airspace.",
}
# UCDP GED date_prec (1-5) -> ACLED-style time_precision (1-3). See data/README.md.
DATE_PREC = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3"}
DATE_CAVEAT = " date_prec 5: UCDP knows only the year."
VIOLENCE = {"1": "State-based conflict", "2": "Non-state conflict", "3": "One-sided violence"}
SUB_EVENT = "Not coded by UCDP"
NOTE = (
    "Imported from UCDP GED; side_a and side_b are the event's two sides: UCDP does not "
    "say which one attacked."
)
NO_HEADLINE_NOTE = " UCDP gives no headline for this event."


def start_and_end(frame: pd.DataFrame) -> tuple[Dates, Dates]:
    """``date_start`` and ``date_end`` read as one column, so that the dates of either that
    can only be read one way (``31/07/2017``) settle the day/month order of both."""
    starts, ends = stripped(frame, "date_start"), stripped(frame, "date_end")
    label = "date_start and date_end" if "date_end" in frame.columns else "date_start"
    both = read_dates(pd.concat([starts, ends], ignore_index=True), label)
    n = len(frame)

    def part(rows: slice) -> Dates:
        text = pd.Series(both.text.to_numpy()[rows], index=frame.index, dtype="str")
        return Dates(text, both.bad[rows], [])

    start, end = part(slice(0, n)), part(slice(n, None))
    start.notes = both.notes
    return start, end


def end_problems(
    frame: pd.DataFrame, start: Dates, end: Dates
) -> tuple[pd.Series, list[tuple[np.ndarray, str, str]]]:
    """The end of each event that lasts more than a day ("" otherwise), and the end dates
    that are not dates or are before their start date, as row problems."""
    both_read = ~start.bad & ~end.bad & (start.text != "").to_numpy() & (end.text != "").to_numpy()
    before = both_read & (end.text < start.text).to_numpy()
    problems = [(end.bad, "date_end", DATE_REASON)]
    written = stripped(frame, "date_start")
    for value in pd.unique(written[before]):
        mask = before & (written == value).to_numpy()
        problems.append((mask, "date_end", f"is before date_start ({value})"))
    later = both_read & (end.text > start.text).to_numpy()
    return end.text.where(later, ""), problems


def _notes(
    frame: pd.DataFrame,
    where_values: np.ndarray,
    where_codes: np.ndarray,
    date_prec: pd.Series,
    headline: pd.Series,
) -> pd.Series:
    """Each row's note: NOTE, then the caveat of its where_prec, of date_prec 5 and of a
    missing headline; one of 16 notes, as a categorical (400,000 events: 0.03 s, where adding
    each caveat to the text of every row took 0.7 s)."""
    index = {value: i + 1 for i, value in enumerate(WHERE_CAVEAT)}  # 0: no caveat
    caveat = np.array([index.get(v, 0) for v in where_values], dtype=np.int64)
    code = caveat[where_codes] * 4 + (date_prec == "5").to_numpy() * 2 + (headline == "").to_numpy()
    return one_of(
        frame,
        [
            NOTE + where + date + no_headline
            for where in ("", *WHERE_CAVEAT.values())
            for date in ("", DATE_CAVEAT)
            for no_headline in ("", NO_HEADLINE_NOTE)
        ],
        code,
    )


def to_events(frame: pd.DataFrame, columns: Sequence[str]) -> Conversion:
    ids = code(frame, "id")
    event_id = ("UCDP-" + ids).where(ids != "", "")

    dates, ends = start_and_end(frame)
    event_date_end, bad_ends = end_problems(frame, dates, ends)

    date_prec = code(frame, "date_prec")
    time_precision, bad_date_prec = mapped(date_prec, DATE_PREC)
    time_precision = time_precision.mask(bad_date_prec, PLACEHOLDER["time_precision"])

    where_prec = code(frame, "where_prec")
    geo_precision, bad_where_prec = mapped(where_prec, WHERE_PREC)
    geo_precision = geo_precision.mask(bad_where_prec, PLACEHOLDER["geo_precision"])

    violence = code(frame, "type_of_violence")
    event_type, bad_violence = mapped(violence, VIOLENCE)
    event_type = event_type.mask(bad_violence, PLACEHOLDER["event_type"])

    article, office = stripped(frame, "source_article"), stripped(frame, "source_office")
    headline, where = stripped(frame, "source_headline"), stripped(frame, "where_description")
    quote = first_filled(headline, where, default=NO_QUOTE)
    no_quote = (quote == NO_QUOTE).to_numpy()

    where_codes, where_values = pd.factorize(where_prec, sort=False)  # a few codes
    notes = _notes(frame, where_values, where_codes, date_prec, headline)

    out = pd.DataFrame(
        {
            "event_id": event_id,
            "event_date": dates.text,
            "event_date_end": event_date_end,
            "time_precision": time_precision,
            "event_type": event_type,
            "sub_event_type": constant(frame, SUB_EVENT),
            "attacker": text(frame, "side_a"),
            "target_group": text(frame, "side_b"),
            "location": first_filled(
                stripped(frame, "where_coordinates"),
                stripped(frame, "adm_1"),
                text(frame, "country"),
            ),
            "near_location": one_of(
                frame, ["false", "true"], (where_prec == "2").to_numpy(np.int8)
            ),
            "admin1": text(frame, "adm_1"),
            "country": text(frame, "country"),
            "latitude": text(frame, "latitude"),
            "longitude": text(frame, "longitude"),
            "geo_precision": geo_precision,
            "geo_source": one_of(
                frame, [f"UCDP GED coordinates, where_prec {v}" for v in where_values], where_codes
            ),
            "fatalities": text(frame, "best"),
            "fatalities_low": text(frame, "low"),
            "fatalities_high": text(frame, "high"),
            "source_doc": first_filled(article, office, default=NO_SOURCE),
            "source_quote": quote,
            "notes": notes,
            "direction_stated": constant(frame, "false"),
        }
    )
    origin = {
        "event_id": "id",
        "event_date": "date_start",
        "event_date_end": "date_end",
        "time_precision": "date_prec",
        "event_type": "type_of_violence",
        "attacker": "side_a",
        "target_group": "side_b",
        "location": "where_coordinates",
        "near_location": "where_prec",
        "admin1": "adm_1",
        "geo_precision": "where_prec",
        "fatalities": "best",
        "fatalities_low": "low",
        "fatalities_high": "high",
        "source_doc": "source_article or source_office",
        "source_quote": "source_headline or where_description",
    }
    rejected = [
        (dates.bad, "date_start", DATE_REASON),
        *bad_ends,
        (bad_date_prec, "date_prec", "is not a UCDP date precision (1 to 5)"),
        (bad_where_prec, "where_prec", "is not a UCDP location precision (1 to 7)"),
        (
            bad_violence,
            "type_of_violence",
            "is not 1 (state-based), 2 (non-state) or 3 (one-sided violence)",
        ),
    ]
    said = list(dates.notes)
    if no_quote.any():
        said.append(
            f"{int(no_quote.sum())} event(s) have neither a headline nor a place "
            f"description: their quote reads {NO_QUOTE!r}"
        )
    return Conversion(out, origin, rejected, None, "", said)
