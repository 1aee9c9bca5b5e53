"""geo/viewstate.py: which view the map shows, which the URL names, which the exports use."""

from __future__ import annotations

import pytest

from geo import viewstate as vs
from geo.filters import Bounds, View, view_bounds

EVENTS_BOX = Bounds(33.5, 36.3, 36.6, 45.4)


def report(south, west, north, east, lat, lon, zoom) -> dict:
    """What st_folium returns after a move."""
    return {
        "bounds": {
            "_southWest": {"lat": south, "lng": west},
            "_northEast": {"lat": north, "lng": east},
        },
        "center": {"lat": lat, "lng": lon},
        "zoom": zoom,
    }


def report_of(view: View, width=390, height=470) -> dict:
    b = view_bounds(view, width, height)
    return report(b.south, b.west, b.north, b.east, view.lat, view.lon, view.zoom)


def test_a_first_visit_frames_the_events_in_the_browser_and_leaves_the_url_alone():
    state = vs.start(None, EVENTS_BOX)
    drawn = vs.drawing(state)
    assert drawn.move["fit"] == [[33.5, 36.3], [36.6, 45.4]] and drawn.move["token"] == 1
    assert drawn.url is None  # nothing reported yet: no made-up view in the address bar
    b = drawn.bounds  # the exports and the layer assume every framed event is in view
    assert b.south <= 33.5 and b.north >= 36.6 and b.west <= 36.3 and b.east >= 45.4


def test_the_url_is_written_once_the_map_reports_the_framed_view():
    state = vs.start(None, EVENTS_BOX)
    state = vs.reported(state, report(32.0, 33.0, 38.0, 48.0, 35.06, 40.5, 5))
    assert not state.pending
    assert vs.drawing(state).url == {"lat": "35.0600", "lon": "40.5000", "zoom": "5"}


def test_a_report_from_before_the_move_is_not_written_to_the_url():
    state = vs.start(View(36.2376, 43.9632, 13), None)
    state = vs.reported(state, report_of(View(33.0, 44.0, 5)))  # the map's constant start
    assert state.pending and vs.drawing(state).url is None
    state = vs.reported(state, report_of(View(36.2376, 43.9632, 13)))
    assert vs.drawing(state).url == {"lat": "36.2376", "lon": "43.9632", "zoom": "13"}


def framed_then_moved(to: View) -> vs.MapState:
    """A first visit framed and reported, then a move to `to` asked for (a place search)."""
    state = vs.reported(vs.start(None, EVENTS_BOX), report(32, 33, 38, 48, 35, 40.5, 5))
    return vs.go_to(state, to)


def test_the_same_report_repeated_by_reruns_counts_once():
    state = framed_then_moved(View(36.2376, 43.9632, 13))
    stale = report_of(View(30.0, 40.0, 4))  # sent before the browser made the move
    for _ in range(5):
        state = vs.reported(state, stale)
    assert state.pending and state.misses == 1


def test_the_user_moving_on_ends_the_wait():
    state = framed_then_moved(View(36.2376, 43.9632, 13))
    for view in (View(30.0, 40.0, 4), View(34.0, 44.0, 6)):
        state = vs.reported(state, report_of(view))
    assert not state.pending
    assert vs.drawing(state).url["zoom"] == "6"


@pytest.mark.parametrize("url_view", [None, View(35.0, 42.0, 7)])
def test_a_zoom_made_before_the_first_framing_was_reported_is_the_users_view(url_view):
    """A first visit where the user zooms in before the framing's report reaches the server
    (the browser then sends only the newest view): nothing earlier than the framing was ever
    shown but the base map's start, so this view is the user's, and the exports and the URL
    follow it (they stayed on the framed 7 events, while the map showed 1)."""
    state = vs.start(url_view, EVENTS_BOX)
    state = vs.reported(state, report_of(vs.HOME))  # the base map's start, before the move
    airport = View(36.2376, 43.9632, 13)
    state = vs.reported(state, report_of(airport))
    drawn = vs.drawing(state)
    assert not state.pending and drawn.url == {"lat": "36.2376", "lon": "43.9632", "zoom": "13"}
    assert drawn.bounds == view_bounds(airport, 390, 470) and drawn.zoom == 13


