"""Streamlit pieces every page shares: the dataset, the sidebar filters and their URL state.

Each filter widget is bound to a URL parameter of the same name (Streamlit's
``bind="query-params"``): ``attacker``, ``target_group`` and ``event_type`` (repeat the key for
several values), ``start`` and ``end`` (YYYY-MM-DD). The binding also keeps the filters when the
user moves between pages. The map view (``lat``, ``lon``, ``zoom``) is written by the map page.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from pandas.api.types import union_categoricals

from geo import duplicates
from geo.actors import canonicalise
from geo.cache import FrameCache, free_large_blocks_at_once, share_heaps
from geo.filters import (
    FilterState,
    Options,
    View,
    date_bounds,
    filter_events,
    parse_query,
    summarise,
)
from geo.ingest import limits
from geo.problems import DataFileError, Problem, SettingError
from geo.review import ImportReview, review_import
from geo.schema import COLUMN_NAMES, EVENTS_CSV, ROOT
from geo.store import (
    Entry,
    PolarsEngine,
    Settings,
    Store,
    StoreError,
    UnknownDataset,
    session_limit,
)
from geo.store import with_text as store_with_text
from geo.text import escape_markdown
from state import DATA_KEY, DATASET_MODE, IMPORT_BYTES, IMPORTS, URL_DATA_NOTES

log = logging.getLogger(__name__)

# Session-state keys: named in state.py, the one place for them (kept here under these names).
MODE = DATASET_MODE
MODES = {"beside": "beside the bundled data", "instead": "instead of the bundled data"}


@dataclass
class Dataset:
    events: pd.DataFrame
    problems: list[Problem | str]
    label: str
    error: str | None = None
    options: Options | None = None  # precomputed when stored
    legend: dict[str, int] = field(default_factory=dict)  # attacker -> events, precomputed
    ids: tuple[str, ...] = ()  # store ids, in row order
    duplicates_note: str | None = None  # why possible duplicates were not looked for


def events_path() -> Path:
    """The events file: `streamlit run app.py -- --events PATH`, else the bundled dataset."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--events", type=Path, default=EVENTS_CSV)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.events.expanduser().resolve()


# One store per server process (key: none; size: 1; lifetime: the process). Settings come
# from CONFLICT_MAP_* environment variables and app arguments after `--` (see geo.store).
@st.cache_resource(show_spinner=False)
def store() -> Store:
    # Arrow's buffers from the C library's allocator, not its own (mimalloc): what a closed
    # session freed is then handed back by geo.cache.give_back_memory (5 import sessions
    # measured: back to the one-session size within 4 minutes, against 20% with mimalloc),
    # for imports about a fifth slower at a million rows.
    pa.set_memory_pool(pa.system_memory_pool())
    free_large_blocks_at_once()  # a page run's large copies go back when freed (geo.cache)
    share_heaps()  # the page runs' threads share two heaps (geo.cache)
    limits.configure(sys.argv[1:])  # the file reader's limits: the same arguments, same env
    s = Store(Settings.from_sources(sys.argv[1:]))
    s.sweep()  # imports past their retention go at each server start
    return s


# The stored form of the file the app was started with. Key: path, modification time and
# size (a changed file gets a new key, then store.ensure_file compares its SHA-256); size: 4
# small entries; lifetime: the process.
@st.cache_resource(show_spinner="Preparing the events…", max_entries=4)
def _file_entry(path: str, modified_ns: int, size: int) -> tuple[Entry | None, str | None]:
    try:
        return store().ensure_file(path), None
    except (DataFileError, StoreError, OSError) as exc:
        return None, str(exc)


# The frames of every session: one per combination of datasets, shared, read-only. Bounded by
# memory (setting frames_mb: geo.cache.FrameCache measures each frame), by entries (4) and by
# idle time (setting frames_idle_s, 10 minutes unused; swept every minute: the frames of
# closed sessions' imports go, and freed memory is handed back to the system).
FRAME_ENTRIES = 4


