"""Filtering, viewport selection and the URL form of a view. Vectorised; no per-row Python.

>>> state = FilterState(attackers=("US military",), start=date(2023, 1, 1))
>>> to_query(state, View(33.3, 44.4, 9))["attacker"], to_query(state)["start"]
(['US military'], ['2023-01-01'])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from geo.text import quoted

# URL keys, named as users read them. Several values repeat the key: ?attacker=A&attacker=B
MULTI_KEYS = {
    "attacker": "attackers",
    "target_group": "target_groups",
    "event_type": "event_types",
    "attribution": "attributions",
}
# The event column each multi-valued filter selects on.
MULTI_COLUMNS = {
    "attackers": "attacker",
    "target_groups": "target_group",
    "event_types": "event_type",
    "attributions": "attribution",
}
MAX_ZOOM = 18


@dataclass(frozen=True)
class FilterState:
    """What the user asked to see. Empty tuples mean "all"; None dates mean "unbounded"."""

    attackers: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    attributions: tuple[str, ...] = ()  # geo.schema.ATTRIBUTIONS; URL key "attribution"


@dataclass(frozen=True)
class View:
    lat: float
    lon: float
    zoom: int


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def from_leaflet(cls, bounds: Mapping | None) -> Bounds | None:
        """From st_folium's {'_southWest': {lat, lng}, '_northEast': {...}}; None if absent."""
        try:
            sw, ne = bounds["_southWest"], bounds["_northEast"]
            values = [float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"])]
        except (KeyError, TypeError, ValueError):
            return None
        if any(math.isnan(v) for v in values):
            return None
        return cls(*values)


@dataclass
class Options:
    """The values a dataset offers, for widgets and for checking URL values."""

    attackers: list[str]
    target_groups: list[str]
    event_types: list[str]
    first: date | None
    last: date | None
    attributions: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, events: pd.DataFrame) -> Options:
        def values(column: str) -> list[str]:
            if column not in events:
                return []
            return sorted(events[column].dropna().astype(str).unique().tolist())

        dates = events["event_date"].dropna()
        first = dates.min().date() if len(dates) else None
        last = dates.max().date() if len(dates) else None
        return cls(
            values("attacker"),
            values("target_group"),
            values("event_type"),
            first,
            last,
            values("attribution"),
        )


