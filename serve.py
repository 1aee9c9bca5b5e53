"""The app with its exports streamed to the browser: ``streamlit run serve.py [-- ARGS]``.

The same pages and arguments as ``streamlit run app.py``, served by Streamlit's own server
(``st.App``, Starlette) with one more route, ``/api/export/<token>`` (downloads.py): a CSV or
GeoJSON of a million events goes to the browser a chunk at a time instead of being built in
the server's memory first. And as the server starts, a thread imports the map's libraries and
loads the events (ui.warm_up), while the first browser is still loading the page.

Browsers may also keep the map's files (map_assets.KeepMapFiles), which Streamlit's server
has them fetch again at every opening of the map.
"""

import contextlib
import logging
import threading

import streamlit as st
from starlette.middleware import Middleware

import downloads
from map_assets import KeepMapFiles


def _warm_up() -> None:
    try:
        import ui

        ui.warm_up()
    except Exception:  # the first visit then does it itself, and shows what went wrong
        logging.getLogger(__name__).exception("warming up failed")


@contextlib.asynccontextmanager
async def lifespan(app: st.App):
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    yield None


app = st.App(
    "app.py",
    routes=downloads.routes(),
    lifespan=lifespan,
    middleware=[Middleware(KeepMapFiles)],
)