@st.cache_resource(show_spinner=False)
def frames() -> FrameCache:
    settings = store().settings
    return FrameCache(int(settings.frames_mb * 1024 * 1024), FRAME_ENTRIES, settings.frames_idle_s)


def _frame(ids: tuple[str, ...]) -> pd.DataFrame:
    """Events of one or more stored datasets as one frame, with the possible duplicates across
    them flagged (geo.duplicates: computed once, so the table, the map's popups and the
    exports all carry the same flags). Key: the dataset ids in order (ids name content that
    never changes: a file's id is its hash, an import is never rewritten)."""
    return frames().get(ids, lambda: _load_frame(ids))


def _load_frame(ids: tuple[str, ...]) -> pd.DataFrame:
    with st.spinner("Loading events…"):
        frame, lengths = store().load_together(ids)
        labels, start = [], 0
        for i, n in zip(ids, lengths, strict=True):
            # Each import is a dataset of its own, so a file imported twice is flagged too; the
            # file the app started with keeps the datasets its rows name
            # (geo.duplicates.dataset_of). As categories: no string per event.
            part = frame.iloc[start : start + n]
            labels.append(
                pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [f"import {i}"])
                if store().get(i).kind == "import"
                else pd.Categorical(duplicates.dataset_of(part))  # its codes, if categories
            )
            start += n
        return flag_duplicates(frame, union_categoricals(labels))


# The long text (geo.store.LONG_TEXT: quotes, date intervals) of a view of the data,
# memory-mapped. Key: the dataset ids; size: 8 file mappings (the bytes stay in the files, in
# the system's page cache); lifetime: 10 minutes unused.
@st.cache_resource(max_entries=8, ttl=600, show_spinner=False)
def _text(ids: tuple[str, ...]) -> pa.Table:
    return store().text(ids)


def with_text(data: Dataset, events: pd.DataFrame) -> pd.DataFrame:
    """`events` (rows of ``data.events``) with their quotes and date intervals, read for these
    rows only: the session's frames hold no long text (geo.store.LONG_TEXT)."""
    return events if not data.ids else store_with_text(events, _text(data.ids))


def text_batches(data: Dataset, events: pd.DataFrame, size: int = 100_000):
    """`events` with their long text, `size` rows at a time (what an export writes)."""
    for start in range(0, len(events), size):
        yield with_text(data, events.iloc[start : start + size])


def export_later(data: Dataset, events: pd.DataFrame):
    """What a download button writes when clicked: `events` (rows of ``data.events``) with
    their long text, a batch at a time. It keeps the row numbers, not the rows: a session's
    button would otherwise keep its own copy of the events alive (at 1M, ~110 MB each)."""
    frame = data.events
    rows = None if events is frame else events.index.to_numpy()
    return lambda: text_batches(data, frame if rows is None else frame.loc[rows])


DUPLICATES_NOTE = "duplicates_unchecked"  # frame.attrs key: why no duplicate was looked for


def flag_duplicates(frame: pd.DataFrame, datasets) -> pd.DataFrame:
    """``frame`` with geo.duplicates' columns added in place (text as categories: a million
    unflagged events cost a few megabytes), bounded by geo.duplicates.LIMIT: above it the
    columns say "none" and ``frame.attrs[DUPLICATES_NOTE]`` says why."""
    probe = frame[duplicates.needed(frame)].assign(dataset=datasets)
    found = duplicates.flags(probe)
    for column in ("possible_duplicate_of", "duplicate_rule"):
        frame[column] = found[column].array  # categories (geo.duplicates.flags)
    frame["duplicate_copy"] = found["duplicate_copy"].to_numpy()
    note = duplicates.unchecked(probe)
    if note:
        frame.attrs[DUPLICATES_NOTE] = note
    return frame


def _empty() -> pd.DataFrame:
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMN_NAMES})
    empty["event_date"] = pd.to_datetime(empty["event_date"])
    return empty


