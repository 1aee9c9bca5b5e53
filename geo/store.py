"""The event store: every dataset converted once into Parquet, with a small JSON catalogue.

A dataset is the bundled events file, a file given with ``--events``, or an import. Each is
validated once (by geo.ingest / geo.events), written as ``<root>/datasets/<id>/events.parquet``
with its problem list beside it, and described in ``<root>/catalogue.json``. Files given on
the command line are keyed by the SHA-256 of their bytes: an unchanged file is never converted
again, a changed one is. Imports get an unguessable id (``secrets.token_urlsafe(16)``); the id
is the only way to reach them, and nothing lists them.

Queries (filters, the viewport, counts, rows by position) go through one narrow interface,
:class:`Engine`; :class:`PolarsEngine` reads the Parquet files lazily, only the columns a query
needs. A deployment that outgrows one machine implements the same five methods over
PostgreSQL/PostGIS or Parquet on object storage (see the README).

>>> import tempfile, pandas as pd
>>> store = Store(Settings(root=Path(tempfile.mkdtemp())))
>>> events = pd.DataFrame({"event_id": ["a"], "attacker": ["X"], "target_group": ["Y"],
...     "event_type": ["Battles"], "event_date": pd.to_datetime(["2024-01-02"]),
...     "latitude": [33.0], "longitude": [44.0]})
>>> entry = store.put(events, name="mine.csv", format="events")
>>> store.get(entry.id).rows, store.get(entry.id).options["attackers"]
(1, ['X'])
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import mmap
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from geo.filters import MULTI_COLUMNS, Bounds, FilterState, Options
from geo.io import regular_file
from geo.problems import GeoError, Problem

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # bump when the Parquet layout changes: stored files are then re-converted
IMPORT_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
FILE_PREFIX = "src-"
EVENTS_FILE = "events.parquet"
PROBLEMS_FILE = "problems.txt"
CATALOGUE = "catalogue.json"
ENV_PREFIX = "CONFLICT_MAP_"
MB = 1024 * 1024
# Long text, one value per event. The frames the app keeps hold none of it: beside
# events.parquet each dataset keeps these columns in an uncompressed Arrow file (TEXT_SUFFIX),
# memory-mapped, and a page reads them only for the events it shows (`with_text`): 1M events'
# quotes are 170 MB the server does not hold, and filtering a frame copies no text (taking
# 5,000 of 1M rows: 5 ms instead of 0.77 s).
LONG_TEXT = ("source_quote", "event_date_interval")
TEXT_SUFFIX = ".text.arrow"  # events.parquet -> events.text.arrow


class StoreError(GeoError, ValueError):
    """The store refused a request (quota, a damaged file)."""


class QuotaError(StoreError):
    """A dataset or the store as a whole would exceed its configured size."""


class UnknownDataset(GeoError, LookupError):
    """No dataset has this id (or the id is malformed): the message is safe to show."""


def default_root() -> Path:
    """~/.local/share/conflict-map/store (or $XDG_DATA_HOME/...): never inside the sources."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "conflict-map" / "store"


