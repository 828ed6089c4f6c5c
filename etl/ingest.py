"""Loading landing files into an open build: sha256 (skip what is already loaded), one delivery per stream,
raw tables and quarantine in batches, supersede a stream's earlier delivery, record every file in etl_files.

    files = load_landing(con, landing, run_id, pseudonym_key)       # FileResult per landing file

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
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from core.contracts import CONTRACTS, Contract
from core.errors import EtlError
from etl.decide import one_delivery_per_stream
from etl.discover import LandingFile, discover
from etl.file_checks import FileFacts, hash_file
from etl.horizon import DateHorizon
from etl.results import FileResult
from etl.sources.csv_source import (
    BatchFile,
    check_csv_files,
    raw_table_ddl,
    raw_table_upgrades,
    write_checked,
)
from etl.sources.futurelearn import label_reasons
from etl.waiting import files_to_reload, forget_files

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
        for upgrade in raw_table_upgrades(contract):
            con.execute(upgrade)


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
    # A file at the path and of the size of one loaded before is most likely that file again (a landing folder
    # that `mckpi refresh` does not empty): hashed first, its records are counted only if it turns out new.
    loaded = con.execute(
        "select path, bytes, list(sha256) from etl_files where status in ('loaded', 'superseded')"
        " and sha256 is not null group by path, bytes"
    ).fetchall()
    known_at = {(path, size): frozenset(shas) for path, size, shas in loaded}
    # sha256 (and the gzip check) of every file runs in a thread, in load order, while DuckDB reads the files
    # before it (hashlib and zlib release the GIL); errors surface where the file is reached, as before.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mckpi-sha256") as pool:
        hashes = {
            lf.rel: pool.submit(hash_file, lf.path, lf.rel, known_at.get((lf.rel, lf.size), frozenset()))
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


def pool_done(facts: FileFacts) -> Future[FileFacts]:
    """Facts computed here and now, in the shape of the hashing thread's."""
    future: Future[FileFacts] = Future()
    future.set_result(facts)
    return future


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
            if facts.quick and (facts.sha256 not in known or facts.sha256 in retry):  # loaded after all: count it
                hashes[lf.rel] = pool_done(hash_file(lf.path, lf.rel))
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
            checked = check_csv_files(con, contract, files_in, pseudonym_key=pseudonym_key, horizon=horizon)
            with transaction(con):
                # The checks read raw_<source> and etl_files as they were before the supersede (write_checked).
                counts = write_checked(con, contract, checked, run_id=run_id)
                if contract.load_mode != "append":
                    _supersede(con, contract, [lf for lf, _, _ in batch])
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


__all__ = ["BATCH_BYTES", "BATCH_FILES", "Progress", "ensure_schema", "load_landing", "transaction", "utc_now"]
