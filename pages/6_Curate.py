"""Curate: add a source, confirm the events it reports, and save them to the curated dataset.

The decisions live in geo/curate (candidates, validation, saving, undo); this page gathers
input and shows results. Who may curate is a deployment setting (geo/curate/settings.py).
"""

from __future__ import annotations

import os
import sys
from datetime import date

import streamlit as st
from streamlit_folium import st_folium

import ui
from geo.curate.archive import add_source_record, archive_text, make_record, read_records
from geo.curate.candidates import load_actors, propose, sentence_at, sentences
from geo.curate.extract import ExtractError, extract_text
from geo.curate.preview import candidates_map
from geo.curate.settings import curation_allowed, curator, paths_from_args
from geo.curate.store import (
    ATTRIBUTION_BASES,
    DIRECTIONS,
    Choices,
    CurationError,
    blank_fields,
    candidate_fields,
    check_event,
    delete_event,
    describe,
    event_fields,
    last_undoable,
    log_source,
    read_log,
    read_table,
    save_event,
    undo,
)
from geo.evidence import EVIDENCE_CSS, Span, find_spans, highlight_html
from geo.mapview import BASEMAPS
from geo.schema import BY_NAME, COLUMN_NAMES, PRECISION_LABELS, TIME_PRECISION_LABELS
from geo.text import escape_markdown
from map_assets import assets  # Leaflet & co. where pip installed them

SOURCE = "cur_source"  # {"file": name, "published": ISO date or None}
EDITING = "cur_editing"  # id of the event being edited, or None for a new one
MESSAGE = "cur_message"  # (kind, text) shown once after a change
RESET = "cur_reset"  # clear the form at the start of the next run
FIELD = "cur_f_"  # prefix of the form's widget keys, one per column
LONG_TEXT = {"source_quote", "notes", "attacker_as_reported", "target_as_reported"}
CHOICES = {
    "time_precision": {str(k): v for k, v in TIME_PRECISION_LABELS.items()},
    "geo_precision": {str(k): v for k, v in PRECISION_LABELS.items()},
    "near_location": {"true": "near the place", "false": "at the place"},
}


p = ui.page("Curate")
st.title("Curate")
argv = sys.argv[1:]
paths = paths_from_args(argv)
allowed = curation_allowed(argv, os.environ, st.get_option("server.address"))
if not allowed.enabled:
    st.info(f"Curation is {allowed.reason}.", icon=":material/lock:")
    st.stop()


def signed_in_user() -> str | None:
    try:
        return st.user.get("email") or st.user.get("name")
    except Exception:  # no authentication configured on this deployment
        return None


who = curator(signed_in_user())
st.caption(
    f"Curation is {allowed.reason}. Saved events go to {paths.events_csv}, sources to "
    f"{paths.seeds_dir}; every change is logged in {paths.changes_log.name}"
    + (f" as {who}." if who else " (no user name known: set CONFLICT_MAP_CURATOR).")
)
if ui.events_path() != paths.events_csv:
    st.warning(f"The map shows {ui.events_path()}, not the curated {paths.events_csv}.")
message = st.session_state.pop(MESSAGE, None)
if message:
    getattr(st, message[0])(message[1])


def set_form(fields: dict[str, str], editing: str | None) -> None:
    for column in COLUMN_NAMES:
        st.session_state[FIELD + column] = str(fields.get(column) or "")
    st.session_state[EDITING] = editing
    st.session_state.pop("cur_attribution", None)
    st.session_state.pop("cur_direction", None)


if st.session_state.pop(RESET, False):
    set_form(blank_fields(), None)

