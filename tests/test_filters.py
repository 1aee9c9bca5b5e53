"""Filtering, viewport selection, framing and the URL form of a view."""

import functools
import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.filters import (
    EARLIEST,
    MAX_ZOOM,
    Bounds,
    FilterState,
    Options,
    View,
    filter_events,
    frame,
    in_view,
    parse_query,
    parse_view,
    summarise,
    to_query,
    view_bounds,
    visible_events,
)
from geo.problems import GeoError
from helpers import bundled_events


@pytest.fixture
def options(events) -> Options:
    return Options.of(events)


def ids(frame_: pd.DataFrame) -> set[str]:
    return set(frame_["event_id"])


@pytest.mark.parametrize(
    "state, expected",
    [
        (FilterState(), {"IRQ1", "IRQ2", "IRQ3", "IRQ4", "IRQ5", "IRQ6", "SYR1"}),
        (FilterState(attackers=("US military",)), {"IRQ5", "IRQ6"}),
        (FilterState(attackers=("US military", "Israel")), {"IRQ5", "IRQ6", "SYR1"}),
        (FilterState(target_groups=("Komala",)), {"IRQ2"}),
        (FilterState(start=date(2023, 12, 25), end=date(2023, 12, 25)), {"IRQ4", "SYR1"}),
        (FilterState(end=date(2020, 1, 3)), {"IRQ6"}),
        (FilterState(attackers=("US military",), start=date(2021, 1, 1)), {"IRQ5"}),
        (FilterState(event_types=("Battles",)), set()),
    ],
)
def test_filter_events(events, state, expected):
    assert ids(filter_events(events, state)) == expected


def test_counts_follow_the_filters(events):
    s = summarise(filter_events(events, FilterState(attackers=("US military",))))
    assert (s.events, s.fatalities, s.injuries) == (2, 3, 18)
    assert summarise(events.iloc[0:0]).events == 0


def test_a_view_holding_every_event_is_the_events_themselves_not_a_copy(events):
    assert visible_events(events, Bounds(-90, -180, 90, 180)) is events
    assert visible_events(events, Bounds(-90, -540, 90, 540)) is events
    part = visible_events(events, Bounds(36.0, 43.5, 36.5, 44.5))  # around Erbil
    assert 0 < len(part) < len(events)


def test_only_the_columns_asked_for_are_copied_of_the_events_in_view(events):
    erbil = Bounds(36.0, 43.5, 36.5, 44.5)
    inside = in_view(events, erbil)
    part = visible_events(events, erbil, ["event_id", "latitude"])
    assert list(part.columns) == ["event_id", "latitude"]
    assert part.index.tolist() == events.index[inside].tolist()
    assert part["event_id"].tolist() == visible_events(events, erbil)["event_id"].tolist()
    assert in_view(events, Bounds(-90, -180, 90, 180)) is None
    everything = visible_events(events, Bounds(-90, -180, 90, 180), ["event_id"])
    assert list(everything.columns) == ["event_id"] and len(everything) == len(events)


