"""A small map of the candidates' coordinates, for the Curate page (plain folium).

Each candidate is a numbered dot; a place known only approximately gets a dashed circle of the
radius its precision means (precision 2: ~10 km, 3: ~50 km), as on the main map.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium

from geo.assets import Assets
from geo.mapview import base_map

RADIUS_METRES = {2: 10_000, 3: 50_000}


def candidates_map(candidates: Sequence, basemap: str, assets: Assets) -> folium.Map:
    """The base map with one dot per candidate, framed on them."""
    m = base_map(basemap, assets)
    points = []
    for number, c in enumerate(candidates, start=1):
        place = c.place
        where = (place.latitude, place.longitude)
        points.append(where)
        label = html.escape(f"{number}. {place.name} (precision {place.precision})")
        if place.precision in RADIUS_METRES:
            folium.Circle(
                where,
                radius=RADIUS_METRES[place.precision],
                color="#b26b00",
                weight=1,
                dash_array="4 4",
                fill=False,
            ).add_to(m)
        folium.CircleMarker(
            where,
            radius=7,
            color="#222",
            weight=1,
            fill=True,
            fill_color="#e6550d",
            fill_opacity=0.9,
            tooltip=folium.Tooltip(label, permanent=True),
        ).add_to(m)
    if points:
        south = min(p[0] for p in points)
        north = max(p[0] for p in points)
        west = min(p[1] for p in points)
        east = max(p[1] for p in points)
        pad = 0.3
        m.fit_bounds([(south - pad, west - pad), (north + pad, east + pad)])
    return m
