"""The floor with one small plotly chart: what Streamlit's plotly component costs a new session by itself
(bench/pages.py --floor)."""

import plotly.graph_objects as go
import streamlit as st

st.title("mckpi")
st.plotly_chart(go.Figure(go.Bar(x=["A", "B", "C"], y=[3, 1, 2])))
