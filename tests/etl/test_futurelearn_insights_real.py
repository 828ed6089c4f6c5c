"""Every FutureLearn export of the real `cyber-security` course (../shared/realdata) loads unchanged, and the
insight KPIs give the figures in EXPECTED.md, section "FutureLearn `cyber-security`: other exports"."""

from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal

import pandas as pd
import pytest

from core.config import QUERIES_DIR
from read.kpi import run_kpi

from .test_futurelearn_real import write_reference_data

# EXPECTED.md: rows per export and run (question-response: runs 2-7; video-stats: runs 3-7).
QUIZ_ROWS = {2: 22463, 3: 16520, 4: 21116, 5: 18752, 6: 10533, 7: 10077}
QUIZ_EMPTY_LEARNER = {2: 45, 3: 15, 4: 115, 5: 177, 6: 52, 7: 150}
QUIZ_LEARNERS = {2: 1378, 3: 1029, 4: 1147, 5: 1130, 6: 689, 7: 622}
LEAVING_ROWS = {4: 67, 5: 173, 6: 83, 7: 80}
ARCHETYPE_ROWS = {3: 47, 4: 319, 5: 326, 6: 208, 7: 174}
SENTIMENT_ROWS = {5: 1, 6: 103, 7: 77}
# First-attempt correct pairs / pairs (non-empty learner_id).
FIRST_ATTEMPT = {2: (7938, 13499), 3: (5744, 9856), 4: (6831, 12153), 5: (6408, 10936), 6: (3537, 6213),
                 7: (3394, 5898)}
# The three lowest first-attempt rates among questions with >= 30 learners, and how many qualify.
HARDEST = {
    2: (13, ["2.8.1", "3.11.3", "2.8.3"]),
    3: (22, ["2.8.1", "3.11.3", "3.18.9"]),
    4: (22, ["3.18.9", "3.18.1", "2.8.1"]),
    5: (13, ["3.11.3", "2.8.1", "2.8.3"]),
    6: (13, ["2.8.1", "3.11.3", "2.8.3"]),
    7: (22, ["3.18.1", "3.18.9", "3.11.3"]),
}
VIDEO_VIEWS = {3: 9607, 4: 10307, 5: 10392, 6: 5788, 7: 5268}
VIEWED_100_SUM = {3: Decimal("732.46"), 4: Decimal("720.62"), 5: Decimal("787.28"), 6: Decimal("753.07"),
                  7: Decimal("723.55")}
VIEWED_50_SUM = {3: Decimal("890.30"), 4: Decimal("866.41"), 5: Decimal("942.65"), 6: Decimal("923.44"),
                 7: Decimal("861.67")}
RUN = "MOOC-FSKTM-CYBER-{}".format


@pytest.fixture(scope="module")
def insights(tmp_path_factory, realdata, csv_writer, env_factory):
    landing = tmp_path_factory.mktemp("cyber_insights") / "landing"
    (landing / "futurelearn").mkdir(parents=True)
    for path in sorted((realdata / "futurelearn-cyber-security").glob("*.csv.gz")):
        shutil.copy(path, landing / "futurelearn")
    write_reference_data(landing, csv_writer)
    env = env_factory("cyber_insights", landing=landing, models=QUERIES_DIR / "models")
    result = env.run()
    return env, result


def kpi(env, kpi_id: str, *, exact: bool = True):
    """The KPI per course run; `exact`: small cells shown (limit 1), to compare with EXPECTED.md's counts."""
    import duckdb

    settings = env.settings
    if exact:
        settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        return run_kpi(con, kpi_id, by="course_run", settings=settings).df()


def test_every_export_loads_unchanged_nothing_quarantined(insights):
    env, result = insights
    assert result.exit_code == 0
    assert result.rows_quarantined == 0 and env.scalar("select count(*) from quarantine") == 0
    by_source = dict(env.query("select source, sum(rows_loaded) from etl_files group by 1"))
    assert by_source["futurelearn_question_response"] == sum(QUIZ_ROWS.values()) == 99461
    assert by_source["futurelearn_leaving_survey"] == 403
    assert by_source["futurelearn_archetype_survey"] == 1074
    assert by_source["futurelearn_sentiment_survey"] == 181
    assert by_source["futurelearn_video_stats"] == 65
    # No export of the real data is left unused.
    assert env.scalar("select count(*) from etl_files where status = 'ignored'") == 0


def test_rows_and_learners_per_run(insights):
    env, _ = insights
    quiz = env.query(
        "select platform_run_label, count(*), count(*) filter (where learner_key is null), count(distinct learner_key)"
        " from raw_futurelearn_question_response group by 1 order by 1"
    )
    assert quiz == [(f"cyber-security-{n}", QUIZ_ROWS[n], QUIZ_EMPTY_LEARNER[n], QUIZ_LEARNERS[n]) for n in QUIZ_ROWS]
    for table, expected in (
        ("raw_futurelearn_leaving_survey", LEAVING_ROWS),
        ("raw_futurelearn_archetype_survey", ARCHETYPE_ROWS),
        ("raw_futurelearn_sentiment_survey", SENTIMENT_ROWS),
    ):
        rows = env.query(f"select platform_run_label, count(*) from {table} group by 1 order by 1")  # noqa: S608
        assert rows == [(f"cyber-security-{n}", v) for n, v in expected.items()], table
    # `correct` is normalised: true/false only; and no learner id is stored.
    assert env.query("select distinct correct from raw_futurelearn_question_response order by 1") == [
        ("false",), ("true",)
    ]
    columns = {c for (c,) in env.query(
        "select column_name from information_schema.columns where table_name like 'raw_futurelearn_%'")}
    assert "learner_id" not in columns


