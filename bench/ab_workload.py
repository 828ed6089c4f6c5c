"""A/B: lecturer_workload's distinct learners taught, as a distinct count over every enrolment of every run a
lecturer taught (before) vs the runs' learner counts less fct_repeat_enrolment's repeats (after). On a copy of a
bench warehouse built before the mart existed: the mart is built into the copy first (timed: what it adds to the
ETL), then both KPI versions run with the same bound parameters, interleaved, best of --repeat warm runs each.
Before = queries/kpi/lecturer_workload.sql as committed in 524b149 (the last commit before the change).

    .venv/bin/python bench/ab_workload.py bench/out/10M/work/etl/mckpi.duckdb [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.config import load_settings  # noqa: E402
from etl.models import plan  # noqa: E402
from read.kpi import KpiFilters, build_params, referenced_params  # noqa: E402

KPI = ROOT / "queries" / "kpi" / "lecturer_workload.sql"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    copy = ROOT / "bench" / "out" / "ab-workload.duckdb"
    shutil.copy(args.warehouse.resolve(), copy)
    before_sql = subprocess.run(["git", "show", "524b149:queries/kpi/lecturer_workload.sql"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    after_sql = KPI.read_text()
    con = duckdb.connect(str(copy))
    mart = next(m for m in plan() if m.name == "fct_repeat_enrolment")
    started = time.perf_counter()
    con.execute(f"create or replace table fct_repeat_enrolment as {mart.sql}")
    seconds = time.perf_counter() - started
    count = con.execute("select count(*) from fct_repeat_enrolment").fetchone()[0]
    print(f"fct_repeat_enrolment built in {seconds:.1f} s, {count:,} rows", flush=True)
    con.execute("checkpoint")
    con.close()
    con = duckdb.connect(str(copy), read_only=True)
    latest = con.execute("select max(start_year) from fct_teaching").fetchone()[0]
    for year in (latest, None):  # the page's default year, and all years (what bench/pages.py runs)
        params = build_params(KpiFilters(year=year), by="staff", settings=load_settings())
        best = {"before": float("inf"), "after": float("inf")}
        results = {}
        for _ in range(args.repeat + 1):  # the first round warms both
            for name, sql in (("before", before_sql), ("after", after_sql)):
                started = time.perf_counter()
                rows = con.execute(sql, {k: v for k, v in params.items() if k in referenced_params(sql)}).fetchall()
                best[name] = min(best[name], time.perf_counter() - started)
                results[name] = rows
        assert results["before"] == results["after"], "the two versions differ"
        print(f"year {year or 'all'}: {len(results['after'])} rows, identical; warm best of {args.repeat + 1}:"
              f" before {best['before'] * 1e3:.0f} ms, after {best['after'] * 1e3:.0f} ms,"
              f" {best['before'] / best['after']:.1f}x faster", flush=True)
    con.close()
    copy.unlink()


if __name__ == "__main__":
    main()
