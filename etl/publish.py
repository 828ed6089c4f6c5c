"""Publishing warehouses: build in a new file, swap it in atomically, one writer at a time.

Layout, beside the published path (default data/warehouse/mckpi.duckdb):

    mckpi.duckdb -> builds/<run_id>.duckdb     a symlink, replaced with os.replace (atomic)
    builds/<run_id>.duckdb                      one file per published build (the last `keep_warehouses` kept)
    builds/<run_id>.duckdb.tmp                  the build in progress (removed on failure, or by the next run)
    .mckpi.lock                                 flock'ed by the one writer; holds its pid, run id and start time
    etl_runs.jsonl                              the run log (etl.runlog)

Readers open the published path read-only; a reader that opened the old build keeps reading it (an unlinked file
stays readable on POSIX until closed), and one that opens after the swap gets the new build: never a half-built file.

A build's whole life is one context (`build`), so no caller strings the steps together by hand:

    with build(result, copy_current=True, final_steps=[check], keep=5) as b:
        load(b.con)                   # b.run_id, b.path (the .tmp file), b.con (open on it)
    # published: result.build is the new build; on any exception the .tmp is gone and the run is recorded failed
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from core.errors import EtlError
from core.locks import held_lock, lock_held
from core.published import published_target
from etl.runlog import close_killed_runs, record_failure, record_run

if TYPE_CHECKING:
    from etl.results import EtlResult

BUILDS = "builds"
LOCK_NAME = ".mckpi.lock"


class LockHeld(EtlError):
    pass


class PublishError(EtlError):
    pass


def new_run_id(now: datetime | None = None) -> str:
    """YYYYMMDDTHHMMSSmmmZ-xxxx: sorts by start time to the millisecond (tests and retries start several runs
    in one second); the random suffix keeps two runs in one millisecond apart."""
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-" + secrets.token_hex(2)


def builds_dir(published: Path) -> Path:
    return published.parent / BUILDS


def build_path(published: Path, run_id: str) -> Path:
    return builds_dir(published) / f"{run_id}.duckdb"


def tmp_build_path(published: Path, run_id: str) -> Path:
    return builds_dir(published) / f"{run_id}.duckdb.tmp"


def writer_lock(folder: Path, run_id: str, started_at: datetime) -> contextlib.AbstractContextManager[None]:
    """Hold <folder>/.mckpi.lock for the duration (non-blocking: a second writer fails at once)."""
    info = {"pid": os.getpid(), "run_id": run_id, "started_at": started_at.isoformat(timespec="seconds")}
    return held_lock(folder / LOCK_NAME, info, busy=lambda holder: LockHeld(
        f"another ETL run holds the lock (pid {holder.get('pid', '?')}, started at "
        f"{holder.get('started_at', '?')}, run {holder.get('run_id', '?')})"))


def writer_lock_held(folder: Path) -> bool:
    """Does a writer hold <folder>/.mckpi.lock now? (A probe: takes the lock for an instant when it is free.)"""
    return lock_held(folder / LOCK_NAME)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def cleanup_stale(published: Path) -> list[Path]:
    """Remove what a killed run left behind (only call while holding the lock)."""
    removed = []
    folder = builds_dir(published)
    if folder.exists():
        for p in folder.iterdir():
            if p.name.endswith((".duckdb.tmp", ".duckdb.tmp.wal")) or p.name.startswith(".spill-"):
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
                removed.append(p)
    for p in published.parent.glob(f".{published.name}.*.link"):
        p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def start_build(published: Path, run_id: str, *, copy_current: bool = True) -> Path:
    """Create builds/<run_id>.duckdb.tmp: a copy of the published build (so an incremental run only loads new
    files), or nothing (a fresh build)."""
    folder = builds_dir(published)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = tmp_build_path(published, run_id)
    tmp.unlink(missing_ok=True)
    current = published_target(published)
    if copy_current and current is not None:
        shutil.copyfile(current, tmp)
    return tmp


def discard_build(published: Path, run_id: str) -> None:
    tmp = tmp_build_path(published, run_id)
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(builds_dir(published) / f".spill-{run_id}", ignore_errors=True)


def _swap_link(published: Path, target: Path) -> None:
    """Point the published path at `target` atomically (relative link, so the folder can move)."""
    if published.exists() and not published.is_symlink():
        # A plain file from before builds existed: keep it as a build rather than overwrite it.
        stamp = datetime.fromtimestamp(published.stat().st_mtime, UTC).strftime("%Y%m%dT%H%M%SZ")
        legacy = builds_dir(published) / f"{stamp}-0000.duckdb"
        legacy.parent.mkdir(parents=True, exist_ok=True)
        os.replace(published, legacy)
    link = published.parent / f".{published.name}.{secrets.token_hex(4)}.link"
    os.symlink(os.path.relpath(target, published.parent), link)
    os.replace(link, published)
    _fsync_dir(published.parent)


def finish_build(published: Path, run_id: str) -> Path:
    """fsync and rename the closed tmp build, then swap the published link to it."""
    tmp = tmp_build_path(published, run_id)
    final = build_path(published, run_id)
    _fsync_file(tmp)
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    _swap_link(published, final)
    return final


@dataclass(frozen=True)
class BuildInfo:
    run_id: str
    path: Path
    bytes: int
    is_published: bool


def list_builds(published: Path) -> list[BuildInfo]:
    """Builds on disk, newest first."""
    folder = builds_dir(published)
    if not folder.exists():
        return []
    current = published_target(published)
    builds = [
        (
            p.name[:16],
            p.stat().st_mtime_ns,
            BuildInfo(
                p.name.removesuffix(".duckdb"), p, p.stat().st_size, current is not None and p == current
            ),
        )
        for p in folder.glob("*.duckdb")
    ]
    # By start second (the run id's prefix), then by when the file was written (two runs in one second).
    return [b for _, _, b in sorted(builds, key=lambda t: (t[0], t[1]), reverse=True)]


def apply_retention(published: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` builds; the published one is always kept."""
    removed = []
    for b in list_builds(published)[max(keep, 1) :]:
        if b.is_published:
            continue
        b.path.unlink(missing_ok=True)
        b.path.with_name(b.path.name + ".wal").unlink(missing_ok=True)
        removed.append(b.path)
    return removed


