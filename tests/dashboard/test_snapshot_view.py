"""The dashboard shows a frozen snapshot instead of live data when one is chosen (sidebar or `?snapshot=`),
labelled as such on the page, with the snapshot's figures even after a later refresh changed the live ones."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_helpers import metric, texts
from conftest import HAND
from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.words import t
from dashboard import ui
from etl.load import run_etl
from read.kpi import KpiFilters, run_kpi
from read.snapshot import create_snapshot
from read.warehouse import Warehouse

LABEL = "2025-annual"


def _net(path: Path) -> float:
    wh = Warehouse(path)
    try:
        return float(run_kpi(wh, "revenue", KpiFilters(year=2025)).df()["net_revenue_rm"].sum())
    finally:
        wh.close()


@pytest.fixture(scope="module")
def moved_on(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(published warehouse, snapshots folder, snapshot file): the hand data snapshotted, then a late receipt
    loaded by a second refresh."""
    root = tmp_path_factory.mktemp("snapshot_view")
    landing = root / "landing"
    shutil.copytree(HAND, landing)
    settings = load_settings().with_paths(landing=landing, warehouse=root / "wh" / "mckpi.duckdb",
                                          snapshots=root / "snapshots")
    assert run_etl(settings).status == "succeeded"
    snapshot = create_snapshot(settings, LABEL)
    (landing / "payments" / "payments_late.csv").write_text(
        "receipt_id,learner_id,run_id,payment_kind,amount_rm,paid_at,ptj_code\n"
        "R2025-9001,ext-201,MC-FBE-002-2025-1,certificate,89.00,2025-03-01 10:00:00,FBE\n")
    assert run_etl(settings).status == "succeeded"
    return settings.paths.warehouse, root / "snapshots", snapshot


def test_snapshot_figures_and_label(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                    moved_on: tuple[Path, Path, Path]) -> None:
    warehouse, folder, snapshot = moved_on
    live, frozen = _net(warehouse), _net(snapshot)
    assert live == frozen + 89.0
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("MCKPI_PATHS_SNAPSHOTS", str(folder))

    at = app("revenue", year="2025", snapshot=LABEL)
    assert not at.exception
    assert at.selectbox(key="f_source").value == LABEL
    assert f"“{LABEL}”" in texts(at) and "not live data" in texts(at)
    assert metric(at, t("kpi.net_revenue")) == ui.fmt_rm(frozen)

    at.selectbox(key="f_source").set_value("live").run()
    assert "not live data" not in texts(at)
    assert metric(at, t("kpi.net_revenue")) == ui.fmt_rm(live)


def test_unknown_snapshot_in_the_link_is_ignored(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                                 moved_on: tuple[Path, Path, Path]) -> None:
    warehouse, folder, _ = moved_on
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("MCKPI_PATHS_SNAPSHOTS", str(folder))
    at = app("overview", year="2025", snapshot="2019-final", tables=False)
    assert not at.exception
    assert "snapshot=2019-final" in texts(at)  # the notice of ignored link values, on the first run
    assert at.selectbox(key="f_source").value == "live"
    at.switch_page("views/revenue.py").run()
    assert metric(at, t("kpi.net_revenue")) == ui.fmt_rm(_net(warehouse))
