"""The contract-driven CSV reader used by every source.

A batch of files of one source (one file for append sources, all new deliveries for snapshot sources):
1. file-level checks on each file's first bytes (etl.file_checks.check_file_start);
2. DuckDB's native `read_csv` over the batch with the contract's columns (all VARCHAR, no sniffing, strict,
   `filename = true`) into the staging temp table `_stage`; a DuckDB error is re-diagnosed file by file
   (etl.file_checks.diagnose) into a SourceFileError naming the file and line;
3. one generated SELECT (etl.row_checks.checked_sql) that types, pseudonymises and checks every row;
4. rejected rows of that SELECT into `quarantine`, then accepted ones into raw_<source>, each straight from
   `_stage` (the SELECT runs twice, but its rows are written once, not first into a table of their own:
   issue 16, the write was the larger cost at 10M).

`_line` is the staging rowid minus the file's first rowid, plus 2. A CREATE TABLE AS from read_csv keeps file
order, and a multi-file scan keeps each file's rows together and in order (DuckDB preserves insertion order, also
when it reads in parallel; tests/etl check this with small read buffers), so this equals `row_number() over () + 1`
per file without the cost of a window: the header is line 1, and a record with embedded line breaks counts as one
line, as a spreadsheet shows it. DuckDB skips empty lines, so after an empty line in the middle of a file the
numbers run one short; the ETL warns when it sees one (FileFacts.blank_line). Reading several files in one scan
keeps the per-file cost low when hundreds of small FutureLearn exports arrive at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from core.contracts import Contract
from core.errors import SourceFileError
from etl.file_checks import FileFacts, check_file_start, diagnose, rows_missing_error, truncated_error
from etl.horizon import DateHorizon
from etl.keys import ascii_only_sql, ensure_sql_function
from etl.row_checks import CheckedSql, checked_sql, duplicates_sql, ident, normalised_columns, raw_columns
from etl.sources import fl_layouts, open_badges

STAGE = "_stage"
FILES = "_files"
DUPLICATES = "_dups"

# DuckDB's CSV buffer size; None = DuckDB's default (32 MB). Tests set it small to make DuckDB read a few-MB
# file in parallel chunks and check that line numbers still hold.
READ_BUFFER_BYTES: int | None = None


@dataclass(frozen=True)
class BatchFile:
    path: Path
    rel: str  # landing-relative path, used in messages and quarantine.file_name
    file_id: int
    label: str | None = None  # FutureLearn run label
    label_reason: str | None = None  # why the label's rows cannot load (None = they can)
    stream: str | None = None  # snapshot sources: the stream this file is a delivery of
    facts: FileFacts | None = None  # from hash_file: the independent record count the staged rows must match


@dataclass(frozen=True)
class LoadCounts:
    rows_read: int
    rows_loaded: int
    rows_quarantined: int


# A row's verdict (null for a loaded row): written with the row in the one pass that types and checks it, then a
# rejected row moves to quarantine (write_checked). Null in every row that stays, so it costs next to no space.
VERDICT_COLUMNS = ("_err_column", "_err_value", "_err_reason")


def raw_table_ddl(contract: Contract) -> str:
    cols = [f"{ident(name)} {sql_type}" for name, sql_type in raw_columns(contract)]
    if contract.folder == "futurelearn":
        cols.append('"platform_run_label" varchar')
    cols += ['"_file_id" integer', '"_line" bigint', *(f'"{c}" varchar' for c in VERDICT_COLUMNS)]
    return f"create table if not exists {ident(contract.raw_table)} ({', '.join(cols)})"


def raw_table_upgrades(contract: Contract) -> list[str]:
    """Columns added to raw_<source> since its first version (an incremental run copies a warehouse built by
    an earlier mckpi, whose raw tables lack them): added in place, null for the rows already loaded."""
    return [f'alter table {ident(contract.raw_table)} add column if not exists "{c}" varchar' for c in VERDICT_COLUMNS]


def read_options_sql() -> str:
    """The read_csv options: the contract decides the columns, nothing is sniffed."""
    options = (
        "columns = $columns, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"',"
        " strict_mode = true, null_padding = false, ignore_errors = false, encoding = 'utf-8', filename = true"
    )
    if READ_BUFFER_BYTES:
        options += f", buffer_size = {int(READ_BUFFER_BYTES)}"
    return options


def _read(con: duckdb.DuckDBPyConnection, table: str, contract: Contract, paths: list[str]) -> None:
    columns = {c.name: "VARCHAR" for c in contract.columns}
    con.execute(
        f"create or replace temp table {table} as select * from read_csv($paths, {read_options_sql()})",  # noqa: S608
        {"paths": paths, "columns": columns},
    )


def _read_layouts(
    con: duckdb.DuckDBPyConnection, contract: Contract, batch: list[BatchFile], layouts: list[fl_layouts.Layout]
) -> None:
    """FutureLearn exports: each file read with its own layout's columns, projected onto the contract's, into
    _stage (one scan per layout, each file's rows together and in order, as _line needs)."""
    groups: dict[tuple[str, ...], tuple[fl_layouts.Layout, list[str]]] = {}
    for f, layout in zip(batch, layouts, strict=True):
        groups.setdefault(layout.header, (layout, []))[1].append(str(f.path))
    verb = f"create or replace temp table {STAGE} as"
    for layout, paths in groups.values():
        con.execute(
            f"{verb} select {fl_layouts.projection_sql(contract, layout)}, filename"  # noqa: S608
            f" from read_csv($paths, {read_options_sql()})",
            {"paths": paths, "columns": {name: "VARCHAR" for name in layout.header}},
        )
        verb = f"insert into {STAGE}"


def _stage_layout_files(con: duckdb.DuckDBPyConnection, contract: Contract, batch: list[BatchFile]) -> None:
    layouts = [fl_layouts.detect_layout(f.path, f.rel, contract) for f in batch]
    try:
        _read_layouts(con, contract, batch, layouts)
    except duckdb.Error as exc:
        for f, layout in zip(batch, layouts, strict=True):
            try:
                _read_layouts(con, contract, [f], [layout])
            except duckdb.Error as one:
                raise diagnose(f.path, f.rel, fl_layouts.file_contract(contract, layout), str(one)) from one
        raise SourceFileError(batch[0].rel, None, None, f"cannot be read as CSV: {exc}") from exc


def stage_files(con: duckdb.DuckDBPyConnection, contract: Contract, batch: list[BatchFile]) -> None:
    """Read the batch into _stage and describe it in _files; file-level problems raise SourceFileError."""
    if contract.name == open_badges.SOURCE:  # JSON, not CSV: flattened into the same staging table
        open_badges.stage(con, STAGE, contract, [(f.path, f.rel) for f in batch])
        batch = [replace(f, facts=None) for f in batch]  # hash_file counts CSV records, not JSON ones
    elif fl_layouts.has_layouts(contract):
        _stage_layout_files(con, contract, batch)
    else:
        _stage_plain_files(con, contract, batch)
    _describe_files(con, contract, batch)


def _stage_plain_files(con: duckdb.DuckDBPyConnection, contract: Contract, batch: list[BatchFile]) -> None:
    for f in batch:
        check_file_start(f.path, f.rel, contract)
    try:
        _read(con, STAGE, contract, [str(f.path) for f in batch])
    except duckdb.Error as exc:
        # Find the file DuckDB refused, and say what is wrong with it.
        for f in batch:
            try:
                _read(con, "_probe", contract, [str(f.path)])
            except duckdb.Error as one:
                raise diagnose(f.path, f.rel, contract, str(one)) from one
            finally:
                con.execute("drop table if exists _probe")
        raise SourceFileError(batch[0].rel, None, None, f"cannot be read as CSV: {exc}") from exc


def _describe_files(con: duckdb.DuckDBPyConnection, contract: Contract, batch: list[BatchFile]) -> None:
    con.execute(
        f"create or replace temp table {FILES} as select f.*, coalesce(s._r0, 0) as _r0, coalesce(s._n, 0) as _n"  # noqa: S608
        " from (select unnest($filenames::varchar[]) as filename, unnest($file_ids::integer[]) as file_id,"
        " unnest($rels::varchar[]) as rel, unnest($labels::varchar[]) as label,"
        " unnest($reasons::varchar[]) as label_reason) f"
        f" left join (select filename, min(rowid) as _r0, count(*) as _n from {STAGE} group by filename) s"
        " on s.filename = f.filename",
        {
            "filenames": [str(f.path) for f in batch],
            "file_ids": [f.file_id for f in batch],
            "rels": [f.rel for f in batch],
            "labels": [f.label for f in batch],
            "reasons": [f.label_reason for f in batch],
        },
    )
    check_staged_counts(con, contract, batch)


def check_staged_counts(con: duckdb.DuckDBPyConnection, contract: Contract, batch: list[BatchFile]) -> None:
    """Each file's staged rows against hash_file's own count of its records, and its last line against a cut:
    DuckDB drops a last line holding a value longer than its buffer without an error, and a file cut inside its
    last value parses as a shorter value ('650.00' cut to '65')."""
    staged = dict(con.execute(f"select file_id, _n from {FILES}").fetchall())  # noqa: S608
    for f in batch:
        if f.facts is None or f.facts.records is None:
            continue
        expected = max(f.facts.records - 1, 0)  # less the header
        if staged[f.file_id] != expected:
            raise rows_missing_error(f.path, f.rel, contract, staged[f.file_id], expected)
        if f.facts.unterminated_line is not None and expected > 0:
            raise truncated_error(f.rel, contract, f.facts.unterminated_line)


def check_csv_files(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    batch: list[BatchFile],
    *,
    pseudonym_key: str,
    horizon: DateHorizon | None = None,
) -> CheckedSql:
    """Read a batch into _stage (and _files, _dups) and return the SELECT that types, pseudonymises and checks
    its rows (with the reason per rejected row), for write_checked. Run it outside an explicit transaction:
    rowids are only 0, 1, 2 ... in a committed table.
    horizon: the dates a file may hold (default: [dates] defaults, delivered today)."""
    stage_files(con, contract, batch)
    # Keys are compared normalised (etl/keys.py); a column holding only ASCII needs no Python call for it.
    ascii_columns = _ascii_columns(con, STAGE, [c.name for c in normalised_columns(contract)])
    stored = [  # keys looked up in raw_<source> (FutureLearn runs replace their rows: no look-up there)
        n
        for n in contract.natural_key
        if contract.load_mode != "snapshot_per_run"
        and contract.column(n).type == "varchar"
        and not contract.column(n).pseudonymise
    ]
    ascii_stored = _ascii_columns(con, ident(contract.raw_table), stored)
    if len(ascii_columns) + len(ascii_stored) < len(normalised_columns(contract)) + len(stored):
        ensure_sql_function(con)
    dups = duplicates_sql(contract, STAGE, FILES, ascii_columns=ascii_columns)
    if dups:
        con.execute(f"create or replace temp table {DUPLICATES} as {dups}")
    check_loaded = contract.load_mode == "append" and bool(
        con.execute(f"select count(*) from {ident(contract.raw_table)}").fetchone()[0]  # type: ignore[index]  # noqa: S608
    )
    if check_loaded and len(batch) > 1:
        raise ValueError("append sources load one file at a time (a key already loaded is looked up in raw)")
    checked = checked_sql(
        contract,
        stage=STAGE,
        files=FILES,
        duplicates=DUPLICATES if dups else None,
        check_loaded=check_loaded,
        other_streams=[f.stream or "" for f in batch] if contract.load_mode == "snapshot" else None,
        pseudonym_key=pseudonym_key,
        ascii_columns=ascii_columns,
        ascii_stored=ascii_stored,
        horizon=horizon or DateHorizon.today(),
    )
    return checked


def _ascii_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> frozenset[str]:
    """The columns of `table` in which every value is ASCII."""
    if not columns:
        return frozenset()
    flags = con.execute(ascii_only_sql(columns, table)).fetchall()[0]
    return frozenset(c for c, flag in zip(columns, flags, strict=True) if flag)


def write_checked(
    con: duckdb.DuckDBPyConnection, contract: Contract, checked: CheckedSql, *, run_id: str
) -> dict[int, LoadCounts]:
    """Rejected rows of `checked` (from check_csv_files) into quarantine, accepted ones into raw_<source>;
    counts per file id. Drops _stage, _dups and _files.

    One pass types and checks the rows (the SELECT is the costly part: casts, sha256, date and range checks):
    every row goes into raw_<source> with its verdict columns, then the rejected ones (verdict not null, few)
    are copied to quarantine and deleted from raw_<source>. The SELECT reads raw_<source> (keys already loaded,
    refunds against fees paid) as it was before the insert, so this batch's rows do not see each other there.
    Call it before _supersede changes raw_<source> or etl_files, as the checks always ran before it."""
    names = [ident(name) for name, _ in raw_columns(contract)]
    target = list(names)
    source = list(names)
    if contract.folder == "futurelearn":
        target.append('"platform_run_label"')
        source.append("_label")
    raw = ident(contract.raw_table)
    verdict = ", ".join(VERDICT_COLUMNS)
    con.execute(
        f'insert into {raw} ({", ".join(target)}, "_file_id", "_line", {verdict})'  # noqa: S608
        f" select {', '.join(source)}, _file_id, _line, {verdict} from ({checked.sql}) c",
        checked.params,
    )
    rejected = f"r._err_reason is not null and r._file_id in (select file_id from {FILES})"  # noqa: S608
    con.execute(
        "insert into quarantine (run_id, file_id, source, file_name, line, column_name, value, reason)"  # noqa: S608
        f" select $run_id, r._file_id, $source, f.rel, r._line, r._err_column, r._err_value, r._err_reason"
        f" from {raw} r join {FILES} f on f.file_id = r._file_id where {rejected}"
        " order by r._file_id, r._line",
        {"run_id": run_id, "source": contract.name},
    )
    con.execute(f"delete from {raw} r where {rejected}")  # noqa: S608
    rows = con.execute(
        f"select f.file_id, f._n, coalesce(q.n, 0) from {FILES} f"  # noqa: S608
        " left join (select file_id, count(*) as n from quarantine"
        f" where file_id in (select file_id from {FILES}) group by 1) q on q.file_id = f.file_id"
    ).fetchall()
    # The staging table is the only one holding raw learner ids (a temp table, for this batch only).
    con.execute(f"drop table {STAGE}")
    con.execute(f"drop table if exists {DUPLICATES}")
    con.execute(f"drop table {FILES}")
    return {file_id: LoadCounts(n, n - bad, bad) for file_id, n, bad in rows}
