"""Load this project's events CSV into a typed DataFrame, reporting every bad row.

A thin front of :mod:`geo.ingest` (which reads and validates every file the app takes):

>>> from geo.events import load_events
>>> result = load_events(EVENTS_CSV)
>>> result.problems, str(result.events["event_date"].dtype)
([], 'datetime64[us]')
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from geo.ingest import LoadResult, convert, validate
from geo.schema import EVENTS_CSV

__all__ = ["EVENTS_CSV", "LoadResult", "load_events", "validate"]


def load_events(source: str | Path | bytes | BinaryIO) -> LoadResult:
    """Load and validate an events file of this project's schema (see geo/schema.py).

    Raises DataFileError when the file as a whole is unusable (not readable, required
    columns missing). Bad rows are reported as Problems and left out; good rows are kept.
    """
    result = convert(source, "events")
    return LoadResult(result.events, result.problems)
