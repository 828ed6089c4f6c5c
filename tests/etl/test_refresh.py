"""`mckpi refresh` (etl/refresh.py) and failure notifications (etl/notify.py): one writer at a time (exit 75),
a bad file fails the run without touching the published warehouse or the landing folder, processed files move
to archive/<run_id>/, later drops are incremental, re-dropped files change nothing, a half-done archive is
harmless, and the webhook gets failures only and never breaks the refresh.

Small hand-made landing folders (tests/fixtures/hand) with the real models: each refresh takes about a second.
"""

from __future__ import annotations

import errno
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import REPO_ROOT, load_settings
from core.notify import notify_failure, post_json
from core.runlog import read_runs
from etl.load import FileResult
from etl.publish import writer_lock
from etl.refresh import EX_TEMPFAIL, REFRESH_LOCK_NAME, archive_files

HAND = REPO_ROOT / "tests" / "fixtures" / "hand"
RUN_ID = r"\d{8}T\d{6}(?:\d{3})?Z-[0-9a-f]{4}"

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Settings come from each test's own config file only."""
    for key in list(os.environ):
        if key.startswith("MCKPI_") and key != "MCKPI_PSEUDONYM_KEY":
            monkeypatch.delenv(key)


@dataclass
class Env:
    root: Path
    landing: Path
    warehouse: Path
    archive: Path
    config: Path

    def write_config(self, webhook: str = "", max_age_hours: float = 36) -> None:
        self.config.write_text(
            "[paths]\n"
            f'landing = "{self.landing}"\nwarehouse = "{self.warehouse}"\narchive = "{self.archive}"\n'
            f"[freshness]\nmax_age_hours = {max_age_hours}\n"
            f'[notify]\nwebhook_url = "{webhook}"\n',
            "utf-8",
        )

    def refresh(self, *extra: str):
        return runner.invoke(app, ["refresh", "--config", str(self.config), *extra])

    def status(self):
        return runner.invoke(app, ["status", "--config", str(self.config)], env={"COLUMNS": "250"})

    def landing_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.landing).as_posix()
            for p in self.landing.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    def archived(self, run_id: str) -> list[str]:
        folder = self.archive / run_id
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    def target(self) -> str:
        return os.readlink(self.warehouse)

    def runs(self) -> list[dict]:
        log = self.warehouse.parent / "etl_runs.jsonl"
        return read_runs(log)

    def figures(self) -> dict[str, object]:
        return figures(self.warehouse)


