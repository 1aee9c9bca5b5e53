"""Issue 13 on the pages: attribution, uncertain dates, casualties in context, one actor one
name and possible duplicates, under Streamlit's AppTest."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from geo.actors import canonicalise
from geo.ingest import convert
from geo.store import Settings, Store
from helpers import ROOT, metric, run_page

OVERLAP = ROOT / "tests" / "fixtures" / "duplicates" / "acled_overlapping_bundled.csv"


def imported(path=OVERLAP) -> str:
    """Store a file as the Import page does (canonical actor names); return its dataset id."""
    result = convert(path)
    events = canonicalise(result.events)[0]
    store = Store(Settings.from_sources([]))  # CONFLICT_MAP_STORE, set by tests/conftest.py
    return store.put(events, name=path.name, format=result.format, problems=result.problems).id


def run(page: str, session: dict | None = None, query: dict | None = None) -> AppTest:
    return run_page(page, query, session=session)


def test_events_table_shows_basis_window_total_and_source_title():
    table = run("pages/1_Events.py").dataframe[0].value.set_index("event_id")
    assert table.loc["SYR1", "attacker"] == "Israel"
    assert table.loc["SYR1", "attribution"] == "attributed by others"
    assert table.loc["IRQ4", "attribution"] == "claimed by the group"
    assert table.loc["IRQ2", "casualty_context"].startswith(
        "13 killed, 58 wounded across IRQ1–IRQ3"
    )
    assert table.loc["IRQ5", "casualty_context"] == ""
    assert table.loc["IRQ5", "when"] == "2023-12-26"
    assert table.loc["IRQ5", "source"].startswith("News article on US strikes")
    assert set(table["possible_duplicate_of"]) == {""}  # one dataset: nothing to compare


def test_attribution_filter_from_the_url():
    at = run("pages/1_Events.py", query={"attribution": ["attributed by others"]})
    assert at.multiselect(key="attribution").value == ["attributed by others"]
    assert list(at.dataframe[0].value["event_id"]) == ["SYR1"]


def test_selected_event_details_name_the_basis_and_the_total():
    at = run("pages/1_Events.py", query={"event": "IRQ1"})
    body = " ".join(h.proto.body for h in at.get("html"))
    assert "Attribution: acknowledged by the attacker" in body
    assert "In a multi-site total: 13 killed, 58 wounded across IRQ1–IRQ3" in body
    assert "(untitled; our description)" in body


def test_an_import_is_canonicalised_flagged_and_its_copies_can_be_hidden():
    at = run("pages/1_Events.py", query={"data": imported()})
    attackers = at.multiselect(key="attacker").options
    assert "Islamic Revolutionary Guard Corps (IRGC)" in attackers
    assert "Islamic Revolutionary Guard Corps" not in attackers  # ACLED's spelling merged
    table = at.dataframe[0].value.set_index("event_id")
    assert len(table) == 11
    assert table.loc["IRQ5", "possible_duplicate_of"] == "IRQ90001"
    assert table.loc["IRQ90001", "duplicate_rule"] == (
        "same day, within 5 km, same attacker and target"
    )
    assert table.loc["IRQ90001", "attribution"] == "direction not stated"
    assert table.loc["IRQ90001", "source"] == "Al Jazeera; Rudaw"  # ACLED's own source text
    toggle = at.toggle(key="hide_duplicates")
    assert "2 among the events shown" in toggle.label
    toggle.set_value(True).run()
    assert not at.exception
    ids = set(at.dataframe[0].value["event_id"])
    assert len(ids) == 9 and not {"IRQ90001", "IRQ90004"} & ids


def test_counters_say_not_reported_when_no_shown_event_has_a_figure():
    at = run("pages/1_Events.py", {"dataset_mode": "instead"}, {"data": imported()})
    assert metric(at, "Injuries") == "not reported"  # ACLED has no injury figures
    assert metric(at, "Fatalities") == "1"  # 1 + 0 + 0 + 0: zeros are figures
    bundled = run("pages/1_Events.py")
    assert metric(bundled, "Injuries") == "21"


def test_about_explains_the_new_fields_from_the_data_readme():
    at = run("pages/4_About_the_data.py")
    headers = [h.value for h in at.header]
    for heading in (
        "Who did it, and how we know",
        "Sources and how to cite them",
        "One actor, several names",
        "The same strike twice, and living datasets",
    ):
        assert heading in headers
    text = " ".join(m.value for m in at.markdown)
    assert "attributed by others" in text and "`event_date_interval`" in text
    assert "SHA-256" in text and "canonical" in text and "possible_duplicate_of" in text
    counts = next(t.value for t in at.table if "Attribution" in t.value.columns)
    assert dict(zip(counts["Attribution"], counts["Events"], strict=True)) == {
        "acknowledged by the attacker": "4",
        "claimed by the group": "1",
        "attributed by others": "1",
        "reported without attribution": "1",
    }


def headings(at) -> dict[str, str]:
    config = json.loads(at.dataframe[0].proto.columns)
    return {name: c.get("label") for name, c in config.items()}


def test_table_headings_say_side_a_and_b_when_rows_name_two_sides_without_a_direction():
    bundled = headings(run("pages/1_Events.py"))
    assert (bundled["attacker"], bundled["target_group"]) == ("Attacker", "Target group")
    mixed = headings(run("pages/1_Events.py", query={"data": imported()}))
    assert (mixed["attacker"], mixed["target_group"]) == (
        "Attacker or side A",
        "Target group or side B",
    )


def test_timeline_says_how_many_events_drawn_may_be_counted_twice():
    at = run("pages/2_Timeline.py", query={"data": imported()})
    notes = [c.value for c in at.caption if "may be a second report" in c.value]
    assert notes and notes[0].startswith("2 events drawn here"), [c.value for c in at.caption]
    assert not [c for c in run("pages/2_Timeline.py").caption if "second report" in c.value]