def test_sentiment_reason_text_not_stored_by_default(insights):
    env, _ = insights
    assert env.scalar("select count(reason) from raw_futurelearn_sentiment_survey") == 0
    # EXPECTED.md: reason non-empty in 0 + 34 + 36 rows (runs 5, 6, 7); their lengths are kept.
    assert env.scalar("select count(*) from raw_futurelearn_sentiment_survey where reason_length > 0") == 70


def test_quiz_first_attempt_rates_and_hardest_questions(insights):
    env, _ = insights
    df = kpi(env, "quiz_items")
    for n, (correct, pairs) in FIRST_ATTEMPT.items():
        run = df[df.group_key == RUN(n)]
        assert len(run) == 22
        assert int(run.first_attempt_correct.sum()) == correct and int(run.learners.sum()) == pairs
        qualifying, lowest = HARDEST[n]
        ranked = run.dropna(subset=["hardest_rank"]).sort_values("hardest_rank")
        assert len(ranked) == qualifying
        assert list(ranked.quiz_question[:3]) == lowest
    row = df[(df.group_key == RUN(2)) & (df.quiz_question == "2.8.1")].iloc[0]
    assert (row.first_attempt_correct, row.learners, float(row.first_attempt_correct_pct)) == (180, 859, 20.95)
    assert row.difficulty_flag == "too_hard"  # 20.95% <= 30% (mckpi.toml [insights])
    easy = df[(df.group_key == RUN(2)) & (df.quiz_question == "1.8.5")].iloc[0]
    assert (easy.first_attempt_correct, easy.learners, easy.difficulty_flag) == (1307, 1307, "too_easy")
    # With the configured small-cell limit, 3 of 29 learners (3.18.1, run 2) is shown as hidden, its rate too.
    shown = kpi(env, "quiz_items", exact=False)
    hidden = shown[(shown.group_key == RUN(2)) & (shown.quiz_question == "3.18.1")].iloc[0]
    assert pd.isna(hidden.first_attempt_correct) and pd.isna(hidden.first_attempt_correct_pct)
    # Options chosen are labels (numbers), never free text.
    assert df.most_chosen_wrong_response.dropna().str.fullmatch(r"[0-9]+(,[0-9]+)*").all()


def test_leaving_reasons(insights):
    env, _ = insights
    df = kpi(env, "leaving_reasons")
    run5 = dict(zip(df[df.group_key == RUN(5)].leaving_reason, df[df.group_key == RUN(5)].responses, strict=True))
    assert run5 == {
        "Other": 50, "I don’t have enough time": 24, "The course won’t help me reach my goals": 23,
        "I prefer not to say": 18, "The course was too hard": 18, "The course required more time than I realised": 17,
        "The course was too easy": 13, "The course wasn’t what I expected": 10,
    }
    totals = df.groupby("group_key").responses.sum().to_dict()
    assert totals == {RUN(n): v for n, v in LEAVING_ROWS.items()}
    assert int(df[df.leaving_reason == "I don’t have enough time"].responses.sum()) == 103


def test_archetypes(insights):
    env, _ = insights
    df = kpi(env, "archetype_mix")
    run4 = dict(zip(df[df.group_key == RUN(4)].archetype, df[df.group_key == RUN(4)].learners, strict=True))
    assert run4 == {"Advancers": 63, "Explorers": 58, "Fixers": 31, "Flourishers": 15, "Hobbyists": 28,
                    "Other": 26, "Preparers": 34, "Vitalisers": 64}
    assert "Preparers" not in set(df[df.group_key == RUN(3)].archetype)
    assert int(df[df.archetype == "Vitalisers"].learners.sum()) == 237


def test_weekly_sentiment(insights):
    env, _ = insights
    df = kpi(env, "weekly_sentiment")
    got = {(r.group_key, r.week_number): (r.rated_bad, r.rated_neutral, r.rated_good) for r in df.itertuples()}
    assert got == {
        (RUN(5), 2): (0, 0, 1),
        (RUN(6), 1): (0, 2, 31), (RUN(6), 2): (0, 0, 24), (RUN(6), 3): (2, 7, 37),
        (RUN(7), 1): (1, 6, 32), (RUN(7), 2): (3, 3, 32),
    }


def test_video_viewing(insights):
    env, _ = insights
    df = kpi(env, "video_viewing")
    for n, views in VIDEO_VIEWS.items():
        run = df[df.group_key == RUN(n)]
        assert len(run) == 13 and int(run.count_views.sum()) == views
        assert sum(run.viewed_100_pct) == VIEWED_100_SUM[n] and sum(run.viewed_50_pct) == VIEWED_50_SUM[n]
        assert int(run.video_duration_s.sum()) == 3003
    # Steps in course order (1.5 before 1.14), not text order as in the file.
    assert list(df[df.group_key == RUN(3)].step[:5]) == ["1.1", "1.5", "1.14", "1.17", "1.19"]


def test_step_dropoff_runs_6_and_7(insights):
    env, _ = insights
    df = kpi(env, "step_dropoff")
    admins = dict(env.query(
        "select e.platform_run_label, count(distinct e.learner_key) from raw_futurelearn_enrolments e"
        " join raw_futurelearn_step_activity s using (platform_run_label, learner_key)"
        " where e.role = 'organisation_admin' group by 1"))
    # EXPECTED.md: 2,294 and 1,626 learners visited a step; organisation admins are not learners.
    for n, visitors in ((6, 2294), (7, 1626)):
        starters = visitors - admins.get(f"cyber-security-{n}", 0)
        run = df[df.group_key == RUN(n)]
        assert len(run) == 62 and set(run.starters) == {starters}
        # Every starter stops somewhere: the stops add up to the starters.
        assert int(run.learners_stopped.sum()) == starters
        assert int(run[run.step == "1.1"].learners_reached.iloc[0]) <= starters
