"""The date horizon (etl/horizon.py): its bounds come from [dates] in the settings, not from code, and the
upper bound is counted from the day of the load."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from core.config import Dates
from core.contracts import CONTRACTS
from etl.horizon import DateHorizon

RUN = "MOOC-APM-002-2024-1"


def test_bounds_by_hand():
    horizon = DateHorizon(date(2026, 12, 2), Dates())
    assert horizon.bound("earliest") == date(2000, 1, 1)
    assert horizon.bound("earliest_futurelearn") == date(2012, 12, 14)
    assert horizon.bound("latest") == date(2027, 12, 3)  # 366 days on
    assert horizon.bound("latest_planned") == date(2029, 12, 2)  # 1096 days on, 2028-02-29 included


def test_every_date_column_has_a_horizon():
    kinds = {
        (c.date_from, c.date_to)
        for contract in CONTRACTS.values()
        for c in contract.columns
        if c.type in ("date", "timestamp", "timestamp_fl")
    }
    assert kinds == {
        ("earliest", "latest"),
        ("earliest", "latest_planned"),
        ("earliest_futurelearn", "latest"),
    }
    fl = [c for c in CONTRACTS["futurelearn_enrolments"].columns if c.type == "timestamp_fl"]
    assert {c.date_from for c in fl} == {"earliest_futurelearn"}


def _enrolment(learner: str, at: str) -> list[str]:
    return [RUN, learner, at, "", "external", "MY", "26-35", "", "female"]


def quarantined(env, rel: str) -> list[tuple]:
    return env.query(
        "select line, column_name, value, reason from quarantine where file_name = $f order by line", {"f": rel}
    )


def test_upper_bound_counts_from_the_day_of_the_load(etl_env, csv_writer):
    today = datetime.now(UTC).date()
    last_ok = (today + timedelta(days=366)).isoformat() + " 23:59:59"
    too_late = (today + timedelta(days=367)).isoformat() + " 00:00:00"
    rel = "enrolments/enrol_ahead.csv"
    csv_writer(etl_env.landing / rel, CONTRACTS["enrolments"].header,
               [_enrolment("ext-h1", last_ok), _enrolment("ext-h2", too_late)])
    etl_env.run()
    assert quarantined(etl_env, rel) == [
        (3, "enrolled_at", too_late,
         "more than 366 days after the file was loaded ([dates] max_days_after_delivery in mckpi.toml)"),
    ]


def test_bounds_come_from_the_settings(etl_env, csv_writer):
    """The same file against another [dates]: the 2099 enrolment loads, the 2024 one is now too early."""
    etl_env.settings = replace(etl_env.settings, dates=Dates(earliest=date(2024, 9, 1), max_days_after_delivery=40000))
    rel = "enrolments/enrol_config.csv"
    csv_writer(etl_env.landing / rel, CONTRACTS["enrolments"].header,
               [_enrolment("ext-h3", "2099-01-01 10:00:00"), _enrolment("ext-h4", "2024-08-31 23:00:00")])
    result = etl_env.run()
    loaded = {f.rel: (f.rows_loaded, f.rows_quarantined) for f in result.files}
    assert loaded[rel] == (1, 1)
    assert quarantined(etl_env, rel) == [
        (3, "enrolled_at", "2024-08-31 23:00:00",
         "before 2024-09-01, earlier than this source can hold ([dates] earliest in mckpi.toml)"),
    ]
    assert etl_env.scalar("select count(*) from raw_enrolments where enrolled_at = '2099-01-01 10:00:00'") == 1
