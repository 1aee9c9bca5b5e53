"""Validate a confirmed event, and add, edit or delete it in the curated events CSV with a
change log and undo.

An event is checked as a whole before anything is written: the project's loader
(:func:`geo.events.load_events` on a one-row CSV) for every column of the schema, then the
curation checks: a unique id, the quote verbatim in the archived source, the point inside the
stated country, and the attribution basis and direction chosen explicitly. Writes are atomic;
each record keeps its own line(s) of the CSV, in the file's column order and quoting style, so
``git diff`` shows one line per event. Every change is appended to ``changes.jsonl`` with what
the lines were before and after, when, and by whom where the deployment knows; :func:`undo`
reverts the last change byte for byte, and refuses when the file changed since.

>>> format_value("latitude", 36.2376), format_value("near_location", True)
('36.23760', 'true')
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from geo.countries import bbox, contains, country_code
from geo.curate.archive import remove_source_record
from geo.curate.settings import Paths
from geo.events import load_events
from geo.evidence import find_spans
from geo.io import write_atomic
from geo.problems import DataFileError, GeoError, Problem
from geo.schema import ATTRIBUTIONS, BY_NAME, COLUMN_NAMES

# The basis on which the attacker is named (issue 13's attribution), and whether the source
# states who attacked whom (issue 9's direction_stated). Carried into the row when the schema
# has the column, else kept in the change log.
ATTRIBUTION_BASES = {basis: basis for basis in ATTRIBUTIONS}  # stored value -> label
DIRECTIONS = {
    True: "stated: the source says who attacked whom",
    False: "not stated: two sides, no direction claimed",
}
ATTRIBUTION_COLUMN = "attribution"
DIRECTION_COLUMN = "direction_stated"
_LOCK = threading.Lock()  # sessions of one server are threads: one read-modify-write at a time


class CurationError(GeoError, ValueError):
    """A change that was refused; ``problems`` says why, naming each value and column."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Choices:
    """What the curator must choose explicitly (None: not chosen yet)."""

    attribution: str | None = None
    direction_stated: bool | None = None


def format_value(column: str, value: Any) -> str:
    """A value as the events CSV writes it: coordinates with 5 decimals, true/false, integers
    without a fraction; text exactly as given (unparseable values are kept for the loader to
    name)."""
    if value is None:
        return ""
    kind = BY_NAME[column].kind if column in BY_NAME else "text"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    if kind == "float":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        return f"{number:.5f}" if number == number else ""
    if kind == "int":
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            return text
        return str(int(number)) if number == int(number) else text
    if kind == "bool":
        text = str(value).strip().lower()
        return {
            "1": "true",
            "yes": "true",
            "y": "true",
            "0": "false",
            "no": "false",
            "n": "false",
        }.get(text, text)
    return str(value)


def _cell(value: str) -> str:
    """A CSV cell as csv.writer's minimal quoting writes it, but also quoting a carriage return
    (csv.writer leaves it bare when the line ends in "\\n", and readers then split the record)."""
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def row_text(fields: Mapping[str, Any], columns: list[str], newline: str = "\n") -> str:
    """One CSV record (ending in ``newline``) of ``fields`` in ``columns`` order."""
    cells = [_cell(format_value(c, fields.get(c, ""))) for c in columns]
    if cells == [""]:
        cells = ['""']
    return ",".join(cells) + newline


# ---------------------------------------------------------------------------------------------
# The events file as records that keep their own text


@dataclass
class Table:
    header: str  # the header line(s), as in the file
    columns: list[str]
    chunks: list[str]  # each record's text, as in the file
    rows: list[dict[str, str] | None]  # None for a blank line

    def text(self) -> str:
        return self.header + "".join(self.chunks)

    @property
    def newline(self) -> str:
        """The file's own line ending, kept for the lines this module writes."""
        return "\r\n" if self.header.endswith("\r\n") else "\n"

    def index_of(self, event_id: str) -> int | None:
        return next(
            (
                i
                for i, r in enumerate(self.rows)
                if r is not None and r.get("event_id", "").strip() == event_id
            ),
            None,
        )

    def ids(self) -> list[str]:
        return [r.get("event_id", "").strip() for r in self.rows if r is not None]


