"""The Parquet lake that `mckpi export --format parquet` writes (read.exports): its manifest, and DuckDB over it.

    lake = read_lake("out/lake")                 # or "s3://bucket/mckpi/lake": any filesystem pyarrow knows
    con = open_duckdb(lake)                      # views named like the marts; run_kpi(con, "enrolments", ...)
    lake.missing_for(spec)                       # tables a KPI reads that the lake does not have

Layout (read.exports): one folder per mart, facts Hive-partitioned by year and PTj, `_manifest.json` with the ETL
run id, schema version, row counts, partition columns and each table's columns with their DuckDB types. An engine
reading the lake must see each table exactly as the warehouse had it, so the views here (and in
read.spark_engine) select the manifest's columns only (the export adds a `year` partition column to facts that
have start_year / paid_year / issue_year instead, and a PTj to step progress; those stay out of the views) and
cast the partition columns back to their warehouse types (folder names are text: `ptj_code=0101` must stay the
text '0101', and a NULL PTj is the Hive default partition folder).

Only the marts are in the lake: the two KPIs about the ETL itself (etl_history over etl_runs, quarantine_summary
over quarantine) read operational tables that never leave the warehouse (quarantine holds values as delivered).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from core.errors import EtlError
from read.exports import MANIFEST

# Tables a KPI may read that the lake never holds (see the module docstring).
OPERATIONAL_TABLES = frozenset({"etl_runs", "etl_files", "quarantine", "warehouse_info"})


class LakeError(EtlError):
    pass


@dataclass(frozen=True)
class LakeTable:
    name: str
    uri: str                        # the table's folder
    rows: int
    partition_by: tuple[str, ...]
    columns: tuple[str, ...]
    types: dict[str, str]           # column -> DuckDB type, as in the warehouse

    @property
    def glob(self) -> str:
        return f"{self.uri}/**/*.parquet"


@dataclass(frozen=True)
class Lake:
    uri: str                        # a local folder (absolute) or a filesystem URI (s3://, gs://, hdfs://)
    manifest: dict[str, Any]
    tables: dict[str, LakeTable]

    @property
    def etl_run_id(self) -> str | None:
        return self.manifest.get("etl_run_id")

    def missing_for(self, spec: Any) -> list[str]:
        """Tables that the KPI `spec` (a read.kpi.KpiSpec) reads and this lake does not have."""
        return [s for s in spec.sources if s not in self.tables]


def _is_uri(location: str) -> bool:
    return "://" in location


def _read_text(location: str, name: str) -> str:
    if not _is_uri(location):
        return (Path(location) / name).read_text("utf-8")
    from pyarrow import fs

    # Spark's Hadoop connector says s3a://, pyarrow says s3:// for the same bucket.
    filesystem, path = fs.FileSystem.from_uri(location.replace("s3a://", "s3://", 1))
    with filesystem.open_input_stream(f"{path.rstrip('/')}/{name}") as stream:
        return stream.read().decode("utf-8")


def read_lake(location: Path | str) -> Lake:
    """The lake at `location` from its manifest; a folder without one, or an export from before the manifest
    had column types, is a LakeError saying what to do."""
    text = str(location)
    root = text.rstrip("/") if _is_uri(text) else str(Path(text).expanduser().resolve())
    try:
        manifest = json.loads(_read_text(root, MANIFEST))
    except FileNotFoundError:
        raise LakeError(f"{root}: no {MANIFEST}: write the lake with `mckpi export --format parquet --out "
                        f"{text}`") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise LakeError(f"{root}/{MANIFEST}: cannot be read ({exc})") from None
    if manifest.get("format") != "parquet" or manifest.get("layout") != "hive":
        raise LakeError(f"{root}/{MANIFEST}: expected format 'parquet' and layout 'hive', found "
                        f"{manifest.get('format')!r} / {manifest.get('layout')!r}")
    tables: dict[str, LakeTable] = {}
    for name, entry in (manifest.get("tables") or {}).items():
        if "types" not in entry:
            raise LakeError(f"{root}/{MANIFEST}: table {name} has no column types (an export from an older "
                            "mckpi): export it again with `mckpi export --format parquet --overwrite`")
        tables[name] = LakeTable(
            name=name,
            uri=f"{root}/{entry.get('path', name)}",
            rows=int(entry["rows"]),
            partition_by=tuple(entry.get("partition_by") or ()),
            columns=tuple(entry["columns"]),
            types=dict(entry["types"]),
        )
    if not tables:
        raise LakeError(f"{root}/{MANIFEST}: lists no tables")
    return Lake(uri=root, manifest=manifest, tables=tables)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_view_sql(table: LakeTable) -> str:
    """`select <columns> from read_parquet(...)`, partition columns cast back to their warehouse types. The path is
    the lake's own folder from the manifest (a view definition cannot take a bound parameter)."""
    selected = []
    for column in table.columns:
        quoted = _quote_ident(column)
        if column in table.partition_by:
            selected.append(f"cast({quoted} as {table.types[column]}) as {quoted}")
        else:
            selected.append(quoted)
    source = (f"read_parquet({_quote_literal(table.glob)}, hive_partitioning = true,"
              " hive_types_autocast = false)")
    return f"select {', '.join(selected)} from {source}"  # noqa: S608 - identifiers and the lake path, quoted


def open_duckdb(lake: Lake, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per lake table (the KPI layer runs on it as on the warehouse)."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    if any(_is_uri(t.uri) for t in lake.tables.values()):
        con.execute("install httpfs")  # s3:// and https:// (credentials from the usual AWS variables)
        con.execute("load httpfs")
    for table in lake.tables.values():
        con.execute(f"create view {_quote_ident(table.name)} as {duckdb_view_sql(table)}")
    return con


__all__ = ["OPERATIONAL_TABLES", "Lake", "LakeError", "LakeTable", "duckdb_view_sql", "open_duckdb", "read_lake"]
