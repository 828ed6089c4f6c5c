"""read/privacy.py on hand-computed tables: HESA rounding, rates from rounded counts, who gets which."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from read.privacy import (
    EXACT,
    ROUNDED,
    PrivacyConfigError,
    RoundingPolicy,
    parse_protect,
    parse_rates,
    protection_for,
    round_count,
    round_table,
)

POLICY = RoundingPolicy(base=5, limit=5, rate_min_population=23, average_min_population=7)


@pytest.mark.parametrize("true,shown", [(0, 0), (1, None), (4, None), (5, 5), (7, 5), (8, 10), (12, 10), (13, 15),
                                        (19, 20), (22, 20), (23, 25), (1234, 1235)])
def test_round_count(true: int, shown: int | None) -> None:
    assert round_count(true, 5, 5) == shown


def test_who_gets_which() -> None:
    assert protection_for("management") == protection_for(None) == protection_for("cli") == EXACT
    for role in ("ptj", "lecturer", "viewer", "dean", "", "none"):
        assert protection_for(role) == ROUNDED  # an unknown role fails closed
    with pytest.raises(PrivacyConfigError):
        protection_for("viewer", "noise")


def test_rates_from_rounded_counts_hidden_on_small_populations() -> None:
    table = pa.table({
        "enrolments": pa.array([100, 22, 40, 3], pa.int64()),
        "completed": pa.array([48, 10, 2, 1], pa.int64()),
        "completion_rate_pct": pa.array([48.0, 45.5, 5.0, 33.3]),
        "median_days": pa.array([30.0, 20.0, 10.0, 5.0]),
    })
    rates = parse_rates(("completion_rate_pct = 100 * completed / enrolments",))
    out, hidden = round_table(table, ("enrolments", "completed"), ("completion_rate_pct", "median_days"), rates,
                              (), POLICY)
    rows = out.to_pylist()
    # 100/48 -> 100/50: 50.0%. 22/10 -> 20/10: population 20 < 23, no rate. 40/2 -> 40/<5: no rate (it would
    # give the 2 back). 3/1 -> <5/<5.
    assert [(r["enrolments"], r["completed"], r["completion_rate_pct"]) for r in rows] == [
        (100, 50, 50.0), (20, 10, None), (40, None, None), (None, None, None)]
    assert [r["median_days"] for r in rows] == [30.0, 20.0, None, None]  # a hidden count, then < 7
    assert (1, "completion_rate_pct") in hidden and (2, "completed") in hidden and (0, "enrolments") not in hidden


def test_money_per_head_and_row_dependent_counts() -> None:
    table = pa.table({
        "kpi_id": ["enrolments", "net_revenue", "learners"],
        "value": pa.array([Decimal("19.00"), Decimal("6789.00"), Decimal("3.00")], pa.decimal128(18, 2)),
        "target_value": pa.array([Decimal("40.00"), Decimal("10000.00"), Decimal("30.00")], pa.decimal128(18, 2)),
        "pct_achieved": pa.array([47.5, 67.9, 10.0]),
    })
    out, _ = round_table(table, (), (), parse_rates(("pct_achieved = 100 * value / target_value",)),
                         parse_protect(("value where kpi_id = enrolments | learners",)), POLICY)
    rows = out.to_pylist()
    assert [r["value"] for r in rows] == [Decimal("20"), Decimal("6789.00"), None]  # money untouched
    assert [r["pct_achieved"] for r in rows] == [50.0, 67.9, None]

    per_head = pa.table({
        "net_revenue_rm": pa.array([Decimal("1389.00"), Decimal("4300.00")], pa.decimal128(18, 2)),
        "learners": pa.array([8, 5], pa.int64()),
        "revenue_per_learner_rm": pa.array([Decimal("173.63"), Decimal("860.00")], pa.decimal128(18, 2)),
    })
    out, _ = round_table(per_head, ("learners",), ("revenue_per_learner_rm",),
                         parse_rates(("revenue_per_learner_rm = net_revenue_rm / learners",)), (), POLICY)
    # 8 -> 10 learners: RM 138.90 a head (revenue / rpl gives 10, not 8); 5 learners < 7: hidden.
    assert [r["revenue_per_learner_rm"] for r in out.to_pylist()] == [Decimal("138.90"), None]


def test_hide_columns_in_rows_with_learner_counts_only() -> None:
    table = pa.table({
        "kpi_id": ["enrolments", "net_revenue"],
        "value": pa.array([Decimal("19.00"), Decimal("6789.00")], pa.decimal128(18, 2)),
        "shortfall": pa.array([Decimal("21.00"), Decimal("3211.00")], pa.decimal128(18, 2)),
        "days_note": pa.array([3.0, 4.0]),
    })
    out, hidden = round_table(table, (), ("days_note",), (), parse_protect(("value where kpi_id = enrolments",)),
                              POLICY, ("shortfall",))
    rows = out.to_pylist()
    # The shortfall of a learner target (40 - 19) would give the exact 19 back: hidden; the money row keeps its.
    assert [r["shortfall"] for r in rows] == [None, Decimal("3211.00")]
    assert [r["days_note"] for r in rows] == [3.0, 4.0]  # population 20 >= 7; a row without counts untouched
    assert (0, "shortfall") in hidden and (1, "shortfall") not in hidden
