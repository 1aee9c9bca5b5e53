"""The Import page and stored imports (reached by ?data=<id>), under Streamlit's AppTest."""

from __future__ import annotations

import csv
import io

import pytest
from streamlit.testing.v1 import AppTest

import ui
from geo.actors import canonicalise
from geo.ingest import convert
from geo.review import review_import
from geo.schema import EVENTS_CSV
from geo.store import Settings, Store, UnknownDataset
from helpers import ROOT, metric, run_page

FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


def store() -> Store:
    """The store the app uses in tests (CONFLICT_MAP_STORE, set by tests/conftest.py)."""
    return Store(Settings.from_sources([]))


def stored(name: str) -> tuple[str, int, str]:
    """Import a fixture into the store as the page does; return (id, events, first attacker)."""
    result = convert(FIXTURES / name)
    events = canonicalise(result.events)[0]  # one actor, one name, as ui.add_import does
    entry = store().put(events, name=name, format=result.format, problems=result.problems)
    return entry.id, len(events), str(events["attacker"].iloc[0])


def run(page: str, session: dict | None = None, query: dict | None = None) -> AppTest:
    return run_page(page, query, session=session)


def shown(at: AppTest) -> int:
    return int(metric(at, "Events shown").replace(",", ""))


def test_the_import_page_states_the_upload_limit_and_the_private_link_rule():
    at = run("pages/5_Import.py")
    text = " ".join(m.value for m in at.markdown)
    assert "200 MB" in text and "private link" in text and "Remove" in text


def test_an_import_opened_by_its_link_appears_beside_the_bundled_events():
    dataset_id, n, _ = stored("acled_current.csv")
    at = run("app.py", query={"data": dataset_id})
    assert shown(at) == 7 + n
    captions = [c.value.replace("\\", "") for c in at.caption]  # markdown escapes removed
    assert any("imported acled_current.csv" in c for c in captions), captions


def test_a_link_with_two_imports_opens_both():
    a, na, _ = stored("acled_current.csv")
    b, nb, _ = stored("ucdp_ged.csv")
    at = run("app.py", query={"data": [a, b]})
    assert shown(at) == 7 + na + nb


def test_the_map_frames_the_events_again_when_an_import_joins_or_leaves_them():
    """The map framed the bundled events (Iraq); an import adds events in Mali: back on the
    map, every event shown is in view, and after its removal only the bundled ones."""
    dataset_id, n, _ = stored("acled_current.csv")
    at = run("app.py")
    assert at.get("download_button")[0].label == "CSV (7 in view)"
    at.session_state["imported_ids"] = [dataset_id]  # as the Import page's add_import does
    at.run()
    assert shown(at) == 7 + n
    assert at.get("download_button")[0].label == f"CSV ({7 + n} in view)"
    at.session_state["imported_ids"] = []
    at.run()
    assert at.get("download_button")[0].label == "CSV (7 in view)"


def test_imported_events_can_replace_the_bundled_ones():
    dataset_id, n, _ = stored("ucdp_ged.csv")
    at = run("app.py", {"dataset_mode": "instead"}, {"data": dataset_id})
    assert shown(at) == n


def test_an_imported_attacker_in_the_url_is_applied_not_ignored():
    dataset_id, _, attacker = stored("acled_current.csv")
    events = canonicalise(convert(FIXTURES / "acled_current.csv").events)[0]
    expected = int((events["attacker"] == attacker).sum())
    at = run("app.py", {"dataset_mode": "instead"}, {"data": dataset_id, "attacker": attacker})
    assert shown(at) == expected
    assert not any("ignored" in str(i.value) for i in at.info)


def test_a_session_without_the_link_sees_only_the_bundled_data():
    stored("acled_current.csv")
    assert shown(run("app.py")) == 7


@pytest.mark.parametrize("bad", ["Z" * 22, "not-an-id", "<b>x</b>"])
def test_an_unknown_or_tampered_id_gets_a_message_and_the_bundled_data(bad):
    at = run("app.py", query={"data": bad})
    assert shown(at) == 7
    notes = " ".join(str(i.value) for i in at.info)
    assert "dataset" in notes and ("not a valid id" in notes or "No dataset has the id" in notes)
    assert "<b>" not in notes


