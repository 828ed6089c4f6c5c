"""FutureLearn layouts the shared data does not have (comments with 8, 10 and 13 columns, step activity with 4,
question-response with 8 and `TRUE`), built small by hand: each loads into the same raw table; an unknown layout
is refused naming the header found and the known ones; the comment text is kept only when allowed; team members
link to HR staff by name and educators' replies are counted."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from core.config import QUERIES_DIR
from etl.load import EtlError
from read.kpi import run_kpi

from .test_futurelearn_real import write_reference_data

A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"
EDU = "eeeeeeee-0000-4000-8000-00000000000e"
T = "2016-05-20 10:00:00 UTC"

COMMENTS_8 = (["id", "author_id", "parent_id", "step", "text", "timestamp", "likes", "moderated"], [
    ["1", A, "", "1.2", "Hello all", T, "2", ""],
    ["2", EDU, "1", "1.2", "Welcome!", T, "0", ""],
])
COMMENTS_10 = (["id", "author_id", "parent_id", "step", "week_number", "step_number", "text", "timestamp",
                "moderated", "likes"], [
    ["11", B, "", "2.3", "2", "3", "Twelve chars", T, "", "1"],
    ["12", EDU, "11", "2.3", "2", "3", "Good point", T, "", "0"],
])
COMMENTS_13 = (["id", "author_id", "parent_id", "step", "week_number", "step_number", "text", "timestamp", "likes",
                "first_reported_at", "first_reported_reason", "moderation_state", "moderated"], [
    ["21", A, "", "1.1", "1", "1", "abc", T, "5", "", "", "", ""],
    ["22", B, "21", "1.1", "1", "1", "de", T, "0", "", "", "", ""],
])
STEPS_4 = (["learner_id", "step", "first_visited_at", "last_completed_at"], [
    [A, "1.1", T, T], [A, "1.10", T, ""], [B, "1.1", T, ""],
])
QUIZ_8 = (["learner_id", "quiz_question", "week_number", "step_number", "question_number", "response",
           "submitted_at", "correct"], [
    [A, "1.8.1", "1", "8", "1", "2", "2016-05-20 10:00:00 UTC", "FALSE"],
    [A, "1.8.1", "1", "8", "1", "3", "2016-05-20 10:01:00 UTC", "TRUE"],
    [B, "1.8.1", "1", "8", "1", "3", "2016-05-20 10:02:00 UTC", "True"],
])
TEAM = (["id", "first_name", "last_name", "team_role", "user_role"], [
    [EDU, "Dr. Aminah Binti", "Yusof", "lead_educator", ""],
])
ENROL_HEADER = ["learner_id", "enrolled_at", "unenrolled_at", "role", "fully_participated_at",
                "purchased_statement_at", "gender", "country", "age_range", "highest_education_level",
                "employment_status", "employment_area", "detected_country"]


def landing_with(tmp_path, csv_writer, files: dict[str, tuple[list[str], list[list[str]]]]):
    landing = tmp_path / "landing"
    write_reference_data(landing, csv_writer)
    csv_writer(landing / "futurelearn" / "cyber-security-1_enrolments.csv", ENROL_HEADER,
               [[x, T, "", "learner", "", "", "", "", "", "", "", "", ""] for x in (A, B)])
    for name, (header, rows) in files.items():
        csv_writer(landing / "futurelearn" / name, header, rows)
    return landing


def run(env_factory, landing, *, store_free_text: bool = False):
    env = env_factory("layouts", landing=landing, models=QUERIES_DIR / "models")
    env.settings = replace(env.settings, insights=replace(env.settings.insights, store_free_text=store_free_text))
    return env, env.run()


@pytest.mark.parametrize("layout", [COMMENTS_8, COMMENTS_10, COMMENTS_13], ids=["8", "10", "13"])
def test_each_comments_layout_loads(tmp_path, csv_writer, env_factory, layout):
    landing = landing_with(tmp_path, csv_writer, {"cyber-security-1_comments.csv": layout})
    env, result = run(env_factory, landing)
    assert result.exit_code == 0 and result.rows_quarantined == 0
    rows = env.query("select id, step, week_number, step_number, text, text_length, parent_id"
                     " from raw_futurelearn_comments order by id")
    header, data = layout
    step = header.index("step")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (d[0], d[step], int(d[step].split(".")[0]), int(d[step].split(".")[1])) for d in data
    ]
    text = header.index("text")
    assert [(r[4], r[5]) for r in rows] == [(None, len(d[text])) for d in data]  # the length, never the text
    assert [r[6] for r in rows] == [d[2] or None for d in data]


def test_comment_text_kept_only_when_allowed(tmp_path, csv_writer, env_factory):
    landing = landing_with(tmp_path, csv_writer, {"cyber-security-1_comments.csv": COMMENTS_13})
    env, _ = run(env_factory, landing, store_free_text=True)
    assert env.query("select text from raw_futurelearn_comments order by id") == [("abc",), ("de",)]


def test_old_step_activity_and_quiz_layouts(tmp_path, csv_writer, env_factory):
    landing = landing_with(tmp_path, csv_writer, {
        "cyber-security-1_step-activity.csv": STEPS_4, "cyber-security-1_question-response.csv": QUIZ_8,
    })
    env, result = run(env_factory, landing)
    assert result.exit_code == 0 and result.rows_quarantined == 0
    assert env.query("select step, week_number, step_number from raw_futurelearn_step_activity order by _line") == [
        ("1.1", 1, 1), ("1.10", 1, 10), ("1.1", 1, 1)
    ]
    # TRUE / True / FALSE normalised; the 8-column layout has no question_type.
    assert env.query("select correct, question_type from raw_futurelearn_question_response order by _line") == [
        ("false", None), ("true", None), ("true", None)
    ]
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        settings = replace(env.settings, privacy=replace(env.settings.privacy, small_cell_limit=1))
        quiz = run_kpi(con, "quiz_items", by="course_run", settings=settings).df()
        drop = run_kpi(con, "step_dropoff", by="course_run", settings=settings).df()
    row = quiz.iloc[0]
    # A: wrong first (option 2), then right; B: right first. 1 of 2 first attempts correct, 3 answers / 2 learners.
    assert (row.learners, row.first_attempt_correct, float(row.first_attempt_correct_pct)) == (2, 1, 50.0)
    assert (float(row.attempts_per_learner), row.most_chosen_wrong_response) == (1.5, "2")
    assert pd_isna(row.difficulty_flag)  # 2 learners < quiz_min_learners: not judged
    stops = dict(zip(drop.step, drop.learners_stopped, strict=True))
    reached = dict(zip(drop.step, drop.learners_reached, strict=True))
    assert stops == {"1.1": 1, "1.10": 1} and reached == {"1.1": 2, "1.10": 1}


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_unknown_layout_is_refused_with_the_known_ones(tmp_path, csv_writer, env_factory):
    landing = landing_with(tmp_path, csv_writer, {
        "cyber-security-1_comments.csv": (["id", "author", "step", "text"], [["1", A, "1.1", "x"]]),
    })
    env = env_factory("layouts", landing=landing, models=QUERIES_DIR / "models")
    with pytest.raises(EtlError) as info:
        env.run()
    message = str(info.value)
    assert "futurelearn/cyber-security-1_comments.csv: line 1: unknown FutureLearn comments layout" in message
    assert "found header 'id,author,step,text' (4 columns)" in message
    assert "13 columns (with reports and moderation state)" in message and "8 columns" in message


def test_team_members_link_to_staff_and_educator_replies_count(tmp_path, csv_writer, env_factory):
    landing = landing_with(tmp_path, csv_writer, {
        "cyber-security-1_comments.csv": COMMENTS_8, "cyber-security-1_team-members.csv": TEAM,
    })
    env, result = run(env_factory, landing)
    assert result.exit_code == 0
    # The names are matched to HR (write_reference_data: S0001 'Dr. Aminah Binti Yusof') and not stored.
    assert env.query("select staff_id, team_role from raw_futurelearn_team_members") == [("S0001", "lead_educator")]
    columns = {c for (c,) in env.query("select column_name from information_schema.columns"
                                       " where table_name = 'raw_futurelearn_team_members'")}
    assert not columns & {"first_name", "last_name"}
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        settings = replace(env.settings, privacy=replace(env.settings.privacy, small_cell_limit=1))
        activity = run_kpi(con, "educator_activity", settings=settings).df()
        social = run_kpi(con, "social_learning", by="course_run", settings=settings).df()
    assert list(zip(activity.staff_id, activity.comments, activity.replies, strict=True)) == [("S0001", 1, 1)]
    row = social.iloc[0]
    # Learner A commented once; the educator's reply is the team's, not a learner's. No step data: 0 active.
    assert (row.commenters, row.comments, row.replies, row.team_comments, row.team_replies) == (1, 1, 0, 1, 1)

