"""Pathways: per MC programme the flow from its first course to the MMS and on to admission into the accredited
programme, the stack progress table, badge acceptance, and the programmes compared."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui
from dashboard.words import t

lang = ui.lang()
filters = ui.current_filters()

ui.page_header("pathways.title", "pathways.intro")
ui.active_filters_caption(filters)

progress = data.kpi("pathway_stack_progress", filters, by="programme", lang=lang)
if not ui.has_rows(progress, message=t("pathways.no_programmes")):
    st.stop()

titles = dict(zip(progress.df["group_key"], progress.display["group_label"], strict=True))
programme = ui.page_select(
    "programme", list(titles), title=t("pathways.programme"), format_func=lambda p: f"{titles[p]} ({p})"
)
name = titles[programme]

# --- flow: enrolled -> k of n courses -> MMS -> admitted --------------------------------------------------------
mine = progress.df[progress.df["group_key"] == programme]
# Several years (no year picked) add up; a hidden small count (None) leaves its stage out of the chart.
reached = mine.groupby("courses_done")["learners_at_least"].sum(min_count=1)
needed = int(mine["courses_needed"].max())
stages = [(t("pathways.stage_enrolled"), reached.get(0))]
stages += [(t("pathways.stage_courses", k=k, n=needed), reached.get(k)) for k in range(1, needed + 1)]
mms = data.kpi("mms_eligible_vs_issued", filters, by="programme", lang=lang)
if mms.ok and not mms.empty:
    stages.append((t("pathways.stage_mms"),
                   mms.df.loc[mms.df["group_key"] == programme, "eligible_with_mms"].sum(min_count=1)))
intake = data.kpi("programme_intake_conversion", filters, by="programme", lang=lang)
if intake.ok and not intake.empty and programme in set(intake.df["group_key"]):
    stages.append((t("pathways.stage_admitted"),
                   intake.df.loc[intake.df["group_key"] == programme, "admitted"].sum(min_count=1)))
fig = charts.pathway_flow(stages, left=t("pathways.stage_left"), title=t("pathways.flow", name=name))
shown = progress.display[(progress.df["group_key"] == programme).to_numpy()]
ui.chart_with_data(fig, shown.drop(columns=["group_key"]), "pathway-flow", note=t("small_cells"))

# --- stack progress and drop-off of the programme ---------------------------------------------------------------
st.header(t("pathways.progress", name=name), help=data.kpi_help("pathway_dropoff", lang))
dropoff = data.kpi("pathway_dropoff", filters, by="programme", lang=lang)
if ui.has_rows(dropoff):
    ui.table(dropoff.display[(dropoff.df["group_key"] == programme).to_numpy()].drop(columns=["group_key"]),
             name="pathway-dropoff")

# --- badges by programme -----------------------------------------------------------------------------------------
st.header(t("pathways.badges"), help=data.kpi_help("badges", lang))
badges = data.kpi("badges", filters, by="programme", lang=lang)
if ui.has_rows(badges):
    fig = charts.grouped_bars(
        badges.df.assign(name=badges.display["group_label"]),
        category="name",
        series={"acceptance_rate_pct": t("col.acceptance_rate_pct"), "share_rate_pct": t("col.share_rate_pct")},
        title=t("pathways.badges"),
        unit="pct",
        value_title="%",
        horizontal=True,
    )
    ui.chart_with_data(fig, badges.display.drop(columns=["group_key"]), "badges-by-programme",
                       note=t("small_cells"))

# --- programmes compared -----------------------------------------------------------------------------------------
st.header(t("pathways.compare"), help=data.kpi_help("mms_eligible_vs_issued", lang))
if ui.has_rows(mms):
    table = mms.display
    overdue = data.kpi("mms_overdue", filters, by="programme", lang=lang)
    if overdue.ok and not overdue.empty:
        table = table.merge(overdue.display[["year", "group_key", "overdue"]], on=["year", "group_key"], how="left")
        st.caption(t("pathways.overdue", days=int(overdue.df["overdue_after_days"].iloc[0])))
    ui.table(table.drop(columns=["group_key"]), name="programmes-compared")
