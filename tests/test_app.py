"""The map page under Streamlit's AppTest: filters, URL state, notes and another events file."""

from __future__ import annotations

import pyarrow as pa
import pytest

import ui
from helpers import ROOT, map_layer, metric, run_page

APP = str(ROOT / "app.py")


def run(query: dict | None = None, argv: list[str] | None = None, monkeypatch=None):
    return run_page("app.py", query, argv=argv, monkeypatch=monkeypatch)


@pytest.fixture
def fresh_caches():
    """The process's Streamlit caches (the store and its settings, the frames) rebuilt."""
    import streamlit as st

    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.mark.parametrize("budget_mb, kept", [("1500", 1), ("0.001", 0)])
def test_the_shared_frames_stay_within_their_memory_budget(
    monkeypatch, fresh_caches, budget_mb, kept
):
    monkeypatch.setenv("CONFLICT_MAP_FRAMES_MB", budget_mb)
    at = run()
    assert metric(at, "Events shown") == "7"  # a frame too large to keep is used, not kept
    assert len(ui.frames().keys()) == kept
    assert ui.frames().held_bytes() <= float(budget_mb) * 1024 * 1024
    # Arrow allocates through the C library, so freed frames can be handed back to the system
    assert pa.default_memory_pool().backend_name == "system"


def test_the_store_sets_the_allocator_up_once_for_the_server(monkeypatch, fresh_caches):
    """ui.store(), the first thing a server does: large blocks mapped on their own, and the
    page runs' threads sharing two heaps (geo.cache; 10 sessions at 2.5M events: about 40 MB
    less)."""
    called = []
    monkeypatch.setattr(ui, "free_large_blocks_at_once", lambda: called.append("blocks"))
    monkeypatch.setattr(ui, "share_heaps", lambda: called.append("heaps"))
    run()
    run()
    assert called == ["blocks", "heaps"]


def test_a_session_keeps_its_filter_not_a_copy_of_the_filtered_events(fresh_caches):
    """The map's fragment and the play button keep their arguments for later runs: the filter
    state, so the filtered frame lives in ui.shown_frames (bounded) and nowhere else."""
    import gc
    import weakref

    at = run({"attacker": "US military"})
    assert metric(at, "Events shown") == "2"
    [key] = ui.shown_frames().keys()
    frame = weakref.ref(ui.shown_frames().get(key, lambda: pytest.fail("it is cached")))
    again = run({"attacker": "US military"})  # another session, the same filter: the same frame
    assert ui.shown_frames().keys() == [key] and metric(again, "Events shown") == "2"
    ui.shown_frames().clear()
    gc.collect()
    assert frame() is None, [type(r).__name__ for r in gc.get_referrers(frame())]
    assert not at.exception and not again.exception


def test_the_shared_map_layer_follows_each_sessions_filters_and_layer(fresh_caches):
    """ui.planned shares a layer between sessions that filter alike (and only those), all at
    the same view (the default view frames the events shown, which would differ)."""
    view = {"lat": "34", "lon": "43", "zoom": "5"}
    first = map_layer(run({**view, "attacker": "US military"}))
    everything = map_layer(run(view))
    again = map_layer(run({**view, "attacker": "US military"}))
    density = map_layer(run({**view, "attacker": "US military", "layer": "density"}))
    assert (first["mode"], first["n"], everything["n"]) == ("points", 2, 7)
    assert again == first and density["mode"] == "density"
    assert [a[0] for a in first["legend"]["attackers"]] == ["US military"]
    assert len(everything["legend"]["attackers"]) > 1


def test_the_warm_up_loads_the_events_before_the_first_visit(fresh_caches, monkeypatch):
    ui.warm_up()  # what serve.py runs on a thread as the server starts
    [ids] = ui.frames().keys()
    monkeypatch.setattr(ui, "_load_frame", lambda ids: pytest.fail("loaded again"))
    at = run()
    assert metric(at, "Events shown") == "7" and ui.frames().keys() == [ids]


def test_the_warm_up_fills_the_table_declare_component_looks_modules_up_in(monkeypatch):
    import inspect

    monkeypatch.setattr(inspect, "modulesbyfile", {})
    monkeypatch.setattr(inspect, "_filesbymodname", {})
    ui._import_first_run_libraries()
    assert inspect.modulesbyfile[inspect.getabsfile(ui)] == "ui"


def test_the_warm_up_plans_the_map_a_first_visit_opens(fresh_caches, monkeypatch):
    from geo import mapview

    ui.warm_up()
    planned = []
    real = mapview.plan_view
    monkeypatch.setattr(mapview, "plan_view", lambda *a, **k: planned.append(a[3]) or real(*a, **k))
    layer = map_layer(run())
    assert (layer["mode"], layer["n"], planned) == ("points", 7, [])
    run({"lat": "36.19", "lon": "44.01", "zoom": "12"})  # a view the warm-up did not plan
    assert planned == [12]