def base_entry() -> tuple[Entry | None, str | None]:
    """The store's entry of the file the app was started with, converting it when needed.

    The cached entry is checked against the store: if its files were removed meanwhile (by
    retention, a deployer, or another process sharing the store), the file is stored again
    rather than every page failing on a dataset that is gone.
    """
    path = events_path()
    try:
        info = path.stat()
        key = (info.st_mtime_ns, info.st_size)
    except OSError:
        key = (0, 0)
    entry, error = _file_entry(str(path), *key)
    if entry is not None:
        try:
            store().get(entry.id)
        except UnknownDataset:
            _file_entry.clear()
            frames().clear()
            entry, error = _file_entry(str(path), *key)
    return entry, error


def base_dataset() -> Dataset:
    """The file the app was started with: the bundled dataset or `-- --events PATH`."""
    path = events_path()
    label = "bundled dataset" if path == EVENTS_CSV.resolve() else path.name
    entry, error = base_entry()
    if entry is None:
        return Dataset(_empty(), [], label, error, Options([], [], [], None, None))
    return _with_note(
        Dataset(
            _frame((entry.id,)),
            store().problems(entry.id),
            label,
            None,
            entry.filter_options(),
            dict(entry.legend),
            (entry.id,),
        )
    )


def warm_up() -> None:
    """Do now what the first visit would otherwise wait for: import the libraries of the
    first page run (_import_first_run_libraries: folium, branca, jinja2 take about 0.6 s),
    load the file the app was started with into the shared frames and plan the map's first
    view of it (plan_first_view). serve.py runs it on a thread as the server starts, while the
    first browser is still loading Streamlit's page. Outside a page run: st calls here do
    nothing.

    Not streamlit_folium, nor the pages' modules: they declare Streamlit components when
    imported, and a component declared before the server runs is never served (a blank map).
    """
    # The imports (Python: they hold the interpreter's lock) run while the events are read
    # (pyarrow lets go of it): at 2.5M events, warm_up took 1.3 s instead of 1.5 s.
    imports = threading.Thread(
        target=_import_first_run_libraries, name="warm-up-imports", daemon=True
    )
    imports.start()
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "missing ScriptRunContext", once per st call
    try:
        data = base_dataset()
        imports.join()
        if data.ids:
            plan_first_view(data)
    finally:
        quiet.setLevel(level)


def _import_first_run_libraries() -> None:
    """Import what the first page run would otherwise import itself: the map's libraries, and
    PIL (st.set_page_config reads the favicon with it: 0.09 s); then fill the table of loaded
    modules by file in which declare_component (the map's components) looks up its caller
    with inspect.getmodule: its first call walks every loaded module (0.15 s)."""
    import inspect

    import folium.plugins  # noqa: F401
    import PIL.Image  # noqa: F401

    from geo import mapview  # noqa: F401

    inspect.getmodule(sys._getframe())


def _with_note(data: Dataset) -> Dataset:
    data.duplicates_note = data.events.attrs.get(DUPLICATES_NOTE)
    return data


@dataclass(frozen=True)
class Imported:
    """A file imported into the store; the session (and the URL) hold only its id."""

    id: str
    name: str
    format: str
    rows: int
    problems: int


def _entries(ids: list[str]) -> tuple[list[Entry], list[str]]:
    found, notes = [], []
    for dataset_id in ids:
        try:
            found.append(store().get(dataset_id, kind="import"))
        except UnknownDataset as exc:
            notes.append(f"{exc} Showing the data without it.")
    return found, notes


def imports() -> list[Imported]:
    """This session's imports. On a session's first run they come from the URL (?data=...)."""
    if IMPORTS not in st.session_state:
        asked = list(dict.fromkeys(st.query_params.get_all(DATA_KEY)))
        found, notes = _entries(asked[:50])
        for entry in found:
            store().touch(entry.id)
        st.session_state[IMPORTS] = [e.id for e in found]
        st.session_state[URL_DATA_NOTES] = notes
    found, _ = _entries(st.session_state[IMPORTS])
    if len(found) != len(st.session_state[IMPORTS]):  # removed in another tab, or expired
        st.session_state[IMPORTS] = [e.id for e in found]
    _sync_url([e.id for e in found])
    return [Imported(e.id, e.name, e.format, e.rows, e.problems) for e in found]