# -- 1. The source ------------------------------------------------------------------------------
st.header("1. Source", anchor=False)
new_tab, archived_tab = st.tabs(["Add a new source", "Use an archived source"])
with new_tab:
    pasted = st.text_area("Paste the article's text", key="cur_text", height=160)
    upload = st.file_uploader("…or upload it", type=["txt", "html", "htm", "pdf"], key="cur_file")
    left, right = st.columns(2)
    title = left.text_input("Title", key="cur_title", placeholder="not stated")
    outlet = right.text_input("Outlet", key="cur_outlet", placeholder="not stated")
    published = left.date_input(
        "Publication date",
        value=None,
        key="cur_published",
        format="YYYY-MM-DD",
        min_value=date(1900, 1, 1),
        help="Dates such as 'on Monday' are resolved against it. Empty: not stated.",
    )
    url = right.text_input("URL", key="cur_url", placeholder="not stated")
    if st.button("Archive this source", key="cur_archive", type="primary"):
        try:
            text = extract_text(upload.name, upload.getvalue()) if upload else pasted
            archived = archive_text(text, paths.seeds_dir)
            record = make_record(
                archived.file,
                archived.sha256,
                title=title,
                outlet=outlet,
                published=published,
                url=url,
            )
            if add_source_record(paths.sources_csv, record):
                log_source(paths, archived.file, archived.new, record.__dict__, by=who)
        except (ExtractError, CurationError, OSError) as exc:
            st.error(escape_markdown(exc))
        else:
            st.session_state[SOURCE] = {
                "file": archived.file,
                "published": published.isoformat() if published else None,
            }
            st.session_state[MESSAGE] = (
                "success",
                (
                    f"Archived as {archived.file}"
                    if archived.new
                    else f"This text is already archived as {archived.file}; using it"
                )
                + f" (SHA-256 {archived.sha256}).",
            )
            st.rerun()
with archived_tab:
    files = sorted(f.name for f in paths.seeds_dir.glob("*.txt"))
    records = {r.get("file"): r for r in read_records(paths.sources_csv)}
    chosen = st.selectbox("Archived source", files, index=None, key="cur_doc")
    stated = (records.get(chosen) or {}).get("published", "")
    when = st.date_input(
        "Its publication date",
        value=date.fromisoformat(stated) if stated[:4].isdigit() else None,
        key=f"cur_doc_published_{chosen}",
        format="YYYY-MM-DD",
        min_value=date(1900, 1, 1),
    )
    if st.button("Use this source", key="cur_use_doc", disabled=chosen is None):
        st.session_state[SOURCE] = {
            "file": chosen,
            "published": when.isoformat() if when else None,
        }
        st.rerun()

source = st.session_state.get(SOURCE)
source_text = ""
if source and (paths.seeds_dir / source["file"]).is_file():
    source_text = (paths.seeds_dir / source["file"]).read_text(encoding="utf-8")
    st.caption(f"Source in use: {source['file']}, published {source['published'] or 'not stated'}.")
st.html(EVIDENCE_CSS)

# -- 2. Candidates ------------------------------------------------------------------------------
st.header("2. Candidates", anchor=False)
if not source_text:
    st.caption("Archive a source or choose an archived one to see the events it reports.")
else:
    published_on = date.fromisoformat(source["published"]) if source["published"] else None
    key = (source["file"], source["published"])
    if st.session_state.get("cur_candidates", (None,))[0] != key:
        with st.spinner("Reading the text for places, dates and actors…"):
            actors = load_actors(paths.actors_csv, paths.events_csv)
            found = propose(source_text, published_on, paths.gazetteer_csv, actors)
        st.session_state["cur_candidates"] = (key, found)
    candidates = st.session_state["cur_candidates"][1]
    st.caption(
        f"{len(candidates)} proposed; none is added until you confirm it below. Each place "
        "named in a sentence that reports an attack is a candidate."
    )
    if candidates:
        basemap = st.query_params.get("basemap", "OpenStreetMap")
        st_folium(
            candidates_map(
                candidates, basemap if basemap in BASEMAPS else "OpenStreetMap", assets()
            ),
            key="cur_map",
            height=320,
            use_container_width=True,
            returned_objects=[],
        )
    spans = sentences(source_text)
    ids = read_table(paths.events_csv).ids()
    for i, c in enumerate(candidates):
        day = c.date.date.isoformat() if c.date and c.date.date else "date to enter"
        with st.container(border=True, key=f"cur_candidate_{i}"):
            st.markdown(f"**Candidate {i + 1}** (dot {i + 1} on the map)")
            st.text(
                f"{c.place.name} · {day} · {c.attacker or 'attacker?'} → "
                f"{c.target_group or 'target?'}\n"
                f"Place: {c.place.reasoning}; at {c.place.latitude:.5f}, "
                f"{c.place.longitude:.5f}, precision {c.place.precision}.\n"
                + (f"Date: {c.date.reasoning}.\n" if c.date else "Date: none in the text.\n")
                + f"Actors named in the sentence: {', '.join(c.actors_named) or 'none known'}."
            )
            s, e = spans[sentence_at(spans, c.place.start)]
            mark = Span("place", c.place.start - s, c.place.end - s)
            st.html(highlight_html(source_text[s:e], [mark]))
            st.button(
                "Use this candidate",
                key=f"cur_use_{i}",
                on_click=set_form,
                args=(candidate_fields(c, source_text, source["file"], ids), None),
            )

