"""Every page through AppTest on the hand-built warehouse: no exception, and the numbers shown are the KPI layer's.

Expected values come from `run_kpi` on the same warehouse (the figures themselves are checked by hand in
tests/queries/test_kpi_hand.py); here we check that each page asks for the right KPI with the right filters and
shows the answer formatted, in English and in Malay, with filters taken from the URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import pytest
from apptest_helpers import PAGES, metric, texts
from streamlit.testing.v1 import AppTest

from core.words import t
from dashboard import ui
from read.kpi import KpiFilters, get_kpi, list_kpis, run_kpi
from read.warehouse import Warehouse

YEAR = 2025  # the hand fixture's latest year with data: the default year
PAGE_TITLES = {
    "overview": "overview.title",
    "ministry": "ministry.title",
    "revenue": "revenue.title",
    "completion": "completion.title",
    "workload": "workload.title",
    "compare": "compare.title",
    "insights": "insights.title",
    "pathways": "pathways.title",
    "freshness": "freshness.title",
    "definitions": "definitions.title",
}


def kpi_total(wh: Warehouse, kpi_id: str, column: str, **filters: object) -> float:
    df = run_kpi(wh, kpi_id, KpiFilters(**filters)).df()
    return float(pd.to_numeric(df[column]).sum())


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first data table on the page that has this (raw) column."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with {column!r}: {[list(f.value.columns) for f in at.dataframe]}")


def no_problems(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    failed = [w.value for w in at.warning if "could not be computed" in w.value or "tidak dapat dikira" in w.value]
    assert not failed, failed
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["en", "ms"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(app: Callable[..., AppTest], page: str, lang: str) -> None:
    at = app(page, lang=lang)
    no_problems(at)
    assert at.title[0].value == t(PAGE_TITLES[page], lang)
    assert at.session_state["lang"] == lang


@pytest.mark.parametrize("lang", ["en", "ms"])
def test_overview_cards_show_the_kpi_values_and_targets(app: Callable[..., AppTest], hand_wh: Warehouse,
                                                        lang: str) -> None:
    at = app("overview", lang=lang)
    no_problems(at)
    expected = {
        "courses_offered": ui.fmt_count(kpi_total(hand_wh, "courses_offered", "courses_offered", year=YEAR)),
        "enrolments": ui.fmt_count(kpi_total(hand_wh, "enrolments", "enrolments", year=YEAR)),
        "learners": ui.fmt_count(kpi_total(hand_wh, "learners", "learners", year=YEAR)),
        "completions": ui.fmt_count(kpi_total(hand_wh, "completions", "completions", year=YEAR)),
        # Issued (11) and FutureLearn statements bought (2): the card counts both (issue 15).
        "certificates": ui.fmt_count(kpi_total(hand_wh, "certificates", "certificates_total", year=YEAR)),
    }
    for kpi_id, value in expected.items():
        assert metric(at, get_kpi(kpi_id).title(lang)) == value
    assert metric(at, t("kpi.net_revenue", lang)) == ui.fmt_card(
        kpi_total(hand_wh, "revenue", "net_revenue_rm", year=YEAR), "rm", lang)
    # The hand fixture: 19 enrolments in 2025 against a target of 40 (tests/queries/test_kpi_hand.py).
    assert metric(at, get_kpi("enrolments").title(lang)) == "19"
    assert t("overview.target_line", lang, target="40", pct="47.5%") in texts(at)
    # A card's definition is one hover away.
    card = next(m for m in at.metric if m.label == get_kpi("enrolments").title(lang))
    assert card.help == get_kpi("enrolments").definition(lang)


def test_overview_status_badges_follow_target_progress(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("overview")
    progress = run_kpi(hand_wh, "target_progress", KpiFilters(year=YEAR)).df()
    statuses = progress[progress["scope"].eq("university") & progress["status"].notna()]["status"]
    markdown = texts(at)  # st.badge is markdown
    for status in set(statuses):
        assert t(f"status.{status}") in markdown


def test_overview_with_one_ptj_uses_that_ptjs_figures(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("overview", year="2025", ptj="FBE", lang="ms")
    no_problems(at)
    assert metric(at, get_kpi("enrolments").title("ms")) == ui.fmt_count(
        kpi_total(hand_wh, "enrolments", "enrolments", year=2025, ptj_codes=("FBE",)))
    assert metric(at, t("kpi.net_revenue", "ms")) == ui.fmt_rm(
        kpi_total(hand_wh, "revenue", "net_revenue_rm", year=2025, ptj_codes=("FBE",)))
    # FBE's own 2025 revenue target (RM 5,000.00) is on the card, not the university's.
    assert "RM 5,000.00" in texts(at)


def test_ministry_cards_and_year_breakdown(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("ministry", year="2024")
    no_problems(at)
    assert metric(at, get_kpi("learners").title("en")) == ui.fmt_count(
        kpi_total(hand_wh, "learners", "learners", year=2024))
    assert metric(at, get_kpi("certificates").title("en")) == ui.fmt_count(
        kpi_total(hand_wh, "certificates", "certificates", year=2024))
    courses = table_with(at, "mooc_courses")
    assert sorted(courses["year"]) == [2024, 2025]  # "by year" shows every year


def test_revenue_cards_and_table_with_a_ptj_filter(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("revenue", ptj="FBE")
    no_problems(at)
    fbe = run_kpi(hand_wh, "revenue", KpiFilters(year=YEAR, ptj_codes=("FBE",))).df()
    for measure in ("gross_fees_rm", "certificate_income_rm", "refunds_rm", "net_revenue_rm"):
        assert metric(at, t(f"money.{measure}")) == ui.fmt_rm(fbe[measure].sum())
    assert metric(at, t("money.net_revenue_rm")) == "RM 4,300.00"
    by_course = run_kpi(hand_wh, "revenue", KpiFilters(year=YEAR, ptj_codes=("FBE",)), by="course").df()
    table = table_with(at, "course_code")
    shown = dict(zip(table["course_code"], table["net_revenue_rm"], strict=True))
    assert shown == {k: float(v) for k, v in zip(by_course["group_key"], by_course["net_revenue_rm"], strict=True)}
    assert set(table["ptj_code"]) == {"FBE"}


def test_completion_without_step_data_says_so(app: Callable[..., AppTest]) -> None:
    at = app("completion", course="MC-FBE-001", year="2024")
    no_problems(at)
    assert t("completion.no_steps", name="Islamic Finance Essentials") in [i.value for i in at.info]


def test_completion_funnel_and_rates(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("completion", course="MC-FSKTM-001", lang="ms")
    no_problems(at)
    assert not [i.value for i in at.info if "langkah" in i.value and "tiada data" in i.value]
    assert at.selectbox(key="p_course").value == "MC-FSKTM-001"
    rates = run_kpi(hand_wh, "completion_rate", KpiFilters(year=YEAR), by="course").display_df("ms")
    table = table_with(at, "completion_rate_pct")
    assert list(table["course_code"]) == list(rates["group_key"])
    assert list(table["enrolments"].astype(str)) == [str(v) for v in rates["enrolments"]]


def test_workload_table_is_the_kpi(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("workload")
    no_problems(at)
    expected = run_kpi(hand_wh, "lecturer_workload", KpiFilters(year=YEAR), by="staff").df()
    table = table_with(at, "weighted_hours")
    assert sorted(zip(table["staff_name"], table["term"], table["weighted_hours"], strict=True)) == sorted(
        zip(expected["staff_name"], expected["term"], expected["weighted_hours"].astype(float), strict=True))
    overloaded = int(expected["is_overloaded"].sum())
    assert t("workload.overloaded_count", n=overloaded, hours="120") in [w.value for w in at.warning]


def test_compare_side_by_side(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("compare", courses="MC-FBE-002,MC-APM-001")
    no_problems(at)
    side = table_with(at, "measure")
    revenue = run_kpi(hand_wh, "revenue", KpiFilters(year=YEAR, course_codes=("MC-FBE-002", "MC-APM-001")),
                      by="course").df().set_index("group_key")
    net = side[side["measure"] == t("col.net_revenue_rm")].iloc[0]
    assert net["Digital Marketing for SMEs"] == ui.fmt_rm(revenue.loc["MC-FBE-002", "net_revenue_rm"])
    assert net["Malay for the Workplace"] == ui.fmt_rm(revenue.loc["MC-APM-001", "net_revenue_rm"])


def test_compare_needs_two_courses(app: Callable[..., AppTest]) -> None:
    at = app("compare", courses="MC-FBE-002")
    no_problems(at)
    assert t("compare.need_two") in [i.value for i in at.info]


def test_freshness_shows_the_published_run(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("freshness")
    no_problems(at)
    run_id = hand_wh.etl_run_id()
    assert f"{t('freshness.run_id')}: {run_id}" in texts(at)
    runs = table_with(at, "etl_run_id")
    assert runs["etl_run_id"].iloc[0] == run_id
    quarantine = table_with(at, "reason")
    assert quarantine["rows_quarantined"].sum() == 2  # the fixture's two bad rows


def test_definitions_list_every_kpi_in_malay(app: Callable[..., AppTest]) -> None:
    at = app("definitions", lang="ms")
    no_problems(at)
    shown = texts(at)
    for spec in list_kpis():
        assert f"#### {spec.title_ms}" in shown
        assert spec.definition_ms in shown
    assert t("definitions.sources", "ms") in [e.label for e in at.expander]
    assert t("definitions.sources.note", "ms") in shown


def test_definitions_show_each_kpis_source_tables(app: Callable[..., AppTest]) -> None:
    """The model docs beside the SQL: a KPI's source tables, described, with the columns its SQL uses."""
    at = app("definitions")
    no_problems(at)
    labels = [e.label for e in at.expander]
    # Every KPI but the two that read the operational tables (etl_runs, quarantine: no model docs).
    with_models = [s.id for s in list_kpis() if s.id not in {"etl_history", "quarantine_summary"}]
    assert labels.count(t("definitions.sources")) == len(with_models)
    shown = texts(at)
    enrolment = "**`fct_enrolment`**: One row per learner per course run: FutureLearn learners"
    assert enrolment in shown
    assert "- `is_completed`: outcome is completed or passed, or the learner fully participated." in shown
    assert "- `learner_key`: The learner's pseudonym" in shown  # from the shared glossary