def parse_table(text: str, name: str = "events.csv") -> Table:
    """Split an events CSV into its header and each record's own text (quoted newlines kept)."""
    if not text:
        return Table("", list(COLUMN_NAMES), [], [])
    lines = [line for line in re.split(r"(?<=\n)", text) if line]
    try:
        return _split(lines)
    except csv.Error as exc:
        raise CurationError(
            f"{name}: not a CSV this page can edit ({exc}); nothing written"
        ) from exc


def _split(lines: list[str]) -> Table:
    reader = csv.reader(iter(lines))
    columns = [c.strip().lstrip("\ufeff") for c in next(reader)]
    used = reader.line_num
    table = Table("".join(lines[:used]), columns, [], [])
    for row in reader:
        table.chunks.append("".join(lines[used : reader.line_num]))
        used = reader.line_num
        table.rows.append(dict(zip(columns, row, strict=False)) if row else None)
    return table


def read_table(path: Path) -> Table:
    path = Path(path)
    if path.exists() and not path.is_file():
        raise CurationError(f"{path}: is not a regular file")
    # Bytes decoded as they are: no newline translation, so every record keeps its own text.
    text = path.read_bytes().decode("utf-8") if path.is_file() else ""
    return parse_table(text, path.name)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Validation


def event_columns(table: Table) -> list[str]:
    """The columns a new record is written in: the file's own order; for a new file the
    schema's (with the attribution and direction columns when the schema has them)."""
    return table.columns if table.header else list(COLUMN_NAMES)


def with_choices(fields: Mapping[str, Any], choices: Choices) -> dict[str, Any]:
    """``fields`` with the explicit choices carried into the columns the schema has."""
    out = dict(fields)
    if ATTRIBUTION_COLUMN in BY_NAME and choices.attribution is not None:
        out[ATTRIBUTION_COLUMN] = choices.attribution
    if DIRECTION_COLUMN in BY_NAME and choices.direction_stated is not None:
        out[DIRECTION_COLUMN] = choices.direction_stated
    return out


