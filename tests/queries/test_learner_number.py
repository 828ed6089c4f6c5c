"""fct_enrolment.learner_number (learner_key's 16 hex digits as a UBIGINT) is one number per learner key and back,
on the real OULAD set (../shared/realdata/oulad/: 28,785 distinct students, EXPECTED.md), and the distinct learner
counts the KPIs take over it equal the counts over learner_key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import load_settings
from read.kpi import KpiFilters, run_kpi
from read.warehouse import Warehouse


@pytest.fixture(scope="module")
def oulad_wh(realdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("oulad_numbers")
    warehouse = root / "warehouse" / "mckpi.duckdb"
    result = CliRunner().invoke(app, ["etl", "--landing", str(root / "landing"), "--warehouse", str(warehouse),
                                      "--oulad", str(realdata / "oulad")])
    assert result.exit_code == 0, result.output
    wh = Warehouse(warehouse)
    yield wh
    wh.close()


def test_learner_number_is_a_bijection_of_the_key(oulad_wh: Warehouse) -> None:
    row = oulad_wh.query(
        "select count(distinct learner_key) as keys, count(distinct learner_number) as numbers,"
        " count(distinct (learner_key, learner_number)) as pairs,"
        " count(*) filter (where learner_number is null) as missing,"
        " bool_and(printf('%016x', learner_number) = learner_key) as spells_the_key"
        " from fct_enrolment", {}).to_pylist()[0]
    # EXPECTED.md: 28,785 distinct id_student in studentInfo; each key has one number and each number one key.
    assert row == {"keys": 28_785, "numbers": 28_785, "pairs": 28_785, "missing": 0, "spells_the_key": True}


def _settings():
    settings = load_settings()
    return replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))


@pytest.mark.parametrize("by", ["university", "ptj", "course"])
def test_learners_kpi_counts_equal_the_distinct_keys(oulad_wh: Warehouse, by: str) -> None:
    column = {"university": "'ALL'", "ptj": "ptj_code", "course": "course_code"}[by]
    expected = sorted(tuple(r.values()) for r in oulad_wh.query(
        f"select start_year, {column} as g, count(distinct learner_key) from fct_enrolment"  # noqa: S608
        " group by all", {}).to_pylist())
    table = run_kpi(oulad_wh, "learners", KpiFilters(), by=by, settings=_settings()).table.to_pylist()
    got = sorted((r["year"], r["group_key"], r["learners"]) for r in table)
    assert got == expected
    # Learners in both years of a module count once a year but not once per enrolment.
    assert sum(r["learners"] for r in table) < sum(r["enrolments"] for r in table)


def test_learner_mix_counts_equal_the_distinct_keys(oulad_wh: Warehouse) -> None:
    expected = sorted(tuple(r.values()) for r in oulad_wh.query(
        "select start_year, count(distinct learner_key),"
        " count(distinct learner_key) filter (where is_internal) from fct_enrolment group by all", {}).to_pylist())
    table = run_kpi(oulad_wh, "learner_mix", KpiFilters(), by="university", settings=_settings()).table
    got = sorted((r["year"], r["learners"], r["internal"]) for r in table.to_pylist())
    assert got == expected


def test_every_kpi_output_on_oulad_equals_the_golden_file(oulad_wh: Warehouse, kpi_golden) -> None:
    # The same on real data (OULAD, ../shared/realdata/oulad/).
    kpi_golden("oulad", oulad_wh.path)