def _sync_url(ids: list[str]) -> None:
    if st.query_params.get_all(DATA_KEY) != ids:
        if ids:
            st.query_params[DATA_KEY] = ids
        else:
            del st.query_params[DATA_KEY]


def import_limits() -> Settings:
    return store().settings


def check_import_allowed(size: int) -> str | None:
    """Why this session may not import a file of `size` bytes now, or None if it may."""
    return session_limit(
        import_limits(),
        len(st.session_state.get(IMPORTS, [])),
        st.session_state.get(IMPORT_BYTES, 0),
        size,
    )


@dataclass
class PendingImport:
    """A converted file, reviewed and not yet stored: the Import page asks what to do with the
    events that may already be in the data before it stores them."""

    name: str
    size: int
    result: object  # geo.ingest's ImportResult (format, problems, notes, summary)
    events: pd.DataFrame  # canonical actor names
    review: ImportReview


def review_file(result, name: str, size: int) -> PendingImport:
    """Map the file's actor names onto data/actors.csv (one actor, one name) and review the
    import against the data it will be shown beside (this session's data: the base data and
    earlier imports, or the earlier imports alone when they replace it) and against an earlier
    import of a file of the same name in this session."""
    events, unmatched = canonicalise(result.events)
    earlier = [i.id for i in imports() if i.name == name]
    review = review_import(
        events, dataset().events, unmatched, store().load(earlier[-1]) if earlier else None
    )
    return PendingImport(name, size, result, events, review)


def add_import(
    pending: PendingImport, leave_out_duplicates: bool = False
) -> tuple[Imported | None, ImportReview]:
    """Store a reviewed file for good and show it in this session (raises QuotaError); with
    ``leave_out_duplicates`` the events that may already be in the data are not stored, and
    the review says which. None when nothing is left to store."""
    review = pending.review
    events = review.leave_out(pending.events) if leave_out_duplicates else pending.events
    if not leave_out_duplicates:
        review.keep()
    if events.empty:
        return None, review
    result = pending.result
    entry = store().put(
        events,
        name=pending.name,
        format=result.format,
        problems=result.problems,
        source_bytes=pending.size,
    )
    st.session_state[IMPORT_BYTES] = st.session_state.get(IMPORT_BYTES, 0) + pending.size
    ids = [*st.session_state.get(IMPORTS, []), entry.id]
    st.session_state[IMPORTS] = ids
    _sync_url(ids)
    return Imported(entry.id, entry.name, entry.format, entry.rows, entry.problems), review


def remove_import(dataset_id: str) -> None:
    """Delete an import for good (files and catalogue entry) and drop it from the session."""
    store().remove(dataset_id)
    ids = [i for i in st.session_state.get(IMPORTS, []) if i != dataset_id]
    st.session_state[IMPORTS] = ids
    _sync_url(ids)
    frames().clear()  # frames holding its rows go now, not at the end of their lifetime


def import_problems(dataset_id: str) -> list[str]:
    return store().problems(dataset_id)


def _merge_options(entries: list[Entry]) -> Options:
    opts = [e.filter_options() for e in entries]
    firsts = [o.first for o in opts if o.first]
    lasts = [o.last for o in opts if o.last]
    return Options(
        sorted({a for o in opts for a in o.attackers}),
        sorted({t for o in opts for t in o.target_groups}),
        sorted({t for o in opts for t in o.event_types}),
        min(firsts) if firsts else None,
        max(lasts) if lasts else None,
        sorted({b for o in opts for b in o.attributions}),
    )


