"""Snapshots (read/snapshot.py) and exports (read/exports.py) of a small demo warehouse.

The demo warehouse is the one test_report.py builds (shared per test session); tests that run the ETL again work
on a private copy of it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from core.config import Settings, load_settings
from core.contracts import MC_TYPES
from read.exports import MANIFEST, MQA_COLUMNS, ExportError, export_mqa, export_parquet
from read.kpi import KpiFilters, run_kpi
from read.snapshot import SnapshotError, create_snapshot, list_snapshots, validate_label
from read.warehouse import Warehouse

YEAR = 2025
DEMO_ENROLMENTS = 3000
DEMO_SEED = 11


def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(landing, published warehouse) of the shared demo, built on first use (same as in test_report.py)."""
    from etl.demo import generate
    from etl.load import run_etl

    root = tmp_path_factory.getbasetemp() / "mckpi_reports_demo"
    landing, warehouse = root / "landing", root / "warehouse" / "mckpi.duckdb"
    if not (root / ".built").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(landing, DEMO_ENROLMENTS, DEMO_SEED, start_year=2025, end_year=2026)
        settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
        result = run_etl(settings, landing=landing, warehouse=warehouse)
        assert result.status == "succeeded", result.message
        (root / ".built").write_text(result.run_id)
    return landing, warehouse


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return demo_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def warehouse_path(demo: tuple[Path, Path]) -> Path:
    return demo[1]


@pytest.fixture
def env(demo: tuple[Path, Path], tmp_path: Path) -> Settings:
    """A private copy of the demo's landing folder and warehouse folder (builds and symlink)."""
    landing, warehouse = demo
    shutil.copytree(landing, tmp_path / "landing")
    shutil.copytree(warehouse.parent, tmp_path / "warehouse", symlinks=True)
    return load_settings().with_paths(landing=tmp_path / "landing", warehouse=tmp_path / "warehouse" / "mckpi.duckdb",
                                      snapshots=tmp_path / "snapshots")


def figures(path: Path, settings: Settings) -> dict[str, object]:
    wh = Warehouse(path)
    try:
        f = KpiFilters(year=YEAR)
        return {
            "revenue": run_kpi(wh, "revenue", f, settings=settings).table.to_pylist(),
            "revenue_by_ptj": run_kpi(wh, "revenue", f, by="ptj", settings=settings).table.to_pylist(),
            "enrolments": run_kpi(wh, "enrolments", f, settings=settings).table.to_pylist(),
            "info": {k: v for k, v in wh.info().items() if k not in ("path", "file")},
        }
    finally:
        wh.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- snapshots -----------------------------------------------------------------------------------------------


def test_snapshot_is_frozen_while_the_warehouse_moves_on(env: Settings) -> None:
    from etl.load import run_etl

    before = figures(env.paths.warehouse, env)
    snap = create_snapshot(env, "2025-ministry-final")
    assert snap == env.paths.snapshots / "2025-ministry-final.duckdb"
    assert stat.S_IMODE(snap.stat().st_mode) == 0o444
    digest = sha256(snap)
    frozen = figures(snap, env)
    assert frozen["revenue"] == before["revenue"] and frozen["enrolments"] == before["enrolments"]
    assert frozen["info"]["snapshot_label"] == "2025-ministry-final"
    assert frozen["info"]["snapshot_created_at"]
    assert frozen["info"]["etl_run_id"] == before["info"]["etl_run_id"]

    # New data arrives: one more receipt of RM 650.00 in 2025, loaded by another ETL run.
    payments = env.paths.landing / "payments" / f"payments_{YEAR}.csv"
    with payments.open(newline="", encoding="utf-8") as fh:
        header, first = list(csv.reader(fh))[:2]
    row = dict(zip(header, first, strict=True))
    row.update(receipt_id=f"R{YEAR}-TEST-000001", payment_kind="mc_fee", amount_rm="650.00")
    extra = env.paths.landing / "payments" / f"payments_{YEAR}_late.csv"
    with extra.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerow([row[c] for c in header])
    result = run_etl(env, landing=env.paths.landing, warehouse=env.paths.warehouse)
    assert result.status == "succeeded" and result.rows_loaded == 1

    after = figures(env.paths.warehouse, env)
    assert after["info"]["etl_run_id"] == result.run_id != before["info"]["etl_run_id"]
    net = "net_revenue_rm"
    assert after["revenue"][0][net] == before["revenue"][0][net] + Decimal("650.00")
    # The snapshot still gives the old figures, byte for byte.
    assert figures(snap, env) == frozen
    assert sha256(snap) == digest

    listed = list_snapshots(env)
    assert [(s.label, s.etl_run_id) for s in listed] == [("2025-ministry-final", before["info"]["etl_run_id"])]


