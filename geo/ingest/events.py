"""Provider: this project's own events CSV (the columns of geo/schema.py, as they are).

Its attacker and target_group state a direction by design, so a blank or absent
``direction_stated`` reads as true.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from geo.ingest.base import Conversion, fill_blank
from geo.schema import COLUMN_NAMES, REQUIRED

NAME = "events"
LABEL = "events"
KEY_COLUMNS: tuple[str, ...] = REQUIRED
OPTIONAL_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMN_NAMES if c not in REQUIRED)
ALIASES: dict[str, str] = {}
READS_EVERY_COLUMN = True  # extra columns of an events file are kept
# The reader may hand these over as categoricals (see geo.ingest.acled): every column of the
# schema but the ids, the coordinates and the quotes, which hold a value a row.
FEW_VALUES: tuple[str, ...] = tuple(
    c
    for c in COLUMN_NAMES
    if c not in ("event_id", "latitude", "longitude", "source_quote", "attribution_quote")
)


def to_events(frame: pd.DataFrame, columns: Sequence[str]) -> Conversion:
    out = frame.copy()
    if "direction_stated" in out.columns:
        out["direction_stated"] = fill_blank(out["direction_stated"], "true")
    else:
        out["direction_stated"] = "true"
    return Conversion(out, {c: c for c in out.columns})
