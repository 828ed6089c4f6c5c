"""Pairs of figures that must satisfy an inequality by definition do, on the demo warehouse and on the real
FutureLearn cyber-security exports (../shared/realdata): the funnel's stages nested (fully participated inside the
50% stage), the university's certificates only after completion, the completion rate over starters never below the
rate over the same runs' enrolments, and FutureLearn statements bought counted as certificates."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, build_warehouse
from tests_support_cyber import reference_rows

from core.contracts import CONTRACTS
from etl.checks import run_checks
from read.kpi import KpiFilters, run_kpi
from read.warehouse import Warehouse

REALDATA = REPO.parent / "shared" / "realdata" / "futurelearn-cyber-security"
NESTED = ("enrolled", "started", "completed_50pct", "completed_90pct")


@pytest.fixture(scope="module")
def cyber_warehouse(tmp_path_factory: pytest.TempPathFactory, csv_writer) -> Path:
    if not REALDATA.is_dir():
        pytest.skip("shared real data not found")
    landing = tmp_path_factory.mktemp("consistency_landing")
    (landing / "futurelearn").mkdir()
    for path in REALDATA.glob("*.csv.gz"):
        shutil.copy(path, landing / "futurelearn")
    for source, rows in reference_rows().items():
        csv_writer(landing / source / f"{source}.csv", CONTRACTS[source].header, rows)
    return build_warehouse(landing, tmp_path_factory.mktemp("consistency_wh"))  # its checks pass, or it fails


@pytest.fixture(scope="module", params=["demo", "futurelearn"])
def wh(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    path = request.getfixturevalue("demo_warehouse" if request.param == "demo" else "cyber_warehouse")
    warehouse = Warehouse(path)
    yield warehouse
    warehouse.close()


def test_the_model_checks_hold(wh: Warehouse) -> None:
    """The same checks the ETL runs (stages nested, certificates after completion), each with no failing row."""
    with duckdb.connect(str(wh.path), read_only=True) as con:
        results = run_checks(con, raise_on_failure=False)
    names = {r.name for r in results}
    assert {"assert_fct_enrolment_stages_nested", "assert_certificates_follow_completion"} <= names
    assert [r.describe() for r in results if not r.passed] == []


def test_the_funnel_is_nested_for_every_run(wh: Warehouse) -> None:
    df = run_kpi(wh, "completion_funnel", by="course_run").df()
    steps = df[df["enrolled_with_steps"] > 0]
    assert not steps.empty
    for wider, narrower in zip(NESTED, NESTED[1:], strict=False):
        assert (steps[wider] >= steps[narrower]).all(), (wider, narrower)
    fl = steps[steps["fully_participated"].notna()]
    assert not fl.empty
    assert (fl["completed_50pct"] >= fl["fully_participated"]).all()
    assert (df["completed"] >= df["fully_participated"].fillna(0)).all()


def test_the_completion_rate_over_starters_is_never_below_the_rate_over_enrolments(wh: Warehouse) -> None:
    for by in ("university", "ptj", "course"):
        df = run_kpi(wh, "completion_rate", by=by).df().dropna(subset=["completion_rate_started_pct"])
        assert not df.empty
        assert (df["completion_rate_started_pct"] >= df["completion_rate_step_runs_pct"]).all(), by
        assert (df["completed_starters"] <= df["completed"]).all()


def test_learners_with_a_university_certificate_completed(wh: Warehouse) -> None:
    """Per run: learners holding a COC, COA, badge or MMS never outnumber the run's completions."""
    with duckdb.connect(str(wh.path), read_only=True) as con:
        over = con.execute("""
            select c.run_id, count(distinct c.learner_key) as certified, any_value(e.completions) as completions
            from fct_certificate as c
            join (select run_id, count(*) filter (where is_completed) as completions from fct_enrolment
                  group by run_id) as e using (run_id)
            group by c.run_id
            having count(distinct c.learner_key) > any_value(e.completions)
        """).fetchall()
    assert over == []


def test_futurelearn_statements_bought_count_as_certificates(cyber_warehouse: Path) -> None:
    """The real exports: Certificates issued or bought = the statements bought (purchased_statement_at, learners),
    by the year bought, read here straight from the CSV files."""
    expected = dict(duckdb.execute("""
        select year(replace(purchased_statement_at, ' UTC', '')::timestamp) as year, count(*)
        from read_csv($files, all_varchar=true)
        where role = 'learner' and coalesce(purchased_statement_at, '') <> ''
        group by 1
    """, {"files": str(REALDATA / "*_enrolments.csv.gz")}).fetchall())
    assert sum(expected.values()) == 289  # EXPECTED.md: 84 + 38 + 30 + 40 + 35 + 39 + 23 learners
    wh = Warehouse(cyber_warehouse)
    try:
        df = run_kpi(wh, "certificates").df()
        assert dict(zip(df["year"], df["certificates_total"], strict=True)) == expected
        assert (df["certificates"] == 0).all()  # no results file: nothing issued by the university
        one_year = run_kpi(wh, "certificates", KpiFilters(year=2017)).df()
        assert int(one_year["certificates_total"].sum()) == expected[2017]
    finally:
        wh.close()
