"""ETL benchmark: the mckpi load and full ETL against a bare DuckDB read and a typical pandas script.

    .venv/bin/python bench/etl.py --enrolments 1M [--repeat 2] [--keep] [--no-incremental]

Demo data is generated once per scale into bench/out/<scale>/landing (git-ignored) and reused. Every measurement
runs in its own subprocess (wall time from the parent, peak RSS from os.wait4's rusage of that child), all in
this one run so that ratios compare like with like on a shared machine:

  bare         DuckDB `create table as select * from read_csv(...)`, one table per source (all landing files)
  pandas       pandas.read_csv of every file + DuckDB insert of the DataFrame (what a typical script does)
  load         etl.ingest.load_landing into a new warehouse file (sha256, checks, quarantine, pseudonymise, raw_)
  full etl     `mckpi etl --full` (load + models + checks + publish), the CLI as an operator runs it
  incremental  `mckpi etl` after one FutureLearn run's two files arrive (warehouse built without them first)
  refresh      the same with `mckpi refresh`, as the schedule runs it: processed files move to the archive, so
               the second refresh finds only the two new files in landing
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
SCALES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}

sys.path.insert(0, str(ROOT))


def landing_for(scale: str) -> Path:
    """bench/out/<scale>/landing, generated on first use (a .complete marker says it finished)."""
    base = OUT / scale
    landing = base / "landing"
    if not (base / ".complete").exists():
        from etl.demo import generate

        shutil.rmtree(landing, ignore_errors=True)
        landing.mkdir(parents=True)
        started = time.perf_counter()
        generate(landing, SCALES[scale], 42)
        print(f"generated {scale} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        (base / ".complete").write_text(str(SCALES[scale]))
    return landing


def groups(landing: Path) -> dict[str, list[Path]]:
    """Landing CSV files per source (FutureLearn: per dataset), as the ETL loads them."""
    from etl.discover import discover

    out: dict[str, list[Path]] = {}
    for lf in discover(landing):
        if lf.contract is not None:
            out.setdefault(lf.contract.name, []).append(lf.path)
    return out


# --- children (each runs in its own process) -----------------------------------------------------------------


def child_bare(landing: Path, db: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(db))
    rows = 0
    for name, paths in groups(landing).items():
        p = {"p": [str(p) for p in paths]}
        if all(str(path).endswith((".json", ".jsonl")) for path in paths):  # Open Badges: JSON lines, not CSV
            con.execute(f'create table "{name}" as select * from read_json($p, union_by_name = true)', p)  # noqa: S608
            rows += con.execute(f'select count(*) from "{name}"').fetchone()[0]  # noqa: S608
            continue
        try:  # DuckDB's defaults: the first file sniffed, its types used for all
            con.execute(f'create table "{name}" as select * from read_csv($p)', p)  # noqa: S608
        except duckdb.Error:  # a value that does not fit the sniffed type (payments' 'RM 1,200.00')
            sql = f'create or replace table "{name}" as select * from read_csv($p, all_varchar = true)'  # noqa: S608
            con.execute(sql, p)
        rows += con.execute(f'select count(*) from "{name}"').fetchone()[0]  # noqa: S608
    con.execute("checkpoint")
    con.close()
    return {"rows": rows}


def child_pandas(landing: Path, db: Path) -> dict:
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(db))
    rows = 0
    for name, paths in groups(landing).items():
        df = pd.concat([pd.read_csv(path) for path in paths], ignore_index=True)
        for col in df.select_dtypes(include="object").columns:  # mixed types across files: text
            df[col] = df[col].astype("string")
        rows += len(df)
        con.register("df", df)
        con.execute(f'create table "{name}" as select * from df')  # noqa: S608
        con.unregister("df")
        del df
    con.execute("checkpoint")
    con.close()
    return {"rows": rows}


def child_load(landing: Path, db: Path) -> dict:
    import duckdb

    from core.config import load_settings
    from etl.ingest import load_landing
    from etl.publish import MEMORY_LIMIT

    settings = load_settings()
    spill = db.parent / ".spill-bench"
    con = duckdb.connect(str(db), config={"temp_directory": str(spill), "memory_limit": MEMORY_LIMIT})
    files = load_landing(con, landing, "bench", settings.pseudonym_key())
    con.execute("checkpoint")
    con.close()
    shutil.rmtree(spill, ignore_errors=True)
    return {
        "rows": sum(f.rows_read for f in files if f.status == "loaded"),
        "quarantined": sum(f.rows_quarantined for f in files if f.status == "loaded"),
    }


CHILDREN = {"bare": child_bare, "pandas": child_pandas, "load": child_load}


# --- parent ----------------------------------------------------------------------------------------------------


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Run cmd; wall seconds, peak RSS (MB) of the child, and its JSON output (last stdout line) if any."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    # The child reports its own peak RSS (getrusage(RUSAGE_SELF).ru_maxrss) on its last stdout line.
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    info: dict = {}
    for line in reversed(out.decode().splitlines()):
        if line.startswith("{"):
            info = json.loads(line)
            break
    info["seconds"] = seconds
    return info


def run_child(kind: str, landing: Path, db: Path) -> dict:
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    return measure([PY, __file__, "--child", kind, "--landing", str(landing), "--db", str(db)])


def run_cli(args: list[str], landing: Path, warehouse: Path, archive: Path | None = None) -> dict:
    """`mckpi <args>` through a wrapper that prints its own peak RSS."""
    env = {
        **os.environ,
        "MCKPI_PATHS_LANDING": str(landing),
        "MCKPI_PATHS_WAREHOUSE": str(warehouse),
        **({"MCKPI_PATHS_ARCHIVE": str(archive)} if archive else {}),
    }
    return measure([PY, __file__, "--cli", *args], env=env)


def hold_out(landing: Path, work: Path) -> tuple[Path, list[Path]]:
    """A copy (hard links) of the landing folder without one FutureLearn run's two files; returns it and them."""
    minus = work / "landing_minus"
    shutil.rmtree(minus, ignore_errors=True)
    fl = sorted((landing / "futurelearn").glob("*_enrolments.csv*"))
    label = fl[len(fl) // 2].name.split("_enrolments")[0]
    held = sorted((landing / "futurelearn").glob(f"{label}_*"))
    for path in landing.rglob("*"):
        if path.is_file() and path not in held:
            target = minus / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    return minus, held


# Issue 16's ETL goals: load and full ETL against the bare read of the same files, incremental against the full
# build, and the ETL's peak memory.
LOAD_MAX_X_BARE = 1.5
FULL_MAX_X_BARE = 2.5
INCREMENTAL_MAX_SHARE = 0.10
PEAK_RSS_MAX_MB = 4096


def goal_verdicts(best: dict[str, dict], scale: str) -> list[tuple[str, str, bool]]:
    """(goal, measured figure, met) for every goal that this run measured."""
    out = []
    bare = best.get("bare", {}).get("seconds")
    if bare and "load" in best:
        x = best["load"]["seconds"] / bare
        out.append((f"load <= {LOAD_MAX_X_BARE}x bare", f"{x:.2f}x", x <= LOAD_MAX_X_BARE))
    if bare and "full etl" in best:
        x = best["full etl"]["seconds"] / bare
        out.append((f"full ETL <= {FULL_MAX_X_BARE}x bare", f"{x:.2f}x", x <= FULL_MAX_X_BARE))
    for kind in ("incremental", "refresh"):
        if "full etl" in best and kind in best:
            share = best[kind]["seconds"] / best["full etl"]["seconds"]
            goal = f"{kind} (one run's 2 files) <= {INCREMENTAL_MAX_SHARE:.0%} of full"
            out.append((goal, f"{share:.0%}", share <= INCREMENTAL_MAX_SHARE))
    peaks = [r["peak_rss_mb"] for k, r in best.items() if k in ("load", "full etl", "incremental", "refresh")]
    if peaks:
        out.append(
            (f"ETL peak RSS < {PEAK_RSS_MAX_MB} MB", f"{max(peaks):,.0f} MB", max(peaks) < PEAK_RSS_MAX_MB)
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enrolments", choices=list(SCALES), default="100k")
    ap.add_argument("--repeat", type=int, default=1, help="repeat each measurement; the best time is shown")
    ap.add_argument(
        "--keep", action="store_true", help="keep the benchmark warehouses under bench/out/<scale>/"
    )
    ap.add_argument("--no-incremental", action="store_true")
    ap.add_argument("--only", default="bare,pandas,load,etl,incremental,refresh")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    ap.add_argument("--cli", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args()

    if args.child or args.cli:
        import resource

        if args.child:
            info = CHILDREN[args.child](args.landing, args.db)
        else:
            import etl.load

            runs: list = []
            real_run_etl = etl.load.run_etl

            def spy(*a, **k):  # the CLI imports run_etl when the command runs: its result's step timings
                runs.append(real_run_etl(*a, **k))
                return runs[-1]

            etl.load.run_etl = spy
            from cli.main import app

            try:
                code = app(rest, standalone_mode=False)  # typer.Exit(n) comes back as n
            except SystemExit as exc:
                code = exc.code
            if code not in (None, 0, 3):  # 3: published, incomplete (etl.completeness)
                raise SystemExit(code)
            info = {}
            if runs:
                info["steps"] = {k: round(v, 2) for k, v in runs[-1].timings.items()}
                slowest = sorted(runs[-1].models, key=lambda m: -m.seconds)[:5]
                info["slowest_models"] = {m.name: round(m.seconds, 2) for m in slowest}
        info["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(info))
        return

    from rich.console import Console
    from rich.table import Table

    landing = landing_for(args.enrolments)
    work = OUT / args.enrolments / "work"
    # Each step replaces only its own files: a warehouse kept by an earlier --keep run (bench/pages.py reads
    # work/etl) stays unless this run builds it again.
    work.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(","))
    data_mb = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 1e6
    results: dict[str, list[dict]] = {}
    for _ in range(args.repeat):
        for kind in ("bare", "pandas", "load"):
            if kind in only:
                results.setdefault(kind, []).append(run_child(kind, landing, work / f"{kind}.duckdb"))
        if "etl" in only:
            wh = work / "etl" / "mckpi.duckdb"
            shutil.rmtree(wh.parent, ignore_errors=True)
            results.setdefault("full etl", []).append(run_cli(["etl", "--full"], landing, wh))
        if "incremental" in only and not args.no_incremental:
            minus, held = hold_out(landing, work)
            wh = work / "incr" / "mckpi.duckdb"
            shutil.rmtree(wh.parent, ignore_errors=True)
            prep = run_cli(["etl", "--full"], minus, wh)
            for path in held:
                os.link(path, minus / path.relative_to(landing))
            r = run_cli(["etl"], minus, wh)
            r["note"] = (
                f"+{len(held)} files of {held[0].name.split('_')[0]}; its full build {prep['seconds']:.1f} s"
            )
            results.setdefault("incremental", []).append(r)
        if "refresh" in only:
            minus, held = hold_out(landing, work)
            wh = work / "refresh" / "mckpi.duckdb"
            archive = work / "refresh" / "archive"
            shutil.rmtree(wh.parent, ignore_errors=True)
            prep = run_cli(["refresh"], minus, wh, archive)
            for path in held:
                os.link(path, minus / path.relative_to(landing))
            r = run_cli(["refresh"], minus, wh, archive)
            r["note"] = f"+{len(held)} files, the rest archived; its first refresh {prep['seconds']:.1f} s"
            results.setdefault("refresh", []).append(r)

    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in results.items()}
    base = best.get("bare", {}).get("seconds")
    pandas = best.get("pandas", {}).get("seconds")
    table = Table(
        title=f"mckpi ETL at {args.enrolments} enrolments ({data_mb:,.0f} MB of CSV), best of {args.repeat}"
    )
    for col in ("step", "seconds", "all runs (s)", "peak RSS MB", "x bare", "x pandas", "rows", "note"):
        table.add_column(col, justify="left" if col in ("step", "note") else "right")
    full = best.get("full etl", {}).get("seconds")
    for kind, r in best.items():
        note = r.get("note", "")
        if kind in ("incremental", "refresh") and full:
            note = f"{r['seconds'] / full:.0%} of full etl; " + note
        table.add_row(
            kind,
            f"{r['seconds']:.2f}",
            " ".join(f"{x['seconds']:.1f}" for x in results[kind]),
            f"{r['peak_rss_mb']:,.0f}",
            f"{r['seconds'] / base:.2f}" if base else "",
            f"{r['seconds'] / pandas:.2f}" if pandas else "",
            f"{r['rows']:,}" if "rows" in r else "",
            note,
        )
    console = Console(width=200)
    console.print(table)
    for kind in ("full etl", "incremental", "refresh"):
        if kind in best and "steps" in best[kind]:
            steps = ", ".join(f"{k} {v:.1f}" for k, v in best[kind]["steps"].items())
            models = ", ".join(f"{k} {v:.1f}" for k, v in best[kind].get("slowest_models", {}).items())
            console.print(f"{kind} steps (s): {steps}; slowest models (s): {models}")
    verdicts = goal_verdicts(best, args.enrolments)
    for goal, figure, passed in verdicts:
        console.print(f"{'PASS' if passed else 'FAIL'}  {goal}: {figure}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "scale": args.enrolments,
                    "data_mb": data_mb,
                    "load_average": os.getloadavg(),
                    "runs": results,
                    "goals": [{"goal": g, "figure": f, "passed": ok} for g, f, ok in verdicts],
                },
                indent=1,
            )
        )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
