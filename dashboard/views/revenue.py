"""Revenue: net revenue by PTj (sorted), MC fees vs certificate income vs refunds, the monthly trend, a PTj x course
table and this year against last year. Money is by payment year; RM with thousands separators."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.words import t

MONEY = ("gross_fees_rm", "certificate_income_rm", "refunds_rm", "net_revenue_rm")

lang = ui.lang()
filters = ui.current_filters()
options = ui.current_options()
colors = charts.ptj_colors(options.ptj_codes)

ui.page_header("revenue.title", "revenue.intro")
ui.active_filters_caption(filters)

total = data.kpi("revenue", filters, lang=lang)
if not ui.has_rows(total):
    st.stop()

help_text = data.kpi_help("revenue", lang)
for column, measure in zip(st.columns(len(MONEY)), MONEY, strict=True):
    with column:
        ui.kpi_card(t(f"money.{measure}"), total.df[measure].sum(), unit="rm", help=help_text, key=f"rev_{measure}")

by_ptj = data.kpi("revenue", filters, by="ptj", lang=lang)
if ui.has_rows(by_ptj):
    ptj_df = by_ptj.df.groupby(["group_key"], as_index=False)[list(MONEY)].sum()
    left, right = st.columns(2)
    with left:
        one_ptj = data.kpi("revenue", filters, by="course", lang=lang) if len(ptj_df) == 1 else None
        if one_ptj is not None and one_ptj.ok and not one_ptj.empty:
            # One PTj (a dean's usual view): one bar says nothing, so its courses, in the PTj's colour.
            code = str(ptj_df["group_key"].iloc[0])
            course_df = one_ptj.df.groupby("group_label", as_index=False)["net_revenue_rm"].sum().assign(ptj=code)
            fig = charts.ranked_bars(course_df, label="group_label", value="net_revenue_rm",
                                     title=t("revenue.net_by_course", ptj=code), unit="rm", value_title="RM",
                                     color_key="ptj", colors=colors)
            ui.chart_with_data(fig, one_ptj.display, "revenue-by-course")
        else:
            fig = charts.ranked_bars(
                ptj_df,
                label="group_key",
                value="net_revenue_rm",
                title=t("revenue.net_by_ptj"),
                unit="rm",
                value_title="RM",
                color_key="group_key",
                colors=colors,
            )
            ui.chart_with_data(fig, by_ptj.display, "revenue-by-ptj")
    with right:
        # Fees and certificate income to the right of zero, refunds to the left: the bar's reach is net revenue.
        order = ptj_df.sort_values("net_revenue_rm", ascending=False).assign(refunds_rm=lambda d: -d["refunds_rm"])
        fig = charts.grouped_bars(
            order,
            category="group_key",
            series={m: t(f"money.{m}") for m in MONEY if m != "net_revenue_rm"},
            title=t("revenue.components"),
            unit="rm",
            value_title="RM",
            horizontal=True,
            stacked=True,
            colors=charts.SERIES_COLOURS,
        )
        st.plotly_chart(fig, width="stretch", config=ui.PLOTLY_CONFIG, key="chart_revenue_components")

st.header(t("revenue.monthly"))
monthly = data.kpi("revenue", filters, by="month", lang=lang)
if ui.has_rows(monthly):
    # Months without a receipt are zero, not a gap a line would jump over.
    month_df = monthly.df.groupby("group_key")[list(MONEY)].sum()
    months = pd.period_range(month_df.index.min(), month_df.index.max(), freq="M").strftime("%Y-%m")
    month_df = month_df.reindex(months, fill_value=0.0).rename_axis("group_key").reset_index()
    # Month names in the page's language from Babel's locale data ("Mac 2026"), not plotly's English dates.
    month_df["month_label"] = [ui.fmt_month(m, lang) for m in month_df["group_key"]]
    fig = charts.trend(
        month_df,
        x="month_label",
        series={m: t(f"money.{m}") for m in MONEY},
        title=t("revenue.monthly"),
        unit="rm",
        value_title="RM",
        x_title=t("axis.month"),
    )
    ui.chart_with_data(fig, monthly.display, "revenue-by-month")

st.header(t("revenue.by_course"))
by_course = data.kpi_per_ptj("revenue", filters, by="course", lang=lang)
if ui.has_rows(by_course):
    table = by_course.display.sort_values(["ptj_code", "net_revenue_rm"], ascending=[True, False])
    ui.table(table.rename(columns={"group_key": "course_code", "group_label": "course_title"}),
             name="revenue-by-ptj-and-course")

st.header(t("revenue.yoy"), help=data.kpi_help("revenue_yoy", lang))
if filters.year is None:
    st.info(t("revenue.yoy_needs_year"), icon=":material/calendar_month:")
else:
    yoy = data.kpi("revenue_yoy", filters, by="ptj", lang=lang)
    if ui.has_rows(yoy):
        fig = charts.grouped_bars(
            yoy.df.sort_values("net_revenue_rm", ascending=False),
            category="group_key",
            series={"previous_net_revenue_rm": str(filters.year - 1), "net_revenue_rm": str(filters.year)},
            title=t("revenue.yoy"),
            unit="rm",
            value_title="RM",
            colors=("#95a5a6", "#0b4f9c"),
        )
        ui.chart_with_data(fig, yoy.display, "revenue-yoy")
