"""The density layer: events counted in a fine square grid, drawn as GeoJSON squares coloured
by count. Computed here, so the browser needs no heat-map plugin (and no CDN).

The grid follows the zoom (squares of about :data:`DENSITY_PIXELS` on screen) and covers the
view and half a view around it (``geo.mapview.snap``), so the bytes sent stay bounded however
many events there are. Colours step through ColorBrewer's YlOrRd on a logarithmic scale: one
event and ten thousand are both readable.

>>> import pandas as pd
>>> from geo.filters import Bounds
>>> events = pd.DataFrame({"latitude": [36.19, 36.19, 33.3], "longitude": [44.0, 44.0, 44.4],
...                        "fatalities": [1, None, 2]})
>>> d = density_payload(events, Bounds(30, 40, 40, 50), 6)
>>> d["mode"], d["cells"], sorted(f["properties"]["count"] for f in d["geojson"]["features"])
('density', 2, [1, 2])
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo.filters import Bounds, visible_events
from geo.mapview import snap

DENSITY_PIXELS = 16  # a square's side on screen
# ColorBrewer YlOrRd, 7 classes (sequential; readable with the common colour blindnesses).
DENSITY_COLORS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")
MAX_SQUARES = 20_000  # beyond this the squares get coarser (bytes sent stay bounded)


def square_degrees(zoom: int) -> float:
    """A square's side in degrees of longitude at this zoom (about DENSITY_PIXELS on screen)."""
    return 360.0 / (256 * 2**zoom) * DENSITY_PIXELS


def color_class(counts: np.ndarray, largest: int) -> np.ndarray:
    """Each count's colour class, 0..6, on a log scale from 1 to the largest count."""
    if largest <= 1:
        return np.zeros(len(counts), dtype=np.int64)
    share = np.log(np.maximum(counts, 1)) / math.log(largest)
    return np.minimum((share * len(DENSITY_COLORS)).astype(np.int64), len(DENSITY_COLORS) - 1)


def density_payload(events: pd.DataFrame, bounds: Bounds, zoom: int) -> dict:
    """The events in and around the view counted per square; a GeoJSON FeatureCollection of
    squares (RFC 7946: longitude first) with ``count``, ``fatalities`` and ``color``."""
    near = visible_events(events, snap(bounds, zoom), ["longitude", "latitude", "fatalities"])
    size = square_degrees(zoom)
    lon, lat = near["longitude"].to_numpy(), near["latitude"].to_numpy()
    while True:
        ix = np.floor(lon / size).astype(np.int64)
        iy = np.floor(lat / size).astype(np.int64)
        cells = (
            pd.DataFrame(
                {
                    "ix": ix,
                    "iy": iy,
                    "f": pd.to_numeric(near["fatalities"], errors="coerce").fillna(0).to_numpy(),
                }
            )
            .groupby(["ix", "iy"], sort=False)
            .agg(n=("f", "size"), f=("f", "sum"))
        )
        if len(cells) <= MAX_SQUARES:
            break
        size *= 2
    counts = cells["n"].to_numpy(dtype=np.int64)
    largest = int(counts.max()) if len(counts) else 0
    classes = color_class(counts, largest)
    features = []
    for (x, y), n, f, c in zip(cells.index, counts, cells["f"].to_numpy(), classes, strict=True):
        w, s = round(x * size, 5), round(y * size, 5)
        e, nn = round((x + 1) * size, 5), round((y + 1) * size, 5)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, nn], [w, nn], [w, s]]],
                },
                "properties": {
                    "count": int(n),
                    "fatalities": int(f),
                    "color": DENSITY_COLORS[int(c)],
                },
            }
        )
    km = round(size * 111)
    return {
        "mode": "density",
        "n": int(len(near)),
        "cells": len(features),
        "largest": largest,
        "colors": list(DENSITY_COLORS),
        "size_km": km,
        "geojson": {"type": "FeatureCollection", "features": features},
    }


def density_description(payload: dict) -> str:
    """A sentence under the map that says what the density layer shows."""
    return (
        f"Density: {payload['n']:,} events in and around the view counted in "
        f"{payload['cells']:,} squares of about {payload['size_km']:,} km (darker: more, "
        f"up to {payload['largest']:,} in one square)."
    )
