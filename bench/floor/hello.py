"""The floor of a new Streamlit session in the browser: one title, nothing else (bench/pages.py --floor)."""

import streamlit as st

st.title("mckpi")
