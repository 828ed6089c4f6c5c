"""The KPI SQL (written for DuckDB) as Spark SQL, translated with sqlglot, and its bound parameters as Spark args.

    to_spark(sql)                        -> the Spark SQL text, with `$name` kept as the Spark marker `:name`
    spark_args(params)                   -> {name: typed literal Column} for `spark.sql(text, args=...)`

The values never enter the SQL text: sqlglot turns each DuckDB parameter `$name` into a Spark named parameter
`:name` (a Placeholder node in its AST), written as `cast(:name as <type>)` with the type from PARAM_TYPES, and
`spark_args` passes the value beside the query as a literal argument. The cast is there because Spark cannot type
a bare NULL or an empty list, and accepts only literals (no cast) as arguments: `$allowed_ptj_codes is null or
list_contains($allowed_ptj_codes, ptj_code)` must see an array<string> even when the value is NULL (every PTj),
and `len($ptj_codes) = 0` an empty array<string>, not array<void>.

The one rewrite sqlglot cannot make on its own: DuckDB's `len()` is both string length and list length, Spark's
`length()` is only the string one. sqlglot cannot know that `$ptj_codes` is a list (a parameter has no type in
the SQL), so `len($list_param)` is rewritten to `size($list_param)` here, from PARAM_TYPES.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

# The Spark type of every parameter the KPI layer binds (read.kpi.KNOWN_PARAMS; a test checks that the two
# lists agree, so a new parameter cannot reach Spark untyped).
PARAM_TYPES: dict[str, str] = {
    "year": "int",
    "date_from": "date",
    "date_to": "date",
    "ptj_codes": "array<string>",
    "course_codes": "array<string>",
    "mqa_categories": "array<int>",
    "modes": "array<string>",
    "platforms": "array<string>",
    "mc_types": "array<string>",
    "by": "string",
    "allowed_ptj_codes": "array<string>",
    "as_of": "date",
    "online_hours_factor": "double",
    "overload_hours": "double",
    "category_1_target_pct": "int",
    "category_3_target_pct": "int",
    "on_track_ratio": "double",
    "at_risk_ratio": "double",
    "fully_participated_step_pct": "int",
    "achievement_step_pct": "int",
    "quiz_too_easy_pct": "double",
    "quiz_too_hard_pct": "double",
    "quiz_min_learners": "int",
    "mms_overdue_days": "int",
}


class TranslationError(ValueError):
    """KPI SQL that cannot be run on Spark as it stands (a parameter of unknown type, SQL sqlglot cannot read)."""


def _is_list_param(node: exp.Expression) -> bool:
    return isinstance(node, exp.Placeholder) and PARAM_TYPES.get(str(node.this), "").startswith("array<")


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Length) and _is_list_param(node.this):
        return exp.ArraySize(this=node.this)
    return node


def _typed_placeholders(tree: exp.Expression) -> exp.Expression:
    """Every `:name` as `cast(:name as <its type>)`: Spark accepts only literals as arguments (no typed NULL, and
    an empty list is array<void>), so the type is stated in the SQL and the value stays an argument."""
    for placeholder in list(tree.find_all(exp.Placeholder)):
        spark_type = exp.DataType.build(PARAM_TYPES[str(placeholder.this)], dialect="spark")
        placeholder.replace(exp.Cast(this=placeholder.copy(), to=spark_type))
    return tree


@lru_cache(maxsize=256)
def _parse(sql: str) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise TranslationError(f"sqlglot cannot read this DuckDB SQL: {exc}") from None
    for placeholder in tree.find_all(exp.Placeholder):
        name = str(placeholder.this or "")
        if name not in PARAM_TYPES:
            raise TranslationError(f"parameter ${name or '?'} has no Spark type (read.spark_sql.PARAM_TYPES)")
    return tree


@lru_cache(maxsize=256)
def to_spark(sql: str) -> str:
    """DuckDB KPI SQL -> Spark SQL (named parameters as `:name`, comments dropped)."""
    tree = _typed_placeholders(_parse(sql).copy().transform(_rewrite))
    return tree.sql(dialect="spark", comments=False)


def _literal(value: Any, spark_type: str):  # noqa: ANN202 - a pyspark Column (pyspark is imported lazily)
    """A literal argument (the SQL casts it to `spark_type`): lists as array(lit, ...), the rest as lit()."""
    from pyspark.sql import functions as F

    if value is None:
        return F.lit(None)
    if spark_type.startswith("array<"):
        element = spark_type[len("array<"):-1]
        return F.array(*(_literal(v, element) for v in value))
    if spark_type == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            value = dt.date.fromisoformat(str(value))
    elif spark_type == "int":
        value = int(value)
    elif spark_type == "double":
        value = float(value)
    elif spark_type.startswith("decimal"):
        value = Decimal(str(value))
    elif spark_type == "string":
        value = str(value)
    return F.lit(value)


def spark_args(params: Mapping[str, Any]) -> dict[str, Any]:
    """Bound parameter values as typed literal Columns for `spark.sql(text, args=...)` (never pasted into SQL)."""
    unknown = sorted(set(params) - PARAM_TYPES.keys())
    if unknown:
        raise TranslationError(f"parameters with no Spark type: {', '.join(unknown)}")
    return {name: _literal(value, PARAM_TYPES[name]) for name, value in params.items()}


__all__ = ["PARAM_TYPES", "TranslationError", "spark_args", "to_spark"]
