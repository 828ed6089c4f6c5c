"""Exports of the published warehouse (or a snapshot): Parquet for other engines, a CSV for the MQA.

    export_parquet(warehouse, Path("out/parquet"))        -> the manifest (also written as out/parquet/_manifest.json)
    export_mqa(warehouse, Path("mqa-2025.csv"), 2025)     -> the CSV written

Parquet layout (Hive partitioning, readable by DuckDB, Trino, Spark, pandas/pyarrow):

    <out>/dim_course/data_0.parquet                                     dimensions: one unpartitioned file
    <out>/fct_enrolment/year=2025/ptj_code=FSKTM/data_0.parquet          facts: by the fact's natural year, PTj
    <out>/_manifest.json                                                tables, row counts, partitions, ETL run id

A fact's `year` is its natural year (ARCHITECTURE.md): start_year for enrolments and teaching, paid_year for
payments, issue_year for certificates, the target year for targets, and the course run's start year (and PTj)
for step progress, which has neither column of its own. The partition columns live in the folder names, so read
them back with hive partitioning on:

    select * from read_parquet('<out>/fct_payment/**/*.parquet', hive_partitioning = true)

Only the marts (dim_*, fct_*) are exported: raw tables and quarantine can hold values as delivered. By default
no learner-level table leaves the warehouse (issue 13): dim_learner and every table with a column naming the learner
(`learner_key`, `learner_number`, `learner_id`: fct_enrolment, fct_step_progress, fct_learner_year,
fct_repeat_enrolment, fct_certificate, fct_payment) are left out and listed in the manifest's `left_out`.
`learner_rows=True` (`mckpi export --format parquet --learner-rows`) exports them too, pseudonymised as in the
warehouse: that is a copy of the warehouse for the university's own scale-out engine, for the server team who may
read the warehouse file, never a figure for anyone else.

The MQA file has one row per MC course (MOOCs left out) and year: learners who took it (distinct learners in
runs starting that year) and learners who passed (enrolments with a passed outcome), both from the KPI layer
(`learners` and `completions` by course), and Malaysian Micro-credential Statements issued that year on a run of the
course (`certificates` by course, its `mms`), with small counts shown as "<5" like everywhere below university level.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings
from core.contracts import MC_TYPES
from core.errors import EtlError
from read.cells import escape_cell
from read.kpi import KpiFilters, run_kpi
from read.warehouse import Warehouse

MANIFEST = "_manifest.json"
EXPORT_TIMEOUT_S = 3600.0
# The natural year of each fact (ARCHITECTURE.md); a fact not listed uses its `year` column, else the first of
# NATURAL_YEARS it has, else its course run's start year.
FACT_YEARS = {
    "fct_enrolment": "start_year",
    "fct_step_progress": None,  # from dim_course_run via run_id
    "fct_certificate": "issue_year",
    "fct_payment": "paid_year",
    "fct_teaching": "start_year",
    "fct_kpi_target": "year",
}
NATURAL_YEARS = ("start_year", "paid_year", "issue_year", "enrol_year", "launch_year")
MQA_COLUMNS = ("course_code", "course_title", "ptj_code", "mqa_category", "year", "learners_took",
               "learners_passed", "mms_issued")


class ExportError(EtlError):
    pass


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _open(warehouse: Path | str | Warehouse, timeout_s: float = EXPORT_TIMEOUT_S) -> tuple[Warehouse, bool]:
    """A Warehouse on the build the path points at now (one consistent build for the whole export)."""
    if isinstance(warehouse, Warehouse):
        return warehouse, False
    path = Path(warehouse)
    if not path.exists():
        raise ExportError(f"no warehouse at {path}: run `mckpi etl` first")
    return Warehouse(Path(os.path.realpath(path)), timeout_s=timeout_s), True


# A column naming the learner of a row: the pseudonymised key, its BIGINT surrogate, or a platform's own id.
LEARNER_COLUMNS = frozenset({"learner_key", "learner_number", "learner_id"})


def is_learner_level(table: str, columns: list[str]) -> bool:
    """One row per learner (or per learner and something): dim_learner and any table with a column that names
    the learner (fct_learner_year has learner_number and no learner_key)."""
    return table == "dim_learner" or not LEARNER_COLUMNS.isdisjoint(columns)


def _partition_plan(table: str, columns: list[str]) -> tuple[str, list[str], str | None]:
    """(select statement, partition columns, where the year comes from) for one dim_ or fct_ table."""
    t = _quote_ident(table)
    if table.startswith("dim_"):
        return f"select * from {t}", [], None  # noqa: S608 - a quoted table name from the catalogue
    year_from = FACT_YEARS.get(table, "")
    if year_from and year_from not in columns:
        year_from = ""
    if not year_from and table not in FACT_YEARS:
        year_from = "year" if "year" in columns else next((c for c in NATURAL_YEARS if c in columns), "")
    has_ptj = "ptj_code" in columns
    if year_from and (year_from == "year" or "year" not in columns):
        extra = "" if year_from == "year" else f", {_quote_ident(year_from)} as year"
        partitions = ["year", "ptj_code"] if has_ptj else ["year"]
        return f"select *{extra} from {t}", partitions, year_from  # noqa: S608
    if "run_id" in columns and "year" not in columns:
        extra = ", runs.start_year as year" + ("" if has_ptj else ", runs.ptj_code as ptj_code")
        sql = (f"select facts.*{extra} from {t} as facts "  # noqa: S608
               "left join dim_course_run as runs on runs.run_id = facts.run_id")
        return sql, ["year", "ptj_code"], "dim_course_run.start_year"
    return f"select * from {t}", [], None  # noqa: S608


def export_parquet(warehouse_path: Path | str | Warehouse, out_dir: Path | str, *, overwrite: bool = False,
                   compression: str = "zstd", learner_rows: bool = False) -> dict[str, Any]:
    """Write the dim_ and fct_ tables as Parquet under out_dir (facts Hive-partitioned by year and PTj) plus
    out_dir/_manifest.json; returns the manifest. Learner-level tables only with `learner_rows=True`. The folder is built beside out_dir and renamed into place, so
    a reader never sees half an export. An existing non-empty out_dir is replaced only with overwrite=True."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise ExportError(f"{out} exists and is not empty: choose another folder, or overwrite it (--overwrite)")
    if compression not in ("zstd", "snappy", "gzip", "uncompressed"):
        raise ExportError(f"unknown compression {compression!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.tmp-{secrets.token_hex(4)}"
    work.mkdir()
    wh, owned = _open(warehouse_path)
    try:
        with wh.cursor() as con:
            info = dict(con.execute("select key, value from warehouse_info").fetchall())
            tables = [r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
                " and table_type = 'BASE TABLE' and (starts_with(table_name, 'dim_') or"
                " starts_with(table_name, 'fct_')) order by table_name"
            ).fetchall()]
            if not tables:
                raise ExportError("the warehouse has no dim_ or fct_ tables")
            manifest_tables: dict[str, Any] = {}
            left_out: list[str] = []
            for table in tables:
                described = con.execute(
                    "select column_name, data_type from information_schema.columns where table_schema = 'main'"
                    " and table_name = $t order by ordinal_position", {"t": table}).fetchall()
                columns = [r[0] for r in described]
                if not learner_rows and is_learner_level(table, columns):
                    left_out.append(table)
                    continue
                sql, partitions, year_from = _partition_plan(table, columns)
                rows = con.execute(f"select count(*) from {_quote_ident(table)}").fetchone()[0]  # noqa: S608
                target = work / table
                options = ["format parquet", f"compression {compression}"]
                if partitions and rows:
                    options.append(f"partition_by ({', '.join(partitions)})")
                    destination = target
                else:  # dims, and empty facts (a partitioned copy of nothing writes no file)
                    target.mkdir()
                    destination = target / "data_0.parquet"
                con.execute(f"copy ({sql}) to {_quote_literal(str(destination))} ({', '.join(options)})")
                pattern = _quote_literal(str(target / "**" / "*.parquet"))
                written = con.execute(f"select count(*) from read_parquet({pattern})").fetchone()[0]  # noqa: S608
                if written != rows:
                    raise ExportError(f"{table}: {rows} rows in the warehouse but {written} written")
                manifest_tables[table] = {
                    "kind": "dimension" if table.startswith("dim_") else "fact",
                    "rows": int(rows),
                    "path": table,
                    "glob": f"{table}/**/*.parquet",
                    "partition_by": partitions if rows else [],
                    "year_from": year_from,
                    "columns": columns,
                    # DuckDB types, so that any engine reads the table back as the warehouse had it (read.lake)
                    "types": {name: data_type for name, data_type in described},
                }
        manifest = {
            "format": "parquet",
            "layout": "hive",
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "etl_run_id": info.get("etl_run_id"),
            "published_at": info.get("published_at"),
            "schema_version": info.get("schema_version"),
            "is_demo": info.get("is_demo") == "true",
            "snapshot_label": info.get("snapshot_label"),
            "learner_rows": learner_rows,
            "left_out": left_out,
            "tables": manifest_tables,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap_in(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if owned:
            wh.close()
    return manifest


def _swap_in(work: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{secrets.token_hex(4)}"
        os.replace(out, old)
    os.replace(work, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(out_dir: Path | str) -> dict[str, Any]:
    return json.loads((Path(out_dir) / MANIFEST).read_text("utf-8"))


# --- MQA -------------------------------------------------------------------------------------------------------


def _mc_types() -> tuple[str, ...]:
    return tuple(t for t in MC_TYPES if t != "mooc")


def _cells(result: Any) -> list[dict[str, Any]]:
    """KPI rows as dicts with hidden counts as "<limit>"."""
    marker = f"<{result.small_cell_limit}"
    rows = result.table.to_pylist()
    for r, column in result.suppressed:
        rows[r][column] = marker
    return rows


def mqa_rows(warehouse_path: Path | str | Warehouse, year: int | None = None, *,
             settings: Settings | None = None) -> list[dict[str, Any]]:
    """The MQA rows (see the module docstring), sorted by year and course code."""
    settings = settings or load_settings()
    wh, owned = _open(warehouse_path, timeout_s=600.0)
    try:
        filters = KpiFilters(year=year, mc_types=_mc_types())
        took = _cells(run_kpi(wh, "learners", filters, by="course", settings=settings))
        passed = _cells(run_kpi(wh, "completions", filters, by="course", settings=settings))
        issued = _cells(run_kpi(wh, "certificates", filters, by="course", settings=settings))
        courses = wh.query("select course_code, course_title, ptj_code, mqa_category from dim_course").to_pylist()
    finally:
        if owned:
            wh.close()
    attributes = {c["course_code"]: c for c in courses}
    passed_by = {(r["year"], r["group_key"]): r["passed"] for r in passed}
    mms_by = {(r["year"], r["group_key"]): r["mms"] for r in issued}
    rows = []
    for r in took:
        course = attributes.get(r["group_key"], {})
        rows.append({
            "course_code": r["group_key"],
            "course_title": course.get("course_title") or r["group_label"],
            "ptj_code": course.get("ptj_code"),
            "mqa_category": course.get("mqa_category"),
            "year": r["year"],
            "learners_took": r["learners"],
            "learners_passed": passed_by.get((r["year"], r["group_key"]), 0),
            "mms_issued": mms_by.get((r["year"], r["group_key"]), 0),
        })
    return sorted(rows, key=lambda r: (r["year"], r["course_code"]))


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return escape_cell(value) if isinstance(value, str) else value


def write_csv(rows: Iterable[dict[str, Any]], out_csv: Path | str, columns: Iterable[str] = MQA_COLUMNS) -> Path:
    out = Path(out_csv)
    out.parent.mkdir(parents=True, exist_ok=True)
    columns = list(columns)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_csv_value(row.get(c)) for c in columns])
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def export_mqa(warehouse_path: Path | str | Warehouse, out_csv: Path | str, year: int | None = None, *,
               settings: Settings | None = None) -> Path:
    """Write the MQA CSV (course_code, course_title, ptj_code, mqa_category, year, learners_took,
    learners_passed, mms_issued): one row per MC course and year (all years when year is None), small counts as "<5"."""
    return write_csv(mqa_rows(warehouse_path, year, settings=settings), out_csv)


__all__ = ["ExportError", "MANIFEST", "MQA_COLUMNS", "export_mqa", "export_parquet", "mqa_rows", "read_manifest"]
