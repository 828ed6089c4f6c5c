"""Failures always visible: a killed ETL, a run that could not write in the warehouse folder (read-only, full, no
permission) and a refresh that died early all show in `mckpi status` (non-zero, one line naming the run and the
cause) and in the run log the dashboard's freshness page reads, and the failure webhook hears of each. A refresh
refused by the lock is not a failed run. An unforeseen error is one line on stderr naming a log file with the
traceback, never a traceback in the terminal."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_refresh import HAND, Stub, make_env
from typer.testing import CliRunner

from core.runlog import fallback_runlog_path, published_runs
from etl.cli import app
from etl.config import REPO_ROOT, load_settings
from etl.load import run_etl
from etl.validate import EtlError

runner = CliRunner()


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("MCKPI_PSEUDONYM_KEY", "test key for failures")


def problem_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("problem:")]


def big_payments(landing: Path, rows: int = 200_000) -> None:
    """Enough to keep a run busy for a moment, so that it can be killed in the middle."""
    path = landing / "payments" / "big.csv"
    with path.open("w") as fh:
        fh.write("receipt_id,learner_id,run_id,payment_kind,amount_rm,paid_at,ptj_code\n")
        for n in range(rows):
            fh.write(f"BIG-{n:07d},ext-{n},MC-FBE-001-2024-2,mc_fee,600.00,2025-01-02 09:10:00,FBE\n")


@pytest.mark.slow
def test_a_killed_etl_shows_in_status_and_the_next_refresh_reports_it(tmp_path):
    with Stub() as stub:
        env = make_env(tmp_path, webhook=stub.url)
        assert env.refresh().exit_code == 0
        big_payments(env.landing)
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl.cli", "etl", "--config", str(env.config)], cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        builds = env.warehouse.parent / "builds"
        deadline = time.monotonic() + 120
        while not any(p.name.endswith(".tmp") for p in builds.iterdir()):  # the build is under way
            assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        status = env.status()
        assert status.exit_code == 1, status.output
        [line] = problem_lines(status)
        killed = published_runs(env.warehouse)[-1]
        assert line == (f"problem: the last ETL run {killed['run_id']} failed: stopped before it finished (killed, or"
                        " the machine stopped): nothing was published by it")
        assert killed["status"] == "failed"  # what the freshness page reads (dashboard.data.run_log)

        result = env.refresh()  # reports the killed run to the webhook once, then loads what it did not
        assert result.exit_code == 0, result.output
    assert [(c["json"]["run_id"], c["json"]["status"]) for c in stub.calls] == [(killed["run_id"], "failed")]
    assert "stopped before it finished" in stub.calls[0]["json"]["message"]
    assert env.status().exit_code == 0
    assert env.refresh().exit_code == 0 and len(stub.calls) == 1  # reported once, not at every refresh


def test_a_run_that_cannot_write_the_warehouse_folder_is_still_in_status(tmp_path, monkeypatch):
    """Read-only folder, no permission (root ignores file modes, so the OS error is injected where the writer
    lock opens its file): the run is recorded in the fallback run log, which status reads too."""
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "mckpi.duckdb"
    shutil.copytree(HAND, landing)
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    fallback = fallback_runlog_path(warehouse)
    fallback.unlink(missing_ok=True)
    real_open = os.open

    def read_only(path, flags, *args):
        if str(path).startswith(str(warehouse.parent)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(EtlError) as info:
        run_etl(settings)
    monkeypatch.setattr(os, "open", real_open)
    assert str(info.value) == (f"cannot write the warehouse in {warehouse.parent}: the file system is read-only;"
                               " free space or give the ETL's user write access, then run again (the published"
                               " warehouse is unchanged)")
    runs = published_runs(warehouse)
    assert [r["status"] for r in runs] == ["failed"] and runs[0]["message"] == str(info.value)
    assert fallback.is_file()
    config = tmp_path / "mckpi.toml"
    config.write_text(f'[paths]\nlanding = "{landing}"\nwarehouse = "{warehouse}"\n', "utf-8")
    status = runner.invoke(app, ["status", "--config", str(config)], env={"COLUMNS": "300"})
    assert status.exit_code == 1
    assert problem_lines(status) == [f"problem: the last ETL run {runs[0]['run_id']} failed: {info.value}"]
    fallback.unlink()


def test_a_full_disk_during_the_build_fails_cleanly(tmp_path, monkeypatch):
    """ENOSPC in the middle of a build: one clear line, the published warehouse as it was, the run recorded."""
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "mckpi.duckdb"
    shutil.copytree(HAND, landing)
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    first = run_etl(settings)
    (landing / "payments" / "more.csv").write_text(
        "receipt_id,learner_id,run_id,payment_kind,amount_rm,paid_at,ptj_code\n"
        "R-FULL-1,ext-101,MC-FBE-001-2024-2,mc_fee,600.00,2025-01-02 09:10:00,FBE\n"
    )

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("etl.load.run_models", full)
    with pytest.raises(EtlError) as info:
        run_etl(settings)
    assert "the disk is full" in str(info.value) and str(warehouse.parent) in str(info.value)
    assert os.readlink(warehouse) == f"builds/{first.run_id}.duckdb"
    assert not list((warehouse.parent / "builds").glob("*.tmp"))
    assert published_runs(warehouse)[-1]["status"] == "failed"


def test_a_refresh_that_dies_before_the_etl_is_recorded_and_reported(tmp_path, monkeypatch):
    with Stub() as stub:
        env = make_env(tmp_path, webhook=stub.url)

        def cannot(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(env.warehouse.parent / ".mckpi-refresh.lock"))

        monkeypatch.setattr("etl.refresh.refresh_lock", cannot)
        result = env.refresh()
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"mckpi refresh failed: cannot write in the warehouse folder {env.warehouse.parent}:"
                           " Permission denied")
    [run] = published_runs(env.warehouse)
    assert run["status"] == "failed" and line.endswith(f"[run {run['run_id']}]")
    assert [c["json"]["run_id"] for c in stub.calls] == [run["run_id"]]
    status = env.status()
    assert status.exit_code == 1 and f"the last ETL run {run['run_id']} failed: cannot write" in status.output


def test_an_unforeseen_error_is_one_line_and_a_log_file(tmp_path):
    """A bug (here: a models folder that is a file) is one line on stderr naming the log with the traceback."""
    env_vars = {**os.environ, "MCKPI_PATHS_WAREHOUSE": str(tmp_path / "wh" / "mckpi.duckdb"), "COLUMNS": "300"}
    code = (
        "import sys, etl.cli, etl.load\n"
        "def boom(*a, **k):\n    raise RuntimeError('something nobody foresaw')\n"
        "etl.load.load_landing = boom\n"
        "sys.argv = ['mckpi', 'etl', '--landing', sys.argv[1]]\n"
        "etl.cli.main()\n"
    )
    shutil.copytree(HAND, tmp_path / "landing")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "landing")], cwd=REPO_ROOT,
                          capture_output=True, text=True, env=env_vars, timeout=120)
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("error: ETL failed: something nobody foresaw (details in ")
    log = Path(line.split("(details in ", 1)[1].rstrip(")"))
    assert log.parent == tmp_path / "wh" / "logs"
    assert "Traceback" in log.read_text() and "RuntimeError: something nobody foresaw" in log.read_text()
    assert "Traceback" not in proc.stdout + proc.stderr


def test_main_turns_a_crash_outside_the_etl_into_one_line(tmp_path):
    env_vars = {**os.environ, "MCKPI_PATHS_WAREHOUSE": str(tmp_path / "wh" / "mckpi.duckdb"), "COLUMNS": "300"}
    code = (
        "import sys, etl.cli\n"
        "def boom(*a, **k):\n    raise ValueError('bad state')\n"
        "etl.cli.load_settings = boom\n"
        "sys.argv = ['mckpi', 'status']\n"
        "etl.cli.main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, env=env_vars,
                          timeout=120)
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("error: ValueError: bad state — this is a bug or a problem of the machine")
    assert "the details are in " in line and "Traceback" not in proc.stderr
