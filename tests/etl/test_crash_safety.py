"""Crash safety: `python -m cli.main etl` SIGKILLed at 20 moments of a run (spread over the run as measured, a few
right at the end to catch the publish). After every kill the published warehouse opens read-only and holds either
the previous good run's figures or (a kill after the swap) the complete new run's; no lock is left held, and the
next run succeeds, cleans up what the killed one left and loads the data the killed run did not publish.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from core.config import REPO_ROOT, load_settings
from core.published import published_target
from etl.load import run_etl
from etl.publish import writer_lock_held

pytestmark = pytest.mark.slow

KILLS = 20
ROWS_PER_DELIVERY = 5000
FIGURES = (
    "select count(*) from raw_payments",
    "select sum(amount_rm) from raw_payments",
    "select count(*) from fct_payment",
    "select sum(signed_amount_rm) from fct_payment",
    "select count(*) from fct_enrolment",
    "select count(*) from etl_files where status = 'loaded'",
)


def figures(published: Path) -> tuple:
    """(build file, etl_run_id, figures...) of the published warehouse, opened read-only like a reader."""
    with duckdb.connect(str(published), read_only=True) as con:
        run_id = con.execute("select value from warehouse_info where key = 'etl_run_id'").fetchone()[0]  # type: ignore[index]
        values = tuple(con.execute(sql).fetchone()[0] for sql in FIGURES)  # type: ignore[index]
    return (published_target(published).name, run_id, *values)  # type: ignore[union-attr]


def add_delivery(landing: Path, i: int, run_id: str, ptj: str) -> None:
    """A new finance file: the data a run has to load (so a kill can land mid-load)."""
    path = landing / "payments" / f"crash_{i:02d}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            ["receipt_id", "learner_id", "run_id", "payment_kind", "amount_rm", "paid_at", "ptj_code"]
        )
        for n in range(ROWS_PER_DELIVERY):
            writer.writerow(
                [
                    f"CRASH-{i:02d}-{n:05d}",
                    f"ext-crash-{n}",
                    run_id,
                    "mc_fee",
                    f"{100 + i}.{n % 100:02d}",
                    "2025-05-01 10:00:00",
                    ptj,
                ]
            )


def start_cli(landing: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "etl", "--landing", str(landing), "--warehouse", str(warehouse)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
    )


def measure_run(landing: Path, warehouse: Path) -> tuple[float, float]:
    """(seconds until the build file appears, seconds until the run has finished) of one complete CLI run."""
    builds = warehouse.parent / "builds"
    started = time.perf_counter()
    proc = start_cli(landing, warehouse)
    build_at = None
    while proc.poll() is None:
        if build_at is None and any(p.name.endswith(".duckdb.tmp") for p in builds.iterdir()):
            build_at = time.perf_counter() - started
        time.sleep(0.005)
    total = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
    return (build_at if build_at is not None else total * 0.5), total


def wait_for(proc: subprocess.Popen, warehouse: Path, before: Path | None, moment: tuple[str, float]) -> None:
    """Return at `moment` of the run: ('start', s) s seconds after the process started; ('build', s) s seconds
    after its build file appeared; ('renamed', 0) as soon as the build is renamed from .tmp (just before or just
    after the symlink swap); ('swapped', 0) as soon as the published link points at the new build (while the run
    log is written and old builds are removed). Returns early if the process ends."""
    kind, seconds = moment
    if kind == "start":
        time.sleep(seconds)
        return
    builds = warehouse.parent / "builds"
    known = {p.name for p in builds.iterdir()}
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        names = [p.name for p in builds.iterdir()]
        if kind == "build" and any(n.endswith(".duckdb.tmp") and n not in known for n in names):
            time.sleep(seconds)
            return
        if kind == "renamed" and any(n.endswith(".duckdb") and n not in known for n in names):
            return
        if kind == "swapped" and published_target(warehouse) != before:
            return
        time.sleep(0.0005)


def test_sigkill_at_20_moments_never_breaks_the_published_warehouse(tmp_path: Path) -> None:
    from etl.demo import generate

    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse" / "mckpi.duckdb"
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    generate(landing, 500, 11)
    run_etl(settings, landing, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_id, ptj = con.execute(
            "select run_id, ptj_code from dim_course_run order by run_id limit 1"
        ).fetchone()  # type: ignore[misc]

    # Measure one CLI run that loads a delivery: when the build starts and when the run is over.
    add_delivery(landing, 0, run_id, ptj)
    build_at, total = measure_run(landing, warehouse)
    good = figures(warehouse)
    # 20 moments: 2 while the process starts up, 14 spread over the build (timed from the moment the build file
    # appears, so a slow start-up does not shift them), then 4 during the publish itself, triggered by what the
    # run does rather than by a clock.
    work = max(total - build_at, 0.2)
    moments: list[tuple[str, float]] = [("start", build_at * 0.3), ("start", build_at * 0.8)]
    moments += [("build", work * 0.9 * k / 13) for k in range(14)]
    moments += [("renamed", 0.0), ("renamed", 0.0), ("swapped", 0.0), ("swapped", 0.0)]
    assert len(moments) == KILLS

    outcomes = []
    builds = warehouse.parent / "builds"
    for i, moment in enumerate(moments, start=1):
        add_delivery(landing, i, run_id, ptj)
        before = published_target(warehouse)
        known = {p.name for p in builds.iterdir()}
        proc = start_cli(landing, warehouse)
        wait_for(proc, warehouse, before, moment)
        label = f"{moment[0]}+{moment[1]:.2f}s"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        assert "holds the lock" not in stderr, stderr
        leftover = any(
            p.name.endswith((".tmp", ".tmp.wal")) or p.name.startswith(".spill-") for p in builds.iterdir()
        )

        # The published warehouse is whole: the previous good run, or (killed after the swap) the new one.
        assert not writer_lock_held(warehouse.parent), f"kill {i} at {label} left the lock held"
        after_kill = figures(warehouse)
        published_new = after_kill != good
        orphan = any(
            p.suffix == ".duckdb" and p.name not in known and p != published_target(warehouse)
            for p in builds.iterdir()
        )
        outcomes.append(
            (label, "exited" if proc.returncode == 0 else "killed", leftover, orphan, published_new)
        )

        # The next run succeeds, removes the killed run's leftovers and loads what was not published.
        result = run_etl(settings, landing, warehouse)
        assert result.status == "succeeded"
        assert not any(
            p.name.endswith((".tmp", ".tmp.wal")) or p.name.startswith(".spill-") for p in builds.iterdir()
        )
        now = figures(warehouse)
        if published_new:
            # The killed run had published everything: the next run only records itself.
            assert after_kill[2:] == now[2:], (i, label, after_kill, now)
        else:
            assert after_kill == good, (i, label, after_kill, good)
        assert now[2] == good[2] + ROWS_PER_DELIVERY
        good = now

    print(
        "\nkills (moment, process, left a .tmp build, left an unpublished build, had published):",
        *outcomes,
        sep="\n  ",
    )
    assert sum(1 for o in outcomes if o[2]) >= 4, outcomes  # several kills landed mid-build
    assert any(o[3] or o[4] for o in outcomes), outcomes  # and at least one during the publish
    # Every delivery loaded exactly once.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        count, distinct = con.execute(
            "select count(*), count(distinct receipt_id) from fct_payment where receipt_id like 'CRASH-%'"
        ).fetchone()  # type: ignore[misc]
    assert count == distinct == ROWS_PER_DELIVERY * (KILLS + 1)
