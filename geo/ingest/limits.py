"""The limits every import enforces, in one place; deployers change them with settings.

A file beyond a limit is refused, or its offending rows reported, with a message that names the
limit; none of them costs more than a pass over the file's bytes to check. Each limit is a
module attribute that the readers look up when they run, so :func:`configure` (called by the
app at start with its arguments after ``--``, and by ``python -m geo.ingest``) changes them for
the whole process. Settings: an environment variable ``CONFLICT_MAP_<NAME>`` or an argument
``--<name>`` (which wins), e.g. ``--max-columns 1000``.

>>> from geo.ingest import limits
>>> configure(["--max-columns", "40"], {"CONFLICT_MAP_MAX_COLUMNS": "60"})["max_columns"]
40
>>> limits.MAX_COLUMNS
40
>>> try:
...     configure([], {"CONFLICT_MAP_MAX_FIELD_CHARS": "x"})
... except SettingError as exc:
...     print(exc)
$CONFLICT_MAP_MAX_FIELD_CHARS: 'x' is not a whole number ≥ 1 (setting max_field_chars)
>>> configure([], {})["max_columns"], limits.MAX_COLUMNS
(500, 500)
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence

from geo.problems import SettingError

DEFAULTS = {
    # A file whose header has more columns than this is refused before any row is parsed
    # (ACLED's widest export has 31 columns, UCDP GED's 53).
    "max_columns": 500,
    # A value longer than this (in characters) makes its row a problem: the row is left out.
    "max_field_chars": 100_000,
    # Fatalities, injuries and their ranges above this are "larger than any plausible count":
    # it keeps sums over a million events far from int64's limit.
    "max_count": 1_000_000_000,
    # A .zip (or spreadsheet) whose member would unpack to more than this is refused.
    "max_unpacked_mb": 2_000,
}

MAX_COLUMNS = DEFAULTS["max_columns"]
MAX_FIELD_CHARS = DEFAULTS["max_field_chars"]
MAX_COUNT = DEFAULTS["max_count"]
MAX_UNPACKED_BYTES = DEFAULTS["max_unpacked_mb"] * 1_000_000

# Bytes of the start of a file that the delimiter sniffer and the encoding detector look at.
SNIFF_BYTES = 64 * 1024


def configure(argv: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> dict:
    """Set the limits from defaults, environment variables and arguments; return them.

    Raises SettingError naming the setting when a value is not a whole number ≥ 1.
    """
    global MAX_COLUMNS, MAX_FIELD_CHARS, MAX_COUNT, MAX_UNPACKED_BYTES
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(add_help=False)
    for name in DEFAULTS:
        parser.add_argument("--" + name.replace("_", "-"))
    args, _ = parser.parse_known_args(list(argv))
    values = dict(DEFAULTS)
    for name in DEFAULTS:
        env = "CONFLICT_MAP_" + name.upper()
        flag = "--" + name.replace("_", "-")
        for raw, where in ((environ.get(env), f"${env}"), (getattr(args, name), flag)):
            if raw is not None and raw != "":
                values[name] = _whole(raw, where, name)
    MAX_COLUMNS = values["max_columns"]
    MAX_FIELD_CHARS = values["max_field_chars"]
    MAX_COUNT = values["max_count"]
    MAX_UNPACKED_BYTES = values["max_unpacked_mb"] * 1_000_000
    return values


def _whole(raw: str, where: str, name: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingError(f"{where}: {raw!r} is not a whole number ≥ 1 (setting {name})")
    return value
