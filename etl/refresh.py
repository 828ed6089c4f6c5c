"""The scheduled refresh (`mckpi refresh`): run the ETL on the landing folder, publish, then move the processed
landing files to `<paths.archive>/<run_id>/` (same sub-folders), so the landing folder only ever holds what has
not been loaded yet.

    outcome = refresh(load_settings())          # never raises for an ETL failure: see outcome.exit_code

Exit codes: 0 published (and archived); 3 (EX_INCOMPLETE) published and archived, but not everything loaded (a
source all quarantined, a required source empty, no enrolments, a link or unreadable file: the problems are logged
and posted to the webhook); 1 failed (nothing published, landing files left in place, the failure is
in etl_runs.jsonl and posted to notify.webhook_url); 75 (EX_TEMPFAIL) another refresh or ETL run holds the lock,
nothing was done (try again later).

Order and safety:
- A refresh lock (`<warehouse dir>/.mckpi-refresh.lock`, flock, non-blocking) is held for the whole refresh, so a
  second refresh exits at once (75) without touching anything and without a run-log line. The ETL itself takes
  the publish writer lock (etl.publish.writer_lock); a concurrent `mckpi etl` makes the refresh exit 75 too.
- Files are archived only after the new warehouse is published, and only the files this run processed (loaded,
  skipped as already loaded, superseded, ignored), each checked to be unchanged (sha256, or size for ignored
  files) first: a file dropped or re-dropped during the run stays for the next refresh.
- Archiving is done under the publish writer lock so a manual `mckpi etl` cannot read a file while it moves. If
  a move fails (or the lock is busy), the files left behind are harmless: the next refresh skips them as already
  loaded (sha256) and archives them then.
- A FutureLearn export whose run label is not a course run yet (all its rows quarantined) is kept in landing:
  the ETL loads it again by itself once course_runs has the label (FutureLearn will not send a corrected file).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from core.config import Settings
from core.errors import EtlError
from core.locks import held_lock
from core.notify import notify_failure
from etl.completeness import EX_INCOMPLETE
from etl.load import EtlResult, FileResult, run_etl
from etl.publish import LockHeld, new_run_id, writer_lock
from etl.runlog import close_killed_runs, published_runs, record_run

log = logging.getLogger("mckpi.refresh")

EX_OK = 0
EX_FAILED = 1
EX_TEMPFAIL = 75  # sysexits.h: try again later (another run holds the lock)

REFRESH_LOCK_NAME = ".mckpi-refresh.lock"
ARCHIVED_STATUSES = ("loaded", "skipped", "superseded", "ignored")
CHUNK = 1 << 20
RUN_COUNTS = ("files_loaded", "files_skipped", "rows_read", "rows_loaded", "rows_quarantined")


# --- logging -----------------------------------------------------------------------------------------------


def setup_logging(stream: TextIO | None = None, *, verbose: bool = False) -> None:
    """Plain `LEVEL message` lines (no colours, no timestamps: journald and the cron log add their own) on
    `stream` (stdout) for every `mckpi.*` logger."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger("mckpi")
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


# --- the refresh lock --------------------------------------------------------------------------------------


def refresh_lock_path(published: Path) -> Path:
    return published.parent / REFRESH_LOCK_NAME


def refresh_lock(published: Path, started_at: datetime) -> contextlib.AbstractContextManager[None]:
    """Hold `<warehouse dir>/.mckpi-refresh.lock` (non-blocking: raise LockHeld naming the holder)."""
    path = refresh_lock_path(published)
    info = {"pid": os.getpid(), "started_at": started_at.isoformat(timespec="seconds")}
    return held_lock(path, info, busy=lambda holder: LockHeld(
        f"another refresh is running (pid {holder.get('pid', '?')}, started at "
        f"{holder.get('started_at', '?')}); lock {path}"))


# --- archiving ---------------------------------------------------------------------------------------------


