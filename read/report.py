"""The ministry / management report: one year's KPIs as an Excel workbook or a PDF, in English or Malay.

    build_report(warehouse_path, 2025, fmt="pdf", out=Path("report.pdf"))            -> the file written
    report_bytes(warehouse_path, 2025, ptj="FSKTM", fmt="xlsx", lang="ms")            -> the file's bytes
    collect_report(warehouse_path, 2025)                                             -> the figures (Report)

Sections: cover (year, PTj scope, data as-of time and ETL run id of the warehouse), scorecard against the yearly
targets, courses offered / runs / new courses, MQA category mix against the policy mix, learners, completions and
certificates, completion rate (over all enrolments and over learners who started), revenue by PTj, lecturer
workload (per PTj, overloaded lecturers, courses whose owner has left) and the KPI definitions.

Every figure comes from the KPI layer (`read.kpi.run_kpi`); this module holds no SQL for figures. PTj rows are
run with `by="ptj"`, so small learner counts are hidden ("<5", and "-" for a rate computed from a hidden count).
A total row is shown for the whole university, and for a PTj-scoped report only where the KPI has no learner
counts to hide (courses, money, hours): a total over one PTj's learners would show the counts the PTj rows hide.

`as_of` (the day the targets' "expected by now" share and the courses-whose-owner-has-left list are measured on)
is the day the warehouse was published, in Malaysia time: the same warehouse (or snapshot) always gives the
same report. No streamlit import.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import pandas as pd

from core import words as i18n
from core.config import Settings, load_settings
from read.kpi import MALAYSIA, AccessScope, KpiFilters, KpiResult, get_kpi, run_kpi, today_in_malaysia
from read.privacy import ROUNDED, protection_for
from read.warehouse import Warehouse

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


# --- collecting the figures -------------------------------------------------------------------------------------


def _py(value: Any) -> Any:
    """A pandas/numpy cell as a plain Python value (None for missing)."""
    if isinstance(value, list | tuple | dict):
        return value
    try:
        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _records(result: KpiResult, lang: str) -> list[dict[str, Any]]:
    """The KPI rows with hidden cells as "<5" / "-" and PTj names in the language asked."""
    frame = result.display_df(lang)
    return [{k: _py(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _ptj_codes(ptj: str | Iterable[str] | None) -> tuple[str, ...]:
    if ptj is None:
        return ()
    values = [ptj] if isinstance(ptj, str) else list(ptj)
    codes: list[str] = []
    for value in values:
        for part in str(value).split(","):
            if part.strip() and part.strip() not in codes:
                codes.append(part.strip())
    return tuple(codes)


def _published_at(info: dict[str, str]) -> dt.datetime | None:
    raw = info.get("published_at")
    if not raw:
        return None
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class _Collector:
    def __init__(self, wh: Warehouse, year: int, codes: tuple[str, ...], lang: str, settings: Settings,
                 scope: AccessScope | None, as_of: dt.date) -> None:
        self.wh, self.year, self.codes, self.lang, self.settings = wh, year, codes, lang, settings
        self.scope, self.as_of = scope, as_of
        self.filters = KpiFilters(year=year, ptj_codes=codes)

    def run(self, kpi_id: str, *, by: str = "university", filters: KpiFilters | None = None) -> KpiResult:
        return run_kpi(self.wh, kpi_id, filters or self.filters, by=by, scope=self.scope, settings=self.settings,
                       as_of=self.as_of)

    def rows(self, kpi_id: str, *, by: str = "university", filters: KpiFilters | None = None) -> list[dict]:
        return [r for r in _records(self.run(kpi_id, by=by, filters=filters), self.lang)
                if r.get("year") in (None, self.year)]

    def total_allowed(self, kpi_id: str) -> bool:
        """A total row over the report's scope: always for the university; for a PTj report only when it adds
        something (several PTj) and the KPI has no learner counts to hide."""
        if not self.codes:
            return True
        return len(self.codes) > 1 and not get_kpi(kpi_id).suppress

    def total_label(self) -> str:
        return tr("total_university" if not self.codes else "total_scope", self.lang)

    def by_ptj_table(self, title: str, parts: Sequence[tuple[str, Sequence[str]]], columns: Sequence[Col],
                     *, note: str = "") -> Table:
        """PTj rows merged from several KPIs (columns named '<kpi>.<column>'), then a total row where allowed."""
        merged: dict[str, dict[str, Any]] = {}
        totals: dict[str, Any] = {}
        all_totals = True
        for kpi_id, names in parts:
            for row in self.rows(kpi_id, by="ptj"):
                target = merged.setdefault(row["group_key"], {"ptj_code": row["group_key"],
                                                              "ptj_name": row["group_label"]})
                target.update({f"{kpi_id}.{n}": row.get(n) for n in names})
            if self.total_allowed(kpi_id):
                for row in self.rows(kpi_id):
                    totals.update({f"{kpi_id}.{n}": row.get(n) for n in names})
            else:
                all_totals = False
        rows = [merged[k] for k in sorted(merged)]
        # A PTj missing from one KPI's rows had none of it: zero, not blank.
        for row in rows:
            for col in columns:
                if col.kind in NUMERIC_KINDS and col.key not in row:
                    row[col.key] = Decimal("0.00") if col.kind == "rm" else 0
        total_rows = 0
        if rows and totals:
            total = {"ptj_code": "", "ptj_name": self.total_label()}
            for col in columns:
                if col.key in totals:
                    total[col.key] = totals[col.key]
                elif col.kind in NUMERIC_KINDS:
                    total[col.key] = None
            rows.append(total)
            total_rows = 1
        if not all_totals and self.codes and len(self.codes) > 1:
            note = " ".join(p for p in (note, tr("note.no_total", self.lang)) if p)
        return Table(title, list(columns), rows, note=note, total_rows=total_rows,
                     empty_text=tr("no_data", self.lang, year=self.year))


def _ptj_cols(lang: str) -> list[Col]:
    return [Col("ptj_code", column_header("ptj_code", lang), "code"),
            Col("ptj_name", column_header("ptj_name", lang), "text")]


def _kpi_cols(lang: str, kpi_id: str, names: Sequence[tuple[str, str]]) -> list[Col]:
    return [Col(f"{kpi_id}.{name}", column_header(name, lang), kind) for name, kind in names]


def _target_title(kpi_id: str, lang: str) -> str:
    if kpi_id in TARGET_KPI_TITLES:
        title = tr(TARGET_KPI_TITLES[kpi_id], lang)
        return f"{title} (RM)" if kpi_id == "net_revenue" else title
    try:
        return get_kpi(kpi_id).title(lang)
    except ValueError:
        return kpi_id


def _scorecard(c: _Collector) -> Section:
    lang = c.lang
    rows = []
    for r in c.rows("target_progress"):
        money = r["kpi_id"] == "net_revenue"

        def number(v: Any, money: bool = money) -> Any:
            if v is None or isinstance(v, str):
                return v
            return Decimal(v).quantize(Decimal("0.01")) if money else int(v)

        rows.append({
            "kpi_id": r["kpi_id"],
            "kpi": _target_title(r["kpi_id"], lang),
            "scope_label": (tr("total_university", lang) if r["scope"] == "university"
                            else f"{r['ptj_code']}"),
            "value": number(r["value"]),
            "target_value": number(r["target_value"]),
            "pct_achieved": r["pct_achieved"],
            "expected_pct": r["expected_pct"],
            "status": tr(f"status.{r['status']}", lang) if r["status"] else tr("na", lang),
        })
    as_of = c.as_of.isoformat()
    table = Table(
        "",
        [
            Col("kpi", column_header("kpi", lang)),
            Col("scope_label", column_header("scope_label", lang), "code"),
            Col("value", column_header("value", lang), "auto"),
            Col("target_value", column_header("target_value", lang), "auto"),
            Col("pct_achieved", column_header("pct_achieved", lang), "pct"),
            Col("expected_pct", column_header("expected_pct", lang), "pct"),
            Col("status", column_header("status", lang), "code"),
        ],
        rows,
        empty_text=tr("sec.scorecard.none", lang, year=c.year),
    )
    section = Section("scorecard", tr("sec.scorecard", lang), tr("sec.scorecard.sheet", lang),
                      tr("sec.scorecard.intro", lang, as_of=as_of), [table])
    charted = [r for r in rows if r["pct_achieved"] is not None]
    if charted:
        expected = next((r["expected_pct"] for r in charted if r["expected_pct"] is not None), None)
        section.charts.append(Chart(
            "hbar", tr("sec.scorecard.chart", lang, as_of=as_of),
            [f"{r['kpi']}" + ("" if r["scope_label"] == tr("total_university", lang) else f" [{r['scope_label']}]")
             for r in charted],
            [(column_header("pct_achieved", lang), [float(r["pct_achieved"]) for r in charted])],
            "pct", reference=float(expected) if expected is not None else None,
        ))
    return section


def _courses(c: _Collector) -> Section:
    lang = c.lang
    columns = [
        *_ptj_cols(lang),
        *_kpi_cols(lang, "courses_offered", [("courses_offered", "int"), ("mc_courses", "int"),
                                             ("mooc_courses", "int")]),
        *_kpi_cols(lang, "runs_started", [("runs_started", "int"), ("mc_runs", "int"), ("mooc_runs", "int")]),
        *_kpi_cols(lang, "new_courses", [("new_courses", "int"), ("new_mc_courses", "int"),
                                         ("new_mooc_courses", "int")]),
    ]
    table = c.by_ptj_table("", [
        ("courses_offered", ("courses_offered", "mc_courses", "mooc_courses")),
        ("runs_started", ("runs_started", "mc_runs", "mooc_runs")),
        ("new_courses", ("new_courses", "new_mc_courses", "new_mooc_courses")),
    ], columns)
    return Section("courses", tr("sec.courses", lang), tr("sec.courses.sheet", lang),
                   tr("sec.courses.intro", lang, year=c.year), [table])


def _category_mix(c: _Collector) -> Section:
    lang, policy = c.lang, c.settings.policy
    # Course counts only (no learner counts): the scope's own mix is safe to show at university level.
    overall = c.rows("category_mix")
    scope = tr("scope.university", lang) if not c.codes else ", ".join(c.codes)
    t1 = Table(
        tr("sec.mix.overall", lang, scope=scope),
        [
            Col("category", column_header("category", lang)),
            Col("courses", column_header("courses", lang), "int"),
            Col("mc_courses", column_header("mc_courses", lang), "int"),
            Col("share_pct", column_header("share_pct", lang), "pct"),
            Col("target_pct", column_header("target_pct", lang), "pct"),
            Col("gap_pct", column_header("gap_pct", lang), "pp"),
        ],
        [{**r, "category": i18n.label("mqa", r["mqa_category"], lang)} for r in overall],
        empty_text=tr("no_data", lang, year=c.year),
    )
    by_ptj: dict[str, dict[str, Any]] = {}
    for r in c.rows("category_mix", by="ptj"):
        row = by_ptj.setdefault(r["group_key"], {
            "ptj_code": r["group_key"], "ptj_name": r["group_label"], "mc_courses": r["mc_courses"],
            "cat1_courses": 0, "cat1_share": 0.0, "cat3_courses": 0, "cat3_share": 0.0, "other_courses": 0,
        })
        if r["mqa_category"] in (1, 3):
            row[f"cat{r['mqa_category']}_courses"] = r["courses"]
            row[f"cat{r['mqa_category']}_share"] = r["share_pct"]
        else:
            row["other_courses"] += r["courses"] or 0
    cols = [
        *_ptj_cols(lang),
        Col("mc_courses", column_header("mc_courses", lang), "int"),
        Col("cat1_courses", column_header("cat1_courses", lang), "int"),
        Col("cat1_share", column_header("cat1_share", lang), "pct"),
        Col("cat3_courses", column_header("cat3_courses", lang), "int"),
        Col("cat3_share", column_header("cat3_share", lang), "pct"),
    ]
    if any(r["other_courses"] for r in by_ptj.values()):
        cols.append(Col("other_courses", column_header("other_courses", lang), "int"))
    t2 = Table(tr("sec.mix.by_ptj", lang), cols, [by_ptj[k] for k in sorted(by_ptj)],
               empty_text=tr("no_data", lang, year=c.year))
    section = Section("category_mix", tr("sec.mix", lang), tr("sec.mix.sheet", lang),
                      tr("sec.mix.intro", lang, year=c.year, c1=policy.category_1_target_pct,
                         c3=policy.category_3_target_pct), [t1, t2])
    if overall:
        section.charts.append(Chart(
            "vbar", tr("sec.mix.chart", lang),
            [i18n.label("mqa", r["mqa_category"], lang) for r in overall],
            [(i18n.t("actual", lang), [float(r["share_pct"] or 0) for r in overall]),
             (i18n.t("target", lang), [float(r["target_pct"] or 0) for r in overall])],
            "pct", sheet_rows=(0, len(overall) - 1),
        ))
    return section


def _learners(c: _Collector) -> Section:
    lang = c.lang
    columns = [
        *_ptj_cols(lang),
        *_kpi_cols(lang, "enrolments", [("enrolments", "int"), ("withdrawals", "int")]),
        *_kpi_cols(lang, "learner_mix", [("learners", "int"), ("internal", "int"), ("external", "int"),
                                         ("malaysian", "int"), ("international", "int"),
                                         ("nationality_unknown", "int")]),
    ]
    table = c.by_ptj_table("", [
        ("enrolments", ("enrolments", "withdrawals")),
        ("learner_mix", ("learners", "internal", "external", "malaysian", "international", "nationality_unknown")),
    ], columns)
    return Section("learners", tr("sec.learners", lang), tr("sec.learners.sheet", lang),
                   tr("sec.learners.intro", lang, year=c.year), [table])


def _outcomes(c: _Collector) -> Section:
    lang = c.lang
    columns = [
        *_ptj_cols(lang),
        *_kpi_cols(lang, "completions", [("completions", "int"), ("passed", "int")]),
        *_kpi_cols(lang, "certificates", [("certificates", "int"), ("coc", "int"), ("coa", "int"), ("mms", "int"),
                                          ("badges", "int"), ("certificates_purchased", "int")]),
    ]
    table = c.by_ptj_table("", [
        ("completions", ("completions", "passed")),
        ("certificates", ("certificates", "coc", "coa", "mms", "badges", "certificates_purchased")),
    ], columns)
    return Section("outcomes", tr("sec.outcomes", lang), tr("sec.outcomes.sheet", lang),
                   tr("sec.outcomes.intro", lang, year=c.year), [table])


def _completion_rate(c: _Collector) -> Section:
    lang = c.lang
    columns = [
        *_ptj_cols(lang),
        *_kpi_cols(lang, "completion_rate", [
            ("enrolments", "int"), ("completed", "int"), ("completion_rate_pct", "pct"), ("starters", "int"),
            ("completed_starters", "int"), ("completion_rate_started_pct", "pct"),
        ]),
    ]
    table = c.by_ptj_table("", [("completion_rate", ("enrolments", "completed", "completion_rate_pct", "starters",
                                                     "completed_starters", "completion_rate_started_pct"))],
                           columns)
    return Section("completion_rate", tr("sec.rate", lang), tr("sec.rate.sheet", lang),
                   tr("sec.rate.intro", lang), [table])


def _revenue(c: _Collector) -> Section:
    lang = c.lang
    columns = [
        *_ptj_cols(lang),
        *_kpi_cols(lang, "revenue", [("gross_fees_rm", "rm"), ("certificate_income_rm", "rm"), ("refunds_rm", "rm"),
                                     ("net_revenue_rm", "rm"), ("receipts", "int")]),
    ]
    table = c.by_ptj_table("", [("revenue", ("gross_fees_rm", "certificate_income_rm", "refunds_rm",
                                             "net_revenue_rm", "receipts"))], columns)
    section = Section("revenue", tr("sec.revenue", lang), tr("sec.revenue.sheet", lang),
                      tr("sec.revenue.intro", lang, year=c.year), [table])
    ptj_rows = table.rows[: len(table.rows) - table.total_rows]
    if ptj_rows:
        section.charts.append(Chart(
            "hbar", tr("sec.revenue.chart", lang), [r["ptj_code"] for r in ptj_rows],
            [(column_header("net_revenue_rm", lang), [float(r["revenue.net_revenue_rm"] or 0) for r in ptj_rows])],
            "rm", sheet_rows=(0, len(ptj_rows) - 1),
        ))
    return section


def _workload(c: _Collector) -> Section:
    lang, workload = c.lang, c.settings.workload
    by_ptj = c.rows("workload_by_ptj", by="ptj")
    rows = [{"ptj_code": r["group_key"], "ptj_name": r["group_label"], **r} for r in by_ptj]
    rows.sort(key=lambda r: (r["ptj_code"], r["term"]))
    total_rows = 0
    if rows and c.total_allowed("workload_by_ptj"):
        for r in c.rows("workload_by_ptj"):
            rows.append({**r, "ptj_code": "", "ptj_name": c.total_label()})
            total_rows += 1
    hours = [("lecturers", "int"), ("overloaded_lecturers", "int"), ("median_weighted_hours", "hours"),
             ("max_weighted_hours", "hours"), ("total_weighted_hours", "hours")]
    t1 = Table(tr("sec.workload.by_ptj", lang),
               [*_ptj_cols(lang), Col("term", column_header("term", lang), "code"),
                *[Col(n, column_header(n, lang), k) for n, k in hours]],
               rows, total_rows=total_rows, empty_text=tr("no_data", lang, year=c.year))

    overloaded = [r for r in c.rows("lecturer_workload", by="staff") if r.get("is_overloaded")]
    t2 = Table(tr("sec.workload.overloaded", lang),
               [Col("term", column_header("term", lang), "code"),
                Col("staff_id", column_header("staff_id", lang), "code"),
                Col("staff_name", column_header("staff_name", lang)),
                Col("ptj_code", column_header("ptj_code", lang), "code"),
                Col("courses", column_header("courses", lang), "int"),
                Col("runs", column_header("runs", lang), "int"),
                Col("contact_hours", column_header("contact_hours", lang), "hours"),
                Col("online_hours", column_header("online_hours", lang), "hours"),
                Col("weighted_hours", column_header("weighted_hours", lang), "hours")],
               overloaded, empty_text=tr("none_listed", lang))

    orphans = c.rows("orphaned_courses", by="course", filters=KpiFilters(ptj_codes=c.codes))
    t3 = Table(tr("sec.workload.orphans", lang, as_of=c.as_of.isoformat()),
               [Col("course_code", column_header("course_code", lang), "code"),
                Col("course_title", column_header("course_title", lang)),
                Col("ptj_code", column_header("ptj_code", lang), "code"),
                Col("owner_name", column_header("owner_name", lang)),
                Col("owner_left_on", column_header("owner_left_on", lang), "code"),
                Col("next_run_starts_on", column_header("next_run_starts_on", lang), "code"),
                Col("runs_running_or_upcoming", column_header("runs_running_or_upcoming", lang), "int")],
               orphans, empty_text=tr("none_listed", lang))
    return Section("workload", tr("sec.workload", lang), tr("sec.workload.sheet", lang),
                   tr("sec.workload.intro", lang, factor=f"{workload.online_hours_factor:g}",
                      hours=f"{workload.overload_hours_per_term:g}"), [t1, t2, t3])


def _definitions(lang: str) -> Section:
    rows = []
    for kpi_id in REPORT_KPIS:
        spec = get_kpi(kpi_id)
        rows.append({"kpi_id": spec.id, "kpi": spec.title(lang), "unit": tr(f"unit.{spec.unit}", lang),
                     "definition": spec.definition(lang)})
    table = Table("", [Col("kpi", column_header("kpi", lang)), Col("kpi_id", column_header("kpi_id", lang), "code"),
                       Col("unit", column_header("unit", lang), "code"),
                       Col("definition", column_header("definition", lang))], rows)
    return Section("definitions", tr("sec.definitions", lang), tr("sec.definitions.sheet", lang),
                   tr("sec.definitions.intro", lang), [table])


def _open(warehouse: Path | str | Warehouse) -> tuple[Warehouse, bool]:
    """The warehouse to read: a Warehouse as given, or the build the path points at *now* (every query of one
    report then reads the same build, even if a new one is published meanwhile)."""
    if isinstance(warehouse, Warehouse):
        return warehouse, False
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"No warehouse at {path}: run `mckpi etl` first.")
    return Warehouse(Path(os.path.realpath(path)), timeout_s=REPORT_TIMEOUT_S), True


def _resolve_scope(codes: tuple[str, ...], scope: AccessScope | None) -> tuple[str, ...]:
    if scope is None or scope.allowed_ptj_codes is None:
        return codes
    allowed = tuple(scope.allowed_ptj_codes)
    if not codes:
        if not allowed:
            raise ReportError("you have access to no PTj")
        return allowed
    if outside := [c for c in codes if c not in allowed]:
        raise ReportError(f"PTj outside your access: {', '.join(outside)}")
    return codes


def collect_report(
    warehouse: Path | str | Warehouse,
    year: int,
    *,
    ptj: str | Iterable[str] | None = None,
    lang: str = "en",
    settings: Settings | None = None,
    scope: AccessScope | None = None,
) -> Report:
    """Run the report's KPIs for `year` (and the PTj given, else the whole university)."""
    if lang not in LANGS:
        raise ReportError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ReportError(f"year must be a whole number, not {year!r}")
    settings = settings or load_settings()
    codes = _resolve_scope(_ptj_codes(ptj), scope)
    wh, owned = _open(warehouse)
    try:
        info = wh.info()
        names = wh.query("select ptj_code, ptj_name_en, ptj_name_ms from dim_ptj order by ptj_code")
        ptj_names = {code: (en, ms) for code, en, ms in zip(*(names.column(i).to_pylist() for i in range(3)),
                                                                strict=True)}
        if unknown := [c for c in codes if c not in ptj_names]:
            raise ReportError(f"unknown PTj {', '.join(unknown)}; known: {', '.join(sorted(ptj_names))}")
        published = _published_at(info)
        as_of = published.astimezone(MALAYSIA).date() if published else today_in_malaysia()
        if not codes:
            scope_label = tr("scope.university", lang)
        else:
            scope_label = "; ".join(f"{c} – {ptj_names[c][1 if lang == 'ms' else 0]}" for c in codes)
        meta = ReportMeta(
            title=tr("title", lang), year=year, lang=lang, ptj_codes=codes, scope_label=scope_label,
            etl_run_id=info.get("etl_run_id") or "?", published_at=published, as_of=as_of,
            generated_at=dt.datetime.now(dt.UTC), is_demo=info.get("is_demo") == "true",
            snapshot_label=info.get("snapshot_label"), small_cell_limit=settings.privacy.small_cell_limit,
            rounding=((settings.privacy.rounding_base, settings.privacy.rate_min_population)
                      if protection_for(scope.role if scope else None, settings.privacy.method) == ROUNDED else None),
        )
        c = _Collector(wh, year, codes, lang, settings, scope, as_of)
        sections = [_scorecard(c), _courses(c), _category_mix(c), _learners(c), _outcomes(c), _completion_rate(c),
                    _revenue(c), _workload(c), _definitions(lang)]
    finally:
        if owned:
            wh.close()
    return Report(meta, sections)


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

