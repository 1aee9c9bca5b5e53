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

import pandas as pd

from bench.synth import cache_dir, cached_acled


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.playback", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=30, help="steps timed per step length")
    args = parser.parse_args(argv)

    from bench.inprocess import ASSETS, first_view
    from geo import playback
    from geo.ingest import convert
    from geo.mapview import attacker_colors, draw_map

    events = convert(cached_acled(args.size, cache_dir())).events
    colors, view = attacker_colors(events), first_view(events)
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
        here, times = None, []  # (events, active ms, layer ms, KB) per step
        for _ in range(min(args.steps, len(steps))):
            t0 = time.perf_counter()
            here = playback.next_window(steps, here)
            shown = events.loc[playback.active(spans, here)]
            t1 = time.perf_counter()
            drawing = draw_map(
                shown, colors, view.bounds, view.zoom, basemap="Offline", assets=ASSETS
            )
            kb = len(json.dumps(drawing.plan.payload, ensure_ascii=False)) / 1000
            times.append((len(shown), 1000 * (t1 - t0), 1000 * (time.perf_counter() - t1), kb))
        timed = pd.DataFrame(times, columns=["events", "active_ms", "layer_ms", "kb"])
        timed.insert(3, "total_ms", timed["active_ms"] + timed["layer_ms"])
        timed.insert(4, "max_ms", timed["total_ms"].max())
        rows.append(row | timed.median().to_dict())
    print(pd.DataFrame(rows).round(1).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
