"""The ministry / management report: one year's KPIs as an Excel workbook or a PDF, in English or Malay.

    build_report(warehouse_path, 2025, fmt="pdf", out=Path("report.pdf"))            -> the file written
    report_bytes(warehouse_path, 2025, ptj="FSKTM", fmt="xlsx", lang="ms")            -> the file's bytes
    collect_report(warehouse_path, 2025)                                             -> the figures (Report)

Sections: cover (year, PTj scope, data as-of time and ETL run id of the warehouse), scorecard against the yearly
targets, courses offered / runs / new courses, MQA category mix against the policy mix, learners, completions and
certificates, completion rate (over all enrolments and over learners who started), revenue by PTj, lecturer
workload (per PTj, overloaded lecturers, courses whose owner has left) and the KPI definitions.

Every figure comes from the KPI layer (`read.kpi.run_kpi`); this package holds no SQL for figures. PTj rows are
run with `by="ptj"`, so small learner counts are hidden ("<5", and "-" for a rate computed from a hidden count).
A total row is shown for the whole university, and for a PTj-scoped report only where the KPI has no learner
counts to hide (courses, money, hours): a total over one PTj's learners would show the counts the PTj rows hide.

`as_of` (the day the targets' "expected by now" share and the courses-whose-owner-has-left list are measured on)
is the day the warehouse was published, in Malaysia time: the same warehouse (or snapshot) always gives the
same report. No streamlit import.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from core.config import Settings
from read.kpi import AccessScope
from read.report.collect import _ptj_codes, collect_report
from read.report.excel import _to_xlsx
from read.report.model import (
    FORMATS,
    LANGS,
    MIME_TYPES,
    REPORT_KPIS,
    REPORT_TIMEOUT_S,
    Report,
    ReportError,
    format_value,
)
from read.report.pdf import _to_pdf
from read.warehouse import Warehouse

# --- entry points ----------------------------------------------------------------------------------------------


def render(report: Report, fmt: str) -> bytes:
    if fmt == "xlsx":
        return _to_xlsx(report)
    if fmt == "pdf":
        return _to_pdf(report)
    raise ReportError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def report_filename(year: int, *, ptj: str | Iterable[str] | None = None, fmt: str = "xlsx", lang: str = "en") -> str:
    """mckpi-report-2025[-FSKTM][-ms].xlsx"""
    codes = _ptj_codes(ptj)
    parts = ["mckpi-report", str(year), *codes]
    if lang != "en":
        parts.append(lang)
    name = "-".join(re.sub(r"[^A-Za-z0-9._-]+", "_", part) for part in parts)
    return f"{name}.{fmt}"


def report_bytes(
    warehouse: Path | str | Warehouse,
    year: int,
    *,
    ptj: str | Iterable[str] | None = None,
    fmt: str = "xlsx",
    lang: str = "en",
    settings: Settings | None = None,
    scope: AccessScope | None = None,
) -> bytes:
    """The report as bytes (for a download button). `scope` limits it to the user's PTj (a PTj outside it is
    refused; no `ptj` means all of the user's PTj)."""
    if fmt not in FORMATS:
        raise ReportError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    report = collect_report(warehouse, year, ptj=ptj, lang=lang, settings=settings, scope=scope)
    return render(report, fmt)


def build_report(
    warehouse_path: Path | str | Warehouse,
    year: int,
    *,
    ptj: str | Iterable[str] | None = None,
    fmt: str = "xlsx",
    out: Path | str,
    lang: str = "en",
    settings: Settings | None = None,
    scope: AccessScope | None = None,
) -> Path:
    """Write the report to `out` (a file, or a folder to put `report_filename(...)` in); returns the path.
    The file appears complete or not at all (written beside, then renamed)."""
    data = report_bytes(warehouse_path, year, ptj=ptj, fmt=fmt, lang=lang, settings=settings, scope=scope)
    out = Path(out)
    if out.is_dir():
        out = out / report_filename(year, ptj=ptj, fmt=fmt, lang=lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


__all__ = [
    "FORMATS",
    "LANGS",
    "MIME_TYPES",
    "REPORT_KPIS",
    "REPORT_TIMEOUT_S",
    "Report",
    "ReportError",
    "build_report",
    "collect_report",
    "format_value",
    "render",
    "report_bytes",
    "report_filename",
]

