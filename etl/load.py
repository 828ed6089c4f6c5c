"""One ETL run: discover landing files, sha256, skip what is already loaded, load raw tables (bad rows to
quarantine), build the models, run the checks, record the run, publish.

    result = run_etl(load_settings())            # raises an EtlError (one-line message) when the run fails

Load modes (etl.contracts.Contract.load_mode):
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
import fnmatch
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl import demo_proof
from etl.checks import CHECKS_DIR, CheckResult, run_checks
from etl.config import Settings
from etl.contracts import CONTRACTS, Contract
from etl.models import MODELS_DIR, BuiltModel, run_models
from etl.publish import (
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
from etl.runlog import append_run, read_runs, runlog_path, write_runs_table
from etl.sources.csv_source import BatchFile, check_csv_files, raw_table_ddl, write_checked
from etl.sources.futurelearn import label_reasons, parse_file_name, strip_csv_ext, strip_date_stamp
from etl.validate import EtlError, FileFacts, SourceFileError, hash_file

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


# --- discovery ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LandingFile:
    path: Path
    rel: str  # posix path relative to the landing folder, e.g. 'courses/courses.csv'
    folder: str
    contract: Contract | None  # None: ignored
    stream: str | None = None
    stamp: str | None = None  # digits of the trailing date stamp, if any
    label: str | None = None  # FutureLearn run label
    note: str = ""  # why it is ignored
    warn: bool = False  # ignored in a way the person running the ETL should hear about


def _folder_contracts() -> dict[str, Contract]:
    return {c.folder: c for c in CONTRACTS.values() if c.folder != "futurelearn"}


def classify(landing: Path, path: Path) -> LandingFile:
    rel = path.relative_to(landing).as_posix()
    parts = rel.split("/")
    if len(parts) == 1:
        return LandingFile(path, rel, "", None, note="not in a source folder", warn=True)
    folder = parts[0]
    if len(parts) > 2:
        return LandingFile(path, rel, folder, None, note="in a sub-folder of a source folder", warn=True)
    name = parts[1]
    if any(ch in rel for ch in "*?[]{}"):
        return LandingFile(
            path, rel, folder, None, note="rename it: DuckDB reads * ? [ ] { } as a pattern", warn=True
        )
    stem = strip_csv_ext(name)
    if folder == "futurelearn":
        parsed = parse_file_name(name)
        if parsed is None:
            return LandingFile(
                path, rel, folder, None, note="not a FutureLearn <run>_<dataset>.csv file", warn=True
            )
        if parsed.contract is None:
            if parsed.known:
                return LandingFile(
                    path,
                    rel,
                    folder,
                    None,
                    label=parsed.label,
                    note=f"FutureLearn {parsed.dataset} export: not used",
                )
            return LandingFile(
                path,
                rel,
                folder,
                None,
                label=parsed.label,
                note=f"unknown FutureLearn dataset '{parsed.dataset}'",
                warn=True,
            )
        _, stamp = strip_date_stamp(stem or "")
        return LandingFile(
            path,
            rel,
            folder,
            parsed.contract,
            f"futurelearn/{parsed.label}_{parsed.dataset}",
            stamp,
            parsed.label,
        )
    contract = _folder_contracts().get(folder)
    if contract is None:
        return LandingFile(path, rel, folder, None, note=f"unknown source folder '{folder}'", warn=True)
    if stem is None or not fnmatch.fnmatch(name.lower(), contract.pattern):
        return LandingFile(path, rel, folder, None, note="not a .csv or .csv.gz file", warn=True)
    base, stamp = strip_date_stamp(stem)
    return LandingFile(path, rel, folder, contract, f"{folder}/{base}", stamp)


def discover(landing: Path) -> list[LandingFile]:
    """Every file in the landing folder (hidden files and folders aside), classified."""
    found = []
    for path in sorted(landing.rglob("*")):
        rel_parts = path.relative_to(landing).parts
        if any(p.startswith(".") for p in rel_parts) or not path.is_file():
            continue
        found.append(classify(landing, path))
    return found


# --- results -----------------------------------------------------------------------------------------------


@dataclass
class FileResult:
    rel: str
    source: str | None
    status: str  # loaded | skipped | superseded | ignored
    stream: str | None = None
    label: str | None = None
    file_id: int | None = None
    sha256: str | None = None
    bytes: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    note: str = ""
    seconds: float = 0.0

    @property
    def file_name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]


@dataclass
class SourceSummary:
    source: str
    files: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


@dataclass
class EtlResult:
    run_id: str
    started_at: datetime
    landing: Path
    warehouse: Path
    status: str = "running"
    finished_at: datetime | None = None
    message: str = ""
    build: Path | None = None
    files: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    models: list[BuiltModel] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def _sum(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files if f.status == "loaded")

    @property
    def files_loaded(self) -> int:
        return sum(1 for f in self.files if f.status == "loaded")

    @property
    def files_skipped(self) -> int:
        return sum(1 for f in self.files if f.status == "skipped")

    @property
    def rows_read(self) -> int:
        return self._sum("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._sum("rows_quarantined")

    def by_source(self) -> list[SourceSummary]:
        """Per source in load order (sources without files left out); ignored files under 'ignored'."""
        summaries: dict[str, SourceSummary] = {}
        for f in self.files:
            key = f.source if f.status != "ignored" and f.source else "ignored"
            s = summaries.setdefault(key, SourceSummary(key))
            s.files += 1
            s.files_loaded += f.status == "loaded"
            s.files_skipped += f.status == "skipped"
            if f.status == "loaded":
                s.rows_read += f.rows_read
                s.rows_loaded += f.rows_loaded
                s.rows_quarantined += f.rows_quarantined
        order = [*CONTRACTS, "ignored"]
        return sorted(summaries.values(), key=lambda s: order.index(s.source) if s.source in order else 99)

    def run_record(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "status": self.status,
            "message": self.message,
            "files_loaded": self.files_loaded,
            "files_skipped": self.files_skipped,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
        }


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


def _current_stamps(con: duckdb.DuckDBPyConnection, contract: Contract) -> dict[str, str | None]:
    """Per stream (snapshot) or run label (FutureLearn): the date stamp of the file loaded now, if it has one."""
    group = "stream" if contract.load_mode == "snapshot" else "platform_run_label"
    rows = con.execute(
        f"select {group}, path from etl_files where status = 'loaded' and source = $s",  # noqa: S608
        {"s": contract.name},
    ).fetchall()
    return {g: strip_date_stamp(strip_csv_ext(path.rsplit("/", 1)[-1]) or "")[1] for g, path in rows}


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
) -> list[FileResult]:
    """Load every new landing file into the open warehouse `con`, sources in CONTRACTS order."""
    if not landing.is_dir():
        raise EtlError(
            f"the landing folder {landing} does not exist (run `mckpi demo` or copy exports there)"
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
            return _load_found(con, found, hashes, run_id, pseudonym_key, progress, warnings)
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
                        bytes=lf.path.stat().st_size,
                        note=lf.note,
                    )
                )
        record(ignored)

    for contract in CONTRACTS.values():
        files = [lf for lf in found if lf.contract is contract]
        if not files:
            continue
        not_loaded: list[FileResult] = []
        new: list[tuple[LandingFile, str, int]] = []
        retry: set[str] = set()
        if contract.folder == "futurelearn":
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
            # One delivery per stream (or FutureLearn label): the newest by date stamp, then by name.
            def group(lf: LandingFile, mode: str = contract.load_mode) -> str:
                return (lf.stream if mode == "snapshot" else lf.label) or ""

            newest: dict[str, tuple[LandingFile, str, int]] = {}
            for item in new:
                current = newest.get(group(item[0]))
                if current is None or (item[0].stamp or "", item[0].rel) > (
                    current[0].stamp or "",
                    current[0].rel,
                ):
                    newest[group(item[0])] = item
            loaded_stamps = _current_stamps(con, contract)
            to_load = []
            for item in new:
                lf = item[0]
                loaded_stamp = loaded_stamps.get(group(lf))
                if newest[group(lf)] is not item:
                    note = "a newer delivery of the same stream is in the landing folder"
                elif lf.stamp and loaded_stamp and lf.stamp < loaded_stamp:
                    note = "older than the delivery already loaded for this stream"
                else:
                    to_load.append(item)
                    continue
                warnings.append(f"{lf.rel}: not loaded ({note})")
                not_loaded.append(
                    FileResult(
                        lf.rel,
                        contract.name,
                        "superseded",
                        lf.stream,
                        lf.label,
                        new_id(),
                        item[1],
                        item[2],
                        note=note,
                    )
                )
        with transaction(con):
            record(not_loaded)

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
            files_in = [
                BatchFile(lf.path, lf.rel, r.file_id, lf.label, reasons.get(lf.label) if lf.label else None,  # type: ignore[arg-type]
                          stream=lf.stream)
                for (lf, _, _), r in zip(batch, pending, strict=True)
            ]
            # Read and check outside a transaction (see check_csv_files), write in one (one WAL sync per batch).
            check_csv_files(con, contract, files_in, pseudonym_key=pseudonym_key)
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
    log = runlog_path(published)
    try:
        with writer_lock(published.parent, result.run_id, started):
            try:
                _build_and_publish(
                    settings,
                    result,
                    progress=progress,
                    full=full,
                    models_dir=models_dir or MODELS_DIR,
                    checks_dir=checks_dir or CHECKS_DIR,
                )
            except BaseException:
                discard_build(published, result.run_id)
                raise
    except BaseException as exc:
        result.status = "failed"
        result.finished_at = utc_now()
        result.message = _one_line(exc)
        append_run(log, result.run_record())
        if isinstance(exc, EtlError):
            exc.result = result
        raise
    return result


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
    try:
        t0 = time.perf_counter()
        result.files = load_landing(
            con, result.landing, run_id, settings.pseudonym_key(), progress=progress, warnings=result.warnings
        )
        result.timings["load"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction(con):  # one WAL sync for all models, not one per statement
            result.models = run_models(con, models_dir)
        result.timings["models"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        result.checks = run_checks(con, checks_dir)
        result.timings["checks"] = time.perf_counter() - t0

        result.status = "succeeded"
        result.finished_at = utc_now()
        con.begin()
        runs = [r for r in read_runs(runlog_path(published)) if r.get("run_id") != run_id]
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
    append_run(runlog_path(published), result.run_record())
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