def test_unknown_url_values_are_ignored_with_a_notice(app: Callable[..., AppTest]) -> None:
    at = app("overview", year="1999", ptj="FBE,NOPE", mqa="9", lang="xx", mode="blended")
    no_problems(at)
    notice = next(i.value for i in at.info if "ptj=NOPE" in i.value)
    for item in ("year=1999", "mqa=9", "lang=xx"):
        assert item in notice
    at.switch_page("views/revenue.py").run()
    no_problems(at)
    assert not [i.value for i in at.info if "ptj=NOPE" in i.value]  # said once, not on every page
    assert at.selectbox(key="f_year").value == YEAR
    assert at.multiselect(key="f_ptj").value == ["FBE"]
    assert at.multiselect(key="f_mode").value == ["blended"]
    assert at.query_params.get("ptj") == "FBE"  # the URL now holds what is applied


def test_filters_survive_a_language_switch_and_page_change(app: Callable[..., AppTest],
                                                           hand_wh: Warehouse) -> None:
    at = app("overview", year="2024")
    at.segmented_control(key="lang").set_value("ms").run()
    no_problems(at)
    assert at.query_params.get("lang") == "ms" and at.query_params.get("year") == "2024"
    assert metric(at, get_kpi("enrolments").title("ms")) == "10"
    at.switch_page("views/revenue.py").run()
    assert at.selectbox(key="f_year").value == 2024
    assert metric(at, t("money.net_revenue_rm", "ms")) == ui.fmt_rm(
        kpi_total(hand_wh, "revenue", "net_revenue_rm", year=2024))


def test_all_years(app: Callable[..., AppTest], hand_wh: Warehouse) -> None:
    at = app("revenue", year="all")
    no_problems(at)
    assert at.selectbox(key="f_year").value == "all"
    assert metric(at, t("money.net_revenue_rm")) == ui.fmt_rm(kpi_total(hand_wh, "revenue", "net_revenue_rm"))
    assert t("revenue.yoy_needs_year") in [i.value for i in at.info]


def test_filter_with_no_rows_shows_the_empty_state(app: Callable[..., AppTest]) -> None:
    at = app("revenue", ptj="APM", platform="futurelearn")  # APM has no FutureLearn course
    no_problems(at)
    assert f"{t('empty')} {t('empty.hint')}" in [i.value for i in at.info]


def test_revenue_with_one_ptj_ranks_its_courses(app: Callable[..., AppTest]) -> None:
    """A dean's view (one PTj): the first chart ranks the PTj's courses, not one PTj bar (issue 15)."""
    at = app("revenue", year=str(YEAR), ptj="FBE")
    no_problems(at)
    assert at.get("plotly_chart")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(t("revenue.net_by_course", ptj="FBE").split(":")[0] in title for title in titles), titles
