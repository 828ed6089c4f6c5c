"""The DuckDB -> Spark SQL translation (read.spark_sql, sqlglot only: no Spark needed)."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlglot", reason="sqlglot comes with the spark extra: pip install -e '.[spark]'")

from read.kpi import KNOWN_PARAMS, list_kpis  # noqa: E402
from read.spark_sql import PARAM_TYPES, TranslationError, to_spark  # noqa: E402


def test_param_types_cover_every_parameter_the_kpi_layer_binds() -> None:
    assert set(PARAM_TYPES) == set(KNOWN_PARAMS)


def test_every_kpi_translates_with_named_markers_and_no_values() -> None:
    for spec in list_kpis():
        text = to_spark(spec.sql)
        assert "$" not in text, spec.id
        for name in spec.params:
            assert f"CAST(:{name} AS " in text, (spec.id, name)


def test_list_length_becomes_size_and_string_length_stays() -> None:
    text = to_spark("select len($ptj_codes) as a, len(course_title) as b, list_contains($modes, x) as c from t")
    assert text == ("SELECT SIZE(CAST(:ptj_codes AS ARRAY<STRING>)) AS a, LENGTH(course_title) AS b, "
                    "ARRAY_CONTAINS(CAST(:modes AS ARRAY<STRING>), x) AS c FROM t")


def test_duckdb_null_order_is_kept_on_spark() -> None:
    # DuckDB sorts NULLs last, Spark first: the suppression picks cells by row, so the order must be the same.
    assert to_spark("select a from t order by a, b desc").endswith("ORDER BY a NULLS LAST, b DESC")


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(TranslationError, match=r"\$secret has no Spark type"):
        to_spark("select $secret")
