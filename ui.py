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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.actors import canonicalise
from geo.events import load_events
from geo.filters import (
    FilterState,
    Options,
    View,
    date_bounds,
    filter_events,
    parse_query,
    summarise,
)
from geo.problems import DataFileError, Problem
from geo.schema import EVENTS_CSV, ROOT
from geo.text import escape_markdown

log = logging.getLogger(__name__)


@dataclass
class Dataset:
    events: pd.DataFrame
    problems: list[Problem]
    label: str
    error: str | None = None


def events_path() -> Path:
    """The events file: `streamlit run app.py -- --events PATH`, else the bundled dataset."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--events", type=Path, default=EVENTS_CSV)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.events.expanduser().resolve()


@st.cache_resource(show_spinner="Loading events…", max_entries=4)
def _load(path: str, modified: float) -> tuple[pd.DataFrame, list[Problem], str | None]:
    """Load an events file once for every session (read-only: nothing mutates the frame)."""
    try:
        result = load_events(path)
    except (DataFileError, OSError) as exc:
        from geo.schema import COLUMN_NAMES

        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMN_NAMES})
        empty["event_date"] = pd.to_datetime(empty["event_date"])
        return empty, [], str(exc)
    return result.events, result.problems, None


def base_dataset() -> Dataset:
    """The file the app was started with: the bundled dataset or `-- --events PATH`."""
    path = events_path()
    modified = path.stat().st_mtime if path.exists() else 0.0
    events, problems, error = _load(str(path), modified)
    label = "bundled dataset" if path == EVENTS_CSV.resolve() else path.name
    return Dataset(events, problems, label, error)


@dataclass(frozen=True)
class Imported:
    """A file imported in this browser session (kept in st.session_state, never on disk)."""

    name: str
    format: str
    events: pd.DataFrame = field(repr=False, compare=False, hash=False)
    summary: str = ""


IMPORTS = "imported_files"
MODES = {"beside": "beside the bundled data", "instead": "instead of the bundled data"}


def imports() -> list[Imported]:
    return st.session_state.setdefault(IMPORTS, [])


def add_import(item: Imported) -> None:
    st.session_state[IMPORTS] = [i for i in imports() if i.name != item.name] + [item]
    st.session_state.pop("_combined", None)


def remove_import(name: str) -> None:
    st.session_state[IMPORTS] = [i for i in imports() if i.name != name]
    st.session_state.pop("_combined", None)


def dataset() -> Dataset:
    """What this session sees: the base data, with its imports beside it or instead of it."""
    base = base_dataset()
    items = imports()
    if not items:
        return base
    mode = st.session_state.get("dataset_mode", "beside")
    key = (mode, base.label, id(base.events), tuple(i.name for i in items))
    cached = st.session_state.get("_combined")
    if cached is None or cached[0] != key:
        # One actor, one name: imported spellings map onto data/actors.csv (geo.actors).
        frames = [canonicalise(i.events)[0] for i in items]
        if mode == "beside":
            frames = [base.events, *frames]
        combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        st.session_state["_combined"] = cached = (key, combined)
    names = ", ".join(i.name for i in items)
    label = (f"{base.label} and imported {names}" if mode == "beside"
             else f"imported {names} (without the {base.label})")
    return Dataset(cached[1], base.problems if mode == "beside" else [], label, base.error)


LOAD_FAILED = ("The events file could not be loaded: it is missing, unreadable or not an "
               "events file (the details are in the server's log). No events are shown.")
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
        with st.expander(f"⚠️ {len(data.problems)} row problem(s) in "
                         f"{escape_markdown(data.label)}: those rows are left out",
                         expanded=len(data.problems) <= 5):
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


def sidebar_filters(events: pd.DataFrame) -> tuple[FilterState, list[str]]:
    """Draw the shared filters; return the state and notes about ignored URL values."""
    options = Options.of(events)
    notes, _ = _check_url(options)
    first = options.first or date.today()
    last = options.last or date.today()
    earliest, latest = date_bounds(options)  # parse_query checks URL dates against the same
    with st.sidebar:
        st.header("Filters")
        attackers = st.multiselect("Attacker", options.attackers, key="attacker",
                                   bind="query-params", placeholder="All attackers")
        targets = st.multiselect("Target group", options.target_groups, key="target_group",
                                 bind="query-params", placeholder="All target groups")
        types = st.multiselect("Event type", options.event_types, key="event_type",
                               bind="query-params", placeholder="All event types")
        bases = st.multiselect("Attribution", options.attributions, key="attribution",
                               bind="query-params", placeholder="Any attribution basis",
                               help="How the source knows who the attacker is (About the "
                                    "data: “Who did it, and how we know”)")
        # Empty means "no limit", so the range never goes stale when the data changes.
        start = st.date_input("From", value=None, min_value=earliest, max_value=latest,
                              key="start", bind="query-params", format="YYYY-MM-DD",
                              help=f"Empty: from the first event ({first})")
        end = st.date_input("To", value=None, min_value=earliest, max_value=latest,
                            key="end", bind="query-params", format="YYYY-MM-DD",
                            help=f"Empty: to the last event ({last})")
        if start and end and start > end and (start, end) != st.session_state.get("url_dates"):
            st.warning(f"From {start} is after To {end}: no event can match.")
    state = FilterState(tuple(attackers), tuple(targets), tuple(types), start or None,
                        end or None, attributions=tuple(bases))
    return state, notes


@dataclass
class Page:
    data: Dataset
    state: FilterState
    shown: pd.DataFrame
    notes: list[str]


FAVICON = str(ROOT / "static" / "favicon.png")  # a local file: an icon name would be fetched


def page(title: str) -> Page:
    """Start a page: config, the session's dataset, the shared filters, problems and notes.

    Every page calls this first, so filters, URL state and dataset behave the same everywhere.
    """
    st.set_page_config(page_title=f"{title} · Conflict event map", page_icon=FAVICON,
                       layout="wide")
    data = dataset()
    state, notes = sidebar_filters(data.events)
    shown = filtered(data.events, state)
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


@st.cache_resource(max_entries=64, show_spinner=False)
def _filtered_file(path: str, modified: float, state: FilterState) -> pd.DataFrame:
    """Filter results of a loaded file, cached per filter state and shared by every session."""
    return filter_events(_load(path, modified)[0], state)


def filtered(events: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The events that match the filters, computed once per filter state."""
    path = events_path()
    modified = path.stat().st_mtime if path.exists() else 0.0
    if events is _load(str(path), modified)[0]:
        return _filtered_file(str(path), modified, state)
    memo = st.session_state.get("_filtered")
    if memo is None or memo[0] is not events or memo[1] != state:
        memo = (events, state, filter_events(events, state))
        st.session_state["_filtered"] = memo
    return memo[2]


