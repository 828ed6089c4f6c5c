"""The report's figures, collected from the KPI layer (`read.kpi.run_kpi`): no SQL for figures here. PTj rows are
run with `by="ptj"`, so small learner counts are hidden ("<5", and "-" for a rate computed from a hidden count).
A total row is shown for the whole university, and for a PTj-scoped report only where the KPI has no learner
counts to hide (courses, money, hours): a total over one PTj's learners would show the counts the PTj rows hide.

`as_of` (the day the targets' "expected by now" share and the courses-whose-owner-has-left list are measured on)
is the day the warehouse was published, in Malaysia time: the same warehouse (or snapshot) always gives the
same report."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core import words as i18n
from core.config import Settings, load_settings
from read.kpi import MALAYSIA, AccessScope, KpiFilters, KpiResult, get_kpi, run_kpi, today_in_malaysia
from read.privacy import ROUNDED, protection_for
from read.report.model import (
    LANGS,
    NUMERIC_KINDS,
    REPORT_KPIS,
    REPORT_TIMEOUT_S,
    TARGET_KPI_TITLES,
    Chart,
    Col,
    Report,
    ReportError,
    ReportMeta,
    Section,
    Table,
    column_header,
    tr,
)
from read.warehouse import Warehouse


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


def _pathways(c: _Collector) -> Section:
    """Microcredential pathways by PTj: MMS eligible vs issued, badges, Category 1 intake conversion, revenue per
    completer and per MMS (docs/pathways.md)."""
    lang = c.lang
    parts: list[tuple[str, tuple[str, ...]]] = [
        ("mms_eligible_vs_issued", ("eligible", "eligible_with_mms", "mms_issued")),
        ("badges", ("issued", "accepted", "acceptance_rate_pct", "revoked")),
        ("programme_intake_conversion", ("completers", "admitted", "conversion_pct")),
        ("revenue_per_completer", ("revenue_per_completer_rm", "revenue_per_mms_rm")),
    ]
    kinds = {"acceptance_rate_pct": "pct", "conversion_pct": "pct", "revenue_per_completer_rm": "rm",
             "revenue_per_mms_rm": "rm"}
    columns = [*_ptj_cols(lang)]
    for kpi_id, names in parts:
        columns += _kpi_cols(lang, kpi_id, [(n, kinds.get(n, "int")) for n in names])
    table = c.by_ptj_table("", parts, columns)
    return Section("pathways", tr("sec.pathways", lang), tr("sec.pathways.sheet", lang),
                   tr("sec.pathways.intro", lang, year=c.year), [table])


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
                    _revenue(c), _workload(c), _pathways(c), _definitions(lang)]
    finally:
        if owned:
            wh.close()
    return Report(meta, sections)
