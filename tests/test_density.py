"""geo.density: events counted in squares that follow the zoom, coloured by count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.density import DENSITY_COLORS, MAX_SQUARES, color_class, density_payload, square_degrees
from geo.filters import Bounds

WORLD = Bounds(-80, -179, 80, 179)


def squares(payload):
    return payload["geojson"]["features"]


def test_every_event_in_view_is_counted_once_in_the_square_that_holds_it(events):
    d = density_payload(events, WORLD, 8)
    assert sum(f["properties"]["count"] for f in squares(d)) == len(events) == d["n"]
    for _, e in events.iterrows():
        holding = [
            f
            for f in squares(d)
            if f["geometry"]["coordinates"][0][0][0]
            <= e["longitude"]
            < f["geometry"]["coordinates"][0][2][0]
            and f["geometry"]["coordinates"][0][0][1]
            <= e["latitude"]
            < f["geometry"]["coordinates"][0][2][1]
        ]
        assert len(holding) == 1


def test_the_three_strikes_of_one_day_at_one_airport_share_a_square_when_zoomed_out(events):
    # IRQ4 (Erbil airport) and IRQ1 (Koysanjak, ~60 km away) merge at zoom 4, not at zoom 10.
    far, near = density_payload(events, WORLD, 4), density_payload(events, WORLD, 10)
    assert d_count(far) < d_count(near) == len(events)


def d_count(d):
    return len(squares(d))


def test_squares_are_rfc7946_closed_rings_longitude_first(events):
    d = density_payload(events, WORLD, 6)
    for f in squares(d):
        ring = f["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 5
        assert all(30 < lon < 50 and 30 < lat < 40 for lon, lat in ring)  # Iraq and Syria


@pytest.mark.parametrize(
    "counts, largest, expected",
    [
        ([1], 1, [0]),
        ([1, 10, 100], 100, [0, 3, 6]),
        ([1, 10_000], 10_000, [0, 6]),
    ],
)
def test_colours_rise_on_a_log_scale(counts, largest, expected):
    assert color_class(np.array(counts), largest).tolist() == expected


def test_the_densest_square_gets_the_darkest_colour_and_bytes_stay_bounded():
    rng = np.random.default_rng(1)
    n = 60_000
    events = pd.DataFrame(
        {
            "latitude": rng.uniform(30, 38, n),
            "longitude": rng.uniform(38, 48, n),
            "fatalities": rng.integers(0, 3, n).astype(float),
        }
    )
    events.loc[:999, ["latitude", "longitude"]] = (33.3, 44.4)  # a hot spot
    d = density_payload(events, Bounds(30, 38, 38, 48), 9)
    assert d["cells"] <= MAX_SQUARES
    top = max(squares(d), key=lambda f: f["properties"]["count"])
    assert top["properties"]["color"] == DENSITY_COLORS[-1]
    assert top["properties"]["count"] >= 1000
    assert sum(f["properties"]["count"] for f in squares(d)) == d["n"] == n


def test_squares_shrink_as_you_zoom_in():
    assert square_degrees(10) * 4 == pytest.approx(square_degrees(8))


def test_no_events_gives_an_empty_layer(events):
    d = density_payload(events.iloc[:0], WORLD, 5)
    assert d["cells"] == 0 and squares(d) == [] and d["n"] == 0
