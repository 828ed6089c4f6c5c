"""Fixtures for the dashboard tests: warehouses built once per session by the real ETL, and an AppTest helper.

- `hand_warehouse`: the hand-built landing folder (tests/fixtures/hand/), small enough to know every figure.
- `demo_warehouse`: the demo generator with 5,000 enrolments (browser test; numbers large enough to read).
The app finds its warehouse through MCKPI_PATHS_WAREHOUSE, which core.config.load_settings honours.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import load_settings
from read.warehouse import Warehouse

# Every new AppTest scans the metadata of every installed package for Streamlit components (0.85 s each here,
# ~1,000 AppTests in the suite); the installed packages do not change during a test run, so scan once.
with contextlib.suppress(ImportError):
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

# No background cache warming (dashboard/warm.py) in the app under test, nor in the servers the browser tests start:
# pages compute what they show, as the assertions expect. tests/dashboard/test_warm.py switches it on.
os.environ.setdefault("MCKPI_DASHBOARD_WARM", "0")

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


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A users file with one account per role (apptest_helpers.TEST_USERS), cheap bcrypt cost for speed."""
    from apptest_helpers import TEST_PASSWORD, TEST_USERS

    from dashboard.auth import UserStore

    path = tmp_path_factory.mktemp("dashboard_users") / "users.json"
    store = UserStore(path)
    for name, spec in TEST_USERS.items():
        store.add(name, TEST_PASSWORD, spec["role"], ptj_codes=spec.get("ptj_codes", ()),
                  staff_id=spec.get("staff_id"), rounds=4)
    return path


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, hand_warehouse: Path, users_file: Path,
        tmp_path: Path) -> Callable[..., AppTest]:
    """open_page(page, user="tester", **query_params) -> AppTest on that page, signed in as `user` (management by
    default; None = not signed in), after a first run with those URL parameters and a second with every "show data"
    expander open (tables=False: the first run only, for what it alone says, e.g. a one-time notice). The hand warehouse is real data,
    so the app asks for a sign-in: local accounts from `users_file`, audit log and lockouts in tmp_path."""
    from apptest_helpers import open_data_tables, sign_in

    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(hand_warehouse))
    monkeypatch.delenv("MCKPI_DEMO", raising=False)
    users = tmp_path / "users" / "users.json"
    users.parent.mkdir()
    users.write_bytes(users_file.read_bytes())
    monkeypatch.setenv("MCKPI_PATHS_USERS", str(users))
    monkeypatch.setenv("MCKPI_PATHS_AUDIT", str(tmp_path / "audit" / "audit.jsonl"))
    monkeypatch.setenv("MCKPI_LOGIN_FAILURE_DELAY_S", "0")

    def open_page(page: str = "overview", user: str | None = "tester", *, tables: bool = True,
                  **params: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params.update(params)
        if user:
            sign_in(at, user)
        at.run()
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        # Every data table opened (they are drawn only when opened), unless the test reads the first run alone.
        return open_data_tables(at) if tables else at

    return open_page


# Browser assertions wait (Playwright `expect` retries until it holds): 30 s, not 5, so that a machine whose
# two cores are busy with other work still passes; a real failure still fails.
with contextlib.suppress(ImportError):
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
