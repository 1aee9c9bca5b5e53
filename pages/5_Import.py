"""Import page: bring ACLED, UCDP GED or events CSV files into this browser session only."""

from __future__ import annotations

import streamlit as st

import ui
from geo.ingest import FORMAT_LABELS, convert
from geo.problems import DataFileError

p = ui.page("Import")
st.title("Import your own events")
limit = st.get_option("server.maxUploadSize")
st.markdown(
    f"Upload an **ACLED** CSV export (current, pre-2023 or monadic), a **UCDP GED** CSV, or an "
    f"events CSV of this project's format (UTF-8, with or without a byte-order mark; up to "
    f"**{limit} MB** a file). Imported events are shown on every page **for this browser "
    "session only**: they are never written to the server's data and no other user sees them. "
    "How attackers, targets and precision are derived for each format is documented on the "
    "About the data page (ACLED's actor1 and UCDP's side_a are not always the attacker).")

formats = ["auto", *FORMAT_LABELS]
chosen = st.selectbox("Format", formats, key="import_format",
                      format_func=lambda f: "Detect from the header" if f == "auto"
                      else FORMAT_LABELS[f])
upload = st.file_uploader("CSV file", type=["csv"], key="import_file")
if upload is not None and st.button("Import this file", type="primary", key="import_go"):
    with st.spinner(f"Reading {upload.name}…"):
        try:
            result = convert(upload, chosen)
        except DataFileError as exc:
            st.error(str(exc))
            result = None
    if result is not None:
        st.session_state["last_import"] = (upload.name, result.summary(),
                                           [str(x) for x in result.problems])
        if len(result.events):
            ui.add_import(ui.Imported(upload.name, result.format, result.events,
                                      result.summary()))
        st.rerun()

last = st.session_state.get("last_import")
if last:
    name, summary, problems = last
    (st.success if not problems else st.warning)(summary)
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
