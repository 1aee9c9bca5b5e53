"""``python -m bench.playback``: the server's time per playback step at 100,000 events.

A step is what the map page does on each tick: the next window (``geo.playback.next_window``),
the events whose span touches it (``active``) and the map drawn as the page draws it
(``geo.mapview.draw_map``). Event spans are computed once per filtered frame, as the page
keeps them, and timed apart. Printed, not asserted::

    python -m bench.playback                 # 100k events, month, week and day steps
    python -m bench.playback --size 1000000
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from statistics import median

import pandas as pd

from bench.synth import cache_dir, cached_acled


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.playback", description=__doc__)
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
    t = time.perf_counter()
    spans = playback.event_spans(events)
    print(
        f"{len(events):,} events, view zoom {view.zoom}; event_spans (once per filtered frame):"
        f" {1000 * (time.perf_counter() - t):.1f} ms"
    )
    rows = []
    for step in ("month", "week", "day"):
        t = time.perf_counter()
        steps = playback.windows(spans, step)
        row = {"step": step, "windows": len(steps), "windows_ms": 1000 * (time.perf_counter() - t)}
        here, times = None, []  # (active ms, layer ms, events, KB) per step
        for _ in range(min(args.steps, len(steps))):
            t0 = time.perf_counter()
            here = playback.next_window(steps, here)
            shown = events.loc[playback.active(spans, here)]
            t1 = time.perf_counter()
            assets = Assets([], [], "")
            plan = draw_map(shown, colors, bounds, view.zoom, basemap="Offline", assets=assets).plan
            kb = len(json.dumps(plan.payload, ensure_ascii=False)) / 1000
            times.append((1000 * (t1 - t0), 1000 * (time.perf_counter() - t1), len(shown), kb))
        active, layer, counts, kbs = zip(*times, strict=True)
        totals = [a + b for a, b in zip(active, layer, strict=True)]
        row.update(events=median(counts), active_ms=median(active), layer_ms=median(layer))
        rows.append(row | {"total_ms": median(totals), "max_ms": max(totals), "kb": median(kbs)})
    print(pd.DataFrame(rows).round(1).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
