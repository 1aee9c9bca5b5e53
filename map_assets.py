"""Leaflet & co. served to a page's map from where pip installed them, declared from a module.

Streamlit names a component after the module that declares it, and a page under
``pages/`` is not a module it can name (declaring from there fails: "module is None"). The
map page is the entry point, app.py, and declares its own (``app.<name>``, geo.assets'
default); the Curate page, which a fresh server may run first, calls :func:`assets` here
(``map_assets.<name>``). Nothing is written into the source tree.

:class:`KeepMapFiles` (serve.py's middleware) lets browsers keep those files: Streamlit serves
a component's files as "public" with neither an age nor a date, so every opening of the map
fetched Leaflet, jQuery, Leaflet.markercluster, streamlit-folium's script and the offline
tiles again (a warm opening of the map under serve.py: 2.34-2.39 s, then 2.09 s).
"""

from __future__ import annotations

import re

import streamlit as st
import streamlit.components.v1 as components

from geo.assets import Assets, served_assets, served_folders


@st.cache_resource  # once a process: one small object; the components stay declared
def assets() -> Assets:
    """Declare the components over geo.assets.served_folders() and return their URLs."""
    declared = [
        components.declare_component(name, path=str(folder))
        for name, folder in served_folders().items()
    ]
    return served_assets(module=declared[0].module_name)


# A component's files that never change under their URL: ours when asked for with their
# version (geo.assets adds ``?v=``), streamlit-folium's scripts (a hash of their content in
# their names).
VERSIONED = re.compile(rb"/component/\w+\.(vendor_\w+|osm_tiles)/")
HASHED = re.compile(rb"/component/streamlit_folium\.st_folium/static/")
KEEP = (b"cache-control", b"public, max-age=31536000, immutable")


class KeepMapFiles:
    """ASGI middleware: such a file, answered with 200, may be kept by the browser a year."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "").encode() if scope["type"] == "http" else b""
        versioned = scope.get("query_string", b"").startswith(b"v=")
        if not ((versioned and VERSIONED.search(path)) or HASHED.search(path)):
            return await self.app(scope, receive, send)

        async def send_kept(message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [h for h in message.get("headers", []) if h[0] != KEEP[0]]
                message = {**message, "headers": [*headers, KEEP]}
            await send(message)

        await self.app(scope, receive, send_kept)
