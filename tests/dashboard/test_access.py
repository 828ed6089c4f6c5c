"""Roles and the query-layer guard (read/access.py) against the hand warehouse: a PTj user gets only their
PTj's figures whatever the filters ask, a viewer only university-level ministry KPIs, a lecturer their own
workload row; hostile filter values change nothing; small counts stay hidden in every role; downloads escape
formulas; the audit log is bounded JSON lines."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from core.config import load_settings
from read import audit
from read import cells as export
from read.access import (
    LECTURER,
    MANAGEMENT,
    PTJ,
    ROLES,
    VIEWER,
    AccessDenied,
    Identity,
    UserScope,
    allowed_pages,
    enforce,
    may_download_report,
    run_scoped,
    scope_for,
    scope_from_key,
    scope_key,
)
from read.kpi import AccessScope, KpiError, KpiFilters, get_kpi, list_kpis, run_kpi

MGMT = scope_for(Identity("boss", MANAGEMENT))
DEAN = scope_for(Identity("dean", PTJ, ptj_codes=("FSKTM",)))
LECT = scope_for(Identity("lect", LECTURER, staff_id="S02"))
VIEW = scope_for(Identity("guest", VIEWER))
SETTINGS = load_settings()

HOSTILE = [
    "FBE' OR '1'='1",
    "'; drop table fct_payment; --",
    "FSKTM\x00FBE",
    "\u202eJTKSF",  # right-to-left override
    "\u200fFBE\u200e",  # RTL / LTR marks
    "ＦＢＥ",  # full-width letters
    "Fakulti 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 中文",
    "x" * 10_000,
    "=HYPERLINK(\"http://evil\")",
    "",
]


def _codes(result, column: str) -> set[str]:
    return {str(v) for v in result.df()[column].dropna()} if column in result.table.column_names else set()


# --- the role model ------------------------------------------------------------------------------------------


def test_scopes_per_role() -> None:
    assert MGMT.allowed_ptj_codes is None
    assert DEAN.allowed_ptj_codes == ("FSKTM",)
    assert VIEW.allowed_ptj_codes == () and LECT.allowed_ptj_codes == ()
    assert LECT.staff_id == "S02" and DEAN.staff_id is None
    # no identity, or a role nobody defined: a scope that sees nothing and runs nothing
    for nobody in (None, Identity("x", "superuser")):
        scope = scope_for(nobody)
        assert scope.allowed_ptj_codes == ()
        with pytest.raises(AccessDenied):
            enforce(scope, get_kpi("enrolments"))
    assert scope_from_key(scope_key(DEAN)) == UserScope("ptj", ("FSKTM",), None)
    assert len({scope_key(s) for s in (MGMT, DEAN, LECT, VIEW)}) == 4  # the cache never mixes scopes


def test_pages_per_role() -> None:
    assert {"revenue", "workload", "insights", "compare", "freshness", "audit"} <= allowed_pages(MANAGEMENT)
    assert allowed_pages(VIEWER) == {"overview", "ministry", "definitions"}
    assert allowed_pages(LECTURER) == {"overview", "ministry", "workload", "insights", "definitions"}
    assert "revenue" in allowed_pages(PTJ) and "freshness" not in allowed_pages(PTJ)
    assert "audit" not in allowed_pages(PTJ)
    assert allowed_pages("root") == set() and allowed_pages(None) == set()
    assert may_download_report(MGMT) and may_download_report(DEAN)
    assert not may_download_report(VIEW) and not may_download_report(LECT) and not may_download_report(None)


# --- the guard -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kpi_id", ["revenue", "revenue_yoy", "revenue_per_learner", "workload_by_ptj",
                                    "orphaned_courses", "etl_history", "quarantine_summary"])
def test_viewer_refused_revenue_workload_and_operations(kpi_id: str) -> None:
    spec = get_kpi(kpi_id)
    for by in spec.grain:
        with pytest.raises(AccessDenied, match="not permitted"):
            enforce(VIEW, spec, by)


def test_viewer_only_university_level_without_ptj_or_course_filters() -> None:
    spec = get_kpi("enrolments")
    assert enforce(VIEW, spec, "university").query_scope.allowed_ptj_codes is None
    for by in ("ptj", "course", "course_run"):
        with pytest.raises(AccessDenied):
            enforce(VIEW, spec, by)
    for filters in (KpiFilters(ptj_codes=("FBE",)), KpiFilters(course_codes=("MC-FBE-001",))):
        with pytest.raises(AccessDenied):
            enforce(VIEW, spec, "university", filters)
    with pytest.raises(AccessDenied):
        enforce(VIEW, get_kpi("lecturer_workload"), "staff")


def test_unclassified_kpi_is_refused_to_all_but_management() -> None:
    spec = replace(get_kpi("enrolments"), id="brand_new_kpi")
    assert enforce(MGMT, spec, "ptj").query_scope.allowed_ptj_codes is None
    for scope in (DEAN, LECT, VIEW):
        with pytest.raises(AccessDenied, match="not classified"):
            enforce(scope, spec, "university")
    with pytest.raises(AccessDenied):
        enforce(None, spec, "university")


def test_every_kpi_every_grain_every_role_stays_in_scope(hand_wh) -> None:
    """The sweep: whatever KPI and breakdown a role asks for, it is refused or shows only what that role may see."""
    allowed_ptj = {"ptj": {"FSKTM"}}
    for spec in list_kpis():
        for by in spec.grain:
            for scope in (DEAN, LECT, VIEW):
                try:
                    result = run_scoped(hand_wh, spec.id, KpiFilters(), by=by, scope=scope, settings=SETTINGS)
                except AccessDenied:
                    continue
                if scope.role in (VIEWER, LECTURER) and spec.id != "lecturer_workload":
                    assert by == "university", (spec.id, by, scope.role)
                    assert spec.id not in {"revenue", "revenue_yoy", "revenue_per_learner"}
                if scope.role == LECTURER and spec.id == "lecturer_workload":
                    assert _codes(result, "staff_id") <= {"S02"}
                if scope.role == PTJ and by != "university":
                    ptjs = _codes(result, "ptj_code") | (_codes(result, "group_key") if by == "ptj" else set())
                    assert ptjs <= allowed_ptj["ptj"], (spec.id, by, ptjs)
                if spec.id == "target_progress":
                    rows = result.df()
                    own = rows["scope"].eq("university") | rows["ptj_code"].isin(["FSKTM"] if scope.role == PTJ else [])
                    assert own.all(), (scope.role, rows)
                    if scope.role != PTJ:
                        assert "net_revenue" not in set(rows["kpi_id"])


def test_dean_sees_only_their_ptj(hand_wh) -> None:
    everyone = run_kpi(hand_wh, "revenue", by="ptj", settings=SETTINGS).df()
    assert {"FBE", "APM", "FSKTM"} <= set(everyone["group_key"])
    mine = run_scoped(hand_wh, "revenue", by="ptj", scope=DEAN, settings=SETTINGS).df()
    assert set(mine["group_key"]) == {"FSKTM"}
    # the dean's revenue "total" is FSKTM's, not the university's
    total = run_scoped(hand_wh, "revenue", KpiFilters(year=2025), scope=DEAN, settings=SETTINGS).df()
    fsktm = everyone[(everyone["group_key"] == "FSKTM") & (everyone["year"] == 2025)]
    assert total["net_revenue_rm"].sum() == fsktm["net_revenue_rm"].sum()
    # per course: only FSKTM's courses
    courses = run_scoped(hand_wh, "enrolments", by="course", scope=DEAN, settings=SETTINGS).df()
    assert set(courses["group_key"]) == {"MC-FSKTM-001", "MOOC-FSKTM-002"}


@pytest.mark.parametrize("kpi_id,by", [("revenue", "university"), ("revenue", "ptj"), ("revenue", "course"),
                                       ("enrolments", "ptj"), ("enrolments", "university"),
                                       ("lecturer_workload", "staff"), ("workload_by_ptj", "ptj"),
                                       ("target_progress", "university")])
def test_dean_asking_for_another_ptj_gets_nothing(hand_wh, kpi_id: str, by: str) -> None:
    for codes in (("FBE",), ("FSKTM", "FBE"), ("fbe",), ("FBE ",)):
        with pytest.raises(AccessDenied, match="outside your access"):
            run_scoped(hand_wh, kpi_id, KpiFilters(ptj_codes=codes), by=by, scope=DEAN, settings=SETTINGS)


def test_dean_course_filter_on_another_ptjs_course_gives_nothing(hand_wh) -> None:
    for by in ("university", "course"):
        result = run_scoped(hand_wh, "enrolments", KpiFilters(course_codes=("MC-FBE-001",)), by=by, scope=DEAN,
                            settings=SETTINGS)
        assert result.table.num_rows == 0 or result.df()["enrolments"].fillna(0).sum() == 0


def test_dean_and_viewer_see_the_university_ministry_total(hand_wh) -> None:
    whole = run_kpi(hand_wh, "courses_offered", KpiFilters(year=2025), settings=SETTINGS).df()
    for scope in (DEAN, VIEW, LECT):
        seen = run_scoped(hand_wh, "courses_offered", KpiFilters(year=2025), scope=scope, settings=SETTINGS).df()
        assert seen["courses_offered"].tolist() == whole["courses_offered"].tolist()


def test_lecturer_sees_only_their_own_workload(hand_wh) -> None:
    rows = run_scoped(hand_wh, "lecturer_workload", scope=LECT, settings=SETTINGS).df()
    assert set(rows["staff_id"]) == {"S02"} and len(rows) >= 1
    no_staff = UserScope(LECTURER, (), staff_id=None, user="x")
    with pytest.raises(AccessDenied):
        run_scoped(hand_wh, "lecturer_workload", scope=no_staff, settings=SETTINGS)
    for kpi_id in ("workload_by_ptj", "orphaned_courses", "revenue"):
        with pytest.raises(AccessDenied):
            run_scoped(hand_wh, kpi_id, scope=LECT, settings=SETTINGS)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filter_values_change_nothing(hand_wh, value: str) -> None:
    before = run_kpi(hand_wh, "enrolments", settings=SETTINGS).df()
    for field in ("ptj_codes", "course_codes", "modes", "platforms", "mc_types"):
        filters = KpiFilters(**{field: (value,)})
        got = run_scoped(hand_wh, "enrolments", filters, by="course", scope=MGMT, settings=SETTINGS).df()
        assert got.empty or got["enrolments"].isna().all() or value == ""
        if field == "ptj_codes":
            with pytest.raises(AccessDenied):
                run_scoped(hand_wh, "enrolments", filters, by="course", scope=DEAN, settings=SETTINGS)
    try:
        run_scoped(hand_wh, "enrolments", KpiFilters(year=value, mqa_categories=(value,)), scope=MGMT,
                   settings=SETTINGS)
    except KpiError as exc:  # a year that is not a number is a KpiError, which the data layer shows as a notice
        assert "year" in str(exc)
    after = run_kpi(hand_wh, "enrolments", settings=SETTINGS).df()
    assert before.equals(after)


def test_small_cells_hidden_in_every_role(hand_wh) -> None:
    """Below university level the KPI layer hides counts under 5; a university-level figure narrowed by a filter
    (one small PTj, one course) is hidden too, for management as well."""
    raw = run_kpi(hand_wh, "enrolments", KpiFilters(year=2025, ptj_codes=("APM",)), settings=SETTINGS).df()
    assert 0 < int(raw["enrolments"].iloc[0]) < 5  # the hole this closes
    for scope in (MGMT,):
        got = run_scoped(hand_wh, "enrolments", KpiFilters(year=2025, ptj_codes=("APM",)), scope=scope,
                         settings=SETTINGS)
        assert got.df()["enrolments"].isna().all()
        assert "<5" in set(got.display_df()["enrolments"].astype(str))
    for scope in (MGMT, DEAN):
        by_course = run_scoped(hand_wh, "enrolments", KpiFilters(year=2025), by="course", scope=scope,
                               settings=SETTINGS).df()
        shown = by_course["enrolments"].dropna()
        assert not ((shown > 0) & (shown < 5)).any()
    # the whole university's figure is shown as is
    whole = run_scoped(hand_wh, "enrolments", KpiFilters(year=2025), scope=VIEW, settings=SETTINGS).df()
    assert whole["enrolments"].notna().all()


def test_no_learner_level_rows_reach_the_dashboard() -> None:
    """Every KPI is an aggregate: none returns a learner key, and the pages only call the data layer."""
    for spec in list_kpis():
        assert "learner_key" not in spec.sql.split("final as")[-1], spec.id
    pages = Path(__file__).resolve().parents[2] / "dashboard" / "pages"
    for page in pages.glob("*.py"):
        source = page.read_text("utf-8")
        assert "run_kpi" not in source and "duckdb" not in source and "learner_key" not in source, page.name


# --- downloads -------------------------------------------------------------------------------------------------


def test_export_escapes_formula_cells() -> None:
    import pandas as pd

    evil = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "plain", "<5"]
    for value in evil[:6]:
        assert export.escape_cell(value) == "'" + value
    assert export.escape_cell("plain") == "plain" and export.escape_cell(-12.5) == -12.5
    text = export.to_csv_bytes(pd.DataFrame({"course_title": evil, "n": range(len(evil))})).decode("utf-8-sig")
    assert "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"" in text or "'=HYPERLINK" in text
    for line in text.splitlines()[1:]:
        cell = line.lstrip('"')
        assert not cell.startswith(("=", "+", "-", "@")), line
    assert "'=HYPERLINK" in text and "'+1+1" in text and "'@SUM" in text


# --- the audit log ---------------------------------------------------------------------------------------------


def test_audit_log_round_trip(tmp_path: Path) -> None:
    log = tmp_path / "audit" / "audit.jsonl"
    audit.write_event("login", user="aminah", role="ptj", path=log, mode="local")
    audit.write_event("download", user="aminah", role="ptj", path=log, page="revenue", kpi="revenue",
                      format="csv", filters={"ptj_codes": ["FSKTM"], "year": 2025, "junk": "x" * 10_000})
    audit.write_event("login_failed", user="evil\n{\"event\": \"login\"}\x00", path=log)
    lines = log.read_text("utf-8").splitlines()
    assert len(lines) == 3  # a newline in a value cannot forge a record
    records = [json.loads(line) for line in lines]
    assert records[1]["filters"]["ptj_codes"] == ["FSKTM"] and len(records[1]["filters"]["junk"]) < 300
    assert all(r["ts"].endswith("Z") for r in records)
    newest = audit.read_events(log)
    assert [r["event"] for r in newest] == ["login_failed", "download", "login"]
    assert [r["event"] for r in audit.read_events(log, event="download")] == ["download"]
    assert audit.read_events(tmp_path / "missing.jsonl") == []
    # a log that cannot be written does not raise into the page
    assert audit.write_event("logout", user="x", path=tmp_path) is None


def test_access_scope_type_is_what_run_kpi_expects() -> None:
    assert isinstance(DEAN, AccessScope) and DEAN.role in ROLES


# --- the dashboard (AppTest): navigation, URL parameters, page switching, the data layer, downloads -------------


def _nav(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Capture what app.py hands st.navigation: visible and hidden url paths."""
    import streamlit as st

    seen: dict[str, list[str]] = {}
    original = st.navigation

    def spy(pages, *args, **kwargs):
        entries = [p for section in pages.values() for p in section]
        seen["visible"] = [p.url_path or "overview" for p in entries if p.visibility == "visible"]
        # "/overview" is a hidden page of every role that sends the visitor to the scorecard at "/" (app.py).
        seen["hidden"] = [p.url_path for p in entries if p.visibility == "hidden" and p.url_path != "overview"]
        return original(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", spy)
    return seen


@pytest.mark.parametrize("user,visible", [
    ("guest", {"overview", "ministry", "definitions"}),
    ("lect", {"overview", "ministry", "workload", "insights", "definitions"}),
    ("dean", {"overview", "ministry", "revenue", "completion", "workload", "insights", "pathways", "compare",
              "definitions"}),
    ("tester", {"overview", "ministry", "revenue", "completion", "workload", "insights", "pathways", "compare",
                "freshness",
                "definitions", "audit"}),
])
def test_navigation_shows_only_allowed_pages(app, monkeypatch: pytest.MonkeyPatch, user: str, visible: set) -> None:
    nav = _nav(monkeypatch)
    at = app("overview", user=user)
    assert not at.exception, [e.value for e in at.exception]
    assert set(nav["visible"]) == visible
    assert not set(nav["hidden"]) & visible


@pytest.mark.parametrize("user,page", [("guest", "revenue"), ("guest", "workload"), ("guest", "compare"),
                                       ("guest", "completion"), ("guest", "freshness"), ("lect", "revenue"),
                                       ("dean", "freshness"), ("dean", "audit"), ("lect", "audit")])
def test_switching_to_a_forbidden_page_says_not_permitted(app, user: str, page: str) -> None:
    from apptest_helpers import texts

    at = app(page, user=user)
    assert not at.exception
    assert any("Not permitted" in e.value for e in at.error), texts(at)
    assert not at.metric and not at.dataframe  # nothing of the page was drawn
    records = [json.loads(line) for line in Path(os.environ["MCKPI_PATHS_AUDIT"]).read_text().splitlines()]
    assert any(r["event"] == "access_denied" and r["page"] == page and r["user"] == user for r in records)


def test_ptj_user_cannot_get_another_ptj_by_url(app) -> None:
    from apptest_helpers import open_data_tables, texts

    from core.words import t

    at = app("overview", user="dean", ptj="FBE", year="2025", tables=False)
    assert not at.exception
    assert any("ptj=FBE" in i.value for i in at.info), texts(at)  # the notice, on the first run
    assert "FBE" not in "".join(str(f.value.to_dict()) for f in open_data_tables(at).dataframe)
    open_data_tables(at.switch_page("views/revenue.py").run())
    assert at.dataframe  # the tables are there to be searched for a leak
    assert at.sidebar.multiselect(key="f_ptj").value == []
    assert at.sidebar.multiselect(key="f_ptj").options == ["FSKTM · Faculty of Computer Science and Information "
                                                           "Technology"]
    for frame in at.dataframe:
        for column in ("group_key", "ptj_code"):
            if column in frame.value.columns:
                assert set(frame.value[column].dropna()) <= {"FSKTM"} or column == "group_key"
    assert "FBE" not in "".join(str(f.value.to_dict()) for f in at.dataframe)
    net = [m.value for m in at.metric if m.label == t("money.net_revenue_rm")]
    assert net == ["RM 1,389.00"]  # FSKTM's 2025 net revenue, not the university's
    # page switching keeps the scope
    at.switch_page("views/workload.py").run()
    assert not at.exception
    assert "FBE" not in "".join(str(f.value.to_dict()) for f in at.dataframe)
    assert "Dr. Tan Mei Ling" not in texts(at) + "".join(str(f.value.to_dict()) for f in at.dataframe)


def test_lecturer_sees_only_their_own_workload_page(app) -> None:
    at = app("workload", user="lect")
    assert not at.exception
    shown = "".join(str(f.value.to_dict()) for f in at.dataframe)
    assert "Dr. Rajesh Kumar" in shown and "Dr. Aminah" not in shown and "Dr. Tan Mei Ling" not in shown


def test_viewer_overview_has_no_money(app) -> None:
    from core.words import t

    at = app("overview", user="guest", year="2025")
    assert not at.exception
    assert not [m for m in at.metric if m.label == t("money.net_revenue_rm") or "revenue" in m.label.lower()]
    assert "net_revenue" not in "".join(str(f.value.to_dict()) for f in at.dataframe)
    assert "RM " not in "".join(m.value for m in at.metric)


def _data_layer_script() -> None:
    import streamlit as st

    from dashboard import data

    data.warehouse_status()
    results = {}
    for kpi_id, by in (("revenue", "university"), ("revenue", "ptj"), ("enrolments", "ptj"),
                       ("enrolments", "university"), ("lecturer_workload", "staff")):
        frame = data.kpi(kpi_id, by=by)
        results[f"{kpi_id}:{by}"] = (frame.denied, frame.empty)
    st.session_state["results"] = results


def test_data_layer_refuses_what_the_role_may_not_see(app, users_file) -> None:
    from apptest_helpers import sign_in
    from streamlit.testing.v1 import AppTest

    app("overview")  # sets the environment (warehouse, users file, audit log)
    expected = {
        "guest": {"revenue:university": True, "revenue:ptj": True, "enrolments:ptj": True,
                  "enrolments:university": False, "lecturer_workload:staff": True},
        "tester": {k: False for k in ("revenue:university", "revenue:ptj", "enrolments:ptj",
                                      "enrolments:university", "lecturer_workload:staff")},
    }
    for user, denied in expected.items():
        at = AppTest.from_function(_data_layer_script, default_timeout=60)
        sign_in(at, user)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        got = at.session_state["results"]
        assert {k: v[0] for k, v in got.items()} == denied, user
        assert all(v[1] for k, v in got.items() if denied[k])  # refused = nothing


def _download_script() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard import ui

    st.session_state["_mckpi_page"] = "revenue"
    df = pd.DataFrame({"course_title": ["=HYPERLINK(\"http://evil\",\"x\")", "ok"], "net_revenue_rm": [1.5, -2.0]})
    df.attrs["kpi_id"] = "revenue"
    st.session_state["csv"] = ui._audited("csv", "revenue-by-course", "revenue",
                                          lambda: __import__("read.cells").cells.to_csv_bytes(df))()


def test_downloads_are_audited_and_escaped(app) -> None:
    from apptest_helpers import sign_in
    from streamlit.testing.v1 import AppTest

    app("overview")
    at = AppTest.from_function(_download_script, default_timeout=60)
    sign_in(at, "dean")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = at.session_state["csv"].decode("utf-8-sig")
    assert "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"" in text
    assert "-2.0" in text  # numbers stay numbers
    record = audit.read_events(Path(os.environ["MCKPI_PATHS_AUDIT"]), event="download")[0]
    assert record["user"] == "dean" and record["role"] == "ptj" and record["page"] == "revenue"
    assert record["kpi"] == "revenue" and record["format"] == "csv" and record["name"] == "revenue-by-course"


def test_report_download_keeps_the_scope(hand_warehouse) -> None:
    import io

    import openpyxl

    from read.report import ReportError, report_bytes

    book = openpyxl.load_workbook(io.BytesIO(report_bytes(hand_warehouse, 2025, fmt="xlsx", scope=DEAN)))
    cells = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                     if c.value is not None)
    assert "FSKTM" in cells and "FBE" not in cells and "Business and Economics" not in cells
    with pytest.raises(ReportError):
        report_bytes(hand_warehouse, 2025, ptj="FBE", fmt="xlsx", scope=DEAN)
    with pytest.raises(ReportError):
        report_bytes(hand_warehouse, 2025, fmt="xlsx", scope=VIEW)  # a viewer has no PTj to report on


@pytest.mark.parametrize("user,offered", [("tester", True), ("dean", True), ("lect", False), ("guest", False)])
def test_report_button_only_for_roles_with_revenue(app, user: str, offered: bool) -> None:
    at = app("overview", user=user, year="2025")
    assert not at.exception
    buttons = [str(b.proto.label) for b in at.get("download_button") if "report" in str(b.proto.label).lower()]
    assert buttons == (["Ministry report 2025 (Excel)", "Ministry report 2025 (PDF)"] if offered else [])


def test_viewer_ministry_page_has_no_ptj_breakdown(app) -> None:
    at = app("ministry", user="guest", by="ptj")
    assert not at.exception
    assert at.segmented_control(key="p_by").value == "year"
    assert not any(i.value.startswith("Not available") for i in at.info)
    assert not any("group_key" in f.value.columns for f in at.dataframe)
