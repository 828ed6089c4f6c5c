"""The ministry report (read/report.py): Excel and PDF from a small demo warehouse, figures equal to the KPI layer's.

The demo warehouse (3,000 enrolments, 2025-2026) is built once per test session and shared with
test_snapshot_export.py (same folder under pytest's base temp; whichever module runs first builds it).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from core.config import Settings, load_settings
from read.kpi import MALAYSIA, AccessScope, KpiFilters, run_kpi
from read.report import (
    REPORT_KPIS,
    Report,
    ReportError,
    build_report,
    collect_report,
    render,
    report_bytes,
    report_filename,
)
from read.warehouse import Warehouse

YEAR = 2025
DEMO_ENROLMENTS = 3000
DEMO_SEED = 11


def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(landing, published warehouse) of the shared demo, built on first use."""
    from etl.demo import generate
    from etl.load import run_etl

    root = tmp_path_factory.getbasetemp() / "mckpi_reports_demo"
    landing, warehouse = root / "landing", root / "warehouse" / "mckpi.duckdb"
    if not (root / ".built").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(landing, DEMO_ENROLMENTS, DEMO_SEED, start_year=2025, end_year=2026)
        settings = load_settings().with_paths(landing=landing, warehouse=warehouse)
        result = run_etl(settings, landing=landing, warehouse=warehouse)
        assert result.status == "succeeded", result.message
        (root / ".built").write_text(result.run_id)
    return landing, warehouse


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_warehouse(tmp_path_factory)[1]


@pytest.fixture(scope="module")
def settings(warehouse_path: Path) -> Settings:
    return load_settings().with_paths(warehouse=warehouse_path)


@pytest.fixture(scope="module")
def wh(warehouse_path: Path):
    warehouse = Warehouse(warehouse_path, timeout_s=60)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def info(wh: Warehouse) -> dict[str, str]:
    return wh.info()


@pytest.fixture(scope="module")
def as_of(info: dict[str, str]) -> dt.date:
    return dt.datetime.fromisoformat(info["published_at"]).astimezone(MALAYSIA).date()


@pytest.fixture(scope="module")
def kpi(wh: Warehouse, settings: Settings, as_of: dt.date):
    def run(kpi_id: str, by: str = "university", **filters):
        filters.setdefault("year", YEAR)
        return run_kpi(wh, kpi_id, KpiFilters(**filters), by=by, settings=settings,
                       as_of=as_of).table.to_pylist()

    return run


@pytest.fixture(scope="module")
def report(warehouse_path: Path, settings: Settings) -> Report:
    """The university report for YEAR, collected once and rendered as Excel and as PDF below."""
    return collect_report(warehouse_path, YEAR, settings=settings)


@pytest.fixture(scope="module")
def xlsx(report: Report):
    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


@pytest.fixture(scope="module")
def pdf_pages(report: Report) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(render(report, "pdf"))).pages]


def sheet_table(ws, header_row: int) -> list[dict]:
    """The rows under a header row, up to the first blank row."""
    headers = [c.value for c in ws[header_row]]
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if row[0] is None and row[1] is None:
            break
        rows.append(dict(zip(headers, row, strict=False)))
    return rows


def header_row(ws, first_header: str) -> int:
    return next(r for r in range(1, 12) if ws.cell(r, 1).value == first_header)


# --- Excel ---------------------------------------------------------------------------------------------------


def test_excel_has_one_sheet_per_section(xlsx) -> None:
    assert xlsx.sheetnames == ["Cover", "Scorecard", "Courses", "Category mix", "Learners", "Completions",
                               "Completion rate", "Revenue", "Workload", "Pathways", "Definitions"]


def test_excel_cover_names_year_scope_and_run(xlsx, info) -> None:
    cover = {r[0]: r[1] for r in xlsx["Cover"].iter_rows(values_only=True) if r[0]}
    assert cover["Year"] == str(YEAR)
    assert cover["Scope"] == "University (all PTj)"
    assert cover["ETL run"] == info["etl_run_id"]
    published = dt.datetime.fromisoformat(info["published_at"])
    assert cover["Data as of"].startswith(published.astimezone(MALAYSIA).strftime("%Y-%m-%d %H:%M"))


