"""One ETL run: discover landing files, sha256, skip what is already loaded, load raw tables (bad rows to
quarantine), build the models, run the checks, record the run, publish.

    result = run_etl(load_settings())            # raises an EtlError (one-line message) when the run fails

Load modes (core.contracts.Contract.load_mode):
- snapshot: a file is a full delivery of its stream (folder + file name without extension and trailing date
  stamp); loading it deletes the rows of the stream's previous file (marked `superseded` in etl_files).
  When several new deliveries of one stream arrive together, only the newest (by date stamp, then name) loads.
- snapshot_per_run: the same per FutureLearn run label and dataset.
- append: rows add up; a key already loaded from an earlier file is quarantined.
A file whose sha256 was loaded before (even if superseded since) is `skipped`, so loading the same landing folder
again changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import duckdb

from core import demo_proof
from core.config import Settings
from core.contracts import CONTRACTS, Contract
from core.errors import EtlError, SourceFileError
from etl.checks import CHECKS_DIR, run_checks
from etl.completeness import (
    run_problems,
    top_quarantine,
    waiting_futurelearn_files,
)
from etl.decide import one_delivery_per_stream
from etl.discover import LandingFile, discover
from etl.errorlog import write_traceback
from etl.horizon import DateHorizon
from etl.models import MODELS_DIR, run_models
from etl.publish import (
    LockHeld,
    apply_retention,
    builds_dir,
    cleanup_stale,
    discard_build,
    finish_build,
    new_run_id,
    start_build,
    tmp_build_path,
    writer_lock,
)
from etl.results import EtlResult, FileResult, SourceSummary  # noqa: F401 - callers import them from here
from etl.runlog import close_killed_runs, published_runs, record_run, write_runs_table
from etl.sources.csv_source import BatchFile, check_csv_files, raw_table_ddl, write_checked
from etl.sources.fl_layouts import STORE_FREE_TEXT_VARIABLE
from etl.sources.futurelearn import label_reasons
from etl.validate import FileFacts, hash_file
from etl.waiting import files_to_reload, forget_files

SCHEMA_VERSION = "1"

OPERATIONAL_DDL = (
    "create table if not exists etl_runs (run_id varchar, started_at timestamp, finished_at timestamp,"
    " status varchar, message varchar, files_loaded integer, files_skipped integer, rows_read bigint,"
    " rows_loaded bigint, rows_quarantined bigint)",
    "create table if not exists etl_files (file_id integer, run_id varchar, source varchar, stream varchar,"
    " path varchar, file_name varchar, sha256 varchar, bytes bigint, rows_read bigint, rows_loaded bigint,"
    " rows_quarantined bigint, status varchar, platform_run_label varchar, loaded_at timestamp)",
    "create table if not exists quarantine (run_id varchar, file_id integer, source varchar, file_name varchar,"
    " line bigint, column_name varchar, value varchar, reason varchar)",
    "create table if not exists warehouse_info (key varchar, value varchar)",
)

Progress = Callable[[str, int, int], None]  # (landing-relative path, files done, files in total)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _naive(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(tzinfo=None)


# --- loading -----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit on success. (On failure the whole build file is thrown away, so no rollback is needed.)"""
    con.begin()
    yield
    con.commit()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Operational tables and every raw table (empty ones too, so the models always have their inputs)."""
    for ddl in OPERATIONAL_DDL:
        con.execute(ddl)
    for contract in CONTRACTS.values():
        con.execute(raw_table_ddl(contract))


def _record_files(
    con: duckdb.DuckDBPyConnection, run_id: str, files: list[FileResult], loaded_at: datetime
) -> None:
    """Insert etl_files rows (one statement for the lot)."""
    if not files:
        return
    columns = {
        "file_id": ("integer", [f.file_id for f in files]),
        "source": ("varchar", [f.source for f in files]),
        "stream": ("varchar", [f.stream for f in files]),
        "path": ("varchar", [f.rel for f in files]),
        "file_name": ("varchar", [f.file_name for f in files]),
        "sha256": ("varchar", [f.sha256 for f in files]),
        "bytes": ("bigint", [f.bytes for f in files]),
        "rows_read": ("bigint", [f.rows_read for f in files]),
        "rows_loaded": ("bigint", [f.rows_loaded for f in files]),
        "rows_quarantined": ("bigint", [f.rows_quarantined for f in files]),
        "status": ("varchar", [f.status for f in files]),
        "platform_run_label": ("varchar", [f.label for f in files]),
    }
    selects = ", ".join(f"unnest(${name}::{kind}[]) as {name}" for name, (kind, _) in columns.items())
    con.execute(
        f"insert into etl_files (run_id, loaded_at, {', '.join(columns)})"  # noqa: S608
        f" select $run_id, $loaded_at, * from (select {selects})",
        {"run_id": run_id, "loaded_at": _naive(loaded_at), **{k: v for k, (_, v) in columns.items()}},
    )


def _supersede(con: duckdb.DuckDBPyConnection, contract: Contract, files: list[LandingFile]) -> None:
    """Before loading new deliveries: drop the rows of their streams' (or FutureLearn labels') previous files."""
    if contract.load_mode == "snapshot":
        where = "source = $source and stream in (select unnest($groups::varchar[]))"
        groups = [f.stream for f in files]
    else:
        where = "source = $source and platform_run_label in (select unnest($groups::varchar[]))"
        groups = [f.label for f in files]
    params = {"source": contract.name, "groups": groups}
    old = f"select file_id from etl_files where status = 'loaded' and {where}"  # noqa: S608
    con.execute(f'delete from "{contract.raw_table}" where _file_id in ({old})', params)  # noqa: S608
    con.execute(f"delete from quarantine where file_id in ({old})", params)  # noqa: S608
    con.execute(f"update etl_files set status = 'superseded' where status = 'loaded' and {where}", params)  # noqa: S608


# DuckDB's memory limit for a build (it spills to the build's temporary folder past it): keeps the ETL's peak
# RSS bounded at 10M enrolments instead of DuckDB's default of 80% of the machine's memory.
MEMORY_LIMIT = "3GB"

# Several files of a source are read in one scan (cheap for hundreds of small FutureLearn exports), up to this
# many bytes (gzip counted five times) or files per scan, so that the staging table stays a modest size.
BATCH_BYTES = 256 * 1024 * 1024
BATCH_FILES = 400


def _batches(
    items: list[tuple[LandingFile, str, int]], contract: Contract
) -> list[list[tuple[LandingFile, str, int]]]:
    if contract.load_mode == "append":
        return [[item] for item in items]  # a file's keys are checked against the files loaded before it
    batches: list[list[tuple[LandingFile, str, int]]] = []
    size = 0
    for item in items:
        weight = item[2] * (5 if item[0].rel.lower().endswith(".gz") else 1)
        if not batches or size + weight > BATCH_BYTES or len(batches[-1]) >= BATCH_FILES:
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += weight
    return batches


def load_landing(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    run_id: str,
    pseudonym_key: str,
    *,
    progress: Progress | None = None,
    warnings: list[str] | None = None,
    archive: Path | None = None,
    horizon: DateHorizon | None = None,
) -> list[FileResult]:
    """Load every new landing file into the open warehouse `con`, sources in CONTRACTS order, and load again the
    earlier files whose unknown references have arrived since (etl.waiting; `archive` is where `mckpi refresh`
    moved processed files). horizon: the dates a file may hold (etl/horizon.py; default: the [dates] defaults,
    delivered today)."""
    if not landing.is_dir():
        raise EtlError(
            f"the landing folder {landing} does not exist (run `mckpi init {landing}`, `mckpi demo`, or copy"
            " exports there)"
        )
    warnings = warnings if warnings is not None else []
    with transaction(con):
        ensure_schema(con)
    found = discover(landing)
    # sha256 (and the gzip check) of every file runs in a thread, in load order, while DuckDB reads the files
    # before it (hashlib and zlib release the GIL); errors surface where the file is reached, as before.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mckpi-sha256") as pool:
        hashes = {
            lf.rel: pool.submit(hash_file, lf.path, lf.rel)
            for contract in CONTRACTS.values()
            for lf in found
            if lf.contract is contract
        }
        try:
            return _load_found(
                con, found, hashes, run_id, pseudonym_key, progress, warnings, landing, archive, horizon
            )
        finally:
            for future in hashes.values():
                future.cancel()


def _load_found(
    con: duckdb.DuckDBPyConnection,
    found: list[LandingFile],
    hashes: dict[str, Future[FileFacts]],
    run_id: str,
    pseudonym_key: str,
    progress: Progress | None,
    warnings: list[str],
    landing: Path,
    archive: Path | None,
    horizon: DateHorizon | None = None,
) -> list[FileResult]:
    total = len(found)
    results: list[FileResult] = []
    known = {
        sha
        for (sha,) in con.execute(
            "select sha256 from etl_files where status in ('loaded', 'superseded') and sha256 is not null"
        ).fetchall()
    }
    next_id = con.execute("select coalesce(max(file_id), 0) + 1 from etl_files").fetchone()[0]  # type: ignore[index]
    now = utc_now()

    def new_id() -> int:
        nonlocal next_id
        next_id += 1
        return next_id - 1

    def record(files: list[FileResult]) -> None:
        """Write etl_files rows (inside the caller's transaction) and report progress."""
        _record_files(con, run_id, files, now)
        for f in files:
            results.append(f)
            if progress:
                progress(f.rel, len(results), total)

    with transaction(con):
        ignored = []
        for lf in found:
            if lf.contract is None:
                if lf.warn:
                    warnings.append(f"{lf.rel}: ignored ({lf.note})")
                ignored.append(
                    FileResult(
                        lf.rel,
                        lf.folder or None,
                        "ignored",
                        label=lf.label,
                        file_id=new_id(),
                        bytes=lf.size,
                        note=lf.note,
                        problem=lf.problem,
                        keep_in_landing=lf.keep,
                    )
                )
        record(ignored)

    for contract in CONTRACTS.values():
        files = [lf for lf in found if lf.contract is contract]
        not_loaded: list[FileResult] = []
        new: list[tuple[LandingFile, str, int]] = []
        retry: set[str] = set()
        if contract.folder == "futurelearn" and files:
            # An export whose run label was unknown (every row quarantined) loads again once course_runs knows
            # the label: FutureLearn will not send a corrected file.
            retry = {
                sha
                for (sha,) in con.execute(
                    "select sha256 from etl_files where source = $s and status = 'loaded' and rows_loaded = 0"
                    " and rows_quarantined > 0 and platform_run_label in"
                    " (select platform_run_label from raw_course_runs)",
                    {"s": contract.name},
                ).fetchall()
            }
        for lf in files:
            facts = hashes[lf.rel].result()
            if facts.sha256 in known and facts.sha256 not in retry:
                not_loaded.append(
                    FileResult(
                        lf.rel,
                        contract.name,
                        "skipped",
                        lf.stream,
                        lf.label,
                        new_id(),
                        facts.sha256,
                        facts.bytes,
                        note="already loaded",
                    )
                )
                continue
            known.add(facts.sha256)
            if facts.blank_line is not None:
                warnings.append(
                    f"{lf.rel}: line {facts.blank_line} is empty; quarantine line numbers after it are one short"
                )
            new.append((lf, facts.sha256, facts.bytes))

        to_load = new
        if contract.load_mode != "append":
            to_load, superseded = one_delivery_per_stream(con, contract, new, warnings)
            not_loaded += [
                FileResult(lf.rel, contract.name, status, lf.stream, lf.label, new_id(), sha, size, note=note)
                for (lf, sha, size), status, note in superseded
            ]
        with transaction(con):
            record(not_loaded)

        # Earlier files whose unknown references have arrived (in this run or before) load again.
        reloads, reload_warnings = files_to_reload(
            con, contract, landing, archive, new_streams={lf.stream or "" for lf, _, _ in to_load}
        )
        warnings.extend(reload_warnings)
        reloaded = {r.file.rel: r for r in reloads}
        if reloads:
            if contract.load_mode == "append":
                with transaction(con):
                    forget_files(con, contract, [r.old_file_id for r in reloads])
            to_load = [(r.file, r.sha256, r.bytes) for r in reloads] + to_load

        reasons = (
            label_reasons(con, [lf.label for lf, _, _ in to_load if lf.label])
            if contract.folder == "futurelearn"
            else {}
        )
        for batch in _batches(to_load, contract):
            started = time.perf_counter()
            pending = [
                FileResult(lf.rel, contract.name, "loaded", lf.stream, lf.label, new_id(), sha, size)
                for lf, sha, size in batch
            ]
            for r in pending:
                if r.rel in reloaded:
                    r.reloaded_from_archive = reloaded[r.rel].from_archive
                    r.note = "loaded again: the references it names have arrived"
            files_in = [
                BatchFile(lf.path, lf.rel, r.file_id, lf.label, reasons.get(lf.label) if lf.label else None,  # type: ignore[arg-type]
                          stream=lf.stream, facts=hashes[lf.rel].result() if lf.rel in hashes else None)
                for (lf, _, _), r in zip(batch, pending, strict=True)
            ]
            # Read and check outside a transaction (see check_csv_files), write in one (one WAL sync per batch).
            check_csv_files(con, contract, files_in, pseudonym_key=pseudonym_key, horizon=horizon)
            with transaction(con):
                if contract.load_mode != "append":
                    _supersede(con, contract, [lf for lf, _, _ in batch])
                counts = write_checked(con, contract, run_id=run_id)
                seconds = (time.perf_counter() - started) / len(batch)
                for r in pending:
                    c = counts[r.file_id]  # type: ignore[index]
                    r.rows_read, r.rows_loaded, r.rows_quarantined, r.seconds = (
                        c.rows_read,
                        c.rows_loaded,
                        c.rows_quarantined,
                        seconds,
                    )
                record(pending)
    return results


# --- the run -----------------------------------------------------------------------------------------------


def _info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """warehouse_info of the build copied from the published one (empty for a new build)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'warehouse_info' and table_schema = 'main'"
    ).fetchone()[0]  # type: ignore[index]
    return dict(con.execute("select key, value from warehouse_info").fetchall()) if exists else {}  # type: ignore[arg-type]


def _write_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    con.execute("delete from warehouse_info")
    for key, value in info.items():
        con.execute("insert into warehouse_info values ($k, $v)", {"k": key, "v": value})


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def run_etl(
    settings: Settings,
    landing: Path | None = None,
    warehouse: Path | None = None,
    *,
    progress: Progress | None = None,
    full: bool = False,
    models_dir: Path | None = None,
    checks_dir: Path | None = None,
) -> EtlResult:
    """Run the ETL and publish a new warehouse. On failure nothing is published, the run is recorded in
    etl_runs.jsonl, and the EtlError raised carries the partial result as `.result`.

    full: build from an empty warehouse (reload every landing file) instead of copying the published one.
    """
    landing = Path(landing) if landing is not None else settings.paths.landing
    published = Path(warehouse) if warehouse is not None else settings.paths.warehouse
    started = utc_now()
    result = EtlResult(new_run_id(started), started, landing, published)
    try:
        lock = writer_lock(published.parent, result.run_id, started)
        lock.__enter__()
    except LockHeld:
        raise  # another run is on: nothing was tried, so nothing is recorded as failed
    except OSError as exc:
        _record_failure(result, WarehouseFolderError(published.parent, exc))
    try:
        close_killed_runs(published)  # (mckpi refresh reports them to the webhook before it gets here)
        # "running" first: a run killed from here on shows in `mckpi status` as stopped before it finished.
        record_run(published, {**result.run_record(), "pid": os.getpid()})
        try:
            _build_and_publish(
                settings,
                result,
                progress=progress,
                full=full,
                models_dir=models_dir or MODELS_DIR,
                checks_dir=checks_dir or CHECKS_DIR,
            )
        except BaseException as exc:
            with contextlib.suppress(OSError):
                discard_build(published, result.run_id)
            if isinstance(exc, OSError) and exc.errno in WAREHOUSE_ERRNOS:
                exc = WarehouseFolderError(published.parent, exc)
            _record_failure(result, exc)
    finally:
        lock.__exit__(None, None, None)
    return result


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


def _record_failure(result: EtlResult, exc: BaseException) -> NoReturn:
    """Record the run as failed (in the fallback run log when the warehouse folder cannot be written) and raise
    an EtlError that carries the partial result."""
    result.status = "failed"
    result.finished_at = utc_now()
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


def _build_and_publish(
    settings: Settings,
    result: EtlResult,
    *,
    progress: Progress | None,
    full: bool,
    models_dir: Path,
    checks_dir: Path,
) -> None:
    published, run_id = result.warehouse, result.run_id
    cleanup_stale(published)
    key_is_demo = "true" if settings.uses_demo_key() else "false"
    t0 = time.perf_counter()
    tmp = start_build(published, run_id, copy_current=not full)
    spill = builds_dir(published) / f".spill-{run_id}"
    con = duckdb.connect(str(tmp), config={"temp_directory": str(spill), "memory_limit": MEMORY_LIMIT})
    previous = _info(con)
    reason = ""
    if previous and previous.get("schema_version") != SCHEMA_VERSION:
        reason = "the published warehouse has another schema version"
    elif previous and previous.get("pseudonym_key_is_demo", key_is_demo) != key_is_demo:
        reason = "the pseudonym key changed (demo <-> real)"
    if reason:  # an incremental load on top of that build would mix two worlds: start from an empty one
        result.warnings.append(f"{reason}: rebuilding from all landing files")
        con.close()
        discard_build(published, run_id)
        tmp = start_build(published, run_id, copy_current=False)
        con = duckdb.connect(str(tmp), config={"temp_directory": str(spill), "memory_limit": MEMORY_LIMIT})
    result.timings["copy"] = time.perf_counter() - t0
    # Learners' free text is kept only when allowed (etl.sources.fl_layouts reads this variable).
    con.execute(f"set variable {STORE_FREE_TEXT_VARIABLE} = $v", {"v": bool(settings.insights.store_free_text)})
    try:
        t0 = time.perf_counter()
        result.files = load_landing(
            con, result.landing, run_id, settings.pseudonym_key(), progress=progress, warnings=result.warnings,
            archive=settings.paths.archive,
            horizon=DateHorizon(result.started_at.date(), settings.dates),
        )
        result.timings["load"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction(con):  # one WAL sync for all models, not one per statement
            result.models = run_models(con, models_dir)
        result.timings["models"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        result.checks = run_checks(con, checks_dir, models_dir=models_dir)
        result.timings["checks"] = time.perf_counter() - t0
        result.problems = run_problems(con, result.files, run_id)
        result.top_quarantine = top_quarantine(con, run_id)
        result.waiting_sha256 = waiting_futurelearn_files(con)

        result.status = "incomplete" if result.problems else "succeeded"
        if result.problems:
            more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
            result.message = f"published, incomplete: {result.problems[0]}{more}"
        result.finished_at = utc_now()
        con.begin()
        runs = [r for r in published_runs(published) if r.get("run_id") != run_id]
        write_runs_table(con, [*runs, result.run_record()])
        # Demo or real is decided by the data (every file proven generated, the demo key), never a marker file.
        proof = demo_proof.decide(con, result.landing, settings.privacy.demo_pseudonym_key, settings.uses_demo_key())
        _write_info(
            con,
            {
                "etl_run_id": run_id,
                "published_at": utc_now().isoformat(timespec="seconds"),
                "schema_version": SCHEMA_VERSION,
                "is_demo": "true" if proof.is_demo else "false",
                "demo_fingerprint": proof.fingerprint,
                "pseudonym_key_is_demo": key_is_demo,
            },
        )
        con.commit()
        t0 = time.perf_counter()
        con.execute("checkpoint")
        result.timings["checkpoint"] = time.perf_counter() - t0
    finally:
        con.close()
    t0 = time.perf_counter()
    shutil.rmtree(spill, ignore_errors=True)
    assert tmp == tmp_build_path(published, run_id)
    result.build = finish_build(published, run_id)
    result.runlog = record_run(published, result.run_record())
    apply_retention(published, settings.retention.keep_warehouses)
    result.timings["publish"] = time.perf_counter() - t0


__all__ = [
    "EtlError",
    "EtlResult",
    "FileResult",
    "LandingFile",
    "SourceFileError",
    "discover",
    "ensure_schema",
    "load_landing",
    "run_etl",
]