def show_notes(notes: list[str]) -> None:
    """Notes about URL values; they quote the URL, so they are shown as text, never markdown."""
    for note in notes:
        st.info(escape_markdown(note), icon="🔗")


NOT_REPORTED = "not reported"  # a total of no figures is unknown, not 0


def show_counts(events: pd.DataFrame, total: int) -> None:
    s = summarise(events)
    a, b, c = st.columns(3)
    a.metric("Events shown", f"{s.events:,}", help=f"of {total:,} in the dataset")
    b.metric("Fatalities", f"{s.fatalities:,}" if s.fatalities_reported else NOT_REPORTED,
             help=f"{s.without_fatality_figure} shown event(s) have no fatality figure "
                  "for them alone; multi-site totals are on the About the data page")
    c.metric("Injuries", f"{s.injuries:,}" if s.injuries_reported else NOT_REPORTED,
             help=f"{s.without_injury_figure} shown event(s) have no injury figure")


def compact_counts(events: pd.DataFrame, total: int, label: str) -> None:
    """The counts that follow the filters, side by side on one line (the map's compact header).

    The same metrics as show_counts ("Events shown", "Fatalities", "Injuries"), sized to their
    content so that they sit beside the title; the map page styles them smaller.
    """
    from geo.text import plural

    s = summarise(events)
    with st.container(horizontal=True, gap="medium", key="counts", width="content"):
        st.metric("Events shown", f"{s.events:,}", width="content",
                  help=f"of {total:,} in the {escape_markdown(label)}")
        st.metric("Fatalities", f"{s.fatalities:,}" if s.fatalities_reported else NOT_REPORTED,
                  width="content",
                  help=f"{plural(s.without_fatality_figure, 'shown event')} without a fatality "
                       "figure of its own; multi-site totals are on the About the data page")
        st.metric("Injuries", f"{s.injuries:,}" if s.injuries_reported else NOT_REPORTED,
                  width="content", help=f"{plural(s.without_injury_figure, 'shown event')} "
                  "without an injury figure")