@pytest.mark.parametrize(
    "variable, value, named",
    [
        ("CONFLICT_MAP_MAX_COLUMNS", "[lots](https://evil.example)", "CONFLICT_MAP_MAX_COLUMNS"),
        ("CONFLICT_MAP_RETENTION_DAYS", "soon", "CONFLICT_MAP_RETENTION_DAYS"),
    ],
)
def test_a_wrong_setting_stops_the_app_with_a_message_naming_it(
    monkeypatch, fresh_caches, variable, value, named
):
    monkeypatch.setenv(variable, value)
    at = run()
    assert not at.exception
    [error] = at.error
    plain = error.value.replace("\\", "").replace("\u2060", "")  # as the reader sees it
    assert named in plain and repr(value) in plain
    assert "[" not in error.value.replace("\\[", "")  # every bracket escaped: text, no link
    assert not at.metric


def test_the_page_runs_and_shows_every_event():
    at = run()
    assert metric(at, "Events shown") == "7"
    assert metric(at, "Fatalities") == "4" and metric(at, "Injuries") == "21"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["CSV (7 in view)", "GeoJSON (7 in view)"]


@pytest.mark.parametrize(
    "key, value, shown",
    [
        ("attacker", ["US military"], "2"),
        ("target_group", ["Komala", "Kataib Hezbollah"], "2"),
        ("event_type", ["Explosions/Remote violence"], "7"),
    ],
)
def test_each_multiselect_narrows_the_events(key, value, shown):
    at = run()
    at.multiselect(key=key).set_value(value).run()
    assert not at.exception
    assert metric(at, "Events shown") == shown


def test_the_date_range_narrows_the_events():
    from datetime import date

    at = run()
    at.date_input(key="start").set_value(date(2023, 12, 25)).run()
    assert metric(at, "Events shown") == "3"
    at.date_input(key="end").set_value(date(2023, 12, 25)).run()
    assert metric(at, "Events shown") == "2"


def test_url_parameters_set_the_filters():
    at = run({"attacker": ["US military"], "start": "2021-01-01"})
    assert at.multiselect(key="attacker").value == ["US military"]
    assert metric(at, "Events shown") == "1"
    assert (at.query_params["attacker"], at.query_params["start"]) == ("US military", "2021-01-01")
    assert "end" not in at.query_params


def test_the_url_is_rewritten_without_the_values_that_were_ignored():
    at = run({"attacker": ["Nobody at all", "US military"], "start": "yesterday"})
    assert at.query_params["attacker"] == "US military" and "start" not in at.query_params


def test_a_url_view_is_kept_and_used_for_the_export():
    at = run({"lat": "36.2376", "lon": "43.9632", "zoom": "13"})
    view = (at.query_params["lat"], at.query_params["lon"], at.query_params["zoom"])
    assert view == ("36.2376", "43.9632", "13")  # not replaced by a frame around every event
    assert [b.label for b in at.get("download_button")][0] == "CSV (1 in view)"
    assert "1 of 7 shown events inside the map view" in at.caption[-1].value


def test_an_unknown_url_value_gives_a_note_not_a_crash():
    at = run({"attacker": ["Nobody at all", "US military"], "lat": "north"})
    notes = " ".join(i.value for i in at.info).replace("\\", "")  # shown as literal text
    assert "attacker='Nobody at all' matches no event" in notes
    assert "is not a map view" in notes
    assert metric(at, "Events shown") == "2"


@pytest.mark.parametrize(
    "lat, lon, zoom",
    [
        ("33", "44", "inf"),
        ("33", "44", "nan"),
        ("33", "44", "1e400"),
        ("1e400", "44", "5"),
    ],
)
def test_an_impossible_map_view_gives_a_note_and_the_default_view(lat, lon, zoom):
    at = run({"lat": lat, "lon": lon, "zoom": zoom})  # run() asserts no exception
    notes = " ".join(i.value for i in at.info).replace("\\", "")
    assert "is not a map view" in notes
    assert metric(at, "Events shown") == "7"


def test_zero_results_give_a_note_and_the_page_still_runs():
    at = run({"attacker": ["US military"], "target_group": ["Komala"]})
    assert metric(at, "Events shown") == "0"
    assert any("No events match" in w.value for w in at.warning)
    assert [b.disabled for b in at.get("download_button")] == [True, True]


def test_another_events_file_is_shown_with_its_problems(tmp_path, monkeypatch):
    text = (ROOT / "data" / "events.csv").read_text(encoding="utf-8").splitlines()
    broken = text[:3] + [text[4].replace("2023-12-25", "25/12/2023")]
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    at = run(argv=["--events", str(path)], monkeypatch=monkeypatch)
    assert metric(at, "Events shown") == "2"
    assert "Showing the mine\\.csv" in at.caption[-1].value
    problems = at.expander[0]
    assert "1 row problem" in problems.label
    assert "mine.csv line 4, column event_date" in problems.text[0].value


