"""The ETL run log, as every layer reads it: one JSON object per line, `\n`-ended, in
`<warehouse dir>/etl_runs.jsonl` (written by etl.runlog; a failed run publishes no warehouse, so this file is where
it shows). The dashboard's freshness page and `mckpi status` read it through `read_runs`."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

RUNLOG_NAME = "etl_runs.jsonl"
LOCK_NAME = ".mckpi.lock"  # etl.publish.writer_lock's file: its holder's pid and run id while a run is on

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
EXTRA_FIELDS = ("pid", "problems", "log_file")
KILLED_MESSAGE = "stopped before it finished (killed, or the machine stopped): nothing was published by it"  # in the file only: who runs it, what kept it from green, traceback


def runlog_path(published: Path) -> Path:
    return published.parent / RUNLOG_NAME


def fallback_runlog_path(published: Path) -> Path:
    """Where a run's record goes when the warehouse folder cannot be written (read-only, full, no permission):
    the system's temporary folder, one file per warehouse path, so that `mckpi status` still shows the failure."""
    digest = hashlib.sha256(str(published.absolute()).encode("utf-8")).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"mckpi-{digest}-{RUNLOG_NAME}"


def _lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    # Records end with '\n' only; str.splitlines() would also split at U+2028, U+0085 ... inside a value.
    return data.decode("utf-8", errors="replace").split("\n")


def read_runs(path: Path, *, fallback: Path | None = None) -> list[dict[str, object]]:
    """All runs in the log (and the fallback log), oldest first, one dict per run: a run's later lines (its end
    after its start) update its earlier ones. A damaged line (a run killed mid-write) is skipped. A run that
    started and never ended, and is no longer running, is shown as failed ("stopped before it finished")."""
    merged: dict[str, dict[str, object]] = {}
    from_fallback = False
    for source in (path, fallback):
        if source is None:
            continue
        for line in _lines(source):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("run_id"):
                merged.setdefault(str(record["run_id"]), {}).update(record)
                from_fallback = from_fallback or source is fallback
    runs = list(merged.values())  # in the order the runs started (a run's first line is written at its start)
    if from_fallback:  # the two logs interleave by start time (run ids sort by it too)
        runs.sort(key=lambda r: str(r.get("started_at") or ""))
    lock = path.parent / LOCK_NAME
    for run in runs:
        if run.get("status") == "running" and not _still_running(run, lock):
            run["killed"] = True  # no line says so yet (etl.runlog.close_killed_runs writes one)
            run["status"] = "failed"
            run["message"] = KILLED_MESSAGE
    return runs


def _still_running(run: dict[str, object], lock: Path) -> bool:
    """The lock file names the run and its process is alive (a killed run leaves its name in the lock file, but
    its process is gone; a run that ended cleanly empties the file)."""
    try:
        holder = json.loads(lock.read_text("utf-8") or "{}")
    except (OSError, ValueError):
        return False
    if not isinstance(holder, dict) or holder.get("run_id") != run.get("run_id"):
        return False
    try:
        os.kill(int(holder.get("pid") or 0), 0)
    except PermissionError:
        return True  # alive, another user's
    except (OSError, ValueError, TypeError):
        return False
    return int(holder.get("pid") or 0) > 0


def published_runs(published: Path) -> list[dict[str, object]]:
    """The runs of the warehouse published at `published`: its run log and the fallback one, merged."""
    return read_runs(runlog_path(published), fallback=fallback_runlog_path(published))
