"""Import ACLED and UCDP files (and this project's own events files) as events of our schema.

One entry point, :func:`convert`, reads a file of any container the reader knows
(geo/ingest/read.py: CSV with , ; tab or |, .xlsx/.xls/.ods, JSON, .zip; UTF-8, UTF-16,
Windows-1252), tells its layout from the header, maps it with that provider's module
(events.py, acled.py, ucdp.py) onto ``geo/schema.py`` and checks every row
(validate.py). Bad rows are reported as Problems that name the *original* file's line and
column; the good rows are kept. ``data/README.md`` documents the mappings.

>>> result = convert(b"event_id_cnty;event_date;time_precision;event_type;actor1;admin1;"
...                  b"country;location;latitude;longitude;geo_precision;source;notes;"
...                  b"fatalities\\nIRQ1;21/03/2020;1;Battles;A;Erbil;Iraq;Koya;36.1;44.6;1;"
...                  b"Rudaw;Clash.;2\\n")
>>> result.format, len(result.events), result.notes[0], result.notes[1][:34]
('acled', 1, 'semicolon-separated', 'dates in event_date read day-first')

From the command line (writes OUT.csv atomically, only when at least one row is good)::

    python -m geo.ingest acled_export.xlsx --output data/imported.csv [--format acled]
"""

from geo.ingest.acled import ACLED_DATE_FORMATS, NO_TARGET
from geo.ingest.base import NO_QUOTE, NO_SOURCE, parse_dates
from geo.ingest.cli import main
from geo.ingest.pipeline import (
    FORMAT_LABELS,
    FORMATS,
    PROVIDERS,
    ImportResult,
    convert,
    detect_format,
    missing_columns,
)
from geo.ingest.read import UPLOAD_TYPES, Table, read_table
from geo.ingest.ucdp import SUB_EVENT as UCDP_SUB_EVENT
from geo.ingest.validate import LoadResult, validate

__all__ = [
    "ACLED_DATE_FORMATS",
    "FORMATS",
    "FORMAT_LABELS",
    "NO_QUOTE",
    "NO_SOURCE",
    "NO_TARGET",
    "PROVIDERS",
    "UCDP_SUB_EVENT",
    "UPLOAD_TYPES",
    "ImportResult",
    "LoadResult",
    "Table",
    "convert",
    "detect_format",
    "main",
    "missing_columns",
    "parse_dates",
    "read_table",
    "validate",
]
