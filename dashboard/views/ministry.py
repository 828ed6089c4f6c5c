"""Ministry KPIs: courses offered, learners (internal/external, Malaysian/international), completions and
certificates (COC, COA, MMS, badges) by year or by PTj; mode and design-option shares; credit-bearing courses;
the phase plan."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, charts, data, ui
from dashboard.words import label, t
from read import access

lang = ui.lang()
filters = ui.current_filters()
colors = charts.ptj_colors(ui.current_options().ptj_codes)

ui.page_header("ministry.title", "ministry.intro")
ui.active_filters_caption(filters)

# A breakdown by PTj only for roles that may see PTj figures (read/access.py refuses it anyway).
breakdowns = ["year", "ptj"] if access.may_break_down_by_ptj(auth.current_scope()) else ["year"]
breakdown = ui.page_choice("by", breakdowns, title=t("breakdown"), format_func=lambda b: t(f"by.{b}", lang))
# By year: every year, the other filters applied. By PTj: the chosen year (or all years) per PTj.
scope = data.without_year(filters) if breakdown == "year" else filters
by = "university" if breakdown == "year" else "ptj"
axis = "year" if breakdown == "year" else "group_key"


def category_axis(frame: data.KpiFrame):
    """Years as text (no 2,024.5 ticks), or PTj codes."""
    df = frame.df.copy()
    df[axis] = df[axis].astype(str)
    return df


def totals(kpi_id: str) -> data.KpiFrame:
    return data.kpi(kpi_id, filters, lang=lang)


if not ui.has_rows(totals("courses_offered")):
    st.stop()

# --- headline numbers for the chosen year ------------------------------------------------------------------
cards = [
    ("courses_offered", "courses_offered"),
    ("learners", "learners"),
    ("completions", "completions"),
    ("certificates", "certificates"),
]
for column, (kpi_id, measure) in zip(st.columns(len(cards)), cards, strict=True):
    with column:
        frame = totals(kpi_id)
        value = data.card_value(frame, measure)  # "<5" for a hidden count, never 0
        ui.kpi_card(data.kpi_title(kpi_id, lang), value, unit=data.kpi_unit(kpi_id),
                    help=data.kpi_help(kpi_id, lang), key=f"m_{kpi_id}")

# --- courses offered -----------------------------------------------------------------------------------------
st.header(t("ministry.courses"))
courses = data.kpi("courses_offered", scope, by=by, lang=lang)
if ui.has_rows(courses):
    fig = charts.grouped_bars(
        category_axis(courses),
        category=axis,
        series={"mc_courses": t("col.mc_courses"), "mooc_courses": t("col.mooc_courses")},
        title=f"{data.kpi_title('courses_offered', lang)} · {t(f'by.{breakdown}')}",
        unit="count",
        value_title=t("axis.courses"),
        stacked=True,
    )
    ui.chart_with_data(fig, courses.display, "courses-offered")

# --- learners ------------------------------------------------------------------------------------------------
st.header(t("ministry.learners"))
mix = data.kpi("learner_mix", scope, by=by, lang=lang)
if ui.has_rows(mix):
    left, right = st.columns(2)
    mix_df = category_axis(mix)
    with left:
        fig = charts.grouped_bars(
            mix_df,
            category=axis,
            series={"internal": t("learner.internal"), "external": t("learner.external")},
            title=t("ministry.learners_origin"),
            unit="count",
            value_title=t("axis.learners"),
            stacked=True,
        )
        ui.chart_with_data(fig, mix.display, "learners-internal-external", note=t("small_cells"))
    with right:
        fig = charts.grouped_bars(
            mix_df,
            category=axis,
            series={
                "malaysian": t("learner.malaysian"),
                "international": t("learner.international"),
                "nationality_unknown": t("learner.unknown_nationality"),
            },
            title=t("ministry.learners_nationality"),
            unit="count",
            value_title=t("axis.learners"),
            stacked=True,
            colors=("#0b4f9c", "#f39c12", "#95a5a6"),
        )
        st.plotly_chart(fig, width="stretch", config=ui.PLOTLY_CONFIG, key="chart_learners_nationality")

# --- completions and certificates ----------------------------------------------------------------------------
st.header(t("ministry.outcomes"))
left, right = st.columns(2)
with left:
    completions = data.kpi("completions", scope, by=by, lang=lang)
    if ui.has_rows(completions):
        fig = charts.grouped_bars(
            category_axis(completions),
            category=axis,
            series={"completions": data.kpi_title("completions", lang)},
            title=f"{data.kpi_title('completions', lang)} · {t(f'by.{breakdown}')}",
            unit="count",
            value_title=t("axis.learners"),
        )
        ui.chart_with_data(fig, completions.display, "completions", note=t("small_cells"))
with right:
    certificates = data.kpi("certificates", scope, by=by, lang=lang)
    if ui.has_rows(certificates):
        fig = charts.grouped_bars(
            category_axis(certificates),
            category=axis,
            series={
                "coc": t("cert.coc"),
                "coa": t("cert.coa"),
                "mms": t("cert.mms"),
                "badges": t("cert.badge"),
            },
            title=f"{t('ministry.certificates_by_type')} · {t(f'by.{breakdown}')}",
            unit="count",
            value_title=t("axis.certificates"),
            stacked=True,
        )
        ui.chart_with_data(fig, certificates.display, "certificates", note=t("small_cells"))

# --- mode of delivery, design option, credit-bearing ---------------------------------------------------------
st.header(t("ministry.shares"))
left, right = st.columns(2)
with left:
    modes = data.kpi("mode_mix", filters, lang=lang)
    if ui.has_rows(modes):
        df = modes.df.assign(name=[label("mode", m, lang) for m in modes.df["delivery_mode"]])
        fig = charts.shares(df, label="name", value="courses", title=t("ministry.mode_share"),
                            value_title=t("share_of_courses"))
        ui.chart_with_data(fig, modes.display, "mode-mix")
with right:
    designs = data.kpi("design_option_mix", filters, lang=lang)
    if ui.has_rows(designs):
        df = designs.df.assign(name=[label("design", d, lang) for d in designs.df["design_option"]])
        fig = charts.shares(df, label="name", value="courses", title=t("ministry.design_share"),
                            value_title=t("share_of_courses"))
        ui.chart_with_data(fig, designs.display, "design-option-mix")

st.subheader(data.kpi_title("credit_bearing", lang), help=data.kpi_help("credit_bearing", lang))
credit = data.kpi("credit_bearing", filters, lang=lang)
if ui.has_rows(credit):
    sums = credit.df[["courses_offered", "credit_bearing_courses", "credits_on_offer",
                      "enrolments_credit_bearing"]].sum()
    share = 100.0 * sums["credit_bearing_courses"] / sums["courses_offered"] if sums["courses_offered"] else None
    cards = (
        ("credit_bearing_courses", sums["credit_bearing_courses"], "count"),
        ("credit_bearing_share_pct", share, "pct"),
        ("credits_on_offer", sums["credits_on_offer"], "count"),
        ("enrolments_credit_bearing", data.card_value(credit, "enrolments_credit_bearing"), "count"),
    )
    for column, (measure, value, unit) in zip(st.columns(len(cards)), cards, strict=True):
        with column:
            ui.kpi_card(ui.column_label(measure), value, unit=unit, key=f"credit_{measure}")

# --- phase plan ----------------------------------------------------------------------------------------------
st.header(t("ministry.phase_plan"), help=data.kpi_help("phase_plan", lang))
phases = data.kpi("phase_plan", filters, lang=lang)
if ui.has_rows(phases):
    df = phases.df.groupby("plan_phase", as_index=False)[["courses_planned", "courses_launched"]].sum()
    df["name"] = [label("phase", p, lang) for p in df["plan_phase"]]
    fig = charts.grouped_bars(
        df,
        category="name",
        series={"courses_planned": t("col.courses_planned"), "courses_launched": t("col.courses_launched")},
        title=t("ministry.phase_chart"),
        unit="count",
        value_title=t("axis.courses"),
    )
    ui.chart_with_data(fig, phases.display, "phase-plan")
