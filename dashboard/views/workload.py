"""Lecturer workload: weighted MC/MOOC teaching load per lecturer and term with the overload flag, its
distribution per PTj, and the courses whose owner has left the university."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui
from dashboard.words import t

WORKLOAD_COLUMNS = ("staff_name", "ptj_code", "term", "weighted_hours", "is_overloaded", "courses", "runs",
                    "contact_hours", "online_hours", "learners_taught", "has_left")
PTJ_COLUMNS = ("term", "group_key", "group_label", "lecturers", "overloaded_lecturers", "median_weighted_hours",
               "max_weighted_hours", "total_weighted_hours")
ORPHAN_COLUMNS = ("course_code", "course_title", "ptj_code", "owner_name", "owner_left_on", "next_run_starts_on",
                  "runs_running_or_upcoming")

lang = ui.lang()
filters = ui.current_filters()
options = ui.current_options()
colors = charts.ptj_colors(options.ptj_codes)
policy = data.settings().workload
overload_hours = f"{policy.overload_hours_per_term:g}"

ui.page_header("workload.title", "workload.intro", factor=f"{policy.online_hours_factor:g}", hours=overload_hours)
ui.active_filters_caption(filters)

workload = data.kpi("lecturer_workload", filters, by="staff", lang=lang)
if ui.has_rows(workload):
    df = workload.df
    overloaded = int(df["is_overloaded"].fillna(False).astype(bool).sum())
    if overloaded:
        st.warning(t("workload.overloaded_count", n=overloaded, hours=overload_hours), icon=":material/warning:")
    else:
        st.success(t("workload.none_overloaded", hours=overload_hours), icon=":material/check_circle:")

    fig = charts.workload_distribution(
        df,
        ptj="ptj_code",
        label="ptj_code",
        value="weighted_hours",
        title=t("workload.distribution"),
        value_title=t("axis.hours"),
        colors=colors,
        threshold=policy.overload_hours_per_term,
        threshold_name=t("workload.threshold", hours=overload_hours),
    )
    st.plotly_chart(fig, width="stretch", config=ui.PLOTLY_CONFIG, key="chart_workload_distribution")

    st.subheader(t("workload.table"), help=data.kpi_help("lecturer_workload", lang))
    only_overloaded = st.toggle(t("workload.overloaded_only"), key="only_overloaded")
    table = workload.display.sort_values("weighted_hours", ascending=False)
    if only_overloaded:
        table = table[table["is_overloaded"].fillna(False).astype(bool)]
    # The columns a dean reads first come first; the term already says the year.
    ui.table(table[[c for c in WORKLOAD_COLUMNS if c in table]], name="lecturer-workload")

st.header(t("workload.by_ptj"), help=data.kpi_help("workload_by_ptj", lang))
by_ptj = data.kpi("workload_by_ptj", filters, by="ptj", lang=lang)
if ui.has_rows(by_ptj):
    ui.table(by_ptj.display[[c for c in PTJ_COLUMNS if c in by_ptj.display]], name="workload-by-ptj")

st.header(t("workload.orphans"), help=t("workload.orphans_help"))
orphans = data.kpi("orphaned_courses", data.without_year(filters), by="course", lang=lang)
if orphans.ok and orphans.empty:
    st.success(t("workload.no_orphans"), icon=":material/check_circle:")
elif ui.has_rows(orphans):
    ui.table(orphans.display[[c for c in ORPHAN_COLUMNS if c in orphans.display]], name="orphaned-courses")

# Educators' FutureLearn activity (team-members + comments), shown where a course's exports include them.
activity = data.kpi("educator_activity", data.without_year(filters), by="course_run", lang=lang)
if activity.ok and not activity.empty:
    st.header(t("workload.platform_activity"), help=data.kpi_help("educator_activity", lang))
    ui.table(activity.display, name="educator-activity")