@dataclass(frozen=True)
class Settings:
    """What a deployer sets. Every field has an env var ``CONFLICT_MAP_<FIELD>`` (upper case)
    and an app argument after ``--`` (``--store PATH``, ``--retention-days 30`` ...).

    root None means persistence off: a temporary store that is deleted at exit.
    """

    root: Path | None = field(default_factory=default_root)
    retention_days: float | None = 30.0  # imports unused this long are deleted
    max_dataset_mb: float = 500.0  # Parquet size of one dataset
    max_dataset_rows: int = 5_000_000
    max_total_mb: float = 5_000.0  # all datasets of the store together
    imports_per_session: int = 10
    session_mb: float = 400.0  # uploaded bytes per browser session
    frames_mb: float = 1_500.0  # events held in memory for all sessions (ui.frames)
    frames_idle_s: float = 600.0  # a frame unused this long is dropped
    shown_mb: float = 128.0  # filtered events held in memory for all sessions (ui.shown_frames)

    @classmethod
    def from_sources(
        cls, argv: Sequence[str] = (), environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, overridden by environment variables, overridden by app arguments."""
        import argparse

        environ = os.environ if environ is None else environ
        values: dict = {}
        for name, kind in _FIELDS.items():
            raw = environ.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = _parse(name, kind, raw, f"${ENV_PREFIX}{name.upper()}")
        if environ.get(ENV_PREFIX + "STORE"):
            values["root"] = Path(environ[ENV_PREFIX + "STORE"])
        if environ.get(ENV_PREFIX + "PERSIST", "").lower() in ("0", "false", "no", "off"):
            values["root"] = None
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("--store", type=Path)
        parser.add_argument("--no-persist", action="store_true")
        for name in _FIELDS:
            parser.add_argument("--" + name.replace("_", "-"))
        args, _ = parser.parse_known_args(list(argv))
        for name, kind in _FIELDS.items():
            raw = getattr(args, name)
            if raw is not None:
                values[name] = _parse(name, kind, raw, "--" + name.replace("_", "-"))
        if args.store is not None:
            values["root"] = args.store
        if args.no_persist:
            values["root"] = None
        if values.get("root") is not None:
            values["root"] = Path(values["root"]).expanduser().resolve()
        return cls(**values)


_FIELDS = {
    "retention_days": float,
    "max_dataset_mb": float,
    "max_dataset_rows": int,
    "max_total_mb": float,
    "imports_per_session": int,
    "session_mb": float,
    "frames_mb": float,
    "frames_idle_s": float,
    "shown_mb": float,
}


def _parse(name: str, kind: type, raw: str, where: str):
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise StoreError(f"{where}: {raw!r} is not {what} (setting {name})") from None
    if value < 0 or (isinstance(value, float) and not np.isfinite(value)):
        raise StoreError(f"{where}: {raw!r} must be a finite number ≥ 0 (setting {name})")
    return value


def session_limit(settings: Settings, imports: int, used_bytes: int, size: int) -> str | None:
    """Why a browser session that holds `imports` imports of `used_bytes` bytes may not
    import `size` more bytes, or None if it may."""
    if imports >= settings.imports_per_session:
        return (
            f"This session already has {imports} imports, the most this server allows "
            f"(setting imports_per_session = {settings.imports_per_session}). Remove one first."
        )
    if used_bytes + size > settings.session_mb * MB:
        return (
            f"This file ({size / MB:,.1f} MB) would take this session past its upload limit: "
            f"{used_bytes / MB:,.1f} MB of {settings.session_mb:,g} MB used (setting session_mb)."
        )
    return None


@dataclass(frozen=True)
class Entry:
    """One dataset in the catalogue."""

    id: str
    name: str
    format: str
    rows: int
    problems: int
    problems_file: str
    created: str  # ISO 8601, UTC
    source_sha256: str
    schema_version: int
    bytes: int  # size of the Parquet file
    source_bytes: int = 0
    kind: str = "import"  # "import" or "file"
    used: float = 0.0  # last time it was opened (epoch seconds), for retention
    options: dict = field(default_factory=dict, compare=False)  # filter options
    legend: dict = field(default_factory=dict, compare=False)  # attacker -> event count

    def filter_options(self) -> Options:
        o = self.options
        return Options(
            list(o.get("attackers", [])),
            list(o.get("target_groups", [])),
            list(o.get("event_types", [])),
            date.fromisoformat(o["first"]) if o.get("first") else None,
            date.fromisoformat(o["last"]) if o.get("last") else None,
            list(o.get("attributions", [])),
        )


def file_sha256(path: str | Path, chunk: int = 4 * MB) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _check_writable_target(path: Path) -> None:
    """Refuse to replace anything that is not a regular file (a device, a FIFO, a folder)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path}: is not a regular file; the store will not replace it")


@contextlib.contextmanager
def _atomic(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one step."""
    _check_writable_target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        _check_writable_target(path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _options(events: pd.DataFrame) -> dict:
    def values(column: str) -> list[str]:
        if column not in events:
            return []
        return sorted(_counts(events[column]))

    dates = events["event_date"].dropna() if "event_date" in events else pd.Series([])
    return {
        "attackers": values("attacker"),
        "target_groups": values("target_group"),
        "event_types": values("event_type"),
        "attributions": values("attribution"),
        "first": dates.min().date().isoformat() if len(dates) else None,
        "last": dates.max().date().isoformat() if len(dates) else None,
    }


def _legend(events: pd.DataFrame) -> dict[str, int]:
    if "attacker" not in events:
        return {}
    return _counts(events["attacker"])


def _counts(values: pd.Series) -> dict[str, int]:
    """Events per distinct value; for categories, a count over the codes (no string copies)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        counts = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories))
        return {str(c): int(n) for c, n in zip(values.cat.categories, counts, strict=True) if n}
    counts = values.dropna().value_counts(sort=False)
    return {str(k): int(v) for k, v in counts.items()}


