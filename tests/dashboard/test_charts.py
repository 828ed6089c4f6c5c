"""Figure builders: one colour per PTj whatever the filter, titles and unit-bearing axes, labels that fit."""

from __future__ import annotations

import pandas as pd

from core.contracts import DEFAULT_PTJS
from dashboard import charts


def test_ptj_colours_are_fixed_by_the_full_sorted_list() -> None:
    codes = [p.ptj_code for p in DEFAULT_PTJS]
    colours = charts.ptj_colors(codes)
    assert colours == charts.ptj_colors(reversed(codes))  # order of arrival does not matter
    assert len(set(colours.values())) == len(codes)  # 20 PTjs, 20 colours
    assert colours["FSKTM"] == charts.PALETTE[sorted(codes).index("FSKTM")]


def test_ranked_bars_keep_each_ptjs_colour_and_sort_largest_first() -> None:
    colours = charts.ptj_colors(["APM", "FBE", "FSKTM"])
    df = pd.DataFrame({"group_key": ["FSKTM", "APM", "FBE"], "net_revenue_rm": [1389.0, 1100.0, 4300.0]})
    fig = charts.ranked_bars(df, label="group_key", value="net_revenue_rm", title="Net revenue by PTj", unit="rm",
                             value_title="RM", color_key="group_key", colors=colours)
    bar = fig.data[0]
    assert list(bar.y) == ["APM", "FSKTM", "FBE"]  # plotly draws bottom-up: largest on top
    assert list(bar.marker.color) == [colours["APM"], colours["FSKTM"], colours["FBE"]]
    assert fig.layout.title.text == "Net revenue by PTj"
    assert fig.layout.xaxis.tickprefix == "RM " and fig.layout.xaxis.title.text == "RM"
    assert bar.texttemplate == "RM %{x:,.2f}"


def test_projector_sizes() -> None:
    fig = charts.trend(pd.DataFrame({"m": ["2025-01", "2025-02"], "v": [1.0, 2.0]}), x="m", series={"v": "Net"},
                       title="Monthly", unit="pct", value_title="%")
    assert fig.layout.font.size >= 15 and fig.layout.title.font.size >= 18
    assert fig.layout.height >= charts.MIN_HEIGHT
    assert fig.layout.yaxis.ticksuffix == "%"


def test_long_labels_wrap() -> None:
    assert charts.wrap("Introduction to Halal Industry Management", 30) == \
        "Introduction to Halal Industry<br>Management"
    assert charts.wrap("short") == "short"
    assert charts.wrap("word " * 40, 10).count("<br>") == 2  # at most three lines


def test_light_template_draws_like_plotly_white() -> None:
    """charts.WHITE is plotly_white cut to the trace types the charts draw: the same layout and the same defaults
    for those traces, and every trace a chart builds is of one of those types."""
    import re
    from pathlib import Path

    import plotly.graph_objects as go
    import plotly.io as pio

    from dashboard import charts as c

    white = pio.templates["plotly_white"]
    assert c.WHITE.layout.to_plotly_json() == white.layout.to_plotly_json()
    for kind in c.TRACE_TYPES:
        assert [t.to_plotly_json() for t in c.WHITE.data[kind]] == [t.to_plotly_json() for t in white.data[kind]]
    df = pd.DataFrame({"label": ["a", "b"], "value": [3.0, 1.0], "ptj_code": ["X", "Y"]})
    fig = c.ranked_bars(df, label="label", value="value", title="t", unit="rm", value_title="RM")
    assert {trace.type for trace in fig.data} <= set(c.TRACE_TYPES)
    built = {name.lower() for name in re.findall(r"go\.([A-Z]\w*)\(", Path(c.__file__).read_text())} - {"figure"}
    assert built == set(c.TRACE_TYPES)  # a new kind of trace: add it to TRACE_TYPES
    assert fig.layout.template.layout.plot_bgcolor == "white"
    assert len(fig.to_json()) < len(go.Figure(fig).update_layout(template="plotly_white").to_json())


