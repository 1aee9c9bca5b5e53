"""Filtering, viewport selection, framing and the URL form of a view."""

from datetime import date

import pandas as pd
import pytest

from conftest import ROOT
from geo.events import load_events
from geo.filters import (
    Bounds,
    FilterState,
    Options,
    View,
    filter_events,
    frame,
    parse_query,
    summarise,
    to_query,
    view_bounds,
    visible_events,
)

EVENTS = load_events(ROOT / "data" / "events.csv").events
OPTIONS = Options.of(EVENTS)


def ids(frame_: pd.DataFrame) -> set[str]:
    return set(frame_["event_id"])


@pytest.mark.parametrize("state, expected", [
    (FilterState(), {"IRQ1", "IRQ2", "IRQ3", "IRQ4", "IRQ5", "IRQ6", "SYR1"}),
    (FilterState(attackers=("US military",)), {"IRQ5", "IRQ6"}),
    (FilterState(attackers=("US military", "Israel")), {"IRQ5", "IRQ6", "SYR1"}),
    (FilterState(target_groups=("Komala",)), {"IRQ2"}),
    (FilterState(start=date(2023, 12, 25), end=date(2023, 12, 25)), {"IRQ4", "SYR1"}),
    (FilterState(end=date(2020, 1, 3)), {"IRQ6"}),
    (FilterState(attackers=("US military",), start=date(2021, 1, 1)), {"IRQ5"}),
    (FilterState(event_types=("Battles",)), set()),
])
def test_filter_events(state, expected):
    assert ids(filter_events(EVENTS, state)) == expected


def test_counts_follow_the_filters():
    s = summarise(filter_events(EVENTS, FilterState(attackers=("US military",))))
    assert (s.events, s.fatalities, s.injuries) == (2, 3, 18)
    assert summarise(EVENTS.iloc[0:0]).events == 0


def test_no_viewport_yet_means_every_event_is_visible():
    assert len(visible_events(EVENTS, None)) == len(EVENTS)
    assert Bounds.from_leaflet(None) is None
    assert Bounds.from_leaflet({"_southWest": {"lat": None, "lng": None},
                                "_northEast": {"lat": None, "lng": None}}) is None


def test_a_viewport_around_erbil_airport_holds_only_that_event():
    around = Bounds(36.20, 43.90, 36.27, 44.02)
    assert ids(visible_events(EVENTS, around)) == {"IRQ4"}


def test_bounds_from_leaflet():
    b = Bounds.from_leaflet({"_southWest": {"lat": 1, "lng": 2},
                             "_northEast": {"lat": 3, "lng": 4}})
    assert b == Bounds(1, 2, 3, 4)


def test_a_viewport_across_the_antimeridian():
    events = EVENTS.iloc[:3].assign(longitude=[179.5, -179.5, 0.0], latitude=[0.0, 0.0, 0.0])
    assert len(visible_events(events, Bounds(-1, 179, 1, 181))) == 2


def test_framing_holds_every_event():
    view = frame(EVENTS, 900, 620)
    assert ids(visible_events(EVENTS, view_bounds(view, 900, 620))) == ids(EVENTS)
    # with its margin the frame is at most one zoom level wider than the tightest fit
    tighter = View(view.lat, view.lon, view.zoom + 2)
    assert ids(visible_events(EVENTS, view_bounds(tighter, 900, 620))) != ids(EVENTS)
    assert frame(EVENTS.iloc[0:0], 900, 620) is None


def test_view_bounds_match_leaflet_at_zoom_0():
    b = view_bounds(View(0, 0, 0), 256, 256)
    assert (round(b.west), round(b.east), round(b.north, 2)) == (-180, 180, 85.05)


def test_url_parameters_set_the_filters_and_view():
    state, view, notes = parse_query({"attacker": ["US military", "Israel"],
                                      "target_group": ["Kataib Hezbollah"],
                                      "start": ["2023-01-01"], "end": ["2023-12-31"],
                                      "lat": ["36.2"], "lon": ["43.9"], "zoom": ["12"]}, OPTIONS)
    assert notes == []
    assert state == FilterState(("US military", "Israel"), ("Kataib Hezbollah",),
                                (), date(2023, 1, 1), date(2023, 12, 31))
    assert view == View(36.2, 43.9, 12)


@pytest.mark.parametrize("params, note", [
    ({"attacker": ["Nobody"]}, "attacker='Nobody' matches no event"),
    ({"target_group": ["<script>"]}, "target_group='<script>' matches no event"),
    ({"start": ["yesterday"]}, "start='yesterday' is not a date"),
    ({"start": ["2024-01-01"], "end": ["2023-01-01"]}, "is after end"),
    ({"lat": ["north"], "lon": ["44"], "zoom": ["5"]}, "is not a map view"),
    ({"lat": ["95"], "lon": ["44"], "zoom": ["5"]}, "is not a map view"),
    ({"lat": ["33"], "lon": ["44"]}, "is not a map view"),
])
def test_a_url_value_that_matches_nothing_gives_a_note_and_is_ignored(params, note):
    state, view, notes = parse_query(params, OPTIONS)
    assert len(notes) == 1 and note in notes[0]
    assert filter_events(EVENTS, state).shape[0] in (len(EVENTS), 0) and view is None


def test_url_round_trip():
    state = FilterState(("US military",), (), (), date(2023, 1, 1), None)
    query = to_query(state, View(36.2376, 43.9632, 13))
    back, view, notes = parse_query(query, OPTIONS)
    assert (back, view, notes) == (state, View(36.2376, 43.9632, 13), [])
    assert to_query(FilterState()) == {}


@pytest.mark.parametrize("bases, expected", [
    (("attributed by others",), {"SYR1"}),
    (("claimed by the group", "attributed by others"), {"IRQ4", "SYR1"}),
    (("acknowledged by the attacker",), {"IRQ1", "IRQ2", "IRQ3", "IRQ5"}),
    (("direction not stated",), set()),
])
def test_filter_by_attribution_basis(bases, expected):
    assert ids(filter_events(EVENTS, FilterState(attributions=bases))) == expected


def test_attribution_travels_in_the_url_and_unknown_values_are_named():
    state, _, notes = parse_query({"attribution": ["claimed by the group", "rumoured"]}, OPTIONS)
    assert state == FilterState(attributions=("claimed by the group",))
    assert notes == ["URL attribution='rumoured' matches no event in this dataset; ignored."]
    assert to_query(state) == {"attribution": ["claimed by the group"]}
    assert parse_query(to_query(state), OPTIONS)[0] == state


def test_a_frame_without_an_attribution_column_still_filters():
    old = EVENTS.drop(columns=["attribution"])
    assert Options.of(old).attributions == []
    assert len(filter_events(old, FilterState())) == len(old)
    assert filter_events(old, FilterState(attributions=("claimed by the group",))).empty


def test_counts_say_not_reported_when_no_event_shown_has_a_figure():
    imported = EVENTS.assign(injuries=pd.array([None] * len(EVENTS), dtype="Int64"))
    summary = summarise(imported)
    assert summary.injuries == 0 and not summary.injuries_reported
    assert summarise(EVENTS).injuries_reported  # IRQ4 and IRQ5 give injury figures
    irq1 = summarise(EVENTS[EVENTS["event_id"] == "IRQ1"])
    assert not irq1.fatalities_reported and irq1.without_fatality_figure == 1
    assert summarise(EVENTS.iloc[:0]).fatalities_reported  # no events: 0, not "not reported"
