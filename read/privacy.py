"""How learner counts are protected for each role, applied by the KPI layer to every result. No streamlit import.

Two protections:

- **exact** (management, and the server's own CLI and ministry returns): counts as they are; below university
  level a count under the small-cell limit is hidden ("<5") with complementary suppression
  (`read.kpi.suppress_small_cells`), as before.
- **rounded** (every other role, at every level, university totals included): HESA's rounding methodology
  (HESA, "Rounding and suppression to anonymise statistics", https://www.hesa.ac.uk/about/regulation/
  data-protection/rounding-and-suppression-anonymise-statistics). Every learner count is rounded to the nearest
  multiple of `rounding_base` (5); a count from 1 to `small_cell_limit - 1` is shown as "<5", a true 0 as 0;
  percentages are computed from the rounded counts and hidden when the rounded population is below
  `rate_min_population` (HESA 22.5), medians and averages hidden below `average_min_population` (HESA 7).

Why rounding and not complementary suppression: suppression works inside one table, but a viewer can ask for the
university total with and without one platform, and the difference is the hidden cell. Rounded, every count a role
can see is a multiple of 5, so any sum or difference of them is a multiple of 5 too and never a count from 1 to 4;
and a rate recomputed from rounded counts tells nothing the rounded counts do not.

KPI header keys this module reads (besides `suppress:` and `derived:`):

    -- rates: completion_rate_pct = 100 * completed / enrolments, revenue_per_learner_rm = net_revenue_rm / learners
    -- protect: value where kpi_id = enrolments | learners | completions | certificates
    -- hide: forecast_shortfall

`rates:` says how a derived column is computed from counts, so that it is recomputed from the rounded ones;
`protect:` names a column that holds learner counts only in the rows where another column has one of the values;
`hide:` names columns computed from exact counts in a way no rounding repairs (a shortfall, a date reached):
hidden for these roles in every row that holds a learner count.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa

EXACT = "exact"
ROUNDED = "rounded"
METHODS = ("round",)
# Roles that keep exact figures: management, and "cli" (the server's own command line, run by staff who can read
# the warehouse file). No scope at all (a ministry return built on the server) is exact too.
EXACT_ROLES = frozenset({"management", "cli"})

_RATE_RE = re.compile(r"^([a-z_][a-z0-9_]*)\s*=\s*(?:(100)\s*\*\s*)?([a-z_][a-z0-9_]*)\s*/\s*([a-z_][a-z0-9_]*)$")
_PROTECT_RE = re.compile(r"^([a-z_][a-z0-9_]*)\s+where\s+([a-z_][a-z0-9_]*)\s*=\s*(.+)$")


class PrivacyConfigError(ValueError):
    """A [privacy] setting or a rates:/protect: header that does not make sense."""


@dataclass(frozen=True)
class Rate:
    column: str
    numerator: str
    denominator: str
    percent: bool  # 100 * num / den (a percentage, one decimal) or num / den (money per head, two decimals)


@dataclass(frozen=True)
class ProtectRule:
    column: str
    key: str
    values: frozenset[str]


def parse_rates(items: tuple[str, ...], where: str = "KPI") -> tuple[Rate, ...]:
    out = []
    for item in items:
        m = _RATE_RE.match(item.strip())
        if not m:
            raise PrivacyConfigError(f"{where}: rates entry {item!r} is not 'column = [100 *] numerator / denominator'")
        column, hundred, num, den = m.groups()
        out.append(Rate(column, num, den, hundred is not None))
    return tuple(out)


def parse_protect(items: tuple[str, ...], where: str = "KPI") -> tuple[ProtectRule, ...]:
    out = []
    for item in items:
        m = _PROTECT_RE.match(item.strip())
        if not m:
            raise PrivacyConfigError(f"{where}: protect entry {item!r} is not 'column where key = a | b'")
        column, key, values = m.groups()
        out.append(ProtectRule(column, key, frozenset(v.strip() for v in values.split("|") if v.strip())))
    return tuple(out)


def protection_for(role: str | None, method: str = "round") -> str:
    """EXACT for management (and no scope / the server CLI), ROUNDED for every other role, an unknown one too."""
    if method not in METHODS:
        raise PrivacyConfigError(f"privacy.method {method!r} is not one of {', '.join(METHODS)}")
    if role is None or role in EXACT_ROLES:
        return EXACT
    return ROUNDED


def round_count(value: int, base: int, limit: int) -> int | None:
    """A learner count as a role below management sees it: 0 stays 0, 1..limit-1 is hidden (None, shown "<5"),
    anything else the nearest multiple of `base` (halves up: 7 -> 5, 8 -> 10, 12.5 cannot happen)."""
    if value <= 0:
        return 0 if value == 0 else None  # a negative count is not a count: hide it rather than guess
    if value < limit:
        return None
    rounded = int(math.floor(value / base + 0.5)) * base
    return max(rounded, base)


@dataclass(frozen=True)
class RoundingPolicy:
    base: int = 5
    limit: int = 5
    rate_min_population: int = 23
    average_min_population: int = 7


def _column(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist()


def _set(table: pa.Table, name: str, values: list[Any]) -> pa.Table:
    index = table.column_names.index(name)
    field = table.field(index)
    return table.set_column(index, field, pa.array(values, type=field.type))


def _rate_value(num: Any, den: Any, rate: Rate, type_: pa.DataType) -> Any:
    if num is None or den is None or den == 0:
        return None
    if rate.percent:
        value = 100.0 * float(num) / float(den)
        return round(value, 1)
    if pa.types.is_decimal(type_):
        return (Decimal(str(num)) / Decimal(str(den))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return round(float(num) / float(den), 2)


def round_table(
    table: pa.Table,
    counts: tuple[str, ...],
    derived: tuple[str, ...],
    rates: tuple[Rate, ...],
    protect: tuple[ProtectRule, ...],
    policy: RoundingPolicy,
    hide: tuple[str, ...] = (),
) -> tuple[pa.Table, frozenset[tuple[int, str]]]:
    """Round every learner count (the `counts` columns, and the `protect` columns in their rows), recompute the
    `rates` from the rounded counts, and hide the other `derived` columns (medians, averages) on small
    populations. Returns the table and the (row, column) cells hidden."""
    names = set(table.column_names)
    hidden: set[tuple[int, str]] = set()
    protected_rows: dict[str, set[int]] = {}  # column -> the rows in which it holds a learner count

    for column in counts:
        if column in names:
            protected_rows[column] = set(range(table.num_rows))
    for rule in protect:
        if rule.column in names and rule.key in names:
            keys = _column(table, rule.key)
            protected_rows.setdefault(rule.column, set()).update(
                r for r, k in enumerate(keys) if str(k) in rule.values)

    rounded_values: dict[str, list[Any]] = {}
    for column, rows in protected_rows.items():
        values = _column(table, column)
        out = list(values)
        for r in rows:
            v = values[r]
            if v is None:
                continue
            number = int(v) if float(v) == int(v) else math.ceil(float(v))
            shown = round_count(number, policy.base, policy.limit)
            if shown is None:
                hidden.add((r, column))
            out[r] = shown if not isinstance(v, Decimal) or shown is None else Decimal(shown)
        rounded_values[column] = out
        table = _set(table, column, out)

    rate_columns = {rate.column for rate in rates}
    for rate in rates:
        if rate.column not in names or rate.numerator not in names or rate.denominator not in names:
            continue
        touched = protected_rows.get(rate.numerator, set()) | protected_rows.get(rate.denominator, set())
        if not touched:
            continue
        num, den = _column(table, rate.numerator), _column(table, rate.denominator)
        den_is_population = rate.denominator in protected_rows
        minimum = policy.rate_min_population if rate.percent else policy.average_min_population
        values = _column(table, rate.column)
        type_ = table.schema.field(rate.column).type
        for r in touched:
            small = den_is_population and r in protected_rows[rate.denominator] and (
                den[r] is None or den[r] < minimum)
            value = None if small else _rate_value(num[r], den[r], rate, type_)
            if value is None and values[r] is not None:
                hidden.add((r, rate.column))
            values[r] = value
        table = _set(table, rate.column, values)

    counted_rows = set().union(*protected_rows.values()) if protected_rows else set()
    for column in (c for c in hide if c in names):
        values = _column(table, column)
        hidden.update((r, column) for r in counted_rows if values[r] is not None)
        table = _set(table, column, [None if r in counted_rows else v for r, v in enumerate(values)])

    # Medians, averages, min/max: hidden in a row with a hidden count or a rounded population below the minimum
    # (rows that hold no learner count, such as a money target, keep theirs).
    others = [c for c in derived if c in names and c not in rate_columns and c not in hide]
    if others:
        populations = {
            r: max((rounded_values[c][r] or 0 for c in protected_rows if r in protected_rows[c]), default=0)
            for r in counted_rows
        }
        rows_hidden = {r for r, c in hidden if c in protected_rows} | {
            r for r, p in populations.items() if p < policy.average_min_population}
        for column in others:
            values = _column(table, column)
            masked = [None if r in rows_hidden else v for r, v in enumerate(values)]
            hidden.update((r, column) for r in rows_hidden if values[r] is not None)
            table = _set(table, column, masked)
    return table, frozenset(hidden)