def test_a_file_whose_own_dataset_column_names_two_sources_is_checked_across_them(
    tmp_path, monkeypatch
):
    """A ``dataset`` column (kept beside the schema's) says which rows come from which source:
    a second report of IRQ5 from another source is flagged, and the page does not fail on a
    column of text where its own labels are categories."""
    import pandas as pd

    events = pd.read_csv(ROOT / "data" / "events.csv", dtype=str, keep_default_na=False)
    second = events[events["event_id"] == "IRQ5"].assign(event_id="SHEET5")
    both = pd.concat([events, second], ignore_index=True)
    both["dataset"] = ["bundled"] * len(events) + ["a newsroom's sheet"]
    path = tmp_path / "two_sources.csv"
    both.to_csv(path, index=False)
    assert metric(run(argv=["--events", str(path)], monkeypatch=monkeypatch), "Events shown") == "8"
    timeline = run_page(
        "pages/2_Timeline.py", argv=["--events", str(path)], monkeypatch=monkeypatch
    )
    assert any("1 event drawn here may be a second report" in c.value for c in timeline.caption)


def test_a_file_that_is_not_an_events_file_is_explained(tmp_path, monkeypatch, caplog):
    path = tmp_path / "other.csv"
    path.write_text("name,value\nx,1\n", encoding="utf-8")
    at = run(argv=["--events", str(path)], monkeypatch=monkeypatch)
    # Visitors get a fixed sentence (the file's content is not theirs to see); the operator
    # gets the reason in the server's log.
    assert [e.value for e in at.error] == [ui.LOAD_FAILED]
    assert "name,value" not in at.error[0].value and "other.csv" not in at.error[0].value
    assert "is not an events file: it lacks event_id" in caplog.text
    assert metric(at, "Events shown") == "0"


def test_the_url_view_is_not_rewritten_before_the_map_reports_one():
    at = run()
    assert "zoom" not in at.query_params and "lat" not in at.query_params


def test_a_place_search_moves_the_map_and_says_where():
    at = run()
    at.text_input(key="place_query").set_value("Erbil").run(timeout=300)  # GeoNames is read
    assert not at.exception
    shown = [c.value.replace("\\", "") for c in at.caption]  # markdown escapes removed
    assert any("Showing Erbil, Iraq (GeoNames)" in c for c in shown), shown
    state = at.session_state["map_view_state"]
    assert state.pending and state.move.view.zoom == 10
    at.text_input(key="place_query").set_value("Qqqzzxx").run()
    assert any("No place called “Qqqzzxx”" in c.value.replace("\\", "") for c in at.caption)


def test_the_frame_button_asks_the_browser_for_a_new_framing():
    at = run({"lat": "36.2376", "lon": "43.9632", "zoom": "13"})
    before = at.session_state["map_view_state"].move.token
    next(b for b in at.button if b.label == "Frame the shown events").click().run()
    state = at.session_state["map_view_state"]
    assert state.move.token == before + 1 and state.move.fit is not None
    assert [b.label for b in at.get("download_button")][0] == "CSV (7 in view)"


def test_the_map_survives_its_stored_dataset_being_removed_underneath():
    """Retention, a deployer or another server sharing the store may delete the bundled
    dataset's files; the next visit stores the file again instead of failing."""
    from geo.schema import EVENTS_CSV
    from geo.store import Settings, Store

    assert metric(run(), "Events shown") == "7"
    store = Store(Settings.from_sources([]))
    store.remove(store.ensure_file(EVENTS_CSV).id)
    assert metric(run(), "Events shown") == "7"


def test_play_sets_the_date_filter_to_the_first_window_and_stop_puts_it_back():
    at = run({"step": "month"})
    next(b for b in at.button if b.label == "Play").click().run()
    assert not at.exception
    assert (str(at.session_state["start"]), str(at.session_state["end"])) == (
        "2020-01-01",
        "2020-01-31",
    )
    assert metric(at, "Events shown") == "1"  # IRQ6, the only event of January 2020
    assert at.session_state["playback"].playing
    next(b for b in at.button if b.label == "Pause (1 of 3)").click().run()
    assert not at.session_state["playback"].playing
    assert str(at.session_state["end"]) == "2020-01-31"  # pausing keeps the window
    next(b for b in at.button if b.key == "play_stop").click().run()
    assert at.session_state["start"] is None and at.session_state["end"] is None
    assert metric(at, "Events shown") == "7"


def test_a_week_known_event_shows_for_its_whole_week_during_a_playback(tmp_path, monkeypatch):
    import pandas as pd

    from geo.schema import EVENTS_CSV

    events = pd.read_csv(EVENTS_CSV, dtype=str, keep_default_na=False)
    events.loc[events["event_id"] == "IRQ6", "time_precision"] = "2"  # Fri 3 Jan 2020: week
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    at = run({"step": "day"}, argv=["--events", str(path)], monkeypatch=monkeypatch)
    next(b for b in at.button if b.label == "Play").click().run()
    # The first day of the playback is Monday 30 December 2019, and IRQ6 shows on it.
    assert str(at.session_state["start"]) == "2019-12-30"
    assert metric(at, "Events shown") == "1"
