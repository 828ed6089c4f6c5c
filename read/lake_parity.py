"""Do two KPI sources give the same figures? Every KPI at every grain, cell by cell, after protection.

    report = compare_sources(warehouse, spark_lake, as_of="2026-11-23")
    report.problems          # [] when every KPI agrees; else "revenue/ptj row 3 net_revenue_rm: 10.01 != 10.00"

Both sides go through `read.kpi.run_kpi`, so the figures compared are the protected ones a page shows (small
counts hidden by the same code on both engines), and the hidden cells must be the same cells. Cells are equal
when they are the same value: integers exactly, decimals exactly (money must be DECIMAL on both sides: a decimal
column on one side that is not decimal on the other is a problem), and a rounded rate that is a DOUBLE on one
engine and a DECIMAL on the other when both are the same number (`round(100.0 * a / b, 1)` is a DOUBLE in DuckDB
and a DECIMAL in Spark). Row order counts (the KPI's `order by`), as the suppression picks cells by position.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from core.config import Settings, load_settings
from read.kpi import AccessScope, KpiFilters, KpiResult, KpiSpec, list_kpis, run_kpi
from read.lake import OPERATIONAL_TABLES


@dataclass(frozen=True)
class Case:
    kpi_id: str
    by: str
    rows: int
    seconds: float
    problems: tuple[str, ...] = ()


@dataclass
class ParityReport:
    cases: list[Case] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [p for c in self.cases for p in c.problems]

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.cases)


def lake_kpis(kpis: list[KpiSpec] | None = None) -> list[KpiSpec]:
    """The KPIs that read only marts (every one but the two about the ETL runs themselves)."""
    return [s for s in (kpis or list_kpis()) if not set(s.sources) & OPERATIONAL_TABLES]


def _kind(arrow_type: pa.DataType) -> str:
    if pa.types.is_decimal(arrow_type):
        return "decimal"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type):
        return "float"
    return str(arrow_type)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, float | Decimal | int) and isinstance(b, float | Decimal | int):
        if isinstance(a, float) or isinstance(b, float):
            return float(a) == float(b)
        return Decimal(a) == Decimal(b)
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return a == b


def compare_results(name: str, expected: KpiResult, actual: KpiResult) -> list[str]:
    """What differs between two results of the same KPI (empty when they show the same)."""
    left, right = expected.table, actual.table
    if left.column_names != right.column_names:
        return [f"{name}: columns {left.column_names} != {right.column_names}"]
    problems = []
    for column in left.column_names:
        kinds = _kind(left.schema.field(column).type), _kind(right.schema.field(column).type)
        rounded_rate = set(kinds) == {"float", "decimal"} and not column.endswith("_rm")
        if kinds[0] != kinds[1] and not rounded_rate:
            problems.append(f"{name} {column}: {kinds[0]} != {kinds[1]}")
    if left.num_rows != right.num_rows:
        return [*problems, f"{name}: {left.num_rows} rows != {right.num_rows}"]
    if expected.suppressed != actual.suppressed:
        only = sorted(expected.suppressed ^ actual.suppressed)[:5]
        problems.append(f"{name}: protected cells differ, e.g. {only}")
    for column in left.column_names:
        for row, (a, b) in enumerate(zip(left.column(column).to_pylist(), right.column(column).to_pylist(),
                                         strict=True)):
            if not _same(a, b):
                problems.append(f"{name} row {row} {column}: {a!r} != {b!r}")
                break  # one per column is enough to say where
    return problems


def compare_sources(
    reference: Any,
    other: Any,
    *,
    as_of: dt.date | str,
    settings: Settings | None = None,
    filters: KpiFilters = KpiFilters(),  # noqa: B008 - frozen dataclass
    scope: AccessScope | None = None,
    kpis: list[KpiSpec] | None = None,
) -> ParityReport:
    """Every lake KPI at every grain it offers, on both sources (see the module docstring)."""
    settings = settings or load_settings()
    report = ParityReport()
    for spec in lake_kpis(kpis):
        for by in spec.grain:
            name = f"{spec.id}/{by}"
            expected = run_kpi(reference, spec.id, filters, by=by, scope=scope, settings=settings, as_of=as_of)
            started = time.perf_counter()
            try:
                actual = run_kpi(other, spec.id, filters, by=by, scope=scope, settings=settings, as_of=as_of)
            except Exception as exc:  # noqa: BLE001 - a failing query is a parity problem to report, with the rest
                report.cases.append(Case(spec.id, by, expected.table.num_rows, time.perf_counter() - started,
                                         (f"{name}: {type(exc).__name__}: {str(exc)[:400]}",)))
                continue
            report.cases.append(Case(spec.id, by, expected.table.num_rows, time.perf_counter() - started,
                                     tuple(compare_results(name, expected, actual))))
    return report


__all__ = ["Case", "ParityReport", "compare_results", "compare_sources", "lake_kpis"]
