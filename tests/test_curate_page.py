"""The Curate page under Streamlit's AppTest, on a copy of data/ and seeds/."""

from __future__ import annotations

import re
import sys
from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import geo.assets
from geo.schema import ROOT
from geo.text import escape_markdown

SECOND = "002_1c7f25da8f82bd90.txt"


@pytest.fixture
def app(project_copy, monkeypatch):
    def start(*extra: str, env: dict | None = None) -> AppTest:
        monkeypatch.setattr(
            sys,
            "argv",
            [
                "app.py",
                "--data-dir",
                str(project_copy / "data"),
                "--seeds-dir",
                str(project_copy / "seeds"),
                *extra,
            ],
        )
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        at = AppTest.from_file(str(ROOT / "pages" / "6_Curate.py"), default_timeout=120)
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def texts(at: AppTest) -> str:
    return "\n".join(t.value for t in at.text)


def test_curation_can_be_switched_off_by_the_deployment(app, project_copy):
    at = app("--no-curate")
    assert "off: the app was started with --no-curate" in at.info[0].value
    assert not at.text_area  # no form at all
    at = app(env={"CONFLICT_MAP_CURATE": "0"})
    assert "CONFLICT_MAP_CURATE=0" in at.info[0].value


def test_pasting_the_second_article_and_accepting_the_airport_strike(app, project_copy):
    before = (project_copy / "data" / "events.csv").read_text(encoding="utf-8")
    at = app()
    text = (ROOT / "seeds" / SECOND).read_text(encoding="utf-8")
    at.text_area(key="cur_text").input(text)
    at.text_input(key="cur_title").input("US strikes Iraqi militia")
    at.date_input(key="cur_published").set_value(date(2023, 12, 26))
    at.button(key="cur_archive").click().run()
    assert not at.exception, at.exception
    assert f"already archived as {SECOND}" in at.success[0].value
    shown = texts(at)
    assert "Erbil International Airport · 2023-12-25 · Islamic Resistance in Iraq" in shown
    assert "'on Monday' in a text published on Tuesday 2023-12-26" in shown
    # The candidate's sentence is highlighted, with the text escaped.
    assert any(
        "<mark" in h.proto.body and "A suicide drone on Monday" in h.proto.body
        for h in at.get("html")
    )
    proposed = [t.value for t in at.text if " · " in t.value]
    index = next(i for i, t in enumerate(proposed) if t.startswith("Erbil International Airport"))
    at.button(key=f"cur_use_{index}").click().run()
    assert at.text_input(key="cur_f_event_id").value == "IRQ7"
    assert at.text_input(key="cur_f_location").value == "Erbil International Airport"
    assert at.button(key="cur_save").disabled  # attribution and direction not chosen yet
    assert "choose the attribution basis" in texts(at)
    at.radio(key="cur_attribution").set_value("claimed by the group")
    at.radio(key="cur_direction").set_value(True)
    at.run()
    assert not at.button(key="cur_save").disabled, texts(at)
    at.button(key="cur_save").click().run()
    assert not at.exception, at.exception
    saved = (project_copy / "data" / "events.csv").read_text(encoding="utf-8")
    added = saved[len(before) :]
    assert saved.startswith(before) and added.startswith("IRQ7,2023-12-25,1,")
    assert "Saved: #2" in at.success[0].value  # change 1 archived nothing new: 2 is the add
    assert at.text_input(key="cur_f_event_id").value == ""  # the form is cleared


def test_a_quote_that_is_not_verbatim_is_refused_live_with_the_reason(app, project_copy):
    at = app()
    at.selectbox(key="cur_pick").set_value("IRQ4").run()
    at.button(key="cur_edit").click().run()
    assert at.text_input(key="cur_f_event_id").value == "IRQ4"
    at.text_area(key="cur_f_source_quote").input("A drone hit Erbil airport on Monday.")
    at.text_input(key="cur_f_latitude").input("48.85660")
    at.radio(key="cur_attribution").set_value("claimed by the group")
    at.radio(key="cur_direction").set_value(True)
    at.run()
    shown = texts(at)
    assert f"'A drone hit Erbil airport on Monday.' is not verbatim in {SECOND}" in shown
    assert "is outside Iraq" in shown
    assert at.button(key="cur_save").disabled


def test_delete_then_undo_from_the_page(app, project_copy):
    events = project_copy / "data" / "events.csv"
    before = events.read_bytes()
    at = app()
    at.selectbox(key="cur_pick").set_value("IRQ5").run()
    at.checkbox(key="cur_confirm_delete").check().run()
    at.button(key="cur_delete").click().run()
    assert b"\nIRQ5," not in events.read_bytes()
    assert "Deleted: #1" in at.success[0].value
    at.button(key="cur_undo").click().run()
    assert events.read_bytes() == before
    assert "undid #1" in texts(at)


def static_files() -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(ROOT)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted((ROOT / "static").rglob("*"))
    }


def test_drawing_the_candidates_map_writes_nothing_into_the_source_tree(app, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a page wrote into static/ at run time")

    monkeypatch.setattr(geo.assets, "install_assets", refuse)
    monkeypatch.setattr(geo.assets, "write_atomic", refuse)
    st.cache_resource.clear()  # no page may have its assets from an earlier test
    before = static_files()
    at = app()
    at.selectbox(key="cur_doc").set_value(SECOND).run()
    at.button(key="cur_use_doc").click().run()
    assert not at.exception, at.exception
    assert "Erbil International Airport · " in texts(at)  # a candidate, so the map was drawn
    assert static_files() == before


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("**Breaking** [news](http://x.example).txt", b"\xff\xfe bad", "is not UTF-8"),
        ("_notes_ # 1.pdf", b"not a PDF", "not a readable PDF"),
    ],
)
def test_an_uploaded_file_name_in_an_error_is_shown_as_typed(app, name, data, says):
    at = app()
    at.file_uploader(key="cur_file").upload(name, data, "text/plain")
    at.button(key="cur_archive").click().run()
    assert not at.exception, at.exception
    shown = at.error[0].value
    # Escaped markdown: the name is shown literally, not as bold, a link or a heading.
    assert shown.startswith(escape_markdown(name))
    assert says in re.sub(r"\\(.)", r"\1", shown)
