"""Which view the map shows, which view the URL names, and which view the layer and exports use.

The page keeps one ``MapState`` per session and passes in what the browser reported; it gets
back a ``Drawing``: the one-off move to send to the browser, the bounds and zoom to build the
layer and the exports for, and the ``lat``/``lon``/``zoom`` to write to the URL, which is
``None`` until the map has reported the view it really shows (a copied link never names a view
the map is not showing).

Moves are made in the browser, where the map's real size is known: the first view frames the
events with Leaflet's ``fitBounds`` (a phone's narrow map gets a lower zoom than a laptop's),
and a move carries a token so that it is made once, however often the layer is redrawn.

>>> state = start(None, Bounds(33.0, 36.0, 37.0, 45.0))
>>> drawing(state).url is None              # nothing reported yet: the URL is left alone
True
>>> report = {"bounds": {"_southWest": {"lat": 32.0, "lng": 35.0},
...                      "_northEast": {"lat": 38.0, "lng": 46.0}},
...           "center": {"lat": 35.0, "lng": 40.5}, "zoom": 6}
>>> drawing(reported(state, report)).url
{'lat': '35.0000', 'lon': '40.5000', 'zoom': '6'}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from geo.filters import Bounds, View, _inverse_mercator_y, _mercator_y, view_bounds

MAP_HEIGHT = 620  # px st_folium is asked for; the page's CSS may stretch it to the screen
ASSUMED_WIDTH = 900  # px, until the browser has reported the map's real size
FIT_MAX_ZOOM = 10  # framing never zooms closer than this (one event is a point)
FIT_PADDING_PX = 28  # space between the framed events and the map's edge
HOME = View(33.0, 44.0, 5)  # the base map's fixed start (geo.mapview), and with nothing to frame
MAX_MISSES = 2  # reports that do not match a later move before we accept the user moved on


@dataclass(frozen=True)
class Move:
    """A move the browser makes once: fit bounds, or show a view. ``token`` tells moves apart."""

    token: int
    fit: Bounds | None = None
    view: View | None = None

    def to_js(self) -> dict:
        if self.fit is not None:
            b = self.fit
            return {
                "token": self.token,
                "fit": [[b.south, b.west], [b.north, b.east]],
                "maxZoom": FIT_MAX_ZOOM,
                "padding": FIT_PADDING_PX,
            }
        assert self.view is not None
        return {
            "token": self.token,
            "center": [self.view.lat, self.view.lon],
            "zoom": self.view.zoom,
        }


@dataclass(frozen=True)
class Seen:
    """A view the browser reported, with the map's size in pixels worked out from it."""

    bounds: Bounds
    view: View
    width_px: int
    height_px: int

    @classmethod
    def from_report(cls, report: Mapping | None) -> Seen | None:
        """From st_folium's {"bounds", "center", "zoom"}; None if incomplete."""
        if not report:
            return None
        bounds = Bounds.from_leaflet(report.get("bounds"))
        center, zoom = report.get("center"), report.get("zoom")
        try:
            view = View(round(float(center["lat"]), 4), round(float(center["lng"]), 4), int(zoom))
        except (KeyError, TypeError, ValueError):
            return None
        if bounds is None:
            return None
        world_px = 256 * 2**view.zoom
        width = (bounds.east - bounds.west) / 360 * world_px
        height = (_mercator_y(bounds.north) - _mercator_y(bounds.south)) / (2 * math.pi) * world_px
        return cls(bounds, view, max(1, round(width)), max(1, round(height)))


@dataclass(frozen=True)
class MapState:
    """One session's map: the last move asked for, and what the browser last reported."""

    move: Move
    pending: bool = True  # the browser has not yet reported the view the move gave
    seen: Seen | None = None
    last_report: tuple | None = None  # st_folium repeats its last value on every rerun
    misses: int = 0

    @property
    def size(self) -> tuple[int, int]:
        """The map's size in pixels: as last reported, else assumed."""
        if self.seen is not None:
            return self.seen.width_px, self.seen.height_px
        return ASSUMED_WIDTH, MAP_HEIGHT


@dataclass(frozen=True)
class Drawing:
    """What the page draws on this run."""

    move: dict  # for the events layer: the browser makes it once
    bounds: Bounds  # the view the layer and the exports are for
    zoom: int
    url: dict[str, str] | None  # lat, lon, zoom for the URL; None: leave the URL as it is


def events_bounds(events: pd.DataFrame) -> Bounds | None:
    """The smallest box around the events (None if there are none)."""
    if events.empty:
        return None
    lat, lon = events["latitude"], events["longitude"]
    return Bounds(float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))