def filter_events(events: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The events that match every part of the filter state."""
    mask = np.ones(len(events), dtype=bool)
    for attr, column in MULTI_COLUMNS.items():
        chosen = getattr(state, attr)
        if chosen:
            if column not in events:  # a frame without the column has none of the values
                mask &= False
                continue
            mask &= events[column].isin(chosen).to_numpy()
    if state.start is not None:
        mask &= (events["event_date"] >= pd.Timestamp(state.start)).to_numpy()
    if state.end is not None:
        mask &= (events["event_date"] < pd.Timestamp(state.end) + pd.Timedelta(days=1)).to_numpy()
    if mask.all():
        return events  # no copy: a million unfiltered events are held once, not twice
    return events.loc[mask]


def in_view(events: pd.DataFrame, bounds: Bounds | None) -> np.ndarray | None:
    """Per event, whether it is inside the viewport; None when every event is (or no viewport
    is known yet). A viewport wider than the world, or crossing the antimeridian, is handled.
    """
    if bounds is None:
        return None
    lat = events["latitude"].to_numpy()
    lon = events["longitude"].to_numpy()
    inside = (lat >= bounds.south) & (lat <= bounds.north)
    if bounds.east - bounds.west < 360:
        west = (bounds.west + 180) % 360 - 180
        east = (bounds.east + 180) % 360 - 180
        if west <= east:
            inside &= (lon >= west) & (lon <= east)
        else:  # crosses the antimeridian
            inside &= (lon >= west) | (lon <= east)
    return None if inside.all() else inside


def visible_events(
    events: pd.DataFrame, bounds: Bounds | None, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The events inside the viewport; all of them when no viewport is known yet.

    When every event is inside, `events` itself is returned (no copy of a million rows).
    `columns`: only these are copied (a pan over 2.5M events copied every column: +470 MB).
    """
    inside = in_view(events, bounds)
    if columns is None:
        return events if inside is None else events.loc[inside]
    return events[list(columns)] if inside is None else events.loc[inside, list(columns)]


def frame(events: pd.DataFrame, width_px: int, height_px: int, max_zoom: int = 10) -> View | None:
    """The view that frames all events in a map of the given size (None if there are none)."""
    if events.empty:
        return None
    south, north = events["latitude"].min(), events["latitude"].max()
    west, east = events["longitude"].min(), events["longitude"].max()
    zoom = max_zoom
    for z in range(max_zoom, 0, -1):
        b = view_bounds(View((south + north) / 2, (west + east) / 2, z), width_px, height_px)
        margin_lat, margin_lon = (b.north - b.south) * 0.08, (b.east - b.west) * 0.08
        if (
            b.south + margin_lat <= south
            and north <= b.north - margin_lat
            and b.west + margin_lon <= west
            and east <= b.east - margin_lon
        ):
            zoom = z
            break
    else:
        zoom = 1
    center_lat = (_mercator_y(south) + _mercator_y(north)) / 2
    return View(round(_inverse_mercator_y(center_lat), 4), round((west + east) / 2, 4), zoom)


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0511), -85.0511)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _inverse_mercator_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def view_bounds(view: View, width_px: int, height_px: int) -> Bounds:
    """The bounds Leaflet shows for a center and zoom in a map of the given pixel size."""
    world_px = 256 * 2**view.zoom
    half_lon = width_px / world_px * 180
    cy = _mercator_y(view.lat)
    half_y = height_px / world_px * math.pi
    return Bounds(
        _inverse_mercator_y(cy - half_y),
        view.lon - half_lon,
        _inverse_mercator_y(cy + half_y),
        view.lon + half_lon,
    )


EARLIEST = date(1989, 1, 1)  # UCDP GED starts in 1989, ACLED in 1997
URL_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")  # what Streamlit's date_input reads from a URL


def date_bounds(options: Options, today: date | None = None) -> tuple[date, date]:
    """The earliest and latest dates the From/To filters take (the widgets' min and max)."""
    today = today or date.today()
    return EARLIEST, max(options.last or today, today)


def parse_url_date(raw: str) -> date | None:
    """A URL date as the date filter reads it (YYYY-MM-DD, also 2023-1-5 or 2023/01/05)."""
    for fmt in URL_DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def parse_view(lat: str | None, lon: str | None, zoom: str | None) -> View | None:
    """A map view from URL text, or None unless all three are finite and in range."""
    try:
        values = [float(v) for v in (lat, lon, zoom)]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    y, x, z = values
    if not all(math.isfinite(v) for v in values) or z != int(z):
        return None
    if -90 <= y <= 90 and -180 <= x <= 180 and 0 <= z <= MAX_ZOOM:
        return View(y, x, int(z))
    return None


