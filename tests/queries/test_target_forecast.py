"""The run-rate forecast to the year end in target_progress, checked by hand on tests/fixtures/hand.

AS_OF is 2025-08-07: day 219 of 365 (60% of 2025). Run-rate forecast = value x 365 / 219; the day a target is
reached at that pace is day ceil(target x 219 / value) of 2025 (counted on into 2026 when it falls short).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dashboard.kpi import AccessScope


def _rows(result) -> dict[tuple, dict]:
    return {(r["year"], r["kpi_id"], r["scope"], r["ptj_code"]): r for r in result.table.to_pylist()}


def test_forecast_run_rate_by_hand(kpi):
    result = _rows(kpi("target_progress"))

    def forecast(key):
        r = result[key]
        return r["forecast_value"], r["forecast_pct"], r["forecast_shortfall"], r["forecast_reach_on"]

    # Enrolments 19 so far: 19 x 365 / 219 = 31.666.. -> 31.67 of 40 = 79.2%, 8.33 short; the pace reaches 40 on
    # day ceil(40 x 219 / 19) = ceil(461.05) = 462, i.e. 2026-04-07 (day 366 is 2026-01-01, + 96 days).
    assert forecast((2025, "enrolments", "university", None)) == (
        Decimal("31.67"), 79.2, Decimal("8.33"), dt.date(2026, 4, 7))
    # Completions 10: 16.67 of 18 (92.6%), 1.33 short; day ceil(18 x 219 / 10) = ceil(394.2) = 395 = 2026-01-30.
    assert forecast((2025, "completions", "university", None)) == (
        Decimal("16.67"), 92.6, Decimal("1.33"), dt.date(2026, 1, 30))
    # Learners 18 (exactly on pace): 18 x 365 / 219 = 30.00 of 30; day 30 x 219 / 18 = 365 = 2025-12-31.
    assert forecast((2025, "learners", "university", None)) == (
        Decimal("30.00"), 100.0, Decimal("0.00"), dt.date(2025, 12, 31))
    # Net revenue RM 6,789.00 -> 11,315.00 (113.2%); reached on day ceil(10000 x 219 / 6789) = 323 = 2025-11-19.
    assert forecast((2025, "net_revenue", "university", None)) == (
        Decimal("11315.00"), 113.2, Decimal("0.00"), dt.date(2025, 11, 19))
    # FSKTM's enrolments 9 of 20: 15.00 (75.0%), 5 short, day ceil(20 x 219 / 9) = 487 = 2026-05-02.
    assert forecast((2025, "enrolments", "ptj", "FSKTM")) == (
        Decimal("15.00"), 75.0, Decimal("5.00"), dt.date(2026, 5, 2))
    # Already reached (certificates 11 of 10): no date to wait for.
    assert forecast((2025, "certificates", "university", None))[3] is None
    # A closed year's forecast is its final value (2024 enrolments 10 of 12, 2 short), with no date.
    assert forecast((2024, "enrolments", "university", None)) == (Decimal("10.00"), 83.3, Decimal("2.00"), None)
    # A future year and a target the SQL does not measure: no forecast.
    assert forecast((2026, "enrolments", "university", None)) == (None, None, None, None)
    assert forecast((2025, "completion_rate", "university", None)) == (None, None, None, None)
    assert {r["forecast_method"] for r in result.values()} == {"run_rate"}


def test_forecast_moves_with_as_of_and_keeps_scope(kpi):
    # On 2025-12-31 the year is all but over: the forecast is the value itself (x 365 / 365).
    late = _rows(kpi("target_progress", year=2025, as_of=dt.date(2025, 12, 31)))
    assert late[(2025, "enrolments", "university", None)]["forecast_value"] == Decimal("19.00")
    # A dean of FBE gets the forecast of FBE's target only: 4300 x 365 / 219 = 7166.666.. -> 7166.67.
    scoped = kpi("target_progress", scope=AccessScope("dean", ("FBE",))).table.to_pylist()
    assert [(r["kpi_id"], r["ptj_code"], r["forecast_value"]) for r in scoped] == [
        ("net_revenue", "FBE", Decimal("7166.67"))]
