"""Every key of ``st.session_state`` the pages use, named once, with who writes it and why.

A widget's ``key=`` is a session-state key too: the shared filters (``ATTACKER`` ... ``END``) are
bound to the URL (``bind="query-params"``), so their keys are also the URL's parameter names
(geo.filters.MULTI_KEYS and "start"/"end") and must not change. Plain constants: no streamlit
here, so geo/ code and tests may import the names too.

Caches (Streamlit's, declared beside the loader they wrap; listed here so that their size and
lifetime are read in one place):

- ``ui._load``: ``st.cache_resource(max_entries=4)``, the validated events of a file, keyed on
  path and modification time, shared by every session for the life of the server.
- ``ui._filtered_file``: ``st.cache_resource(max_entries=64)``, one filtered frame per filter
  state of the bundled/--events file, shared by every session; bounded by entries only.
- ``app.assets``: ``st.cache_resource``, the URLs of the Leaflet files (one small object).
- ``pages/3_Sources.py`` and ``pages/4_About_the_data.py``: ``st.cache_data`` of file texts.
- ``FILTERED`` and ``COMBINED`` below: one entry per session, dropped with the session.
"""

from __future__ import annotations

# The shared sidebar filters (ui.sidebar_filters), bound to the URL under the same names.
ATTACKER = "attacker"
TARGET_GROUP = "target_group"
EVENT_TYPE = "event_type"
ATTRIBUTION = "attribution"
START = "start"  # datetime.date or None; the Timeline page writes it when a span is brushed
END = "end"

# What ui.py keeps per session.
URL_NOTES = "url_notes"  # notes on URL values that were ignored, computed on the first run
URL_VIEW = "url_view"  # the map view the URL asked for (geo.filters.View) or None
IMPORTS = "imported_files"  # files imported on the Import page: list of ui.Imported
DATASET_MODE = "dataset_mode"  # "beside" or "instead": imports beside the bundled set or not
COMBINED = "_combined"  # (key, the bundled and imported events together), rebuilt on change
FILTERED = "_filtered"  # (events, filter state, filtered events) of an imported dataset

# The map page (app.py).
MAP = "map"  # st_folium's last report from the browser: bounds, center, zoom
VIEW_REQUEST = "view_request"  # the view the page asks the map for (geo.filters.View)
BASEMAP = "basemap"
DOWNLOAD_CSV = "download_csv"  # also the Events page's CSV button: one page shows at a time
DOWNLOAD_GEOJSON = "download_geojson"

# The Events page.
EVENTS_TABLE = "events_table"  # st.dataframe's selection: the selected row

# The Timeline page.
TIMELINE_CHART = "timeline"  # prefix: the chart's key is per date range, f"timeline_{start}_{end}"
ALL_DATES = "all_dates"  # the "Show all dates" button

# The Import page.
IMPORT_FORMAT = "import_format"
IMPORT_FILE = "import_file"
IMPORT_GO = "import_go"
IMPORT_REPORT = "import_report"
LAST_IMPORT = "last_import"  # (file name, summary, ...) of the last import, shown once


def timeline_chart_key(start, end) -> str:
    """The timeline chart's key for a date range: a new key, so a new range starts unbrushed."""
    return f"{TIMELINE_CHART}_{start}_{end}"
