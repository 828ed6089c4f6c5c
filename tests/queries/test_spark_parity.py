"""The same KPI SQL on Apache Spark over the Parquet lake gives the same figures as DuckDB (issue 20).

Two warehouses, each exported with `mckpi export --format parquet` and read back by Spark (local[2]):
  - demo data (etl.demo, 2,000 enrolments, seed 42, with its quarantined rows);
  - the real shared data: OULAD (../shared/realdata/oulad) and the FutureLearn cyber-security runs 1-7 in one
    warehouse.
For each, every KPI that reads the marts, at every grain in its header (on the real data its first and last),
runs through `read.kpi.run_kpi` on the warehouse (DuckDB) and on Spark: the same columns, rows, values (money
DECIMAL on both) and protected cells (read.lake_parity). Spark needs Java and pyspark ('.[spark]'): the module is skipped without them.
The hand fixture (tests/fixtures/hand) is compared on DuckDB over its lake in test_lake.py; on Spark it would add
66 more Spark queries (about a minute) to `make test`, which must stay under 10 minutes on 2 cores.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.config import load_settings
from core.contracts import CONTRACTS
from read.exports import export_parquet
from read.kpi import KpiFilters, list_kpis, run_kpi
from read.lake import read_lake
from read.lake_parity import compare_sources, lake_kpis
from read.spark_engine import spark_unavailable
from read.warehouse import Warehouse

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    pytest.mark.skipif(spark_unavailable() is not None, reason=f"Spark cannot run: {spark_unavailable()}"),
    # pyspark's import-time notice about pandas 3; results come back as Arrow here, never through pandas.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

AS_OF = dt.date(2026, 11, 23)
# Small, single-machine Spark for tests: no adaptive re-planning or code generation (each KPI is a few
# thousand rows: compiling whole-stage code costs more than it saves), and the lake's many small partition files
# packed into a couple of read tasks (a tiny per-file open cost) instead of one task per file.
TEST_CONF = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.files.openCostInBytes": "1024",
}
CYBER_RUNS = range(1, 8)
PATHWAY_KPIS = {"pathway_stack_progress", "pathway_days_between_courses", "pathway_dropoff", "mms_eligible_vs_issued",
                "mms_overdue", "badges", "credit_recognition", "programme_intake_conversion"}
CYBER_STARTS = ["2016-05-16", "2017-01-30", "2017-09-18", "2017-11-06", "2018-03-05", "2018-05-14", "2018-09-10"]


@pytest.fixture(scope="module")
def spark():
    from read.spark_engine import spark_session, stop_spark

    session = spark_session(load_settings(), extra_conf=TEST_CONF)
    yield session
    stop_spark()


def _etl(landing: Path, warehouse: Path, oulad: Path | None = None) -> Path:
    from etl.load import run_etl
    from etl.sources.oulad import convert_oulad

    if oulad is not None:
        convert_oulad(oulad, landing)  # what `mckpi etl --oulad DIR` does first
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    result = run_etl(settings, landing=landing, warehouse=warehouse)
    assert result.status == "succeeded", result.message
    return warehouse


def _write(path: Path, header: tuple[str, ...] | list[str], rows: list[list[str]]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _real_landing(realdata: Path, landing: Path) -> None:
    """The FutureLearn cyber-security exports as delivered, with the university's reference rows for them."""
    source = realdata / "futurelearn-cyber-security"
    (landing / "futurelearn").mkdir(parents=True)
    for path in source.glob("cyber-security-*_enrolments.csv.gz"):
        shutil.copy(path, landing / "futurelearn")
    for path in source.glob("cyber-security-*_step-activity.csv.gz"):
        shutil.copy(path, landing / "futurelearn")
    c = CONTRACTS
    _write(landing / "ptj" / "ptj.csv", c["ptj"].header,
           [["FSKTM", "Faculty of Computer Science and Information Technology",
             "Fakulti Sains Komputer dan Teknologi Maklumat", "faculty"]])
    _write(landing / "staff" / "staff.csv", c["staff"].header,
           [["S0001", "Dr. Aminah Binti Yusof", "FSKTM", "DS52", "active", ""]])
    _write(landing / "courses" / "courses.csv", c["courses"].header,
           [["MOOC-FSKTM-CYBER", "Cyber Security: Safety at Home, Online", "FSKTM", "3", "mooc", "odl", "100", "B1",
             "futurelearn", "0", "12", "0.00", "49.00", "S0001", "immediate", "2016-03-01"]])
    _write(landing / "course_runs" / "course_runs.csv", c["course_runs"].header,
           [[f"MOOC-FSKTM-CYBER-{n}", "MOOC-FSKTM-CYBER", CYBER_STARTS[n - 1], "3", f"cyber-security-{n}"]
            for n in CYBER_RUNS])


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory, realdata: Path) -> dict:
    from etl.demo import generate

    root = tmp_path_factory.mktemp("spark_parity")
    generate(root / "demo" / "landing", enrolments=2_000, seed=42)
    demo = _etl(root / "demo" / "landing", root / "demo" / "warehouse" / "mckpi.duckdb")
    _real_landing(realdata, root / "real" / "landing")
    real = _etl(root / "real" / "landing", root / "real" / "warehouse" / "mckpi.duckdb", oulad=realdata / "oulad")
    return {"demo": demo, "real": real}


