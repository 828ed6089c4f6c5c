"""Readers and the writer at the same time: 5 reader processes load every dashboard KPI in a loop (through
`read.warehouse.Warehouse`, as the app does) while 5 ETL runs, each adding enrolments, publish one after
another, and one attempt to run a second ETL while one is running is refused with the lock error.

Zero reader errors, and every read sees one published state, never a mix: each reader reads the enrolments KPI
total and the warehouse's etl_run_id on one connection, and the pair must be one the writer recorded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from core.config import REPO_ROOT, load_settings
from core.contracts import CONTRACTS
from etl.load import run_etl
from etl.publish import LockHeld, writer_lock_held

pytestmark = pytest.mark.slow

READERS = 5
ETL_RUNS = 5

READER = r"""
import json, sys, time, traceback
from pathlib import Path

from read.kpi import list_kpis, run_kpi
from read.warehouse import Warehouse
from core.config import load_settings

path, out, stop, ready = (Path(a) for a in sys.argv[1:5])
settings = load_settings()
wh = Warehouse(path, timeout_s=60)
ids = [k.id for k in list_kpis()]
pairs, errors, kpi_runs, loops = [], [], 0, 0


def state(con):
    # One connection (one build file) for both: the run id and the KPI total must belong together.
    cur = con.cursor()
    try:
        run_id = cur.execute("select value from warehouse_info where key = 'etl_run_id'").fetchone()[0]
        table = run_kpi(cur, "enrolments", settings=settings).table
        return run_id, int(sum(v or 0 for v in table.column("enrolments").to_pylist()))
    finally:
        cur.close()


while True:
    stopping = stop.exists()
    for kpi_id in ids:
        try:
            run_kpi(wh, kpi_id, settings=settings)
            kpi_runs += 1
        except Exception as exc:
            errors.append(f"{kpi_id}: {type(exc).__name__}: {exc}")
        try:
            pairs.append(state(wh.connect()))
        except Exception as exc:
            errors.append(f"state: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    loops += 1
    ready.touch()
    if stopping:
        break
wh.close()
out.write_text(json.dumps({"pairs": pairs, "errors": errors, "kpi_runs": kpi_runs, "loops": loops}))
"""


def published_state(warehouse: Path, settings) -> tuple[str, int]:
    from read.kpi import run_kpi

    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_id = con.execute("select value from warehouse_info where key = 'etl_run_id'").fetchone()[0]  # type: ignore[index]
        table = run_kpi(con, "enrolments", settings=settings).table
        return run_id, int(sum(v or 0 for v in table.column("enrolments").to_pylist()))


def add_enrolments(landing: Path, i: int, n: int) -> None:
    import csv

    path = landing / "enrolments" / f"wave_{i}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CONTRACTS["enrolments"].header)
        for k in range(n):
            run = "MC-FSKTM-001-2024-1" if k % 2 else "MOOC-APM-002-2024-1"
            writer.writerow(
                [run, f"wave{i}-{k}", "2024-02-20 10:00:00", "", "external", "MY", "26-35", "", "female"]
            )


def test_readers_never_fail_and_never_see_a_mix(tmp_path: Path, template_env_source) -> None:
    import shutil

    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse" / "mckpi.duckdb"
    shutil.copytree(template_env_source.landing, landing)
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    run_etl(settings, landing, warehouse)
    states = dict([published_state(warehouse, settings)])

    script = tmp_path / "reader.py"
    script.write_text(READER)
    stop = tmp_path / "stop"
    readers = []
    for r in range(READERS):
        out, ready = tmp_path / f"reader{r}.json", tmp_path / f"reader{r}.ready"
        proc = subprocess.Popen(
            [sys.executable, str(script), str(warehouse), str(out), str(stop), str(ready)],
            cwd=REPO_ROOT,
            stderr=subprocess.PIPE,
        )
        readers.append((proc, out, ready))
    try:
        deadline = time.monotonic() + 120
        while not all(ready.exists() for _, _, ready in readers):  # every reader has loaded every KPI once
            assert time.monotonic() < deadline and all(p.poll() is None for p, _, _ in readers)
            time.sleep(0.05)

        refused = None
        for i in range(1, ETL_RUNS + 1):
            add_enrolments(landing, i, 10 * i)
            if i != 3:
                result = run_etl(settings, landing, warehouse)
            else:
                # A second ETL while this one runs: refused at once with the lock error, and harmless.
                box: dict = {}

                def first(box: dict = box) -> None:
                    box["r"] = run_etl(settings, landing, warehouse)

                writer = threading.Thread(target=first)
                writer.start()
                while not writer_lock_held(warehouse.parent) and writer.is_alive():
                    time.sleep(0.001)
                try:
                    run_etl(settings, landing, warehouse)
                except LockHeld as exc:
                    refused = str(exc)
                writer.join()
                result = box["r"]
            assert result.status == "succeeded"
            run_id, total = published_state(warehouse, settings)
            assert run_id == result.run_id
            states[run_id] = total
            time.sleep(0.3)  # let the readers see this state
        assert refused is not None and refused.startswith("another ETL run holds the lock (pid "), refused
    finally:
        stop.touch()
        reports = []
        for proc, out, _ in readers:
            try:
                proc.wait(timeout=120)
            finally:
                if proc.poll() is None:
                    proc.kill()
            stderr = proc.stderr.read().decode() if proc.stderr else ""
            assert proc.returncode == 0, stderr
            reports.append(json.loads(out.read_text()))

    assert len(states) == ETL_RUNS + 1 and len(set(states.values())) == ETL_RUNS + 1
    seen = set()
    for report in reports:
        assert report["errors"] == [], report["errors"][:5]
        assert report["kpi_runs"] > 0
        for run_id, total in report["pairs"]:
            assert states.get(run_id) == total, (run_id, total, states)  # a state the writer published
            seen.add(run_id)
    assert len(seen) >= 3, (seen, states)  # the readers really read while the warehouse changed
    print(f"\nstates {states}\nreader loops {[r['loops'] for r in reports]}, states seen {len(seen)}")
