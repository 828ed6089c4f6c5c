"""Did a run do its job? The problems that keep a published run from being green, and the quarantine reasons to
show with them.

    problems = run_problems(con, files, run_id)  # [] for a complete run
    top = top_quarantine(con, run_id)            # [(file, column, reason, first line, rows)], most rows first

A run with problems still publishes what it could load (so the dashboard and `mckpi status` show it, and waiting
rows load by themselves later, see etl.waiting), but `mckpi etl` and `mckpi refresh` exit with EX_INCOMPLETE, so
cron and systemd see it. The problems:
- a landing file that exists but cannot be read (a symbolic link, no permission, a name DuckDB reads as a pattern);
- a source none of whose new rows loaded, and a FutureLearn export none of whose rows loaded (rows that only
  repeat rows already loaded do not count: re-sending a file loses nothing);
- a required source (core.contracts.REQUIRED_SOURCES) with no rows in the warehouse;
- a warehouse with no enrolments at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import duckdb

from core.contracts import CONTRACTS, REQUIRED_SOURCES
from etl.row_checks import ident

EX_INCOMPLETE = 3  # published, but not everything loaded: see the problems printed (0 ok, 1 failed, 75 locked)


class FileOutcome(Protocol):
    rel: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    source: str | None
    note: str
    problem: bool


@dataclass(frozen=True)
class QuarantineReason:
    file_name: str
    column: str | None
    reason: str
    first_line: int | None
    rows: int

    def __str__(self) -> str:
        where = f"{self.file_name} line {self.first_line}" if self.first_line else self.file_name
        column = f" column {self.column}" if self.column else ""
        more = f" ({self.rows:,} rows)" if self.rows != 1 else " (1 row)"
        return f"{where}{column}: {self.reason}{more}"


# A copy of a row already loaded is quarantined too, but a file that only repeats what is loaded loses nothing.
REPEATS = "(reason like 'already loaded from %' or reason like 'duplicate key%')"


def run_problems(con: duckdb.DuckDBPyConnection, files: Sequence[FileOutcome], run_id: str) -> list[str]:
    problems = [f"{f.rel}: {f.note}" for f in files if f.problem]
    lost = {
        file_name: reason
        for file_name, reason in con.execute(
            "select file_name, arg_max(reason, n) from (select file_name, reason, count(*) as n from quarantine"  # noqa: S608
            f" where run_id = $run_id and not {REPEATS} group by all) group by file_name",
            {"run_id": run_id},
        ).fetchall()
    }
    # A source none of whose new rows loaded; and a FutureLearn export none of whose rows loaded (each export is a
    # whole course run's data: an unknown run label loses all of it, even when the other runs load).
    by_source: dict[str, list[FileOutcome]] = {}
    for f in files:
        if f.status == "loaded" and f.source:
            by_source.setdefault(f.source, []).append(f)
    for source, loaded in by_source.items():
        rows_read = sum(f.rows_read for f in loaded)
        if source.startswith("futurelearn"):
            for f in loaded:
                if f.rows_read and not f.rows_loaded and f.rel in lost:
                    problems.append(f"{f.rel}: all {f.rows_read:,} rows went to quarantine (mostly: {lost[f.rel]})")
        elif rows_read and not sum(f.rows_loaded for f in loaded) and any(f.rel in lost for f in loaded):
            reason = next(lost[f.rel] for f in loaded if f.rel in lost)
            names = ", ".join(f.rel for f in loaded)
            problems.append(f"{source}: all {rows_read:,} new rows went to quarantine ({names}; mostly: {reason})")
    # ... and one loaded before that still waits for its run label: the run's data is still not in the warehouse.
    listed = {f.rel for f in files}
    for (path, label, rows) in con.execute(
        "select path, platform_run_label, rows_quarantined from etl_files where status = 'loaded'"
        " and source like 'futurelearn%' and rows_loaded = 0 and rows_quarantined > 0 and platform_run_label not in"
        " (select platform_run_label from raw_course_runs where platform_run_label is not null) order by path"
    ).fetchall():
        if path not in listed or not any(p.startswith(f"{path}: ") for p in problems):
            problems.append(
                f"{path}: {rows:,} rows still wait for run label '{label}' in course_runs (`mckpi doctor` writes the row)"
            )
    for name in REQUIRED_SOURCES:
        contract = CONTRACTS[name]
        rows = con.execute(f"select count(*) from {ident(contract.raw_table)}").fetchone()[0]  # type: ignore[index]  # noqa: S608
        if not rows:
            problems.append(
                f"required source '{name}' ({contract.title}) has no rows: put {contract.folder}/*.csv in the landing"
                f" folder (template: data/templates/{contract.template_name}; `mckpi doctor` checks a folder)"
            )
    has_enrolments = con.execute(
        "select count(*) from information_schema.tables where table_name = 'fct_enrolment'"
    ).fetchone()[0]  # type: ignore[index]
    if has_enrolments and not con.execute("select count(*) from fct_enrolment").fetchone()[0]:  # type: ignore[index]
        problems.append("the warehouse has no enrolments: no enrolments or FutureLearn enrolments file loaded")
    return problems


def top_quarantine(con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 5) -> list[QuarantineReason]:
    """The run's quarantine rows grouped by file, column and reason, most rows first."""
    rows = con.execute(
        "select file_name, column_name, reason, min(line), count(*) from quarantine where run_id = $run_id"
        " group by all order by 5 desc, 1, 4 limit $limit",
        {"run_id": run_id, "limit": limit},
    ).fetchall()
    return [QuarantineReason(*row) for row in rows]


def waiting_futurelearn_files(con: duckdb.DuckDBPyConnection) -> set[str]:
    """sha256 of FutureLearn exports whose rows were all quarantined because their run label is no course run's
    platform_run_label (yet): the ETL reloads them by itself once it is, so `mckpi refresh` keeps them in landing."""
    rows = con.execute(
        "select sha256 from etl_files where status = 'loaded' and source like 'futurelearn%'"
        " and rows_loaded = 0 and rows_quarantined > 0 and sha256 is not null and platform_run_label not in"
        " (select platform_run_label from raw_course_runs where platform_run_label is not null)"
    ).fetchall()
    return {sha for (sha,) in rows}


__all__ = ["EX_INCOMPLETE", "waiting_futurelearn_files", "QuarantineReason", "run_problems", "top_quarantine"]
