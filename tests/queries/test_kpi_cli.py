"""`mckpi kpi list` and `mckpi kpi show` (the sub-app cli.kpi.kpi_app)."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.kpi import kpi_app
from read.kpi import list_kpis

runner = CliRunner()


def test_list_shows_every_kpi():
    result = runner.invoke(kpi_app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for spec in list_kpis():
        assert spec.id in result.output
    assert "Completion rate" in result.output
    malay = runner.invoke(kpi_app, ["list", "--lang", "ms"], env={"COLUMNS": "200"})
    assert "Kadar penyempurnaan" in malay.output


def test_show_with_filters_and_suppression(hand_warehouse_path):
    result = runner.invoke(
        kpi_app,
        ["show", "enrolments", "--year", "2025", "--by", "ptj", "--warehouse", str(hand_warehouse_path)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Enrolments" in result.output  # title
    assert "a learner in" in result.output  # definition
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in result.output.splitlines() if "│" in line]
    rows = {row[1]: row for row in cells}  # year, group_key, group_label, enrolments, withdrawals
    assert rows["FSKTM"][3] == "9"
    assert rows["APM"][3] == "<5" and rows["FBE"][3] == "<5"  # small, and its complement


def test_show_one_ptj_revenue(hand_warehouse_path):
    result = runner.invoke(
        kpi_app,
        ["show", "revenue", "--ptj", "FBE", "--ptj", "APM", "--year", "2025", "--warehouse", str(hand_warehouse_path)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    # FBE 4300.00 + APM 1100.00
    assert "5400.00" in result.output


def test_show_as_of(hand_warehouse_path):
    result = runner.invoke(
        kpi_app,
        ["show", "orphaned_courses", "--as-of", "2025-08-07", "--warehouse", str(hand_warehouse_path)],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    assert "MC-FBE-001" in result.output and "MC-FBE-002 " not in result.output


def test_show_errors(tmp_path, hand_warehouse_path):
    missing = runner.invoke(kpi_app, ["show", "enrolments", "--warehouse", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "No warehouse" in missing.output
    unknown = runner.invoke(kpi_app, ["show", "nope", "--warehouse", str(hand_warehouse_path)])
    assert unknown.exit_code == 1 and "unknown KPI" in unknown.output
    bad_by = runner.invoke(kpi_app, ["show", "learner_mix", "--by", "course", "--warehouse", str(hand_warehouse_path)])
    assert bad_by.exit_code == 1 and "cannot be broken down" in bad_by.output
    bad_date = runner.invoke(kpi_app, ["show", "orphaned_courses", "--as-of", "soon",
                                       "--warehouse", str(hand_warehouse_path)])
    assert bad_date.exit_code == 1
