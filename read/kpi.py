"""The KPI layer: KPI definitions in `queries/kpi/<id>.sql` (parsed by read.kpi_spec), run with bound parameters,
small cells suppressed. The definitions' names are re-exported here, so `from read.kpi import get_kpi, run_kpi`
is the one import for callers.

`run_kpi` binds only the `$params` the SQL uses (values never go into the SQL text); every parameter comes from
the typed filters, the breakdown, the access scope, the configuration and `as_of`, and nothing else (there is no
way to pass a parameter past the scope). It then protects learner counts by the caller's role
(read/privacy.py): for management exact figures, with counts below the small-cell limit hidden below
university level (see `suppress_small_cells`) and the `derived` columns (rates, medians) of any row where a count
was hidden, since a rate over a shown denominator would give the hidden count back; for every other role HESA's
rounding at every level. No streamlit import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa

from core.config import Settings, load_settings
from read.kpi_spec import (
    FILTER_PARAMS,
    KNOWN_PARAMS,
    KPI_DIR,
    POLICY_PARAMS,
    UNITS,
    UNIVERSITY,
    KpiError,
    KpiSpec,
    get_kpi,
    list_kpis,
    parse_kpi,
    referenced_params,
)
from read.privacy import (
    EXACT,
    ROUNDED,
    RoundingPolicy,
    parse_protect,
    parse_rates,
    protection_for,
    round_table,
)
from read.warehouse import Warehouse, fetch_arrow

MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")


@dataclass(frozen=True)
class KpiFilters:
    """What the user picked. Empty tuples and None mean "all"."""

    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    ptj_codes: tuple[str, ...] = ()
    course_codes: tuple[str, ...] = ()
    mqa_categories: tuple[int, ...] = ()
    modes: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    mc_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessScope:
    """Who is asking: allowed_ptj_codes None = every PTj; a tuple = only those (an empty tuple = none)."""

    role: str
    allowed_ptj_codes: tuple[str, ...] | None = None


_NULLABLE_INTS = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}


@dataclass(frozen=True)
class KpiResult:
    spec: KpiSpec
    table: pa.Table  # suppressed cells are null
    suppressed: frozenset[tuple[int, str]] = frozenset()  # (row index, column): small counts and derived cells
    by: str = UNIVERSITY
    small_cell_limit: int = 5
    labels_ms: Mapping[str, str] = field(default_factory=dict)  # group_key -> Malay label (PTj names)
    protection: str = EXACT  # EXACT (management) or ROUNDED (every other role): see read/privacy.py

    def df(self) -> pd.DataFrame:
        """The rows as pandas: money as Decimal, counts as nullable integers (suppressed cells are <NA>)."""
        return self.table.to_pandas(types_mapper=_NULLABLE_INTS.get)

    def is_suppressed(self, row: int, column: str) -> bool:
        return (row, column) in self.suppressed

    def display_df(self, lang: str = "en") -> pd.DataFrame:
        """For showing: hidden counts as "<5", hidden rates/medians as "-", group labels in the language asked."""
        frame = self.df()
        derived = {*self.spec.derived, *self.spec.hide, *(rate.column for rate in parse_rates(self.spec.rates))}
        for column in {c for _, c in self.suppressed}:
            marker = "-" if column in derived else f"<{self.small_cell_limit}"
            frame[column] = frame[column].astype(object)
            for row in (r for r, c in self.suppressed if c == column):
                frame.at[row, column] = marker
        if lang == "ms" and "group_label" in frame.columns:
            frame["group_label"] = [
                self.labels_ms.get(key, "Universiti" if key == "ALL" else label)
                for key, label in zip(frame["group_key"], frame["group_label"], strict=True)
            ]
        return frame


# --- parameters ------------------------------------------------------------------------------------------------

_NO_MATCH_INT = -1  # stands in for an int filter value that cannot be a number: it matches nothing


def _as_tuple(values: Any) -> tuple[Any, ...]:
    if values is None:
        return ()
    if isinstance(values, str | bytes | int | float | Decimal):
        return (values,)
    return tuple(values)


def _texts(values: Any) -> list[str]:
    return [str(v) for v in _as_tuple(values) if v is not None]


def _int_or_no_match(value: Any) -> int:
    """A whole number from an int or its text; anything else (or out of range) becomes a value matching nothing."""
    if isinstance(value, bool):
        return _NO_MATCH_INT
    if isinstance(value, int):
        number = value
    else:
        try:
            parsed = Decimal(str(value).strip())
        except ArithmeticError:
            return _NO_MATCH_INT
        if not parsed.is_finite() or parsed != parsed.to_integral_value():
            return _NO_MATCH_INT
        number = int(parsed)
    return number if -(2**31) < number < 2**31 else _NO_MATCH_INT


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    year = _int_or_no_match(value)
    if year == _NO_MATCH_INT:
        raise KpiError(f"year must be a whole number, not {value!r}")
    return year


def _date(value: Any, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise KpiError(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None


def today_in_malaysia() -> dt.date:
    return dt.datetime.now(MALAYSIA).date()


def build_params(
    filters: KpiFilters,
    *,
    by: str = UNIVERSITY,
    scope: AccessScope | None = None,
    settings: Settings | None = None,
    as_of: dt.date | str | None = None,
) -> dict[str, Any]:
    """Every known parameter with its value (the runner then binds only those a KPI uses). This is the one place
    a query's parameters are made: from the typed filters, `by`, the scope's allowed PTjs, the configuration and
    `as_of` (a date; default today in Malaysia). There is deliberately no catch-all argument: nothing can
    replace a filter or the allowed PTjs after the scope check."""
    if not isinstance(filters, KpiFilters):
        raise KpiError(f"filters must be KpiFilters, not {type(filters).__name__}")
    if scope is not None and not isinstance(scope, AccessScope):
        raise KpiError(f"scope must be an AccessScope, not {type(scope).__name__}")
    settings = settings or load_settings()
    allowed = None if scope is None or scope.allowed_ptj_codes is None else _texts(scope.allowed_ptj_codes)
    params: dict[str, Any] = {
        "year": _year(filters.year),
        "date_from": _date(filters.date_from, "date_from"),
        "date_to": _date(filters.date_to, "date_to"),
        "ptj_codes": _texts(filters.ptj_codes),
        "course_codes": _texts(filters.course_codes),
        "mqa_categories": [_int_or_no_match(v) for v in _as_tuple(filters.mqa_categories) if v is not None],
        "modes": _texts(filters.modes),
        "platforms": _texts(filters.platforms),
        "mc_types": _texts(filters.mc_types),
        "by": by,
        "allowed_ptj_codes": allowed,
        "as_of": _date(as_of, "as_of") or today_in_malaysia(),
        "online_hours_factor": float(settings.workload.online_hours_factor),
        "overload_hours": float(settings.workload.overload_hours_per_term),
        "category_1_target_pct": int(settings.policy.category_1_target_pct),
        "category_3_target_pct": int(settings.policy.category_3_target_pct),
        "on_track_ratio": float(settings.targets.on_track_ratio),
        "at_risk_ratio": float(settings.targets.at_risk_ratio),
        "fully_participated_step_pct": int(settings.policy.fully_participated_step_pct),
        "achievement_step_pct": int(settings.policy.achievement_step_pct),
        "quiz_too_easy_pct": float(settings.insights.quiz_too_easy_pct),
        "quiz_too_hard_pct": float(settings.insights.quiz_too_hard_pct),
        "quiz_min_learners": int(settings.insights.quiz_min_learners),
        "mms_overdue_days": int(settings.pathways.mms_overdue_days),
    }
    return params


def resolve_by(spec: KpiSpec, by: str | None) -> str:
    """Check `by` against the KPI's grain. The default ('university') means the first grain of a KPI that has no
    university level (e.g. lecturer_workload is per member of staff)."""
    by = by or UNIVERSITY
    if by in spec.grain:
        return by
    if by == UNIVERSITY:
        return spec.grain[0]
    raise KpiError(f"KPI {spec.id!r} cannot be broken down by {by!r}; choose one of {', '.join(spec.grain)}")


# --- small-cell suppression ------------------------------------------------------------------------------------

PARTITION_COLUMNS = ("year", "term", "week_number")


def _mask(table: pa.Table, column: str, rows: set[int]) -> pa.Table:
    index = table.column_names.index(column)
    values = table.column(index).to_pylist()
    masked = [None if r in rows else v for r, v in enumerate(values)]
    return table.set_column(index, table.field(index), pa.array(masked, type=table.field(index).type))


def suppress_small_cells(
    table: pa.Table,
    columns: Iterable[str],
    limit: int,
    partition_by: Iterable[str] = (),
    derived: Iterable[str] = (),
) -> tuple[pa.Table, frozenset[tuple[int, str]]]:
    """Null out counts with 0 < value < limit. Where a column (within one partition, e.g. one year) then has
    exactly one hidden cell, also hide its next smallest non-zero cell, so the hidden one cannot be worked out
    by subtracting the others from the total. Then null the `derived` columns of every row with a hidden count."""
    keys = [c for c in partition_by if c in table.column_names]
    partitions: dict[tuple[Any, ...], list[int]] = {}
    key_values = [table.column(k).to_pylist() for k in keys]
    for row in range(table.num_rows):
        partitions.setdefault(tuple(v[row] for v in key_values), []).append(row)

    hidden: set[tuple[int, str]] = set()
    for column in columns:
        if column not in table.column_names:
            continue
        values = table.column(column).to_pylist()
        for rows in partitions.values():
            small = [r for r in rows if values[r] is not None and 0 < values[r] < limit]
            if len(small) == 1:
                others = [r for r in rows if r not in small and values[r] is not None and values[r] > 0]
                if others:
                    small.append(min(others, key=lambda r: (values[r], r)))
            hidden.update((r, column) for r in small)
        if rows_hidden := {r for r, c in hidden if c == column}:
            table = _mask(table, column, rows_hidden)
    if rows_with_hidden := {r for r, _ in hidden}:
        for column in derived:
            if column in table.column_names:
                table = _mask(table, column, rows_with_hidden)
                hidden.update((r, column) for r in rows_with_hidden)
    return table, frozenset(hidden)


# --- running ---------------------------------------------------------------------------------------------------


def _execute(source: Warehouse | duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pa.Table:
    if not isinstance(source, duckdb.DuckDBPyConnection):
        # A Warehouse, or another engine with the same `query(sql, params) -> pa.Table` (read.spark_engine).
        return source.query(sql, params)
    cursor = source.cursor()
    try:
        return fetch_arrow(cursor, sql, params)
    finally:
        cursor.close()


def run_kpi(
    con_or_warehouse: Warehouse | duckdb.DuckDBPyConnection,
    kpi_id: str,
    filters: KpiFilters = KpiFilters(),  # noqa: B008 - frozen dataclass, safe as a default
    *,
    by: str = UNIVERSITY,
    scope: AccessScope | None = None,
    settings: Settings | None = None,
    as_of: dt.date | str | None = None,
) -> KpiResult:
    """Run one KPI with the user's filters, breakdown and access scope, learner counts protected for the scope's
    role (exact for management or no scope, rounded for every other role; see read/privacy.py).
    `as_of` is the date for targets and live runs (default today in Malaysia)."""
    spec = get_kpi(kpi_id)
    settings = settings or load_settings()
    by = resolve_by(spec, by)
    values = build_params(filters, by=by, scope=scope, settings=settings, as_of=as_of)
    used = spec.params
    if missing := sorted(used - values.keys()):
        raise KpiError(f"KPI {spec.id!r} uses parameters nobody provides: {', '.join(missing)}")
    table = _execute(con_or_warehouse, spec.sql, {name: values[name] for name in used})

    privacy = settings.privacy
    limit = privacy.small_cell_limit
    protection = protection_for(scope.role if scope is not None else None, privacy.method)
    if spec.protection == ROUNDED and scope is not None and scope.role != "cli":
        protection = ROUNDED
    suppressed: frozenset[tuple[int, str]] = frozenset()
    if protection == ROUNDED:
        policy = RoundingPolicy(privacy.rounding_base, limit, privacy.rate_min_population,
                                privacy.average_min_population)
        table, suppressed = round_table(table, spec.suppress, spec.derived, parse_rates(spec.rates),
                                        parse_protect(spec.protect), policy, spec.hide)
    elif by != UNIVERSITY and spec.suppress:
        table, suppressed = suppress_small_cells(
            table, spec.suppress, limit, partition_by=(*PARTITION_COLUMNS, *spec.breakdowns), derived=spec.derived
        )

    labels_ms: dict[str, str] = {}
    if by == "ptj" and "group_key" in table.column_names:
        names = _execute(con_or_warehouse, "select ptj_code, ptj_name_ms from dim_ptj", {})
        labels_ms = dict(zip(names.column(0).to_pylist(), names.column(1).to_pylist(), strict=True))
    return KpiResult(spec, table, suppressed, by, limit, labels_ms, protection)


__all__ = [
    "FILTER_PARAMS",
    "KNOWN_PARAMS",
    "KPI_DIR",
    "MALAYSIA",
    "PARTITION_COLUMNS",
    "POLICY_PARAMS",
    "UNITS",
    "UNIVERSITY",
    "AccessScope",
    "KpiError",
    "KpiFilters",
    "KpiResult",
    "KpiSpec",
    "build_params",
    "get_kpi",
    "list_kpis",
    "parse_kpi",
    "referenced_params",
    "resolve_by",
    "run_kpi",
    "suppress_small_cells",
    "today_in_malaysia",
]