def rollback(published: Path, run_id: str) -> Path:
    """Publish an earlier build again (under the writer lock)."""
    target = build_path(published, run_id)
    if not target.exists():
        known = ", ".join(b.run_id for b in list_builds(published)) or "none"
        raise PublishError(f"no build {run_id} in {builds_dir(published)} (builds: {known})")
    with writer_lock(published.parent, f"rollback-{run_id}", datetime.now(UTC)):
        _swap_link(published, target)
    return target


# --- a build's life ------------------------------------------------------------------------------------------

# DuckDB's memory limit for a build (it spills to the build's temporary folder past it): keeps the ETL's peak
# RSS bounded at 10M enrolments instead of DuckDB's default of 80% of the machine's memory.
MEMORY_LIMIT = "3GB"

# errno values that mean the warehouse folder cannot take the build: say so, not as a traceback.
WAREHOUSE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


class WarehouseFolderError(EtlError):
    def __init__(self, folder: Path, exc: OSError):
        what = {
            errno.ENOSPC: "the disk is full",
            errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the file system is read-only",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        super().__init__(
            f"cannot write the warehouse in {folder}: {what}; free space or give the ETL's user write access,"
            " then run again (the published warehouse is unchanged)"
        )
        self.__cause__ = exc


@dataclass
class Build:
    """The build in progress: builds/<run_id>.duckdb.tmp and a read-write connection on it."""

    published: Path
    run_id: str
    path: Path
    con: duckdb.DuckDBPyConnection = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.connect()

    @property
    def spill(self) -> Path:
        """DuckDB's temporary folder past MEMORY_LIMIT (removed with the build)."""
        return builds_dir(self.published) / f".spill-{self.run_id}"

    def connect(self) -> duckdb.DuckDBPyConnection:
        self.con = duckdb.connect(
            str(self.path), config={"temp_directory": str(self.spill), "memory_limit": MEMORY_LIMIT}
        )
        return self.con

    def start_over(self) -> None:
        """Throw the copy of the published build away and go on from an empty one."""
        self.con.close()
        discard_build(self.published, self.run_id)
        self.path = start_build(self.published, self.run_id, copy_current=False)
        self.connect()


@contextlib.contextmanager
def build(
    result: EtlResult,
    *,
    copy_current: bool = True,
    final_steps: Sequence[Callable[[Build], None]] = (),
    keep: int = 1,
) -> Iterator[Build]:
    """One build's life, for the run `result` (its run id, start time and published path; the context fills in
    its build, status and run-log path):

    1. take the writer lock (LockHeld when another writer has it: nothing tried, nothing recorded), close the
       runs that were killed, record this one as running, remove what killed runs left behind;
    2. start builds/<run_id>.duckdb.tmp, a copy of the published build or empty, and yield it with a connection;
    3. on normal exit run `final_steps` (the checks, the run's own record), checkpoint, close, swap the build in
       atomically, record the run and keep the newest `keep` builds;
    4. on any exception, KeyboardInterrupt included: discard the .tmp build (the published one is untouched) and
       record the run as failed (etl.runlog.record_failure, which raises an EtlError carrying `result`, or lets
       KeyboardInterrupt and SystemExit go on unwinding).
    """
    published, run_id = result.warehouse, result.run_id
    try:
        lock = writer_lock(published.parent, run_id, result.started_at)
        lock.__enter__()
    except LockHeld:
        raise
    except OSError as exc:
        record_failure(result, WarehouseFolderError(published.parent, exc))
    try:
        close_killed_runs(published)  # (mckpi refresh reports them to the webhook before it gets here)
        # "running" first: a run killed from here on shows in `mckpi status` as stopped before it finished.
        record_run(published, {**result.run_record(), "pid": os.getpid()})
        try:
            cleanup_stale(published)
            t0 = time.perf_counter()
            b = Build(published, run_id, start_build(published, run_id, copy_current=copy_current))
            result.timings["copy"] = time.perf_counter() - t0
            try:
                yield b
                for step in final_steps:
                    step(b)
                t0 = time.perf_counter()
                b.con.execute("checkpoint")
                result.timings["checkpoint"] = time.perf_counter() - t0
            finally:
                b.con.close()
            t0 = time.perf_counter()
            shutil.rmtree(b.spill, ignore_errors=True)
            result.build = finish_build(published, run_id)
            result.runlog = record_run(published, result.run_record())
            apply_retention(published, keep)
            result.timings["publish"] = time.perf_counter() - t0
        except BaseException as exc:
            with contextlib.suppress(OSError):
                discard_build(published, run_id)
            if isinstance(exc, OSError) and exc.errno in WAREHOUSE_ERRNOS:
                exc = WarehouseFolderError(published.parent, exc)
            record_failure(result, exc)
    finally:
        lock.__exit__(None, None, None)
