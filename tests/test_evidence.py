"""geo.evidence: spans found verbatim, overlapping highlights, escaping, anchors, links, prose."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from geo.evidence import (
    bundled_documents,
    find_spans,
    geocoded_places,
    group_by_document,
    highlight_html,
    map_url,
    note_part,
    readable_table,
    readme_section,
    sources_url,
    sources_urls,
    uncertainties,
)
from geo.filters import FilterState
from geo.sources import load_summaries, quote_spans, read_source
from helpers import ROOT, bundled_events

DOCUMENTS = bundled_documents()


class Page(HTMLParser):
    """Reads highlighted HTML back: its text without labels, its marks, and whether every tag
    closes in order (so the browser draws what we meant)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.paragraphs: list[str] = []
        self.labels: list[str] = []
        self.in_label = 0
        self.marks: list[dict[str, str | None]] = []
        self.errors: list[str] = []
        self.open_marks: list[dict] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.stack.append(tag)
        if tag == "script":
            self.scripts += 1
        if tag == "p":
            self.paragraphs.append("")
        if tag == "mark":
            mark = {**attributes, "text": ""}
            self.marks.append(mark)
            self.open_marks.append(mark)
        if tag == "span" and attributes.get("class") == "ev-label":
            self.in_label += 1
            self.labels.append("")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "mark":
            self.open_marks.pop()
        if tag == "span" and self.in_label:
            self.in_label -= 1

    def handle_data(self, data):
        if self.in_label:
            self.labels[-1] += data
            return
        if self.paragraphs:
            self.paragraphs[-1] += data
        for mark in self.open_marks:
            mark["text"] += data


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert page.errors == [] and page.stack == [], (page.errors, page.stack)
    return page


def evidence_of(document: str):
    events = bundled_events()
    cited = events.loc[events["source_doc"] == document]
    quotes = zip(cited["event_id"], cited["source_quote"], strict=True)
    return find_spans(read_source(document), quotes)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_quoted_span_is_found_verbatim_in_its_document(events, document):
    text = read_source(document)
    found = evidence_of(document)
    assert found.missing == []
    cited = events.loc[events["source_doc"] == document]
    for event_id, quote in zip(cited["event_id"], cited["source_quote"], strict=True):
        spans = [text[s.start : s.end] for s in found.spans if s.event_id == event_id]
        assert sorted(spans) == sorted(set(quote_spans(quote)))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_highlighted_document_keeps_every_word_and_anchors_every_event(events, document):
    text = read_source(document)
    page = read(highlight_html(text, evidence_of(document).spans))
    assert page.paragraphs == [line for line in text.split("\n") if line]
    cited = set(events.loc[events["source_doc"] == document, "event_id"])
    anchors = [m["id"] for m in page.marks if m.get("id")]
    assert sorted(anchors) == sorted(cited)  # each event once: ids are unique
    assert set(page.labels) == cited


def test_events_that_share_sentences_each_get_a_labelled_anchor_around_them():
    document = "000_5d4c6af62367a363.txt"
    page = read(highlight_html(read_source(document), evidence_of(document).spans))
    shared = "The strikes targeted the Kurdish Democratic Party of Iran in the Koysanjak district"
    holders = sorted(m["data-event"] for m in page.marks if m["text"].startswith(shared))
    assert holders == ["IRQ1", "IRQ2", "IRQ3"]
    first = "Iran has carried out a deadly attack on Wednesday in northern Iraq"
    for event_id in ("IRQ1", "IRQ2", "IRQ3"):
        anchor = next(m for m in page.marks if m.get("id") == event_id)
        assert anchor["text"].startswith(first)
    # Only IRQ1 quotes the KDP-I source: that sentence carries its label alone.
    kdpi = [m["data-event"] for m in page.marks if "Omar Mahmoudzadeh" in m["text"]]
    assert kdpi == ["IRQ1"]


def test_spans_that_cross_are_split_where_they_cross_and_stay_well_formed():
    text = "Alpha beta gamma delta."
    spans = find_spans(text, [("E1", "Alpha beta gamma"), ("E2", "gamma delta.")]).spans
    page = read(highlight_html(text, spans))
    assert page.paragraphs == [text]
    e1 = "".join(m["text"] for m in page.marks if m["data-event"] == "E1")
    e2 = "".join(m["text"] for m in page.marks if m["data-event"] == "E2")
    assert e1 == "Alpha beta gamma" and e2 == "gamma delta."
    assert [m.get("id") for m in page.marks if m.get("id")] == ["E1", "E2"]


def test_a_span_across_lines_is_highlighted_in_both_paragraphs():
    text = "First line ends here.\nSecond line goes on."
    page = read(highlight_html(text, find_spans(text, [("E1", "here.\nSecond")]).spans))
    assert page.paragraphs == text.split("\n")
    assert [m["text"] for m in page.marks] == ["here.", "Second"]


def test_html_in_the_source_text_and_in_event_ids_is_escaped():
    text = 'Before <script>alert("x")</script> & <b>bold</b> after.'
    hostile = '"><img src=x onerror=alert(1)>'
    spans = find_spans(text, [(hostile, '<script>alert("x")</script> & <b>bold</b>')]).spans
    html = highlight_html(text, spans, focus=hostile)
    assert "<script" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    page = read(html)
    assert page.scripts == 0
    assert page.paragraphs == [text]
    assert page.marks[0]["id"] == hostile and page.labels == [hostile]


