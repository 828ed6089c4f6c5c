"""Publishing: the published path is a symlink swapped atomically, one writer at a time, failed runs publish
nothing, old builds are kept for rollback, and readers never see a half-built warehouse."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.config import REPO_ROOT, Retention
from core.contracts import CONTRACTS
from core.published import published_run_id
from core.runlog import read_runs
from etl.load import SCHEMA_VERSION
from etl.models import ModelError
from etl.publish import LockHeld, PublishError, list_builds, rollback, writer_lock

RUN_ID = re.compile(r"^\d{8}T\d{6}(\d{3})?Z-[0-9a-f]{4}$")


def runlog(env) -> list[dict]:
    return read_runs(env.warehouse.parent / "etl_runs.jsonl")


def test_published_path_is_a_link_to_the_build(etl_env):
    result = etl_env.run()
    assert RUN_ID.match(result.run_id)
    assert etl_env.warehouse.is_symlink()
    assert os.readlink(etl_env.warehouse) == f"builds/{result.run_id}.duckdb"
    assert result.build == etl_env.warehouse.parent / "builds" / f"{result.run_id}.duckdb"
    assert published_run_id(etl_env.warehouse) == result.run_id
    info = dict(etl_env.query("select key, value from warehouse_info"))
    assert info["etl_run_id"] == result.run_id
    assert info["schema_version"] == SCHEMA_VERSION
    assert info["is_demo"] == "false"
    assert info["pseudonym_key_is_demo"] == ("true" if etl_env.settings.uses_demo_key() else "false")
    assert info["published_at"][:4] == result.run_id[:4]
    # etl_runs holds the whole history, this run included; the jsonl log has the same runs.
    runs = etl_env.query(
        "select run_id, status, files_loaded, files_skipped, rows_loaded from etl_runs order by 1"
    )
    assert runs[-1] == (result.run_id, "succeeded", 0, len(CONTRACTS), 0)
    assert runs[0][1:] == ("succeeded", len(CONTRACTS), 0, 2 * len(CONTRACTS))
    assert [r["run_id"] for r in runlog(etl_env)] == [r[0] for r in runs]
    assert not list((etl_env.warehouse.parent / "builds").glob("*.tmp"))


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_second_writer_is_refused(etl_env):
    before = etl_env.published()
    runs_before = runlog(etl_env)
    with writer_lock(etl_env.warehouse.parent, "test-holder", _now()), pytest.raises(LockHeld) as info:
        etl_env.run()
    assert str(info.value).startswith(f"another ETL run holds the lock (pid {os.getpid()}, started at 20")
    assert "run test-holder" in str(info.value)
    assert etl_env.published() == before
    # Refused before it tried anything: not a failed run (a scheduler retries; `mckpi status` stays green).
    assert runlog(etl_env) == runs_before
    assert etl_env.run().status == "succeeded"  # the lock is free again


def test_a_failed_run_publishes_nothing_and_is_recorded(etl_env, csv_writer):
    before = etl_env.published()
    (etl_env.models / "staging" / "stg_broken.sql").write_text("select * from no_such_table")
    csv_writer(
        etl_env.landing / "payments" / "p2.csv",
        CONTRACTS["payments"].header,
        [["R2", "ext-1", "MC-FSKTM-001-2024-1", "mc_fee", "650.00", "2024-03-01 10:00:00", "FSKTM"]],
    )
    with pytest.raises(ModelError, match=r"model staging/stg_broken.sql failed: Catalog Error"):
        etl_env.run()
    assert etl_env.published() == before
    assert etl_env.scalar("select count(*) from raw_payments") == 2
    assert not [p for p in (etl_env.warehouse.parent / "builds").iterdir() if not p.name.endswith(".duckdb")]
    failed = runlog(etl_env)[-1]
    assert failed["status"] == "failed" and "stg_broken.sql" in failed["message"]
    assert failed["files_loaded"] == 1 and failed["rows_loaded"] == 1
    (etl_env.models / "staging" / "stg_broken.sql").unlink()
    ok = etl_env.run()
    assert etl_env.scalar("select count(*) from raw_payments") == 3
    assert etl_env.query(
        "select status from etl_runs where run_id in ($a, $b) order by run_id",
        {"a": failed["run_id"], "b": ok.run_id},
    ) == [("failed",), ("succeeded",)]


def test_leftovers_of_a_killed_run_are_cleaned(etl_env):
    builds = etl_env.warehouse.parent / "builds"
    (builds / "20200101T000000Z-dead.duckdb.tmp").write_bytes(b"half a warehouse")
    (builds / ".spill-20200101T000000Z-dead").mkdir()
    etl_env.run()
    assert sorted(p.name for p in builds.iterdir() if not p.name.endswith(".duckdb")) == []


def test_retention_and_rollback(etl_env):
    etl_env.settings = dataclasses.replace(etl_env.settings, retention=Retention(keep_warehouses=2))
    first = published_run_id(etl_env.warehouse)
    runs = [etl_env.run().run_id for _ in range(3)]
    builds = list_builds(etl_env.warehouse)
    assert [b.run_id for b in builds] == [runs[2], runs[1]]
    assert [b.is_published for b in builds] == [True, False]
    assert first not in [b.run_id for b in builds]
    rollback(etl_env.warehouse, runs[1])
    assert published_run_id(etl_env.warehouse) == runs[1]
    assert etl_env.scalar("select value from warehouse_info where key = 'etl_run_id'") == runs[1]
    with pytest.raises(PublishError, match="no build 20200101T000000Z-beef"):
        rollback(etl_env.warehouse, "20200101T000000Z-beef")
    # The next run builds on the rolled-back warehouse; retention never removes the published build.
    newest = etl_env.run().run_id
    assert [b.run_id for b in list_builds(etl_env.warehouse)] == [newest, runs[2]]


READER = r"""
import json, sys, time, duckdb
path, stop, out = sys.argv[1:4]
seen, errors = [], []
from pathlib import Path
while not Path(stop).exists():
    try:
        with duckdb.connect(path, read_only=True) as con:
            seen.append(list(con.execute(
                "select (select value from warehouse_info where key = 'etl_run_id'),"
                " (select sum(amount_rm)::varchar from raw_payments)").fetchone()))
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.05)
Path(out).write_text(json.dumps({"seen": seen, "errors": errors}))
"""


def test_readers_see_old_or_new_never_broken(etl_env, csv_writer, tmp_path):
    """A reader process keeps opening the published warehouse while `mckpi etl` publishes three times."""
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(etl_env.warehouse), str(stop), str(out)])
    published = {(published_run_id(etl_env.warehouse), "1300.00")}
    try:
        for i in range(1, 4):
            csv_writer(
                etl_env.landing / "payments" / f"p{i}.csv",
                CONTRACTS["payments"].header,
                [
                    [
                        f"R-{i}",
                        "ext-88412",
                        "MOOC-APM-002-2024-1",
                        "certificate",
                        "10.00",
                        "2024-09-20 10:00:00",
                        "APM",
                    ]
                ],
            )
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cli.main",
                    "etl",
                    "--landing",
                    str(etl_env.landing),
                    "--warehouse",
                    str(etl_env.warehouse),
                ],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            published.add((published_run_id(etl_env.warehouse), f"{1300 + 10 * i}.00"))
            time.sleep(0.1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    report = json.loads(out.read_text())
    assert report["errors"] == []
    seen = {tuple(s) for s in report["seen"]}
    assert len(report["seen"]) > 20
    assert seen <= published, seen - published
    assert len(seen) >= 3  # it saw the figure change while it read


def test_python_dash_m_works():
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for command in ("demo", "etl", "status", "templates"):
        assert command in done.stdout


def test_etl_never_imports_streamlit():
    code = "import sys, cli.main, etl.load, etl.publish; assert 'streamlit' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, timeout=60).returncode == 0


def test_paths_are_relative_links(etl_env):
    assert not Path(os.readlink(etl_env.warehouse)).is_absolute()
