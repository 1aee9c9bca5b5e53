"""Archive a source's text unchanged, with its SHA-256 and a record of what it is.

A new text is written to the seeds folder as ``NNN_<first 16 hex digits of its SHA-256>.txt``
(NNN one more than the highest number there), UTF-8, byte for byte as given. The same text
given twice is archived once: the existing file is returned. The two bundled seeds predate this
rule: their numbers follow it, their 16 hex digits are not a prefix of their text's SHA-256 (the
full SHA-256 of each file is in its source record).

Each source gets one record in ``sources.csv`` through :func:`add_source_record`: title,
outlet, publication date and URL, or "not stated" where they are not known, never invented.

>>> archive_name(3, "A drone hit the base.")
'003_62922cd38f09ddba.txt'
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from geo.io import write_atomic
from geo.problems import GeoError

NOT_STATED = "not stated"
SOURCE_COLUMNS = ("file", "title", "outlet", "published", "url", "sha256", "archived", "citation")
NAME = re.compile(r"^(\d{3,})_[0-9a-f]{16}\.txt$")


class ArchiveError(GeoError, OSError):
    """The text cannot be archived (the target is not a regular file, the folder is missing)."""


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def archive_name(number: int, text: str) -> str:
    return f"{number:03d}_{text_sha256(text)[:16]}.txt"


@dataclass(frozen=True)
class Archived:
    file: str
    sha256: str
    new: bool  # False when the same text was already archived under ``file``


def archive_text(text: str, seeds_dir: Path) -> Archived:
    """Keep ``text`` unchanged in ``seeds_dir``; return its file name and SHA-256."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise ArchiveError(f"{seeds_dir}: the seeds folder does not exist")
    if not text.strip():
        raise ArchiveError("the source text is empty")
    payload = text.encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    numbers = [-1]
    for path in sorted(seeds_dir.iterdir()):
        match = re.match(r"^(\d+)_", path.name)
        if match:
            numbers.append(int(match.group(1)))
        if path.is_file() and path.stat().st_size == len(payload) and path.read_bytes() == payload:
            return Archived(path.name, digest, new=False)
    name = f"{max(numbers) + 1:03d}_{digest[:16]}.txt"
    target = seeds_dir / name
    if target.exists() or target.is_symlink():
        raise ArchiveError(f"{target}: exists already and holds another text; nothing written")
    write_atomic(target, payload)
    return Archived(name, digest, new=True)


@dataclass(frozen=True)
class SourceRecord:
    file: str
    title: str = NOT_STATED
    outlet: str = NOT_STATED
    published: str = NOT_STATED  # YYYY-MM-DD or "not stated"
    url: str = NOT_STATED
    sha256: str = ""
    archived: str = ""  # YYYY-MM-DD (UTC) the text was archived
    citation: str = ""


def _stated(value: object) -> str:
    text = " ".join(str(value or "").split())
    return text or NOT_STATED


def make_record(
    file: str,
    sha256: str,
    *,
    title: str = "",
    outlet: str = "",
    published: date | str | None = None,
    url: str = "",
    archived: date | None = None,
) -> SourceRecord:
    """A source record with "not stated" for what is not known, and its citation line."""
    when = published.isoformat() if isinstance(published, date) else _stated(published)
    archived_on = (archived or datetime.now(UTC).date()).isoformat()
    record = SourceRecord(
        file, _stated(title), _stated(outlet), when, _stated(url), sha256, archived_on
    )
    return SourceRecord(**{**asdict(record), "citation": citation(record)})


def citation(record: SourceRecord) -> str:
    """'Title. Outlet, 2023-12-26. URL. Archived 2026-11-22 as 003_….txt (SHA-256 …).'"""
    parts = [
        record.title if record.title != NOT_STATED else "Untitled",
        f"{record.outlet if record.outlet != NOT_STATED else 'Outlet not stated'}, "
        f"{record.published if record.published != NOT_STATED else 'date not stated'}",
    ]
    if record.url != NOT_STATED:
        parts.append(record.url)
    parts.append(f"Archived {record.archived} as {record.file} (SHA-256 {record.sha256})")
    return ". ".join(p.rstrip(".") for p in parts) + "."


def read_records(path: Path) -> list[dict[str, str]]:
    if not Path(path).is_file():
        return []
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def add_source_record(path: Path, record: SourceRecord) -> bool:
    """Append ``record`` to the sources CSV at ``path`` (atomically), keeping its columns.

    An existing file keeps its header and column order: the record's fields go into the
    columns of the same name, other columns stay blank (the URL is in the citation line when
    the file has no ``url`` column). A missing file is created with :data:`SOURCE_COLUMNS`.
    A file already recorded is left alone. Returns True when a line was added.
    """
    path = Path(path)
    values = asdict(record)
    if path.exists() and not path.is_file():
        raise ArchiveError(f"{path}: is not a regular file; nothing written")
    if path.is_file():
        text = path.read_bytes().decode("utf-8")  # as it is: BOM and line endings kept
        header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), None) or list(SOURCE_COLUMNS)
        if any(row.get("file") == record.file for row in read_records(path)):
            return False
        newline = "\r\n" if "\r\n" in text else "\n"
        if text and not text.endswith("\n"):
            text += newline
    else:
        header, text, newline = list(SOURCE_COLUMNS), "", "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    if not text:
        writer.writerow(header)
    writer.writerow([values.get(column.strip(), "") for column in header])
    write_atomic(path, text + buffer.getvalue())
    return True


def remove_source_record(path: Path, file: str) -> bool:
    """Remove the record of ``file`` (undo of an added source); True when one was removed."""
    path = Path(path)
    if not path.is_file():
        return False
    text = path.read_bytes().decode("utf-8")
    lines = re.split(r"(?<=\n)", text)
    header = [c.strip().lstrip("\ufeff") for c in next(csv.reader(lines[:1]), [])]
    if "file" not in header:
        return False
    at = header.index("file")
    kept = [lines[0]] + [
        line for line in lines[1:] if (next(csv.reader([line]), []) + [""] * (at + 1))[at] != file
    ]
    if len(kept) == len(lines):
        return False
    write_atomic(path, "".join(kept))
    return True