def _table(events: pd.DataFrame) -> pa.Table:
    """Arrow table of the events; extra columns of mixed types are carried through as text."""
    frame = events
    for column in events.columns:
        if events[column].dtype == object:
            sample = events[column].dropna()
            if len(sample) and not sample.map(type).eq(str).all():
                if frame is events:
                    frame = events.copy()
                frame[column] = events[column].map(lambda v: v if pd.isna(v) else str(v))
    return pa.Table.from_pandas(frame, preserve_index=False)


class Store:
    """Datasets on disk (or in a temporary folder when persistence is off) and their catalogue.

    Safe for the threads of one server and for several processes sharing a folder: catalogue
    changes hold an exclusive lock on ``<root>/.lock`` and are written atomically.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        if self.settings.root is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="conflict-map-store-")
            self.root = Path(self._tmp.name)
        else:
            self.root = self.settings.root
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.root / "datasets").mkdir(exist_ok=True, mode=0o700)
        self._thread_lock = threading.RLock()

    @property
    def persistent(self) -> bool:
        return self.settings.root is not None

    # -- catalogue ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock, open(self.root / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, dict]:
        path = self.root / CATALOGUE
        try:
            _check_writable_target(path)  # a FIFO or device would block or lie: refuse it
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: the catalogue cannot be read ({exc})") from exc
        return data.get("datasets", {}) if isinstance(data, dict) else {}

    def _write(self, datasets: dict[str, dict]) -> None:
        path = self.root / CATALOGUE
        with _atomic(path) as tmp:
            tmp.write_text(
                json.dumps(
                    {"schema_version": SCHEMA_VERSION, "datasets": datasets},
                    ensure_ascii=False,
                    indent=1,
                ),
                encoding="utf-8",
            )

    def _folder(self, dataset_id: str) -> Path:
        return self.root / "datasets" / dataset_id

    def path(self, dataset_id: str) -> Path:
        return self._folder(dataset_id) / EVENTS_FILE

    def total_bytes(self) -> int:
        return sum(int(d.get("bytes", 0)) for d in self._read().values())

    # -- writing -----------------------------------------------------------------------------

    def put(
        self,
        events: pd.DataFrame,
        *,
        name: str,
        format: str,
        problems: Sequence[Problem | str] = (),
        source_sha256: str = "",
        source_bytes: int = 0,
        dataset_id: str | None = None,
        kind: str = "import",
    ) -> Entry:
        """Store validated events; return their catalogue entry. Raises QuotaError."""
        s = self.settings
        if len(events) > s.max_dataset_rows:
            raise QuotaError(
                f"{name}: {len(events):,} events are more than this server keeps "
                f"for one dataset ({s.max_dataset_rows:,}; setting "
                "max_dataset_rows)"
            )
        dataset_id = dataset_id or secrets.token_urlsafe(16)
        folder = self._folder(dataset_id)
        staging = Path(tempfile.mkdtemp(prefix=f".{dataset_id}.", dir=self.root / "datasets"))
        try:
            table = _table(events)
            # The text file on a thread beside the Parquet file: both release the GIL, and at
            # 2.5M events together they take 1.75 s instead of 1.67 + 2.05 s one after the other.
            with ThreadPoolExecutor(max_workers=1) as pool:
                text = pool.submit(_write_text, table, _text_path(staging / EVENTS_FILE))
                pq.write_table(table, staging / EVENTS_FILE, row_group_size=256_000)
                text.result()  # its error, if any, is raised here
            del table
            (staging / PROBLEMS_FILE).write_text(
                "".join(f"{p}\n" for p in problems), encoding="utf-8"
            )
            size = sum(
                f.stat().st_size for f in (staging / EVENTS_FILE, _text_path(staging / EVENTS_FILE))
            )
            if size > s.max_dataset_mb * MB:
                raise QuotaError(
                    f"{name}: stored, it takes {size / MB:,.1f} MB, more than this "
                    f"server keeps for one dataset ({s.max_dataset_mb:,g} MB; "
                    "setting max_dataset_mb)"
                )
            now = time.time()
            entry = Entry(
                dataset_id,
                name,
                format,
                len(events),
                len(problems),
                PROBLEMS_FILE,
                datetime.now(UTC).isoformat(timespec="seconds"),
                source_sha256,
                SCHEMA_VERSION,
                size,
                source_bytes,
                kind,
                now,
                _options(events),
                _legend(events),
            )
            with self._locked():
                datasets = self._read()
                others = sum(int(d.get("bytes", 0)) for k, d in datasets.items() if k != dataset_id)
                if others + size > s.max_total_mb * MB:
                    raise QuotaError(
                        f"{name}: the store is full ({others / MB:,.1f} MB used of "
                        f"{s.max_total_mb:,g} MB; this dataset needs {size / MB:,.1f} MB). "
                        "Remove an import, or ask the operator to raise max_total_mb."
                    )
                if folder.exists():
                    old = folder.with_name(f".{dataset_id}.old.{secrets.token_hex(4)}")
                    os.replace(folder, old)
                    os.replace(staging, folder)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(staging, folder)
                datasets[dataset_id] = asdict(entry)
                self._write(datasets)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return entry

    def ensure_file(self, path: str | Path, loader=None) -> Entry:
        """The stored form of an events file given by path: converted only when its bytes
        (SHA-256) or the store's layout changed since the last time.

        `loader(path)` returns an object with ``.events`` and ``.problems`` (default:
        geo.events.load_events). Raises what the loader raises (DataFileError, OSError).
        """
        path = Path(path).resolve()
        info = regular_file(path)  # a FIFO or device would block every session on its read
        stamp = {
            "source_path": str(path),
            "source_mtime_ns": info.st_mtime_ns,
            "source_bytes": info.st_size,
        }
        datasets = self._read()
        for k, d in datasets.items():  # same path, same size and time: no need to hash it
            if (
                d.get("kind") == "file"
                and all(d.get(f) == v for f, v in stamp.items())
                and self._current(k, d)
            ):
                return self._entry(d)
        sha = file_sha256(path)
        dataset_id = FILE_PREFIX + sha[:40]
        if not self._current(dataset_id, datasets.get(dataset_id)):
            if loader is None:
                from geo.events import load_events as loader
            result = loader(path)
            self.put(
                result.events,
                name=path.name,
                format="events",
                problems=result.problems,
                source_sha256=sha,
                source_bytes=info.st_size,
                dataset_id=dataset_id,
                kind="file",
            )
        with self._locked():
            datasets = self._read()
            # Older conversions of the same path (its previous contents) are no longer needed.
            for k in [
                k
                for k, d in datasets.items()
                if k != dataset_id and d.get("kind") == "file" and d.get("source_path") == str(path)
            ]:
                datasets.pop(k)
                shutil.rmtree(self._folder(k), ignore_errors=True)
            datasets[dataset_id].update(stamp)
            self._write(datasets)
            return self._entry(datasets[dataset_id])

    def _current(self, dataset_id: str, data: dict | None) -> bool:
        """Is this catalogue entry usable as it is (same layout, file present)?"""
        return bool(
            data
            and data.get("schema_version") == SCHEMA_VERSION
            and self.path(dataset_id).is_file()
        )

    def remove(self, dataset_id: str) -> bool:
        """Delete a dataset for good: its files and its catalogue entry. True if it existed."""
        if not self._valid(dataset_id):
            return False
        with self._locked():
            datasets = self._read()
            existed = datasets.pop(dataset_id, None) is not None
            if existed:
                self._write(datasets)
            folder = self._folder(dataset_id)
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)
        return existed

    def sweep(self, now: float | None = None) -> list[str]:
        """Delete imports not opened for `retention_days`; return their ids."""
        days = self.settings.retention_days
        if not days:
            return []
        cutoff = (now if now is not None else time.time()) - days * 86400
        with self._locked():
            datasets = self._read()
            expired = [
                k
                for k, d in datasets.items()
                if d.get("kind") == "import" and float(d.get("used", 0)) < cutoff
            ]
            for k in expired:
                datasets.pop(k)
                shutil.rmtree(self._folder(k), ignore_errors=True)
            if expired:
                self._write(datasets)
        return expired

    def touch(self, dataset_id: str, now: float | None = None) -> None:
        """Record that a dataset was used (retention counts from the last use)."""
        with self._locked():
            datasets = self._read()
            if dataset_id in datasets:
                datasets[dataset_id]["used"] = now if now is not None else time.time()
                self._write(datasets)

    # -- reading -----------------------------------------------------------------------------

    @staticmethod
    def _valid(dataset_id: str) -> bool:
        return isinstance(dataset_id, str) and (
            IMPORT_ID.fullmatch(dataset_id) is not None
            or re.fullmatch(FILE_PREFIX + r"[0-9a-f]{40}", dataset_id) is not None
        )

    @staticmethod
    def _entry(data: dict) -> Entry:
        known = {f for f in Entry.__dataclass_fields__}
        return Entry(**{k: v for k, v in data.items() if k in known})

    def get(self, dataset_id: str, kind: str | None = None) -> Entry:
        """The catalogue entry of a dataset; UnknownDataset if the id is malformed or absent.

        The message never echoes the id (it came from a URL) beyond a short, safe prefix.
        """
        shown = re.sub(r"[^A-Za-z0-9_-]", "?", str(dataset_id)[:24])
        if not self._valid(dataset_id):
            raise UnknownDataset(
                f"The dataset id {shown!r} is not a valid id (it may have been "
                "cut or changed when the link was copied)."
            )
        data = self._read().get(dataset_id)
        if (
            data is None
            or (kind is not None and data.get("kind") != kind)
            or not self.path(dataset_id).is_file()
        ):
            raise UnknownDataset(
                f"No dataset has the id {shown!r}: it was removed, it expired, "
                "or the link is not complete."
            )
        return self._entry(data)

    def problems(self, dataset_id: str) -> list[str]:
        entry = self.get(dataset_id)
        path = self._folder(dataset_id) / entry.problems_file
        return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []

    def load(self, dataset_id: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The events as a pandas frame (text stored once per distinct value: categories)."""
        self.get(dataset_id)
        return read_events(self.path(dataset_id), columns)

    def load_together(self, ids: Sequence[str]) -> tuple[pd.DataFrame, list[int]]:
        """Several datasets' events as one frame, in order, without their long text (its row
        numbers, the index, are the engine's and :meth:`text`'s), and each one's row count."""
        parts = [
            self.load(i, [c for c in pq.read_schema(self.path(i)).names if c not in LONG_TEXT])
            for i in ids
        ]
        lengths = [len(part) for part in parts]
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        return frame, lengths

    def text(self, ids: Sequence[str]) -> pa.Table:
        """The long text (LONG_TEXT) of one or more datasets, in the order of
        :meth:`load_together`'s rows, memory-mapped. Several datasets' text is joined once
        into a file in the last one's folder (so it goes when that import is removed)."""
        for dataset_id in ids:
            self.get(dataset_id)  # an unknown id is refused here
        paths = [self.path(i) for i in ids]
        if len(paths) == 1:
            return _mapped_text(paths[0])
        key = hashlib.sha256("/".join(ids).encode()).hexdigest()[:16]
        return _mapped_or_written(
            self._folder(ids[-1]) / f"with-{key}{TEXT_SUFFIX}",
            sum(pq.read_metadata(p).num_rows for p in paths),
            lambda: pa.concat_tables([_mapped_text(p) for p in paths], promote_options="default"),
        )