def test_the_import_page_lists_an_import_as_text_with_its_link_and_removes_it_for_good():
    dataset_id, n, _ = stored("acled_current.csv")
    at = run("pages/5_Import.py", query={"data": dataset_id})
    assert any(
        t.value.startswith("acled_current.csv (ACLED") and f"{n:,} events" in t.value
        for t in at.text
    )
    assert any(dataset_id in c.value for c in at.code)
    at.button(key=f"remove_{dataset_id}").click().run()
    assert not at.exception
    assert at.session_state[ui.IMPORTS] == []
    with pytest.raises(UnknownDataset):
        store().get(dataset_id)
    assert shown(run("app.py", query={"data": dataset_id})) == 7  # the link is dead too


def pending(path, events) -> ui.PendingImport:
    """A file converted and reviewed as the Import page does it, before the user's choice."""
    result = convert(path)
    mapped, unmatched = canonicalise(result.events)
    review = review_import(mapped, events, unmatched)
    return ui.PendingImport(path.name, path.stat().st_size, result, mapped, review)


def choose(events, leave_out: bool | None) -> AppTest:
    """Import data/events.csv again (all 7 events already in the data) and answer the choice:
    None keeps the default."""
    at = run("pages/5_Import.py", {"import_pending": pending(EVENTS_CSV, events)})
    box = at.checkbox(key="import_leave_out")
    assert box.label == "Leave out the 7 events that may already be in the data"
    if leave_out is not None:
        box.set_value(leave_out)
    at.button(key="import_confirm").click().run()
    assert not at.exception
    return at


def test_importing_the_bundled_file_again_offers_to_leave_out_its_7_events(events):
    at = run("pages/5_Import.py", {"import_pending": pending(EVENTS_CSV, events)})
    assert "7 of the 7 events in this file may already be in the data" in at.warning[0].value
    listed = "\n".join(t.value for t in at.text)
    assert "- IRQ1, possibly the same event as IRQ1 (same day, within 5 km" in listed
    assert at.checkbox(key="import_leave_out").value  # on unless the user says otherwise
    assert at.session_state[ui.IMPORTS] == []  # nothing stored before the choice


def test_leaving_them_out_stores_nothing_and_names_each_one(events):
    at = choose(events, None)
    assert at.session_state[ui.IMPORTS] == []
    summary = at.success[0].value.replace("\\", "")
    assert "7 events left out as possibly already in the data" in summary
    assert "nothing was stored" in summary
    shown = "\n".join(t.value for t in at.text)
    assert "Left out at your choice: the 7 imported events that may already be in the data" in (
        shown
    )
    assert all(f"- {i}, possibly the same event as {i} (" in shown for i in events["event_id"])
    assert not at.checkbox  # the choice is made
    assert shown_count(events) == 7  # the map shows the 7 events once


def test_keeping_them_imports_all_7_flagged_beside_the_data(events):
    at = choose(events, False)
    (dataset_id,) = at.session_state[ui.IMPORTS]
    assert store().get(dataset_id).rows == 7
    shown = "\n".join(t.value for t in at.text)
    assert "7 of 7 imported events may already be in the data shown beside them" in shown
    assert "kept at your choice" in shown
    events_page = run("pages/1_Events.py", query={"data": dataset_id})
    table = events_page.dataframe[0].value
    assert (table["possible_duplicate_of"] != "").sum() == 14  # both copies, each naming the other


def test_cancel_imports_nothing(events):
    at = run("pages/5_Import.py", {"import_pending": pending(EVENTS_CSV, events)})
    at.button(key="import_cancel").click().run()
    assert not at.exception and not at.checkbox and not at.success
    assert at.session_state[ui.IMPORTS] == []


def shown_count(events) -> int:
    return shown(run("app.py"))


def test_the_apps_frame_carries_the_duplicate_flags_into_its_exports():
    from geo.export import to_csv_bytes

    overlap = ROOT / "tests" / "fixtures" / "duplicates" / "acled_overlapping_bundled.csv"
    result = convert(overlap)
    entry = store().put(canonicalise(result.events)[0], name=overlap.name, format=result.format)
    base = store().ensure_file(str(EVENTS_CSV))
    frame = ui._frame((base.id, entry.id))  # what every page of a session with it shows
    table = list(csv.DictReader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    by_id = {row["event_id"]: row for row in table}
    assert by_id["IRQ5"]["possible_duplicate_of"] == "IRQ90001"
    assert by_id["IRQ90001"]["duplicate_rule"] == "same day, within 5 km, same attacker and target"
    assert by_id["IRQ90001"]["duplicate_copy"] == "true"
    assert by_id["IRQ1"]["possible_duplicate_of"] == ""
