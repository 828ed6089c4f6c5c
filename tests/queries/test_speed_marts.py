"""KPIs that read marts built for speed give exactly what their definitions give when computed the slow way, on
demo data with learners who started two runs of one course (and so of one term):

- weekly_retention reads fct_run_starters and fct_run_week (counts per run, and per run and week, with the counts that
  take a learner of two runs of a course once) instead of the step rows;
- lecturer_workload's distinct learners taught are the runs' learner counts less fct_repeat_enrolment's repeats,
  instead of a distinct count over every enrolment of every run a lecturer taught;
- learners and learner_mix for the whole university with no filter but the year count fct_learner_year's
  rows (one per learner and year) instead of distinct learners among every enrolment."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from core.config import load_settings
from read.kpi import KpiFilters, run_kpi
from read.warehouse import Warehouse

# The definition, computed from the step rows (what the KPI file did before the mart existed).
REFERENCE = """
with starters as (
    select e.start_year as year, case $by when 'course' then e.course_code else e.run_id end as group_key,
           e.run_id, e.learner_key, r.weeks
    from fct_enrolment e join dim_course_run r using (run_id)
    where e.has_started and e.start_year = $year and (len($ptj_codes) = 0 or list_contains($ptj_codes, e.ptj_code))
),
weeks as (
    select year, group_key, count(distinct learner_key) as starters, unnest(range(1, max(weeks) + 1)) as week_number
    from starters group by year, group_key
),
visits as (
    select s.year, s.group_key, p.week_number, count(distinct s.learner_key) as learners_visited
    from starters s join fct_step_progress p on p.run_id = s.run_id and p.learner_key = s.learner_key
    where p.first_visited_at is not null group by all
)
select w.group_key, w.week_number::integer, w.starters, coalesce(v.learners_visited, 0)
from weeks w left join visits v using (year, group_key, week_number)
order by all
"""


def _share_learners(landing: Path) -> int:
    """Make the first 40 learners of a FutureLearn run also the learners of the next run of the same course in
    the same year (FutureLearn ids are per run in the demo): the by-course count must then take each once.
    Returns that year."""
    runs = duckdb.sql(
        f"select year(starts_on) as y, list(platform_run_label order by starts_on) as labels"  # noqa: S608
        f" from read_csv('{landing}/course_runs/*.csv') where platform_run_label is not null"
        " group by course_code, y having count(*) > 1 order by y desc, course_code limit 1"
    ).fetchall()[0]
    year, (first, second) = runs[0], runs[1][:2]
    fl = landing / "futurelearn"

    def learners(label: str) -> list[str]:
        with open(fl / f"{label}_enrolments.csv", newline="") as f:
            return [r["learner_id"] for r in csv.DictReader(f) if r["role"] == "learner"][:40]

    rename = dict(zip(learners(second), learners(first), strict=True))
    for dataset in ("enrolments", "step-activity"):
        path = fl / f"{second}_{dataset}.csv"
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        i = rows[0].index("learner_id")
        for row in rows[1:]:
            row[i] = rename.get(row[i], row[i])
        with open(path, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return int(year)


@pytest.fixture(scope="module")
def demo_wh(tmp_path_factory: pytest.TempPathFactory):
    from etl.demo import generate
    from etl.load import run_etl

    landing = tmp_path_factory.mktemp("retention_landing")
    generate(landing, 6000, 7)
    year = _share_learners(landing)
    warehouse = tmp_path_factory.mktemp("retention_wh") / "mckpi.duckdb"
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    result = run_etl(settings, landing=landing, warehouse=warehouse)
    assert result.status == "succeeded", result.message
    wh = Warehouse(Path(warehouse))
    yield wh, year
    wh.close()


def test_demo_has_learners_in_two_runs_of_a_course(demo_wh) -> None:
    # Without them the by-course comparison below would not test the de-duplication.
    wh, year = demo_wh
    repeats = wh.query(
        "select count(*) from (select e.learner_key from fct_enrolment e join fct_step_progress p using (run_id, learner_key)"
        " where e.start_year = $y and e.has_started and p.first_visited_at is not null"
        " group by e.course_code, e.learner_key, p.week_number having count(distinct e.run_id) > 1)",
        {"y": year}).column(0)[0].as_py()
    assert repeats > 10


@pytest.mark.parametrize("by", ["course_run", "course"])
@pytest.mark.parametrize("ptj_codes", [(), ("FBE",), ("FSKTM", "FBE")])
def test_retention_equals_the_definition_on_step_rows(demo_wh, by: str, ptj_codes: tuple) -> None:
    wh, year = demo_wh
    settings = load_settings()
    settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))
    result = run_kpi(wh, "weekly_retention", KpiFilters(year=year, ptj_codes=ptj_codes), by=by,
                     settings=settings)
    rows = result.table.to_pylist()
    # Weeks not reached yet (issue 15) are empty, not 0: compared on the weeks reached.
    assert all(r["learners_visited"] is None for r in rows if not r["is_week_reached"])
    reached = {(r["group_key"], r["week_number"]) for r in rows if r["is_week_reached"]}
    got = sorted((r["group_key"], r["week_number"], r["starters"], r["learners_visited"])
                 for r in rows if r["is_week_reached"])
    expected = [row for row in (tuple(r.values()) for r in wh.query(
        REFERENCE, {"by": by, "year": year, "ptj_codes": list(ptj_codes)}).to_pylist()) if row[:2] in reached]
    assert got and got == expected


# Distinct learners per member of staff and term, straight from the enrolments (the definition).
WORKLOAD_REFERENCE = """
with teaching as (select distinct start_year, term, staff_id, run_id from fct_teaching where start_year = $year)
select t.term, t.staff_id, count(distinct e.learner_key) as learners_taught
from teaching t join fct_enrolment e on e.run_id = t.run_id
group by all order by all
"""


def test_demo_has_learners_in_two_runs_of_a_term_with_one_lecturer(demo_wh) -> None:
    wh, year = demo_wh
    shared = wh.query(
        "select count(*) from (select t.staff_id, r.learner_key from fct_repeat_enrolment r"
        " join fct_teaching t using (run_id) where t.start_year = $y group by t.staff_id, r.term, r.learner_key"
        " having count(distinct r.run_id) > 1)", {"y": year}).column(0)[0].as_py()
    assert shared > 10


def test_learners_taught_equals_the_distinct_count(demo_wh) -> None:
    wh, year = demo_wh
    settings = load_settings()
    settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))
    result = run_kpi(wh, "lecturer_workload", KpiFilters(year=year), by="staff", settings=settings)
    got = sorted((r["term"], r["staff_id"], r["learners_taught"]) for r in result.table.to_pylist())
    expected = [tuple(r.values()) for r in wh.query(WORKLOAD_REFERENCE, {"year": year}).to_pylist()]
    assert got and got == expected


# target_progress's actual values, computed from the facts (what its `actuals` CTE did before fct_kpi_actual):
# per KPI id, year with a target and PTj, and for the whole university, with distinct learners on learner_key.
ACTUALS_REFERENCE = """
with target_years as (select distinct year from fct_kpi_target),
certificates as (
    select issue_year, ptj_code from fct_certificate
    union all
    select year(purchased_statement_at)::integer, ptj_code from fct_enrolment where has_purchased_certificate
)
select 'enrolments' as kpi_id, start_year as year, ptj_code, grouping(ptj_code) = 1 as is_university,
    count(*)::decimal(18, 2) as value
