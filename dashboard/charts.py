"""Plotly figure builders. Each takes a tidy DataFrame and already-translated words, returns a figure.

One colour per PTj everywhere: `ptj_colors` maps the sorted list of every PTj in the warehouse (not only the ones a
filter leaves) onto a fixed palette, so FSKTM is the same colour on the revenue page and the workload page.
Sizes and fonts are set for a projector: 15 px text, 18 px titles, no chart shorter than 380 px.

Every builder is `cached`: the same inputs give back the figure built before (plotly's validation of a figure is
most of a cached page run), so a figure must not be changed after it is built: pass what it needs to the builder.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ParamSpec

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

# Colour-blind-safe colours (Okabe & Ito's eight without black, then Paul Tol's "Safe" set as plotly ships it),
# one per PTj: a colour means a PTj on every chart. Past 21 PTjs the list wraps.
OKABE_ITO: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
# Then four of Tol's "bright" set, so the 20 PTjs of the demo university each have their own.
PALETTE: tuple[str, ...] = (*OKABE_ITO, *(c for c in px.colors.qualitative.Safe if c != "rgb(136, 136, 136)"),
                            "#4477AA", "#EE6677", "#228833", "#66CCEE")
UNIVERSITY_BLUE = "#0b4f9c"  # the one colour of a chart with one series
# Series that are not PTjs (money streams, years, courses compared): the Okabe-Ito order.
SERIES_COLOURS: tuple[str, ...] = (UNIVERSITY_BLUE, "#E69F00", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#999999")
# Statuses: the same three colours as the status badges (dashboard/widgets.py STATUS_BADGE), blue-orange-vermillion
# so they differ for red-green colour blindness too.
STATUS_COLOURS = {"on_track": "#009E73", "at_risk": "#E69F00", "behind": "#D55E00", "not_started": "#999999"}

FONT_SIZE = 15
TITLE_WRAP = 34  # characters per title line: a 2/5-width chart at 1440 px, and a 420 px phone
TITLE_SIZE = 18
MIN_HEIGHT = 380

Unit = str  # "count" | "pct" | "rm" | "hours" | "days"

# The trace types these charts draw. plotly_white holds defaults for every trace type plotly has; a figure copies
# and validates the whole template, and sends it to the browser with each chart. The same template cut to these
# types draws the same charts at half the building time and half the JSON (bench/profile_page.py: building the
# figures was over half of a cached page run).
TRACE_TYPES = ("bar", "box", "funnel", "sankey", "scatter")
WHITE = go.layout.Template(
    layout=pio.templates["plotly_white"].layout,
    data={kind: pio.templates["plotly_white"].data[kind] for kind in TRACE_TYPES},
)


P = ParamSpec("P")
FIGURE_CACHE_SIZE = 512  # figures of ~3-30 KB each
_figures: OrderedDict[bytes, go.Figure] = OrderedDict()
_figures_lock = threading.Lock()


def cached(builder: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """The figure built before from the same inputs (compared by their pickled bytes: equal bytes, equal data),
    else a new one, kept for the process (least recently used dropped past FIGURE_CACHE_SIZE). Building and
    validating a plotly figure took 0.2-0.4 s of a cached page run; handing Streamlit the same object is free
    (st.plotly_chart copies it with `to_dict`, it never changes it). `builder.uncached` builds anew."""

    @functools.wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        try:
            blob = pickle.dumps((builder.__qualname__, args, sorted(kwargs.items())), protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError):  # an input that cannot be compared: build it
            return builder(*args, **kwargs)
        key = hashlib.blake2b(blob, digest_size=20).digest()
        with _figures_lock:
            fig = _figures.get(key)
            if fig is not None:
                _figures.move_to_end(key)
                return fig
        fig = builder(*args, **kwargs)
        with _figures_lock:
            _figures[key] = fig
            while len(_figures) > FIGURE_CACHE_SIZE:
                _figures.popitem(last=False)
        return fig

    build.uncached = builder  # type: ignore[attr-defined]
    return build


def ptj_colors(ptj_codes: Iterable[str]) -> dict[str, str]:
    """A fixed colour per PTj code, by position in the sorted list (wraps after 24)."""
    return {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(sorted(set(ptj_codes)))}


def wrap(text: object, width: int = 30, lines: int = 3) -> str:
    """A long label (a course title, a chart title) on up to `lines` lines, so it is not cut off."""
    words, out, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "<br>".join(out)


def _axis_format(unit: Unit, top: float | None = None) -> dict:
    """Tick format of a value axis. Counts never go below zero, and when the largest value (`top`) is under 5
    the ticks step by one: plotly's own steps of 0.2, printed as whole numbers, read "0, 0, 1, 1, 1"; a
    percentage or hours axis under 5 gets one decimal for the same reason."""
    if unit == "rm":
        return {"tickprefix": "RM ", "tickformat": ",.0f"}
    # Under 5, whole-number ticks repeat ("0%, 1%, 1%, 2%"): one decimal there.
    decimals = ",.1f" if top is not None and not pd.isna(top) and abs(top) < 5 else ",.0f"
    if unit == "pct":
        return {"ticksuffix": "%", "tickformat": decimals}
    if unit in {"hours", "days"}:
        return {"tickformat": decimals}
    small = top is None or pd.isna(top) or top < 5
    return {"tickformat": ",d", "rangemode": "nonnegative", **({"dtick": 1} if small and top is not None else {})}


def _largest(frame: pd.DataFrame, columns: Sequence[str], *, stacked: bool = False) -> float | None:
    """The largest value a value axis shows: of the columns, or of their sum per row when the bars stack."""
    values = frame[[c for c in columns if c in frame.columns]].apply(pd.to_numeric, errors="coerce")
    if values.empty:
        return None
    top = values.sum(axis=1, min_count=1).max() if stacked else values.max().max()
    return None if pd.isna(top) else float(top)


def _hover_value(unit: Unit, ref: str) -> str:
    if unit == "rm":
        return f"RM %{{{ref}:,.2f}}"
    if unit == "pct":
        return f"%{{{ref}:.1f}}%"
    if unit in {"hours", "days"}:
        return f"%{{{ref}:,.1f}}"
    return f"%{{{ref}:,}}"


def style(fig: go.Figure, title: str, *, height: int | None = None, legend: bool = True) -> go.Figure:
    """The common look: white template, big type, title top-left, legend above the plot."""
    if legend and len(fig.data) > 2:  # room for a legend that wraps, so the plot area keeps its height
        height = (height or MIN_HEIGHT) + 24 * (len(fig.data) - 2)
    fig.update_layout(
        template=WHITE,
        # Title at the top, legend at the bottom of the figure: a legend that wraps onto several lines can never
        # cover the title, and both push the plot area in (automargin) instead of overlapping it.
        # Anchored on the plot area's top edge and pushing the margin (automargin), so a title on two lines
        # grows upwards into room made for it instead of being cut at the top of the figure.
        title={"text": wrap(title, TITLE_WRAP, lines=3), "font": {"size": TITLE_SIZE}, "x": 0, "xanchor": "left",
               "xref": "container", "y": 1, "yref": "paper", "yanchor": "bottom", "pad": {"b": 14, "l": 8},
               "automargin": True},
        font={"size": FONT_SIZE},
        height=max(height or MIN_HEIGHT, MIN_HEIGHT),
        margin={"l": 10, "r": 20, "t": 30, "b": 10},
        showlegend=legend,
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "xref": "container",
                "xanchor": "left", "x": 0.01,
                "title": None, "traceorder": "normal"},
        hoverlabel={"font_size": FONT_SIZE},
        separators=".,",
    )
    fig.update_xaxes(automargin=True, title_standoff=8)
    fig.update_yaxes(automargin=True, title_standoff=8)
    return fig


@cached
def ranked_bars(
    df: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    unit: Unit,
    value_title: str,
    color_key: str | None = None,
    colors: Mapping[str, str] | None = None,
    top: int = 25,
) -> go.Figure:
    """Horizontal bars sorted largest first (at the top); colour by `color_key` through `colors` (PTj colours)."""
    data = df.dropna(subset=[value]).sort_values(value, ascending=False).head(top).iloc[::-1]
    bar_colours = (
        [colors.get(k, UNIVERSITY_BLUE) for k in data[color_key]] if color_key and colors else UNIVERSITY_BLUE
    )
    fig = go.Figure(
        go.Bar(
            x=data[value],
            y=[wrap(v) for v in data[label]],
            orientation="h",
            marker_color=bar_colours,
            hovertemplate="%{y}<br>" + _hover_value(unit, "x") + "<extra></extra>",
            texttemplate=_hover_value(unit, "x"),
            textposition="auto",
        )
    )
    fig.update_xaxes(title=value_title, **_axis_format(unit, _largest(data, [value])))
    fig.update_yaxes(title=None)
    return style(fig, title, height=120 + 34 * len(data), legend=False)


@cached
def grouped_bars(
    df: pd.DataFrame,
    *,
    category: str,
    series: Mapping[str, str],
    title: str,
    unit: Unit,
    value_title: str,
    stacked: bool = False,
    horizontal: bool = False,
    colors: Sequence[str] = SERIES_COLOURS,
) -> go.Figure:
    """One bar per category per series; `series` maps column -> translated legend name."""
    fig = go.Figure()
    for i, (col, name) in enumerate(series.items()):
        if col not in df.columns:
            continue
        categories = [wrap(v) for v in df[category]]
        kwargs = {"x": df[col], "y": categories, "orientation": "h"} if horizontal else {
            "x": categories, "y": df[col]}
        ref = "x" if horizontal else "y"
        fig.add_trace(
            go.Bar(
                name=name,
                marker_color=colors[i % len(colors)],
                hovertemplate=f"{name}<br>%{{{'y' if horizontal else 'x'}}}: " + _hover_value(unit, ref)
                + "<extra></extra>",
                **kwargs,
            )
        )
    # "relative" stacking puts negative values (refunds) on the left of zero and positive ones on the right.
    fig.update_layout(barmode="relative" if stacked else "group")
    value_axis = fig.update_xaxes if horizontal else fig.update_yaxes
    category_axis = fig.update_yaxes if horizontal else fig.update_xaxes
    value_axis(title=value_title, **_axis_format(unit, _largest(df, list(series), stacked=stacked)))
    # Read top-down: the first category (and the first series within it) at the top of a horizontal chart.
    category_axis(title=None, type="category", autorange="reversed" if horizontal else True)
    height = 140 + (34 if stacked or len(series) == 1 else 22 * len(series)) * df[category].nunique() \
        if horizontal else None
    return style(fig, title, height=height)


@cached
def trend(
    df: pd.DataFrame,
    *,
    x: str,
    series: Mapping[str, str],
    title: str,
    unit: Unit,
    value_title: str,
    x_title: str | None = None,
    markers: bool = True,
) -> go.Figure:
    """Lines over time (months or years); `series` maps column -> translated legend name."""
    fig = go.Figure()
    for i, (col, name) in enumerate(series.items()):
        if col not in df.columns:
            continue
        fig.add_trace(
            go.Scatter(
                x=df[x],
                y=df[col],
                name=name,
                mode="lines+markers" if markers else "lines",
                line={"width": 3, "color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
                hovertemplate=f"{name}<br>%{{x}}: " + _hover_value(unit, "y") + "<extra></extra>",
            )
        )
    fig.update_yaxes(title=value_title, **{"rangemode": "tozero", **_axis_format(unit, _largest(df, list(series)))})
    fig.update_xaxes(title=x_title)
    return style(fig, title, legend=len(series) > 1)


@cached
def funnel(stages: Sequence[tuple[str, float | None]], *, title: str) -> go.Figure:
    """Enrolled -> started -> ... -> certified, with % of the first stage."""
    shown = [(name, value) for name, value in stages if value is not None and not pd.isna(value)]
    fig = go.Figure(
        go.Funnel(
            y=[name for name, _ in shown],
            x=[value for _, value in shown],
            # Thousands separated, as on the cards (textinfo printed 9053).
            texttemplate="%{value:,}<br>%{percentInitial:.0%}",
            marker={"color": UNIVERSITY_BLUE},
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    return style(fig, title, height=100 + 60 * max(len(shown), 1), legend=False)


@cached
def pathway_flow(stages: Sequence[tuple[str, float | None]], *, left: str, title: str) -> go.Figure:
    """A Sankey of a pathway: each stage flows into the next, and what does not go on flows into `left`.
    Stages with a hidden (None) count are left out."""
    shown = [(name, float(value)) for name, value in stages if value is not None and not pd.isna(value)]
    links: list[tuple[int, int, float]] = []  # (from stage, to stage, learners)
    for i in range(len(shown) - 1):
        here, after = shown[i][1], shown[i + 1][1]
        if after > 0:
            links.append((i, i + 1, min(after, here)))
        if here > after:
            links.append((i, len(shown), here - after))
    fig = go.Figure(go.Sankey(
        node={"label": [f"{name} ({value:,.0f})" for name, value in shown] + [left], "pad": 18,
              "color": [UNIVERSITY_BLUE] * len(shown) + ["#b0b7c3"]},
        link={"source": [a for a, _, _ in links], "target": [b for _, b, _ in links],
              "value": [v for _, _, v in links]},
        arrangement="snap",
    ))
    return style(fig, title, height=380, legend=False)


@cached
def retention_curves(
    df: pd.DataFrame,
    *,
    run: str,
    week: str,
    value: str,
    title: str,
    week_title: str,
    value_title: str,
    colors: Mapping[str, str] | None = None,
    ticks: tuple[Sequence[float], Sequence[str]] | None = None,
) -> go.Figure:
    """Share of starters still active each week, one line per course run (or course: `colors` by line name).
    `ticks` (values, labels) replaces the one tick per week (insights: steps labelled at each week's start)."""
    fig = go.Figure()
    # Weeks not reached yet (or hidden) have no value: they are left out, so a line stops instead of falling to 0.
    for i, (run_id, part) in enumerate(df.dropna(subset=[value]).sort_values(week).groupby(run, sort=True)):
        fig.add_trace(
            go.Scatter(
                x=part[week],
                y=part[value],
                name=str(run_id),
                mode="lines+markers",
                line={"width": 3, "color": (colors or {}).get(str(run_id), PALETTE[i % len(PALETTE)])},
                hovertemplate=f"{run_id}<br>%{{x}}: %{{y:.1f}}%<extra></extra>",
            )
        )
    if ticks is None:
        fig.update_xaxes(title=week_title, dtick=1)
    else:
        fig.update_xaxes(title=week_title, tickvals=list(ticks[0]), ticktext=list(ticks[1]))
    fig.update_yaxes(title=value_title, range=[0, 105], **_axis_format("pct"))
    return style(fig, title)


@cached
def mix_vs_target(
    df: pd.DataFrame, *, label: str, actual: str, target: str, title: str, actual_name: str, target_name: str
) -> go.Figure:
    """Actual share per category as bars, the policy target as a diamond marker on each bar."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=df[label],
            y=df[actual],
            name=actual_name,
            marker_color=UNIVERSITY_BLUE,
            texttemplate="%{y:.1f}%",
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": "white", "size": FONT_SIZE + 2},
            hovertemplate=f"{actual_name}: %{{y:.1f}}%<extra></extra>",
        )
    )
    if target in df.columns and df[target].notna().any():
        fig.add_trace(
            go.Scatter(
                x=df[label],
                y=df[target],
                name=target_name,
                mode="markers",
                marker={"symbol": "diamond", "size": 18, "color": "#f39c12", "line": {"width": 2, "color": "#333"}},
                hovertemplate=f"{target_name}: %{{y:.0f}}%<extra></extra>",
            )
        )
    fig.update_yaxes(title="%", range=[0, 110], **_axis_format("pct"))
    fig.update_xaxes(title=None, type="category")
    return style(fig, title)


@cached
def shares(df: pd.DataFrame, *, label: str, value: str, title: str, value_title: str) -> go.Figure:
    """Shares of a few categories (modes, design options) as labelled horizontal bars: easier to read on a
    projector than a donut. `value` is a count; the bars show its % of the total."""
    data = df.groupby(label, as_index=False, sort=False)[value].sum()
    total = data[value].sum()
    data["pct"] = 100.0 * data[value] / total if total else 0.0
    data = data.sort_values("pct")
    fig = go.Figure(
        go.Bar(
            x=data["pct"],
            y=[wrap(v, 24) for v in data[label]],
            orientation="h",
            marker_color=UNIVERSITY_BLUE,
            customdata=data[value],
            texttemplate="%{x:.1f}% (%{customdata:,})",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}% (%{customdata:,})<extra></extra>",
        )
    )
    fig.update_xaxes(title=value_title, range=[0, min(float(data["pct"].max()) + 30, 130)], **_axis_format("pct"))
    return style(fig, title, height=140 + 56 * len(data), legend=False)


@cached
def workload_distribution(
    df: pd.DataFrame,
    *,
    ptj: str,
    label: str,
    value: str,
    title: str,
    value_title: str,
    colors: Mapping[str, str],
    threshold: float | None = None,
    threshold_name: str = "",
) -> go.Figure:
    """Weighted hours per lecturer as a box (with every lecturer as a point) per PTj; the overload line."""
    fig = go.Figure()
    for code, part in df.groupby(ptj, sort=True):
        name = str(part[label].iloc[0]) if label in part else str(code)
        fig.add_trace(
            go.Box(
                y=part[value],
                name=name,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": colors.get(str(code), UNIVERSITY_BLUE), "size": 8},
                line={"color": colors.get(str(code), UNIVERSITY_BLUE)},
                hovertemplate=f"{name}: %{{y:,.1f}}<extra></extra>",
            )
        )
    if threshold is not None:
        fig.add_hline(
            y=threshold,
            line={"dash": "dash", "color": STATUS_COLOURS["behind"], "width": 2},
            annotation_text=threshold_name,
            annotation_position="top left",
        )
    fig.update_yaxes(title=value_title, rangemode="tozero", **_axis_format("hours"))
    fig.update_xaxes(title=None, tickangle=-30)
    return style(fig, title, legend=False)
