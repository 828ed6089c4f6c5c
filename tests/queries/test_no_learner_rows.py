"""Issue 13, point 4: no learner-level row, learner key or learner id reaches any KPI result (so no page or
download), report, export or CLI output, for any role, management included.

The secrets: every learner key in the hand warehouse and every learner id in the hand fixture's files (FutureLearn
ids, student numbers). Every output is searched for each of them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.kpi import kpi_app
from read.kpi import KpiFilters, list_kpis, run_kpi
from tests.queries.conftest import AS_OF, HAND, HAND_SETTINGS

RAW = replace(HAND_SETTINGS, privacy=replace(HAND_SETTINGS.privacy, small_cell_limit=1))  # nothing hidden
LEARNER_COLUMNS = {"learner_key", "learner_id"}


@pytest.fixture(scope="module")
def secrets(hand_warehouse_path: Path) -> set[str]:
    with duckdb.connect(str(hand_warehouse_path), read_only=True) as con:
        keys = {row[0] for row in con.execute("select learner_key from dim_learner").fetchall()}
    ids = set()
    for path in HAND.rglob("*.csv"):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("learner_id"):
                    ids.add(row["learner_id"])
    assert len(keys) > 20 and len(ids) > 20
    return keys | ids


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in text)


def test_no_kpi_result_has_a_learner_column_or_value(hand_warehouse, secrets: set[str]) -> None:
    for spec in list_kpis():
        for by in spec.grain:
            result = run_kpi(hand_warehouse, spec.id, KpiFilters(), by=by, settings=RAW, as_of=AS_OF)
            assert not LEARNER_COLUMNS & set(result.table.column_names), (spec.id, by)
            text = json.dumps(result.table.to_pylist(), default=str)
            assert not _leaks(text, secrets), (spec.id, by)


def test_cli_kpi_show_prints_no_learner_value(hand_warehouse_path: Path, secrets: set[str]) -> None:
    runner = CliRunner()
    for spec in list_kpis():
        for by in spec.grain:
            out = runner.invoke(kpi_app, ["show", spec.id, "--by", by, "--as-of", AS_OF.isoformat(),
                                          "--warehouse", str(hand_warehouse_path)], env={"COLUMNS": "400"})
            assert out.exit_code == 0, out.output
            assert not _leaks(out.output, secrets), (spec.id, by)


def test_exports_hold_no_learner_value(hand_warehouse_path: Path, tmp_path: Path, secrets: set[str]) -> None:
    from read.exports import export_mqa, export_parquet

    mqa = export_mqa(hand_warehouse_path, tmp_path / "mqa.csv", None, settings=HAND_SETTINGS)
    assert not _leaks(Path(mqa).read_text("utf-8"), secrets)
    manifest = export_parquet(hand_warehouse_path, tmp_path / "parquet")
    con = duckdb.connect()
    for table in manifest["tables"]:
        rows = con.execute("select * from read_parquet($g, hive_partitioning = true)",
                           {"g": str(tmp_path / "parquet" / table / "**" / "*.parquet")}).fetchall()
        assert not _leaks(json.dumps(rows, default=str), secrets), table


def test_reports_hold_no_learner_value(hand_warehouse_path: Path, secrets: set[str]) -> None:
    from pypdf import PdfReader

    from read.report import report_bytes

    xlsx = report_bytes(hand_warehouse_path, 2025, fmt="xlsx", settings=HAND_SETTINGS)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        text = " ".join(book.read(name).decode("utf-8", errors="replace") for name in book.namelist())
    assert "Enrolments" in text and not _leaks(text, secrets)
    pdf = report_bytes(hand_warehouse_path, 2025, fmt="pdf", settings=HAND_SETTINGS)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert text.strip() and not _leaks(text, secrets)