def dataset() -> Dataset:
    """What this session sees: the base data, with its imports beside it or instead of it."""
    base = base_dataset()
    items = imports()
    if not items:
        return base
    mode = st.session_state.get(MODE, "beside")
    entries = [store().get(i.id) for i in items]
    if mode == "beside" and base.ids:
        entries = [store().get(base.ids[0]), *entries]
    ids = tuple(e.id for e in entries)
    legend: dict[str, int] = {}
    for e in entries:
        for attacker, n in e.legend.items():
            legend[attacker] = legend.get(attacker, 0) + n
    names = ", ".join(i.name for i in items)
    label = (
        f"{base.label} and imported {names}"
        if mode == "beside"
        else f"imported {names} (without the {base.label})"
    )
    return _with_note(
        Dataset(
            _frame(ids),
            base.problems if mode == "beside" else [],
            label,
            base.error,
            _merge_options(entries),
            legend,
            ids,
        )
    )


LOAD_FAILED = (
    "The events file could not be loaded: it is missing, unreadable or not an "
    "events file (the details are in the server's log). No events are shown."
)
_logged_errors: set[str] = set()


def show_problems(data: Dataset) -> None:
    """The load error (without the file's content: visitors see a fixed sentence, the operator
    the details in the log) and the row problems, as text."""
    if data.error:
        if data.error not in _logged_errors:
            _logged_errors.add(data.error)
            log.error("could not load the events file %s: %s", events_path(), data.error)
        st.error(LOAD_FAILED)
    if data.problems:
        with st.expander(
            f"⚠️ {len(data.problems)} row problem(s) in "
            f"{escape_markdown(data.label)}: those rows are left out",
            expanded=len(data.problems) <= 5,
        ):
            st.text("\n".join(str(p) for p in data.problems[:500]))
            if len(data.problems) > 500:
                st.caption(f"… and {len(data.problems) - 500} more.")


def _check_url(options: Options) -> tuple[list[str], View | None]:
    """On a session's first run, explain URL values that will be ignored; return the URL view."""
    if "url_notes" not in st.session_state:
        params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
        state, view, notes = parse_query(params, options)
        st.session_state["url_notes"] = notes
        st.session_state["url_view"] = view
        st.session_state["url_dates"] = (state.start, state.end)  # a note already covers them
    return st.session_state["url_notes"], st.session_state["url_view"]


def sidebar_filters(
    events: pd.DataFrame, options: Options | None = None
) -> tuple[FilterState, list[str]]:
    """Draw the shared filters; return the state and notes about ignored URL values."""
    options = options or Options.of(events)
    notes, _ = _check_url(options)
    first = options.first or date.today()
    last = options.last or date.today()
    earliest, latest = date_bounds(options)  # parse_query checks URL dates against the same
    with st.sidebar:
        st.header("Filters")
        attackers = st.multiselect(
            "Attacker",
            options.attackers,
            key="attacker",
            bind="query-params",
            placeholder="All attackers",
        )
        targets = st.multiselect(
            "Target group",
            options.target_groups,
            key="target_group",
            bind="query-params",
            placeholder="All target groups",
        )
        types = st.multiselect(
            "Event type",
            options.event_types,
            key="event_type",
            bind="query-params",
            placeholder="All event types",
        )
        bases = st.multiselect(
            "Attribution",
            options.attributions,
            key="attribution",
            bind="query-params",
            placeholder="Any attribution basis",
            help="How the source knows who the attacker is (About the "
            "data: “Who did it, and how we know”)",
        )
        # Empty means "no limit", so the range never goes stale when the data changes.
        start = st.date_input(
            "From",
            value=None,
            min_value=earliest,
            max_value=latest,
            key="start",
            bind="query-params",
            format="YYYY-MM-DD",
            help=f"Empty: from the first event ({first})",
        )
        end = st.date_input(
            "To",
            value=None,
            min_value=earliest,
            max_value=latest,
            key="end",
            bind="query-params",
            format="YYYY-MM-DD",
            help=f"Empty: to the last event ({last})",
        )
        if start and end and start > end and (start, end) != st.session_state.get("url_dates"):
            st.warning(f"From {start} is after To {end}: no event can match.")
    state = FilterState(
        tuple(attackers),
        tuple(targets),
        tuple(types),
        start or None,
        end or None,
        attributions=tuple(bases),
    )
    return state, notes


@dataclass
class Page:
    data: Dataset
    state: FilterState
    shown: pd.DataFrame
    notes: list[str]


