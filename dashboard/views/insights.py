"""Course insights: what FutureLearn's exports say about one course's runs side by side: where learners stop
(step drop-off), the hardest quiz questions, social activity, video viewing, leaving reasons, weekly sentiment and
archetypes. Filters -> KPI layer -> charts; every figure is a queries/kpi file, small cells hidden there."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui
from dashboard.words import t

QUIZ_COLUMNS = ("group_label", "quiz_question", "learners", "first_attempt_correct_pct", "attempts_per_learner",
                "most_chosen_wrong_response", "difficulty_flag")
SOCIAL_COLUMNS = ("group_label", "active_learners", "commenters", "commenters_pct", "comments", "replies",
                  "team_comments", "team_replies", "likes")
SENTIMENT_COLUMNS = ("group_label", "week_number", "responses", "rated_bad", "rated_neutral", "rated_good",
                     "mean_rating", "good_pct")
VIDEO_COLUMNS = ("group_label", "step", "video_title", "count_views", "viewed_50_pct", "viewed_95_pct",
                 "viewed_100_pct")

lang = ui.lang()
filters = ui.current_filters()
ui.page_header("insights.title", "insights.intro")
ui.active_filters_caption(filters)

dropoff = data.kpi("step_dropoff", filters, by="course_run", lang=lang)
quiz = data.kpi("quiz_items", filters, by="course_run", lang=lang)
runs = sorted({*dropoff.df.get("group_label", []), *quiz.df.get("group_label", [])}) if dropoff.ok else []
picked = st.multiselect(t("insights.runs"), runs, default=runs[-3:], key="insight_runs") if runs else []


def only_picked(frame):
    """The rows of the runs picked (the KPI rows are already aggregated and protected)."""
    df = frame.display
    return df[df["group_label"].isin(picked)] if picked and "group_label" in df else df


st.header(t("insights.dropoff"), help=data.kpi_help("step_dropoff", lang))
if ui.has_rows(dropoff):
    df = dropoff.df[dropoff.df["group_label"].isin(picked)] if picked else dropoff.df
    # Steps one after another on the x axis (1.1 ... 1.19, 2.1 ...), labelled at the start of each week.
    order = df[["week_number", "step_number", "step"]].drop_duplicates("step").sort_values(["week_number", "step_number"])
    position = {step: i + 1 for i, step in enumerate(order["step"])}
    df = df.assign(position=df["step"].map(position))
    week_starts = order[order["step_number"] == order.groupby("week_number")["step_number"].transform("min")]
    left, right = st.columns(2)
    with left:
        fig = charts.retention_curves(df, run="group_label", week="position", value="reached_pct",
                                      title=t("insights.reached"), week_title=t("insights.step_axis"),
                                      value_title=t("insights.pct_axis"),
                                      ticks=([position[s] for s in week_starts["step"]], list(week_starts["step"])))
        st.plotly_chart(fig, width="stretch", config=ui.PLOTLY_CONFIG, key="chart_dropoff")
    with right:
        stops = df.sort_values("learners_stopped", ascending=False).head(10)
        # "3.20 · 2018-05-14": the step, and the run by its start date (the course is the same).
        stops = stops.assign(where=stops["step"] + " · " + stops["group_label"].str.extract(r"\(([^()]*)\)$")[0])
        fig = charts.ranked_bars(stops, label="where", value="stopped_pct", title=t("insights.stopped"),
                                 unit="pct", value_title=t("insights.pct_axis"), top=10)
        st.plotly_chart(fig, width="stretch", config=ui.PLOTLY_CONFIG, key="chart_stops")

st.header(t("insights.quiz"), help=data.kpi_help("quiz_items", lang))
if ui.has_rows(quiz):
    df = only_picked(quiz)
    hardest = df[df["hardest_rank"].notna() & (df["hardest_rank"] <= 3)].sort_values(["group_label", "hardest_rank"])
    flags = {"too_hard": t("insights.too_hard"), "too_easy": t("insights.too_easy")}
    hardest = hardest.assign(difficulty_flag=hardest["difficulty_flag"].map(flags))
    df = df.assign(difficulty_flag=df["difficulty_flag"].map(flags))
    st.caption(t("insights.hardest_caption"))
    ui.table(hardest[[c for c in QUIZ_COLUMNS if c in hardest]], name="hardest-questions")
    with st.expander(t("insights.all_questions")):
        ui.table(df[[c for c in QUIZ_COLUMNS if c in df]], name="quiz-items")

social_col, video_col = st.columns(2)
with social_col:
    st.header(t("insights.social"), help=data.kpi_help("social_learning", lang))
    social = data.kpi("social_learning", filters, by="course_run", lang=lang)
    if ui.has_rows(social):
        df = only_picked(social)
        ui.table(df[[c for c in SOCIAL_COLUMNS if c in df]], name="social-learning")
with video_col:
    st.header(t("insights.video"), help=data.kpi_help("video_viewing", lang))
    video = data.kpi("video_viewing", filters, by="course_run", lang=lang)
    if ui.has_rows(video):
        df = only_picked(video)
        latest = df[df["group_label"] == df["group_label"].max()]
        fig = charts.grouped_bars(
            latest, category="step",
            series={"viewed_50_pct": t("insights.watched", pct=50), "viewed_95_pct": t("insights.watched", pct=95),
                    "viewed_100_pct": t("insights.watched", pct=100)},
            title=t("insights.video_chart", run=latest["group_label"].max()), unit="pct",
            value_title=t("insights.views_axis"),
        )
        st.plotly_chart(fig, width="stretch", config=ui.PLOTLY_CONFIG, key="chart_video")
        ui.table(df[[c for c in VIDEO_COLUMNS if c in df]], name="video-viewing")

leaving_col, sentiment_col = st.columns(2)
with leaving_col:
    st.header(t("insights.leaving"), help=data.kpi_help("leaving_reasons", lang))
    leaving = data.kpi("leaving_reasons", filters, by="course_run", lang=lang)
    if ui.has_rows(leaving):
        df = leaving.df[leaving.df["group_label"].isin(picked)] if picked else leaving.df
        # One bar per run and reason: the KPI's own rows side by side (nothing added up here).
        wide = df.pivot(index="leaving_reason", columns="group_label", values="responses").reset_index()
        fig = charts.grouped_bars(wide, category="leaving_reason",
                                  series={c: c for c in wide.columns if c != "leaving_reason"},
                                  title=t("insights.leaving_chart"), unit="count",
                                  value_title=t("insights.responses_axis"), horizontal=True)
        st.plotly_chart(fig, width="stretch", config=ui.PLOTLY_CONFIG, key="chart_leaving")
        df = only_picked(leaving)
        ui.table(df[[c for c in ("group_label", "leaving_reason", "responses", "learners", "share_pct") if c in df]],
                 name="leaving-reasons")
with sentiment_col:
    st.header(t("insights.sentiment"), help=data.kpi_help("weekly_sentiment", lang))
    sentiment = data.kpi("weekly_sentiment", filters, by="course_run", lang=lang)
    if ui.has_rows(sentiment):
        df = only_picked(sentiment)
        ui.table(df[[c for c in SENTIMENT_COLUMNS if c in df]], name="weekly-sentiment")
    st.subheader(t("insights.archetypes"), help=data.kpi_help("archetype_mix", lang))
    archetypes = data.kpi("archetype_mix", filters, by="course_run", lang=lang)
    if ui.has_rows(archetypes):
        df = only_picked(archetypes)
        ui.table(df[[c for c in ("group_label", "archetype", "learners", "share_pct") if c in df]],
                 name="archetype-mix")
