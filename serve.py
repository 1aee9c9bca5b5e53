"""The app with its exports streamed to the browser: ``streamlit run serve.py [-- ARGS]``.

The same pages and arguments as ``streamlit run app.py``, served by Streamlit's own server
(``st.App``, Starlette) with one more route, ``/api/export/<token>`` (downloads.py): a CSV or
GeoJSON of a million events goes to the browser a chunk at a time instead of being built in
the server's memory first.
"""

import streamlit as st

import downloads

app = st.App("app.py", routes=downloads.routes())
