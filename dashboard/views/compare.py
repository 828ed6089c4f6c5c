"""Compare courses: two to five courses side by side: enrolments and completions, the learner funnel (as % of
enrolled), certificates by type, revenue and weekly retention; one chart each and a side-by-side table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.words import t

MAX_COURSES = 5
FUNNEL = ("enrolled", "started", "completed_50pct", "completed_90pct", "fully_participated", "completed", "certified")
CERTIFICATES = {"coc": "cert.coc", "coa": "cert.coa", "mms": "cert.mms", "badges": "cert.badge"}
MONEY = ("gross_fees_rm", "certificate_income_rm", "refunds_rm", "net_revenue_rm")
# Side-by-side table: (KPI, measure, unit), in reading order.
TABLE_ROWS = (
    [("completion_funnel", s, "count") for s in FUNNEL]
    + [("completion_rate", "completion_rate_pct", "pct"), ("completion_rate", "completion_rate_started_pct", "pct")]
    + [("certificates", c, "count") for c in ("certificates", *CERTIFICATES)]
    + [("revenue", m, "rm") for m in MONEY]
)

lang = ui.lang()
filters = ui.current_filters()

ui.page_header("compare.title", "compare.intro")
ui.active_filters_caption(filters)

courses = data.courses(filters, lang)
if courses.empty:
    ui.empty_state()
    st.stop()
titles = dict(zip(courses["group_key"], courses["group_label"], strict=True))
default = data.busiest_courses(courses, data.COMPARE_DEFAULT_COURSES)
chosen = ui.page_multiselect(
    "courses",
    list(titles),
    title=t("compare.pick"),
    format_func=lambda c: f"{titles[c]} ({c})",
    default=default,
    max_selections=MAX_COURSES,
)
if len(chosen) < 2:
    st.info(t("compare.need_two"), icon=":material/compare_arrows:")
    st.stop()

scope = data.with_courses(filters, tuple(chosen))
# Each course keeps its colour from chart to chart (the bar charts colour their series in this order).
course_colours = {titles[c]: charts.SERIES_COLOURS[i] for i, c in enumerate(chosen)}
frames = {kpi_id: data.kpi(kpi_id, scope, by="course", lang=lang)
          for kpi_id in ("completion_funnel", "completion_rate", "certificates", "revenue")}
for frame in frames.values():
    if not frame.ok:
        ui.kpi_error(frame.kpi_id, frame.error or "")


def per_course(kpi_id: str, measures: tuple[str, ...]) -> pd.DataFrame:
    """One row per chosen course (years added up; a hidden small count adds nothing), named by title."""
    frame = frames[kpi_id]
    index = pd.Index(chosen, name="group_key")
    if not frame.ok or frame.empty:
        out = pd.DataFrame(0.0, index=index, columns=list(measures))
    else:
        out = frame.df.groupby("group_key")[list(measures)].sum(min_count=1).reindex(index)
    return out.assign(course=[titles[c] for c in chosen]).reset_index()


funnel = per_course("completion_funnel", FUNNEL)
left, right = st.columns(2)
with left:
    fig = charts.grouped_bars(
        funnel,
        category="course",
        series={s: t(f"stage.{s}") for s in ("enrolled", "completed", "certified")},
        title=t("compare.enrolments"),
        unit="count",
        value_title=t("axis.learners"),
        horizontal=True,
    )
    ui.chart_with_data(fig, frames["completion_funnel"].display, "compare-enrolments", note=t("small_cells"))
with right:
    pct = funnel.copy()
    for stage in FUNNEL:
        pct[stage] = 100.0 * funnel[stage] / funnel["enrolled"].where(funnel["enrolled"] > 0)
    long = pct.melt(id_vars=["course"], value_vars=list(FUNNEL), var_name="stage", value_name="pct")
    wide = long.pivot(index="stage", columns="course", values="pct").reindex(list(FUNNEL)).reset_index()
    wide["stage"] = [t(f"stage.{s}") for s in wide["stage"]]
    fig = charts.grouped_bars(
        wide,
        category="stage",
        series={titles[c]: titles[c] for c in chosen},
        title=f"{t('compare.funnel')} (% {t('stage.enrolled').lower()})",
        unit="pct",
        value_title="%",
    )
    ui.chart_with_data(fig, frames["completion_funnel"].display, "compare-funnel", note=t("small_cells"))

left, right = st.columns(2)
with left:
    certificates = per_course("certificates", tuple(CERTIFICATES))
    if certificates[list(CERTIFICATES)].fillna(0).to_numpy().any():
        fig = charts.grouped_bars(
            certificates,
            category="course",
            series={col: t(key) for col, key in CERTIFICATES.items()},
            title=t("compare.certificates"),
            unit="count",
            value_title=t("axis.certificates"),
            stacked=True,
            horizontal=True,
        )
        ui.chart_with_data(fig, frames["certificates"].display, "compare-certificates", note=t("small_cells"))
    else:  # none issued, or every count below 5 and hidden
        st.subheader(t("compare.certificates"))
        st.info(f"{t('empty')} {t('small_cells')}", icon=":material/info:")

with right:
    revenue = per_course("revenue", MONEY)
    fig = charts.grouped_bars(
        revenue,
        category="course",
        series={m: t(f"money.{m}") for m in MONEY},
        title=t("compare.revenue"),
        unit="rm",
        value_title="RM",
        horizontal=True,
        colors=("#0b4f9c", "#27ae60", "#c0392b", "#f39c12"),
    )
    ui.chart_with_data(fig, frames["revenue"].display, "compare-revenue")

retention = data.kpi("weekly_retention", scope, by="course", lang=lang)
if retention.ok and not retention.empty:
    lines = retention.df.assign(name=retention.df["group_label"] if filters.year else [
        f"{n} ({y})" for n, y in zip(retention.df["group_label"], retention.df["year"], strict=True)])
    fig = charts.retention_curves(
        lines,
        run="name",
        week="week_number",
        value="retention_pct",
        title=t("compare.retention"),
        week_title=t("axis.week"),
        value_title=t("completion.retention_axis"),
        colors=course_colours if filters.year else None,
    )
    ui.chart_with_data(fig, retention.display, "compare-retention", note=t("small_cells"))
    # A chosen course without a line (no step data, or every week hidden) is named, not silently left out.
    drawn = set(retention.df.dropna(subset=["retention_pct"])["group_key"])
    missing = [titles[c] for c in chosen if c not in drawn]
    if missing:
        st.caption(t("compare.line_dropped", names=", ".join(missing)))
elif retention.ok:
    st.info(t("completion.no_steps", name=", ".join(titles[c] for c in chosen)), icon=":material/info:")
else:
    ui.kpi_error("weekly_retention", retention.error or "")

# --- side by side ------------------------------------------------------------------------------------------
st.header(t("compare.table"))
rows = []
for kpi_id, measure, unit in TABLE_ROWS:
    frame = frames[kpi_id]
    if not frame.ok or frame.empty or measure not in frame.display:
        continue
    for year, part in frame.display.groupby("year", sort=True):
        values = dict(zip(part["group_key"], part[measure], strict=True))
        row = {"year": int(year), "measure": ui.column_label(measure)}
        row.update({titles[c]: ui.fmt_value(values[c], unit) if c in values else "–" for c in chosen})
        rows.append(row)
if rows:
    side = pd.DataFrame(rows)
    if filters.year:
        side = side.drop(columns=["year"])
    ui.table(side, name="compare-side-by-side", height="content", wide=("measure",))
    st.caption(t("small_cells"))
else:
    ui.empty_state()