def check_event(
    fields: Mapping[str, Any],
    choices: Choices,
    paths: Paths,
    editing: str | None = None,
    table: Table | None = None,
) -> list[Problem]:
    """Every reason the event cannot be saved (empty: it can). ``editing`` is the id of the
    event being edited, which the new values may keep."""
    table = table if table is not None else read_table(paths.events_csv)
    fields = with_choices(fields, choices)
    name = paths.events_csv.name
    where = f"{name} ({'edit of ' + editing if editing else 'new event'})"
    values = {c: format_value(c, fields.get(c, "")) for c in COLUMN_NAMES}
    columns = list(COLUMN_NAMES)
    csv_bytes = (",".join(columns) + "\n" + row_text(values, columns)).encode("utf-8")
    problems: list[Problem] = []
    try:
        loaded = load_events(csv_bytes)
        problems += [Problem(where, None, p.column, p.value, p.reason) for p in loaded.problems]
    except DataFileError as exc:  # cannot happen for a row we wrote; named if it does
        problems.append(Problem(where, None, None, None, str(exc)))

    file_columns = event_columns(table)
    for column in [c for c in COLUMN_NAMES if c not in file_columns and values[c]]:
        problems.append(
            Problem(
                where, None, column, values[column], f"cannot be kept: {name} has no such column"
            )
        )
    event_id = values["event_id"].strip()
    if event_id and event_id != editing and event_id in table.ids():
        problems.append(
            Problem(
                where, None, "event_id", event_id, f"is already the id of another event in {name}"
            )
        )
    if editing is not None and table.index_of(editing) is None:
        problems.append(Problem(where, None, "event_id", editing, f"is not in {name}"))

    doc = values["source_doc"].strip()
    if doc:
        path = paths.seeds_dir / doc
        if "/" in doc or "\\" in doc or doc.startswith(".") or not path.is_file():
            problems.append(
                Problem(
                    where,
                    None,
                    "source_doc",
                    doc,
                    f"is not a file of the archive ({paths.seeds_dir.name}/)",
                )
            )
        elif values["source_quote"].strip():
            text = path.read_text(encoding="utf-8")
            for missing_span in find_spans(text, [(event_id, values["source_quote"])]).missing:
                problems.append(
                    Problem(
                        where,
                        None,
                        "source_quote",
                        missing_span.text[:120],
                        f"is not verbatim in {doc}",
                    )
                )

    country = values["country"].strip()
    if country:
        code = country_code(country)
        if code is None:
            problems.append(
                Problem(where, None, "country", country, "is not a country name GeoNames knows")
            )
        else:
            try:
                lat, lon = float(values["latitude"]), float(values["longitude"])
            except ValueError:
                lat = lon = None
            if lat is not None and lon is not None and not contains(code, lat, lon):
                south, west, north, east = bbox(code)
                problems.append(
                    Problem(
                        where,
                        None,
                        "latitude",
                        f"{lat:.5f}, {lon:.5f}",
                        f"is outside {country} (latitude {south:.2f} to {north:.2f}, longitude "
                        f"{west:.2f} to {east:.2f})",
                    )
                )

    if choices.attribution not in ATTRIBUTION_BASES:
        problems.append(
            Problem(
                where,
                None,
                ATTRIBUTION_COLUMN,
                choices.attribution,
                "choose the attribution basis: " + ", ".join(ATTRIBUTION_BASES.values()),
            )
        )
    if choices.direction_stated not in (True, False):
        problems.append(
            Problem(
                where,
                None,
                DIRECTION_COLUMN,
                None,
                "choose whether the source states who attacked whom",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Changes


@dataclass(frozen=True)
class Change:
    id: int
    action: str  # add, edit, delete, add_source, undo
    event_id: str | None
    at: str
    by: str | None
    record: dict


def read_log(paths: Paths) -> list[dict]:
    path = paths.changes_log
    if not path.is_file():
        return []
    # One object a line, split on "\n" only: notes may hold U+2028 or U+0085, which
    # str.splitlines would also split on (json.dumps keeps them raw with ensure_ascii=False).
    lines = path.read_bytes().decode("utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def _log(paths: Paths, entry: dict) -> dict:
    path = paths.changes_log
    if path.exists() and not path.is_file():
        raise CurationError(f"{path}: is not a regular file; nothing written")
    old = path.read_bytes().decode("utf-8") if path.is_file() else ""
    entries = read_log(paths)
    entry = {
        "id": max((e["id"] for e in entries), default=0) + 1,
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **entry,
    }
    if old and not old.endswith("\n"):
        old += "\n"
    write_atomic(path, old + json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def _apply(table: Table, ops: list[dict], inverse: bool = False) -> None:
    """Apply record operations ({index, before, after}); ``inverse`` undoes them."""
    for op in reversed(ops) if inverse else ops:
        old, new = (op["after"], op["before"]) if inverse else (op["before"], op["after"])
        i = op["index"]
        if old is None:
            table.chunks.insert(i, new)
        elif new is None:
            del table.chunks[i]
        else:
            table.chunks[i] = new


def _refused(problems: list[Problem]) -> CurationError:
    return CurationError("not saved: " + "; ".join(str(p) for p in problems), problems)


def save_event(
    paths: Paths,
    fields: Mapping[str, Any],
    choices: Choices,
    by: str | None = None,
    editing: str | None = None,
) -> dict:
    """Add the event (or replace ``editing`` with it) when it validates as a whole; return the
    change-log entry. Raises :class:`CurationError` with the problems, writing nothing."""
    with _LOCK:
        table = read_table(paths.events_csv)
        problems = check_event(fields, choices, paths, editing, table)
        if problems:
            raise _refused(problems)
        before_text, header_before = table.text(), table.header
        if not table.header:
            table.header = ",".join(COLUMN_NAMES) + "\n"
        elif not table.chunks and not table.header.endswith("\n"):
            table.header += "\n"
        columns = event_columns(table)
        line = row_text(with_choices(fields, choices), columns, table.newline)
        ops = []
        if editing is None:
            if table.chunks and not table.chunks[-1].endswith("\n"):
                ops.append(
                    {
                        "index": len(table.chunks) - 1,
                        "before": table.chunks[-1],
                        "after": table.chunks[-1] + "\n",
                    }
                )
            ops.append({"index": len(table.chunks), "before": None, "after": line})
            before_row = None
        else:
            index = table.index_of(editing)
            ops.append({"index": index, "before": table.chunks[index], "after": line})
            before_row = table.rows[index]
        _apply(table, ops)
        after_text = table.text()
        write_atomic(paths.events_csv, after_text)
        event_id = format_value("event_id", fields.get("event_id", ""))
        return _log(
            paths,
            {
                "action": "add" if editing is None else "edit",
                "event_id": event_id,
                "by": by,
                "file": paths.events_csv.name,
                "ops": ops,
                "header_before": header_before,
                "header_after": table.header,
                "before": before_row,
                "after": dict(zip(columns, next(csv.reader([line])), strict=False)),
                "attribution": choices.attribution,
                "direction_stated": choices.direction_stated,
                "sha256_before": _sha(before_text),
                "sha256_after": _sha(after_text),
            },
        )


def delete_event(paths: Paths, event_id: str, by: str | None = None) -> dict:
    """Remove the event's record from the events file; return the change-log entry."""
    with _LOCK:
        table = read_table(paths.events_csv)
        index = table.index_of(event_id)
        if index is None:
            raise CurationError(f"{paths.events_csv.name}: no event {event_id!r} to delete")
        before_text = table.text()
        ops = [{"index": index, "before": table.chunks[index], "after": None}]
        before_row = table.rows[index]
        _apply(table, ops)
        after_text = table.text()
        write_atomic(paths.events_csv, after_text)
        return _log(
            paths,
            {
                "action": "delete",
                "event_id": event_id,
                "by": by,
                "file": paths.events_csv.name,
                "ops": ops,
                "before": before_row,
                "after": None,
                "sha256_before": _sha(before_text),
                "sha256_after": _sha(after_text),
            },
        )


def log_source(paths: Paths, file: str, new: bool, record: dict, by: str | None = None) -> dict:
    """Record in the change log that a source was archived (undo removes it again)."""
    return _log(
        paths,
        {
            "action": "add_source",
            "event_id": None,
            "by": by,
            "file": file,
            "new_archive": new,
            "after": record,
        },
    )


def last_undoable(paths: Paths) -> dict | None:
    entries = read_log(paths)
    undone = {e.get("undoes") for e in entries if e["action"] == "undo"}
    return next(
        (e for e in reversed(entries) if e["action"] != "undo" and e["id"] not in undone), None
    )


def undo(paths: Paths, by: str | None = None) -> dict:
    """Revert the last change not yet undone; return the undo's log entry.

    Refuses (writing nothing) when the events file changed since that change, or when a
    source to remove is cited by an event.
    """
    with _LOCK:
        change = last_undoable(paths)
        if change is None:
            raise CurationError("nothing to undo: the change log has no change left")
        if change["action"] == "add_source":
            table = read_table(paths.events_csv)
            citing = [
                r["event_id"]
                for r in table.rows
                if r is not None and r.get("source_doc") == change["file"]
            ]
            if citing:
                raise CurationError(
                    f"change {change['id']} archived {change['file']}, which "
                    f"events {', '.join(citing)} cite; delete them first"
                )
            remove_source_record(paths.sources_csv, change["file"])
            if change.get("new_archive"):
                (paths.seeds_dir / change["file"]).unlink(missing_ok=True)
            return _log(
                paths,
                {
                    "action": "undo",
                    "undoes": change["id"],
                    "by": by,
                    "event_id": None,
                    "file": change["file"],
                },
            )
        table = read_table(paths.events_csv)
        current = table.text()
        if _sha(current) != change["sha256_after"]:
            raise CurationError(
                f"{paths.events_csv.name} changed since change {change['id']} "
                f"({change['action']} {change['event_id']}); undoing it would "
                "lose that, so nothing was written"
            )
        _apply(table, change["ops"], inverse=True)
        if change.get("header_before") is not None:
            table.header = change["header_before"]
        restored = table.text()
        if _sha(restored) != change["sha256_before"]:
            raise CurationError(
                f"undo of change {change['id']} would not restore "
                f"{paths.events_csv.name} exactly; nothing was written"
            )
        write_atomic(paths.events_csv, restored)
        return _log(
            paths,
            {
                "action": "undo",
                "undoes": change["id"],
                "by": by,
                "event_id": change["event_id"],
                "file": paths.events_csv.name,
                "sha256_before": change["sha256_after"],
                "sha256_after": change["sha256_before"],
            },
        )


def describe(entry: Mapping[str, Any]) -> str:
    """One line for the page: '#3 2026-11-22T02:40:00Z add IRQ7 by alice'."""
    what = {
        "add": "added",
        "edit": "edited",
        "delete": "deleted",
        "add_source": "recorded the source",
        "undo": f"undid #{entry.get('undoes')}",
    }.get(entry["action"], entry["action"])
    subject = entry.get("event_id") or entry.get("file") or ""
    who = f" by {entry['by']}" if entry.get("by") else ""
    return f"#{entry['id']} {entry['at']} {what} {subject}{who}".strip()


# ---------------------------------------------------------------------------------------------
# Drafts: the values a form starts from


def next_event_id(ids: list[str], country: str) -> str:
    """The country's ISO3 code and one more than its highest number: IRQ6 -> IRQ7."""
    from geo.countries import _gc

    code = country_code(country) if country else None
    prefix = _gc().get_countries().get(code, {}).get("iso3", "EVT") if code else "EVT"
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(rf"{prefix}(\d+)", i))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def blank_fields() -> dict[str, str]:
    return {c: "" for c in COLUMN_NAMES}


def candidate_fields(candidate: Any, text: str, source_doc: str, ids: list[str]) -> dict[str, str]:
    """Every column of the schema filled from a proposed candidate, as text, for the form."""
    place = candidate.place
    when = candidate.date
    return {
        **blank_fields(),
        "event_id": next_event_id(ids, place.country),
        "event_date": when.date.isoformat() if when and when.date else "",
        "time_precision": str(when.precision) if when and when.date else "",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": candidate.sub_event_type,
        "attacker": candidate.attacker,
        "attacker_as_reported": candidate.attacker_as_reported,
        "target_group": candidate.target_group,
        "target_as_reported": candidate.target_as_reported,
        "weapon": candidate.weapon,
        "location": place.name,
        "near_location": "true" if place.near else "false",
        "admin1": candidate.admin1 or place.admin1,
        "country": place.country,
        "latitude": format_value("latitude", place.latitude),
        "longitude": format_value("longitude", place.longitude),
        "geo_precision": str(place.precision),
        "geocoder": place.geocoder,
        "geo_source": place.geo_source,
        "fatalities": "" if candidate.fatalities is None else str(candidate.fatalities),
        "injuries": "" if candidate.injuries is None else str(candidate.injuries),
        "source_doc": source_doc,
        "source_quote": candidate.quote(text),
        "notes": candidate.notes(),
    }


def event_fields(paths: Paths, event_id: str) -> dict[str, str] | None:
    """The stored values of an event, as text, for editing (None when there is no such id)."""
    table = read_table(paths.events_csv)
    index = table.index_of(event_id)
    if index is None:
        return None
    return {**blank_fields(), **table.rows[index]}