FAVICON = str(ROOT / "static" / "favicon.png")  # a local file: an icon name would be fetched


def through_the_app() -> None:
    """Run this page through app.py's menu (st.navigation) even when it was opened first.

    Until app.py has run once in a process, Streamlit treats the app as an old-style pages/
    folder app: a link straight to a page (/Events, /Sources?event=...) on a fresh server ran
    that file alone, under a menu of the folder's files, the map named "app". So the first such
    run hands over, once a process: it turns that mode off, as st.navigation does when called,
    and runs again from app.py, which opens the same page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page(title: str) -> Page:
    """Start a page: config, the session's dataset, the shared filters, problems and notes.

    Every page calls this first, so filters, URL state and dataset behave the same everywhere.
    """
    through_the_app()
    st.set_page_config(page_title=f"{title} · Conflict event map", page_icon=FAVICON, layout="wide")
    try:
        store()  # the deployment's settings are read here: a wrong one stops every page
    except (SettingError, StoreError) as exc:
        st.error(f"The app cannot start: {escape_markdown(str(exc))}. Fix the setting.", icon="⚠️")
        st.stop()
    data = dataset()
    state, notes = sidebar_filters(data.events, data.options)
    shown = filtered(data, state)
    notes = [*st.session_state.get(URL_DATA_NOTES, []), *notes]
    return Page(data, state, shown, notes)


def show_status(p: Page) -> None:
    """The dataset's row problems and the notes about ignored URL values."""
    show_problems(p.data)
    show_notes(p.notes)


NO_MATCH = "No events match these filters. Clear a filter in the sidebar to see events."


def show_overview(p: Page) -> None:
    """Problems, URL notes, the counts that follow the filters, and a note when none match."""
    show_status(p)
    show_counts(p.shown, len(p.data.events))
    if p.shown.empty:
        st.warning(NO_MATCH)


def url_view() -> View | None:
    return st.session_state.get("url_view")


# Row numbers of the events that match a filter state, from a query over the Parquet files
# (not from the frames in memory). Key: dataset ids and the filter state; size: 32 entries of
# at most 4 bytes per event (int32; 4 MB at a million events); lifetime: 10 minutes.
@st.cache_resource(max_entries=32, ttl=600, show_spinner=False)
def _rows(ids: tuple[str, ...], state: FilterState) -> np.ndarray | None:
    if state == FilterState():
        return None  # every event
    rows = ENGINE.rows([store().path(i) for i in ids], state)
    return rows.astype(np.int32) if len(rows) and rows.max() < 2**31 else rows


ENGINE = PolarsEngine()  # measured against DuckDB by python -m bench: faster on these queries


# The filtered frames (what the pages show), shared by the sessions that filter alike and
# bounded by memory: a session keeps its filter state, not its frame (its map fragment and
# buttons re-ask here), so ten sessions with ten filters no longer hold ten copies (2.5M
# events: 45 MB each). Key: dataset ids and filter state; size: setting shown_mb (128 MB)
# and 16 entries; lifetime: the frames' idle time (setting frames_idle_s). A miss costs a
# take (2.5M events, 650k shown: 0.1 s).
@st.cache_resource(show_spinner=False)
def shown_frames() -> FrameCache:
    settings = store().settings
    return FrameCache(int(settings.shown_mb * 1024 * 1024), 16, settings.frames_idle_s)


def filtered(data: Dataset, state: FilterState) -> pd.DataFrame:
    """The events that match the filters: the dataset itself when nothing is filtered."""
    if not data.ids:
        return filter_events(data.events, state)
    rows = _rows(data.ids, state)
    if rows is None:
        return data.events
    return shown_frames().get((data.ids, state), lambda: data.events.take(rows))


def page_of(data: Dataset, state: FilterState) -> Page:
    """A page's data and filters again, from what a fragment or a button callback kept (the
    state, not the frame: see shown_frames)."""
    return Page(data, state, filtered(data, state), [])