def test_snapshot_label_is_never_overwritten(env: Settings) -> None:
    snap = create_snapshot(env, "q3")
    digest = sha256(snap)
    with pytest.raises(SnapshotError, match="already exists"):
        create_snapshot(env, "q3")
    assert sha256(snap) == digest
    assert sorted(p.name for p in env.paths.snapshots.iterdir()) == ["q3.duckdb"]  # no temporary left behind


@pytest.mark.parametrize("label", ["", "a b", "../escape", "x/y", "a" * 65, ".hidden", "naïve", "q3;rm", "q3\n"])
def test_snapshot_label_validation(env: Settings, label: str) -> None:
    with pytest.raises(SnapshotError, match="invalid snapshot label"):
        create_snapshot(env, label)
    assert not env.paths.snapshots.exists() or not any(env.paths.snapshots.iterdir())


@pytest.mark.parametrize("label", ["2025", "2025-ministry_final.v2", "A" * 64])
def test_snapshot_label_accepted(label: str) -> None:
    assert validate_label(label) == label


def test_snapshot_needs_a_published_warehouse(tmp_path: Path) -> None:
    settings = load_settings().with_paths(warehouse=tmp_path / "none" / "mckpi.duckdb", snapshots=tmp_path / "s")
    with pytest.raises(SnapshotError, match="no published warehouse"):
        create_snapshot(settings, "x")


# --- Parquet -------------------------------------------------------------------------------------------------


def test_parquet_export_reads_back_the_same(warehouse_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    manifest = export_parquet(warehouse_path, out, learner_rows=True)  # the scale-out copy: every table
    assert json.loads((out / MANIFEST).read_text()) == manifest

    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
            " and (table_name like 'dim\\_%' escape '\\' or table_name like 'fct\\_%' escape '\\')").fetchall()]
        counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        net = con.execute("select sum(signed_amount_rm) from fct_payment").fetchone()[0]
        by_year = con.execute("select paid_year, ptj_code, sum(signed_amount_rm) from fct_payment group by all"
                              " order by all").fetchall()
        run_id = con.execute("select value from warehouse_info where key = 'etl_run_id'").fetchone()[0]

    assert manifest["etl_run_id"] == run_id
    assert set(manifest["tables"]) == set(tables)
    assert {"dim_course", "dim_ptj", "fct_enrolment", "fct_payment", "fct_certificate"} <= set(tables)
    con = duckdb.connect()
    for table in tables:
        glob = str(out / table / "**" / "*.parquet")
        rows = con.execute("select count(*) from read_parquet($g, hive_partitioning = true)", {"g": glob}).fetchone()[0]
        assert rows == counts[table] == manifest["tables"][table]["rows"], table
    assert manifest["tables"]["fct_payment"]["partition_by"] == ["year", "ptj_code"]
    assert manifest["tables"]["dim_course"]["partition_by"] == []
    assert (out / "dim_course" / "data_0.parquet").is_file()
    assert any((out / "fct_payment" / f"year={YEAR}").glob("ptj_code=*/*.parquet"))

    payments = str(out / "fct_payment" / "**" / "*.parquet")
    parquet_net = con.execute("select sum(signed_amount_rm) from read_parquet($g, hive_partitioning = true)",
                              {"g": payments}).fetchone()[0]
    assert parquet_net == net and isinstance(parquet_net, Decimal)
    assert con.execute(
        "select year::integer, ptj_code, sum(signed_amount_rm) from read_parquet($g, hive_partitioning = true)"
        " group by all order by all", {"g": payments}).fetchall() == by_year
    assert con.execute(  # the partition year is the fact's natural year
        "select count(*) from read_parquet($g, hive_partitioning = true) where year <> start_year",
        {"g": str(out / "fct_enrolment" / "**" / "*.parquet")}).fetchone()[0] == 0


