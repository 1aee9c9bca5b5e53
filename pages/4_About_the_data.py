"""The about page: how the data was made, what it leaves out, how sure it is, and whose it is.

The prose is read from ``data/README.md`` at run time, so it is written (and corrected) once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from geo.evidence import (
    geocoded_places,
    readable_table,
    readme_section,
    uncertainties,
)
from geo.schema import DATA_DIR, PRECISION_LABELS, TIME_PRECISION_LABELS
from geo.sources import load_summaries
from geo.text import escape_markdown

README = DATA_DIR / "README.md"
STATIC_ROWS = 60
TILES_AND_OUTLINES = """\
- Map tiles (OpenStreetMap base map): © [OpenStreetMap](https://www.openstreetmap.org/copyright)
  contributors, [ODbL](https://opendatacommons.org/licenses/odbl/).
- Country outlines of the Offline base map: [Natural Earth](https://www.naturalearthdata.com/)
  1:50m, public domain.
- Leaflet (BSD 2-Clause) and Leaflet.markercluster (MIT), served by the app itself.
"""


@st.cache_data
def readme() -> str:
    return README.read_text(encoding="utf-8")


@st.cache_data
def summaries() -> pd.DataFrame:
    return load_summaries()


def from_readme(heading: str) -> None:
    """A section of data/README.md, or a pointer to the file if the section has moved."""
    body = readme_section(readme(), heading)
    if body is None:
        st.caption(f"See “{heading}” in data/README.md.")
    else:
        st.markdown(body)


def scale(labels: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame({"Level": list(labels), "Meaning": list(labels.values())})


def table(frame: pd.DataFrame, labels: dict[str, str]) -> None:
    """A static table whose long text wraps; a scrolling one for an imported file's many rows."""
    text = readable_table(frame, labels)
    if len(text) <= STATIC_ROWS:
        st.table(text, hide_index=True, border="horizontal")
    else:
        st.dataframe(text, hide_index=True)


p = ui.page("About the data")
st.title("About the data")
st.caption(
    "How the events were chosen, dated and placed, what is deliberately not mapped, "
    "what is uncertain, and whose data it is. The full documentation, with every "
    "column, is data/README.md in the project."
)
ui.show_status(p)
if p.data.label != "bundled dataset":
    st.info(
        f"The app shows {escape_markdown(p.data.label)}. The method sections below "
        "describe the bundled dataset; the tables are computed from the events shown.",
        icon=":material/info:",
    )

st.header("How events were chosen", anchor="chosen")
from_readme("How events were chosen")

st.header("How dates were resolved", anchor="dates")
from_readme("Dates")
st.markdown("**Time precision** (`time_precision`, ACLED's scale):")
st.table(scale(TIME_PRECISION_LABELS), hide_index=True, width="content")

st.header("How places were geocoded", anchor="places")
st.markdown(
    "Coordinates are never typed by hand: `python -m geo.geocode` asks the curated gazetteer "
    "(`data/gazetteer.csv`), then GeoNames offline, then optionally Nominatim online, and "
    "refuses any answer outside the place's country. Which one answered for each place of "
    "the events shown:"
)
table(
    geocoded_places(p.shown),
    {
        "events": "Events",
        "location": "Place",
        "country": "Country",
        "geocoder": "Geocoder",
        "geo_source": "Where the coordinates come from",
        "precision": "Precision",
        "coordinates": "Lat, lon",
    },
)
st.markdown(
    "**Geographic precision** (`geo_precision`, ACLED's scale; raised to 2 when the "
    "event happened near the place rather than in it):"
)
st.table(scale(PRECISION_LABELS), hide_index=True, width="content")

st.header("Casualties", anchor="casualties")
from_readme("Casualties")

st.header("Who did it, and how we know", anchor="attribution")
from_readme("Who did it, and how we know")
if "attribution" in p.shown:
    st.markdown("**Attribution of the events shown:**")
    basis = p.shown["attribution"].astype(str).value_counts().rename_axis("attribution")
    table(basis.reset_index(name="events"), {"attribution": "Attribution", "events": "Events"})

st.header("Sources and how to cite them", anchor="sources")
from_readme("Sources")

st.header("One actor, several names", anchor="actors")
from_readme("One actor, several names")

st.header("The same strike twice, and living datasets", anchor="duplicates")
from_readme("The same strike twice")

st.header("What is deliberately not mapped", anchor="not-mapped")
st.markdown(
    "Statements that are not point events: totals over several sites, counts of "
    "attacks over weeks. Copying them onto each site would count the same deaths "
    "several times, so they are kept here, never as dots."
)
all_summaries = summaries().assign(period=lambda f: f["period_start"] + " to " + f["period_end"])
table(
    all_summaries,
    {
        "summary_id": "Summary",
        "period": "Period",
        "area": "Area",
        "statement": "Statement",
        "fatalities": "Fatalities",
        "injuries": "Injuries",
        "attacks": "Attacks",
        "covers_event_ids": "Covers events",
        "source_doc": "Source",
    },
)
st.caption("Their quoted sentences are underlined on the Sources page.")

st.header("Known uncertainties", anchor="uncertainties")
st.markdown(
    "Places known only approximately, dates or places that the article does not give, "
    "and attackers that are attributed or claimed rather than established, for the "
    "events shown, in each event's own notes:"
)
found = uncertainties(p.shown)
if found.empty:
    st.caption("None among the events shown.")
else:
    table(
        found,
        {
            "event_id": "Event",
            "aspect": "What is uncertain",
            "detail": "Why, from the event's notes",
        },
    )

st.header("Imported ACLED and UCDP GED files", anchor="imports")
st.markdown(
    "Files brought in on the Import page are converted to the same columns. ACLED's "
    "`actor1` and UCDP's `side_a` are **not always the attacker**: read the caveats "
    "before filtering imported events by attacker."
)
with st.expander("How each column of an ACLED or UCDP GED file is read (data/README.md)"):
    from_readme("Importing ACLED and UCDP GED files")

st.header("Attribution and licences", anchor="licences")
from_readme("Attribution and licences")
st.markdown(TILES_AND_OUTLINES)