def test_no_viewport_yet_means_every_event_is_visible(events):
    assert len(visible_events(events, None)) == len(events)
    assert Bounds.from_leaflet(None) is None
    assert (
        Bounds.from_leaflet(
            {"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}
        )
        is None
    )


def test_a_viewport_around_erbil_airport_holds_only_that_event(events):
    around = Bounds(36.20, 43.90, 36.27, 44.02)
    assert ids(visible_events(events, around)) == {"IRQ4"}


def test_bounds_from_leaflet():
    b = Bounds.from_leaflet(
        {"_southWest": {"lat": 1, "lng": 2}, "_northEast": {"lat": 3, "lng": 4}}
    )
    assert b == Bounds(1, 2, 3, 4)


def test_a_viewport_across_the_antimeridian(events):
    few = events.iloc[:3].assign(longitude=[179.5, -179.5, 0.0], latitude=[0.0, 0.0, 0.0])
    assert len(visible_events(few, Bounds(-1, 179, 1, 181))) == 2


def test_framing_holds_every_event(events):
    view = frame(events, 900, 620)
    assert ids(visible_events(events, view_bounds(view, 900, 620))) == ids(events)
    # with its margin the frame is at most one zoom level wider than the tightest fit
    tighter = View(view.lat, view.lon, view.zoom + 2)
    assert ids(visible_events(events, view_bounds(tighter, 900, 620))) != ids(events)
    assert frame(events.iloc[0:0], 900, 620) is None


def test_view_bounds_match_leaflet_at_zoom_0():
    b = view_bounds(View(0, 0, 0), 256, 256)
    assert (round(b.west), round(b.east), round(b.north, 2)) == (-180, 180, 85.05)


def test_url_parameters_set_the_filters_and_view(options):
    state, view, notes = parse_query(
        {
            "attacker": ["US military", "Israel"],
            "target_group": ["Kataib Hezbollah"],
            "start": ["2023-01-01"],
            "end": ["2023-12-31"],
            "lat": ["36.2"],
            "lon": ["43.9"],
            "zoom": ["12"],
        },
        options,
    )
    assert notes == []
    assert state == FilterState(
        ("US military", "Israel"), ("Kataib Hezbollah",), (), date(2023, 1, 1), date(2023, 12, 31)
    )
    assert view == View(36.2, 43.9, 12)


@pytest.mark.parametrize(
    "params, note, kept",
    [
        ({"attacker": ["Nobody"]}, "attacker='Nobody' matches no event", FilterState()),
        (
            {"attacker": ["Nobody", "US military"]},
            "attacker='Nobody' matches no event",
            FilterState(attackers=("US military",)),
        ),
        ({"target_group": ["<script>"]}, "target_group='<script>' matches no event", FilterState()),
        ({"start": ["yesterday"]}, "start='yesterday' is not a date", FilterState()),
        ({"lat": ["north"], "lon": ["44"], "zoom": ["5"]}, "is not a map view", FilterState()),
        ({"lat": ["95"], "lon": ["44"], "zoom": ["5"]}, "is not a map view", FilterState()),
        ({"lat": ["33"], "lon": ["44"]}, "is not a map view", FilterState()),
    ],
)
def test_a_url_value_that_matches_nothing_gives_a_note_and_is_ignored(options, params, note, kept):
    state, view, notes = parse_query(params, options)
    assert len(notes) == 1 and note in notes[0]
    assert state == kept and view is None  # the bad value is dropped, the good ones stay


def test_url_round_trip(options):
    state = FilterState(("US military",), (), (), date(2023, 1, 1), None)
    query = to_query(state, View(36.2376, 43.9632, 13))
    back, view, notes = parse_query(query, options)
    assert (back, view, notes) == (state, View(36.2376, 43.9632, 13), [])
    assert to_query(FilterState()) == {}


# ----------------------------------------------------------------------------- hostile URLs

TODAY = date(2026, 1, 15)


@functools.cache
def bundled_options() -> Options:
    """The bundled dataset's options, for the parsers below and Hypothesis' strategies."""
    return Options.of(bundled_events())


def parse(params):
    return parse_query(params, bundled_options(), today=TODAY)


@pytest.mark.parametrize(
    "lat, lon, zoom",
    [
        ("33", "44", "inf"),
        ("33", "44", "-inf"),
        ("33", "44", "nan"),
        ("33", "44", "1e400"),
        ("1e400", "44", "5"),
        ("nan", "44", "5"),
        ("33", "inf", "5"),
        ("33", "44", "1e18"),
        ("9" * 400, "44", "5"),
        ("33", "44", "5.5e0"),
        ("33", "44", "-1"),
        ("33", "44", "19"),
    ],
)
def test_a_view_that_is_not_a_finite_map_view_is_a_note_never_an_exception(lat, lon, zoom):
    state, view, notes = parse({"lat": [lat], "lon": [lon], "zoom": [zoom]})
    assert view is None
    assert len(notes) == 1 and "is not a map view" in notes[0]


def test_a_fractional_zoom_from_a_hand_made_url_is_rounded_down():
    assert parse({"lat": ["33"], "lon": ["44"], "zoom": ["7.0"]})[1] == View(33.0, 44.0, 7)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2023-01-05", date(2023, 1, 5)),
        ("2023-1-5", date(2023, 1, 5)),  # Streamlit's date_input applies it: so do we, no note
        ("2023/01/05", date(2023, 1, 5)),
    ],
)
def test_a_date_the_filter_applies_gives_no_note(raw, expected):
    state, _, notes = parse({"start": [raw]})
    assert (state.start, notes) == (expected, [])


@pytest.mark.parametrize(
    "key, raw, says",
    [
        ("start", "20231225", "is not a date of the form YYYY-MM-DD; ignored"),
        ("start", "2023-02-30", "is not a date of the form YYYY-MM-DD; ignored"),
        ("start", " 2023-01-05", "is not a date of the form YYYY-MM-DD; ignored"),
        (
            "start",
            "1900-01-01",
            "is before 1989-01-01, the earliest date the filter takes; ignored",
        ),
        ("end", "2999-12-31", "is after 2026-01-15, the latest date the filter takes; ignored"),
        ("end", "9" * 50, "is not a date"),
    ],
)
def test_a_date_the_filter_drops_gets_a_note_saying_so(key, raw, says):
    state, _, notes = parse({key: [raw]})
    assert getattr(state, key) is None
    assert len(notes) == 1 and says in notes[0] and repr(raw) in notes[0]


def test_start_after_end_is_applied_and_says_nothing_can_match():
    state, _, notes = parse({"start": ["2024-01-01"], "end": ["2023-01-01"]})
    assert (state.start, state.end) == (date(2024, 1, 1), date(2023, 1, 1))
    assert filter_events(bundled_events(), state).empty
    assert notes == [
        "URL start=2024-01-01 is after end=2023-01-01: no event can match "
        "(change From or To in the sidebar)."
    ]


