"""Data freshness: when the data was last refreshed and how old it is, the recent ETL runs (failed ones too, from
the run log), the files each run loaded, and the rows set aside in quarantine with their reasons."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import t

RUN_COLUMNS = ("run_id", "status", "started_at", "finished_at", "files_loaded", "files_skipped", "rows_read",
               "rows_loaded", "rows_quarantined", "message")

ui.require_frame()
lang = ui.lang()
status = data.current_status()
fresh = data.freshness(status)

ui.page_header("freshness.title", "freshness.intro")

last, age, outcome = st.columns([2, 1, 1])
with last:
    ui.kpi_card(t("freshness.last_success"), f"{ui.format_when(fresh.published_at)} MYT", key="fresh_when",
                lines=[f"{t('freshness.run_id')}: {status.run_id or '–'}"])
with age:
    ui.kpi_card(t("freshness.age"), ui.format_age(fresh.age_hours) if fresh.age_hours is not None else "–",
                key="fresh_age")
with outcome:
    last_status = str((fresh.last_run or {}).get("status") or "")
    ui.kpi_card(t("freshness.last_run"), t(f"run.{last_status}") if last_status else "–", key="fresh_last")
if status.ok and not fresh.is_stale and not fresh.last_run_failed and not fresh.last_run_incomplete:
    st.success(t("freshness.ok"), icon=":material/check_circle:")

st.header(t("freshness.recent_runs"))
# The run log has failed runs too (they publish no warehouse); the warehouse's own history is the fallback.
runs = data.run_log(limit=20)
if not runs and status.ok:
    history = data.kpi("etl_history", lang=lang)
    runs = history.df.head(20).to_dict("records") if history.ok else []
if not runs:
    st.info(t("freshness.no_runs"), icon=":material/info:")
else:
    log = pd.DataFrame(runs)
    log = log[[c for c in RUN_COLUMNS if c in log.columns]]
    for col in ("started_at", "finished_at"):
        if col in log:
            log[col] = [ui.format_when(data.parse_time(v)) for v in log[col]]
    log["status"] = [t(f"run.{s}") if s in {"succeeded", "incomplete", "failed", "running"} else s for s in log["status"]]
    ui.table(log.rename(columns={"run_id": "etl_run_id"}), name="etl-runs")

    st.header(t("freshness.files"))
    last_ok = next((r for r in runs if r.get("status") in ("succeeded", "incomplete")), None)
    if last_ok:
        cards = ("files_loaded", "files_skipped", "rows_loaded", "rows_quarantined")
        for column, measure in zip(st.columns(len(cards)), cards, strict=True):
            with column:
                ui.kpi_card(ui.column_label(measure), last_ok.get(measure) or 0, key=f"fresh_{measure}")
        st.caption(f"{t('freshness.run_id')}: {last_ok.get('run_id')}")

if status.ok:
    st.header(t("freshness.quarantine"), help=data.kpi_help("quarantine_summary", lang))
    quarantine = data.kpi("quarantine_summary", lang=lang)
    if quarantine.ok and quarantine.empty:
        st.success(t("freshness.no_quarantine"), icon=":material/check_circle:")
    elif ui.has_rows(quarantine):
        ui.table(quarantine.display, name="quarantine")
