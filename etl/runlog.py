"""The run log: one JSON object per ETL run (failed ones included) appended to <warehouse dir>/etl_runs.jsonl,
because a failed run publishes no warehouse. Each published warehouse copies the log into its `etl_runs` table.

Times are UTC, ISO 8601 in the file, naive UTC timestamps in the table."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import duckdb

from core.errors import EtlError
from core.runlog import (
    EXTRA_FIELDS,
    LOCK_NAME,
    RUN_FIELDS,
    RUNLOG_NAME,
    fallback_runlog_path,
    published_runs,
    read_runs,
    runlog_path,
)
from etl.errorlog import write_traceback

if TYPE_CHECKING:
    from etl.results import EtlResult


def append_run(path: Path, record: dict[str, object]) -> None:
    """Append one line; a single O_APPEND write, so concurrent writers do not interleave lines. A line ends with
    '\n' only: JSON escapes every other line break (U+2028 and the like are written as escapes, ensure_ascii)."""
    keys = [*RUN_FIELDS, *(k for k in EXTRA_FIELDS if record.get(k) is not None)]
    line = json.dumps({k: record.get(k) for k in keys}, default=str, ensure_ascii=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def record_run(published: Path, record: dict[str, object]) -> Path | None:
    """Append to the warehouse's run log, or to the fallback one when that cannot be written; the path written,
    or None when neither could be (the caller still reports the failure on stderr)."""
    for path in (runlog_path(published), fallback_runlog_path(published)):
        try:
            append_run(path, record)
            return path
        except OSError:
            continue
    return None


def close_killed_runs(published: Path) -> list[dict[str, object]]:
    """Write the end of every run that started, never ended and is no longer running (killed, or the machine
    stopped), so it is reported once; the runs closed. Called by the next run while it holds the writer lock."""
    closed = []
    for run in published_runs(published):
        if run.get("killed"):
            record = {k: v for k, v in run.items() if k != "killed"}
            record["finished_at"] = record.get("finished_at") or record.get("started_at")
            record_run(published, record)
            closed.append(record)
    return closed


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def record_failure(result: EtlResult, exc: BaseException) -> NoReturn:
    """Record the run as failed (in the fallback run log when the warehouse folder cannot be written), so that
    `mckpi status` and the freshness page show it, and raise an EtlError that carries the partial result."""
    result.status = "failed"
    result.finished_at = datetime.now(UTC)
    result.message = _one_line(exc)
    if isinstance(exc, Exception) and not isinstance(exc, EtlError):
        # A bug or an I/O error: the traceback goes to a log file, the one-line message says where.
        result.log_file = write_traceback(exc, result.warehouse.parent)
        if result.log_file is not None:
            result.message += f" (details in {result.log_file})"
    result.runlog = record_run(result.warehouse, result.run_record())
    if isinstance(exc, EtlError):
        exc.result = result
        raise exc
    if isinstance(exc, Exception):
        error = EtlError(result.message)
        error.result = result
        raise error from exc
    raise exc  # KeyboardInterrupt, SystemExit: recorded, and go on unwinding


def _ts(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def write_runs_table(con: duckdb.DuckDBPyConnection, runs: list[dict[str, object]]) -> None:
    """Replace the etl_runs table's rows with `runs`."""
    import pyarrow as pa

    types = {
        "varchar": pa.string(),
        "timestamp": pa.timestamp("us"),
        "integer": pa.int32(),
        "bigint": pa.int64(),
    }
    schema = pa.schema([(k, types[v]) for k, v in RUN_FIELDS.items()])
    rows = []
    for r in runs:
        row = {k: r.get(k) for k in RUN_FIELDS}
        row["started_at"] = _ts(row["started_at"])
        row["finished_at"] = _ts(row["finished_at"])
        for k, v in RUN_FIELDS.items():
            if v in ("integer", "bigint") and row[k] is not None:
                row[k] = int(row[k])  # type: ignore[call-overload]
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=schema)
    con.execute("delete from etl_runs")
    con.register("_runs_arrow", table)
    try:
        con.execute(f"insert into etl_runs ({', '.join(RUN_FIELDS)}) select * from _runs_arrow")  # noqa: S608
    finally:
        con.unregister("_runs_arrow")


__all__ = [
    "LOCK_NAME",
    "RUNLOG_NAME",
    "RUN_FIELDS",
    "append_run",
    "close_killed_runs",
    "fallback_runlog_path",
    "published_runs",
    "read_runs",
    "record_failure",
    "record_run",
    "runlog_path",
    "write_runs_table",
]