def test_a_figure_is_built_once_per_inputs() -> None:
    """charts.cached: equal inputs give back the same figure (building it was most of a cached page run); other
    inputs build anew; the cached figure is the one the builder draws."""
    df = pd.DataFrame({"group_key": ["FSKTM", "APM"], "net_revenue_rm": [1389.0, 1100.0]})
    args = {"label": "group_key", "value": "net_revenue_rm", "title": "Net", "unit": "rm", "value_title": "RM"}
    fig = charts.ranked_bars(df, **args)
    assert charts.ranked_bars(df.copy(), **args) is fig
    other = charts.ranked_bars(df.assign(net_revenue_rm=[1389.0, 1101.0]), **args)
    assert other is not fig and list(other.data[0].x) == [1101.0, 1389.0]
    assert charts.ranked_bars(df, **{**args, "title": "Other"}) is not fig
    assert fig.to_json() == charts.ranked_bars.uncached(df, **args).to_json()


def test_small_counts_step_by_one_and_counts_never_go_below_zero() -> None:
    """One course a year drew ticks "0, 0, 0, 1, 1, 1" (steps of 0.2 printed as whole numbers), and a chart of
    zeros an axis from -1 to 1: counts under 5 step by one, and a count axis starts at zero."""
    years = pd.DataFrame({"year": ["2016", "2017", "2018"], "mc": [0, 0, 0], "mooc": [1, 1, 1]})
    small = charts.grouped_bars(years, category="year", series={"mc": "MC", "mooc": "MOOC"}, title="t",
                                unit="count", value_title="courses", stacked=True)
    assert small.layout.yaxis.dtick == 1 and small.layout.yaxis.rangemode == "nonnegative"
    zeros = charts.grouped_bars(years.assign(mooc=0), category="year", series={"mc": "MC", "mooc": "MOOC"},
                                title="t", unit="count", value_title="courses")
    assert zeros.layout.yaxis.dtick == 1 and zeros.layout.yaxis.rangemode == "nonnegative"
    # Stacked, the bars reach 3 + 3 = 6: plotly's own steps.
    six = charts.grouped_bars(years.assign(mc=3, mooc=3), category="year", series={"mc": "MC", "mooc": "MOOC"},
                              title="t", unit="count", value_title="courses", stacked=True)
    assert six.layout.yaxis.dtick is None
    large = charts.ranked_bars(pd.DataFrame({"ptj": ["A", "B"], "n": [1200, 30]}), label="ptj", value="n",
                               title="t", unit="count", value_title="learners")
    assert large.layout.xaxis.dtick is None and large.layout.xaxis.tickformat == ",d"
    # Money may be negative (refunds): no floor at zero.
    money = charts.grouped_bars(years.assign(mc=-50, mooc=20), category="year", series={"mc": "a", "mooc": "b"},
                                title="t", unit="rm", value_title="RM", stacked=True)
    assert money.layout.yaxis.rangemode is None
    rates = charts.grouped_bars(pd.DataFrame({"course": ["A"], "rate": [1.6]}), category="course",
                                series={"rate": "%"}, title="t", unit="pct", value_title="%", horizontal=True)
    assert rates.layout.xaxis.tickformat == ",.1f"  # not "0%, 1%, 1%, 2%"


def test_funnel_separates_thousands_like_the_cards() -> None:
    fig = charts.funnel([("Joined", 9053), ("Started", 3917)], title="t")
    assert fig.data[0].texttemplate == "%{value:,}<br>%{percentInitial:.0%}"


def test_no_change_on_a_card_is_grey_with_no_arrow_and_no_sign() -> None:
    """Streamlit drew a change of 0 as "+0" in green with a rising arrow."""
    from streamlit.testing.v1 import AppTest

    def cards() -> None:
        from dashboard import widgets

        widgets.kpi_card("Courses offered", 1, unit="count", delta=0, delta_description="vs 2017")
        widgets.kpi_card("Enrolments", 9053, unit="count", delta=-4770, delta_description="vs 2017")

    at = AppTest.from_function(cards).run()
    same, fewer = at.metric[0].proto, at.metric[1].proto
    assert (same.delta, same.color, same.direction) == ("0", same.GRAY, same.NONE)
    assert fewer.delta == "-4,770" and fewer.color != fewer.GRAY
