"""The frame around every page: banners (demo, stale data, failed refresh), a missing or unreadable warehouse, a new
ETL run showing without a restart, and the guard for Streamlit's legacy pages/ mode."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_helpers import PAGES, metric, sign_in, texts
from conftest import APP, HAND, build_warehouse
from streamlit.testing.v1 import AppTest

from core.words import t
from read.kpi import get_kpi


@pytest.mark.parametrize("page", PAGES)
def test_missing_warehouse_says_how_to_build_one(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path, page: str) -> None:
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(tmp_path / "nowhere" / "mckpi.duckdb"))
    at = app(page, lang="ms")
    assert not at.exception, [e.value for e in at.exception]
    if page == "definitions":  # read from the KPI files: works without data
        assert f"#### {get_kpi('enrolments').title_ms}" in texts(at)
    elif page == "freshness":
        assert t("freshness.no_runs", "ms") in [i.value for i in at.info]
    else:
        assert [w.value for w in at.warning] == [t("wh.missing", "ms")]


def test_unreadable_warehouse_is_a_message(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    broken = tmp_path / "mckpi.duckdb"
    broken.write_bytes(b"this is not a database")
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(broken))
    at = app("revenue")
    assert not at.exception
    assert at.error[0].value.startswith(t("wh.unreadable", error="").strip())


def test_stale_data_banner(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCKPI_FRESHNESS_MAX_AGE_HOURS", "0")
    at = app("ministry")
    assert any(w.value.startswith("Data may be out of date") for w in at.warning)
    at = app("ministry", lang="ms")
    assert any(w.value.startswith("Data mungkin tidak terkini") for w in at.warning)


def test_no_stale_banner_on_fresh_data(app: Callable[..., AppTest]) -> None:
    at = app("ministry")
    assert not any("out of date" in w.value for w in at.warning)
    assert not at.error


def test_failed_last_run_banner(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, hand_warehouse: Path,
                                tmp_path: Path) -> None:
    folder = tmp_path / "warehouse"
    shutil.copytree(hand_warehouse.parent, folder, symlinks=True)
    with (folder / "etl_runs.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"run_id": "20990101T000000Z-dead", "started_at": "2026-01-01T00:00:00+00:00",
                             "finished_at": "2026-01-01T00:00:02+00:00", "status": "failed",
                             "message": "courses/courses.csv: line 1: expected header", "files_loaded": 0}) + "\n")
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(folder / "mckpi.duckdb"))
    at = app("revenue")
    assert not at.exception
    banner = at.error[0].value
    assert "courses/courses.csv: line 1: expected header" in banner and "2026-01-01 08:00" in banner  # MYT
    assert metric(at, t("money.net_revenue_rm")) == "RM 6,789.00"  # the last good warehouse still shows
    at.switch_page("views/freshness.py").run()
    runs = next(f.value for f in at.dataframe if "etl_run_id" in f.value.columns)
    assert list(runs["status"])[:2] == [t("run.failed"), t("run.succeeded")]


def test_demo_label(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch) -> None:
    assert t("demo.label") not in [w.value for w in app("overview").warning]
    # Issue 13: the data decides. MCKPI_DEMO does not label a real warehouse (the hand data) as demo; a generated
    # one is labelled on every page (tests/dashboard/test_auth.py::test_demo_mode_needs_no_sign_in).
    monkeypatch.setenv("MCKPI_DEMO", "1")
    for page in ("overview", "definitions"):
        assert t("demo.label") not in [w.value for w in app(page).warning]


def test_a_new_etl_run_shows_without_restart(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(HAND, landing)
    warehouse = build_warehouse(landing, tmp_path / "warehouse")
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(warehouse))
    at = app("overview")
    assert metric(at, get_kpi("enrolments").title("en")) == "19"

    # Three more learners in MC-APM-001's 2025 run arrive in a new delivery; the ETL publishes a new warehouse.
    (landing / "enrolments" / "enrolments_2025_late.csv").write_text(
        "run_id,learner_id,enrolled_at,unenrolled_at,learner_type,country_code,age_band,employment_status,gender\n"
        + "".join(f"MC-APM-001-2025-1,late-{i},2025-03-09 10:00:00,,external,MY,26-35,,\n" for i in range(3)),
        encoding="utf-8",
    )
    build_warehouse(landing, tmp_path / "warehouse")
    at.run()
    assert metric(at, get_kpi("enrolments").title("en")) == "22"


def test_every_run_goes_through_the_frame(app: Callable[..., AppTest]) -> None:
    """The pages live in views/ (not pages/, which would start Streamlit in its legacy multipage mode and run a
    page file without app.py): every run, a plain rerun too, has the frame's sidebar, filters and language."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"year": "2024"})
    sign_in(at)
    at.run()
    assert at.selectbox(key="f_year").value == 2024
    at.run()  # a plain rerun keeps the frame
    assert not at.exception
    assert at.sidebar.selectbox(key="f_year").value == 2024
    assert at.title[0].value == t("overview.title")
    at.segmented_control(key="lang").set_value("ms").run()
    assert at.title[0].value == t("overview.title", "ms")
    assert at.selectbox(key="f_year").value == 2024


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("empty_landing")
    return build_warehouse(landing, tmp_path_factory.mktemp("empty_warehouse"))


@pytest.mark.parametrize("page", PAGES)
def test_empty_warehouse_says_so_once(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                      empty_warehouse: Path, page: str) -> None:
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(empty_warehouse))
    at = app(page)
    assert not at.exception and not at.error
    infos = [i.value for i in at.info]
    if page in {"definitions", "freshness"}:
        assert t("wh.empty") not in infos
    else:
        assert infos == [t("wh.empty")]