# The map's layer (points, grid cells or density squares, and the legend) of a filtered
# dataset at a view, shared by the sessions that look at the same events the same way: every
# first visit opens the same view (warm_up plans it as the server starts), and a small pan
# snaps to the same grid. Key: dataset ids, filter state, layer, zoom and the view snapped to
# the grid (geo.mapview.snap: the plan depends on the view through it alone); size: 16
# entries of a few cells, or at most POINT_LIMIT events (about 2 MB with their quotes);
# lifetime: 10 minutes. A miss costs the plan (2.5M events: 0.1-0.45 s).
@st.cache_resource(max_entries=16, ttl=600, show_spinner=False)
def planned(ids, state, layer, zoom, snapped, _shown, _colors, _bounds, _text):
    from geo.mapview import plan_view

    return plan_view(_shown, _colors, _bounds, zoom, layer, _text)


def map_colors(data: Dataset) -> dict[str, str]:
    """Each attacker's colour (geo.mapview.attacker_colors), in the order of the dataset's
    legend, counted once when it was stored: the map and the timeline use the same."""
    from geo.mapview import attacker_colors

    return attacker_colors(data.events, data.legend or None)


def cached_plan(data: Dataset, state: FilterState, shown, colors, bounds, zoom: int, layer: str):
    """The map's layer of `shown` (the events of `data` that `state` leaves) from planned."""
    from geo.mapview import snap

    text = partial(with_text, data)
    return planned(data.ids, state, layer, zoom, snap(bounds, zoom), shown, colors, bounds, text)


def plan_first_view(data: Dataset) -> None:
    """Plan the layer a first visit with no filter and no view in its URL opens (the map page
    frames every event, before the browser reports its size): at 2.5M events, its grid cells
    took 0.45 s of that visit."""
    from geo import viewstate

    drawn = viewstate.drawing(viewstate.start(None, viewstate.events_bounds(data.events)))
    cached_plan(
        data, FilterState(), data.events, map_colors(data), drawn.bounds, drawn.zoom, "points"
    )


def show_notes(notes: list[str]) -> None:
    """Notes about URL values; they quote the URL, so they are shown as text, never markdown."""
    for note in notes:
        st.info(escape_markdown(note), icon="🔗")


NOT_REPORTED = "not reported"  # a total of no figures is unknown, not 0


def show_counts(events: pd.DataFrame, total: int) -> None:
    s = summarise(events)
    a, b, c = st.columns(3)
    a.metric("Events shown", f"{s.events:,}", help=f"of {total:,} in the dataset")
    b.metric(
        "Fatalities",
        f"{s.fatalities:,}" if s.fatalities_reported else NOT_REPORTED,
        help=f"{s.without_fatality_figure} shown event(s) have no fatality figure "
        "for them alone; multi-site totals are on the About the data page",
    )
    c.metric(
        "Injuries",
        f"{s.injuries:,}" if s.injuries_reported else NOT_REPORTED,
        help=f"{s.without_injury_figure} shown event(s) have no injury figure",
    )


def compact_counts(events: pd.DataFrame, total: int, label: str) -> None:
    """The counts that follow the filters, side by side on one line (the map's compact header).

    The same metrics as show_counts ("Events shown", "Fatalities", "Injuries"), sized to their
    content so that they sit beside the title; the map page styles them smaller.
    """
    from geo.text import plural

    s = summarise(events)
    with st.container(horizontal=True, gap="medium", key="counts", width="content"):
        st.metric(
            "Events shown",
            f"{s.events:,}",
            width="content",
            help=f"of {total:,} in the {escape_markdown(label)}",
        )
        st.metric(
            "Fatalities",
            f"{s.fatalities:,}" if s.fatalities_reported else NOT_REPORTED,
            width="content",
            help=f"{plural(s.without_fatality_figure, 'shown event')} without a fatality "
            "figure of its own; multi-site totals are on the About the data page",
        )
        st.metric(
            "Injuries",
            f"{s.injuries:,}" if s.injuries_reported else NOT_REPORTED,
            width="content",
            help=f"{plural(s.without_injury_figure, 'shown event')} without an injury figure",
        )
