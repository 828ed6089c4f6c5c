"""The full KPI set on Spark local[2] vs DuckDB over the same Parquet lake (issue 20).

    .venv/bin/python bench/spark.py --enrolments 1M [--json bench/out/spark-1M.json] [--no-append]

Demo data (seed 42) is generated once per scale into bench/out/<scale>/landing (shared with bench/etl.py), run
through the ETL into bench/out/<scale>/spark/warehouse, and exported to bench/out/<scale>/spark/lake (all
git-ignored). Then, in this one process, interleaved so the shared machine's load hits both alike:

  duckdb lake    every lake KPI at every grain (66 runs of read.kpi.run_kpi, protection included) on an
                 in-memory DuckDB over the lake (read.lake.open_duckdb), unfiltered
  spark lake     the same 66 runs on Spark local[2] over the same lake (read.spark_engine.SparkLake, no cache:
                 each KPI reads the Parquet files), after a warm-up KPI; the session start is timed apart
  duckdb wh      the same on the published warehouse file, for reference

and checks that both engines gave the same figures (read.lake_parity). The result (date, load average, command,
seconds) is appended to bench/RESULTS.md unless --no-append.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCALES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
AS_OF = "2026-11-23"


def landing_for(scale: str) -> Path:
    """bench/out/<scale>/landing as bench/etl.py makes it (generated on first use; .complete when it finished)."""
    import shutil

    from etl.demo import generate

    base = ROOT / "bench" / "out" / scale
    landing = base / "landing"
    if not (base / ".complete").exists():
        shutil.rmtree(landing, ignore_errors=True)
        landing.mkdir(parents=True)
        started = time.perf_counter()
        generate(landing, SCALES[scale], 42)
        print(f"generated {scale} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        (base / ".complete").write_text(str(SCALES[scale]))
    return landing


def _full_set(source, settings) -> tuple[float, int]:  # noqa: ANN001
    from read.kpi import KpiFilters, run_kpi
    from read.lake_parity import lake_kpis

    started = time.perf_counter()
    rows = 0
    for spec in lake_kpis():
        for by in spec.grain:
            rows += run_kpi(source, spec.id, KpiFilters(), by=by, settings=settings,
                            as_of=AS_OF).table.num_rows
    return time.perf_counter() - started, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enrolments", choices=list(SCALES), default="1M")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-append", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()

    from core.config import load_settings
    from etl.load import run_etl
    from read.exports import export_parquet
    from read.lake import open_duckdb, read_lake
    from read.lake_parity import compare_sources
    from read.spark_engine import SparkLake, spark_session
    from read.warehouse import Warehouse

    landing = landing_for(args.enrolments)
    base = ROOT / "bench" / "out" / args.enrolments / "spark"
    warehouse = base / "warehouse" / "mckpi.duckdb"
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    figures: dict[str, object] = {"enrolments": args.enrolments, "started": dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"), "load_average_start": os.getloadavg()}
    if not warehouse.exists():
        started = time.perf_counter()
        result = run_etl(settings, landing=landing, warehouse=warehouse)
        assert result.status == "succeeded", result.message
        figures["etl_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    manifest = export_parquet(warehouse, base / "lake", overwrite=True, learner_rows=True)
    figures["export_s"] = round(time.perf_counter() - started, 1)
    figures["lake_rows"] = sum(t["rows"] for t in manifest["tables"].values())
    figures["fct_enrolment_rows"] = manifest["tables"]["fct_enrolment"]["rows"]
    lake = read_lake(base / "lake")

    duck = open_duckdb(lake)
    figures["duckdb_lake_s"], figures["result_rows"] = _full_set(duck, settings)

    started = time.perf_counter()
    session = spark_session(settings)
    spark = SparkLake(lake, settings, session=session)
    spark.query("select count(*) as n from fct_enrolment")  # warm-up: JVM, first file listing
    figures["spark_start_s"] = round(time.perf_counter() - started, 1)
    figures["spark_lake_s"], spark_rows = _full_set(spark, settings)
    assert spark_rows == figures["result_rows"], (spark_rows, figures["result_rows"])

    wh = Warehouse(warehouse)
    figures["duckdb_warehouse_s"], _ = _full_set(wh, settings)
    # Same figures? (runs each KPI again on both: not timed)
    report = compare_sources(wh, spark, as_of=AS_OF, settings=settings)
    figures["parity_problems"] = report.problems
    figures["parity_cases"] = len(report.cases)
    wh.close()
    duck.close()
    spark.close()
    figures["load_average_end"] = os.getloadavg()
    for key in ("duckdb_lake_s", "spark_lake_s", "duckdb_warehouse_s"):
        figures[key] = round(float(figures[key]), 1)
    figures["spark_over_duckdb"] = round(figures["spark_lake_s"] / figures["duckdb_lake_s"], 1)
    print(json.dumps(figures, indent=1, default=str))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    if not args.no_append:
        _append(figures, args)


def _append(f: dict, args: argparse.Namespace) -> None:
    import pyspark

    command = f".venv/bin/python bench/spark.py --enrolments {args.enrolments}"
    load = "{:.1f}, {:.1f}, {:.1f}".format(*f["load_average_start"])
    load_end = "{:.1f}, {:.1f}, {:.1f}".format(*f["load_average_end"])
    text = f"""

## Spark local[2] vs DuckDB over the Parquet lake, {args.enrolments} enrolments ({f['started'][:16]} UTC)

`{command}` (one run). Python {platform.python_version()}, pyspark {pyspark.__version__}, Java 17, DuckDB over
the same lake (`mckpi export --format parquet`: {f['lake_rows']:,} rows, {f['fct_enrolment_rows']:,} in
fct_enrolment). The full KPI set = every KPI that reads the marts at every grain in its header, unfiltered, through
`run_kpi` (protection included): {f['parity_cases']} runs, {f['result_rows']:,} result rows. Load average
(1, 5, 15 min) {load} at the start and {load_end} at the end: the machine was shared.

| step | seconds |
|---|---:|
| export to Parquet | {f['export_s']} |
| DuckDB over the lake, full KPI set | {f['duckdb_lake_s']} |
| Spark session start + first query (JVM, file listing) | {f['spark_start_s']} |
| Spark local[2] over the lake, full KPI set | {f['spark_lake_s']} |
| DuckDB on the warehouse file, full KPI set (reference) | {f['duckdb_warehouse_s']} |

Spark / DuckDB over the same lake: {f['spark_over_duckdb']}×. Same figures on both: {
'yes, every run' if not f['parity_problems'] else 'NO: ' + '; '.join(f['parity_problems'][:5])}.
"""
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