def with_text(events: pd.DataFrame, text: pa.Table) -> pd.DataFrame:
    """`events` (rows of a frame of :meth:`Store.load_together`, its index their row numbers)
    with their long text columns from `text` (:meth:`Store.text`): only these rows are read.

    >>> events = pd.DataFrame({"event_id": ["c", "b"]}, index=[2, 1])
    >>> text = pa.table({"source_quote": ["A said", "B said", "C said"]})
    >>> with_text(events, text)["source_quote"].tolist()
    ['C said', 'B said']
    """
    missing = [c for c in text.column_names if c not in events.columns]
    if not missing:
        return events
    rows = pa.array(events.index.to_numpy(dtype=np.int64))
    taken = text.select(missing).take(rows)
    return events.assign(
        **{c: pd.Series(taken.column(c).to_pandas().array, index=events.index) for c in missing}
    )


def read_events(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    table = pq.read_table(path, columns=list(columns) if columns is not None else None)
    return to_frame(table)


NARROW = (pa.int8(), pa.int16(), pa.int32(), pa.int64())


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A stored table as the pandas frame the pages use, each nullable integer column in the
    narrowest of Int8/16/32 that holds its values: precisions (1-3) take a byte a row and
    counts four, not eight (a 2.5M-event frame holds six such columns: 135 MB as Int64, 45 MB
    narrowed). Narrowed in Arrow and handed over as values and a mask: pandas' own conversion
    of the six columns of 2.5M events, then narrowing them, took 0.47 s; this takes 0.04 s.
    Sums are taken as int64 or Python ints (geo.filters.summarise), never in the narrow type.

    >>> table = pa.Table.from_pandas(pd.DataFrame({
    ...     "n": pd.array([1, 3, None], dtype="Int64"),
    ...     "m": pd.array([70_000, 0, 0], dtype="Int64"),
    ...     "e": pd.array([None, None, None], dtype="Int64"),
    ...     "k": ["a", "b", "c"]}))
    >>> frame = to_frame(table)
    >>> frame.dtypes.astype(str).tolist(), frame["n"].tolist()
    (['Int8', 'Int32', 'Int8', 'str'], [1, 3, <NA>])
    """
    meta = table.schema.pandas_metadata or {}
    nullable = {c["name"] for c in meta.get("columns", []) if c.get("numpy_type") == "Int64"}
    names = [f.name for f in table.schema if f.name in nullable and pa.types.is_int64(f.type)]
    frame = table.drop_columns(names).to_pandas()
    for name in names:
        column = table.column(name)
        low, high = pc.min_max(column).values()
        narrow = next(
            t
            for t in NARROW
            if not low.is_valid
            or np.iinfo(t.to_pandas_dtype()).min <= low.as_py()
            and high.as_py() <= np.iinfo(t.to_pandas_dtype()).max
        )
        column = column.cast(narrow)
        mask = column.is_null().to_numpy() if column.null_count else np.zeros(len(column), bool)
        values = pd.arrays.IntegerArray(column.fill_null(0).to_numpy(), mask)
        frame.insert(table.schema.get_field_index(name), name, values)
    return frame


def _text_path(events_path: Path) -> Path:
    return events_path.with_suffix(TEXT_SUFFIX)


def _mapped(path: Path, rows: int) -> pa.Table | None:
    """The Arrow file at `path`, memory-mapped, if it is there and has `rows` rows. The
    kernel is told the reads are random: a popup's quote brings in its own page, not the
    128 KB of read-ahead around it (5,000 quotes of 1M would otherwise map the whole file)."""
    try:
        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        mapped.madvise(mmap.MADV_RANDOM)
        text = pa.ipc.open_file(pa.py_buffer(mapped)).read_all()
    except (OSError, ValueError, pa.ArrowInvalid):
        return None  # missing, empty or damaged: the caller writes it again
    return text if text.num_rows == rows else None


def _write_text(table: pa.Table, path: Path) -> None:
    """The long text columns of `table` as an uncompressed Arrow file, one chunk per column."""
    text = table.select([c for c in LONG_TEXT if c in table.column_names]).combine_chunks()
    with _atomic(path) as tmp, pa.OSFile(str(tmp), "wb") as sink:
        with pa.ipc.new_file(sink, text.schema) as writer:
            writer.write_table(text, max_chunksize=max(len(text), 1))


def _mapped_text(events_path: Path) -> pa.Table:
    """The long text of a dataset, memory-mapped. A dataset stored before the text file
    existed gets it now."""
    names = pq.read_schema(events_path).names
    return _mapped_or_written(
        _text_path(events_path),
        pq.read_metadata(events_path).num_rows,
        lambda: pq.read_table(events_path, columns=[c for c in LONG_TEXT if c in names]),
    )


def _mapped_or_written(path: Path, rows: int, build) -> pa.Table:
    """The text file at `path`, memory-mapped; written first from ``build()`` when it is
    missing or does not hold `rows` rows. Where it cannot be written, the text is kept in
    memory (and the operator told in the log)."""
    text = _mapped(path, rows)
    if text is not None:
        return text
    table = build()
    try:
        _write_text(table, path)
    except (OSError, StoreError) as exc:
        log.warning("%s: kept in memory (%s)", path, exc)
        return table.combine_chunks()
    return _mapped(path, rows) or table.combine_chunks()


# -- queries ---------------------------------------------------------------------------------


class Engine(Protocol):
    """What the app asks of an analytical engine: all of it, so another engine can stand in.

    ``paths`` are the Parquet files of one view of the data, read as one table in that order
    (the bundled data then the imports); row numbers count across them.
    """

    def rows(
        self, paths: Sequence[Path], state: FilterState, bounds: Bounds | None = None
    ) -> np.ndarray:
        """Row numbers (ascending) of the events matching the filters (and inside bounds)."""

    def count(
        self, paths: Sequence[Path], state: FilterState, bounds: Bounds | None = None
    ) -> dict[str, int]:
        """events, fatalities and injuries of the matching events."""

    def take(
        self, paths: Sequence[Path], rows: np.ndarray | None, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The given rows (all when None) with the given columns (all when None)."""

    def batches(
        self, paths: Sequence[Path], rows: np.ndarray | None, size: int = 100_000
    ) -> Iterator[pd.DataFrame]:
        """The given rows (all when None) with every column, in order, a batch at a time."""


def _bounds_ok(lat, lon, bounds: Bounds):
    """Expression-agnostic viewport test: works on polars expressions and numpy arrays."""
    inside = (lat >= bounds.south) & (lat <= bounds.north)
    if bounds.east - bounds.west >= 360:
        return inside
    west = (bounds.west + 180) % 360 - 180
    east = (bounds.east + 180) % 360 - 180
    if west <= east:
        return inside & (lon >= west) & (lon <= east)
    return inside & ((lon >= west) | (lon <= east))


def parquet_batches(
    paths: Sequence[Path], rows: np.ndarray | None, size: int = 100_000
) -> Iterator[pd.DataFrame]:
    """Rows of Parquet files read once, in order, one batch in memory at a time."""
    rows = None if rows is None else np.asarray(rows, dtype=np.int64)
    offset = 0
    for path in paths:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=size):
            n = batch.num_rows
            if rows is None:
                yield batch.to_pandas()
            else:
                lo, hi = np.searchsorted(rows, [offset, offset + n])
                if hi > lo:
                    yield batch.take(pa.array(rows[lo:hi] - offset)).to_pandas()
            offset += n


