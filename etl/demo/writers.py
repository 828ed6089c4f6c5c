"""Writing the landing files: small ones with the csv module, big ones with DuckDB `copy` (a batch of
FutureLearn runs at a time), the deliberately bad rows, and removing an earlier demo's files."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb

from core.demo_proof import MANIFEST
from etl.demo.catalogue import _money
from etl.demo.plan import _Run
from etl.demo.queries import (
    _ENROLMENTS_SQL,
    _FL_ENROLMENTS_BATCH_SQL,
    _FL_ENROLMENTS_SQL,
    _FL_STEPS_BATCH_SQL,
    _FL_STEPS_SQL,
    _PAYMENTS_SQL,
    _PAYMENTS_YEAR_SQL,
    _RESULTS_SQL,
    _RESULTS_YEAR_SQL,
)


class _Writer:
    def __init__(self, landing: Path) -> None:
        self.landing = landing
        self.files: dict[str, int] = {}

    def path(self, rel: str) -> Path:
        p = self.landing / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def rows(self, rel: str, header: tuple[str, ...], rows: list[list[str]]) -> None:
        with self.path(rel).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        self.files[rel] = len(rows)

    def copy(self, con: duckdb.DuckDBPyConnection, sql: str, rel: str, **params: int) -> None:
        """Run one of the `copy (...) to $path` statements; it orders its rows itself."""
        (written,) = con.execute(sql, {**params, "path": str(self.path(rel))}).fetchone()
        self.files[rel] = written


def _remove_previous_demo(landing: Path) -> None:
    manifest = landing / MANIFEST
    if not manifest.is_file():
        return
    try:
        listed = json.loads(manifest.read_text("utf-8")).get("files", [])
    except (ValueError, AttributeError):
        listed = []
    root = landing.resolve()
    for rel in listed:
        p = (landing / rel).resolve()
        if p.is_file() and root in p.parents:
            p.unlink()
    manifest.unlink()


_BATCH_ENROLMENTS = 200_000  # FutureLearn enrolments per batch: ~2M step rows, a few hundred MB at most


def _batches(runs: list[_Run], budget: int) -> list[list[_Run]]:
    """Consecutive runs grouped so that a group has at most `budget` enrolments (or is a single run)."""
    batches: list[list[_Run]] = []
    size = 0
    for r in runs:
        if not batches or size + r.n > budget:
            batches.append([])
            size = 0
        batches[-1].append(r)
        size += r.n
    return batches


def _write_big_files(con: duckdb.DuckDBPyConnection, out: _Writer, runs: list[_Run]) -> None:
    for batch in _batches([r for r in runs if r.course.is_fl], _BATCH_ENROLMENTS):
        bounds = {"first_run": batch[0].idx, "last_run": batch[-1].idx}
        con.execute(_FL_ENROLMENTS_BATCH_SQL, bounds)
        con.execute(_FL_STEPS_BATCH_SQL, bounds)
        for r in batch:
            out.copy(con, _FL_ENROLMENTS_SQL, f"futurelearn/{r.label}_enrolments.csv", run=r.idx)
            out.copy(con, _FL_STEPS_SQL, f"futurelearn/{r.label}_step-activity.csv", run=r.idx)
    con.execute("drop table if exists fl_enrolments_batch")
    con.execute("drop table if exists fl_steps_batch")
    years = [y for (y,) in con.execute(
        "select distinct year(ts(enrolled_s)) from enrol where not is_fl order by 1").fetchall()]
    for y in years:
        out.copy(con, _ENROLMENTS_SQL, f"enrolments/enrolments_{y}.csv", year=y)
    con.execute(_RESULTS_SQL)
    for (y,) in con.execute("select distinct year from results order by 1").fetchall():
        out.copy(con, _RESULTS_YEAR_SQL, f"results/results_{y}.csv", year=y)
    con.execute(_PAYMENTS_SQL)
    for (y,) in con.execute("select distinct year from payments order by 1").fetchall():
        out.copy(con, _PAYMENTS_YEAR_SQL, f"payments/payments_{y}.csv", year=y)


def _bad_payment_rows(landing: Path, files: dict[str, int], runs: list[_Run]) -> list[list[str]]:
    """Three rows the ETL must quarantine: an unknown PTj, an amount written "RM 1,200.00", and a receipt that
    is already in a payments_<year>.csv file (copied from the first row of the latest one)."""
    yearly = sorted(rel for rel, n in files.items() if re.fullmatch(r"payments/payments_\d{4}\.csv", rel) and n > 0)
    first: list[str] | None = None
    if yearly:
        with (landing / yearly[-1]).open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader)
            first = next(reader)
    if first is not None:
        receipt, learner, run_id, _kind, amount, paid_at, ptj = first
    else:  # no payment at all (a tiny demo): any MC run, an external learner
        mc = next((r for r in runs if r.course.kind != "mooc"), runs[0])
        learner, run_id, amount, ptj = "ext-000001", mc.run_id, _money(mc.course.fee), mc.course.ptj
        paid_at = f"{mc.starts.isoformat()} 10:00:00"
    year = paid_at[:4]
    rows = [
        [f"ADJ-{year}-0001", learner, run_id, "mc_fee", amount, paid_at, "FSKT"],  # no such PTj (typo of FSKTM)
        [f"ADJ-{year}-0002", learner, run_id, "mc_fee", "RM 1,200.00", paid_at, ptj],  # not a plain decimal
    ]
    if first is not None:
        rows.append(first)  # the same receipt again
    return rows