# -- 3. Confirm or edit -------------------------------------------------------------------------
st.header("3. Confirm or edit", anchor=False)
editing = st.session_state.get(EDITING)
left, right = st.columns([3, 1])
left.caption(
    f"Editing {editing}." if editing else "A new event: use a candidate, or fill every field."
)
right.button("Clear the form", key="cur_clear", on_click=set_form, args=(blank_fields(), None))
fields: dict[str, str] = {}
grid = st.columns(3)
for n, column in enumerate(COLUMN_NAMES):
    spec = BY_NAME[column]
    label = column + (" *" if spec.required else "")
    key = FIELD + column
    if column in LONG_TEXT:
        fields[column] = st.text_area(label, key=key, help=spec.description, height=100)
    elif column in CHOICES:
        options = ["", *CHOICES[column]]
        if st.session_state.get(key) not in options:
            st.session_state[key] = ""
        fields[column] = grid[n % 3].selectbox(
            label,
            options,
            key=key,
            help=spec.description,
            format_func=lambda v, c=column: f"{v}: {CHOICES[c][v]}" if v else "choose",
        )
    else:
        fields[column] = grid[n % 3].text_input(label, key=key, help=spec.description)
attribution = st.radio(
    "How is the attacker known? *",
    list(ATTRIBUTION_BASES),
    index=None,
    key="cur_attribution",
    format_func=ATTRIBUTION_BASES.get,
    horizontal=True,
)
direction = st.radio(
    "Does the source say who attacked whom? *",
    [True, False],
    index=None,
    key="cur_direction",
    format_func=DIRECTIONS.get,
    horizontal=True,
)
choices = Choices(attribution, direction)
problems = check_event(fields, choices, paths, editing)
if problems:
    st.warning(f"Not ready to save: {len(problems)} problem(s).")
    st.text("\n".join(str(x) for x in problems))
else:
    st.success("Every field validates: ready to save.")
quote_doc = paths.seeds_dir / fields["source_doc"]
if fields["source_quote"] and quote_doc.is_file() and "/" not in fields["source_doc"]:
    doc_text = quote_doc.read_text(encoding="utf-8")
    found_quote = find_spans(doc_text, [(fields["event_id"] or "new", fields["source_quote"])])
    with st.expander("The quote in its source", expanded=False):
        st.html(highlight_html(doc_text, found_quote.spans))
if st.button(
    "Save the changes" if editing else "Save this event",
    key="cur_save",
    type="primary",
    disabled=bool(problems),
):
    try:
        entry = save_event(paths, fields, choices, by=who, editing=editing)
    except CurationError as exc:
        st.error(escape_markdown(exc))
    else:
        st.session_state[MESSAGE] = ("success", f"Saved: {describe(entry)}.")
        st.session_state[RESET] = True  # widgets already drawn: clear them on the next run
        st.rerun()

# -- 4. Edit, delete, undo ----------------------------------------------------------------------
st.header("4. Curated events and changes", anchor=False)
table = read_table(paths.events_csv)
left, right = st.columns([2, 1])
picked = left.selectbox("Event", table.ids(), index=None, key="cur_pick")
right.button(
    "Edit this event",
    key="cur_edit",
    disabled=picked is None,
    on_click=lambda: set_form(event_fields(paths, picked) or blank_fields(), picked),
)
confirm = right.checkbox("Yes, delete it", key="cur_confirm_delete", disabled=picked is None)
if right.button("Delete this event", key="cur_delete", disabled=not (picked and confirm)):
    entry = delete_event(paths, picked, by=who)
    st.session_state[MESSAGE] = ("success", f"Deleted: {describe(entry)}.")
    st.rerun()
last = last_undoable(paths)
if st.button(
    f"Undo {describe(last)}" if last else "Nothing to undo",
    key="cur_undo",
    disabled=last is None,
):
    try:
        entry = undo(paths, by=who)
    except CurationError as exc:
        st.error(escape_markdown(exc))
    else:
        st.session_state[MESSAGE] = ("success", f"Undone: {describe(entry)}.")
        st.rerun()
log = read_log(paths)
if log:
    st.caption(f"The last {min(len(log), 20)} of {len(log)} changes ({paths.changes_log}):")
    st.text("\n".join(describe(e) for e in reversed(log[-20:])))