def test_only_the_focused_events_highlights_are_emphasised():
    document = "002_1c7f25da8f82bd90.txt"
    page = read(highlight_html(read_source(document), evidence_of(document).spans, focus="IRQ4"))
    emphasised = {m["data-event"] for m in page.marks if "ev-focus" in m["class"]}
    assert emphasised == {"IRQ4"}
    assert sum("ev-focus" in m["class"] for m in page.marks) == 2  # both IRQ4 sentences


def test_a_quote_that_is_not_in_the_document_is_reported_not_raised():
    found = find_spans("Only this.", [("E1", "Only this. ... Not here at all.")])
    assert [(m.event_id, m.text) for m in found.missing] == [("E1", "Not here at all.")]
    assert len(found.spans) == 1


def test_summary_statements_are_underlined_with_their_own_anchor():
    document = "000_5d4c6af62367a363.txt"
    summaries = load_summaries()
    cited = summaries.loc[summaries["source_doc"] == document]
    quotes = zip(cited["summary_id"], cited["source_quote"], strict=True)
    found = find_spans(read_source(document), quotes, kind="summary")
    assert found.missing == []
    page = read(highlight_html(read_source(document), found.spans))
    s1 = next(m for m in page.marks if m.get("id") == "summary-S1")
    assert "ev-sum" in s1["class"] and "killed at least 13 people" in s1["text"]


def test_documents_are_matched_by_name_never_opened_from_the_data(events):
    few = events.head(2).copy()
    few.loc[few.index[1], "source_doc"] = "../data/few.csv"
    grouped = group_by_document(few, DOCUMENTS)
    assert list(grouped.not_bundled["event_id"]) == [few["event_id"].iloc[1]]
    assert set(grouped.by_document) == set(DOCUMENTS)
    assert len(grouped.by_document["000_5d4c6af62367a363.txt"]) == 1


def test_links_to_the_evidence_and_to_the_map_keep_the_filters():
    assert sources_url("IRQ 4/x") == "Sources?event=IRQ%204%2Fx#IRQ%204%2Fx"
    evidence = urlsplit(sources_url("IRQ5", FilterState(attackers=("US military",))))
    assert parse_qs(evidence.query) == {"attacker": ["US military"], "event": ["IRQ5"]}
    assert evidence.fragment == "IRQ5"
    many = sources_urls(pd.Series(["IRQ5", "A B"]), FilterState(attackers=("US military",)))
    assert many.tolist() == [
        sources_url("IRQ5", FilterState(attackers=("US military",))),
        "Sources?attacker=US%20military&event=A%20B#A%20B",
    ]
    assert sources_urls(pd.Series(["IRQ4"])).tolist() == [sources_url("IRQ4")]
    state = FilterState(
        attackers=("US military", "Israel"), start=pd.Timestamp("2023-01-01").date()
    )
    url = urlsplit(map_url(state, 32.46367, 44.41963))
    assert url.path == "./"
    query = parse_qs(url.query)
    assert query["attacker"] == ["US military", "Israel"]
    assert query["start"] == ["2023-01-01"]
    assert (query["lat"], query["lon"], query["zoom"]) == (["32.4637"], ["44.4196"], ["12"])


def test_readme_sections_are_read_from_the_data_documentation():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    chosen = readme_section(readme, "How events were chosen")
    assert chosen.startswith("An event is a single strike or attack")
    assert "## " not in chosen  # stops at the next section
    assert "GeoNames" in readme_section(readme, "Attribution and licences")
    assert readme_section(readme, "A heading nobody wrote") is None


def test_known_uncertainties_name_approximate_places_and_attributions(events):
    found = uncertainties(events)
    by_event = found.groupby("event_id")["aspect"].apply(list)
    assert any("precision 2" in a for a in by_event["IRQ2"])
    assert "coordinates are approximate" in " ".join(found.loc[found.event_id == "IRQ2", "detail"])
    assert any("precision 3" in a for a in by_event["IRQ3"])
    assert "attacker: Israel (attributed by others)" in by_event["SYR1"]
    assert "IRQ4" not in set(found.loc[found["aspect"].str.startswith("place"), "event_id"])


def test_note_part_reads_one_labelled_part_of_the_notes(events):
    notes = events.set_index("event_id").loc["IRQ6", "notes"]
    assert note_part(notes, "Place") == (
        "'outside the Baghdad airport', so the airport is used with precision 2."
    )
    assert note_part(notes, "Nothing") is None


def test_geocoded_places_say_which_geocoder_answered_and_group_events_by_place(events):
    places = geocoded_places(events).set_index("location")
    assert places.loc["Al Hillah", "geocoder"] == "geonames"
    assert places.loc["Zarkwezela", "geocoder"] == "gazetteer"
    assert places.loc["Kirkuk province", "precision"] == "3: only the region is known"
    twice = pd.concat([events.head(1), events.head(1).assign(event_id="X9")])
    assert geocoded_places(twice)["events"].tolist() == ["IRQ1, X9"]


def test_no_events_give_empty_tables_not_errors(events):
    none = events.head(0)
    assert geocoded_places(none).empty and uncertainties(none).empty
    assert group_by_document(none, DOCUMENTS).not_bundled.empty


def test_a_blank_figure_reads_as_a_dash_not_zero():
    table = readable_table(
        load_summaries(),
        {"summary_id": "Summary", "attacks": "Attacks", "fatalities": "Fatalities"},
    )
    row = table.set_index("Summary").loc["S1"]
    assert (row["Fatalities"], row["Attacks"]) == ("13", "–")
