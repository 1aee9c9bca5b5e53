"""The shared keys of ``st.session_state``, named once, with who writes them and why; and where
each cache is declared, with its key, size and lifetime.

A widget's ``key=`` is a session-state key too: the shared filters (``ATTACKER`` ... ``END``) are
bound to the URL (``bind="query-params"``), so their keys are also the URL's parameter names
(geo.filters.MULTI_KEYS and "start"/"end") and must not change. Plain constants: no streamlit
here, so geo/ code and tests may import the names too. Keys that one module alone reads and
writes are declared at the top of that module: app.py (the map's view, place search, layer),
playback_ui.py (the playback and its memos), map_links.py (selection, events in view),
downloads.py (``download_token:<key>`` and ``download_offer:<key>``, per download button) and
pages/6_Curate.py (the curation form, prefix ``cur_``).

Caches (Streamlit's, declared beside the function they wrap, where a comment gives the same
key, size and lifetime):

- ``ui.store``: ``st.cache_resource``, the one geo.store.Store of the process (no key, one
  entry, the process's life); the events live in its Parquet files, not in this cache.
- ``ui._file_entry``: ``st.cache_resource(max_entries=4)``, the store entry of the file the app
  was started with, keyed on path, modification time and size; the process's life.
- ``ui.frames``: a geo.cache.FrameCache (held by ``st.cache_resource``, one a process), the
  events of one or more stored datasets as one read-only frame shared by every session, keyed
  on the dataset ids; bounded by memory (setting ``frames_mb``, 1,500 MB; a 1M-event frame
  measures 110 MB: its long text stays in the store's files), by entries (4) and by idle time
  (10 minutes unused; a daemon sweeps every minute, and half a second after each page run,
  and hands the freed memory back to the system).
- ``ui.shown_frames``: a geo.cache.FrameCache (held by ``st.cache_resource``), the filtered
  frames the pages show, shared by the sessions that filter alike, keyed on dataset ids and
  filter state; bounded by memory (setting ``shown_mb``, 128 MB), by entries (16) and by idle
  time (``frames_idle_s``). Sessions keep their filter state, never a filtered frame: the map
  fragment and the play button re-ask here (``ui.page_of``).
- ``ui._rows``: ``st.cache_resource(max_entries=32, ttl=600)``, the row numbers matching a
  filter state (int32: 4 MB at a million events), keyed on dataset ids and filter state.
- ``ui.planned``: ``st.cache_resource(max_entries=16, ttl=600)``, the map's layer
  (geo.mapview.LayerPlan: points, cells or density squares, and the legend) of a filtered
  dataset at a view, shared read-only by the sessions that look alike; keyed on dataset ids,
  filter state, layer, zoom and the view snapped to the grid; not used during a playback.
  ``ui.warm_up`` (serve.py, as the server starts) plans the view a first visit opens.
- ``app.assets`` and ``map_assets.assets``: ``st.cache_resource``, the Leaflet components
  declared once a process and their URLs (one small object each); ``app.warm_place_index``:
  the timer that builds the GeoNames index once a process, 15 s after the first visit;
  ``app.warm_engine``: the timer that loads the query engine (Polars) 3 s after it.
- ``pages/3_Sources.py`` and ``pages/4_About_the_data.py``: ``st.cache_data`` of file texts.
- Per session, dropped with it: playback_ui's ``SPANS``/``STEPS`` memos and the Events page's
  duplicate flags (``"_duplicates"``), each keyed on the frame it was computed from.
- ``downloads._offers``: a weak map from a download link's token to what it streams (the
  chunks of the events its button shows); each offer is held by its session's state, one per
  button, replaced at each run, so it goes with the session and holds no events of its own.
"""

from __future__ import annotations

# The shared sidebar filters (ui.sidebar_filters), bound to the URL under the same names.
ATTACKER = "attacker"
TARGET_GROUP = "target_group"
EVENT_TYPE = "event_type"
ATTRIBUTION = "attribution"
START = "start"  # datetime.date or None; the Timeline page writes it when a span is brushed
END = "end"

# What ui.py keeps per session (ui.py imports these names).
URL_NOTES = "url_notes"  # notes on URL values that were ignored, computed on the first run
URL_VIEW = "url_view"  # the map view the URL asked for (geo.filters.View) or None
URL_DATES = "url_dates"  # the URL's (start, end), so a reversed range is noted once
IMPORTS = "imported_ids"  # ids (in the store) of this session's imports, in order
IMPORT_BYTES = "imported_bytes"  # bytes uploaded by this session, for the per-session limit
URL_DATA_NOTES = "data_notes"  # messages about ?data= ids that could not be opened
DATASET_MODE = "dataset_mode"  # "beside" or "instead": imports beside the bundled set or not
DATA_KEY = "data"  # the URL key (not session state): ?data=<id>&data=<id>

# The map page (app.py).
MAP = "map"  # st_folium's last report from the browser: bounds, center, zoom
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
