"""Audit log (management only): sign-ins, failed sign-ins, sign-outs, refused pages and downloads, newest first,
from data/audit/audit.jsonl (read/audit.py). app.py opens this page only for roles allowed to see it."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import auth, ui
from read import access, audit

lang = ui.lang()
if "audit" not in access.allowed_pages(auth.current_scope().role):  # app.py checks too; never show it otherwise
    auth.not_permitted(auth.current_scope().role, "audit")

st.title(auth.text("audit.title", lang))
st.caption(auth.text("audit.intro", lang))

left, right = st.columns(2)
with left:
    event = st.selectbox(auth.text("audit.event", lang), ["", *audit.EVENTS], key="audit_event",
                         format_func=lambda e: e or "–")
with right:
    user = st.text_input(auth.text("audit.user", lang), key="audit_user", max_chars=200).strip()

records = audit.read_events(limit=1000, event=event or None, user=user or None)
if not records:
    st.info(auth.text("audit.none", lang), icon=":material/info:")
    st.stop()

core = ("ts", "event", "user", "role", "page", "kpi", "name", "format", "mode", "reason")
rows = []
for record in records:
    row = {key: record.get(key) for key in core}
    extra = {k: v for k, v in record.items() if k not in core}
    row["details"] = json.dumps(extra, ensure_ascii=False, default=str) if extra else ""
    rows.append(row)
frame = pd.DataFrame(rows).dropna(axis=1, how="all")
st.dataframe(frame, hide_index=True, width="stretch", key="tbl_audit")
ui.download_buttons(frame, "audit-log")
