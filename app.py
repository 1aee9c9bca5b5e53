"""The map page (placeholder until the map lands): loads the events and lists them."""

import streamlit as st

from geo.events import load_events
from geo.schema import EVENTS_CSV

st.set_page_config(page_title="Conflict event map", layout="wide")
result = load_events(EVENTS_CSV)
for problem in result.problems:
    st.warning(str(problem))
st.title("Conflict events")
st.dataframe(result.events, hide_index=True)
