"""Leaflet, jQuery and Leaflet.markercluster served by the app itself, never from a CDN.

The files come from the XStatic packages (pinned in requirements.txt) and are copied into
``static/vendor/`` beside app.py, which Streamlit serves at ``/app/static/`` when
``server.enableStaticServing`` is on (``.streamlit/config.toml``). URLs are relative to the map's
iframe (``/component/streamlit_folium.st_folium/index.html``), so a base URL path still works.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     assets = install_assets(Path(folder))
...     copied = (Path(folder) / _folder("leaflet") / "leaflet.js").is_file()
>>> copied, [key for key, url in assets.js]
(True, ['leaflet', 'jquery', 'markercluster'])
>>> assets.js[0][1] == f"../../app/static/vendor/leaflet-{xleaflet.VERSION}/leaflet.js"
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
import xstatic.pkg.leaflet_markercluster as xcluster

from geo.io import write_atomic
from geo.schema import ROOT

STATIC_DIR = ROOT / "static"
URL_PREFIX = "../../app/static/"
BASEMAP_FILE = "basemap/countries-50m.geojson"
PACKAGES = {"leaflet": xleaflet, "jquery": xjquery, "markercluster": xcluster}
JS = [("leaflet", "leaflet", "leaflet.js"), ("jquery", "jquery", "jquery.min.js"),
      ("markercluster", "markercluster", "leaflet.markercluster.js")]
CSS = [("leaflet_css", "leaflet", "leaflet.css"),
       ("markercluster_css", "markercluster", "MarkerCluster.css"),
       ("markercluster_default_css", "markercluster", "MarkerCluster.Default.css")]


@dataclass(frozen=True)
class Assets:
    js: list[tuple[str, str]]
    css: list[tuple[str, str]]
    basemap_url: str


def _folder(name: str) -> str:
    return f"vendor/{name}-{PACKAGES[name].VERSION}"


def install_assets(static_dir: Path = STATIC_DIR) -> Assets:
    """Copy the packaged files into static/vendor (only what is missing) and return their URLs."""
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
    )
