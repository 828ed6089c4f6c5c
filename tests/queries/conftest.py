"""Fixtures for the KPI tests: the hand-built landing folder (tests/fixtures/hand/) loaded by the real ETL into a
published warehouse, once per test session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.config import Policy, Privacy, Settings, Targets, Workload, load_settings
from read.kpi import AccessScope, KpiFilters, KpiResult, run_kpi
from read.warehouse import Warehouse

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
# The day the hand-computed expectations assume: 2025-08-07 is day 219 of 365, exactly 60% of 2025.
AS_OF = dt.date(2025, 8, 7)
# The policy figures the hand arithmetic uses (the same as mckpi.toml today, fixed here so a policy change
# in the config does not silently change what these tests check).
HAND_SETTINGS = Settings(
    privacy=Privacy(small_cell_limit=5),
    policy=Policy(category_1_target_pct=60, category_3_target_pct=40),
    workload=Workload(online_hours_factor=0.5, overload_hours_per_term=120.0),
    targets=Targets(on_track_ratio=1.0, at_risk_ratio=0.8),
)


@pytest.fixture(scope="session")
def hand_warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/hand run through `etl.load.run_etl` into a fresh warehouse folder (published symlink)."""
    from etl.load import run_etl  # imported here so the other tests in this folder never depend on the ETL

    warehouse = tmp_path_factory.mktemp("hand_warehouse") / "mckpi.duckdb"
    settings = load_settings().with_paths(landing=HAND, warehouse=warehouse)
    result = run_etl(settings, landing=HAND, warehouse=warehouse)
    assert result.status == "succeeded", result.message
    return warehouse


@pytest.fixture(scope="session")
def hand_warehouse(hand_warehouse_path: Path) -> Iterator[Warehouse]:
    wh = Warehouse(hand_warehouse_path)
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def kpi(hand_warehouse: Warehouse):
    """run_kpi against the hand warehouse with as_of fixed: kpi("enrolments", year=2025, by="ptj")."""

    def run(
        kpi_id: str,
        *,
        by: str = "university",
        scope: AccessScope | None = None,
        as_of: dt.date = AS_OF,
        settings: Settings | None = None,
        small_cell_limit: int | None = None,
        **filters,
    ) -> KpiResult:
        settings = settings or HAND_SETTINGS
        if small_cell_limit is not None:  # 1 = nothing hidden, to check the raw figures
            settings = replace(settings, privacy=replace(settings.privacy, small_cell_limit=small_cell_limit))
        return run_kpi(
            hand_warehouse,
            kpi_id,
            KpiFilters(**filters),
            by=by,
            scope=scope,
            settings=settings,
            as_of=as_of,
        )

    return run