def test_parquet_export_leaves_learner_rows_out_by_default(warehouse_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    manifest = export_parquet(warehouse_path, out)
    learner_tables = {"dim_learner", "fct_enrolment", "fct_step_progress", "fct_learner_year",
                      "fct_repeat_enrolment", "fct_certificate", "fct_payment"}
    # ... and the FutureLearn insight facts with a learner grain (quiz, leaving and archetype responses)
    assert set(manifest["left_out"]) >= learner_tables and not manifest["learner_rows"]
    assert not learner_tables & set(manifest["tables"]) and {"dim_course", "fct_teaching"} <= set(manifest["tables"])
    con = duckdb.connect()
    for table in manifest["tables"]:
        columns = [r[0] for r in con.execute("describe select * from read_parquet($g, hive_partitioning = true)",
                                             {"g": str(out / table / "**" / "*.parquet")}).fetchall()]
        assert not {"learner_key", "learner_number", "learner_id"} & set(columns), table
    assert not any(p.name in learner_tables for p in out.iterdir())


def test_parquet_export_does_not_clobber(warehouse_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    export_parquet(warehouse_path, out)
    with pytest.raises(ExportError, match="not empty"):
        export_parquet(warehouse_path, out)
    (out / "stale.txt").write_text("old")
    export_parquet(warehouse_path, out, overwrite=True)
    assert not (out / "stale.txt").exists() and (out / MANIFEST).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet"]  # no temporary folders left


# --- MQA -----------------------------------------------------------------------------------------------------


def read_mqa(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == MQA_COLUMNS
        return list(reader)


def test_mqa_export_sums_and_suppression(warehouse_path: Path, tmp_path: Path) -> None:
    settings = load_settings()
    limit = settings.privacy.small_cell_limit
    raw_settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=1))  # nothing hidden

    rows = read_mqa(export_mqa(warehouse_path, tmp_path / "mqa.csv", YEAR, settings=settings))
    raw = read_mqa(export_mqa(warehouse_path, tmp_path / "mqa_raw.csv", YEAR, settings=raw_settings))
    assert rows and len(rows) == len(raw)
    assert {r["year"] for r in rows} == {str(YEAR)}

    # Only MC courses (no MOOCs), each once.
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        kinds = dict(con.execute("select course_code, mc_type from dim_course").fetchall())
    assert all(kinds[r["course_code"]] != "mooc" for r in rows)
    assert len({r["course_code"] for r in rows}) == len(rows)

    # Small counts hidden; every shown count equals the unhidden figure.
    hidden = 0
    for shown, full in zip(rows, raw, strict=True):
        assert shown["course_code"] == full["course_code"]
        for column in ("learners_took", "learners_passed"):
            if shown[column] == f"<{limit}":
                hidden += 1
                assert int(full[column]) > 0  # a small count, or the next smallest hidden with it
            else:
                assert shown[column] == full[column]
                assert int(shown[column]) == 0 or int(shown[column]) >= limit
    assert hidden > 0

    # The unhidden file adds up to the KPI layer's university figures for MC courses.
    wh = Warehouse(warehouse_path)
    try:
        mc = KpiFilters(year=YEAR, mc_types=tuple(t for t in MC_TYPES if t != "mooc"))
        passed = run_kpi(wh, "completions", mc, settings=settings).table.to_pylist()[0]["passed"]
        learners = run_kpi(wh, "learners", mc, settings=settings).table.to_pylist()[0]["learners"]
    finally:
        wh.close()
    assert sum(int(r["learners_passed"]) for r in raw) == passed
    assert sum(int(r["learners_took"]) for r in raw) >= learners  # a learner in two courses counts in each


def test_mqa_export_all_years(warehouse_path: Path, tmp_path: Path) -> None:
    rows = read_mqa(export_mqa(warehouse_path, tmp_path / "mqa_all.csv"))
    assert {r["year"] for r in rows} >= {"2025", "2026"}
    assert rows == sorted(rows, key=lambda r: (int(r["year"]), r["course_code"]))
