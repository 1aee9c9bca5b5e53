"""The Import page and stored imports (reached by ?data=<id>), under Streamlit's AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import ui
from geo.actors import canonicalise
from geo.ingest import convert
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
