"""Completion: the learner funnel of one course (or one of its runs), weekly retention across its runs, and the
completion rate of every course over both denominators (all enrolments, learners who started)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.words import t

# The funnel draws only stages nested inside the one before (model check assert_fct_enrolment_stages_nested):
# FutureLearn's "fully participated" (more than half the steps and every test) is inside the 50% stage, not inside
# the 90% one; completions (fully participated or a completed result) and certificates (bought without
# completing, on FutureLearn) are outcomes beside the funnel, said in a caption under it.
STAGES = ("enrolled", "started", "completed_50pct", "completed_90pct", "fully_participated", "completed", "certified")
STEP_FUNNEL = ("enrolled", "started", "completed_50pct", "fully_participated")
NO_STEP_FUNNEL = ("enrolled", "completed")
ALL_RUNS = "all"
MAX_BARS = 25

lang = ui.lang()
filters = ui.current_filters()

ui.page_header("completion.title", "completion.intro")
ui.active_filters_caption(filters)

courses = data.courses(filters, lang)
if courses.empty:
    ui.empty_state()
    st.stop()

titles = dict(zip(courses["group_key"], courses["group_label"], strict=True))
pick_course, pick_run = st.columns(2)
with pick_course:
    busiest = data.busiest_courses(courses, 1)[0]
    course = ui.page_select(
        "course", list(titles), title=t("completion.course"), format_func=lambda c: f"{titles[c]} ({c})",
        default=busiest,
    )
course_filters = data.with_courses(filters, (course,))
runs = data.kpi("completion_funnel", course_filters, by="course_run", lang=lang)
run_titles = dict(zip(runs.df["group_key"], runs.display["group_label"], strict=True)) if runs.ok and not runs.empty else {}
with pick_run:
    run = ui.page_select(
        "run",
        [ALL_RUNS, *run_titles],
        title=t("completion.run"),
        format_func=lambda r: t("completion.all_runs", lang) if r == ALL_RUNS else run_titles.get(r, r),
    )

# --- funnel --------------------------------------------------------------------------------------------------
funnel = data.kpi("completion_funnel", course_filters, by="course", lang=lang) if run == ALL_RUNS else runs
if ui.has_rows(funnel):
    if run == ALL_RUNS:
        rows, shown, name = funnel.df, funnel.display, titles[course]
    else:
        keep = (funnel.df["group_key"] == run).to_numpy()
        rows, shown, name = funnel.df[keep], funnel.display[keep], run_titles.get(run, run)
    # Several years (no year picked) add up; a hidden small count (None) leaves its stage out of the chart.
    totals = rows[[s for s in (*STAGES, "enrolled_with_steps") if s in rows]].sum(min_count=1)
    has_steps = totals.get("enrolled_with_steps") != 0
    on_futurelearn = not ui.is_missing(totals.get("fully_participated"))
    if not has_steps:
        st.info(t("completion.no_steps_fl" if on_futurelearn else "completion.no_steps", name=name),
                icon=":material/info:")
    stages = [(t(f"stage.{s}"), totals.get(s)) for s in (STEP_FUNNEL if has_steps else NO_STEP_FUNNEL)]
    fig = charts.funnel(stages, title=t("completion.funnel", name=name))
    ui.chart_with_data(fig, shown.drop(columns=["group_key"]), "funnel", note=t("small_cells"))
    st.caption(t("completion.outcomes", completed=ui.fmt_count(totals.get("completed")),
                 p90=ui.fmt_count(totals.get("completed_90pct")), certified=ui.fmt_count(totals.get("certified"))))

    # --- weekly retention across the course's runs -----------------------------------------------------------
    if has_steps:
        retention = data.kpi("weekly_retention", course_filters, by="course_run", lang=lang)
        if ui.has_rows(retention):
            # The title names the course; each line is a run, named by its start date.
            runs_df = retention.df.assign(run=[label.removeprefix(titles[course]).strip(" ()") or label
                                              for label in retention.df["group_label"]])
            fig = charts.retention_curves(
                runs_df,
                run="run",
                week="week_number",
                value="retention_pct",
                title=t("completion.retention", name=titles[course]),
                week_title=t("axis.week"),
                value_title=t("completion.retention_axis"),
            )
            ui.chart_with_data(fig, retention.display.drop(columns=["group_key"]), "weekly-retention",
                               note=t("small_cells"))
            waiting = runs_df.loc[~runs_df["is_week_reached"].astype(bool), "run"].unique()
            if len(waiting):  # weeks still ahead are left out of the lines, never drawn at 0
                st.caption(t("completion.week_not_reached", runs=", ".join(waiting)))

# --- completion rate per course ------------------------------------------------------------------------------
st.header(t("completion.rate_by_course"), help=data.kpi_help("completion_rate", lang))
rates = data.kpi("completion_rate", filters, by="course", lang=lang)
if ui.has_rows(rates):
    table = rates.display
    medians = data.kpi("median_days_to_completion", filters, by="course", lang=lang)
    if medians.ok and not medians.empty:
        table = table.merge(medians.display[["year", "group_key", "median_days"]], on=["year", "group_key"],
                            how="left")
    # Rates hidden with their small counts have no bar; the chart keeps the courses with most enrolments.
    df = rates.df.dropna(subset=["completion_rate_step_runs_pct", "completion_rate_started_pct"], how="all")
    if df.empty:  # no course has step data: the rate over all enrolments is the one to draw
        df = rates.df.dropna(subset=["completion_rate_pct"]).assign(
            completion_rate_step_runs_pct=lambda d: d["completion_rate_pct"])
    if len(df) > MAX_BARS:
        df = df.nlargest(MAX_BARS, "enrolments")
        st.caption(t("completion.top_note", n=MAX_BARS))
    # With every year shown a course appears once per year: name the bars "title (year)".
    df = df.assign(name=df["group_label"] if filters.year else [
        f"{n} ({y})" for n, y in zip(df["group_label"], df["year"], strict=True)])
    df = df.sort_values("completion_rate_step_runs_pct", ascending=False, na_position="last")
    fig = charts.grouped_bars(
        df,
        category="name",
        series={
            # One numerator (completions in runs with step data) over two denominators, so the pair is ordered;
            # the rate over every run's enrolments is in the table.
            "completion_rate_step_runs_pct": t("col.completion_rate_step_runs_pct"),
            "completion_rate_started_pct": t("col.completion_rate_started_pct"),
        },
        title=t("completion.rate_by_course"),
        unit="pct",
        value_title="%",
        horizontal=True,
    )
    ui.chart_with_data(fig, pd.DataFrame(table).rename(columns={"group_key": "course_code",
                                                                 "group_label": "course_title"}),
                       "completion-rate-by-course", note=t("small_cells"))
