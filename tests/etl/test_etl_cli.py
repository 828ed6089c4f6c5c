"""The mckpi command line: etl, status, templates, demo --if-empty, rollback."""

from __future__ import annotations

from typer.testing import CliRunner

from etl.cli import app
from etl.contracts import CONTRACTS

runner = CliRunner()


def test_templates_command(tmp_path):
    result = runner.invoke(app, ["templates", "--out", str(tmp_path / "templates")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "templates").iterdir()) == sorted(
        c.template_name for c in CONTRACTS.values()
    )


def test_etl_and_status_commands(etl_env, monkeypatch):
    monkeypatch.setattr("etl.load.MODELS_DIR", etl_env.models)
    monkeypatch.setattr("etl.load.CHECKS_DIR", etl_env.models / "checks")
    (etl_env.landing / "payments" / "p2.csv").write_text(
        ",".join(CONTRACTS["payments"].header)
        + "\nR3,ext-1,MC-FSKTM-001-2024-1,mc_fee,RM 650,2024-03-01 10:00:00,FSKTM"
        + "\nR4,ext-1,MC-FSKTM-001-2024-1,mc_fee,650.00,2024-03-01 10:00:00,FSKTM\n"
    )
    args = ["--landing", str(etl_env.landing), "--warehouse", str(etl_env.warehouse)]
    result = runner.invoke(app, ["etl", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Published run" in result.output
    assert "payments" in result.output and "quarantined" in result.output
    # The quarantine reason with its file, line, column and count; every file not loaded, by name, with why.
    assert "payments/p2.csv line 2 column amount_rm: expected a number like 650.00" in result.output
    assert "skipped: ptj/ptj.csv (already loaded)" in result.output
    status = runner.invoke(app, ["status", "--warehouse", str(etl_env.warehouse)], env={"COLUMNS": "200"})
    assert status.exit_code == 0, status.output
    run_id = etl_env.scalar("select value from warehouse_info where key = 'etl_run_id'")
    assert f"Published: run {run_id}" in status.output
    assert "expected a number like N.N" in status.output  # quarantine by reason (digits folded)
    assert "succeeded" in status.output


def test_etl_command_failure_exits_1_with_the_reason(etl_env, monkeypatch):
    monkeypatch.setattr("etl.load.MODELS_DIR", etl_env.models)
    monkeypatch.setattr("etl.load.CHECKS_DIR", etl_env.models / "checks")
    (etl_env.landing / "ptj" / "ptj.csv").write_text("ptj_code;name_en;name_ms;kind\n")
    result = runner.invoke(
        app,
        ["etl", "--landing", str(etl_env.landing), "--warehouse", str(etl_env.warehouse)],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "ETL failed" in line]
    assert len(lines) == 1 and lines[0].startswith("error: ETL failed: ptj/ptj.csv: line 1: expected header")
    assert lines[0].endswith(
        "the file looks ';'-delimited; save it from the spreadsheet as 'CSV UTF-8 (Comma delimited) (*.csv)'"
    )


def test_status_without_a_warehouse(tmp_path):
    result = runner.invoke(app, ["status", "--warehouse", str(tmp_path / "none" / "mckpi.duckdb")])
    assert result.exit_code == 0
    assert "No warehouse published" in result.output


def test_demo_if_empty_skips_a_filled_landing(etl_env):
    result = runner.invoke(app, ["demo", "--landing", str(etl_env.landing), "--if-empty"])
    assert result.exit_code == 0
    assert "already has files" in result.output


def test_rollback_command(etl_env):
    first = etl_env.published()
    etl_env.run()
    run_id = first.removeprefix("builds/").removesuffix(".duckdb")
    result = runner.invoke(app, ["rollback", run_id, "--warehouse", str(etl_env.warehouse)])
    assert result.exit_code == 0, result.output
    assert etl_env.published() == first
    bad = runner.invoke(app, ["rollback", "nope", "--warehouse", str(etl_env.warehouse)])
    assert bad.exit_code == 1
