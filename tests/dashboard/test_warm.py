"""The cache warmer (dashboard/warm.py): after it ran for a published warehouse, every page with its default
filters computes no KPI of its own; it runs once per run key, in the background, and fills what the pages read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import warm
from read import access
from read.warehouse import Warehouse

PAGES = [p for p in access.PAGES if p != "audit"]  # the audit page reads the audit log, no KPI


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The KPI computations from here on, (kpi id, breakdown): a cached result computes nothing."""
    calls: list[tuple[str, str]] = []
    real = access.run_scoped

    def counting(wh, kpi_id, filters, **kwargs):  # noqa: ANN001, ANN003, ANN202
        calls.append((kpi_id, kwargs.get("by", "university")))
        return real(wh, kpi_id, filters, **kwargs)

    monkeypatch.setattr(access, "run_scoped", counting)
    return calls


def run_key(warehouse: Path) -> str:
    wh = Warehouse(warehouse)
    try:
        return f"{wh.etl_run_id()}|"  # dashboard.data.run_key of the live warehouse
    finally:
        wh.close()


def test_without_warming_a_page_computes_its_kpis(app: Callable[..., AppTest], computed: list) -> None:
    """The control: the counter sees a cold page's computations."""
    st.cache_data.clear()
    at = app("ministry")
    assert not at.exception
    assert ("learner_mix", "university") in computed
    assert ("phase_plan", "university") in computed


@pytest.mark.parametrize("page", PAGES)
def test_every_page_finds_its_default_figures_warm(page: str, app: Callable[..., AppTest], hand_warehouse: Path,
                                                   computed: list) -> None:
    st.cache_data.clear()
    ran = warm.warm(run_key(hand_warehouse), str(hand_warehouse))
    assert ran >= 50  # every page's calls, revenue by course for each PTj among them
    computed.clear()
    at = app(page)
    assert not at.exception
    assert computed == [], f"{page} computed KPIs the warmer did not: {computed}"


def test_start_warms_once_per_run_key_in_the_background(monkeypatch: pytest.MonkeyPatch, app: Callable[..., AppTest],
                                                        hand_warehouse: Path, computed: list) -> None:
    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "1")
    monkeypatch.setattr(warm, "_seen", set())
    st.cache_data.clear()
    key = run_key(hand_warehouse)
    assert warm.start(key, str(hand_warehouse)) is True
    assert warm.start(key, str(hand_warehouse)) is False  # the same published warehouse: once per process
    assert warm._thread is not None
    warm._thread.join(timeout=120)
    assert not warm._thread.is_alive()
    assert ("target_progress", "university") in computed  # the warmer's work, in its own thread
    computed.clear()
    at = app("revenue")
    assert not at.exception
    assert computed == []


def test_no_warming_when_switched_off(monkeypatch: pytest.MonkeyPatch, hand_warehouse: Path) -> None:
    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "0")
    monkeypatch.setattr(warm, "_seen", set())
    assert warm.start("run-x|", str(hand_warehouse)) is False
    assert warm.start(None, str(hand_warehouse)) is False
