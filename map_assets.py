"""Leaflet & co. served to a page's map from where pip installed them, declared from a module.

Streamlit names a component after the module that declares it, and a page under
``pages/`` is not a module it can name (declaring from there fails: "module is None"). The
map page is the entry point, app.py, and declares its own (``app.<name>``, geo.assets'
default); the Curate page, which a fresh server may run first, calls :func:`assets` here
(``map_assets.<name>``). Nothing is written into the source tree.
"""

from __future__ import annotations

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
