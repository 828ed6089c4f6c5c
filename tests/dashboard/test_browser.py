"""The running app in real Chromium (Debian's /usr/bin/chromium, driven by Playwright): every page in English and
Malay with a headline number checked against the KPI layer, a language switch by click, a filter through the URL,
a CSV download, and a full-page screenshot of each page in test-artifacts/screenshots/.

The server is `streamlit run dashboard/server.py` (which serves dashboard/app.py) on a free port, on a demo
warehouse (5,000 enrolments) built once.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apptest_helpers import PAGES
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from conftest import REPO
from playwright.sync_api import expect

from core.words import t
from dashboard import auth, ui
from read.kpi import KpiFilters, get_kpi, run_kpi
from read.warehouse import Warehouse

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
WIDTH = 1440
PHONE = 420
MENU_TITLES = {lang: {t(f"page.{p}", lang) for p in ("overview", "ministry", "revenue", "completion", "workload",
                                                     "insights", "pathways", "compare", "freshness", "definitions")}
               | {auth.text("audit.title", lang)} for lang in ("en", "ms")}
# Every text the menu ever shows, recorded from the first paint on (a MutationObserver set before any script).
MENU_RECORDER = """
window.__menu = new Set();
new MutationObserver(() => {
  document.querySelectorAll('[data-testid=stSidebarNav] [data-testid=stSidebarNavLink] span[label]').forEach(
    e => { if (e.textContent.trim()) window.__menu.add(e.textContent.trim()); });
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
# Metric values and labels whose text is wider than their box, and chart titles that leave their chart.
OVERFLOWS = """() => {
  const out = [];
  document.querySelectorAll('[data-testid=stMetricValue], [data-testid=stMetricLabel] p').forEach(e => {
    if (e.scrollWidth > e.clientWidth + 1) out.push(e.textContent);
  });
  document.querySelectorAll('[data-testid=stPlotlyChart]').forEach(chart => {
    const box = chart.getBoundingClientRect();
    chart.querySelectorAll('.gtitle').forEach(title => {
      const r = title.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1) out.push(title.textContent);
    });
  });
  return out;
}"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian chromium is not installed at /usr/bin/chromium (`make chromium` installs it)"),
]

PAGE_TITLES = {
    "overview": "overview.title", "ministry": "ministry.title", "revenue": "revenue.title",
    "completion": "completion.title", "workload": "workload.title", "compare": "compare.title",
    "insights": "insights.title", "pathways": "pathways.title",
    "freshness": "freshness.title", "definitions": "definitions.title",
}


@pytest.fixture(scope="module")
def audit_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's audit log: in the test's folder, never the repository's data/audit."""
    return tmp_path_factory.mktemp("audit") / "audit.jsonl"


@pytest.fixture(scope="module")
def server(demo_warehouse: Path, audit_log: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "MCKPI_PATHS_WAREHOUSE": str(demo_warehouse), "MCKPI_DEMO": "1",
           "MCKPI_PATHS_AUDIT": str(audit_log), "MCKPI_PATHS_USERS": str(audit_log.parent / "users.json")}
    with streamlit_server(env, tmp_path_factory.mktemp("streamlit") / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(chromium_browser: object) -> Iterator[object]:
    context = chromium_browser.new_context(viewport={"width": WIDTH, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="module")
def demo_wh(demo_warehouse: Path) -> Iterator[Warehouse]:
    wh = Warehouse(demo_warehouse)
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def year(demo_wh: Warehouse) -> int:
    """The default year of the sidebar: the latest with enrolments."""
    return int(run_kpi(demo_wh, "enrolments").df()["year"].max())


def settle(tab: object) -> None:
    """Wait until the script run is over, nothing on the page is stale, and every chart and table has drawn."""
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90_000)
    tab.wait_for_selector("h1", timeout=30_000)
    tab.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"]')
            && !document.querySelector('[data-stale="true"]')
            && document.querySelector('[data-testid="stApp"]').dataset.testScriptState === 'notRunning'
            && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(e => e.querySelector('.main-svg'))""",
        timeout=60_000,
    )


def open_page(tab: object, base: str, name: str, query: str = "") -> None:
    tab.goto(f"{base}/{name}{query}")  # /overview is the scorecard too (it sends the visitor to /)
    settle(tab)


def screenshot(tab: object, name: str) -> Path:
    """The whole page: the main area scrolls inside the window, so grow the window to its height first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = tab.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
        ".map(e => e.scrollHeight))")
    tab.set_viewport_size({"width": WIDTH, "height": min(int(height) + 40, 12_000)})
    settle(tab)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size({"width": WIDTH, "height": 1000})
    return path


def download_by_click(tab: object, button: object, tries: int = 3) -> object:
    """The file a click on a download button fetches. Under load a click was once seen to fetch nothing in 90 s
    (CI, 2 busy cores; the server logged no error and it never happened alone): a person clicks again, so the test
    does too, at most `tries` times, and says what the page showed each time it missed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    missed = []
    for attempt in range(1, tries + 1):
        try:
            with tab.expect_download(timeout=30_000) as info:
                button.click()
            return info.value
        except PlaywrightTimeout:
            errors = tab.get_by_test_id("stDownloadButtonError").all_inner_texts()
            missed.append(f"click {attempt}: no download in 30 s; button error: {errors or 'none'}")
            screenshot(tab, f"download-missed-{attempt}")
            settle(tab)
    pytest.fail("; ".join(missed))


def metric_value(tab: object, label: str) -> object:
    """The value of the metric card with this label (a locator: assertions on it wait)."""
    card = tab.get_by_test_id("stMetric").filter(has=tab.get_by_test_id("stMetricLabel").get_by_text(label,
                                                                                                      exact=True))
    return card.get_by_test_id("stMetricValue")


def test_a_fresh_servers_first_request_for_a_page_gets_the_whole_frame(server: str, tab: object,
                                                                       demo_wh: Warehouse) -> None:
    """The first request a new server process gets is for /revenue with filters in the URL (a shared link)."""
    open_page(tab, server, "revenue", "?year=2025&lang=ms&ptj=FBE")
    expect(tab.get_by_role("heading", name=t("revenue.title", "ms"), exact=True)).to_be_visible()
    expect(tab.get_by_text(t("filters.header", "ms"), exact=True)).to_be_visible()  # the sidebar of app.py
    net = run_kpi(demo_wh, "revenue", KpiFilters(year=2025, ptj_codes=("FBE",))).df()["net_revenue_rm"].sum()
    expect(metric_value(tab, t("money.net_revenue_rm", "ms"))).to_have_text(ui.fmt_card(net, "rm", "ms"))
    # The first click of that first session keeps the filters (the legacy pages/ mode is left before drawing).
    tab.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    tab.get_by_role("heading", name=t("revenue.title", "en"), exact=True).wait_for(timeout=30_000)
    settle(tab)
    assert "year=2025" in tab.url and "ptj=FBE" in tab.url and "lang" not in tab.url
    expect(metric_value(tab, t("money.net_revenue_rm", "en"))).to_have_text(ui.fmt_card(net, "rm", "en"))


def headline(demo_wh: Warehouse, name: str, lang: str, year: int) -> tuple[str, str] | None:
    """(metric label, value) that page `name` must show, from the KPI layer."""
    this_year = KpiFilters(year=year)
    if name in {"overview", "ministry"}:
        value = run_kpi(demo_wh, "learners", this_year).df()["learners"].sum()
        return get_kpi("learners").title(lang), ui.fmt_card(value, "count", lang)
    if name == "revenue":
        value = run_kpi(demo_wh, "revenue", this_year).df()["net_revenue_rm"].sum()
        return t("money.net_revenue_rm", lang), ui.fmt_card(value, "rm", lang)
    if name == "freshness":
        runs = run_kpi(demo_wh, "etl_history").df()
        return t("freshness.last_run", lang), t(f"run.{runs['status'].iloc[0]}", lang)
    return None


@pytest.mark.parametrize("lang", ["en", "ms"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page(server: str, tab: object, demo_wh: Warehouse, year: int, name: str, lang: str) -> None:
    open_page(tab, server, name, f"?lang={lang}")
    expect(tab.get_by_role("heading", name=t(PAGE_TITLES[name], lang), exact=True)).to_be_visible()
    expect(tab.get_by_text(t("demo.label", lang).split("**")[1], exact=False).first).to_be_visible()
    expect(tab.get_by_test_id("stException")).to_have_count(0)
    expect(tab.get_by_text("Page not found")).to_have_count(0)
    expected = headline(demo_wh, name, lang, year)
    if expected:
        expect(metric_value(tab, expected[0])).to_have_text(expected[1])
    assert tab.evaluate(OVERFLOWS) == []
    if name == "workload":
        load = run_kpi(demo_wh, "lecturer_workload", KpiFilters(year=year), by="staff").df()
        expect(tab.get_by_text(t("workload.overloaded_count", lang, n=int(load["is_overloaded"].sum()),
                                  hours="120"), exact=True)).to_be_visible()
    if name == "insights":  # the demo has step activity (no quiz or survey exports): the drop-off curve draws
        expect(tab.get_by_role("heading", name=t("insights.dropoff", lang), exact=True)).to_be_visible()
        expect(tab.get_by_test_id("stPlotlyChart").first).to_be_visible()
    if name == "pathways":  # the demo has programmes: the flow (a Sankey) and the programmes compared draw
        expect(tab.get_by_role("heading", name=t("pathways.compare", lang), exact=True)).to_be_visible()
        expect(tab.get_by_test_id("stPlotlyChart").first).to_be_visible()
    screenshot(tab, f"{name}-{lang}")


def test_switch_language_by_clicking(server: str, tab: object) -> None:
    open_page(tab, server, "overview")
    expect(tab.get_by_role("heading", name=t("overview.title", "en"), exact=True)).to_be_visible()
    tab.get_by_test_id("stSidebar").get_by_text("Bahasa Melayu", exact=True).click()
    tab.get_by_role("heading", name=t("overview.title", "ms"), exact=True).wait_for(timeout=30_000)
    settle(tab)
    expect(tab).to_have_url(re.compile(r"lang=ms"))
    expect(tab.get_by_text(t("filters.header", "ms"), exact=True)).to_be_visible()


def test_filter_through_the_url(server: str, tab: object, demo_wh: Warehouse) -> None:
    open_page(tab, server, "revenue", "?year=2024&ptj=FSKTM,FK&mctype=programme_based")
    filters = KpiFilters(year=2024, ptj_codes=("FSKTM", "FK"), mc_types=("programme_based",))
    fees = run_kpi(demo_wh, "revenue", filters).df()["gross_fees_rm"].sum()
    expect(metric_value(tab, t("money.gross_fees_rm"))).to_have_text(ui.fmt_card(fees, "rm", "en"))
    expect(tab.get_by_text(t("filters.active", items="2024 · PTj: FSKTM, FK · "
                                                  "Programme-based (credit-bearing)"), exact=True)).to_be_visible()
    screenshot(tab, "revenue-filtered-en")


def test_download_a_csv(server: str, tab: object, demo_wh: Warehouse, year: int, audit_log: Path) -> None:
    open_page(tab, server, "revenue")
    tab.get_by_test_id("stExpander").first.get_by_text(t("show_data"), exact=True).click()
    button = tab.get_by_role("button", name=t("download.csv")).first
    expect(button).to_be_enabled()
    settle(tab)
    download = download_by_click(tab, button)
    # Named with the page, the table, the filters and the day (Malaysia time).
    today = datetime.now(ZoneInfo("Asia/Kuala_Lumpur")).date().isoformat()
    assert download.suggested_filename == f"mckpi_revenue_by-ptj_{year}_{today}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    by_ptj = run_kpi(demo_wh, "revenue", KpiFilters(year=year), by="ptj").df()
    assert {r["Code"]: float(r["Net revenue (RM)"]) for r in rows} == {
        k: float(v) for k, v in zip(by_ptj["group_key"], by_ptj["net_revenue_rm"], strict=True)}
    # The download is in the audit log: who (the demo user), which page, KPI, format and filters.
    events = [json.loads(line) for line in audit_log.read_text().splitlines()]
    assert {k: events[-1][k] for k in ("event", "user", "page", "kpi", "name", "format", "filters")} == {
        "event": "download", "user": "demo", "page": "revenue", "kpi": "revenue", "name": "revenue-by-ptj",
        "format": "csv", "filters": {"year": year}}


def test_all_years_is_named_in_the_year_box(server: str, tab: object, demo_wh: Warehouse) -> None:
    open_page(tab, server, "revenue", "?year=all&lang=ms")
    year_box = tab.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    shown = year_box.inner_text() + " ".join(year_box.locator("input").evaluate_all("els => els.map(e => e.value)"))
    assert t("filters.all_years", "ms") in shown
    net = run_kpi(demo_wh, "revenue").df()["net_revenue_rm"].sum()
    expect(metric_value(tab, t("money.net_revenue_rm", "ms"))).to_have_text(ui.fmt_card(net, "rm", "ms"))


@pytest.mark.parametrize("lang", ["en", "ms"])
def test_every_page_on_a_phone(server: str, chromium_browser: object, lang: str) -> None:
    """420 px wide: every page opens without an error or "Page not found", and no card value, card label or chart
    title is wider than its box."""
    context = chromium_browser.new_context(viewport={"width": PHONE, "height": 900})
    tab = context.new_page()
    try:
        for name in PAGES:
            open_page(tab, server, name, f"?lang={lang}")
            expect(tab.get_by_role("heading", name=t(PAGE_TITLES[name], lang), exact=True)).to_be_visible()
            expect(tab.get_by_test_id("stException")).to_have_count(0)
            expect(tab.get_by_text("Page not found")).to_have_count(0)
            assert tab.evaluate(OVERFLOWS) == [], name
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ms"])
def test_the_menu_shows_page_titles_from_the_first_paint(server: str, chromium_browser: object, lang: str) -> None:
    """Every menu text ever drawn (recorded from before the first paint) is a page title, never a file name, and
    /overview (the page's name as a path) opens the scorecard, not "Page not found"."""
    context = chromium_browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.add_init_script(MENU_RECORDER)
    tab = context.new_page()
    try:
        open_page(tab, server, "overview", f"?lang={lang}")  # /overview, not /
        expect(tab.get_by_role("heading", name=t("overview.title", lang), exact=True)).to_be_visible()
        expect(tab.get_by_text("Page not found")).to_have_count(0)
        seen = set(tab.evaluate("() => [...window.__menu]"))
        assert seen and seen <= MENU_TITLES[lang], seen - MENU_TITLES[lang]
    finally:
        context.close()
