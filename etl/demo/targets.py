"""The yearly KPI targets (kpi_targets.csv), set from what the demo data achieves so that some years end on
track, some at risk and some behind."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import duckdb

from etl.demo.catalogue import _Course
from etl.demo.plan import _Run
from etl.demo.queries import _ACTUALS_SQL, _PTJ_REVENUE_SQL


def _nice(x: float, money: bool = False) -> Decimal:
    """Round a target the way a planning office writes it."""
    if money:
        step = 1000 if x >= 20_000 else 100
    elif x >= 20_000:
        step = 1000
    elif x >= 2_000:
        step = 100
    elif x >= 200:
        step = 10
    else:
        step = 1
    return Decimal(max(step, round(x / step) * step))


_TARGET_KPIS = ("enrolments", "learners", "courses_offered", "completions", "certificates", "net_revenue",
                "new_courses")
# achieved / target at the end of a past year, by the status the demo gives that year
_STATUS_RATIO = {"on_track": (1.02, 1.15), "at_risk": (0.84, 0.96), "behind": (0.55, 0.75)}


def _make_targets(con: duckdb.DuckDBPyConnection, rng: random.Random, runs: list[_Run], courses: list[_Course],
                  start_year: int, end_year: int, today: date) -> list[list[str]]:
    """Yearly targets set from what the demo data achieves, so that some years end on track, some at risk and
    some behind; this year's are about on track for the share of the year gone. University targets for every
    KPI, PTj net revenue targets for the five PTjs with the most revenue."""
    actual: dict[int, dict[str, float]] = defaultdict(dict)
    for year, enrol, learners, completions, certificates, revenue in con.execute(_ACTUALS_SQL).fetchall():
        actual[year].update(enrolments=enrol or 0, learners=learners or 0, completions=completions or 0,
                            certificates=certificates or 0, net_revenue=float(revenue or 0))
    offered: dict[int, set[int]] = defaultdict(set)
    for r in runs:
        offered[r.starts.year].add(r.course.idx)
    for year, idxs in offered.items():
        actual[year]["courses_offered"] = len(idxs)
    for c in courses:
        actual[c.launched.year]["new_courses"] = actual[c.launched.year].get("new_courses", 0) + 1
    ptj_revenue: dict[tuple[str, int], float] = defaultdict(float)
    ptj_total: dict[str, float] = defaultdict(float)
    for ptj, year, rm in con.execute(_PTJ_REVENUE_SQL).fetchall():
        ptj_revenue[(ptj, year)] = float(rm)
        ptj_total[ptj] += float(rm)
    big_ptjs = sorted(sorted(ptj_total, key=lambda p: (-ptj_total[p], p))[:5])

    years = list(range(start_year, end_year + 1))
    past = [y for y in years if y < today.year]
    statuses = {y: rng.choices(list(_STATUS_RATIO), weights=(5, 2, 3))[0] for y in past}
    if len(past) >= 2:  # at least one year on track and one behind to show
        statuses[past[-1]] = "behind"
        if "on_track" not in statuses.values():
            statuses[past[0]] = "on_track"
    elapsed = (today - date(today.year, 1, 1)).days / 365.0

    def target(year: int, kpi: str, value: float) -> str:
        money = kpi == "net_revenue"
        if year < today.year:
            ratio = rng.uniform(*_STATUS_RATIO[statuses[year]])
        elif year == today.year and kpi in ("courses_offered", "new_courses"):  # mostly known by now
            ratio = rng.uniform(0.85, 1.05)
        elif year == today.year:
            ratio = elapsed * rng.uniform(0.9, 1.15)
        else:
            ratio = 0.0
        x = value / ratio if ratio > 0 and value > 0 else value * 1.1 + (5000 if money else 1)
        return _fmt_target(_nice(x, money), money)

    rows: list[list[str]] = []
    for year in years:
        for kpi in _TARGET_KPIS:
            rows.append([str(year), kpi, "university", "", target(year, kpi, actual[year].get(kpi, 0.0))])
        for ptj in big_ptjs:
            rows.append([str(year), "net_revenue", "ptj", ptj,
                         target(year, "net_revenue", ptj_revenue.get((ptj, year), 0.0))])
    return rows


def _fmt_target(x: Decimal, money: bool) -> str:
    return f"{x:.2f}" if money else f"{x:.0f}"
