"""Import page: bring ACLED, UCDP GED or events CSV files into this browser session only."""

from __future__ import annotations

import streamlit as st

import ui
from geo.evidence import escape_markdown
from geo.ingest import FORMAT_LABELS, UPLOAD_TYPES, convert
from geo.problems import DataFileError

p = ui.page("Import")
st.title("Import your own events")
limit = st.get_option("server.maxUploadSize")
st.markdown(
    f"Upload an **ACLED** export (any vintage: current, pre-2023, pre-2019, the 2015 releases, "
    f"monadic), a **UCDP GED** file (any version, Candidate, its API or HDX's copy), or an "
    f"events file of this project's format: CSV separated by `,` `;` tab or `|`, Excel "
    f"(.xlsx, .xls), OpenDocument (.ods), JSON (ACLED's or UCDP's API) or a .zip of one of "
    f"these; UTF-8, UTF-16 or Windows-1252; up to **{limit} MB** a file. Imported events are "
    "shown on every page **for this browser session only**: they are never written to the "
    "server's data and no other user sees them. ACLED's actor 1 and UCDP's side A are not "
    "the attacker: imported events show both sides with *direction not stated*; the About the "
    "data page documents how each format is read.")

formats = ["auto", *FORMAT_LABELS]
chosen = st.selectbox("Format", formats, key="import_format",
                      format_func=lambda f: "Detect from the header" if f == "auto"
                      else FORMAT_LABELS[f])
upload = st.file_uploader("Data file", type=list(UPLOAD_TYPES), key="import_file")
if upload is not None and st.button("Import this file", type="primary", key="import_go"):
    with st.spinner(f"Reading {upload.name}…"):
        try:
            result = convert(upload, chosen)
        except DataFileError as exc:
            st.error(escape_markdown(str(exc)))  # names values from the file: not markup
            result = None
    if result is not None:
        st.session_state["last_import"] = (upload.name, result.summary(),
                                           [str(x) for x in result.problems])
        st.session_state["last_import_notes"] = list(result.notes)
        if len(result.events):
            ui.add_import(ui.Imported(upload.name, result.format, result.events,
                                      result.summary()))
        st.rerun()

last = st.session_state.get("last_import")
if last:
    name, summary, problems = last
    (st.success if not problems else st.warning)(summary)
    notes = st.session_state.get("last_import_notes", [])
    if notes:  # what the reader decided; text from the file, so shown as plain text
        st.text("How the file was read:\n" + "\n".join(f"- {n}" for n in notes))
    if problems:
        with st.expander(f"{len(problems):,} row problem(s) in {name}: those rows were left out",
                         expanded=len(problems) <= 10):
            st.text("\n".join(problems[:300]))
            if len(problems) > 300:
                st.caption(f"… and {len(problems) - 300:,} more in the report.")
        st.download_button("Download the problem report", "\n".join(problems) + "\n",
                           file_name=f"{name}.problems.txt", mime="text/plain",
                           on_click="ignore", key="import_report")

items = ui.imports()
if items:
    st.subheader("Imported in this session")
    st.radio("Show imported events", list(ui.MODES), format_func=ui.MODES.get,
             key="dataset_mode", horizontal=True)
    for item in items:
        left, right = st.columns([4, 1])
        left.write(f"**{item.name}** ({FORMAT_LABELS[item.format]}): {len(item.events):,} "
                   "events")
        if right.button("Remove", key=f"remove_{item.name}"):
            ui.remove_import(item.name)
            st.rerun()
st.caption(f"Now showing: {p.data.label}, {len(p.data.events):,} events.")
