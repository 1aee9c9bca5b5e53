"""``python -m bench.playback``: the server's time per playback step at 100,000 events.

A step is what the map page does on each tick of a playback: find the next window
(``geo.playback.windows``/``next_window``), pick the events whose span touches it
(``active``) and draw the map as the page does (``geo.mapview.draw_map``: the layer planned, and
the base map and feature group it hands to streamlit-folium, the map data encoded as JSON). Event
spans are computed once per filtered frame (the page keeps them), and timed apart. Printed,
not asserted::

    python -m bench.playback                 # 100k events, month, week and day steps
    python -m bench.playback --size 1000000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence

from bench.synth import cache_dir, cached_acled


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=30, help="steps timed per step length")
    args = parser.parse_args(argv)

    from geo import playback
    from geo.assets import Assets
    from geo.filters import View, frame, view_bounds
    from geo.ingest import convert
    from geo.mapview import attacker_colors, draw_map
    from geo.viewstate import ASSUMED_WIDTH, MAP_HEIGHT

    events = convert(cached_acled(args.size, cache_dir())).events
    colors = attacker_colors(events)
    view = frame(events, ASSUMED_WIDTH, MAP_HEIGHT) or View(33.0, 44.0, 5)
    bounds = view_bounds(view, ASSUMED_WIDTH, MAP_HEIGHT)
    print(f"{len(events):,} events, view zoom {view.zoom}")

    t = time.perf_counter()
    spans = playback.event_spans(events)
    print(f"event_spans (once per filtered frame): {1000 * (time.perf_counter() - t):.1f} ms")

    print(
        f"{'step':>6} {'windows':>8} {'windows ms':>10} {'median events':>14} "
        f"{'active ms':>10} {'layer ms':>9} {'total ms (median)':>18} {'max ms':>7} "
        f"{'map data KB':>11}"
    )
    for step in ("month", "week", "day"):
        t = time.perf_counter()
        steps = playback.windows(spans, step)
        windows_ms = 1000 * (time.perf_counter() - t)
        here, totals, actives, layers, sizes, counts = None, [], [], [], [], []
        for _ in range(min(args.steps, len(steps))):
            t0 = time.perf_counter()
            here = playback.next_window(steps, here)
            mask = playback.active(spans, here)
            shown = events.loc[mask]
            t1 = time.perf_counter()
            plan = draw_map(
                shown, colors, bounds, view.zoom, basemap="Offline", assets=Assets([], [], "")
            ).plan
            t2 = time.perf_counter()
            actives.append(1000 * (t1 - t0))
            layers.append(1000 * (t2 - t1))
            totals.append(1000 * (t2 - t0))
            sizes.append(len(json.dumps(plan.payload, ensure_ascii=False)) / 1000)
            counts.append(len(shown))
        print(
            f"{step:>6} {len(steps):>8,} {windows_ms:>10.1f} "
            f"{statistics.median(counts):>14,.0f} {statistics.median(actives):>10.1f} "
            f"{statistics.median(layers):>9.1f} {statistics.median(totals):>18.1f} "
            f"{max(totals):>7.1f} {statistics.median(sizes):>11.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