from fct_enrolment where start_year in (select year from target_years)
group by grouping sets ((start_year, ptj_code), (start_year))
union all
select 'learners', start_year, ptj_code, grouping(ptj_code) = 1, count(distinct learner_key)::decimal(18, 2)
from fct_enrolment where start_year in (select year from target_years)
group by grouping sets ((start_year, ptj_code), (start_year))
union all
select 'completions', start_year, ptj_code, grouping(ptj_code) = 1,
    (count(*) filter (where is_completed))::decimal(18, 2)
from fct_enrolment where start_year in (select year from target_years)
group by grouping sets ((start_year, ptj_code), (start_year))
union all
select 'courses_offered', start_year, ptj_code, grouping(ptj_code) = 1, count(distinct course_code)::decimal(18, 2)
from dim_course_run where start_year in (select year from target_years)
group by grouping sets ((start_year, ptj_code), (start_year))
union all
select 'new_courses', launch_year, ptj_code, grouping(ptj_code) = 1, count(*)::decimal(18, 2)
from dim_course where launch_year in (select year from target_years)
group by grouping sets ((launch_year, ptj_code), (launch_year))
union all
select 'certificates', issue_year, ptj_code, grouping(ptj_code) = 1, count(*)::decimal(18, 2)
from certificates where issue_year in (select year from target_years)
group by grouping sets ((issue_year, ptj_code), (issue_year))
union all
select 'net_revenue', paid_year, ptj_code, grouping(ptj_code) = 1, sum(signed_amount_rm)::decimal(18, 2)
from fct_payment where paid_year in (select year from target_years)
group by grouping sets ((paid_year, ptj_code), (paid_year))
"""


def _rows(wh: Warehouse, sql: str) -> list[tuple]:
    return sorted((tuple(r.values()) for r in wh.query(sql, {}).to_pylist()),
                  key=lambda r: tuple("" if v is None else str(v) for v in r))


def test_kpi_actual_equals_the_definition_on_the_facts(demo_wh) -> None:
    wh, _ = demo_wh
    got = _rows(wh, "select kpi_id, year, ptj_code, is_university, value from fct_kpi_actual")
    expected = _rows(wh, ACTUALS_REFERENCE)
    assert got == expected
    # Every KPI id for every year with a target, for the university and for PTjs: what the KPI reads is small.
    kinds = {(r[0], r[3]) for r in got}
    assert len(kinds) == 14 and 100 < len(got) < 2000
    years = {r[1] for r in got}
    target_years = {r["year"] for r in wh.query("select distinct year from fct_kpi_target", {}).to_pylist()}
    assert years == target_years
    # Learners are distinct: fewer than enrolments in a year where learners took two runs (_share_learners).
    by_kpi = {(r[0], r[1]): r[4] for r in got if r[3]}
    assert all(by_kpi[("learners", y)] <= by_kpi[("enrolments", y)] for y in years)
    assert any(by_kpi[("learners", y)] < by_kpi[("enrolments", y)] for y in years)


def test_every_kpi_output_on_the_demo_equals_the_golden_file(demo_wh, kpi_golden) -> None:
    # Issue 16: the marts, learner numbers and load changes made for speed must leave every figure as it was.
    wh, _ = demo_wh
    kpi_golden("demo_6000_seed7", wh.path)


# learners and learner_mix for the whole university with no filter but the year read fct_learner_year; any other
# selection counts distinct learners among the enrolments. Every PTj picked selects every enrolment the slow way.
@pytest.mark.parametrize("kpi_id", ["learners", "learner_mix"])
@pytest.mark.parametrize("every_year", [False, True])
def test_learners_from_the_mart_equal_the_distinct_count(demo_wh, kpi_id: str, every_year: bool) -> None:
    wh, year = demo_wh
    settings = load_settings()
    settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))
    ptjs = tuple(r["ptj_code"] for r in wh.query("select distinct ptj_code from fct_enrolment", {}).to_pylist())
    f = KpiFilters(year=None if every_year else year)

    def figures(filters: KpiFilters) -> list[dict]:
        rows = run_kpi(wh, kpi_id, filters, settings=settings).table.to_pylist()
        return [{k: v for k, v in r.items() if k not in ("group_key", "group_label")} for r in rows]

    fast, slow = figures(f), figures(replace(f, ptj_codes=ptjs))
    assert fast and fast == slow


def test_the_default_view_reads_the_learner_mart(demo_wh, tmp_path: Path) -> None:
    """A learner taken out of fct_learner_year is one learner fewer in the default view, and in no other."""
    wh, year = demo_wh
    copy = tmp_path / "mckpi.duckdb"
    shutil.copyfile(wh.path, copy)  # follows the published link to the build file
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from fct_learner_year where start_year = $y and learner_number ="
                    " (select min(learner_number) from fct_learner_year where start_year = $y)", {"y": year})
    settings = load_settings()
    settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))
    every_ptj = KpiFilters(year=year, ptj_codes=tuple(
        r["ptj_code"] for r in wh.query("select distinct ptj_code from fct_enrolment", {}).to_pylist()))
    edited = Warehouse(copy)
    try:
        for kpi_id in ("learners", "learner_mix"):
            def learners(w: Warehouse, f: KpiFilters, kpi_id: str = kpi_id) -> int:
                return run_kpi(w, kpi_id, f, settings=settings).table.to_pylist()[0]["learners"]

            assert learners(edited, KpiFilters(year=year)) == learners(wh, KpiFilters(year=year)) - 1
            assert learners(edited, every_ptj) == learners(wh, every_ptj) == learners(wh, KpiFilters(year=year))
    finally:
        edited.close()
