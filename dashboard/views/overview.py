"""Overview: the ministry scorecard. Headline KPI cards with target, % achieved, status, change vs last year and
a sparkline; the MQA 60/40 mix against its target; an alert when courses have lost their owner."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, charts, data, ui
from dashboard.words import has, label, t
from read import access

# Headline card -> (KPI file that computes it, its measure column). `net_revenue` is the target id of the
# `revenue` KPI's net column (kpi_targets.csv names it so).
HEADLINES: dict[str, tuple[str, str]] = {
    "courses_offered": ("courses_offered", "courses_offered"),
    "new_courses": ("new_courses", "new_courses"),
    "enrolments": ("enrolments", "enrolments"),
    "learners": ("learners", "learners"),
    "completions": ("completions", "completions"),
    "certificates": ("certificates", "certificates_total"),  # issued + FutureLearn statements bought
    "completion_rate": ("completion_rate", "completion_rate_pct"),
    "net_revenue": ("revenue", "net_revenue_rm"),
}
CARDS_PER_ROW = 4

lang = ui.lang()
filters = ui.current_filters()
options = ui.current_options()
year = filters.year or (max(options.years) if options.years else None)

ui.page_header("overview.title", "overview.intro")
if year is None:
    ui.empty_state()
    st.stop()
if filters.year is None:
    st.caption(t("overview.pick_year", year=year))
ui.active_filters_caption(data.with_year(filters, year))

progress = data.kpi("target_progress", data.with_year(filters, year), lang=lang)


def card_targets() -> pd.DataFrame | None:
    """The targets the cards compare with: the university's, or one PTj's when exactly one PTj is picked."""
    if not progress.ok or progress.empty or len(filters.ptj_codes) > 1:
        return None
    df = progress.df
    if filters.ptj_codes:
        rows = df[df["scope"].eq("ptj") & df["ptj_code"].eq(filters.ptj_codes[0])]
    else:
        rows = df[df["scope"].eq("university")]
    return rows.set_index("kpi_id") if not rows.empty else None


targets = card_targets()


def kpi_name(kpi_id: str) -> str:
    """A target's KPI title: from the KPI file when one has that id, else from the translation table."""
    if data.spec(kpi_id):
        return data.kpi_title(kpi_id, lang)
    return t(f"kpi.{kpi_id}") if has(f"kpi.{kpi_id}") else kpi_id


def forecast_lines(row: pd.Series, unit: str) -> list[str]:
    """At risk / behind says by how much and by when: target_progress's run-rate forecast to the year end."""
    if row.get("status") not in ("at_risk", "behind") or ui.is_missing(row.get("forecast_value")):
        return []
    short = row.get("forecast_shortfall")
    has_short = not ui.is_missing(short) and float(short) > 0
    if float(row.get("expected_pct") or 0) >= 100:  # the year is over: only what was missed
        return [t("overview.short_closed", short=ui.fmt_card(short, unit, lang))] if has_short else []
    lines = [t("overview.forecast_line", value=ui.fmt_card(row.get("forecast_value"), unit, lang),
               pct=ui.fmt_pct(row.get("forecast_pct")))]
    reach = row.get("forecast_reach_on")
    if has_short:
        lines.append(t("overview.short_line", short=ui.fmt_card(short, unit, lang),
                       when=ui.fmt_date(reach, lang)))
    return lines


def headline_card(target_id: str) -> None:
    kpi_id, measure = HEADLINES[target_id]
    series = data.kpi(kpi_id, data.without_year(filters), lang=lang)
    if not series.ok:
        ui.kpi_error(kpi_id, series.error or "")
        return
    by_year = series.df.groupby("year")[measure].sum(min_count=1).sort_index() if not series.empty else None
    value = by_year.get(year) if by_year is not None else None
    previous = by_year.get(year - 1) if by_year is not None else None
    delta = value - previous if value is not None and previous is not None else None
    unit = data.kpi_unit(kpi_id)
    lines: list[str] = []
    status = None
    if targets is not None and target_id in targets.index:
        row = targets.loc[target_id]
        status = row.get("status")
        lines.append(t("overview.target_line", target=ui.fmt_card(row.get("target_value"), unit, lang),
                       pct=ui.fmt_pct(row.get("pct_achieved"))))
        lines.append(t("overview.expected_line", pct=ui.fmt_pct(row.get("expected_pct"))))
        lines.extend(forecast_lines(row, unit))
    if value is None or ui.is_missing(value):  # no rows that year (0), or a hidden count ("<5", never 0)
        value = data.card_value(series, measure, year=year)
        delta = None
    ui.kpi_card(
        kpi_name(target_id),
        value,
        unit=unit,
        help=data.kpi_help(kpi_id, lang),
        delta=delta,
        delta_description=t("overview.vs_last_year", year=year - 1) if delta is not None else None,
        sparkline=[float(v) for v in by_year.dropna().tolist()] if by_year is not None else None,
        status=status,
        show_status=True,
        lines=lines,
        key=f"card_{target_id}",
    )