def test_excel_scorecard_equals_target_progress(xlsx, kpi) -> None:
    ws = xlsx["Scorecard"]
    top = header_row(ws, "KPI")
    assert ws.freeze_panes == f"A{top + 1}"
    rows = sheet_table(ws, top)
    expected = kpi("target_progress")
    assert len(rows) == len(expected) > 0
    for row, want in zip(rows, expected, strict=True):
        assert row["Target"] == pytest.approx(float(want["target_value"]))
        assert row["Value"] == pytest.approx(float(want["value"]))
        assert row["Achieved (%)"] == pytest.approx(want["pct_achieved"] / 100)
    # And the scorecard values are the KPIs' own figures.
    by_id = {(r["kpi_id"], r["scope"]): r for r in expected}
    enrolments = kpi("enrolments")[0]["enrolments"]
    assert by_id[("enrolments", "university")]["value"] == enrolments
    assert rows[[r["kpi_id"] for r in expected].index("enrolments")]["Value"] == enrolments
    net = kpi("revenue")[0]["net_revenue_rm"]
    net_row = rows[next(i for i, r in enumerate(expected) if r["kpi_id"] == "net_revenue" and r["scope"] == "university")]
    assert Decimal(str(net_row["Value"])) == net
    # Number formats: RM for money, whole numbers for counts, percent for shares.
    cells = {c.value: c for c in ws[top]}
    value_col = cells["Value"].column
    net_index = top + 1 + next(i for i, r in enumerate(expected) if r["kpi_id"] == "net_revenue")
    enrol_index = top + 1 + next(i for i, r in enumerate(expected) if r["kpi_id"] == "enrolments")
    assert ws.cell(net_index, value_col).number_format == "#,##0.00"
    assert ws.cell(enrol_index, value_col).number_format == "#,##0"
    assert ws.cell(enrol_index, cells["Achieved (%)"].column).number_format == "0.0%"


def test_excel_revenue_by_ptj_equals_revenue_kpi(xlsx, kpi) -> None:
    ws = xlsx["Revenue"]
    rows = sheet_table(ws, header_row(ws, "PTj"))
    *ptj_rows, total = rows
    expected = {r["group_key"]: r for r in kpi("revenue", by="ptj")}
    assert {r["PTj"] for r in ptj_rows} == set(expected)
    for row in ptj_rows:
        want = expected[row["PTj"]]
        assert Decimal(str(row["Net revenue (RM)"])).quantize(Decimal("0.01")) == want["net_revenue_rm"]
        assert Decimal(str(row["MC fees (RM)"])).quantize(Decimal("0.01")) == want["gross_fees_rm"]
        assert row["Receipts"] == want["receipts"]
    university = kpi("revenue")[0]
    assert total["PTj name"] == "University"
    assert Decimal(str(total["Net revenue (RM)"])).quantize(Decimal("0.01")) == university["net_revenue_rm"]
    assert university["net_revenue_rm"] == (university["gross_fees_rm"] + university["certificate_income_rm"]
                                            - university["refunds_rm"])
    net_col = next(c.column for c in ws[header_row(ws, "PTj")] if c.value == "Net revenue (RM)")
    assert ws.cell(header_row(ws, "PTj") + 1, net_col).number_format == "#,##0.00"


def test_excel_learners_hide_small_counts(xlsx, kpi, settings) -> None:
    ws = xlsx["Learners"]
    rows = sheet_table(ws, header_row(ws, "PTj"))
    *ptj_rows, total = rows
    limit = settings.privacy.small_cell_limit
    values = [v for r in ptj_rows for k, v in r.items() if k not in ("PTj", "PTj name")]
    assert f"<{limit}" in values  # the demo has small PTj cells
    assert not [v for v in values if isinstance(v, int | float) and 0 < v < limit]
    mix = kpi("learner_mix")[0]
    assert total["Learners"] == mix["learners"]
    assert total["Internal"] + total["External"] == mix["learners"]
    assert total["Enrolments"] == kpi("enrolments")[0]["enrolments"]


