"""Every page under Streamlit's AppTest: it runs, it follows the shared filters from the URL,
and zero matching events give a note, not an exception."""

from __future__ import annotations

import re
import string
from datetime import date

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from geo.text import WORD_JOINER
from helpers import ROOT, metric, run_page

PAGES = {
    "Events": "pages/1_Events.py",
    "Timeline": "pages/2_Timeline.py",
    "Sources": "pages/3_Sources.py",
    "About the data": "pages/4_About_the_data.py",
}
US_MILITARY = {"IRQ5", "IRQ6"}
NOTHING = {"attacker": ["US military"], "target_group": ["Komala"]}  # no event has both


def run(
    name: str, query: dict | None = None, argv: list[str] | None = None, monkeypatch=None
) -> AppTest:
    return run_page(PAGES[name], query, argv=argv, monkeypatch=monkeypatch)


def htmls(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def chart_event_ids(at: AppTest) -> list[str]:
    charts = [
        e
        for e in at.main
        if getattr(e, "proto", None) is not None and type(e.proto).__name__ == "VegaLiteChart"
    ]
    assert len(charts) == 1
    data = charts[0].proto.datasets[0].data.data
    return pa.ipc.open_stream(data).read_all().column("event_id").to_pylist()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_runs_with_the_shared_filters(name):
    at = run(name)
    assert at.title[0].value == name
    assert at.multiselect(key="attacker").value == []
    assert at.date_input(key="start").value is None


@pytest.mark.parametrize(
    "name, kind, note",
    [
        ("Events", "warning", "No events match these filters"),
        ("Timeline", "warning", "No events match these filters"),
        ("Sources", "caption", "Highlighted events: no event shown"),
        ("About the data", "caption", "None among the events shown"),
    ],
)
def test_a_filter_that_matches_nothing_gives_a_note_on_every_page(name, kind, note):
    at = run(name, NOTHING)
    assert at.multiselect(key="attacker").value == ["US military"]
    assert any(note in element.value for element in getattr(at, kind)), [
        element.value for element in getattr(at, kind)
    ]


# Events ---------------------------------------------------------------------------------


def test_events_shows_only_the_attacker_chosen_in_the_url():
    at = run("Events", {"attacker": ["US military"]})
    table = at.dataframe[0].value
    assert set(table["event_id"]) == US_MILITARY
    assert set(table["attacker"]) == {"US military"}
    assert metric(at, "Events shown") == "2"
    assert [b.label for b in at.get("download_button")] == ["Download CSV (2 events)"]


def test_events_table_links_every_row_to_its_evidence():
    table = run("Events").dataframe[0].value
    assert table.set_index("event_id").loc["IRQ4", "evidence"] == "Sources?event=IRQ4#IRQ4"
    assert len(table) == 7


def test_events_with_no_match_has_no_table_and_no_download():
    at = run("Events", NOTHING)
    assert len(at.dataframe) == 0 and at.get("download_button") == []
    assert metric(at, "Events shown") == "0"


def test_a_selected_event_shows_its_details_and_links_to_evidence_and_map():
    at = run("Events", {"event": "IRQ5", "attacker": ["US military"]})
    details = "".join(htmls(at))
    assert "IRQ5 · 2023-12-26" in details
    assert "Near Al Hillah, Babil, Iraq (precision 2" in details
    assert 'href="Sources?attacker=US%20military&amp;event=IRQ5#IRQ5"' in details
    assert 'href="./?attacker=US%20military&amp;lat=32.4637&amp;lon=44.4196&amp;zoom=12"' in details
    assert "fatalities: 1 · injuries: 18" in details


def test_an_event_hidden_by_the_filters_is_explained():
    at = run("Events", {"event": "IRQ4", "attacker": ["US military"]})
    assert any("IRQ4” from the URL is not among the events shown" in i.value for i in at.info)
    assert htmls(at) == []


# Timeline -------------------------------------------------------------------------------


def test_timeline_draws_only_the_filtered_events():
    assert sorted(chart_event_ids(run("Timeline"))) == sorted(
        ["IRQ1", "IRQ2", "IRQ3", "IRQ4", "IRQ5", "SYR1", "IRQ6"]
    )
    assert set(chart_event_ids(run("Timeline", {"attacker": ["US military"]}))) == US_MILITARY


def test_timeline_with_no_match_draws_nothing_and_says_so():
    at = run("Timeline", NOTHING)
    assert any("No events match" in w.value for w in at.warning)
    assert not [e for e in at.main if type(getattr(e, "proto", None)).__name__ == "VegaLiteChart"]


def test_show_all_dates_empties_the_date_filter():
    at = run("Timeline", {"start": "2023-12-26"})
    assert metric(at, "Events shown") == "1"
    at.button(key="all_dates").click().run()
    assert at.date_input(key="start").value is None
    assert metric(at, "Events shown") == "7"
    assert len(chart_event_ids(at)) == 7


# Sources --------------------------------------------------------------------------------


def test_sources_shows_both_documents_with_every_event_anchored():
    at = run("Sources")
    headings = [re.sub(r"\\(.)", r"\1", s.value) for s in at.subheader]  # markdown escapes
    assert [h.split(" (untitled")[0] for h in headings] == [
        "News article on Iran's missile and drone strikes on Kurdish opposition parties in "
        "northern Iraq",
        "News article on US strikes on Kataib Hezbollah in Iraq, the drone attack on Erbil "
        "airport and the killing of Reza Mousavi in Syria",
    ]
    codes = [c.value for c in at.code]
    assert "91fa05a033846e2c4a993561ca80c45d5b02f2dd3344cea73cb692f2e3c20dc9" in codes
    assert any(
        c.startswith("Untitled news article") and "seeds/002_1c7f25da8f82bd90.txt" in c
        for c in codes
    )
    body = "".join(htmls(at))
    for event_id in ("IRQ1", "IRQ2", "IRQ3", "IRQ4", "IRQ5", "SYR1", "IRQ6"):
        assert body.count(f'id="{event_id}"') == 1
    assert 'class="ev ev-focus"' not in body


def test_sources_with_an_event_in_the_url_emphasises_it_and_says_where_it_is():
    at = run("Sources", {"event": "IRQ4"})
    header = at.info[0].value.replace("\\", "")  # as shown: without markdown's escapes
    assert "Evidence for IRQ4" in header and "News article on US strikes" in header
    body = "".join(htmls(at))
    assert '<mark class="ev ev-focus" data-event="IRQ4" id="IRQ4"' in body
    assert body.count('class="ev ev-focus"') == 2  # IRQ4's two sentences, nothing else
    assert any("scrollIntoView" in h for h in htmls(at))


def test_sources_highlights_only_the_filtered_events_and_the_one_asked_for():
    at = run("Sources", {"attacker": ["US military"]})
    body = "".join(htmls(at))
    assert 'id="IRQ5"' in body and 'id="IRQ6"' in body and 'id="IRQ4"' not in body
    at = run("Sources", {"attacker": ["US military"], "event": "IRQ4"})
    assert 'id="IRQ4"' in "".join(htmls(at))
    assert any("and IRQ4" in c.value for c in at.caption)


def test_sources_shows_the_summaries_citing_each_document():
    at = run("Sources")
    tables = [t.value for t in at.table]
    assert [list(t["Summary"]) for t in tables] == [["S1", "S2"], ["S3"]]
    assert 'id="summary-S1"' in "".join(htmls(at))


def test_sources_names_an_unknown_event():
    at = run("Sources", {"event": "IRQ99"})
    assert any("event “IRQ99”, which is not in the bundled dataset" in w.value for w in at.warning)


def test_events_citing_a_document_that_is_not_bundled_are_listed_with_their_quote(
    tmp_path, monkeypatch
):
    lines = (ROOT / "data" / "events.csv").read_text(encoding="utf-8").splitlines()
    header, irq4 = lines[0], next(x for x in lines if x.startswith("IRQ4,"))
    mine = irq4.replace("IRQ4,", "NEW1,", 1).replace(
        "002_1c7f25da8f82bd90.txt", "report-<b>9</b>.pdf"
    )
    path = tmp_path / "mine.csv"
    path.write_text("\n".join([header, irq4, mine]) + "\n", encoding="utf-8")
    at = run("Sources", {"event": "NEW1"}, argv=["--events", str(path)], monkeypatch=monkeypatch)
    assert "Events whose document is not bundled" in [s.value for s in at.subheader]
    listed = next(h for h in htmls(at) if 'id="NEW1"' in h)
    assert "report-&lt;b&gt;9&lt;/b&gt;.pdf (not bundled)" in listed
    assert "A suicide drone on Monday" in listed and "ev-focus" in listed
    assert "not bundled with the app" in at.info[0].value


# About the data -------------------------------------------------------------------------


def test_about_reads_its_method_from_the_data_readme():
    at = run("About the data")
    text = " ".join(m.value for m in at.markdown)
    assert "An event is a single strike or attack" in text  # data/README.md, not a copy
    assert "GeoNames (geonames.org, CC BY 4.0)" in text
    assert "ODbL" in text and "Natural Earth" in text and "public domain" in text


def test_about_lists_geocoders_summaries_and_uncertainties():
    at = run("About the data")
    tables = {tuple(t.value.columns): t.value for t in at.table}
    places = next(t for cols, t in tables.items() if "Geocoder" in cols).set_index("Place")
    assert places.loc["Al Hillah", "Geocoder"] == "geonames"
    assert places.loc["Kirkuk province", "Precision"] == "3: only the region is known"
    summaries = next(t for cols, t in tables.items() if "Statement" in cols)
    assert list(summaries["Summary"]) == ["S1", "S2", "S3"]
    assert summaries.set_index("Summary").loc["S3", "Attacks"] == "103"
    doubts = next(t for cols, t in tables.items() if "What is uncertain" in cols)
    assert "attacker: Israel (attributed by others)" in set(doubts["What is uncertain"])
    zarkwezela = doubts.loc[doubts["Event"] == "IRQ2", "Why, from the event's notes"].iloc[0]
    assert "approximate" in zarkwezela


def test_about_tables_follow_the_filters():
    at = run("About the data", {"attacker": ["US military"]})
    places = next(t.value for t in at.table if "Geocoder" in t.value.columns)
    assert set(places["Events"]) == US_MILITARY


def test_text_from_the_url_is_shown_as_written_not_as_markdown():
    at = run("Events", {"event": "[win](https://evil.example)"})
    note = next(i.value for i in at.info if "from the URL" in i.value)
    assert_literal(note, "[win](https://evil.example)")


# ----------------------------------------------------------------------------- hostile URLs

PUNCTUATION = set(string.punctuation)


def assert_literal(markdown: str, text: str) -> None:
    """``markdown`` shows ``text`` as written: inside it, every ASCII punctuation character is
    backslash-escaped (CommonMark renders those as themselves: no link, image, formula, colour)."""
    chars: list[tuple[str, bool]] = []  # (character shown, was it escaped)
    i = 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in PUNCTUATION:
            chars.append((markdown[i + 1], True))
            i += 2
        else:
            chars.append((markdown[i], False))
            i += 1
    chars = [(c, e) for c, e in chars if c != WORD_JOINER]  # invisible: breaks bare links
    shown = "".join(c for c, _ in chars)
    at = shown.find(text)
    assert at >= 0, f"{text!r} not shown in {markdown!r}"
    bare = [c for c, escaped in chars[at : at + len(text)] if c in PUNCTUATION and not escaped]
    assert not bare, f"unescaped {bare} in {markdown!r}"


HOSTILE_TEXT = [
    "[Session expired - log in again](https://evil.example)",
    "![x](https://evil.example/pixel.png)",
    "$\\href{https://evil.example}{x}$",
    ":red[ALERT] :skull:",
    "<img src=https://evil.example/x>",
    "https://evil.example",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_url_notes_show_a_hostile_value_as_text(name, value):
    at = run(name, {"attacker": value})
    notes = [i.value for i in at.info if "matches no event" in i.value]
    assert len(notes) == 1
    assert_literal(notes[0], f"attacker={value!r}")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "lat, lon, zoom",
    [
        ("33", "44", "inf"),
        ("33", "44", "nan"),
        ("33", "44", "1e400"),
        ("33", "44", "-inf"),
        ("1e400", "44", "5"),
        ("33", "1" + "0" * 400, "5"),
    ],
)
def test_an_impossible_map_view_in_the_url_gives_a_note_on_every_page(name, lat, lon, zoom):
    at = run(name, {"lat": lat, "lon": lon, "zoom": zoom})
    assert any("is not a map view" in i.value for i in at.info)


def notes_of(at: AppTest) -> list[str]:
    return [i.value for i in at.info if "URL" in i.value]


def test_a_short_form_date_is_applied_without_an_ignored_note():
    at = run("Timeline", {"start": "2023-1-5"})
    assert at.date_input(key="start").value == date(2023, 1, 5)
    assert notes_of(at) == []


@pytest.mark.parametrize(
    "key, raw, says",
    [
        ("start", "20231225", "not a date"),
        ("start", "1900-01-01", "before 1989-01-01"),
        ("end", "2999-12-31", "the latest date the filter takes"),
        ("start", "2023-02-30", "not a date"),
    ],
)
def test_a_url_date_the_filter_drops_is_named_in_a_note(key, raw, says):
    at = run("Timeline", {key: raw})
    assert at.date_input(key=key).value is None  # what the note says: ignored
    notes = notes_of(at)
    assert len(notes) == 1 and says in notes[0].replace("\\", "")


def test_start_after_end_is_applied_and_said_once():
    at = run("Events", {"start": "2024-01-01", "end": "2023-01-01"})
    assert at.date_input(key="start").value == date(2024, 1, 1)
    assert at.date_input(key="end").value == date(2023, 1, 1)
    assert metric(at, "Events shown") == "0"
    said = [m.value.replace("\\", "") for m in [*at.info, *at.warning]]
    assert sum("no event can match" in m for m in said) == 1, said


def test_a_file_that_is_not_an_events_file_is_not_echoed_to_visitors(tmp_path, monkeypatch):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/sh\n")
    at = run("Events", argv=["--events", str(secret)], monkeypatch=monkeypatch)
    shown = " ".join(str(e.value) for e in [*at.error, *at.warning, *at.info, *at.caption])
    assert at.error and "could not be loaded" in at.error[0].value
    assert "root" not in shown and "/bin/bash" not in shown and str(tmp_path) not in shown
