"""Audit log (management only): sign-ins, failed sign-ins, sign-outs, refused pages and downloads, newest first,
from data/audit/audit.jsonl (read/audit.py), as a readable table: times in Malaysia time (the log is UTC), actions
and roles in the page's language, filters and details as short "key: value" text, never "None" or JSON. Filters by
user, action and date. app.py opens this page only for roles allowed to see it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard import auth, ui
from dashboard.words import has, t
from read import access, audit

MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")
SHOWN = ("ts", "event", "user", "role", "page", "kpi", "name", "format", "filters")

lang = ui.lang()
if "audit" not in access.allowed_pages(auth.current_scope().role):  # app.py checks too; never show it otherwise
    auth.not_permitted(auth.current_scope().role, "audit")

st.title(auth.text("audit.title", lang))
st.caption(auth.text("audit.intro", lang))


def local_time(ts: Any) -> datetime | None:
    """The record's UTC ISO time ("2026-11-23T20:41:07.123Z") in Malaysia time, naive, to the second."""
    try:
        when = datetime.fromisoformat(str(ts).replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(MALAYSIA).replace(tzinfo=None, microsecond=0)


def short(value: Any) -> str:
    """A value as short text: lists joined, mappings as "key: value", nothing for None."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, dict):
        return " · ".join(f"{k}: {short(v)}" for k, v in value.items() if short(v))
    if isinstance(value, list | tuple):
        return ", ".join(short(v) for v in value if short(v))
    return str(value)


def action(event: str) -> str:
    return auth.text(f"audit.ev.{event}", lang) if has(f"auth.audit.ev.{event}") else event


records = audit.read_events(limit=5000)
users = sorted({str(r["user"]) for r in records if r.get("user")})
days = [d for d in (local_time(r.get("ts")) for r in records) if d is not None]

user_col, action_col, date_col = st.columns(3)
with user_col:
    user = st.selectbox(auth.text("audit.user", lang), ["", *users], key="audit_user",
                        format_func=lambda u: u or auth.text("audit.any", lang))
with action_col:
    events = st.multiselect(auth.text("audit.action", lang), audit.EVENTS, key="audit_event",
                            format_func=action, placeholder=auth.text("audit.any", lang))
with date_col:
    first = min(days).date() if days else date.today()
    last = max(days).date() if days else date.today()
    picked = st.date_input(auth.text("audit.dates", lang), (first, last), min_value=first, max_value=last,
                           key="audit_dates", format="YYYY-MM-DD")

start, end = (picked if isinstance(picked, tuple) and len(picked) == 2
              else (picked[0], picked[0]) if isinstance(picked, tuple) and picked else (first, last))
rows = []
for record in records:
    when = local_time(record.get("ts"))
    if user and record.get("user") != user:
        continue
    if events and record.get("event") not in events:
        continue
    if when is None or not (start <= when.date() <= end):
        continue
    role = record.get("role")
    rows.append({
        "when": when,
        "action": action(str(record.get("event") or "")),
        "user": short(record.get("user")),
        "role": auth.text(f"role.{role}", lang) if role and has(f"auth.role.{role}") else short(role),
        "page": t(f"page.{record['page']}", lang) if record.get("page") and has(f"page.{record['page']}")
        else short(record.get("page")),
        "what": " · ".join(x for x in (short(record.get("name")), short(record.get("format"))) if x),
        "filters": short(record.get("filters")),
        "details": short({k: v for k, v in record.items() if k not in SHOWN}),
    })
if not rows:
    st.info(auth.text("audit.none", lang), icon=":material/info:")
    st.stop()

frame = pd.DataFrame(rows)
headers = {c: auth.text(f"audit.col.{c}", lang) for c in frame.columns}
config = {c: st.column_config.TextColumn(h) for c, h in headers.items()}
config["when"] = st.column_config.DatetimeColumn(headers["when"], format="YYYY-MM-DD HH:mm:ss", pinned=True)
st.dataframe(frame, hide_index=True, width="stretch", key="tbl_audit", column_config=config)
ui.download_buttons(frame.rename(columns=headers), "audit-log")