ids = list(HEADLINES)
for start in range(0, len(ids), CARDS_PER_ROW):
    for column, target_id in zip(st.columns(CARDS_PER_ROW), ids[start:start + CARDS_PER_ROW], strict=False):
        with column:
            headline_card(target_id)

orphans = data.kpi("orphaned_courses", data.without_year(filters), by="course", lang=lang)
if orphans.ok and not orphans.empty:
    st.warning(t("overview.orphans", n=len(orphans.df)), icon=":material/person_off:")
    st.page_link("views/workload.py", label=t("page.workload"), icon=":material/work_history:")

left, right = st.columns([2, 3])
with left:
    settings = data.settings()
    mix = data.kpi("category_mix", data.with_year(filters, year), lang=lang)
    if ui.has_rows(mix, message=t("overview.mix_none")):
        mix_df = mix.df.assign(category=[label("mqa", c, lang) for c in mix.df["mqa_category"]])
        fig = charts.mix_vs_target(
            mix_df,
            label="category",
            actual="share_pct",
            target="target_pct",
            title=t("overview.mix_title"),
            actual_name=t("actual"),
            target_name=t("overview.mix_target", c1=settings.policy.category_1_target_pct,
                          c3=settings.policy.category_3_target_pct),
        )
        ui.chart_with_data(fig, mix.display, "category-mix")
with right:
    st.subheader(t("overview.targets_table"))
    if not progress.ok or progress.empty:
        if progress.ok:
            st.info(t("overview.no_targets", year=year), icon=":material/flag:")
        else:
            ui.kpi_error("target_progress", progress.error or "")
    else:
        table = progress.display.copy()
        table.insert(0, "kpi_title", [kpi_name(k) for k in table["kpi_id"]])
        table["status"] = [t(f"status.{s}") if has(f"status.{s}") else "–" for s in table["status"]]
        table["scope_label"] = [code if isinstance(code, str) else t("grain.university")
                                for code in table["ptj_code"]]
        # Counts and RM share a column here: on screen each value is formatted in its own KPI's unit; the
        # download keeps the numbers as numbers, with the unit in a column of its own.
        units = ["rm" if k == "net_revenue" else data.kpi_unit(k) for k in table["kpi_id"]]
        numbers = table.assign(unit=units)
        for col in ("value", "target_value", "forecast_value", "forecast_shortfall"):
            table[col] = [ui.fmt_value(v, u) for v, u in zip(table[col], units, strict=True)]
        keep = ["kpi_title", "scope_label", "value", "target_value", "pct_achieved", "status", "forecast_value",
                "forecast_pct", "forecast_shortfall", "forecast_reach_on"]
        ui.table(table[[c for c in keep if c in table]], name="targets", height=420,
                 download=numbers[[c for c in [*keep[:2], "unit", *keep[2:]] if c in numbers]])

# --- the ministry report (revenue and workload inside: management, and PTj users for their own PTjs) -----------
scope = auth.current_scope()
if access.may_download_report(scope):
    from read.report import report_bytes, report_filename

    report_ptj = filters.ptj_codes or None
    report_names = report_ptj or scope.allowed_ptj_codes
    mimes = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
    row = st.container(horizontal=True, gap="small")
    for fmt, mime in mimes.items():
        def build_report(fmt: str = fmt) -> bytes:
            # The user's scope goes with it: a PTj user's report covers their PTjs only (read/report.py refuses
            # others). Built only when clicked.
            return report_bytes(data.warehouse_path(), int(year), ptj=report_ptj, fmt=fmt, lang=lang, scope=scope)

        row.download_button(
            auth.text(f"report.download_{fmt}", lang, year=year),
            data=ui._audited(f"report-{fmt}", f"ministry-report-{year}", None, build_report),
            file_name=report_filename(int(year), ptj=report_names, fmt=fmt, lang=lang),
            mime=mime,
            key=f"report_{fmt}",
            icon=":material/description:" if fmt == "xlsx" else ":material/picture_as_pdf:",
            on_click="ignore",
        )