def parse_query(
    params: Mapping[str, Sequence[str]], options: Options, today: date | None = None
) -> tuple[FilterState, View | None, list[str]]:
    """Read a filter state and map view from URL parameters, as the page's widgets apply them.

    A value the page will not apply (matches nothing in the data, cannot be read, or is outside
    the dates the filter takes) is dropped and explained in a note; a value that is applied
    gets no "ignored" note. Never raises. Returns (state, view or None, notes).
    """
    notes: list[str] = []
    chosen: dict[str, tuple[str, ...]] = {}
    for key, attr in MULTI_KEYS.items():
        known = set(getattr(options, attr))
        values = [v for v in _all(params, key) if v != ""]
        unknown = [v for v in values if v not in known]
        for value in unknown:
            notes.append(f"URL {key}={value!r} matches no event in this dataset; ignored.")
        chosen[attr] = tuple(dict.fromkeys(v for v in values if v in known))

    earliest, latest = date_bounds(options, today)
    dates: dict[str, date | None] = {}
    for key in ("start", "end"):
        raw = _last(params, key)
        dates[key] = parsed = parse_url_date(raw) if raw else None
        if not raw:
            continue
        if parsed is None:
            notes.append(f"URL {key}={raw!r} is not a date of the form YYYY-MM-DD; ignored.")
        elif parsed < earliest:
            notes.append(
                f"URL {key}={raw!r} is before {earliest}, the earliest date the filter "
                "takes; ignored."
            )
            dates[key] = None
        elif parsed > latest:
            notes.append(
                f"URL {key}={raw!r} is after {latest}, the latest date the filter takes; ignored."
            )
            dates[key] = None
    if dates["start"] and dates["end"] and dates["start"] > dates["end"]:
        notes.append(
            f"URL start={dates['start']} is after end={dates['end']}: no event can "
            "match (change From or To in the sidebar)."
        )

    lat, lon, zoom = (_last(params, k) for k in ("lat", "lon", "zoom"))
    view = None
    if lat or lon or zoom:
        view = parse_view(lat, lon, zoom)
        if view is None:
            notes.append(
                f"URL view lat={quoted(lat, 40)}, lon={quoted(lon, 40)}, zoom={quoted(zoom, 40)} "
                f"is not a map view (lat in [-90, 90], lon in [-180, 180], "
                f"zoom 0-{MAX_ZOOM}); ignored."
            )
    state = FilterState(
        chosen["attackers"],
        chosen["target_groups"],
        chosen["event_types"],
        dates["start"],
        dates["end"],
        attributions=chosen["attributions"],
    )
    return state, view, notes


def _all(params: Mapping[str, Sequence[str]], key: str) -> list[str]:
    values = params.get(key) or []
    return [values] if isinstance(values, str) else [str(v) for v in values]


def _last(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or []
    if isinstance(values, str):
        return values
    return values[-1] if values else None


def to_query(state: FilterState, view: View | None = None) -> dict[str, list[str]]:
    """URL parameters for a state and view; defaults ("all", no dates) are left out."""
    query: dict[str, list[str]] = {}
    for key, attr in MULTI_KEYS.items():
        if getattr(state, attr):
            query[key] = list(getattr(state, attr))
    for key in ("start", "end"):
        if getattr(state, key):
            query[key] = [getattr(state, key).isoformat()]
    if view is not None:
        query.update(
            lat=[f"{view.lat:.4f}".rstrip("0").rstrip(".")],
            lon=[f"{view.lon:.4f}".rstrip("0").rstrip(".")],
            zoom=[str(view.zoom)],
        )
    return query


@dataclass
class Summary:
    events: int = 0
    fatalities: int = 0
    injuries: int = 0
    without_fatality_figure: int = 0
    without_injury_figure: int = 0

    @property
    def fatalities_reported(self) -> bool:
        """False when no event counted has a fatality figure: the total is "not reported"."""
        return self.events == 0 or self.without_fatality_figure < self.events

    @property
    def injuries_reported(self) -> bool:
        return self.events == 0 or self.without_injury_figure < self.events


def summarise(events: pd.DataFrame) -> Summary:
    """Counts that follow the filters: events, fatalities, injuries."""
    return Summary(
        events=len(events),
        fatalities=_exact_sum(events["fatalities"]),
        injuries=_exact_sum(events["injuries"]),
        without_fatality_figure=int(events["fatalities"].isna().sum()),
        without_injury_figure=int(events["injuries"].isna().sum()),
    )


def _exact_sum(values: pd.Series) -> int:
    """The sum as a Python int: numpy's int64 sum wraps around to a negative number silently."""
    if pd.api.types.is_signed_integer_dtype(values.dtype):
        array = values.to_numpy(dtype=np.int64, na_value=0)  # one pass, no copy of the valid
        if len(array) == 0:
            return 0
        big = np.iinfo(np.int64).max // len(array)
        if -big <= array.min() and array.max() <= big:  # the int64 sum cannot overflow
            return int(array.sum())
        return sum(int(v) for v in array)
    present = values.dropna().to_numpy()
    if present.dtype.kind == "f":  # float sums do not wrap; int() of a finite float is exact
        return sum(int(v) for v in present if math.isfinite(v))
    return sum(int(v) for v in present)
