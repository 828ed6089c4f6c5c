"""The report's content, independent of the output format: its sections, tables and charts, the cover and notes,
its words (core.words "report.*" keys) and how a cell is written as text. No streamlit import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core import words as i18n
from read.kpi import MALAYSIA

FORMATS = ("xlsx", "pdf")
LANGS = ("en", "ms")
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
REPORT_TIMEOUT_S = 120.0
HIDDEN_DERIVED = "-"

# The KPIs the report uses, in the order the definitions list them.
REPORT_KPIS = (
    "target_progress",
    "courses_offered",
    "runs_started",
    "new_courses",
    "category_mix",
    "enrolments",
    "learner_mix",
    "completions",
    "certificates",
    "completion_rate",
    "revenue",
    "workload_by_ptj",
    "lecturer_workload",
    "orphaned_courses",
    "mms_eligible_vs_issued",
    "badges",
    "programme_intake_conversion",
    "revenue_per_completer",
)
# target_progress's value ids -> the KPI whose title names them (net_revenue is the revenue KPI's net column).
TARGET_KPI_TITLES = {"net_revenue": "kpi.net_revenue"}

# Report-only words (English, Malay); column headers and value labels come from core.words.


def tr(key: str, lang: str, **values: Any) -> str:
    """The report's own words ("report.<key>" in core.words) first, then the dashboard's, else the key itself."""
    if i18n.has(f"report.{key}"):
        return i18n.t(f"report.{key}", lang, **values)
    if i18n.has(key):
        return i18n.t(key, lang, **values)
    return key


def column_header(name: str, lang: str) -> str:
    key = f"col.{name}"
    return tr(key, lang) if i18n.has(f"report.{key}") else i18n.column(name, lang)


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown PTj, format or language, a PTj outside the user's scope)."""


# --- the report's content, independent of the output format ------------------------------------------------

# Column kinds: text, code (short text), int, rm, pct (values in percent, 56.8 = 56.8%), pp (percentage points,
# signed), hours, auto (int or RM by the value's type: Decimal = RM).
NUMERIC_KINDS = frozenset({"int", "rm", "pct", "pp", "hours", "auto"})


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    kind: str = "text"


@dataclass
class Table:
    title: str
    columns: list[Col]
    rows: list[dict[str, Any]]
    note: str = ""
    total_rows: int = 0  # the last `total_rows` rows are totals (bold)
    empty_text: str = ""


@dataclass
class Chart:
    kind: str  # "hbar" | "vbar"
    title: str
    categories: list[str]
    series: list[tuple[str, list[float]]]
    value_kind: str = "int"  # int | rm | pct
    reference: float | None = None  # a vertical reference line (hbar) at this value
    sheet_rows: tuple[int, int] | None = None  # Excel: rows of the data table the chart plots (first, last)


@dataclass
class Section:
    key: str
    title: str
    sheet: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class ReportMeta:
    title: str
    year: int
    lang: str
    ptj_codes: tuple[str, ...]
    scope_label: str
    etl_run_id: str
    published_at: dt.datetime | None  # aware, UTC
    as_of: dt.date
    generated_at: dt.datetime
    is_demo: bool
    snapshot_label: str | None
    small_cell_limit: int
    rounding: tuple[int, int] | None = None  # (base, rate minimum) when the figures are rounded (roles below management)

    @property
    def published_local(self) -> str:
        if self.published_at is None:
            return tr("na", self.lang)
        local = self.published_at.astimezone(MALAYSIA)
        return f"{local:%Y-%m-%d %H:%M} ({tr('malaysia_time', self.lang)})"

    @property
    def as_of_line(self) -> str:
        parts = [tr("as_of_short", self.lang, when=self.published_local), f"{tr('run_id', self.lang)} {self.etl_run_id}"]
        if self.snapshot_label:
            parts.append(f"{tr('snapshot', self.lang)} {self.snapshot_label}")
        return " · ".join(parts)


@dataclass
class Report:
    meta: ReportMeta
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# --- formatting ----------------------------------------------------------------------------------------------


def format_value(value: Any, kind: str, lang: str = "en") -> str:
    """A cell as text for the PDF: thousands separators, RM with two decimals, percentages with one."""
    if value is None:
        return tr("na", lang)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return i18n.t("yes" if value else "no", lang)
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind == "auto":
        kind = "rm" if isinstance(value, Decimal) else "int"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "rm":
        return f"{Decimal(value):,.2f}"
    if kind == "pct":
        return f"{float(value):,.1f}%"
    if kind == "pp":
        return f"{float(value):+,.1f}"
    if kind == "hours":
        return f"{float(value):,.2f}"
    return str(value)


def _cover_rows(meta: ReportMeta) -> list[tuple[str, str]]:
    lang = meta.lang
    rows = [
        (tr("year", lang), str(meta.year)),
        (tr("scope", lang), meta.scope_label),
        (tr("as_of", lang), meta.published_local),
        (tr("published_utc", lang),
         meta.published_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if meta.published_at else tr("na", lang)),
        (tr("run_id", lang), meta.etl_run_id),
    ]
    if meta.snapshot_label:
        rows.append((tr("snapshot", lang), meta.snapshot_label))
    rows += [
        (tr("targets_as_of", lang), meta.as_of.isoformat()),
        (tr("generated", lang), meta.generated_at.astimezone(MALAYSIA).strftime("%Y-%m-%d %H:%M")
         + f" ({tr('malaysia_time', lang)})"),
    ]
    return rows


def _notes(meta: ReportMeta) -> list[str]:
    lang, limit = meta.lang, meta.small_cell_limit
    rounded = [tr("note.rounded", lang, base=meta.rounding[0], rate=meta.rounding[1])] if meta.rounding else []
    return [tr("note.small", lang, limit=limit, limit_minus=limit - 1), *rounded, tr("note.na", lang),
            tr("note.money", lang)]


# --- Excel -----------------------------------------------------------------------------------------------------


# The report's colours (both writers).
_BLUE = "#0B4F9C"
_LIGHT = "#EEF3FA"