@pytest.fixture(scope="module")
def lakes(warehouses: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("spark_lakes")
    for name, path in warehouses.items():
        export_parquet(path, root / name, learner_rows=True)
    return {name: root / name for name in warehouses}


@pytest.fixture(scope="module")
def spark_lakes(spark, lakes: dict) -> Iterator[dict]:
    from read.spark_engine import SparkLake

    engines = {name: SparkLake(read_lake(path), session=spark, cache=True) for name, path in lakes.items()}
    yield engines
    for engine in engines.values():
        engine.close()


def test_spark_reads_every_mart_with_the_manifest_row_counts(warehouses: dict, spark_lakes: dict) -> None:
    for name, engine in spark_lakes.items():
        wh = Warehouse(warehouses[name])
        try:
            for table in engine.lake.tables.values():
                in_warehouse = wh.query(f'select count(*) as n from "{table.name}"').column(0)[0].as_py()  # noqa: S608
                assert engine.count(table.name) == table.rows == in_warehouse, (name, table.name)
        finally:
            wh.close()
    # The real data: OULAD's 32,593 registrations and FutureLearn's 37,257 learner enrolments (EXPECTED.md).
    assert spark_lakes["real"].lake.tables["fct_enrolment"].rows == 32_593 + 37_257


@pytest.mark.parametrize("dataset", ["demo", "real"])
def test_every_kpi_at_every_grain_is_the_same_on_spark(dataset: str, warehouses: dict, spark_lakes: dict) -> None:
    # The demo at every grain; the real data (the same SQL, so the same translation) at each KPI's first and last
    # grain, which keeps the Spark queries of `make test` to what its 10-minute budget allows on two busy cores.
    kpis = lake_kpis() if dataset == "demo" else [
        replace(s, grain=tuple(dict.fromkeys((s.grain[0], s.grain[-1])))) for s in lake_kpis()]
    wh = Warehouse(warehouses[dataset])
    try:
        report = compare_sources(wh, spark_lakes[dataset], as_of=AS_OF, settings=load_settings(), kpis=kpis)
    finally:
        wh.close()
    expected_cases = {(s.id, by) for s in kpis for by in s.grain}
    assert {(c.kpi_id, c.by) for c in report.cases} == expected_cases
    assert report.problems == []
    print(f"\n{dataset}: {len(report.cases)} KPI x grain, {report.rows} rows compared")
    for case in report.cases:
        print(f"  {case.kpi_id}/{case.by}: {case.rows} rows, {case.seconds:.2f} s on Spark")
    # Not an empty comparison: most cases have rows (a KPI with no data, e.g. revenue on OULAD, has none; the real
    # data has no MC programmes, badges or applications, so the pathway KPIs are compared on the demo only).
    counted = [c for c in report.cases if dataset == "demo" or c.kpi_id not in PATHWAY_KPIS]
    assert sum(1 for c in counted if c.rows) >= len(counted) * 0.6


def test_protection_is_applied_to_the_spark_result_by_the_kpi_layer(warehouses: dict, spark_lakes: dict) -> None:
    """The demo's per-run enrolment counts have small cells: Spark's result is protected by read.kpi, cell
    for cell as DuckDB's (compare_sources checks that too; this pins that there is something to protect)."""
    wh = Warehouse(warehouses["demo"])
    try:
        settings = load_settings()
        on_duckdb = run_kpi(wh, "enrolments", KpiFilters(), by="course_run", settings=settings)
        on_spark = run_kpi(spark_lakes["demo"], "enrolments", KpiFilters(), by="course_run", settings=settings)
    finally:
        wh.close()
    assert on_duckdb.suppressed and on_spark.suppressed == on_duckdb.suppressed
    row, column = min(on_spark.suppressed)
    assert on_spark.table.column(column)[row].as_py() is None


def test_filters_and_scope_are_bound_on_spark(warehouses: dict, spark_lakes: dict) -> None:
    """Year, lists (with a quote in a value) and the access scope reach Spark as parameters."""
    from read.kpi import AccessScope

    wh = Warehouse(warehouses["demo"])
    try:
        ptjs = [r["ptj_code"] for r in wh.query("select ptj_code from dim_ptj order by 1 limit 2").to_pylist()]
        filters = KpiFilters(year=2025, ptj_codes=(*ptjs, "O'Brien"), mc_types=("mooc", "stand_alone"))
        scope = AccessScope("ptj", (ptjs[0],))
        report = compare_sources(wh, spark_lakes["demo"], as_of=AS_OF, filters=filters, scope=scope,
                                 kpis=[s for s in list_kpis() if s.id in {"revenue", "completion_rate", "learners"}])
    finally:
        wh.close()
    assert report.problems == []
    assert report.rows > 0


def test_cli_kpi_show_on_spark_prints_what_the_warehouse_prints(warehouses: dict, lakes: dict, spark) -> None:
    import json

    from typer.testing import CliRunner

    from cli.main import app

    common = ["kpi", "show", "revenue", "--by", "ptj", "--year", "2025", "--as-of", "2026-11-23", "--format", "json"]
    runner = CliRunner()
    on_warehouse = runner.invoke(app, [*common, "--warehouse", str(warehouses["demo"])])
    on_spark = runner.invoke(app, [*common, "--engine", "spark", "--lake", str(lakes["demo"])])
    on_lake_duckdb = runner.invoke(app, [*common, "--engine", "duckdb", "--lake", str(lakes["demo"])])
    assert on_warehouse.exit_code == on_spark.exit_code == on_lake_duckdb.exit_code == 0, on_spark.output
    expected = json.loads(on_warehouse.stdout)
    assert expected["rows"] and json.loads(on_spark.stdout) == expected == json.loads(on_lake_duckdb.stdout)
    # Money stays exact text with two decimals on Spark too (never a float).
    assert all(isinstance(r["net_revenue_rm"], str | None) for r in json.loads(on_spark.stdout)["rows"])
