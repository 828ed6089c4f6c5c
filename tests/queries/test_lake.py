"""The Parquet lake without Spark: the manifest, DuckDB over the lake, the CLI's refusals. The DuckDB -> Spark SQL
translation is in test_spark_sql.py, the Spark runs in test_spark_parity.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from read.exports import MANIFEST, export_parquet
from read.lake import LakeError, duckdb_view_sql, open_duckdb, read_lake
from read.lake_parity import compare_sources, lake_kpis
from read.warehouse import Warehouse

AS_OF = dt.date(2025, 8, 7)


@pytest.fixture(scope="module")
def hand_lake(hand_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hand_lake") / "lake"
    export_parquet(hand_warehouse_path, out, learner_rows=True)  # the scale-out copy: the KPIs read learner rows
    return out


def test_manifest_has_every_mart_a_kpi_reads_with_types_rows_and_run_id(hand_lake: Path,
                                                                       hand_warehouse_path: Path) -> None:
    lake = read_lake(hand_lake)
    wh = Warehouse(hand_warehouse_path)
    try:
        run_id = wh.query("select value from warehouse_info where key = 'etl_run_id'").column(0)[0].as_py()
        for spec in lake_kpis():
            assert lake.missing_for(spec) == [], spec.id
        for table in lake.tables.values():
            described = wh.query("select column_name, data_type from information_schema.columns "
                                 "where table_name = $t order by ordinal_position", {"t": table.name}).to_pylist()
            assert table.types == {r["column_name"]: r["data_type"] for r in described}, table.name
            assert list(table.columns) == [r["column_name"] for r in described], table.name
    finally:
        wh.close()
    assert lake.etl_run_id == run_id and lake.manifest["schema_version"]
    assert lake.tables["fct_payment"].partition_by == ("year", "ptj_code")
    assert lake.tables["fct_payment"].types["amount_rm"] == "DECIMAL(12,2)"
    assert lake.tables["dim_ptj"].partition_by == ()


def test_duckdb_views_cast_partition_folders_back_to_warehouse_types(hand_lake: Path) -> None:
    table = read_lake(hand_lake).tables["fct_kpi_target"]
    sql = duckdb_view_sql(table)
    assert 'cast("year" as INTEGER) as "year"' in sql and 'cast("ptj_code" as VARCHAR) as "ptj_code"' in sql
    assert "hive_types_autocast = false" in sql


def test_every_kpi_on_duckdb_over_the_lake_equals_the_warehouse(hand_lake: Path, hand_warehouse_path: Path) -> None:
    con = open_duckdb(read_lake(hand_lake))
    wh = Warehouse(hand_warehouse_path)
    try:
        report = compare_sources(wh, con, as_of=AS_OF)
    finally:
        wh.close()
        con.close()
    assert len(report.cases) == sum(len(s.grain) for s in lake_kpis())
    assert report.problems == []


def test_a_folder_without_manifest_or_types_is_a_clear_error(tmp_path: Path, hand_lake: Path) -> None:
    with pytest.raises(LakeError, match="no _manifest.json: write the lake with `mckpi export --format parquet"):
        read_lake(tmp_path)
    old = json.loads((hand_lake / MANIFEST).read_text("utf-8"))
    for entry in old["tables"].values():
        del entry["types"]
    (tmp_path / MANIFEST).write_text(json.dumps(old), "utf-8")
    with pytest.raises(LakeError, match="no column types .* export it again"):
        read_lake(tmp_path)


def test_cli_refuses_spark_without_a_lake_and_kpis_the_lake_cannot_answer(hand_lake: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["kpi", "show", "enrolments", "--engine", "spark"])
    assert result.exit_code == 1 and "give --lake DIR" in result.output
    result = runner.invoke(app, ["kpi", "show", "etl_history", "--lake", str(hand_lake)])
    assert result.exit_code == 1 and "reads etl_runs, which the lake does not hold" in result.output
