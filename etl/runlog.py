"""The run log: one JSON object per ETL run (failed ones included) appended to <warehouse dir>/etl_runs.jsonl,
because a failed run publishes no warehouse. Each published warehouse copies the log into its `etl_runs` table.

Times are UTC, ISO 8601 in the file, naive UTC timestamps in the table."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

RUNLOG_NAME = "etl_runs.jsonl"

RUN_FIELDS: dict[str, str] = {
    "run_id": "varchar",
    "started_at": "timestamp",
    "finished_at": "timestamp",
    "status": "varchar",
    "message": "varchar",
    "files_loaded": "integer",
    "files_skipped": "integer",
    "rows_read": "bigint",
    "rows_loaded": "bigint",
    "rows_quarantined": "bigint",
}


def runlog_path(published: Path) -> Path:
    return published.parent / RUNLOG_NAME


def append_run(path: Path, record: dict[str, object]) -> None:
    """Append one line; a single O_APPEND write, so concurrent writers do not interleave lines."""
    line = json.dumps({k: record.get(k) for k in RUN_FIELDS}, default=str, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_runs(path: Path) -> list[dict[str, object]]:
    """All runs in the log, oldest first; a damaged line (a run killed mid-write) is skipped."""
    if not path.exists():
        return []
    runs = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and record.get("run_id"):
            runs.append(record)
    return runs


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