def test_the_latest_date_is_the_later_of_today_and_the_last_event():
    late = Options([], [], [], date(2020, 1, 1), date(2030, 6, 1))
    state, _, notes = parse_query({"end": ["2030-06-01"]}, late, today=TODAY)
    assert (state.end, notes) == (date(2030, 6, 1), [])


def test_fatalities_do_not_overflow_when_summed():
    big = 9_223_372_036_854_775_807
    frame_ = pd.DataFrame(
        {
            "fatalities": pd.array([big, big, None], dtype="Int64"),
            "injuries": pd.array([big, 1, 1], dtype="Int64"),
        }
    )
    s = summarise(frame_)
    assert s.fatalities == 2 * big and s.injuries == big + 2
    assert s.without_fatality_figure == 1


# ----------------------------------------------------------------------------- fuzzing

KEYS = [
    "attacker",
    "target_group",
    "event_type",
    "start",
    "end",
    "lat",
    "lon",
    "zoom",
    "event",
    "basemap",
    "",
    "ATTACKER",
    "start[]",
]
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.sampled_from(["1e400", "-1e400", "inf", "nan", "0x10", "1_0", "٣", "１２"]),
)
VALUES = st.one_of(
    st.text(),
    NUMBERS,
    st.dates().map(str),
    st.deferred(
        lambda: st.sampled_from(
            bundled_options().attackers + ["2023-1-5", "20231225", "2023/01/05"]
        )
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(KEYS), st.text()),
        st.one_of(st.lists(VALUES, max_size=4), VALUES),
        max_size=8,
    )
)
def test_any_query_string_gives_a_valid_state_and_view_or_notes(params):
    try:
        state, view, notes = parse_query(params, bundled_options(), today=TODAY)
    except GeoError:
        return  # the project's own error is allowed; nothing else is
    assert isinstance(state, FilterState) and all(isinstance(n, str) for n in notes)
    assert set(state.attackers) <= set(bundled_options().attackers)
    assert set(state.target_groups) <= set(bundled_options().target_groups)
    assert set(state.event_types) <= set(bundled_options().event_types)
    for day in (state.start, state.end):
        assert day is None or EARLIEST <= day <= TODAY
    if view is not None:
        assert isinstance(view.zoom, int) and 0 <= view.zoom <= MAX_ZOOM
        assert -90 <= view.lat <= 90 and -180 <= view.lon <= 180
        assert math.isfinite(view.lat) and math.isfinite(view.lon)
    filter_events(bundled_events(), state)  # whatever was parsed, filtering it works
    # A state read from a URL writes back to a URL that reads back the same, with no note.
    again, view_again, quiet = parse_query(to_query(state, view), bundled_options(), today=TODAY)
    assert (again, quiet) == (state, []) and (view_again is None) == (view is None)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text())
def test_any_view_text_is_a_valid_view_or_none(lat, lon, zoom):
    view = parse_view(lat, lon, zoom)
    assert view is None or (0 <= view.zoom <= MAX_ZOOM and -90 <= view.lat <= 90)


@pytest.mark.parametrize(
    "bases, expected",
    [
        (("attributed by others",), {"SYR1"}),
        (("claimed by the group", "attributed by others"), {"IRQ4", "SYR1"}),
        (("acknowledged by the attacker",), {"IRQ1", "IRQ2", "IRQ3", "IRQ5"}),
        (("direction not stated",), set()),
    ],
)
def test_filter_by_attribution_basis(bases, expected):
    assert ids(filter_events(bundled_events(), FilterState(attributions=bases))) == expected


def test_attribution_travels_in_the_url_and_unknown_values_are_named():
    state, _, notes = parse_query(
        {"attribution": ["claimed by the group", "rumoured"]}, bundled_options()
    )
    assert state == FilterState(attributions=("claimed by the group",))
    assert notes == ["URL attribution='rumoured' matches no event in this dataset; ignored."]
    assert to_query(state) == {"attribution": ["claimed by the group"]}
    assert parse_query(to_query(state), bundled_options())[0] == state


def test_a_frame_without_an_attribution_column_still_filters():
    old = bundled_events().drop(columns=["attribution"])
    assert Options.of(old).attributions == []
    assert len(filter_events(old, FilterState())) == len(old)
    assert filter_events(old, FilterState(attributions=("claimed by the group",))).empty


def test_counts_say_not_reported_when_no_event_shown_has_a_figure():
    imported = bundled_events().assign(
        injuries=pd.array([None] * len(bundled_events()), dtype="Int64")
    )
    summary = summarise(imported)
    assert summary.injuries == 0 and not summary.injuries_reported
    assert summarise(bundled_events()).injuries_reported  # IRQ4 and IRQ5 give injury figures
    irq1 = summarise(bundled_events()[bundled_events()["event_id"] == "IRQ1"])
    assert not irq1.fatalities_reported and irq1.without_fatality_figure == 1
    assert summarise(
        bundled_events().iloc[:0]
    ).fatalities_reported  # no events: 0, not "not reported"