class PolarsEngine:
    """Polars' lazy Parquet scans: only the needed columns are read, nothing is kept."""

    batches = staticmethod(parquet_batches)

    def _scan(self, paths: Sequence[Path]):
        import polars as pl

        frames = [pl.scan_parquet(p) for p in paths]
        if len(frames) == 1:
            return frames[0]
        return pl.concat(frames, how="diagonal_relaxed")

    def _where(self, state: FilterState, bounds: Bounds | None):
        import polars as pl

        cond = pl.lit(True)
        for attr, column in MULTI_COLUMNS.items():
            chosen = getattr(state, attr)
            if chosen:
                cond &= pl.col(column).is_in(list(chosen))
        if state.start is not None:
            cond &= pl.col("event_date") >= datetime.combine(state.start, datetime.min.time())
        if state.end is not None:
            cond &= (
                pl.col("event_date")
                < (pd.Timestamp(state.end) + pd.Timedelta(days=1)).to_pydatetime()
            )
        if bounds is not None:
            cond &= _bounds_ok(pl.col("latitude"), pl.col("longitude"), bounds)
        return cond

    def rows(self, paths, state, bounds=None):
        import polars as pl

        out = (
            self._scan(paths)
            .with_row_index("_n")
            .filter(self._where(state, bounds))
            .select(pl.col("_n"))
            .collect()
        )
        return out["_n"].to_numpy().astype(np.int64, copy=False)

    def count(self, paths, state, bounds=None):
        import polars as pl

        out = (
            self._scan(paths)
            .filter(self._where(state, bounds))
            .select(
                pl.len().alias("events"),
                pl.col("fatalities").sum().alias("fatalities"),
                pl.col("injuries").sum().alias("injuries"),
            )
            .collect()
        )
        return {k: int(out[k][0] or 0) for k in ("events", "fatalities", "injuries")}

    def take(self, paths, rows=None, columns=None):
        import polars as pl

        lazy = self._scan(paths)
        if columns is not None:
            lazy = lazy.select(list(columns))
        if rows is None:
            return lazy.collect().to_pandas()
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return lazy.head(0).collect().to_pandas()
        # Read only the span the rows cover (row groups outside it are skipped), then gather.
        first = int(rows.min())
        span = lazy.slice(first, int(rows.max()) - first + 1).collect()
        return span[pl.Series(rows - first)].to_pandas()


