"""The date horizon: dates a landing file may hold. A date before the source's platform existed, or more than
the configured number of days after the day the file is loaded, is a typo, a spreadsheet's zero date or a clock
gone wrong; the row is quarantined with the reason, like any value out of range.

Which bounds a column has is declared in its contract (`Column.date_from`, `Column.date_to`); the figures come
from `[dates]` in mckpi.toml (core.config.Dates). The bounds are bound parameters of the checking SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.config import Dates

# Bound name -> the [dates] setting it comes from (named in the quarantine reason).
LOWER = {"earliest": "earliest", "earliest_futurelearn": "earliest_futurelearn"}
UPPER = {"latest": "max_days_after_delivery", "latest_planned": "max_days_after_delivery_planned"}


@dataclass(frozen=True)
class DateHorizon:
    delivered: date  # the day the files are loaded
    dates: Dates

    def bound(self, name: str) -> date:
        if name in LOWER:
            return getattr(self.dates, LOWER[name])
        return self.delivered + timedelta(days=self.days(name))

    def days(self, name: str) -> int:
        return int(getattr(self.dates, UPPER[name]))

    @classmethod
    def today(cls, dates: Dates | None = None) -> DateHorizon:
        return cls(date.today(), dates or Dates())


def param(name: str) -> str:
    return f"horizon_{name}"


def horizon_params(horizon: DateHorizon, names: set[str]) -> dict[str, object]:
    """The bound parameters for the bounds `names` (and, for upper bounds, their number of days)."""
    out: dict[str, object] = {}
    for name in names:
        out[param(name)] = horizon.bound(name)
        if name in UPPER:
            out[param(name) + "_days"] = horizon.days(name)
    return out


def lower_check_sql(name: str, typed: str) -> str:
    """A CASE branch rejecting a date/timestamp `typed` before the bound `name`."""
    p = "$" + param(name)
    return (
        f"when cast({typed} as date) < {p} then 'before ' || strftime({p}, '%Y-%m-%d')"
        f" || ', earlier than this source can hold ([dates] {LOWER[name]} in mckpi.toml)'"
    )


def upper_check_sql(name: str, typed: str) -> str:
    """A CASE branch rejecting a date/timestamp `typed` more than the bound's days after the delivery."""
    p = "$" + param(name)
    return (
        f"when cast({typed} as date) > {p} then 'more than ' || {p}_days || ' days after the file was loaded"
        f" ([dates] {UPPER[name]} in mckpi.toml)'"
    )