def figures(warehouse: Path) -> dict[str, object]:
    """What the dashboard would show, in a few numbers."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "enrolments": one("select count(*) from fct_enrolment"),
            "completed": one("select count(*) from fct_enrolment where is_completed"),
            "payments": one("select count(*) from fct_payment"),
            "revenue": one("select sum(signed_amount_rm) from fct_payment"),
            "certificates": one("select count(*) from fct_certificate"),
            "courses": one("select count(*) from dim_course"),
            "steps": one("select count(*) from fct_step_progress"),
            "quarantine": one("select count(*) from quarantine"),
            "raw_payments": one("select count(*) from raw_payments"),
        }


def make_env(root: Path, *, without: tuple[str, ...] = (), webhook: str = "") -> Env:
    env = Env(
        root, root / "landing", root / "warehouse" / "mckpi.duckdb", root / "archive", root / "mckpi.toml"
    )
    shutil.copytree(
        HAND, env.landing, ignore=lambda d, names: [n for n in names if f"{Path(d).name}/{n}" in without]
    )
    env.write_config(webhook)
    return env


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, object]:
    """The figures of one refresh of the whole hand landing folder."""
    env = make_env(tmp_path_factory.mktemp("reference"))
    result = env.refresh()
    assert result.exit_code == 0, result.output
    return env.figures()


def summary_run_id(result) -> str:
    lines = result.stdout.strip().splitlines()
    last = lines[-1]
    assert last.startswith("INFO refresh ") and " published: " in last, result.stdout
    run_id = last.split()[2]
    assert re.fullmatch(RUN_ID, run_id), last
    return run_id


# --- archive and incremental loads -------------------------------------------------------------------------


def test_refresh_archives_processed_files_and_later_drops_add_up(tmp_path, reference):
    env = make_env(tmp_path, without=("payments/payments_2025.csv",))
    (env.landing / "notes.txt").write_text("not data\n")  # ignored (not in a source folder)
    (env.landing / "futurelearn" / "data-analytics-1_peer-review-reviews.csv").write_text(
        "a,b\n1,2\n"
    )  # not used
    (env.landing / ".mckpi-upload-in-progress").write_text("")  # hidden files are left alone
    first_files = env.landing_files()

    result = env.refresh()
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout  # no colours when not a terminal
    assert all(line.split(" ", 1)[0] in {"INFO", "WARNING"} for line in result.stdout.splitlines())
    run1 = summary_run_id(result)
    summary = result.stdout.strip().splitlines()[-1]
    assert (
        "17 files (15 loaded, 2 ignored)" in summary and "rows loaded" in summary and "quarantined" in summary
    )
    assert summary.split(", ")[-1].split(";")[0].endswith(" s")
    assert "WARNING notes.txt: ignored (not in a source folder)" in result.stdout
    # Everything the run saw moved, sub-folders kept; the source folders and hidden files stay.
    assert env.archived(run1) == first_files
    assert env.landing_files() == []
    assert (env.landing / "payments").is_dir() and (env.landing / ".mckpi-upload-in-progress").exists()
    first = env.figures()
    assert first["payments"] < reference["payments"]

    # A file dropped later adds to the figures (incremental) and is archived under the new run.
    shutil.copy(HAND / "payments" / "payments_2025.csv", env.landing / "payments" / "payments_2025.csv")
    result = env.refresh()
    assert result.exit_code == 0, result.output
    run2 = summary_run_id(result)
    assert "1 files (1 loaded)" in result.stdout
    assert env.archived(run2) == ["payments/payments_2025.csv"]
    assert env.figures() == reference

    # Re-dropping an archived file changes nothing (skipped by sha256) and archives it again.
    shutil.copy(env.archive / run1 / "courses" / "courses.csv", env.landing / "courses" / "courses.csv")
    shutil.copy(env.archive / run2 / "payments" / "payments_2025.csv", env.landing / "payments" / "again.csv")
    result = env.refresh("--verbose")
    assert result.exit_code == 0, result.output
    run3 = summary_run_id(result)
    assert "2 files (2 skipped), 0 rows loaded" in result.stdout
    assert "skipped courses/courses.csv (already loaded)" in result.stdout
    assert env.figures() == reference
    assert env.archived(run3) == ["courses/courses.csv", "payments/again.csv"]
    assert [r["status"] for r in env.runs()] == ["succeeded"] * 3
    assert env.status().exit_code == 0


def test_a_half_done_archive_is_harmless(tmp_path, reference, monkeypatch):
    """Moving fails midway: the run is published, the failure is reported (exit 1), and the next refresh skips
    the files left behind (sha256) and archives them; the figures are those of one clean run."""
    env = make_env(tmp_path)
    import etl.refresh

    real_move, moves = etl.refresh._move, []

    def flaky(src: Path, dest: Path) -> None:
        moves.append(src)
        if len(moves) > 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_move(src, dest)

    monkeypatch.setattr(etl.refresh, "_move", flaky)
    result = env.refresh()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mckpi refresh failed: published, but archiving to ")
    assert "No space left on device" in lines[0]
    run1 = env.runs()[-1]["run_id"]
    assert env.runs()[-1]["status"] == "succeeded" and env.target() == f"builds/{run1}.duckdb"
    assert len(env.archived(run1)) == 5 and len(env.landing_files()) == 11
    assert env.figures() == reference

    monkeypatch.setattr(etl.refresh, "_move", real_move)
    result = env.refresh()
    assert result.exit_code == 0, result.output
    run2 = summary_run_id(result)
    assert "11 files (11 skipped), 0 rows loaded" in result.stdout
    assert env.figures() == reference
    assert env.landing_files() == [] and len(env.archived(run2)) == 11


def test_a_file_changed_during_the_run_stays_in_landing(tmp_path):
    landing = tmp_path / "landing"
    (landing / "payments").mkdir(parents=True)
    (landing / "payments" / "p.csv").write_text("new content\n")
    (landing / "notes.txt").write_text("12345")
    files = [
        FileResult("payments/p.csv", "payments", "loaded", sha256="0" * 64, bytes=12),  # not what was loaded
        FileResult("notes.txt", None, "ignored", bytes=5),
        FileResult("payments/gone.csv", "payments", "skipped", sha256="1" * 64),
    ]
    out = archive_files(landing, tmp_path / "archive" / "r1", files)
    assert out.moved == ["notes.txt"] and not out.errors
    assert dict(out.kept) == {
        "payments/p.csv": "changed during the run: the next refresh loads it",
        "payments/gone.csv": "no longer in the landing folder",
    }
    assert (landing / "payments" / "p.csv").exists() and (tmp_path / "archive" / "r1" / "notes.txt").exists()


def test_futurelearn_export_of_an_unknown_run_waits_in_landing(tmp_path):
    """Its rows are quarantined until course_runs knows the label; the ETL then reloads it by itself, so it must
    stay in landing until it has loaded."""
    env = make_env(tmp_path)
    text = (HAND / "futurelearn" / "data-analytics-1_enrolments.csv").read_text()
    (env.landing / "futurelearn" / "data-analytics-2_enrolments.csv").write_text(text.replace("fl-0", "fl-9"))
    result = env.refresh()
    assert result.exit_code == 3, result.output  # published, but a run's data is missing: not green
    assert (
        "WARNING futurelearn/data-analytics-2_enrolments.csv: left in landing (run label 'data-analytics-2'"
        in (result.stdout)
    )
    assert env.landing_files() == ["futurelearn/data-analytics-2_enrolments.csv"]
    enrolments = env.figures()["enrolments"]

    result = env.refresh()  # still unknown: skipped, still kept, still not green
    assert result.exit_code == 3 and "rows still wait for run label 'data-analytics-2'" in result.stderr
    assert env.landing_files() == ["futurelearn/data-analytics-2_enrolments.csv"]

    runs = (HAND / "course_runs" / "course_runs.csv").read_text()
    (env.landing / "course_runs" / "course_runs_2026-01-01.csv").write_text(
        runs + "MC-FSKTM-001-2025-2,MC-FSKTM-001,2025-09-01,5,data-analytics-2\n"
    )
    result = env.refresh()
    assert result.exit_code == 0, result.output
    assert env.landing_files() == []
    assert env.figures()["enrolments"] == enrolments + 5  # six rows, one organisation_admin


# --- failures ----------------------------------------------------------------------------------------------


def test_a_bad_file_fails_the_refresh_and_changes_nothing(tmp_path):
    env = make_env(tmp_path)
    assert env.refresh().exit_code == 0
    published, before = env.target(), env.figures()
    good = (HAND / "courses" / "courses.csv").read_text()
    header, rest = good.split("\n", 1)
    bad = env.landing / "courses" / "courses_2026-01-01.csv"
    bad.write_text(header.replace(",", ";") + "\n" + rest)
    (env.landing / "payments" / "payments_2026.csv").write_text(
        "receipt_id,learner_id,run_id,payment_kind,amount_rm,paid_at,ptj_code\n"
        "R2026-0001,ext-101,MC-FBE-001-2024-2,mc_fee,600.00,2026-01-02 09:10:00,FBE\n"
    )

    result = env.refresh()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "mckpi refresh failed: courses/courses_2026-01-01.csv: line 1: expected header"
    )
    assert "';'-delimited" in lines[0]
    assert env.target() == published and env.figures() == before  # the published warehouse is untouched
    assert env.landing_files() == ["courses/courses_2026-01-01.csv", "payments/payments_2026.csv"]
    last = env.runs()[-1]
    assert last["status"] == "failed" and last["message"].startswith(
        "courses/courses_2026-01-01.csv: line 1:"
    )
    assert lines[0].endswith(f"[run {last['run_id']}]")
    assert not (env.archive / last["run_id"]).exists()
    assert "ERROR refresh " in result.stdout and "nothing published" in result.stdout

    status = env.status()
    assert status.exit_code == 1, status.output  # for monitoring
    assert "failed" in status.output and "courses/courses_2026-01-01.csv" in status.output
    assert f"the last ETL run {last['run_id']} failed" in status.output

    bad.write_text(good.replace("Data Analytics with Python", "Data Analytics with Python (2026)"))
    result = env.refresh()
    assert result.exit_code == 0, result.output
    run_id = summary_run_id(result)
    assert env.archived(run_id) == ["courses/courses_2026-01-01.csv", "payments/payments_2026.csv"]
    assert env.landing_files() == []
    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        assert (
            con.execute("select count(*) from dim_course where course_title like '%(2026)'").fetchone()[0]
            == 1
        )
    st = env.status()
    assert st.exit_code == 0, st.output

    env.write_config(max_age_hours=0.0001)  # the data is now "old"
    time.sleep(0.5)
    status = env.status()
    assert status.exit_code == 1 and "freshness.max_age_hours" in status.output


def test_no_pseudonym_key_no_refresh(tmp_path, monkeypatch):
    """Production has no demo key: without MCKPI_PSEUDONYM_KEY the refresh refuses to hash learner ids."""
    monkeypatch.delenv("MCKPI_PSEUDONYM_KEY", raising=False)
    env = make_env(tmp_path)
    env.config.write_text(env.config.read_text() + '[privacy]\ndemo_pseudonym_key = ""\n')
    result = env.refresh()
    assert result.exit_code == 1
    assert result.stderr.startswith("mckpi refresh failed: no pseudonym key: set MCKPI_PSEUDONYM_KEY")
    assert result.stderr.count("\n") == 1
    assert [r["status"] for r in env.runs()] == ["failed"]  # shown by `mckpi status` and the dashboard
    assert not (env.warehouse.parent / "builds").exists() and len(env.landing_files()) == 16


def test_missing_landing_folder_fails_cleanly(tmp_path):
    env = make_env(tmp_path)
    shutil.rmtree(env.landing)
    result = env.refresh()
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "the landing folder" in result.stderr
    assert env.runs()[-1]["status"] == "failed"


# --- one writer at a time ----------------------------------------------------------------------------------

# A refresh that, once it has loaded the files, waits (at most 30 s) for the test to create a `go` file.
SLOW_REFRESH = """
import pathlib, sys, time
import etl.load
real = etl.load.run_models
def slow(*args, **kwargs):
    go, deadline = pathlib.Path(sys.argv[2]), time.monotonic() + 30
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return real(*args, **kwargs)
etl.load.run_models = slow
from cli.main import app
app(["refresh", "--config", sys.argv[1]], prog_name="mckpi")
"""


def _subprocess_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MCKPI_") or k == "MCKPI_PSEUDONYM_KEY"}


def test_two_refreshes_at_once_one_waits_out_with_75(tmp_path, reference):
    env = make_env(tmp_path)
    lock = env.warehouse.parent / REFRESH_LOCK_NAME
    first = subprocess.Popen(
        [sys.executable, "-c", SLOW_REFRESH, str(env.config), str(tmp_path / "go")],
        cwd=tmp_path,
        env=_subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not (lock.exists() and str(first.pid) in lock.read_text()):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first refresh never took the lock"
            time.sleep(0.05)
        second = subprocess.run(
            [sys.executable, "-m", "cli.main", "refresh", "--config", str(env.config)],
            cwd=REPO_ROOT,
            env=_subprocess_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == EX_TEMPFAIL, (second.stdout, second.stderr)
        assert first.poll() is None  # it really ran while the first one held the lock
        assert second.stderr.strip().splitlines() == [second.stderr.strip()]
        assert second.stderr.startswith(
            f"mckpi refresh not started: another refresh is running (pid {first.pid},"
        )
        (tmp_path / "go").touch()
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, (out, err)
    assert err == ""
    runs = env.runs()
    assert [r["status"] for r in runs] == ["succeeded"]  # the refused refresh logged nothing
    assert env.figures() == reference
    assert sorted(p.name for p in env.archive.iterdir()) == [runs[0]["run_id"]]
    assert env.landing_files() == []


def test_a_refresh_while_an_etl_holds_the_writer_lock_exits_75(tmp_path):
    env = make_env(tmp_path)
    from datetime import UTC, datetime

    with writer_lock(env.warehouse.parent, "manual-etl", datetime.now(UTC)):
        result = env.refresh()
    assert result.exit_code == EX_TEMPFAIL
    assert result.stderr.startswith("mckpi refresh not started: another ETL run holds the lock (pid ")
    assert "run manual-etl" in result.stderr and result.stderr.count("\n") == 1
    assert not env.warehouse.exists() and not env.archive.exists()
    assert len(env.landing_files()) == 16


# --- notifications -----------------------------------------------------------------------------------------


class Stub:
    """A webhook on 127.0.0.1 that records what it is sent."""

    def __init__(self, code: int = 200, delay: float = 0.0):
        self.calls: list[dict] = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.calls.append(
                    {"path": self.path, "type": self.headers.get("Content-Type"), "json": json.loads(body)}
                )
                time.sleep(delay)
                try:
                    self.send_response(code)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/secret-token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Stub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webhook_gets_the_failure_and_nothing_on_success(tmp_path):
    with Stub() as stub:
        env = make_env(tmp_path, webhook=stub.url)
        result = env.refresh()
        assert result.exit_code == 0, result.output
        assert stub.calls == []  # no call on success

        (env.landing / "ptj" / "ptj_2026.csv").write_text("ptj_code;name_en\n")
        result = env.refresh()
        assert result.exit_code == 1
        assert len(stub.calls) == 1
    call = stub.calls[0]
    assert call["path"] == "/hooks/secret-token" and call["type"].startswith("application/json")
    body = call["json"]
    assert set(body) >= {"run_id", "status", "message", "host", "at"}
    last = env.runs()[-1]
    assert body["run_id"] == last["run_id"] and body["status"] == "failed"
    assert body["message"].startswith("ptj/ptj_2026.csv: line 1: expected header")
    assert body["host"] == socket.gethostname() and body["at"][:4] == last["run_id"][:4]
    assert "INFO failure notification sent to http://127.0.0.1:" in result.stdout
    assert "secret-token" not in result.stdout


def test_an_unreachable_webhook_does_not_break_the_refresh(tmp_path):
    env = make_env(tmp_path, webhook=f"http://127.0.0.1:{_closed_port()}/hook")
    (env.landing / "ptj" / "ptj_2026.csv").write_text("ptj_code;name_en\n")
    result = env.refresh()
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("mckpi refresh failed: ptj/ptj_2026.csv: line 1:")
    assert "WARNING failure notification to http://127.0.0.1:" in result.stdout and "failed" in result.stdout

    (env.landing / "ptj" / "ptj_2026.csv").unlink()
    result = env.refresh()  # and a success with the webhook down is a plain success
    assert result.exit_code == 0, result.output


def test_post_json_never_raises(tmp_path):
    settings = load_settings(tmp_path / "none.toml")
    assert notify_failure(settings, run_id="r", message="m") is None  # off when the URL is empty
    with Stub(code=500) as stub:
        assert post_json(stub.url, {"a": "b"}) is False and stub.calls[0]["json"] == {"a": "b"}
    with Stub(delay=2) as stub:
        t0 = time.monotonic()
        assert post_json(stub.url, {"a": "b"}, timeout=0.3) is False
        assert time.monotonic() - t0 < 1.5
    assert post_json("file:///etc/passwd", {}) is False
    assert post_json("not a url", {}) is False
    assert post_json(f"http://127.0.0.1:{_closed_port()}/", {}) is False
