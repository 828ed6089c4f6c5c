"""Every KPI figure, dumped, so that a refactor or a speed-up can prove it changed none of them.

    python bench/kpi_outputs.py dump OUT.json [--enrolments 20000] [--seed 42]
    python bench/kpi_outputs.py compare BEFORE.json AFTER.json

`dump` builds two warehouses in a temporary folder, the demo seed and the real shared data (FutureLearn
cyber-security runs 1-7 with course runs from tests/etl/test_load_your_own_data.py's figures, and OULAD), and writes
every KPI at every grain it offers, unfiltered and per year, exact (management scope), rows sorted. `compare` prints
the KPIs whose rows differ and exits 1 when any does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[0] = str(REPO)  # not bench/: bench/etl.py would stand in for the etl package
REALDATA = REPO.parent / "shared" / "realdata"
AS_OF = "2026-11-23"
STARTS = ["2016-05-16", "2017-01-30", "2017-09-18", "2017-11-06", "2018-03-05", "2018-05-14", "2018-09-10"]


def _kpi_api():
    try:  # the read layer's home after the layers refactor (issue 14), and before it
        from read.kpi import KpiFilters, list_kpis, run_kpi
        from read.warehouse import Warehouse
    except ImportError:
        from read.kpi import KpiFilters, list_kpis, run_kpi
        from read.warehouse import Warehouse
    return KpiFilters, list_kpis, run_kpi, Warehouse


def outputs(warehouse: Path) -> dict[str, list[list[str]]]:
    KpiFilters, list_kpis, run_kpi, Warehouse = _kpi_api()  # noqa: N806
    wh = Warehouse(warehouse)
    out: dict[str, list[list[str]]] = {}
    try:
        found = wh.query("select distinct start_year from dim_course_run where start_year is not null", {})
        years = [None, *sorted(int(row["start_year"]) for row in found.to_pylist())]
        for spec in list_kpis():
            if spec.id in {"etl_history", "quarantine_summary"}:
                continue
            for by in spec.grain:
                for year in years:
                    table = run_kpi(wh, spec.id, KpiFilters(year=year), by=by, as_of=AS_OF).table
                    out[f"{spec.id}/{by}/{year or 'all'}"] = sorted(
                        [str(v) for v in row.values()] for row in table.to_pylist())
    finally:
        wh.close()
    return out


def _mckpi(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, check=False,
                   stdout=subprocess.DEVNULL)


def build_real(root: Path, env: dict[str, str]) -> Path:
    landing = root / "real" / "landing"
    for sub in ("ptj", "staff", "courses", "course_runs", "futurelearn"):
        (landing / sub).mkdir(parents=True)
    (landing / "ptj" / "ptj.csv").write_text(
        "ptj_code,name_en,name_ms,kind\nFSKTM,Faculty of Computer Science,Fakulti Sains Komputer,faculty\n")
    (landing / "staff" / "staff.csv").write_text(
        "staff_id,staff_name,ptj_code,grade,status,left_on\nS0001,Dr. A,FSKTM,DS52,active,\n")
    (landing / "courses" / "courses.csv").write_text(
        "course_code,title,ptj_code,mqa_category,mc_type,delivery_mode,online_share_pct,design_option,platform,"
        "credits,slt_hours,fee_rm,certificate_price_rm,owner_staff_id,plan_phase,launched_on\n"
        "CYBER-SECURITY,Cyber Security,FSKTM,3,mooc,odl,100,B1,futurelearn,0,12,0.00,49.00,S0001,immediate,"
        "2016-03-30\n")
    with (landing / "course_runs" / "course_runs.csv").open("w") as fh:
        fh.write("run_id,course_code,starts_on,weeks,platform_run_label\n")
        for n, start in enumerate(STARTS, start=1):
            fh.write(f"CYBER-SECURITY-{n},CYBER-SECURITY,{start},3,cyber-security-{n}\n")
    for path in (REALDATA / "futurelearn-cyber-security").glob("*.csv.gz"):
        shutil.copy(path, landing / "futurelearn" / path.name)
    warehouse = root / "real" / "wh" / "mckpi.duckdb"
    _mckpi("etl", "--landing", str(landing), "--warehouse", str(warehouse), "--oulad", str(REALDATA / "oulad"),
           env=env)
    return warehouse


def build_demo(root: Path, env: dict[str, str], enrolments: int, seed: int) -> Path:
    landing = root / "demo" / "landing"
    _mckpi("demo", "--enrolments", str(enrolments), "--seed", str(seed), "--landing", str(landing), env=env)
    warehouse = root / "demo" / "wh" / "mckpi.duckdb"
    _mckpi("etl", "--landing", str(landing), "--warehouse", str(warehouse), env=env)
    return warehouse


def dump(out: Path, enrolments: int, seed: int) -> None:
    env = {**os.environ, "MCKPI_PSEUDONYM_KEY": "kpi-outputs-fixed-key"}
    with tempfile.TemporaryDirectory(prefix="mckpi-kpi-outputs-") as tmp:
        root = Path(tmp)
        result = {"demo": outputs(build_demo(root, env, enrolments, seed)), "real": outputs(build_real(root, env))}
    out.write_text(json.dumps(result, indent=0, sort_keys=True), "utf-8")
    cells = sum(len(rows) for side in result.values() for rows in side.values())
    print(f"{out}: {sum(len(side) for side in result.values())} KPI results, {cells:,} rows")


def compare(before: Path, after: Path) -> int:
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    differ = [f"{side}:{key}" for side in sorted(set(a) | set(b))
              for key in sorted(set(a.get(side, {})) | set(b.get(side, {})))
              if a.get(side, {}).get(key) != b.get(side, {}).get(key)]
    rows = sum(len(rows) for side in a.values() for rows in side.values())
    results = sum(len(side) for side in a.values())
    if differ:
        print(f"{len(differ)} of {results} KPI results differ:")
        for key in differ:
            print(f"  {key}")
        return 1
    print(f"identical: {results} KPI results ({rows:,} rows) on the demo seed and the real data")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--enrolments", type=int, default=20_000)
    d.add_argument("--seed", type=int, default=42)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.enrolments, args.seed)
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
