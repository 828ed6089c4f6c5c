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


def test_a_warehouse_published_while_no_page_is_open_is_warmed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The publish watcher: the run key it reads changes (the night's refresh) and the new key is warmed, once,
    with nobody opening a page; a failed look (a swap under way) is asked again."""
    import threading

    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "1")
    monkeypatch.setattr(warm, "_seen", {"run-1|"})  # the key the first page of the process warmed
    monkeypatch.setattr(warm, "_watcher", None)
    stop = threading.Event()
    monkeypatch.setattr(warm, "_stop_watching", stop)
    warmed: list[str] = []
    monkeypatch.setattr(warm, "warm", lambda key, path: warmed.append(key) or 0)
    answers = ["run-1|", "run-1|", OSError("swapping"), None]  # then "run-2|" at every look
    looks = 0
    looked_enough = threading.Event()

    def live_run_key(path: str) -> str | None:
        nonlocal looks
        looks += 1
        if looks >= 20:  # 15 looks at run-2 after it appeared
            looked_enough.set()
        answer = answers[looks - 1] if looks <= len(answers) else "run-2|"
        if isinstance(answer, Exception):
            raise answer
        return answer

    try:
        assert warm.watch("wh.duckdb", 0.01, live_run_key) is True
        assert warm.watch("wh.duckdb", 0.01, live_run_key) is False  # one watcher per process
        assert looked_enough.wait(timeout=60)
        assert warm._thread is not None
        warm._thread.join(timeout=60)
        assert warmed == ["run-2|"]
    finally:
        stop.set()
        warm._watcher.join(timeout=60)  # type: ignore[union-attr]


def test_the_watcher_is_off_when_warming_is_or_when_its_interval_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm, "_watcher", None)
    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "0")
    assert warm.watch("wh.duckdb", 60, lambda path: "run-1|") is False
    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "1")
    assert warm.watch("wh.duckdb", 0, lambda path: "run-1|") is False
    assert warm._watcher is None


def test_live_run_key_is_the_pages_run_key(hand_warehouse: Path) -> None:
    from dashboard import data

    assert data.live_run_key(str(hand_warehouse)) == run_key(hand_warehouse)
    assert data.live_run_key(str(hand_warehouse.parent / "none.duckdb")) is None


def test_the_server_prepares_the_live_warehouse_at_start(monkeypatch: pytest.MonkeyPatch,
                                                         app: Callable[..., AppTest], hand_warehouse: Path,
                                                         computed: list) -> None:
    """dashboard/server.py's start hook: it queues the published warehouse's run key for the warmer, so the first
    visitor after a server start finds its figures computed; with warming off it queues nothing."""
    from dashboard import server

    # The `app` fixture points MCKPI_PATHS_WAREHOUSE at hand_warehouse.
    monkeypatch.setenv("MCKPI_DASHBOARD_CHECK_NEW_SECONDS", "0")  # no watcher thread left behind by the test
    monkeypatch.setattr(warm, "_seen", set())
    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "0")
    assert server.prepare() is None
    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "1")
    st.cache_data.clear()
    assert server.prepare() == run_key(hand_warehouse)
    assert warm._thread is not None
    warm._thread.join(timeout=120)
    assert not warm._thread.is_alive()
    computed.clear()
    at = app("overview")
    assert not at.exception
    assert computed == []


def test_the_server_prepares_nothing_without_a_warehouse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dashboard import server

    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("MCKPI_DASHBOARD_CHECK_NEW_SECONDS", "0")
    monkeypatch.setenv("MCKPI_DASHBOARD_WARM", "1")
    monkeypatch.setattr(warm, "_seen", set())
    assert server.prepare() is None