def test_excel_completion_rate_has_both_denominators(xlsx, kpi) -> None:
    ws = xlsx["Completion rate"]
    rows = sheet_table(ws, header_row(ws, "PTj"))
    total = rows[-1]
    want = kpi("completion_rate")[0]
    assert total["Completion rate, all enrolments (%)"] == pytest.approx(want["completion_rate_pct"] / 100)
    assert total["Completion rate, learners who started (runs with step data) (%)"] == pytest.approx(
        want["completion_rate_started_pct"] / 100)
    assert total["Starters"] == want["starters"]


def test_excel_pathways_sheet_equals_the_pathway_kpis(xlsx, kpi) -> None:
    ws = xlsx["Pathways"]
    rows = sheet_table(ws, header_row(ws, "PTj"))
    *ptj_rows, total = rows
    assert total["PTj name"] == "University"
    mms = kpi("mms_eligible_vs_issued")[0]
    badges = kpi("badges")[0]
    assert total["Eligible for the MMS"] == mms["eligible"] > 0
    assert total["MMS issued"] == mms["mms_issued"]
    assert total["Issued"] == badges["issued"] > 0 and total["Revoked"] == badges["revoked"]
    assert total["Acceptance rate (%)"] == pytest.approx(badges["acceptance_rate_pct"] / 100)
    per_completer = kpi("revenue_per_completer")[0]["revenue_per_completer_rm"]
    assert Decimal(str(total["Revenue per completer (RM)"])).quantize(Decimal("0.01")) == per_completer
    by_ptj = {r["group_key"]: r for r in kpi("badges", by="ptj")}
    assert {r["PTj"] for r in ptj_rows} >= set(by_ptj)


def test_excel_definitions_list_every_kpi_used(xlsx) -> None:
    ws = xlsx["Definitions"]
    rows = sheet_table(ws, header_row(ws, "KPI"))
    assert [r["KPI id"] for r in rows] == list(REPORT_KPIS)
    assert all(len(r["Definition"]) > 20 for r in rows)


# --- PDF -----------------------------------------------------------------------------------------------------


def test_pdf_pages_and_text(pdf_pages: list[str], info: dict[str, str], kpi) -> None:
    n = len(pdf_pages)
    assert n >= 10  # a cover and a page or more per section
    cover = pdf_pages[0]
    assert "Microcredential and MOOC KPI report" in cover
    assert f"Year {YEAR}" in cover
    assert info["etl_run_id"] in cover
    for i, text in enumerate(pdf_pages, start=1):
        assert f"Page {i} of {n}" in text
        assert f"ETL run {info['etl_run_id']}" in text  # the footer's as-of line
        assert "Data as of" in text
    revenue = next(t for t in pdf_pages if "Revenue by PTj" in t and "Net revenue by PTj (RM)" in t)
    top_ptj = max(kpi("revenue", by="ptj"), key=lambda r: r["net_revenue_rm"])
    assert top_ptj["group_key"] in revenue
    assert f"{top_ptj['net_revenue_rm']:,.2f}" in revenue  # RM with thousands separators
    assert any("MQA category mix" in t and "actual vs target" in t for t in pdf_pages)
    assert any("KPI definitions" in page for page in pdf_pages)
    assert "KPI id" in pdf_pages[-1]  # the definitions table runs over pages to the end


