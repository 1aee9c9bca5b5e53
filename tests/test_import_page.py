"""The Import page and session-only imports, under Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

import ui
from geo.actors import canonicalise
from geo.ingest import convert
from helpers import ROOT, metric, run_page

FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


def imported(name: str) -> ui.Imported:
    result = convert(FIXTURES / name)
    return ui.Imported(name, result.format, result.events, result.summary())


def run(page: str, session: dict | None = None, query: dict | None = None) -> AppTest:
    return run_page(page, query, session=session)


def shown(at: AppTest) -> int:
    return int(metric(at, "Events shown").replace(",", ""))


def test_the_import_page_states_the_upload_limit_and_the_session_rule():
    at = run("pages/5_Import.py")
    text = " ".join(m.value for m in at.markdown)
    assert "200 MB" in text and "this browser session only" in text


def test_imported_events_appear_beside_the_bundled_ones():
    item = imported("acled_current.csv")
    at = run("app.py", {ui.IMPORTS: [item]})
    assert shown(at) == 7 + len(item.events)
    captions = [c.value.replace("\\", "") for c in at.caption]  # markdown escapes removed
    assert any("imported acled_current.csv" in c for c in captions), captions


def test_imported_events_can_replace_the_bundled_ones():
    item = imported("ucdp_ged.csv")
    at = run("app.py", {ui.IMPORTS: [item], "dataset_mode": "instead"})
    assert shown(at) == len(item.events)


def test_filters_apply_to_imported_events():
    item = imported("acled_current.csv")
    canonical = canonicalise(item.events)[0]  # filters use one name per actor (issue 13)
    attacker = canonical["attacker"].iloc[0]
    expected = int((canonical["attacker"] == attacker).sum())
    at = run("app.py", {ui.IMPORTS: [item], "dataset_mode": "instead"},
             {"attacker": [attacker]})
    assert shown(at) == expected


def test_a_new_session_sees_only_the_bundled_data():
    run("app.py", {ui.IMPORTS: [imported("acled_current.csv")]})
    assert shown(run("app.py")) == 7


def test_the_import_page_lists_and_removes_imports():
    at = run("pages/5_Import.py", {ui.IMPORTS: [imported("acled_current.csv")]})
    assert any("acled_current.csv" in m.value for m in at.markdown)
    at.button(key="remove_acled_current.csv").click().run()
    assert ui.IMPORTS in at.session_state and at.session_state[ui.IMPORTS] == []