def test_framing_again_asks_for_a_new_move_with_a_new_token():
    state = vs.reported(vs.start(None, EVENTS_BOX), report(32, 33, 38, 48, 35, 40.5, 5))
    state = vs.reported(state, report_of(View(30.0, 30.0, 9)))  # the user pans away
    framed = vs.frame(state, Bounds(35.0, 43.0, 36.0, 44.0))
    assert framed.pending and vs.drawing(framed).move["token"] == 2
    assert vs.drawing(framed).url is None  # until the map has moved there
    assert vs.frame(state, None) is state  # nothing to frame: nothing changes


def test_going_to_a_place_moves_then_writes_the_place_to_the_url():
    state = vs.reported(vs.start(None, EVENTS_BOX), report(32, 33, 38, 48, 35, 40.5, 5))
    erbil = View(36.1926, 44.0106, 10)
    moved = vs.go_to(state, erbil)
    assert vs.drawing(moved).move == {"token": 2, "center": [36.1926, 44.0106], "zoom": 10}
    # Leaflet snaps the centre to whole pixels: a report a pixel off is the same view.
    moved = vs.reported(moved, report_of(View(36.1920, 44.0099, 10)))
    assert vs.drawing(moved).url == {"lat": "36.1920", "lon": "44.0099", "zoom": "10"}


def test_the_reported_size_replaces_the_assumed_one():
    state = vs.start(None, EVENTS_BOX)
    assert state.size == (vs.ASSUMED_WIDTH, vs.MAP_HEIGHT)
    state = vs.reported(state, report_of(View(34.0, 41.0, 5), width=358, height=474))
    width, height = state.size
    assert abs(width - 358) <= 1 and abs(height - 474) <= 1
    moved = vs.go_to(state, View(36.19, 44.01, 12))
    b = vs.drawing(moved).bounds  # a phone-sized view, not a 900 px one
    assert b == view_bounds(View(36.19, 44.01, 12), width, height)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        {"bounds": None, "center": None, "zoom": None},
        {
            "bounds": {"_southWest": {"lat": "x", "lng": 1}},
            "center": {"lat": 1, "lng": 2},
            "zoom": 3,
        },
    ],
)
def test_an_incomplete_report_changes_nothing(bad):
    state = vs.start(None, EVENTS_BOX)
    assert vs.reported(state, bad) == state


def test_with_no_events_and_no_url_the_map_starts_at_home():
    drawn = vs.drawing(vs.start(None, None))
    assert drawn.move == {"token": 1, "center": [vs.HOME.lat, vs.HOME.lon], "zoom": vs.HOME.zoom}


def test_the_estimated_fit_contains_the_box_at_any_size():
    for width, height in ((358, 474), (900, 620), (1300, 900)):
        v = vs._fit_view(EVENTS_BOX, width, height)
        b = view_bounds(v, width, height)
        assert b.south <= 33.5 and b.north >= 36.6 and b.west <= 36.3 and b.east >= 45.4
        wider = view_bounds(View(v.lat, v.lon, v.zoom + 1), width, height)
        assert (
            not (
                wider.south <= 33.5
                and wider.north >= 36.6
                and wider.west <= 36.3
                and wider.east >= 45.4
            )
            or v.zoom == vs.FIT_MAX_ZOOM
        )


def test_a_new_base_map_opens_at_the_view_the_old_one_showed():
    state = vs.reported(vs.start(None, EVENTS_BOX), report(32, 33, 38, 48, 35, 40.5, 5))
    state = vs.reported(state, report_of(View(36.19, 44.01, 9)))
    kept = vs.keep_view(state)
    assert kept.move.token == state.move.token + 1 and kept.move.view == View(36.19, 44.01, 9)
    assert vs.keep_view(vs.start(None, EVENTS_BOX)).move.token == 1  # nothing seen yet


@pytest.mark.parametrize("size", [(390, 426), (1440, 695)])
def test_the_base_maps_start_reported_before_the_framing_is_not_written_to_the_url(size):
    """HOME's view holds the events' box: taken as the framed view, it reached the address bar
    for up to a second after every first visit."""
    state = vs.start(None, EVENTS_BOX)
    early = vs.reported(state, report_of(vs.HOME, *size))
    assert early.pending and early.misses == 0 and vs.drawing(early).url is None
    assert early.size == size  # the map's real size is still taken from it
    framed = View(35.0, 40.85, 5)
    done = vs.reported(early, report_of(framed, *size))
    assert vs.drawing(done).url == {"lat": "35.0000", "lon": "40.8500", "zoom": "5"}
