"""The floor with one metric card and its sparkline (st.metric's chart_data draws with Vega-Lite, not plotly):
what that component costs a new session by itself (bench/pages.py --floor)."""

import streamlit as st

st.title("mckpi")
st.metric("Enrolments", "1,234", "+5%", chart_data=[3, 5, 4, 6, 8], border=True)
