"""Check runner: each queries/models/checks/*.sql is a SELECT returning the rows that break a rule
(zero rows = pass). Any failing check fails the ETL run, so a broken warehouse is never published."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.config import QUERIES_DIR
from core.errors import EtlError

CHECKS_DIR = QUERIES_DIR / "models" / "checks"
SAMPLE_ROWS = 3


class CheckFailed(EtlError):
    def __init__(self, message: str, results: list[CheckResult]):
        super().__init__(message)
        self.results = results


@dataclass(frozen=True)
class CheckResult:
    name: str
    failing_rows: int
    sample: list[dict[str, object]]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.failing_rows == 0 and self.error is None

    def describe(self) -> str:
        if self.error:
            return f"check {self.name} could not run: {self.error}"
        sample = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in self.sample[:1])
        return f"check {self.name} failed: {self.failing_rows} row(s), e.g. {sample}"


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
    con: duckdb.DuckDBPyConnection, checks_dir: Path = CHECKS_DIR, *, raise_on_failure: bool = True
) -> list[CheckResult]:
    results = [run_check(con, p) for p in sorted(checks_dir.glob("*.sql"))]
    failed = [r for r in results if not r.passed]
    if failed and raise_on_failure:
        more = f" (and {len(failed) - 1} more failing check(s))" if len(failed) > 1 else ""
        raise CheckFailed(failed[0].describe() + more, results)
    return results