def start(url_view: View | None, events_box: Bounds | None) -> MapState:
    """A session's first state: the URL's view if it names one, else the events framed."""
    if url_view is not None:
        return MapState(Move(1, view=url_view))
    if events_box is not None:
        return MapState(Move(1, fit=events_box))
    return MapState(Move(1, view=HOME))


def frame(state: MapState, events_box: Bounds | None) -> MapState:
    """ "Frame the shown events": a new fit (nothing changes when there are no events)."""
    if events_box is None:
        return state
    return replace(state, move=Move(state.move.token + 1, fit=events_box), pending=True, misses=0)


def go_to(state: MapState, view: View) -> MapState:
    """Move to a view (a place found by name)."""
    return replace(state, move=Move(state.move.token + 1, view=view), pending=True, misses=0)


def keep_view(state: MapState) -> MapState:
    """A new base map is a new map in the browser: ask it for the view the old one showed."""
    if state.seen is None:
        return state
    return go_to(state, state.seen.view)


def _key(report: Mapping) -> tuple:
    return tuple(repr(report.get(k)) for k in ("bounds", "center", "zoom"))


def _satisfies(seen: Seen, move: Move) -> bool:
    """Whether a reported view is the result of the move."""
    if move.fit is not None:
        b, eps = move.fit, 1e-6
        west, east = seen.bounds.west, seen.bounds.east
        inside_lon = (west - eps <= b.west and b.east <= east + eps) or east - west >= 360
        return (
            seen.bounds.south - eps <= b.south and b.north <= seen.bounds.north + eps and inside_lon
        )
    assert move.view is not None
    slack = 360 / (256 * 2**move.view.zoom) * 2  # two pixels
    return (
        seen.view.zoom == move.view.zoom
        and abs(seen.view.lat - move.view.lat) <= slack
        and abs(seen.view.lon - move.view.lon) <= slack
    )


def reported(state: MapState, report: Mapping | None) -> MapState:
    """Take in what the browser reported (st_folium's value), once per distinct report."""
    seen = Seen.from_report(report)
    if seen is None or state.last_report == _key(report):
        return state
    # Before this report the map had shown nothing but the base map's start: no report can
    # be from before the move, so one that is not its result is the user's own move (made
    # before the move's report reached the server, which then never sees that report).
    first = state.seen is None or state.seen.view == HOME
    state = replace(state, seen=seen, last_report=_key(report))
    if not state.pending:
        return state
    if seen.view == HOME and state.move.view != HOME:
        # The base map's start, reported before the browser made the move: neither the
        # move's result (HOME's view may well contain the events' box) nor a user's move.
        return state
    if _satisfies(seen, state.move) or first or state.misses + 1 >= MAX_MISSES:
        return replace(state, pending=False, misses=0)
    return replace(state, misses=state.misses + 1)


def _fit_view(box: Bounds, width: int, height: int) -> View:
    """The view fitBounds will give, worked out here (for the layer before the browser says)."""
    usable_w, usable_h = max(width - 2 * FIT_PADDING_PX, 1), max(height - 2 * FIT_PADDING_PX, 1)
    span_x = max(box.east - box.west, 1e-9) / 360
    span_y = max(_mercator_y(box.north) - _mercator_y(box.south), 1e-12) / (2 * math.pi)
    zoom = math.floor(min(math.log2(usable_w / 256 / span_x), math.log2(usable_h / 256 / span_y)))
    zoom = max(0, min(FIT_MAX_ZOOM, zoom))
    lat = _inverse_mercator_y((_mercator_y(box.south) + _mercator_y(box.north)) / 2)
    return View(round(lat, 4), round((box.west + box.east) / 2, 4), zoom)


def drawing(state: MapState) -> Drawing:
    """The move to send, the bounds and zoom to build for, and the URL view (if known)."""
    move = state.move.to_js()
    if not state.pending and state.seen is not None:
        v = state.seen.view
        return Drawing(
            move,
            state.seen.bounds,
            v.zoom,
            {"lat": f"{v.lat:.4f}", "lon": f"{v.lon:.4f}", "zoom": str(v.zoom)},
        )
    width, height = state.size
    if state.move.fit is not None:
        view = _fit_view(state.move.fit, width, height)
        return Drawing(move, view_bounds(view, width, height), view.zoom, None)
    assert state.move.view is not None
    view = state.move.view
    return Drawing(move, view_bounds(view, width, height), view.zoom, None)