@dataclass
class ArchiveResult:
    folder: Path
    moved: list[str] = field(default_factory=list)  # landing-relative paths
    kept: list[tuple[str, str]] = field(default_factory=list)  # (path, why it stays in landing)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, error)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _move(src: Path, dest: Path) -> None:
    """Move one file (a rename; across file systems a copy to `.part`, fsync, rename, then unlink)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise FileExistsError(f"{dest} already exists")
    try:
        os.rename(src, dest)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    part = dest.with_name(dest.name + ".part")
    shutil.copy2(src, part)
    fd = os.open(part, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(part, dest)
    src.unlink()


def archive_files(
    landing: Path, folder: Path, files: list[FileResult], *, keep_sha256: set[str] | None = None
) -> ArchiveResult:
    """Move the processed `files` from `landing` to `folder` (keeping sub-folders). Each file is checked to be
    the one the run processed; anything else, and any error, leaves the file in landing (reported, not raised)."""
    out = ArchiveResult(folder)
    keep_sha256 = keep_sha256 or set()
    for f in files:
        if f.status not in ARCHIVED_STATUSES or f.reloaded_from_archive or f.keep_in_landing:
            continue
        src = landing / f.rel
        try:
            if not src.is_file():
                out.kept.append((f.rel, "no longer in the landing folder"))
                continue
            if f.sha256 is not None:
                if f.sha256 in keep_sha256:
                    out.kept.append(
                        (
                            f.rel,
                            f"run label '{f.label}' is no course run's platform_run_label yet: it loads by itself "
                            "once course_runs has it",
                        )
                    )
                    continue
                same = sha256_of(src) == f.sha256
            else:
                same = src.stat().st_size == f.bytes
            if not same:
                out.kept.append((f.rel, "changed during the run: the next refresh loads it"))
                continue
            _move(src, folder / f.rel)
            out.moved.append(f.rel)
        except OSError as exc:
            out.errors.append((f.rel, exc.strerror or str(exc)))
    if out.moved:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    return out


# --- the refresh -------------------------------------------------------------------------------------------


@dataclass
class RefreshOutcome:
    exit_code: int
    run_id: str | None = None
    summary: str = ""  # the success line (stdout)
    error: str = ""  # the failure line (stderr), '' on success
    result: EtlResult | None = None
    archive: ArchiveResult | None = None
    notified: bool | None = None  # None: no webhook configured (or nothing to notify)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if not text or not isinstance(exc, EtlError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


def _is_inside(child: Path, parent: Path) -> bool:
    try:
        rel = child.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return not any(part.startswith(".") for part in rel.parts)  # hidden folders are not read by the ETL


def _preflight(settings: Settings, landing: Path, archive_root: Path) -> str:
    """Why the refresh must not start ('' when it can)."""
    if not settings.pseudonym_key():
        return (
            f"no pseudonym key: set {settings.privacy.pseudonym_key_env} in the environment "
            "(see deploy/mckpi.env.example); learner ids are never loaded without one"
        )
    if _is_inside(archive_root, landing):
        return (
            f"the archive folder {archive_root} is inside the landing folder {landing}: change paths.archive"
        )
    return ""


def _failed_run_id(published: Path, before: set[str]) -> str | None:
    """The run id run_etl logged for a run that failed without an EtlError (it attaches no result then)."""
    new = [r for r in published_runs(published) if str(r.get("run_id")) not in before]
    return str(new[-1]["run_id"]) if new else None


def _log_files(result: EtlResult) -> None:
    for f in result.files:
        if f.status == "loaded":
            line = f"{f.rel}: {f.rows_loaded:,} rows loaded"
            if f.rows_quarantined:
                log.warning("%s, %s quarantined (see `mckpi status`)", line, f"{f.rows_quarantined:,}")
            else:
                log.debug("loaded %s", line)
        else:
            log.debug("%s %s%s", f.status, f.rel, f" ({f.note})" if f.note else "")
    for warning in result.warnings:
        log.warning("%s", warning)


def _summary(result: EtlResult, archive: ArchiveResult | None, seconds: float) -> str:
    counts: dict[str, int] = {}
    for f in result.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    parts = ", ".join(
        f"{counts[s]} {s}" for s in ("loaded", "skipped", "superseded", "ignored") if counts.get(s)
    )
    files = f"{len(result.files)} files" + (f" ({parts})" if parts else "")
    moved = f"; {len(archive.moved)} archived to {archive.folder}" if archive and archive.moved else ""
    return (
        f"refresh {result.run_id} published: {files}, {result.rows_loaded:,} rows loaded, "
        f"{result.rows_quarantined:,} quarantined, {seconds:.1f} s{moved}"
    )


def refresh(settings: Settings, landing: Path | None = None, warehouse: Path | None = None) -> RefreshOutcome:
    """One scheduled refresh. Logs plain lines to the `mckpi.refresh` logger and returns what to print and the
    exit code (never raises for a failed run)."""
    landing = Path(landing) if landing is not None else settings.paths.landing
    published = Path(warehouse) if warehouse is not None else settings.paths.warehouse
    archive_root = settings.paths.archive
    t0 = time.perf_counter()
    problem = _preflight(settings, landing, archive_root)
    if problem:  # recorded like a failed run, so `mckpi status` and the dashboard show it
        run_id = new_run_id()
        now = datetime.now(UTC).isoformat()
        record = {
            "run_id": run_id,
            "started_at": now,
            "finished_at": now,
            "status": "failed",
            "message": problem,
        }
        record_run(published, {**record, **dict.fromkeys(RUN_COUNTS, 0)})
        log.error("refresh %s not started: %s", run_id, problem)
        return _fail(settings, run_id, problem, None)

    try:
        with refresh_lock(published, datetime.now(UTC)):
            _report_killed_runs(settings, published)
            return _refresh_locked(settings, landing, published, archive_root, t0)
    except LockHeld as exc:  # another refresh is on: not a failed run, nothing recorded
        return RefreshOutcome(EX_TEMPFAIL, error=f"mckpi refresh not started: {_one_line(exc)}")
    except OSError as exc:  # the warehouse folder cannot be written (read-only, full, no permission)
        run_id = new_run_id()
        now = datetime.now(UTC).isoformat()
        problem = (
            f"cannot write in the warehouse folder {published.parent}: {exc.strerror or exc}; free space or give"
            " the refresh's user write access (the published warehouse is unchanged)"
        )
        record_run(published, {"run_id": run_id, "started_at": now, "finished_at": now, "status": "failed",
                               "message": problem, **dict.fromkeys(RUN_COUNTS, 0)})
        log.error("refresh %s not started: %s", run_id, problem)
        return _fail(settings, run_id, problem, None)


def _report_killed_runs(settings: Settings, published: Path) -> None:
    """A run killed since the last refresh (SIGKILL, a power cut) could not report itself: report it now."""
    for run in published_runs(published):
        if run.get("killed"):
            log.error("run %s %s", run.get("run_id"), run.get("message"))
            notify_failure(settings, run_id=str(run.get("run_id")), message=str(run.get("message")), status="failed")
    close_killed_runs(published)


def _fail(
    settings: Settings, run_id: str | None, reason: str, result: EtlResult | None, status: str = "failed"
) -> RefreshOutcome:
    notified = notify_failure(settings, run_id=run_id, message=reason, status=status)
    suffix = f" [run {run_id}]" if run_id else ""
    return RefreshOutcome(
        EX_FAILED, run_id, error=f"mckpi refresh failed: {reason}{suffix}", result=result, notified=notified
    )


def _refresh_locked(
    settings: Settings, landing: Path, published: Path, archive_root: Path, t0: float
) -> RefreshOutcome:
    before = {str(r.get("run_id")) for r in published_runs(published)}
    log.info("refresh started: %s -> %s", landing, published)
    try:
        result = run_etl(settings, landing, published)
    except LockHeld as exc:
        return RefreshOutcome(EX_TEMPFAIL, error=f"mckpi refresh not started: {_one_line(exc)}")
    except EtlError as exc:
        partial = exc.result if isinstance(exc.result, EtlResult) else None
        run_id = partial.run_id if partial else _failed_run_id(published, before)
        if partial is not None:
            _log_files(partial)
        log.error(
            "refresh %s failed after %.1f s: nothing published, landing files left in place",
            run_id or "?",
            time.perf_counter() - t0,
        )
        return _fail(settings, run_id, _one_line(exc), partial)
    except Exception as exc:  # a bug or an I/O error: run_etl has logged the run as failed
        run_id = _failed_run_id(published, before)
        log.exception("refresh %s failed: nothing published, landing files left in place", run_id or "?")
        return _fail(settings, run_id, _one_line(exc), None)
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, or the scheduler's SIGTERM (see cli.main)
        run_id = _failed_run_id(published, before)
        code = exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 130
        reason = f"stopped (exit {code}) before publishing; landing files left in place"
        log.error("refresh %s %s", run_id or "?", reason)
        outcome = _fail(settings, run_id, reason, None)
        outcome.exit_code = code
        return outcome

    _log_files(result)
    folder = archive_root / result.run_id
    archive: ArchiveResult | None = None
    try:
        with writer_lock(published.parent, f"archive-{result.run_id}", datetime.now(UTC)):
            archive = archive_files(
                landing, folder, result.files, keep_sha256=result.waiting_sha256
            )
    except LockHeld as exc:
        log.warning(
            "processed files not archived (%s): they stay in landing, the next refresh skips them as already "
            "loaded and archives them",
            _one_line(exc),
        )
    except OSError as exc:
        archive = ArchiveResult(folder, errors=[("(archive)", _one_line(exc))])
    seconds = time.perf_counter() - t0
    if archive is not None:
        for rel, why in archive.kept:
            log.warning("%s: left in landing (%s)", rel, why)
        for rel in archive.moved:
            log.debug("archived %s", rel)
    summary = _summary(result, archive, seconds)
    if archive is not None and archive.errors:
        rel, error = archive.errors[0]
        more = f" (and {len(archive.errors) - 1} more)" if len(archive.errors) > 1 else ""
        for r, e in archive.errors:
            log.error("could not archive %s: %s", r, e)
        log.info("%s", summary)
        reason = (
            f"published, but archiving to {folder} failed: {rel}: {error}{more}; the files left in landing "
            "are skipped as already loaded and archived by the next refresh"
        )
        return _fail(settings, result.run_id, reason, result, status="archive_failed")
    log.info("%s", summary)
    if result.problems:
        # Published, but not everything loaded: a scheduler must see it (exit 3), and so must the webhook.
        for problem in result.problems:
            log.warning("incomplete: %s", problem)
        for reason in result.top_quarantine:
            log.warning("quarantined: %s", reason)
        reason = f"published, incomplete: {'; '.join(result.problems)}"
        notified = notify_failure(settings, run_id=result.run_id, message=reason, status="incomplete")
        return RefreshOutcome(
            EX_INCOMPLETE, result.run_id, summary=summary, error=f"mckpi refresh {reason} [run {result.run_id}]",
            result=result, archive=archive, notified=notified,
        )
    return RefreshOutcome(EX_OK, result.run_id, summary=summary, result=result, archive=archive)


__all__ = [
    "ARCHIVED_STATUSES",
    "EX_FAILED",
    "EX_INCOMPLETE",
    "EX_OK",
    "EX_TEMPFAIL",
    "ArchiveResult",
    "RefreshOutcome",
    "archive_files",
    "refresh",
    "refresh_lock",
    "setup_logging",
]