_BLUE = "#0B4F9C"
_LIGHT = "#EEF3FA"
_EXCEL_NUMBER_FORMATS = {"int": "#,##0", "rm": "#,##0.00", "pct": "0.0%", "pp": "+0.0;-0.0;0.0",
                         "hours": "#,##0.00"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", name)[:31].strip() or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


class _ExcelWriter:
    def __init__(self, report: Report) -> None:
        import xlsxwriter

        self.report = report
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        meta = report.meta
        self.wb.set_properties({
            "title": f"{meta.title} {meta.year}", "subject": meta.scope_label, "author": "mckpi",
            "comments": meta.as_of_line,
        })
        add = self.wb.add_format
        self.f_title = add({"bold": True, "font_size": 14, "font_color": _BLUE})
        self.f_intro = add({"italic": True, "font_color": "#44546A"})
        self.f_table_title = add({"bold": True, "font_size": 11})
        self.f_header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": _BLUE, "text_wrap": True,
                             "valign": "top", "border": 1, "border_color": "#BFBFBF"})
        self.f_key = add({"bold": True, "valign": "top"})
        self.f_wrap = add({"text_wrap": True, "valign": "top"})
        self.f_note = add({"italic": True, "font_color": "#595959", "text_wrap": False})
        self.f_demo = add({"bold": True, "font_color": "#C00000"})
        self.cell: dict[tuple[str, bool], Any] = {}
        for total in (False, True):
            extra = {"bold": True, "top": 1, "bg_color": _LIGHT} if total else {}
            self.cell[("text", total)] = add({"valign": "top", **extra})
            self.cell[("wrap", total)] = add({"valign": "top", "text_wrap": True, **extra})
            self.cell[("marker", total)] = add({"align": "right", "font_color": "#7F7F7F", **extra})
            for kind, num_format in _EXCEL_NUMBER_FORMATS.items():
                self.cell[(kind, total)] = add({"num_format": num_format, **extra})
        self.used: set[str] = set()

    def write(self) -> bytes:
        self._cover()
        for section in self.report.sections:
            self._section(section)
        self.wb.close()
        return self.buffer.getvalue()

    def _cover(self) -> None:
        meta = self.report.meta
        ws = self.wb.add_worksheet(_sheet_name(tr("sec.cover", meta.lang), self.used))
        ws.hide_gridlines(2)
        ws.write_string(0, 0, f"{meta.title} {meta.year}", self.f_title)
        ws.write_string(1, 0, tr("subtitle", meta.lang), self.f_intro)
        row = 3
        if meta.is_demo:
            ws.write_string(row, 0, tr("demo", meta.lang), self.f_demo)
            row += 2
        for key, value in _cover_rows(meta):
            ws.write_string(row, 0, key, self.f_key)
            ws.write_string(row, 1, value)
            row += 1
        row += 1
        ws.write_string(row, 0, tr("notes", meta.lang), self.f_key)
        for note in _notes(meta):
            row += 1
            ws.write_string(row, 0, "•")
            ws.write_string(row, 1, note, self.f_wrap)
            ws.set_row(row, 45)
        row += 2
        ws.write_string(row, 0, tr("contents", meta.lang), self.f_key)
        for section in self.report.sections:
            row += 1
            ws.write_string(row, 1, section.title)
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 100)

    def _section(self, section: Section) -> None:
        ws = self.wb.add_worksheet(_sheet_name(section.sheet, self.used))
        ws.write_string(0, 0, section.title, self.f_title)
        ws.write_string(1, 0, section.intro, self.f_intro)
        widths: dict[int, float] = {}
        row = 3
        first_header: int | None = None
        placed: list[tuple[Table, int]] = []
        for table in section.tables:
            if table.title:
                ws.write_string(row, 0, table.title, self.f_table_title)
                row += 1
            header_row = row
            if first_header is None:
                first_header = header_row
            for i, col in enumerate(table.columns):
                ws.write_string(row, i, col.header, self.f_header)
                widths[i] = max(widths.get(i, 0), min(len(col.header), 16) + 2)
            ws.set_row(row, 32)
            row += 1
            placed.append((table, row))
            if not table.rows:
                ws.write_string(row, 0, table.empty_text, self.f_note)
                row += 1
            for r_index, data in enumerate(table.rows):
                total = r_index >= len(table.rows) - table.total_rows
                for i, col in enumerate(table.columns):
                    width = self._cell(ws, row, i, data.get(col.key), col, total)
                    widths[i] = max(widths.get(i, 0), width)
                row += 1
            if table.note:
                ws.write_string(row, 0, table.note, self.f_note)
                row += 1
            row += 1
        if first_header is not None:
            ws.freeze_panes(first_header + 1, 0)
        for i, width in widths.items():
            wrap_col = any(i < len(t.columns) and t.columns[i].key in ("definition",) for t in section.tables)
            ws.set_column(i, i, 90 if wrap_col else min(max(width, 8), 60))
        self._charts(ws, section, placed, len(widths))

    def _cell(self, ws: Any, row: int, col_index: int, value: Any, col: Col, total: bool) -> float:
        kind = col.kind
        if value is None:
            text = tr("na", self.report.meta.lang) if kind in NUMERIC_KINDS else ""
            ws.write_string(row, col_index, text, self.cell[("marker" if text else "text", total)])
            return len(text) + 2
        if isinstance(value, str):
            if kind in NUMERIC_KINDS:  # "<5" or "-"
                ws.write_string(row, col_index, value, self.cell[("marker", total)])
            else:
                fmt = "wrap" if col.key == "definition" else "text"
                ws.write_string(row, col_index, value, self.cell[(fmt, total)])
            return min(len(value), 60) + 2
        if isinstance(value, bool):
            ws.write_string(row, col_index, i18n.t("yes" if value else "no", self.report.meta.lang),
                            self.cell[("text", total)])
            return 6
        if isinstance(value, dt.date):
            ws.write_string(row, col_index, value.isoformat(), self.cell[("text", total)])
            return 12
        if kind == "auto":
            kind = "rm" if isinstance(value, Decimal) else "int"
        if kind not in _EXCEL_NUMBER_FORMATS:
            ws.write_string(row, col_index, str(value), self.cell[("text", total)])
            return len(str(value)) + 2
        number = float(Decimal(str(value)) / 100) if kind == "pct" else float(value)
        ws.write_number(row, col_index, number, self.cell[(kind, total)])
        return len(format_value(value, kind)) + 3

    def _charts(self, ws: Any, section: Section, placed: list[tuple[Table, int]], ncols: int) -> None:
        sheet = ws.get_name()
        anchor_row = 3
        for chart in section.charts:
            if chart.sheet_rows is None:
                continue
            table, first = placed[0]  # both charted tables are the section's first
            first_row, last_row = first + chart.sheet_rows[0], first + chart.sheet_rows[1]
            cat_col = 0
            if section.key == "revenue":
                value_cols = [next(i for i, c in enumerate(table.columns) if c.key == "revenue.net_revenue_rm")]
                xl = self.wb.add_chart({"type": "bar"})
            else:
                value_cols = [next(i for i, c in enumerate(table.columns) if c.key == k)
                              for k in ("share_pct", "target_pct")]
                xl = self.wb.add_chart({"type": "column"})
            for name, value_col in zip([s[0] for s in chart.series], value_cols, strict=True):
                xl.add_series({
                    "name": name,
                    "categories": [sheet, first_row, cat_col, last_row, cat_col],
                    "values": [sheet, first_row, value_col, last_row, value_col],
                    "fill": {"color": _BLUE} if value_col == value_cols[0] else {"color": "#F4B183"},
                })
            xl.set_title({"name": chart.title, "name_font": {"size": 11}})
            xl.set_legend({"position": "bottom"} if len(chart.series) > 1 else {"none": True})
            if section.key == "revenue":
                xl.set_y_axis({"reverse": True})
                xl.set_x_axis({"num_format": "#,##0"})
                xl.set_size({"width": 620, "height": max(300, 22 * len(chart.categories) + 90)})
            else:
                xl.set_y_axis({"num_format": "0%", "min": 0})
                xl.set_size({"width": 480, "height": 300})
            ws.insert_chart(anchor_row, ncols + 1, xl)
            anchor_row += 18


