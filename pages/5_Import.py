"""Import page: ACLED, UCDP GED or events CSV files, kept on the server under a private link."""

from __future__ import annotations

import streamlit as st

import ui
from geo.ingest import FORMAT_LABELS, UPLOAD_TYPES, convert
from geo.problems import DataFileError
from geo.store import StoreError
from geo.text import escape_markdown, plural

# Session-state keys this page alone reads and writes.
LAST = "last_import"  # what the last import did, shown until the next one
PENDING = "import_pending"  # a ui.PendingImport waiting for the choice about its duplicates
LEAVE_OUT = "import_leave_out"  # the checkbox: leave out the events already in the data


def forget_pending() -> None:
    """A new file (or none) was chosen: a choice asked about the previous one is dropped."""
    st.session_state.pop(PENDING, None)
    st.session_state.pop(LEAVE_OUT, None)  # the next file's choice starts from its default


def finish(result, name: str, pending: ui.PendingImport | None, leave_out: bool) -> None:
    """Store the reviewed events (what is left of them), keep what happened for the summary,
    and run the page again to show it."""
    item, review = None, None
    if pending is not None:
        try:
            item, review = ui.add_import(pending, leave_out_duplicates=leave_out)
        except StoreError as exc:
            st.error(escape_markdown(str(exc)))
            return
    summary = result.summary()
    if review is not None and review.left_out and review.possible_duplicates:
        n = review.possible_duplicates
        summary += (
            f"; {plural(n, 'event')} left out as possibly already in the data (named below)"
            + ("" if item else ", so nothing was stored")
        )
    st.session_state[LAST] = (
        name,
        summary,
        [str(x) for x in result.problems[:300]],
        len(result.problems),
        item.id if item else None,
        (["How the file was read:", *(f"- {x}" for x in result.notes)] if result.notes else [])
        + (review.lines() if review else []),
    )
    st.rerun()


p = ui.page("Import")
st.title("Import your own events")
limit = st.get_option("server.maxUploadSize")
st.markdown(
    f"Upload an **ACLED** export (any vintage: current, pre-2023, pre-2019, the 2015 releases, "
    f"monadic), a **UCDP GED** file (any version, Candidate, its API or HDX's copy), or an "
    f"events file of this project's format: CSV separated by `,` `;` tab or `|`, Excel "
    f"(.xlsx, .xls), OpenDocument (.ods), JSON (ACLED's or UCDP's API) or a .zip of one of "
    f"these; UTF-8, UTF-16 or Windows-1252; up to **{limit} MB** a file. Imported events are "
    "kept on this server under a **private link** (the `data=` part of the address): reload "
    "the page, open a new tab or send the link to a colleague and the same events are there. "
    "Nobody can list imports or reach one without its link; **Remove** deletes it for good. "
    "ACLED's actor 1 and UCDP's side A are not the attacker: imported events show both sides "
    "with *direction not stated*; the About the data page documents how each format is read."
)

formats = ["auto", *FORMAT_LABELS]
chosen = st.selectbox(
    "Format",
    formats,
    key="import_format",
    format_func=lambda f: "Detect from the header" if f == "auto" else FORMAT_LABELS[f],
)
upload = st.file_uploader(
    "Data file", type=list(UPLOAD_TYPES), key="import_file", on_change=forget_pending
)
if upload is not None and st.button("Import this file", type="primary", key="import_go"):
    forget_pending()
    refused = ui.check_import_allowed(upload.size)
    result = None
    if refused:
        st.error(escape_markdown(refused))
    else:
        with st.spinner("Reading the file…"):
            try:
                result = convert(upload, chosen)
            except DataFileError as exc:
                st.error(escape_markdown(str(exc)))
    if result is not None:
        if not len(result.events):
            finish(result, upload.name, None, False)
        with st.spinner("Comparing with the data shown…"):
            pending = ui.review_file(result, upload.name, upload.size)
        if pending.review.possible_duplicates:
            st.session_state[PENDING] = pending  # ask first, store after
            st.session_state.pop(LAST, None)  # the summary shown is of this file, once stored
            st.rerun()
        finish(result, upload.name, pending, False)

pending = st.session_state.get(PENDING)
if pending is not None:
    n = pending.review.possible_duplicates
    with st.container(border=True, key="import_choice"):
        st.warning(
            f"{n:,} of the {plural(pending.review.events, 'event')} in this file may already "
            "be in the data shown beside them (possible duplicates, listed below with the rule "
            "that matched). Kept, each of them and its fatalities would be counted twice.",
            icon="⚠️",
        )
        st.text(f"File: {pending.name}\n" + "\n".join(pending.review.lines()))
        leave_out = st.checkbox(
            f"Leave out the {plural(n, 'event')} that may already be in the data",
            value=True,
            key=LEAVE_OUT,
            help="On: they are not imported, and the summary names each one and why. Off: "
            "they are imported beside the data, flagged as possible duplicates (the Events "
            "page can hide them); nothing is ever merged.",
        )
        go, cancel = st.columns(2)
        if go.button("Import", type="primary", key="import_confirm"):
            forget_pending()
            finish(pending.result, pending.name, pending, leave_out)
        if cancel.button("Cancel", key="import_cancel", help="Import nothing from this file"):
            forget_pending()
            st.rerun()

last = st.session_state.get(LAST)
if last:
    name, summary, problems, total, dataset_id, review = last
    # The summary names the file: text from the user, so no markdown is made of it.
    (st.success if not total else st.warning)(
        escape_markdown(summary), icon="✅" if not total else "⚠️"
    )
    if review:
        st.text("\n".join(review))
    if total:
        with st.expander(
            f"{total:,} row problem(s): those rows were left out", expanded=total <= 10
        ):
            st.text("\n".join(problems))
            if total > len(problems):
                st.caption(f"… and {total - len(problems):,} more in the report.")
        report = (
            (lambda: "\n".join(ui.import_problems(dataset_id)) + "\n")
            if dataset_id
            else "\n".join(problems) + "\n"
        )
        st.download_button(
            "Download the problem report",
            report,
            file_name=f"{name}.problems.txt",
            mime="text/plain",
            on_click="ignore",
            key="import_report",
        )

items = ui.imports()
if items:
    st.subheader("Your imports")
    st.radio(
        "Show imported events",
        list(ui.MODES),
        format_func=ui.MODES.get,
        key=ui.MODE,
        horizontal=True,
    )
    for item in items:
        left, right = st.columns([4, 1])
        with left:
            # File names come from the user: shown as text, never as markdown.
            st.text(
                f"{item.name} ({FORMAT_LABELS.get(item.format, item.format)}): {item.rows:,} events"
            )
            st.caption("Link to these events (add it to this app's address):")
            st.code(f"?data={item.id}", language=None)
        if right.button(
            "Remove", key=f"remove_{item.id}", help="Delete this import from the server for good"
        ):
            ui.remove_import(item.id)
            st.session_state.pop(LAST, None)
            st.rerun()
    if len(items) > 1:
        st.caption("Link to all of them:")
        st.code("?" + "&".join(f"data={i.id}" for i in items), language=None)
st.text(f"Now showing: {p.data.label}, {len(p.data.events):,} events.")