class DuckDBEngine:
    """DuckDB over the same Parquet files (measured against Polars in bench/inprocess.py)."""

    def __init__(self) -> None:
        import duckdb

        self._con = duckdb.connect()
        self._lock = threading.Lock()

    def _from(self, paths: Sequence[Path]) -> str:
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        return f"read_parquet([{files}], file_row_number=true, union_by_name=true)"

    def _where(self, state: FilterState, bounds: Bounds | None) -> tuple[str, list]:
        parts, params = ["TRUE"], []
        for attr, column in MULTI_COLUMNS.items():
            chosen = getattr(state, attr)
            if chosen:
                parts.append(f"{column} IN ({', '.join('?' * len(chosen))})")
                params += list(chosen)
        if state.start is not None:
            parts.append("event_date >= ?")
            params.append(datetime.combine(state.start, datetime.min.time()))
        if state.end is not None:
            parts.append("event_date < ?")
            params.append((pd.Timestamp(state.end) + pd.Timedelta(days=1)).to_pydatetime())
        if bounds is not None:
            parts.append("latitude BETWEEN ? AND ?")
            params += [bounds.south, bounds.north]
            if bounds.east - bounds.west < 360:
                west = (bounds.west + 180) % 360 - 180
                east = (bounds.east + 180) % 360 - 180
                op = "AND" if west <= east else "OR"
                parts.append(f"(longitude >= ? {op} longitude <= ?)")
                params += [west, east]
        return " AND ".join(parts), params

    def rows(self, paths, state, bounds=None):
        if len(paths) != 1:  # file_row_number restarts per file: number the rows ourselves
            sql = (
                f"SELECT n FROM (SELECT row_number() OVER () - 1 AS n, * "
                f"FROM {self._from(paths)}) WHERE "
            )
        else:
            sql = f"SELECT file_row_number AS n FROM {self._from(paths)} WHERE "
        where, params = self._where(state, bounds)
        with self._lock:
            out = self._con.execute(sql + where + " ORDER BY n", params).fetchnumpy()["n"]
        return np.asarray(out, dtype=np.int64)

    def count(self, paths, state, bounds=None):
        where, params = self._where(state, bounds)
        with self._lock:
            row = self._con.execute(
                f"SELECT count(*), sum(fatalities), sum(injuries) FROM {self._from(paths)} "
                f"WHERE {where}",
                params,
            ).fetchone()
        return {
            "events": int(row[0] or 0),
            "fatalities": int(row[1] or 0),
            "injuries": int(row[2] or 0),
        }

    def take(self, paths, rows=None, columns=None):
        return PolarsEngine().take(paths, rows, columns)

    batches = staticmethod(parquet_batches)


