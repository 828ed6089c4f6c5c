"""README "Load your own data", followed step by step on the real FutureLearn export laid out as a partner download
(per-run folders, .csv beside .csv.gz, the other exports of each run in the same folder), with the figures checked
against ../shared/realdata/EXPECTED.md."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.contracts import CONTRACTS

runner = CliRunner()

STARTS = ["2016-05-16", "2017-01-30", "2017-09-18", "2017-11-06", "2018-03-05", "2018-05-14", "2018-09-10"]
# EXPECTED.md, enrolments, role = learner; fully participated; purchased statements.
LEARNERS = [14381, 6478, 3357, 3988, 3541, 3172, 2340]
FULLY_PARTICIPATED = [1803, 33, 56, 166, 22, 31, 43]


def partner_download(realdata: Path, target: Path) -> None:
    """As FutureLearn hands it over: Run-N/ folders, FutureLearn's names; even runs unpacked to .csv, odd runs
    .csv.gz, and run 3's enrolments twice (.csv and .csv.gz: the same export)."""
    source = realdata / "futurelearn-cyber-security"
    for n in range(1, 8):
        folder = target / f"Run-{n}"
        folder.mkdir(parents=True)
        for path in sorted(source.glob(f"cyber-security-{n}_*.csv.gz")):
            if n % 2 == 0:
                with gzip.open(path, "rb") as src, (folder / path.name.removesuffix(".gz")).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                shutil.copy(path, folder / path.name)
    with gzip.open(source / "cyber-security-3_enrolments.csv.gz", "rb") as src, (
        target / "Run-3" / "cyber-security-3_enrolments.csv"
    ).open("wb") as dst:
        shutil.copyfileobj(src, dst)


def fill(path: Path, values: dict[str, dict[str, str]], key: str) -> None:
    """What the person does with the skeleton: fill the empty columns they know."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for column, value in values.get(row[key], {}).items():
            assert row[column] == "", f"{column} was already filled: {row[column]!r}"
            row[column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_load_your_own_data_as_the_readme_says(tmp_path, realdata, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MCKPI_PSEUDONYM_KEY", "a long random secret for this test only")
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(tmp_path / "data" / "warehouse" / "mckpi.duckdb"))
    monkeypatch.setenv("MCKPI_PATHS_USERS", str(tmp_path / "data" / "users.json"))
    landing = Path("data/landing")

    # 1. mckpi init data/landing
    result = runner.invoke(app, ["init", str(landing)])
    assert result.exit_code == 0, result.output
    assert (landing / "README.md").is_file() and (landing / "templates" / "staff.csv").is_file()

    # 2. The FutureLearn partner download, as it comes, into futurelearn/.
    partner_download(realdata, landing / "futurelearn")

    # 3. The PTj list and the HR staff export, in the templates' columns.
    (landing / "ptj" / "ptj.csv").write_text(
        ",".join(CONTRACTS["ptj"].header) + "\n"
        "FSKTM,Faculty of Computer Science and Information Technology,Fakulti Sains Komputer dan Teknologi"
        " Maklumat,faculty\n",
        encoding="utf-8",
    )
    (landing / "staff" / "staff.csv").write_text(
        ",".join(CONTRACTS["staff"].header) + "\nS0001,Dr. Aminah Binti Yusof,FSKTM,DS52,active,\n",
        encoding="utf-8",
    )

    # 4. mckpi doctor: not ready, the seven runs have no course run; skeletons written beside the landing folder.
    result = runner.invoke(app, ["doctor", "--landing", str(landing)], env={"COLUMNS": "250"})
    assert result.exit_code == 1, result.output
    assert "missing  courses (required)" in result.output and "missing  course_runs (required)" in result.output
    for n in range(1, 8):
        assert f"? cyber-security-{n}: " in result.output
    # Every export of the partner download is used since issue 17 (question-response, surveys, video-stats ...).
    assert "export: not used" not in result.output
    todo = Path("data/landing-todo")
    with (todo / "course_runs.csv").open(encoding="utf-8") as fh:
        skeleton = list(csv.DictReader(fh))
    assert [r["platform_run_label"] for r in skeleton] == [f"cyber-security-{n}" for n in range(1, 8)]
    assert {r["course_code"] for r in skeleton} == {"CYBER-SECURITY"}
    assert [r["weeks"] for r in skeleton] == ["", "", "", "", "", "3", "3"]  # from step activity (runs 6, 7)
    assert all(r["starts_on"] == "" for r in skeleton)

    # 5. Fill in what the files cannot say, move the two files into the landing folder.
    fill(todo / "course_runs.csv",
         {f"CYBER-SECURITY-{n}": {"starts_on": STARTS[n - 1], **({"weeks": "3"} if n < 6 else {})}
          for n in range(1, 8)}, "run_id")
    fill(todo / "courses.csv", {"CYBER-SECURITY": {
        "ptj_code": "FSKTM", "mqa_category": "3", "mc_type": "mooc", "delivery_mode": "odl",
        "online_share_pct": "100", "design_option": "B1", "credits": "0", "slt_hours": "12", "fee_rm": "0.00",
        "certificate_price_rm": "49.00", "owner_staff_id": "S0001", "plan_phase": "immediate"}}, "course_code")
    shutil.move(todo / "course_runs.csv", landing / "course_runs" / "course_runs.csv")
    shutil.move(todo / "courses.csv", landing / "courses" / "courses.csv")

    result = runner.invoke(app, ["doctor", "--landing", str(landing)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Ready:" in result.output

    # 6. mckpi etl: green, every enrolments file loaded once (run 3's .csv and .csv.gz are one delivery).
    result = runner.invoke(app, ["etl", "--landing", str(landing)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "skipped: futurelearn/Run-3/cyber-security-3_enrolments.csv.gz (the same export as" in result.output or (
        "skipped: futurelearn/Run-3/cyber-security-3_enrolments.csv (the same export as" in result.output
    )
    assert "ignored: futurelearn/Run-4/cyber-security-4_question-response.csv" not in result.output

    # 7. The figures, as a script reads them: EXPECTED.md's learners and fully participated per run.
    result = runner.invoke(app, ["kpi", "show", "completions", "--by", "course_run", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["group_key"]: r for r in json.loads(result.output)["rows"]}
    assert [rows[f"CYBER-SECURITY-{n}"]["enrolments"] for n in range(1, 8)] == LEARNERS
    assert [rows[f"CYBER-SECURITY-{n}"]["completions"] for n in range(1, 8)] == FULLY_PARTICIPATED
    result = runner.invoke(app, ["kpi", "show", "enrolments", "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *lines = result.output.strip().splitlines()
    assert "enrolments" in header.split(",")
    assert sum(int(dict(zip(header.split(","), line.split(","), strict=True))["enrolments"]) for line in lines) == sum(
        LEARNERS)

    # 8. Sign-in for the dashboard: a management account (real data is never served without one).
    result = runner.invoke(app, ["user", "add", "tnc", "--role", "management", "--password-stdin"],
                           input="correct horse battery staple\n")
    assert result.exit_code == 0, result.output
    assert "tnc" in json.loads((tmp_path / "data" / "users.json").read_text())["users"]

    # And mckpi status is green.
    result = runner.invoke(app, ["status"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