def _to_xlsx(report: Report) -> bytes:
    return _ExcelWriter(report).write()


# --- PDF -------------------------------------------------------------------------------------------------------


def _to_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import (
        CondPageBreak,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )
    from reportlab.platypus import (
        Table as RlTable,
    )
    from reportlab.platypus import (
        TableStyle as RlTableStyle,
    )

    meta, lang = report.meta, report.meta.lang
    page_w, page_h = A4
    margin = 16 * mm
    avail = page_w - 2 * margin
    blue, light, grey = colors.HexColor(_BLUE), colors.HexColor(_LIGHT), colors.HexColor("#595959")

    base = getSampleStyleSheet()
    s_title = ParagraphStyle("t", parent=base["Title"], fontSize=22, leading=27, textColor=blue, alignment=0)
    s_sub = ParagraphStyle("s", parent=base["Normal"], fontSize=12, leading=16, textColor=grey)
    s_h1 = ParagraphStyle("h1", parent=base["Heading1"], fontSize=14, leading=18, textColor=blue, spaceBefore=4,
                          spaceAfter=4)
    s_h2 = ParagraphStyle("h2", parent=base["Heading2"], fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3)
    s_body = ParagraphStyle("b", parent=base["Normal"], fontSize=9, leading=12)
    s_intro = ParagraphStyle("i", parent=s_body, textColor=grey, spaceAfter=6)
    s_note = ParagraphStyle("n", parent=s_body, fontSize=7.5, leading=9.5, textColor=grey, spaceBefore=3)
    s_demo = ParagraphStyle("d", parent=s_body, fontSize=11, textColor=colors.HexColor("#C00000"),
                            fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=6)
    s_cell = ParagraphStyle("c", parent=base["Normal"], fontSize=7.2, leading=8.6)
    s_cell_bold = ParagraphStyle("cb", parent=s_cell, fontName="Helvetica-Bold")
    s_num = ParagraphStyle("cn", parent=s_cell, alignment=TA_RIGHT)
    s_head = ParagraphStyle("ch", parent=s_cell, fontName="Helvetica-Bold", textColor=colors.white)
    s_head_num = ParagraphStyle("chn", parent=s_head, alignment=TA_RIGHT)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(xml_escape(text), style)

    def col_widths(table: Table) -> list[float]:
        """Numbers and codes as wide as their longest header word and value; text columns share the rest."""
        pad = 7
        fixed: list[float] = []
        for col in table.columns:
            if col.kind not in NUMERIC_KINDS and col.kind != "code":
                fixed.append(0)
                continue
            words = max((stringWidth(w, "Helvetica-Bold", s_head.fontSize) for w in col.header.split()), default=0)
            values = max((stringWidth(format_value(r.get(col.key), col.kind, lang), "Helvetica-Bold", s_cell.fontSize)
                          for r in table.rows), default=0)
            fixed.append(max(words, values, 24) + pad)
        flex = [i for i, w in enumerate(fixed) if w == 0]
        if not flex:
            return [w * min(1.0, avail / sum(fixed)) for w in fixed]
        min_text = 85 * len(flex)
        if sum(fixed) > avail - min_text:  # too wide: shrink the fixed columns (headers may then break)
            scale = (avail - min_text) / sum(fixed)
            fixed = [w * scale for w in fixed]
        share = (avail - sum(fixed)) / len(flex)
        return [share if i in flex else w for i, w in enumerate(fixed)]

    def table_flowable(table: Table) -> list[Any]:
        if not table.rows:
            return [p(table.empty_text, s_note)]
        widths = col_widths(table)
        if "definition" in [c.key for c in table.columns]:  # definitions: narrow title, wide text
            widths = [0.22 * avail, 0.17 * avail, 0.09 * avail, 0.52 * avail]
        header = [p(c.header, s_head_num if c.kind in NUMERIC_KINDS else s_head) for c in table.columns]
        body = []
        n_total = table.total_rows
        for r_index, row in enumerate(table.rows):
            total = r_index >= len(table.rows) - n_total
            cells = []
            for col in table.columns:
                text = format_value(row.get(col.key), col.kind, lang) if (
                    col.kind in NUMERIC_KINDS or row.get(col.key) is not None) else ""
                if col.kind in NUMERIC_KINDS:
                    style = ParagraphStyle("x", parent=s_num, fontName="Helvetica-Bold") if total else s_num
                else:
                    style = s_cell_bold if total else s_cell
                cells.append(p(text, style))
            body.append(cells)
        rl = RlTable([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), blue),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D7E2")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        for r in range(1, len(body) + 1):
            if r % 2 == 0:
                style.append(("BACKGROUND", (0, r), (-1, r), light))
        if n_total:
            first_total = len(body) - n_total + 1
            style += [("LINEABOVE", (0, first_total), (-1, first_total), 0.8, blue),
                      ("BACKGROUND", (0, first_total), (-1, -1), colors.HexColor("#DCE6F2"))]
        rl.setStyle(RlTableStyle(style))
        out: list[Any] = [rl]
        if table.note:
            out.append(p(table.note, s_note))
        return out

    story: list[Any] = []
    # Cover
    story += [Spacer(1, 40 * mm), p(meta.title, s_title), p(f"{tr('year', lang)} {meta.year}", s_sub),
              p(tr("subtitle", lang), s_sub), Spacer(1, 10 * mm)]
    if meta.is_demo:
        story.append(p(tr("demo", lang), s_demo))
    cover = RlTable([[p(k, ParagraphStyle("k", parent=s_body, fontName="Helvetica-Bold")), p(v, s_body)]
                     for k, v in _cover_rows(meta)], colWidths=[45 * mm, avail - 45 * mm], hAlign="LEFT")
    cover.setStyle(RlTableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D7E2")),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [cover, Spacer(1, 8 * mm), p(tr("contents", lang), s_h2)]
    story += [p(f"{i}. {s.title}", s_body) for i, s in enumerate(report.sections, start=1)]
    story += [Spacer(1, 8 * mm), p(tr("notes", lang), s_h2)]
    story += [p(note, s_note) for note in _notes(meta)]

    for i, section in enumerate(report.sections, start=1):
        story.append(PageBreak())
        head = [p(f"{i}. {section.title}", s_h1), p(section.intro, s_intro)]
        charts = [_pdf_chart(chart, avail, lang) for chart in section.charts]
        first = True
        for table in section.tables:
            block = ([p(table.title, s_h2)] if table.title else []) + table_flowable(table)
            if first:
                story.append(KeepTogether([*head, *block[:1]]))
                story += block[1:]
                first = False
            else:
                story.append(CondPageBreak(40 * mm))
                story += block
        if first:
            story += head
        for chart in charts:
            story += [Spacer(1, 4 * mm), KeepTogether([chart])]

    footer_line = meta.as_of_line
    header_line = f"{meta.title} {meta.year} · {meta.scope_label}"

    class NumberedCanvas(rl_canvas.Canvas):
        """Draws 'Page n of N' once the page count is known (pages are kept until save)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            n = self._pageNumber
            self.saveState()
            self.setStrokeColor(colors.HexColor("#BFBFBF"))
            self.setLineWidth(0.4)
            self.line(margin, 12 * mm, page_w - margin, 12 * mm)
            self.setFont("Helvetica", 7)
            self.setFillColor(grey)
            self.drawString(margin, 8 * mm, _fit(footer_line, 120))
            self.drawRightString(page_w - margin, 8 * mm, tr("page", lang, n=n, total=total))
            if n > 1:
                self.drawString(margin, page_h - 10 * mm, _fit(header_line, 140))
                self.line(margin, page_h - 11.5 * mm, page_w - margin, page_h - 11.5 * mm)
            self.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=16 * mm, bottomMargin=17 * mm,
        title=f"{meta.title} {meta.year}", subject=meta.scope_label, author="mckpi", creator="mckpi",
        keywords=f"etl_run_id={meta.etl_run_id}",
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _axis(top: float, ticks: int = 5) -> tuple[float, float]:
    """A round axis maximum and step for values up to `top` (e.g. 112 -> 120 by 20)."""
    if top <= 0:
        return 1.0, 0.2
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    return math.ceil(top / step) * step, step


def _pdf_chart(chart: Chart, width: float, lang: str) -> Any:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    palette = [colors.HexColor(_BLUE), colors.HexColor("#F4B183"), colors.HexColor("#A9D18E")]

    def label(v: float) -> str:
        if chart.value_kind == "rm":
            return f"{v:,.0f}"
        if chart.value_kind == "pct":
            return f"{v:.0f}%"
        return f"{v:,.0f}"

    top = max((max(values) for _, values in chart.series if values), default=0.0)
    if chart.reference is not None:
        top = max(top, chart.reference)
    value_max, value_step = _axis(top * 1.08)
    if chart.kind == "hbar":
        n = len(chart.categories)
        longest = max((len(c) for c in chart.categories), default=4)
        label_w = min(max(40.0, longest * 4.6), width * 0.45)
        bar_h = 13
        height = n * bar_h + 60
        d = Drawing(width, height)
        bc = HorizontalBarChart()
        bc.x, bc.y = label_w + 6, 30
        bc.width, bc.height = width - label_w - 40, n * bar_h
        bc.data = [values[::-1] for _, values in chart.series]
        bc.categoryAxis.categoryNames = chart.categories[::-1]
        bc.categoryAxis.labels.fontName = "Helvetica"
        bc.categoryAxis.labels.fontSize = 7
        bc.categoryAxis.labels.boxAnchor = "e"
        bc.categoryAxis.labels.dx = -3
        bc.valueAxis.valueMin = 0
        bc.valueAxis.valueMax = value_max
        bc.valueAxis.valueStep = value_step
        bc.valueAxis.labels.fontSize = 7
        bc.valueAxis.labelTextFormat = label
        bc.valueAxis.visibleGrid = True
        bc.valueAxis.gridStrokeColor = colors.HexColor("#E0E0E0")
        bc.barSpacing = 1
        bc.groupSpacing = 3
        for i in range(len(chart.series)):
            bc.bars[i].fillColor = palette[i % len(palette)]
            bc.bars[i].strokeColor = None
        bc.barLabelFormat = label
        bc.barLabels.fontSize = 6.5
        bc.barLabels.boxAnchor = "w"
        bc.barLabels.dx = 3
        if chart.reference is not None:  # drawn first, so that bars and their labels stay on top
            x = bc.x + bc.width * chart.reference / value_max
            d.add(Line(x, bc.y - 2, x, bc.y + bc.height + 2, strokeColor=colors.HexColor("#C00000"),
                       strokeWidth=1, strokeDashArray=[3, 2]))
        d.add(bc)
        d.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=9))
        return d

    height = 190
    d = Drawing(width, height)
    bc = VerticalBarChart()
    bc.x, bc.y = 40, 30
    bc.width, bc.height = min(width - 160, 60 + 110 * len(chart.categories)), height - 70
    bc.data = [values for _, values in chart.series]
    bc.categoryAxis.categoryNames = chart.categories
    bc.categoryAxis.labels.fontSize = 8
    bc.valueAxis.valueMin = 0
    bc.valueAxis.valueMax = value_max
    bc.valueAxis.valueStep = value_step
    bc.valueAxis.labels.fontSize = 7
    bc.valueAxis.labelTextFormat = label
    bc.valueAxis.visibleGrid = True
    bc.valueAxis.gridStrokeColor = colors.HexColor("#E0E0E0")
    bc.barLabelFormat = label
    bc.barLabels.fontSize = 7
    bc.barLabels.nudge = 6
    bc.groupSpacing = 12
    for i in range(len(chart.series)):
        bc.bars[i].fillColor = palette[i % len(palette)]
        bc.bars[i].strokeColor = None
    d.add(bc)
    legend = Legend()
    legend.x, legend.y = bc.x + bc.width + 20, bc.y + bc.height - 10
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(palette[i % len(palette)], name) for i, (name, _) in enumerate(chart.series)]
    d.add(legend)
    d.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=9))
    return d


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
    "Report",
    "ReportError",
    "build_report",
    "collect_report",
    "format_value",
    "render",
    "report_bytes",
    "report_filename",
]

