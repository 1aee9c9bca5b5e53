"""map_assets.KeepMapFiles (serve.py's middleware): which of the map's files a browser may keep."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from helpers import Client
from map_assets import KEEP, KeepMapFiles


def component_file(request):
    """As Streamlit serves a component's file: "public", with neither an age nor a date."""
    if request.path_params["file"].endswith("missing.js"):
        return PlainTextResponse("read error", 404, headers={"Cache-Control": "public"})
    html = request.path_params["file"].endswith(".html")
    return PlainTextResponse("x", headers={"Cache-Control": "no-cache" if html else "public"})


@pytest.fixture(scope="module")
def client():
    app = Starlette(
        routes=[Route("/component/{name}/{file:path}", component_file)],
        middleware=[Middleware(KeepMapFiles)],
    )
    return Client(app)


@pytest.mark.parametrize(
    "url",
    [
        "/component/app.vendor_leaflet/leaflet.js?v=1.9.3",
        "/component/map_assets.vendor_markercluster/MarkerCluster.css?v=1.4.1",
        "/component/app.osm_tiles/6/39/25.png?v=osm-tiles-0.2-23801856",
        "/component/streamlit_folium.st_folium/static/js/main.521860b0.js",
    ],
)
def test_a_versioned_or_hashed_file_is_kept_a_year(client, url):
    got = client.get(url)
    assert got.status_code == 200
    assert got.headers.get_list("cache-control") == [KEEP[1].decode()]


@pytest.mark.parametrize(
    "url, status, cache",
    [
        ("/component/app.vendor_leaflet/leaflet.js", 200, "public"),  # no version: may change
        ("/component/app.vendor_leaflet/missing.js?v=1.9.3", 404, "public"),
        ("/component/streamlit_folium.st_folium/index.html", 200, "no-cache"),
        ("/component/some.other_component/app.js?v=1", 200, "public"),
    ],
)
def test_anything_else_is_served_as_streamlit_serves_it(client, url, status, cache):
    got = client.get(url)
    assert (got.status_code, got.headers.get_list("cache-control")) == (status, [cache])