def test_pdf_for_one_ptj_in_malay(warehouse_path: Path, settings: Settings, kpi, tmp_path: Path) -> None:
    out = build_report(warehouse_path, YEAR, ptj="FSKTM", fmt="pdf", lang="ms", settings=settings, out=tmp_path)
    assert out == tmp_path / f"mckpi-report-{YEAR}-FSKTM-ms.pdf"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # written in place, no temporary left
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Laporan KPI Mikrokredensial dan MOOC" in text
    assert "FSKTM" in text and "Halaman 1 daripada" in text
    others = {r["group_key"] for r in kpi("revenue", by="ptj")} - {"FSKTM"}
    assert not [code for code in others if f"\n{code} " in text]


# --- scope and arguments -------------------------------------------------------------------------------------


def test_ptj_report_totals_only_where_nothing_is_hidden(warehouse_path: Path, settings: Settings, kpi) -> None:
    report = collect_report(warehouse_path, YEAR, ptj=["FSKTM", "FK"], settings=settings)
    revenue = report.section("revenue").tables[0]
    assert [r["ptj_code"] for r in revenue.rows] == ["FK", "FSKTM", ""]
    want = {r["group_key"]: r["net_revenue_rm"] for r in kpi("revenue", by="ptj", ptj_codes=("FSKTM", "FK"))}
    assert revenue.rows[-1]["revenue.net_revenue_rm"] == sum(want.values())
    learners = report.section("learners").tables[0]
    assert learners.total_rows == 0 and "No total row" in learners.note
    assert "FSKTM" in report.meta.scope_label and "FK" in report.meta.scope_label


def test_scope_limits_the_report(warehouse_path: Path, settings: Settings) -> None:
    dean = AccessScope("dean", ("FSKTM",))
    with pytest.raises(ReportError, match="outside your access"):
        report_bytes(warehouse_path, YEAR, ptj="FK", settings=settings, scope=dean)
    report = collect_report(warehouse_path, YEAR, settings=settings, scope=dean)
    assert report.meta.ptj_codes == ("FSKTM",)


def test_bad_arguments(warehouse_path: Path, settings: Settings) -> None:
    with pytest.raises(ReportError, match="unknown PTj"):
        collect_report(warehouse_path, YEAR, ptj="NOPE", settings=settings)
    with pytest.raises(ReportError, match="format"):
        report_bytes(warehouse_path, YEAR, fmt="docx", settings=settings)
    with pytest.raises(ReportError, match="language"):
        collect_report(warehouse_path, YEAR, lang="fr", settings=settings)
    assert report_filename(2025, ptj="FSKTM", fmt="pdf", lang="ms") == "mckpi-report-2025-FSKTM-ms.pdf"


def test_year_without_data_still_makes_a_report(warehouse_path: Path, settings: Settings) -> None:
    report = collect_report(warehouse_path, 2019, settings=settings)
    assert report.section("revenue").tables[0].rows == []
    assert render(report, "xlsx").startswith(b"PK")
    assert report_bytes(warehouse_path, 2019, fmt="pdf", settings=settings).startswith(b"%PDF")


def test_a_ptj_users_report_is_rounded_managements_exact(warehouse_path: Path, settings: Settings) -> None:
    """Issue 13: the report gets the KPI layer's protection for the role that downloads it."""
    from read.access import Identity, scope_for

    dean = scope_for(Identity("dean", "ptj", ptj_codes=("FSKTM",)))
    rounded = collect_report(warehouse_path, YEAR, settings=settings, scope=dean)
    exact = collect_report(warehouse_path, YEAR, settings=settings, ptj="FSKTM")
    assert rounded.meta.rounding == (5, 23) and exact.meta.rounding is None
    counts = [cell for table in rounded.section("learners").tables for row in table.rows
              for key, cell in row.items() if key != "year" and isinstance(cell, int) and not isinstance(cell, bool)]
    assert counts and all(c % 5 == 0 for c in counts)
    exact_counts = [cell for table in exact.section("learners").tables for row in table.rows
                    for key, cell in row.items() if key != "year" and isinstance(cell, int) and not isinstance(cell, bool)]
    assert any(c % 5 for c in exact_counts)