def csv_chunks(
    engine: Engine, paths: Sequence[Path], rows: np.ndarray | None, chunk: int = 50_000
) -> Iterator[bytes]:
    """The CSV export (geo.export's format) of the given rows (ascending; all when None), a
    chunk of rows at a time: memory stays bounded by one chunk, whatever the number of rows."""
    from geo.export import csv_chunks as chunks

    return chunks(export_parts(engine, paths, rows, chunk))


def geojson_chunks(
    engine: Engine, paths: Sequence[Path], rows: np.ndarray | None, chunk: int = 50_000
) -> Iterator[bytes]:
    """The GeoJSON export of the given rows, a chunk at a time (as :func:`csv_chunks`)."""
    from geo.export import geojson_chunks as chunks

    return chunks(export_parts(engine, paths, rows, chunk))


def export_parts(
    engine: Engine, paths: Sequence[Path], rows: np.ndarray | None, chunk: int
) -> Iterator[pd.DataFrame]:
    """The given rows with every column, a batch at a time, for geo.export's writers. Every
    part has the columns of all the files (one file may lack an optional column, such as
    event_date_end, that another has), so one header fits every row; no rows give one empty
    part (the header alone)."""
    empty = engine.take(paths, np.array([], dtype=np.int64))
    columns = list(empty.columns)
    parts = 0
    for part in engine.batches(paths, rows, chunk):
        parts += 1
        yield part.reindex(columns=columns)
    if not parts:
        yield empty
