"""Check runner. Two kinds, run after the models are built; any failing check fails the ETL run, so a broken
warehouse is never published:

- generated from the model docs (`data_tests:` in queries/models/*/<model>.yml: keys, not-null, accepted values,
  the allowed sets taken from core/contracts.py), run by etl.model_checks;
- hand-written, for rules no contract or docs test says: each queries/models/checks/*.sql is a SELECT returning
  the rows that break its rule (zero rows = pass).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.config import QUERIES_DIR
from core.model_docs import load_model_docs
from etl.check_results import SAMPLE_ROWS, CheckFailed, CheckResult
from etl.model_checks import run_model_checks

__all__ = ["CHECKS_DIR", "CheckFailed", "CheckResult", "run_check", "run_checks"]

CHECKS_DIR = QUERIES_DIR / "models" / "checks"


def run_check(con: duckdb.DuckDBPyConnection, path: Path) -> CheckResult:
    sql = path.read_text("utf-8").strip().rstrip(";")
    try:
        con.execute(f"create or replace temp table _check as\n{sql}\n")
        count = con.execute("select count(*) from _check").fetchone()[0]  # type: ignore[index]
        cur = con.execute(f"select * from _check limit {SAMPLE_ROWS}")  # noqa: S608
        names = [d[0] for d in cur.description]
        sample = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        con.execute("drop table _check")
    except duckdb.Error as exc:
        return CheckResult(path.stem, 0, [], str(exc).strip().splitlines()[0])
    return CheckResult(path.stem, count, sample)


def run_checks(
    con: duckdb.DuckDBPyConnection,
    checks_dir: Path = CHECKS_DIR,
    *,
    models_dir: Path | None = None,
    raise_on_failure: bool = True,
) -> list[CheckResult]:
    """The generated checks of the models in models_dir (default: the folder holding checks_dir), then the
    hand-written ones."""
    docs = load_model_docs(models_dir if models_dir is not None else checks_dir.parent)
    results = run_model_checks(con, docs) + [run_check(con, p) for p in sorted(checks_dir.glob("*.sql"))]
    failed = [r for r in results if not r.passed]
    if failed and raise_on_failure:
        more = f" (and {len(failed) - 1} more failing check(s))" if len(failed) > 1 else ""
        raise CheckFailed(failed[0].describe() + more, results)
    return results
