"""Fixtures for the dashboard tests: warehouses built once per session by the real ETL, and an AppTest helper.

- `hand_warehouse`: the hand-built landing folder (tests/fixtures/hand/), small enough to know every figure.
- `demo_warehouse`: the demo generator with 5,000 enrolments (browser test; numbers large enough to read).
The app finds its warehouse through MCKPI_PATHS_WAREHOUSE, which etl.config.load_settings honours.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from dashboard.warehouse import Warehouse
from etl.config import load_settings

# tests/ is not a package and pytest may import test files in importlib mode: make apptest_helpers importable.
sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"
HAND = REPO / "tests" / "fixtures" / "hand"
DEMO_ENROLMENTS = 5_000
DEMO_SEED = 7


def build_warehouse(landing: Path, folder: Path) -> Path:
    from etl.load import run_etl

    warehouse = folder / "mckpi.duckdb"
    settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
    run_etl(settings, landing=landing, warehouse=warehouse)
    return warehouse


@pytest.fixture(scope="session")
def hand_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(HAND, tmp_path_factory.mktemp("dashboard_hand"))


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from etl.demo import generate

    landing = tmp_path_factory.mktemp("dashboard_demo_landing")
    generate(landing, DEMO_ENROLMENTS, DEMO_SEED)
    return build_warehouse(landing, tmp_path_factory.mktemp("dashboard_demo"))


@pytest.fixture(scope="session")
def hand_wh(hand_warehouse: Path) -> Iterator[Warehouse]:
    wh = Warehouse(hand_warehouse)
    yield wh
    wh.close()


ORIGINAL_PAGES_MANAGER_INIT = PagesManager.__init__


@pytest.fixture(autouse=True)
def _navigation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets Streamlit's legacy pages/ mode before every run; because our pages live in dashboard/pages/,
    each rerun would then run the page file alone (see ui.require_frame). Keep the st.navigation mode, as a real
    server does after its first run. test_app.py covers the guard itself without this patch."""
    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        ORIGINAL_PAGES_MANAGER_INIT(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, hand_warehouse: Path) -> Callable[..., AppTest]:
    """open_page(page, **query_params) -> AppTest on that page, after a first run with those URL parameters."""
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(hand_warehouse))
    monkeypatch.delenv("MCKPI_DEMO", raising=False)

    def open_page(page: str = "overview", **params: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params.update(params)
        at.run()
        if page != "overview":
            at.switch_page(f"pages/{page}.py").run()
        return at

    return open_page
