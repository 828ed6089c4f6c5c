"""The KPI layer: KPI definitions in `queries/kpi/<id>.sql`, run with bound parameters, small cells suppressed.

Each KPI file starts with a header block that this module parses (see ARCHITECTURE.md):

    -- id: completion_rate
    -- title_en: Completion rate
    -- title_ms: Kadar penyempurnaan
    -- unit: pct
    -- grain: university, ptj, course, course_run
    -- definition_en: Learners who completed, over all enrolments
    --   and over learners who started.            <- continuation line (two or more spaces after --)
    -- definition_ms: ...
    -- filters: year, ptj_codes, course_codes
    -- sources: fct_enrolment
    -- suppress: enrolments, starters, completed    <- learner counts hidden when small (below university level)
    -- derived: completion_rate_pct                 <- optional: columns computed from them, hidden in those rows
    -- breakdowns: mqa_category                     <- optional: dimension columns besides year and group
    -- rates: completion_rate_pct = 100 * completed / enrolments   <- optional: how derived rates are computed
    -- protect: value where kpi_id = enrolments | learners          <- optional: row-dependent learner counts
    -- protection: rounded                      <- optional: round for every dashboard role, management too

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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa

from core.config import QUERIES_DIR, Settings, load_settings
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

KPI_DIR = QUERIES_DIR / "kpi"
MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")

UNITS = ("count", "pct", "rm", "hours", "days")
REQUIRED_KEYS = (
    "id", "title_en", "title_ms", "unit", "grain", "definition_en", "definition_ms", "filters", "sources", "suppress",
)
OPTIONAL_KEYS = ("derived", "breakdowns", "rates", "protect", "hide", "protection")
LIST_KEYS = ("grain", "filters", "sources", "suppress", "derived", "breakdowns", "rates", "protect", "hide")

# KpiFilters fields; each binds the parameter of the same name.
FILTER_PARAMS = (
    "year", "date_from", "date_to", "ptj_codes", "course_codes", "mqa_categories", "modes", "platforms", "mc_types",
)
POLICY_PARAMS = (
    "online_hours_factor",
    "overload_hours",
    "category_1_target_pct",
    "category_3_target_pct",
    "on_track_ratio",
    "at_risk_ratio",
    "fully_participated_step_pct",
    "achievement_step_pct",
    "quiz_too_easy_pct",
    "quiz_too_hard_pct",
    "quiz_min_learners",
    "mms_overdue_days",
)
KNOWN_PARAMS = frozenset({*FILTER_PARAMS, "by", "allowed_ptj_codes", "as_of", *POLICY_PARAMS})
# The `by` that gives one row for everything in scope (and the only level where small counts are shown as is).
UNIVERSITY = "university"

# Left to right: a string literal, a comment, or a $param (so a quote in a comment or "--" in a string is no trap).
_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|\$([A-Za-z_][A-Za-z0-9_]*)")
_HEADER_RE = re.compile(r"^--\s?([a-z_]+):\s*(.*)$")
_CONTINUATION_RE = re.compile(r"^--\s{2,}(\S.*)$")


class KpiError(ValueError):
    """A KPI file that does not parse, an unknown KPI id, or a request the KPI cannot answer (e.g. bad `by`)."""


@dataclass(frozen=True)
class KpiSpec:
    id: str
    title_en: str
    title_ms: str
    unit: str
    grain: tuple[str, ...]
    definition_en: str
    definition_ms: str
    filters: tuple[str, ...]
    sources: tuple[str, ...]
    suppress: tuple[str, ...]
    derived: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()
    protect: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    # "rounded": counts that overlap (a learner in several cells of one row and across rows, such as the learners
    # reaching each step of a pathway) cannot be protected by hiding cells, since reached - dropped gives a hidden
    # next-step count back; such a KPI is rounded for every dashboard role, management included.
    protection: str = ""
    sql: str = field(default="", repr=False)
    path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def params(self) -> frozenset[str]:
        """The `$params` the SQL references (comments and string literals left out)."""
        return referenced_params(self.sql)

    def title(self, lang: str = "en") -> str:
        return self.title_ms if lang == "ms" else self.title_en

    def definition(self, lang: str = "en") -> str:
        return self.definition_ms if lang == "ms" else self.definition_en


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


# --- KPI files -------------------------------------------------------------------------------------------------


def referenced_params(sql: str) -> frozenset[str]:
    return frozenset(m.group(1) for m in _TOKEN_RE.finditer(sql) if m.group(1))


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def parse_kpi(text: str, path: Path | None = None) -> KpiSpec:
    """Parse one KPI file's header block (the leading `--` lines) and keep its SQL."""
    where = path.name if path else "KPI"
    values: dict[str, str] = {}
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if not stripped.startswith("--"):
            break
        if (cont := _CONTINUATION_RE.match(stripped)) and last is not None:
            values[last] = f"{values[last]} {cont.group(1).strip()}".strip()
        elif head := _HEADER_RE.match(stripped):
            key, value = head.groups()
            if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS:
                raise KpiError(f"{where}: line {number}: unknown header key {key!r}")
            if key in values:
                raise KpiError(f"{where}: line {number}: header key {key!r} given twice")
            values[key] = value.strip()
            last = key
        elif stripped.strip("- "):
            raise KpiError(f"{where}: line {number}: expected '-- key: value' in the header, found {stripped!r}")
    missing = [k for k in REQUIRED_KEYS if k not in values]
    if missing:
        raise KpiError(f"{where}: header is missing {', '.join(missing)}")
    lists = {k: _split_list(values.get(k, "")) for k in LIST_KEYS}
    spec = KpiSpec(
        id=values["id"],
        title_en=values["title_en"],
        title_ms=values["title_ms"],
        unit=values["unit"],
        grain=lists["grain"],
        definition_en=values["definition_en"],
        definition_ms=values["definition_ms"],
        filters=lists["filters"],
        sources=lists["sources"],
        suppress=lists["suppress"],
        derived=lists["derived"],
        breakdowns=lists["breakdowns"],
        rates=lists["rates"],
        protect=lists["protect"],
        hide=lists["hide"],
        protection=values.get("protection", ""),
        sql=text,
        path=path,
    )
    if spec.unit not in UNITS:
        raise KpiError(f"{where}: unit {spec.unit!r} is not one of {', '.join(UNITS)}")
    if not spec.grain:
        raise KpiError(f"{where}: grain is empty")
    if spec.protection not in ("", ROUNDED):
        raise KpiError(f"{where}: protection {spec.protection!r} is not {ROUNDED!r}")
    if unknown := [f for f in spec.filters if f not in FILTER_PARAMS]:
        raise KpiError(f"{where}: unknown filters {', '.join(unknown)}")
    parse_rates(spec.rates, where)  # raises on a malformed entry
    parse_protect(spec.protect, where)
    if path is not None and path.stem != spec.id:
        raise KpiError(f"{where}: id {spec.id!r} does not match the file name")
    return spec


_cache: dict[Path, tuple[int, KpiSpec]] = {}


def _load(path: Path) -> KpiSpec:
    mtime = path.stat().st_mtime_ns
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, parse_kpi(path.read_text("utf-8"), path))
        _cache[path] = cached
    return cached[1]


def list_kpis(kpi_dir: Path | None = None) -> list[KpiSpec]:
    """Every KPI's parsed header, sorted by id (files re-read when they change)."""
    return sorted((_load(p) for p in (kpi_dir or KPI_DIR).glob("*.sql")), key=lambda s: s.id)


def get_kpi(kpi_id: str, kpi_dir: Path | None = None) -> KpiSpec:
    path = (kpi_dir or KPI_DIR) / f"{kpi_id}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", kpi_id) or not path.is_file():
        raise KpiError(f"unknown KPI {kpi_id!r}")
    return _load(path)


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
