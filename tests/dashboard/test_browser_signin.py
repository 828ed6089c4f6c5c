"""Signing in through the real form in Chromium, on a warehouse of real (non-demo) data with local accounts:
nothing but the sign-in before it, a wrong password refused, and a dean who follows a link naming another PTj
lands on the page of the link with their own PTj's figures only."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from playwright.sync_api import expect

from core.words import t
from dashboard import ui
from dashboard.auth import UserStore, text
from read.kpi import KpiFilters, run_kpi
from read.warehouse import Warehouse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"),
]
PASSWORD = "dean-password-123"


@pytest.fixture(scope="module")
def signin_server(hand_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("signin")
    UserStore(folder / "users.json").add("dean", PASSWORD, "ptj", ptj_codes=("FSKTM",), rounds=4)
    env = {**os.environ, "MCKPI_PATHS_WAREHOUSE": str(hand_warehouse), "MCKPI_PATHS_USERS": str(folder / "users.json"),
           "MCKPI_PATHS_AUDIT": str(folder / "audit.jsonl"), "MCKPI_LOGIN_FAILURE_DELAY_S": "0"}
    env.pop("MCKPI_DEMO", None)
    with streamlit_server(env, folder / "server.log") as base:
        yield base, folder / "audit.jsonl"


def _ready(tab) -> None:
    """The script run is over and nothing on the page is stale (asserting before that reads the old page)."""
    tab.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
            && !document.querySelector('[data-stale="true"]')""",
        timeout=90_000,
    )


def _sign_in(tab, password: str) -> None:
    tab.locator("input[type=text]").first.fill("dean")
    tab.locator("input[type=password]").fill(password)
    tab.get_by_role("button", name=text("sign_in"), exact=True).click()


def test_dean_signs_in_and_sees_only_their_ptj(signin_server, hand_warehouse: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, audit_log = signin_server
    wh = Warehouse(hand_warehouse)
    own = run_kpi(wh, "revenue", KpiFilters(year=2025, ptj_codes=("FSKTM",))).df()["net_revenue_rm"].sum()
    everyone = run_kpi(wh, "revenue", KpiFilters(year=2025)).df()["net_revenue_rm"].sum()
    wh.close()
    assert own != everyone  # else the check below could not tell a leak
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(f"{base}/revenue?year=2025&ptj=FBE")
        _ready(tab)
        # Before sign-in: the form and a notice, no menu of pages, no figure.
        expect(tab.get_by_text(text("please"), exact=True)).to_be_visible()
        expect(tab.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(tab.get_by_test_id("stMetric")).to_have_count(0)
        _sign_in(tab, "not-the-password")
        expect(tab.get_by_text(text("invalid"), exact=True)).to_be_visible(timeout=30_000)
        _ready(tab)
        expect(tab.get_by_test_id("stMetric")).to_have_count(0)
        _sign_in(tab, PASSWORD)
        expect(tab.get_by_role("heading", name=t("revenue.title"), exact=True)).to_be_visible(timeout=30_000)
        _ready(tab)
        expect(tab).to_have_url(re.compile(r"year=2025"))
        card = tab.get_by_test_id("stMetric").filter(
            has=tab.get_by_test_id("stMetricLabel").get_by_text(t("money.net_revenue_rm"), exact=True))
        expect(card.get_by_test_id("stMetricValue")).to_have_text(ui.fmt_rm(own), timeout=30_000)
        menu = tab.get_by_test_id("stSidebarNav")
        expect(menu).to_contain_text(t("page.revenue"))
        expect(menu).not_to_contain_text(t("page.freshness"))
        browser.close()
    events = [json.loads(line)["event"] for line in audit_log.read_text().splitlines()]
    assert events[:2] == ["login_failed", "login"]


def test_sign_in_on_a_phone_is_in_view_without_opening_the_sidebar(signin_server) -> None:
    """At 420 px the sidebar starts collapsed: the form is on the page, so a phone user sees it and can sign in."""
    from playwright.sync_api import sync_playwright

    base, _ = signin_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 420, "height": 900})
        tab.goto(f"{base}/revenue?year=2025")
        _ready(tab)
        button = tab.get_by_role("button", name=text("sign_in"), exact=True)
        expect(button).to_be_in_viewport()
        _sign_in(tab, PASSWORD)
        expect(tab.get_by_role("heading", name=t("revenue.title"), exact=True)).to_be_visible(timeout=30_000)
        browser.close()
