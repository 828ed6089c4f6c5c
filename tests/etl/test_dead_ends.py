"""No dead ends: rows quarantined because a reference they name was unknown load by themselves once it arrives,
without --full and without the file being sent again, and every figure then equals a load of everything at once.

The hand fixture (tests/fixtures/hand) is loaded without its staff file: courses name owners nobody knows, so
courses, course runs, teaching, FutureLearn exports, enrolments, results and payments all wait. Then the staff
file arrives and one run loads it all."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.config import REPO_ROOT, load_settings
from etl.load import run_etl

HAND = REPO_ROOT / "tests" / "fixtures" / "hand"
runner = CliRunner()


def copy_hand(landing: Path, *, without: str | None = None) -> None:
    shutil.copytree(HAND, landing, ignore=lambda d, names: [n for n in names if f"{Path(d).name}/{n}" == without])


def counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "courses": one("select count(*) from dim_course"),
            "runs": one("select count(*) from dim_course_run"),
            "enrolments": one("select count(*) from fct_enrolment"),
            "payments": one("select count(*) from fct_payment"),
            "revenue": one("select coalesce(sum(signed_amount_rm), 0) from fct_payment"),
            "teaching": one("select count(*) from fct_teaching"),
            "quarantine": one("select count(*) from quarantine"),
            "loaded_files": one("select count(*) from etl_files where status = 'loaded'"),
        }


@pytest.fixture(scope="module")
def one_shot(tmp_path_factory, kpi_outputs):
    root = tmp_path_factory.mktemp("one_shot")
    copy_hand(root / "landing")
    settings = load_settings().with_paths(landing=root / "landing", warehouse=root / "wh" / "mckpi.duckdb")
    result = run_etl(settings)
    assert result.status == "succeeded", result.problems
    return counts(settings.paths.warehouse), kpi_outputs(settings.paths.warehouse)


def test_staff_arriving_later_loads_everything_that_waited(tmp_path, one_shot, kpi_outputs):
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "mckpi.duckdb"
    copy_hand(landing, without="staff/staff.csv")
    args = ["--landing", str(landing), "--warehouse", str(warehouse)]

    first = runner.invoke(app, ["etl", *args], env={"COLUMNS": "250"})
    assert first.exit_code == 3, first.output  # published, incomplete: a scheduler sees it
    assert "required source 'staff' (Staff (HR)) has no rows" in first.output
    assert "courses: all 6 new rows went to quarantine (courses/courses.csv; mostly: unknown owner_staff_id" in (
        first.output)
    assert "payments/payments_2025.csv line 2 column run_id: unknown run_id: not in course_runs.run_id (16 rows)" in (
        first.output)
    waiting = counts(warehouse)
    assert waiting["courses"] == 0 and waiting["enrolments"] == 0 and waiting["payments"] == 0

    shutil.copy(HAND / "staff" / "staff.csv", landing / "staff" / "staff.csv")
    second = runner.invoke(app, ["etl", *args], env={"COLUMNS": "250"})
    assert second.exit_code == 0, second.output
    assert "loaded: courses/courses.csv (loaded again: the references it names have arrived)" in second.output
    expected_counts, expected_kpis = one_shot
    assert counts(warehouse) == {**expected_counts, "loaded_files": expected_counts["loaded_files"]}
    assert kpi_outputs(warehouse) == expected_kpis


def test_after_a_refresh_archived_the_files_they_load_from_the_archive(tmp_path, one_shot, kpi_outputs):
    """`mckpi refresh` moves processed files to the archive; the waiting ones are read back from there."""
    landing, warehouse, archive = tmp_path / "landing", tmp_path / "wh" / "mckpi.duckdb", tmp_path / "archive"
    config = tmp_path / "mckpi.toml"
    config.write_text(
        f'[paths]\nlanding = "{landing}"\nwarehouse = "{warehouse}"\narchive = "{archive}"\n', "utf-8"
    )
    copy_hand(landing, without="staff/staff.csv")
    first = runner.invoke(app, ["refresh", "--config", str(config)])
    assert first.exit_code == 3, first.output
    assert "required source 'staff'" in first.stderr
    assert not (landing / "payments" / "payments_2024.csv").exists()  # archived, waiting in the archive

    shutil.copy(HAND / "staff" / "staff.csv", landing / "staff" / "staff.csv")
    second = runner.invoke(app, ["refresh", "--config", str(config)])
    assert second.exit_code == 0, second.output
    expected_counts, expected_kpis = one_shot
    got = counts(warehouse)
    assert {k: v for k, v in got.items() if k != "loaded_files"} == {
        k: v for k, v in expected_counts.items() if k != "loaded_files"
    }
    assert kpi_outputs(warehouse) == expected_kpis
    # Files read back from the archive stay there; nothing is left in landing but what never loads.
    assert sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()) == []


def test_a_waiting_file_that_is_gone_is_named(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "mckpi.duckdb"
    copy_hand(landing, without="staff/staff.csv")
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    run_etl(settings)
    (landing / "courses" / "courses.csv").unlink()
    shutil.copy(HAND / "staff" / "staff.csv", landing / "staff" / "staff.csv")
    result = run_etl(settings)
    assert any(
        w.startswith("courses/courses.csv: rows quarantined for an unknown reference could load now, but the file"
                     " is no longer in the landing folder or the archive")
        for w in result.warnings
    ), result.warnings
