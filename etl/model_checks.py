"""Checks generated from the model docs (the `data_tests:` of queries/models/*/<model>.yml, core.model_docs).

Each test becomes a check with dbt's name (`not_null_fct_enrolment_run_id`, `accepted_values_dim_ptj_ptj_kind`,
`unique_combination_fct_enrolment_run_id_learner_key`) and the CheckResult the hand-written checks give. Speed: a
model's not_null tests are counted in one query whose WHERE lets DuckDB skip the row groups its null statistics
clear, its accepted_values tests in one scan, a unique test in one GROUP BY (as the hand-written key checks did);
only a failing test takes a sample.
Values are bound as a list parameter, never pasted; identifiers come only from the validated docs, are checked
against the built table's columns, and are quoted.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from core.model_docs import DataTest, ModelDoc, check_columns
from etl.check_results import SAMPLE_ROWS, CheckResult


def quote(name: str) -> str:
    """DuckDB identifier quoting."""
    return '"' + name.replace('"', '""') + '"'


def built_columns(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'main' order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, tuple[str, ...]] = {}
    for table, column in rows:
        columns[table] = (*columns.get(table, ()), column)
    return columns


def _failing_rows(test: DataTest, index: int) -> str:
    """A test's rows that break it, as a SQL condition; its values are the parameter $v<index>."""
    column = quote(test.columns[0])
    if test.kind == "not_null":
        return f"{column} is null"
    return f"{column} is not null and not list_contains($v{index}, cast({column} as varchar))"


def _row_tests(
    con: duckdb.DuckDBPyConnection, doc: ModelDoc, tests: list[DataTest]
) -> list[CheckResult]:
    """Tests of one kind (not_null, or accepted_values) of one model: counted in one query, then a sample of each
    that fails. The WHERE keeps only failing rows: for null tests DuckDB then skips every row group whose
    statistics say it holds no null (1M enrolments, 13 columns: 5 ms instead of 0.5 s)."""
    table = quote(doc.name)
    params = {f"v{i}": list(t.values) for i, t in enumerate(tests) if t.kind == "accepted_values"}
    counts = ",\n    ".join(f"count(*) filter (where {_failing_rows(t, i)})" for i, t in enumerate(tests))
    where = "\n    or ".join(f"({_failing_rows(t, i)})" for i, t in enumerate(tests))
    row = con.execute(  # noqa: S608 (quoted names from the validated docs; values bound)
        f"select\n    {counts},\nfrom {table}\nwhere {where}", params
    ).fetchone()
    results = []
    for i, (test, failing) in enumerate(zip(tests, row or (), strict=True)):
        sample: list[dict[str, object]] = []
        if failing:
            column = test.columns[0]
            key = [k for k in doc.key if k != column]
            select = ", ".join([f"{quote(column)} as value", *map(quote, key)])
            where = _failing_rows(test, i)
            bound = {f"v{i}": params[f"v{i}"]} if f"v{i}" in params else {}
            found = con.execute(
                f"select {select} from {table} where {where} limit {SAMPLE_ROWS}", bound  # noqa: S608
            ).fetchall()
            sample = [
                {"table": doc.name, "column": column, "value": r[0], **dict(zip(key, r[1:], strict=True))}
                for r in found
            ]
        results.append(CheckResult(test.name, failing, sample))
    return results


def _unique(con: duckdb.DuckDBPyConnection, doc: ModelDoc, test: DataTest) -> CheckResult:
    """Key values held by more than one row (dbt's unique leaves nulls to not_null; a combination groups them)."""
    columns = ", ".join(map(quote, test.columns))
    where = f"where {quote(test.columns[0])} is not null" if test.kind == "unique" else ""
    con.execute(
        f"create or replace temp table _check as select {columns}, count(*) as count_rows "  # noqa: S608
        f"from {quote(doc.name)} {where} group by all having count(*) > 1"
    )
    failing = con.execute("select count(*) from _check").fetchone()[0]  # type: ignore[index]
    found = con.execute(f"select * from _check limit {SAMPLE_ROWS}").fetchall() if failing else []  # noqa: S608
    con.execute("drop table _check")
    sample = [
        {
            "table": doc.name,
            "column": test.columns[0] if len(test.columns) == 1 else f"({', '.join(test.columns)})",
            "value": " / ".join(str(v) for v in r[:-1]),
            "count_rows": r[-1],
        }
        for r in found
    ]
    return CheckResult(test.name, failing, sample)


def run_model_checks(con: duckdb.DuckDBPyConnection, docs: Mapping[str, ModelDoc]) -> list[CheckResult]:
    """Every generated check of every documented model, in model order, row tests before key tests."""
    columns = built_columns(con)
    results: list[CheckResult] = []
    for name in sorted(docs):
        doc = docs[name]
        if not doc.tests:
            continue
        if name not in columns:
            results += [CheckResult(t.name, 0, [], f"table {name} was not built") for t in doc.tests]
            continue
        check_columns(doc, columns[name])  # a docs mistake stops the run, naming the file and the key
        row_tests = [t for t in doc.tests if t.kind in ("not_null", "accepted_values")]
        try:
            for kind in ("not_null", "accepted_values"):
                of_kind = [t for t in row_tests if t.kind == kind]
                if of_kind:
                    results += _row_tests(con, doc, of_kind)
            results += [_unique(con, doc, t) for t in doc.tests if t not in row_tests]
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            done = {r.name for r in results}
            results += [CheckResult(t.name, 0, [], first) for t in doc.tests if t.name not in done]
    return results
