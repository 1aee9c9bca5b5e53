"""Data problems people can act on, and the project's error family.

A :class:`Problem` names the file, line, column, the bad value and the reason; loaders collect
them per row and carry on with the good rows. Programming errors raise instead.

>>> str(Problem("events.csv", 17, "latitude", "999.0", "is outside [-90, 90]"))
"events.csv line 17, column latitude: '999.0' is outside [-90, 90]"
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.text import quoted


class GeoError(Exception):
    """Base of the project's own errors."""


class DataFileError(GeoError, ValueError):
    """A whole file cannot be used (wrong columns, not a CSV, unreadable)."""


class SettingError(GeoError, ValueError):
    """A deployer's setting (environment variable or argument) is not a usable value."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        if self.value is None:
            return f"{where}: {self.reason}"
        return f"{where}: {quoted(self.value)} {self.reason}"
