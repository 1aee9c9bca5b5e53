"""Provider: ACLED exports of every vintage, onto geo/schema.py.

Current exports (2023 on), pre-2023 ones (``data_id``, ``event_id_no_cnty``, ``iso3``),
pre-2019 ones (no ``sub_event_type``, old event types, ``ally_actor_1/2``), the 2015-era
regional releases (upper-case headers, ``GWNO``) and monadic exports (one row per actor, no
``actor2``). ACLED's codebook says actor 1 "does not necessarily indicate the aggressor", so
the events are marked ``direction_stated = false``: attacker and target_group hold the two
sides so that the filters work, and nothing shown claims who attacked. data/README.md
("From ACLED") documents the mapping.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.ingest.base import (
    DATE_FORMATS,
    NO_QUOTE,
    NO_SOURCE,
    Conversion,
    categorical,
    constant,
    fill_blank,
    one_of,
    read_dates,
    stripped,
    text,
)

NAME = "acled"
LABEL = "ACLED"
KEY_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "actor1",
    "admin1",
    "country",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
# Read when present: the dyadic exports have actor2, exports since 2019 sub_event_type.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "sub_event_type",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "data_id",
)
# Older spellings of the same column (the 2015-era releases).
ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
READS_EVERY_COLUMN = False
# Columns of few distinct values: the reader may hand them over as categoricals (one copy of
# each value instead of a million), and the mapping keeps them so (base.fill_blank, recoded).
# Not the coordinates: tens of thousands of values a block cost more to merge than they save.
FEW_VALUES: tuple[str, ...] = (
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "location",
    "admin1",
    "country",
    "geo_precision",
    "fatalities",
    "actor1",
    "actor2",
    "assoc_actor_1",
    "assoc_actor_2",
    "source",
)

ACLED_DATE_FORMATS = DATE_FORMATS
DATE_REASON = (
    "is not a date ACLED writes (2024-11-01, 01 November 2024, 1-Nov-24, "
    "01-January-2015, 21/03/2020 or an Excel day number)"
)

# Target group of an event that names no second actor (actor2 blank, or a monadic export
# with a single row for the event): target_group is required, so it gets this value.
NO_TARGET = "Unknown or none (ACLED names no second actor)"
NO_SUB_EVENT = "Not coded (ACLED before 2019 has no sub-event types)"

# Provenance notes, one per row: kept short, a million copies of them are stored.
NOTE = (
    "Imported from ACLED ({variant}); actor1 and actor2 are the event's two sides: "
    "ACLED does not say which one attacked."
)
MONADIC_NOTE = " target_group is the actor of the event's next row, if any."
ID_FALLBACK_NOTE = " event_id_cnty is blank in the file: ACLED's data_id is the event_id."
NO_NOTES_NOTE = " ACLED's notes are blank for this event."


def variant(columns: Sequence[str]) -> str:
    columns = set(columns)
    if "actor2" not in columns:
        return "monadic export"
    if "gwno" in columns:
        return "2015-era release"
    if "sub_event_type" not in columns:
        return "pre-2019 export"
    if {"data_id", "event_id_no_cnty", "iso3"} & columns or "disorder_type" not in columns:
        return "pre-2023 export"
    return "current export"


def _with_associates(actor: pd.Series, associates: pd.Series) -> pd.Series:
    """'actor' or 'actor (with: associates)' when ACLED names associated actors: each
    distinct pair written once, as a categorical."""
    if not (associates != "").any():
        return actor
    actor, associates = categorical(actor), categorical(associates)
    width = len(associates.cat.categories)
    pair = actor.cat.codes.to_numpy().astype(np.int64) * width + associates.cat.codes.to_numpy()
    codes, pairs = pd.factorize(pair, sort=False)
    names = actor.cat.categories.to_numpy(dtype=object)[pairs // width]
    allies = associates.cat.categories.to_numpy(dtype=object)[pairs % width]
    labels = [n if a == "" else f"{n} (with: {a})" for n, a in zip(names, allies, strict=True)]
    return one_of(actor, labels, codes)


def to_events(frame: pd.DataFrame, columns: Sequence[str]) -> Conversion:
    kind = variant(columns)
    ids = stripped(frame, "event_id_cnty")
    data_id = stripped(frame, "data_id")
    no_id = ((ids == "") & (data_id != "")).to_numpy()
    ids = ids.mask(no_id, data_id)
    actor1 = text(frame, "actor1")
    attacker_as_reported = _with_associates(actor1, stripped(frame, "assoc_actor_1"))
    merged = None
    if kind == "monadic export":
        # One row per actor: an event's first row is kept, the actor of its second row
        # becomes the target group, and any further rows are merged away too.
        nth = ids.groupby(ids, sort=False).cumcount().to_numpy()
        named = (ids != "").to_numpy()
        merged = named & (nth > 0)
        second = named & (nth == 1)
        target_of = pd.Series(actor1[second].to_numpy(), index=ids[second].to_numpy())
        reported_of = pd.Series(
            attacker_as_reported[second].to_numpy(), index=ids[second].to_numpy()
        )
        # object first: with no second rows the map is all-NaN float, which "" cannot fill
        target = ids.map(target_of).astype("object").fillna("").astype("str")
        target_as_reported = ids.map(reported_of).astype("object").fillna("").astype("str")
        target_origin = "actor1"
    else:
        target = text(frame, "actor2")
        target_as_reported = _with_associates(target, stripped(frame, "assoc_actor_2"))
        target_origin = "actor2"
    target = fill_blank(target, NO_TARGET)

    dates = read_dates(stripped(frame, "event_date"), "event_date")

    note = NOTE.format(variant=kind) + (MONADIC_NOTE if kind == "monadic export" else "")
    quote = stripped(frame, "notes")
    no_quote = (quote == "").to_numpy()
    # One of four notes per row: code 1 adds the id caveat, 2 the blank-notes one.
    notes = one_of(
        frame,
        [
            note + id_note + quote_note
            for quote_note in ("", NO_NOTES_NOTE)
            for id_note in ("", ID_FALLBACK_NOTE)
        ],
        no_id.astype(np.int8) + 2 * no_quote.astype(np.int8),
    )
    source = stripped(frame, "source")
    sub_event = (
        text(frame, "sub_event_type")
        if "sub_event_type" in columns
        else constant(frame, NO_SUB_EVENT)
    )
    out = pd.DataFrame(
        {
            "event_id": ids,
            "event_date": dates.text,
            "time_precision": text(frame, "time_precision"),
            "event_type": text(frame, "event_type"),
            "sub_event_type": sub_event,
            "attacker": actor1,
            "attacker_as_reported": attacker_as_reported,
            "target_group": target,
            "target_as_reported": target_as_reported,
            "location": text(frame, "location"),
            "admin1": text(frame, "admin1"),
            "country": text(frame, "country"),
            "latitude": text(frame, "latitude"),
            "longitude": text(frame, "longitude"),
            "geo_precision": text(frame, "geo_precision"),
            "geo_source": constant(frame, "ACLED coordinates as published"),
            "fatalities": text(frame, "fatalities"),
            "source_doc": fill_blank(source, NO_SOURCE),
            "source_quote": quote.mask(no_quote, NO_QUOTE) if no_quote.any() else quote,
            "notes": notes,
            "direction_stated": constant(frame, "false"),
        }
    )
    origin = {
        "event_id": "event_id_cnty",
        "attacker": "actor1",
        "attacker_as_reported": "actor1",
        "target_group": target_origin,
        "target_as_reported": target_origin,
        "source_doc": "source",
        "source_quote": "notes",
    }
    said = list(dates.notes)
    if no_id.any():
        said.append(
            f"{int(no_id.sum())} row(s) with a blank event_id_cnty use ACLED's data_id "
            "as their event_id"
        )
    if no_quote.any():
        said.append(
            f"{int(no_quote.sum())} event(s) have no ACLED notes: their quote reads {NO_QUOTE!r}"
        )
    if "sub_event_type" not in columns:
        said.append(f"the file has no sub_event_type (ACLED before 2019): {NO_SUB_EVENT!r}")
    return Conversion(out, origin, [(dates.bad, "event_date", DATE_REASON)], merged, kind, said)
