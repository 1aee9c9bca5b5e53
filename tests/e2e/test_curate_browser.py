"""Curate in the browser: paste the second article again as a source, accept the Erbil airport
candidate, and find the new event on the map and its quote highlighted on Sources.

The app runs on a copy of data/ and seeds/ (`-- --events COPY/data/events.csv --data-dir
COPY/data --seeds-dir COPY/seeds`), so the repository's files are never written.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest
from playwright.sync_api import expect

from e2e.browser_helpers import MAP_FRAME, open_map, show_marker, start_server, wait_idle
from geo.schema import ROOT

SECOND = "002_1c7f25da8f82bd90.txt"


def digests() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in ("data", "seeds")
        for p in sorted((ROOT / folder).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("curated")
    for name in ("data", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, copy):
    repo_before = digests()
    s = start_server(
        tmp_path_factory.mktemp("curate_server"),
        [
            "--events",
            str(copy / "data" / "events.csv"),
            "--data-dir",
            str(copy / "data"),
            "--seeds-dir",
            str(copy / "seeds"),
        ],
    )
    yield s
    s.stop()
    assert digests() == repo_before, "the repository's data/ or seeds/ changed"


def commit(page, selector: str, value: str) -> None:
    """Type into a Streamlit input and leave it, as a user does (the value is sent on blur)."""
    field = page.locator(selector)
    field.fill(value)
    field.press("Tab")
    wait_idle(page)


def test_curate_the_erbil_airport_strike_and_find_it_on_map_and_sources(server, context, copy):
    page = context.new_page()
    page.goto(f"{server.url}/Curate")
    wait_idle(page)
    page.get_by_role("heading", name="1. Source").wait_for()

    text = (ROOT / "seeds" / SECOND).read_text(encoding="utf-8")
    commit(page, ".st-key-cur_text textarea", text)
    commit(page, ".st-key-cur_title input", "US strikes Iraqi militia after drone attack")
    date_box = page.locator(".st-key-cur_published input")
    date_box.fill("2023-12-26")
    date_box.press("Enter")
    wait_idle(page)
    page.locator(".st-key-cur_archive button").click()
    wait_idle(page)
    page.get_by_text(f"already archived as {SECOND}").wait_for()

    candidate = page.locator("[class*='st-key-cur_candidate_']").filter(
        has_text="Erbil International Airport · 2023-12-25"
    )
    candidate.wait_for()
    assert "Erbil International Airport" in candidate.locator("mark").first.inner_text()
    # The candidates' map, on a server that has shown no other page: Leaflet comes from the
    # components app.py declares over the installed packages (nothing copied into static/).
    dots = page.frame_locator(MAP_FRAME).locator(".leaflet-container .leaflet-overlay-pane path")
    dots.first.wait_for()
    candidate.get_by_role("button", name="Use this candidate").click()
    wait_idle(page)
    # The form is filled by the rerun the click starts: wait for the value, not a moment.
    # Until that rerun ends, the previous run's (stale) field can still be on the page beside
    # the new one, so wait for any of them to hold the value, then for the run to end.
    page.wait_for_function(
        """[...document.querySelectorAll('.st-key-cur_f_event_id input')]
             .some(i => i.value === 'IRQ7')""",
        timeout=30_000,
    )
    wait_idle(page)
    expect(page.locator(".st-key-cur_f_event_id input")).to_have_value("IRQ7")
    page.get_by_text("choose the attribution basis").wait_for()

    # A quote that is not in the source is refused, with the reason, and Save stays disabled.
    quote = page.locator(".st-key-cur_f_source_quote textarea")
    good_quote = quote.input_value()
    commit(page, ".st-key-cur_f_source_quote textarea", "A drone hit Erbil airport on Monday.")
    page.get_by_text(f"is not verbatim in {SECOND}").wait_for()
    commit(page, ".st-key-cur_f_source_quote textarea", good_quote)

    page.locator(".st-key-cur_attribution").get_by_text("claimed by the group").click()
    wait_idle(page)
    page.locator(".st-key-cur_direction").get_by_text("stated: the source says").click()
    wait_idle(page)
    page.get_by_text("Every field validates").wait_for()
    page.locator(".st-key-cur_save button").click()
    wait_idle(page)
    page.get_by_text("Saved: #").wait_for()
    saved = (copy / "data" / "events.csv").read_text(encoding="utf-8")
    assert saved.splitlines()[-1].startswith("IRQ7,2023-12-25,1,")

    frame = open_map(page, f"{server.url}/?lat=36.2376&lon=43.9632&zoom=12")
    marker = show_marker(frame, "IRQ7")
    marker.wait_for()

    page.goto(f"{server.url}/Sources?event=IRQ7#IRQ7")
    wait_idle(page)
    mark = page.locator("mark#IRQ7")
    mark.wait_for()
    assert "ev-focus" in mark.get_attribute("class")
    assert mark.inner_text().startswith("IRQ7")  # the label, then the verbatim sentence
    assert "A suicide drone on Monday had targeted" in mark.inner_text()


def test_an_edit_with_a_point_outside_the_country_is_refused(server, context, copy):
    before = (copy / "data" / "events.csv").read_bytes()
    page = context.new_page()
    page.goto(f"{server.url}/Curate")
    wait_idle(page)
    picker = page.locator(".st-key-cur_pick input")
    picker.click()
    picker.fill("IRQ4")
    picker.press("Enter")
    wait_idle(page)
    page.locator(".st-key-cur_edit button:not([disabled])").wait_for()
    page.locator(".st-key-cur_edit button").click()
    page.get_by_text("Editing IRQ4").wait_for()  # the form is filled by the click's rerun
    wait_idle(page)
    commit(page, ".st-key-cur_f_latitude input", "48.85660")
    commit(page, ".st-key-cur_f_longitude input", "2.35220")
    page.get_by_text("is outside Iraq").wait_for()
    assert page.locator(".st-key-cur_save button").is_disabled()
    assert (copy / "data" / "events.csv").read_bytes() == before
