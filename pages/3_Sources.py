"""The sources page: each bundled document in full, the sentences behind every event highlighted.

``/Sources?event=IRQ4#IRQ4`` (the link in every map popup) emphasises IRQ4's highlights and
scrolls to the first of them.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

import ui
from geo.evidence import (
    EVIDENCE_CSS,
    bundled_documents,
    find_spans,
    group_by_document,
    highlight_html,
    readable_table,
    summaries_citing,
)
from geo.sources import load_sources, load_summaries, read_source, source_label
from geo.text import escape_markdown

# Scrolls to the URL's #anchor (or ?event=) once the documents are drawn. A constant: no data
# goes in, and getElementById never parses the id as HTML.
SCROLL_TO_ANCHOR = """<script>
(function () {
  var id = decodeURIComponent(window.location.hash.slice(1))
    || new URLSearchParams(window.location.search).get("event"), tries = 0;
  if (!id || window.__evidenceScrolled === id) { return; }
  (function look() {
    var target = document.getElementById(id);
    if (target) { window.__evidenceScrolled = id; target.scrollIntoView({block: "center"}); }
    else if (tries++ < 100) { window.requestAnimationFrame(look); }
  })();
})();
</script>"""


NOT_BUNDLED_SHOWN = 50
SUMMARY_LABELS = {
    "summary_id": "Summary",
    "statement": "Statement",
    "fatalities": "Fatalities",
    "injuries": "Injuries",
    "attacks": "Attacks",
    "covers_event_ids": "Covers events",
}


@st.cache_data
def summaries() -> pd.DataFrame:
    return load_summaries()


@st.cache_data
def records() -> dict[str, dict]:
    return {r["source_doc"]: r for r in load_sources().to_dict("records")}


def show_record(name: str) -> None:
    """Title, outlet, date, hash, archive date and a citation line for one document."""
    record = records().get(name)
    if record is None:
        st.caption(f"{escape_markdown(name)}: no record in data/sources.csv.")
        return
    stated = [
        f"{label}: {record[key]}"
        for key, label in (("title", "Title"), ("outlet", "Outlet"), ("published", "Published"))
    ]
    stated += [f"File: {name}", f"Archived: {record['archived']}"]
    st.caption(escape_markdown(" · ".join(stated)))
    st.caption("SHA-256 of the archived text:")
    st.code(record["sha256"], language=None)
    st.caption("Cite as:")
    st.code(record["citation"], language=None, wrap_lines=True)
    if record.get("notes"):
        st.caption(escape_markdown(record["notes"]))


@st.cache_data
def document_text(name: str) -> str:
    return read_source(name)


def show_summaries(cited: pd.DataFrame) -> None:
    if cited.empty:
        return
    st.markdown(
        f"**Summaries citing this document** ({len(cited)}): statements that are not "
        "point events (dashed above), shown here and on the About the data page, "
        "never as dots."
    )
    st.table(readable_table(cited, SUMMARY_LABELS), hide_index=True, border="horizontal")


p = ui.page("Sources")
st.title("Sources")
st.caption(
    "Every document the events come from, in full. Highlighted: the sentences that "
    "support an event, labelled with its id. Open an event's evidence from a map popup "
    "or the Events page."
)
ui.show_status(p)

focus = st.query_params.get("event") or None
events = p.data.events
known = set(events["event_id"].astype(str))
# The focused event is highlighted even when the filters hide it: the user asked for it.
highlighted = ui.with_text(  # the quotes, read for the highlighted events only
    p.data, events.loc[events.index.isin(p.shown.index) | (events["event_id"].astype(str) == focus)]
)
if len(p.shown) < len(events):
    st.caption(
        f"Highlighting the {len(p.shown):,} of {len(events):,} events that match the "
        "filters"
        + (
            f", and {escape_markdown(focus)}"
            if focus in known and focus not in set(p.shown["event_id"])
            else ""
        )
        + "."
    )

documents = group_by_document(highlighted, bundled_documents())
html_parts, problems = {}, []
for name, cited in documents.by_document.items():
    text = document_text(name)
    found = find_spans(text, zip(cited["event_id"], cited["source_quote"], strict=True))
    stated = summaries_citing(summaries(), name)
    statements = find_spans(
        text, zip(stated["summary_id"], stated["source_quote"], strict=True), kind="summary"
    )
    problems += [(name, m) for m in found.missing + statements.missing]
    html_parts[name] = (
        highlight_html(text, found.spans + statements.spans, focus=focus),
        found.event_ids(),
        stated,
    )

if focus and focus not in known:
    st.warning(
        f"The URL asks for event “{escape_markdown(focus)}”, which is not in the "
        f"{escape_markdown(p.data.label)}."
    )
elif focus:
    event = ui.with_text(p.data, events.loc[events["event_id"] == focus]).iloc[0]
    doc = str(event["source_doc"])
    shown = {k: escape_markdown(event[k]) for k in ("attacker", "target_group", "location")}
    title = source_label(records().get(doc), doc)
    where = (
        f"in **{escape_markdown(title)}**, below: its sentences are highlighted in orange"
        if doc in documents.by_document
        else f"in “{escape_markdown(doc)}” (the source its dataset names), which is not "
        "bundled with the app"
    )
    st.info(
        f"**Evidence for {escape_markdown(focus)}** ({event['event_date']:%Y-%m-%d}, "
        f"{shown['attacker']} → {shown['target_group']}, {shown['location']}) {where}.",
        icon=":material/find_in_page:",
    )

st.html(EVIDENCE_CSS)
for name, (body, event_ids, stated) in html_parts.items():
    st.subheader(escape_markdown(source_label(records().get(name), name)), anchor=False)
    show_record(name)
    cited = ", ".join(map(escape_markdown, event_ids)) if event_ids else "no event shown"
    st.caption(
        f"Highlighted events: {cited}."
        + (" Dashed underline: a summary's statement (not mapped)." if len(stated) else "")
    )
    st.html(body)
    show_summaries(stated)
    st.divider()

for name, missing in problems:
    st.warning(
        f"{escape_markdown(missing.event_id)}: this quoted span is not verbatim in "
        f"{escape_markdown(name)}: “{escape_markdown(missing.text[:200])}”"
    )

if not documents.not_bundled.empty:
    st.subheader("Events whose document is not bundled", anchor=False)
    st.caption(
        "These events cite a source that is not in seeds/ (imported data, for "
        "example), so only their quote can be shown."
    )
    listed = documents.not_bundled
    if len(listed) > NOT_BUNDLED_SHOWN:
        listed = pd.concat(
            [
                listed.loc[listed["event_id"] == focus],
                listed.loc[listed["event_id"] != focus].head(NOT_BUNDLED_SHOWN),
            ]
        )
        st.caption(
            f"The first {NOT_BUNDLED_SHOWN:,} of {len(documents.not_bundled):,}; "
            "narrow the filters to see others."
        )
    for event in listed.to_dict("records"):
        anchor = html.escape(str(event["event_id"]), quote=True)
        css = "ev ev-focus" if event["event_id"] == focus else "ev"
        st.html(
            f'<div class="ev-doc"><p><b>{anchor}</b> · source, as its dataset gives it: '
            f"{html.escape(str(event['source_doc']))} (not bundled)<br>"
            f'<mark class="{css}" id="{anchor}" data-event="{anchor}">'
            f"{html.escape(str(event['source_quote']))}</mark></p></div>"
        )

if focus:
    st.html(SCROLL_TO_ANCHOR, unsafe_allow_javascript=True)
