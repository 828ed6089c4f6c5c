"""UI pieces shared by the pages: URL-backed filters, banners, KPI cards, tables with downloads, number formats.

The sidebar filters live in `st.query_params`, so a copied URL reproduces the view. The parameters:
`lang` (en|ms), `year` (a year or `all`), `ptj`, `mqa`, `mode`, `platform`, `mctype` (comma-separated lists).
Pages may add their own (`course`, `run`, `courses`) through `url_value`/`set_url_value`.
Values that are unknown or invalid are dropped with one notice; nothing in a URL can raise.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.config import load_settings
from core.contracts import DELIVERY_MODES, MC_TYPES, MQA_CATEGORIES, PLATFORMS
from dashboard import auth
from dashboard.words import DEFAULT_LANG, LANG_NAMES, LANGS, column, label, t
from read import audit
from read import cells as export
from read.kpi import KpiFilters
from read.privacy import EXACT, protection_for

SUPPRESSED = "<5"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

# URL parameter -> session-state key of its sidebar multiselect
URL_FILTERS: dict[str, str] = {
    "ptj": "f_ptj",
    "mqa": "f_mqa",
    "mode": "f_mode",
    "platform": "f_platform",
    "mctype": "f_mc_type",
}
# The list filters shown with translated value labels: (URL parameter, title key, label prefix in i18n).
LABELLED_FILTERS = (
    ("mqa", "filters.mqa", "mqa"),
    ("mode", "filters.mode", "mode"),
    ("platform", "filters.platform", "platform"),
    ("mctype", "filters.mc_type", "mc_type"),
)
ALL_YEARS = "all"  # the year option (and URL value) for every year together
_URL_SNAPSHOT = "_url_at_start"
_URL_NOTICES = "_url_notices"


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar offers, read from the warehouse (years with data, PTjs with their names)."""

    years: tuple[int, ...] = ()
    ptj_names: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> {"en": ..., "ms": ...}
    mqa_categories: tuple[int, ...] = tuple(int(c) for c in MQA_CATEGORIES)
    modes: tuple[str, ...] = DELIVERY_MODES
    platforms: tuple[str, ...] = PLATFORMS
    mc_types: tuple[str, ...] = MC_TYPES

    @property
    def ptj_codes(self) -> tuple[str, ...]:
        return tuple(sorted(self.ptj_names))

    def ptj_name(self, code: str, lang: str | None = None) -> str:
        names = self.ptj_names.get(code) or {}
        return names.get(lang or st.session_state.get("lang", DEFAULT_LANG)) or names.get("en") or code

    def allowed(self, url_key: str) -> tuple[Any, ...]:
        return {
            "ptj": self.ptj_codes,
            "mqa": self.mqa_categories,
            "mode": self.modes,
            "platform": self.platforms,
            "mctype": self.mc_types,
        }[url_key]


# --- URL state -----------------------------------------------------------------------------------------------


def capture_url() -> None:
    """Keep the query parameters the session started with: page navigation clears the URL, and each page
    reads its own parameters (course, run ...) from this snapshot the first time it draws its widget."""
    if _URL_SNAPSHOT not in st.session_state:
        st.session_state[_URL_SNAPSHOT] = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
        st.session_state[_URL_NOTICES] = []


def _url_values(name: str) -> list[str]:
    """The values of a URL parameter at session start: repeated keys and comma-separated lists both work."""
    raw = st.session_state.get(_URL_SNAPSHOT, {}).get(name, [])
    return [part.strip() for value in raw for part in str(value).split(",") if part.strip()]


def _notice(item: str) -> None:
    st.session_state.setdefault(_URL_NOTICES, []).append(item)


def url_value(name: str) -> str | None:
    values = _url_values(name)
    return values[0] if values else None


def url_values(name: str) -> list[str]:
    return _url_values(name)


def reject_url_value(name: str, value: str) -> None:
    _notice(f"{name}={value}")


def set_url_value(name: str, value: str | Sequence[str] | None) -> None:
    """Write one parameter into the URL (or remove it); other parameters stay."""
    if value is None or value == "" or (not isinstance(value, str) and len(value) == 0):
        if name in st.query_params:
            del st.query_params[name]
        return
    text = value if isinstance(value, str) else ",".join(str(v) for v in value)
    if st.query_params.get(name) != text:
        st.query_params[name] = text


def url_notices() -> None:
    """One notice listing what the URL asked for that the dashboard ignored (shown on the first run only)."""
    items = st.session_state.get(_URL_NOTICES) or []
    if items:
        st.info(t("filters.ignored", items=", ".join(dict.fromkeys(items))), icon=":material/link_off:")
        st.session_state[_URL_NOTICES] = []


# --- sidebar ---------------------------------------------------------------------------------------------------


def language_switch() -> str:
    """English / Bahasa Melayu, kept in the URL as `lang`."""
    if "lang" not in st.session_state:
        wanted = url_value("lang")
        if wanted is not None and wanted not in LANGS:
            reject_url_value("lang", wanted)
        st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT_LANG
    lang = st.sidebar.segmented_control(
        t("lang.label"), LANGS, format_func=LANG_NAMES.__getitem__, key="lang", selection_mode="single"
    )
    if lang not in LANGS:  # a click on the selected option deselects it: keep the language
        lang = DEFAULT_LANG
    set_url_value("lang", None if lang == DEFAULT_LANG else lang)
    return lang


LIVE = "live"
_SOURCE_KEY = "f_source"


def data_source_switch(labels: Sequence[str]) -> str | None:
    """Live data or one of the frozen snapshots, in the sidebar when any exist, kept in the URL as `snapshot`.
    Returns the snapshot label, None for live data."""
    if _SOURCE_KEY not in st.session_state or st.session_state[_SOURCE_KEY] not in (LIVE, *labels):
        wanted = url_value("snapshot") if _SOURCE_KEY not in st.session_state else None
        if wanted is not None and wanted not in labels:
            reject_url_value("snapshot", wanted)
        st.session_state[_SOURCE_KEY] = wanted if wanted in labels else LIVE
    if not labels:
        set_url_value("snapshot", None)
        return None
    choice = st.sidebar.selectbox(
        t("source.label"), [LIVE, *labels], key=_SOURCE_KEY,
        format_func=lambda v: t("source.live") if v == LIVE else t("source.snapshot", label=v),
    )
    set_url_value("snapshot", None if choice == LIVE else choice)
    return None if choice == LIVE else choice


def snapshot_banner(label: str, info: dict[str, str], taken: datetime | None) -> None:
    """Said on every page while a snapshot is shown: these are frozen figures, not live data."""
    st.warning(t("source.banner", label=label, taken=format_when(taken), run=info.get("etl_run_id") or "?"),
               icon=":material/ac_unit:")


def _default_year(options: FilterOptions) -> int | str:
    return max(options.years) if options.years else ALL_YEARS


def _parse_year(options: FilterOptions) -> int | str:
    raw = url_value("year")
    if raw is None:
        return _default_year(options)
    if raw == ALL_YEARS:
        return ALL_YEARS
    if raw.isdigit() and int(raw) in options.years:
        return int(raw)
    reject_url_value("year", raw)
    return _default_year(options)


def _parse_list(url_key: str, options: FilterOptions) -> list[Any]:
    allowed = options.allowed(url_key)
    by_text = {str(v).lower(): v for v in allowed}
    chosen: list[Any] = []
    for raw in _url_values(url_key):
        value = by_text.get(raw.lower())
        if value is None:
            reject_url_value(url_key, raw)
        elif value not in chosen:
            chosen.append(value)
    return chosen


def _clear_filters(options: FilterOptions) -> None:
    st.session_state["f_year"] = _default_year(options)
    for state_key in URL_FILTERS.values():
        st.session_state[state_key] = []


def sidebar_filters(options: FilterOptions) -> KpiFilters:
    """Year, PTj, MQA category, mode, platform and MC type in the sidebar, first filled from the URL."""
    if "f_year" not in st.session_state:
        st.session_state["f_year"] = _parse_year(options)
        for url_key, state_key in URL_FILTERS.items():
            st.session_state[state_key] = _parse_list(url_key, options)
    # Options can change when a new ETL run lands: drop values that are no longer offered.
    if st.session_state["f_year"] != ALL_YEARS and st.session_state["f_year"] not in options.years:
        st.session_state["f_year"] = _default_year(options)
    for url_key, state_key in URL_FILTERS.items():
        allowed = options.allowed(url_key)
        st.session_state[state_key] = [v for v in st.session_state.get(state_key, []) if v in allowed]

    chosen_lang = lang()  # bound into the format functions, which may be called outside the script run
    sb = st.sidebar
    sb.header(t("filters.header"))
    # "All years" is a real option, not None: a selectbox showing None shows its "choose" placeholder instead.
    year_choice = sb.selectbox(
        t("filters.year"),
        [ALL_YEARS, *sorted(options.years, reverse=True)],
        format_func=lambda y: t("filters.all_years", chosen_lang) if y == ALL_YEARS else str(y),
        key="f_year",
    )
    year = None if year_choice == ALL_YEARS else int(year_choice)
    chosen: dict[str, list[Any]] = {
        "ptj": sb.multiselect(
            t("filters.ptj"),
            options.ptj_codes,
            format_func=lambda c: f"{c} · {options.ptj_name(c, chosen_lang)}",
            key=URL_FILTERS["ptj"],
            placeholder=t("filters.any"),
        )
    }
    for url_key, title_key, prefix in LABELLED_FILTERS:
        chosen[url_key] = sb.multiselect(
            t(title_key),
            options.allowed(url_key),
            format_func=lambda value, prefix=prefix: label(prefix, value, chosen_lang),
            key=URL_FILTERS[url_key],
            placeholder=t("filters.any"),
        )
    sb.button(t("filters.clear"), on_click=_clear_filters, args=(options,), icon=":material/filter_alt_off:")
    sb.caption(t("filters.share_hint"))

    # The year is always written, even the default one: a link shared today shows this year's figures next year.
    set_url_value("year", str(year_choice) if options.years else None)
    for url_key, values in chosen.items():
        set_url_value(url_key, [str(v) for v in values])

    filters = KpiFilters(
        year=year,
        ptj_codes=tuple(chosen["ptj"]),
        mqa_categories=tuple(int(c) for c in chosen["mqa"]),
        modes=tuple(chosen["mode"]),
        platforms=tuple(chosen["platform"]),
        mc_types=tuple(chosen["mctype"]),
    )
    st.session_state["_filters"] = filters
    st.session_state["_options"] = options
    return filters


def current_filters() -> KpiFilters:
    """The sidebar filters of this run (set by app.py before the page runs)."""
    return st.session_state.get("_filters") or KpiFilters()


def current_options() -> FilterOptions:
    return st.session_state.get("_options") or FilterOptions()


def lang() -> str:
    value = st.session_state.get("lang", DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def page_select(
    name: str,
    options: Sequence[Any],
    *,
    title: str,
    format_func: Callable[[Any], str] = str,
    default: Any = None,
    key: str | None = None,
) -> Any:
    """A selectbox on a page whose choice is kept in the URL parameter `name`."""
    key = key or f"p_{name}"
    if not options:
        return None
    if key not in st.session_state or st.session_state[key] not in options:
        wanted = url_value(name)
        by_text = {str(o): o for o in options}
        if wanted is not None and wanted not in by_text:
            reject_url_value(name, wanted)
        st.session_state[key] = by_text.get(wanted or "", default if default in options else options[0])
    value = st.selectbox(title, options, format_func=format_func, key=key)
    set_url_value(name, None if value is None else str(value))
    return value


def page_choice(
    name: str, options: Sequence[str], *, title: str, format_func: Callable[[Any], str] = str, key: str | None = None
) -> str:
    """A segmented control on a page (one of a few options) whose choice is kept in the URL parameter `name`."""
    key = key or f"p_{name}"
    if key not in st.session_state:
        wanted = url_value(name)
        if wanted is not None and wanted not in options:
            reject_url_value(name, wanted)
        st.session_state[key] = wanted if wanted in options else options[0]
    value = st.segmented_control(title, options, format_func=format_func, key=key) or options[0]
    set_url_value(name, None if value == options[0] else value)
    return value


def page_multiselect(
    name: str,
    options: Sequence[Any],
    *,
    title: str,
    format_func: Callable[[Any], str] = str,
    default: Sequence[Any] = (),
    max_selections: int | None = None,
    key: str | None = None,
) -> list[Any]:
    """A multiselect on a page whose choice is kept in the URL parameter `name`."""
    key = key or f"p_{name}"
    if key not in st.session_state:
        by_text = {str(o): o for o in options}
        chosen = []
        for raw in url_values(name):
            if raw in by_text and by_text[raw] not in chosen:
                chosen.append(by_text[raw])
            else:
                reject_url_value(name, raw)
        if not url_values(name):
            chosen = [o for o in default if o in options]
        st.session_state[key] = chosen[:max_selections] if max_selections else chosen
    else:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    values = st.multiselect(
        title, options, format_func=format_func, key=key, max_selections=max_selections,
        placeholder=t("filters.any"),
    )
    set_url_value(name, [str(v) for v in values])
    return values


# --- banners -------------------------------------------------------------------------------------------------


def demo_label() -> None:
    st.warning(t("demo.label"), icon=":material/science:")


def format_age(hours: float) -> str:
    if hours < 1:
        return t("age.minutes", n=max(int(hours * 60), 0))
    if hours < 48:
        return t("age.hours", n=f"{hours:.0f}")
    return t("age.days", n=f"{hours / 24:.0f}")


def format_when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else t("fresh.unknown")


def freshness_banner(fresh: Any) -> None:
    """Warning when the data is older than the limit, error when the last ETL run failed, else a caption."""
    if fresh is None:
        return
    if fresh.last_run_failed:
        st.error(
            t("fresh.failed", when=format_when(fresh.last_run_at), message=(fresh.last_run_message or "").strip()),
            icon=":material/sync_problem:",
        )
    elif fresh.last_run_incomplete:
        st.warning(
            t("fresh.incomplete", when=format_when(fresh.last_run_at),
              message=(fresh.last_run_message or "").strip()),
            icon=":material/report:",
        )
    if fresh.is_stale:
        st.warning(
            t(
                "fresh.stale",
                when=format_when(fresh.published_at),
                age=format_age(fresh.age_hours or 0),
                max_age=f"{fresh.max_age_hours:g}",
            ),
            icon=":material/schedule:",
        )


# --- numbers -------------------------------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | Decimal) and math.isnan(value))
    except TypeError:
        return False


def fmt_rm(value: Any) -> str:
    """RM 1,234,567.00 (negative: RM -1,234.00)."""
    if is_missing(value):
        return "–"
    return f"RM {float(value):,.2f}"


def fmt_pct(value: Any, digits: int = 1) -> str:
    if is_missing(value):
        return "–"
    return f"{float(value):.{digits}f}%"


def fmt_count(value: Any) -> str:
    if isinstance(value, str):
        return value
    if is_missing(value):
        return "–"
    return f"{int(round(float(value))):,}"


def fmt_hours(value: Any) -> str:
    if is_missing(value):
        return "–"
    return f"{float(value):,.1f}"


def fmt_value(value: Any, unit: str) -> str:
    """A KPI value in its unit: rm, pct, hours, days or count."""
    if isinstance(value, str):
        return value
    if unit == "rm":
        return fmt_rm(value)
    if unit == "pct":
        return fmt_pct(value)
    if unit in {"hours", "days"}:
        return fmt_hours(value)
    return fmt_count(value)


def fmt_change(value: Any, unit: str) -> str | None:
    """A signed change for st.metric's delta: +1,234 / -RM 12.00 / +3.2 pp."""
    if is_missing(value):
        return None
    v = float(value)
    sign = "+" if v >= 0 else "-"
    if unit == "rm":
        return f"{sign}RM {abs(v):,.2f}"
    if unit == "pct":
        return f"{sign}{abs(v):.1f} pp"
    if unit in {"hours", "days"}:
        return f"{sign}{abs(v):,.1f}"
    return f"{sign}{abs(v):,.0f}"


# --- cards and badges ----------------------------------------------------------------------------------------

STATUS_BADGE = {
    "on_track": ("green", ":material/check_circle:"),
    "not_started": ("gray", ":material/hourglass_empty:"),
    "at_risk": ("orange", ":material/warning:"),
    "behind": ("red", ":material/error:"),
}


def status_badge(status: str | None) -> None:
    if status in STATUS_BADGE:
        colour, icon = STATUS_BADGE[status]
        st.badge(t(f"status.{status}"), color=colour, icon=icon)
    else:
        st.badge(t("status.no_target"), color="gray")


def kpi_card(
    title: str,
    value: Any,
    *,
    unit: str = "count",
    help: str | None = None,
    delta: Any = None,
    delta_description: str | None = None,
    sparkline: Sequence[float] | None = None,
    status: str | None = None,
    show_status: bool = False,
    lines: Iterable[str] = (),
    key: str | None = None,
) -> None:
    """A bordered card: the KPI value (definition one hover away), change vs last year, sparkline, status."""
    with st.container(border=True, key=key):
        st.metric(
            title,
            fmt_value(value, unit),
            delta=fmt_change(delta, unit),
            delta_description=delta_description,
            help=help,
            chart_data=list(sparkline) if sparkline is not None and len(sparkline) > 1 else None,
            chart_type="line",
        )
        if show_status:
            status_badge(status)
        for line in lines:
            st.caption(line)


# --- tables, charts, downloads -------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "data"


def column_config(df: pd.DataFrame) -> dict[str, Any]:
    """Number formats by column name: *_rm as RM with thousands separators, *_pct as %, hours with one decimal."""
    config: dict[str, Any] = {}
    for col in df.columns:
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            continue
        if col.endswith("_rm"):
            config[col] = st.column_config.NumberColumn(column(col), format="RM %,.2f")
        elif col.endswith("_pct"):
            config[col] = st.column_config.NumberColumn(column(col), format="%,.1f")  # the header says (%)
        elif col.endswith("_hours") or col.startswith("median_days"):
            config[col] = st.column_config.NumberColumn(column(col), format="%,.1f")
        elif col == "year":
            config[col] = st.column_config.NumberColumn(column(col), format="%d")
        elif pd.api.types.is_integer_dtype(df[col]):
            config[col] = st.column_config.NumberColumn(column(col), format="%,d")
        else:
            config[col] = st.column_config.NumberColumn(column(col))
    for col in df.columns:
        config.setdefault(col, column(col))
    return config


def column_label(name: str) -> str:
    return column(name)


def export_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table as a download: translated headers, booleans as Yes/No."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: t("yes"), False: t("no")})
    out.columns = [column(c) for c in out.columns]
    return out


def _audited(fmt: str, name: str, kpi_id: str | None, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """The download's bytes, with an audit record (who, page, KPI, filters, format) written when it is fetched.
    Who and where are read now: the bytes are built later, outside the script run."""
    identity = auth.current_identity()
    filters = current_filters()
    record = {
        "user": identity.user if identity else None,
        "role": identity.role if identity else None,
        "page": st.session_state.get("_mckpi_page"),
        "kpi": kpi_id,
        "name": name,
        "format": fmt,
        "filters": {k: v for k, v in dataclasses.asdict(filters).items() if v not in (None, (), [])},
    }

    def fetch() -> bytes:
        data = build()
        audit.write_event("download", **record)
        return data

    return fetch


def download_buttons(df: pd.DataFrame, name: str) -> None:
    """CSV and Excel of the table as shown (small cells stay "<5"); built only when clicked, and recorded in the
    audit log (read/audit.py) when fetched. Cells that a spreadsheet would run as a formula are escaped."""
    shown = export_frame(df)
    slug = _slug(name)
    kpi_id = df.attrs.get("kpi_id")
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        t("download.csv"),
        data=_audited("csv", name, kpi_id, lambda: export.to_csv_bytes(shown)),
        file_name=f"mckpi-{slug}.csv",
        mime="text/csv",
        key=f"csv_{slug}",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        t("download.xlsx"),
        data=_audited("xlsx", name, kpi_id, lambda: export.to_excel_bytes(shown, sheet_name=name)),
        file_name=f"mckpi-{slug}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{slug}",
        icon=":material/table_view:",
        on_click="ignore",
    )


def table(
    df: pd.DataFrame, *, name: str, downloads: bool = True, height: int | str = "auto", wide: Sequence[str] = ()
) -> None:
    """A data table with translated headers and number formats, plus its download buttons. At university level
    the group columns only say 'ALL / University': they are left out."""
    if "group_key" in df.columns and df["group_key"].eq("ALL").all():
        df = df.drop(columns=[c for c in ("group_key", "group_label") if c in df.columns])
    config = column_config(df)
    for col in wide:  # text columns that should not be cut (long labels)
        config[col] = st.column_config.TextColumn(column(col), width="medium")
    st.dataframe(df, column_config=config, hide_index=True, width="stretch", height=height, placeholder="–",
                 key=f"tbl_{_slug(name)}")
    if downloads:
        download_buttons(df, name)


def chart_with_data(fig: go.Figure, df: pd.DataFrame, name: str, *, note: str | None = None) -> None:
    """The chart, then an expander with its data and the CSV / Excel download buttons."""
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=f"chart_{_slug(name)}")
    if note and df.isin([SUPPRESSED]).to_numpy().any():  # say so where the chart has gaps
        st.caption(note)
    with st.expander(t("show_data"), icon=":material/table:"):
        table(df, name=name)


def empty_state(message: str | None = None) -> None:
    st.info(f"{message or t('empty')} {t('empty.hint')}", icon=":material/filter_alt_off:")


def kpi_error(kpi_id: str, error: str) -> None:
    if error.startswith("not permitted"):  # the role may not see it (read/access.py): say so plainly
        st.info(auth.text("kpi_denied", lang()), icon=":material/lock:")
        return
    st.warning(t("kpi.failed", kpi=kpi_id, error=error), icon=":material/error:")


def privacy_values() -> dict[str, Any]:
    """The [privacy] figures the protection notes quote (from mckpi.toml)."""
    p = load_settings().privacy
    return {"limit": p.small_cell_limit, "below": p.small_cell_limit - 1, "base": p.rounding_base,
            "rate": p.rate_min_population, "avg": p.average_min_population}


def protection_note() -> str:
    """Which protection the signed-in person's figures have: exact (management) or rounded (every other role)."""
    kind = protection_for(auth.current_scope().role, load_settings().privacy.method)
    return t("privacy.exact" if kind == EXACT else "privacy.rounded", **privacy_values())


def page_header(title_key: str, intro_key: str | None = None, **values: Any) -> None:
    st.title(t(title_key))
    if intro_key:
        st.caption(t(intro_key, **values))
    st.caption(protection_note())  # every page says how its figures are protected


def active_filters_caption(filters: KpiFilters) -> None:
    """One line saying which filters apply, so a screenshot carries its own context."""
    parts = [str(filters.year) if filters.year else t("filters.all_years")]
    if filters.ptj_codes:
        parts.append(f"{t('filters.ptj')}: {', '.join(filters.ptj_codes)}")
    if filters.mqa_categories:
        parts.append(", ".join(label("mqa", c) for c in filters.mqa_categories))
    if filters.modes:
        parts.append(", ".join(label("mode", m) for m in filters.modes))
    if filters.platforms:
        parts.append(", ".join(label("platform", p) for p in filters.platforms))
    if filters.mc_types:
        parts.append(", ".join(label("mc_type", m) for m in filters.mc_types))
    st.caption(t("filters.active", items=" · ".join(parts)))


def has_rows(frame: Any, *, message: str | None = None) -> bool:
    """True when a KPI frame has rows; otherwise shows why not (the error, or the empty state) and returns False."""
    if getattr(frame, "error", None):
        kpi_error(frame.kpi_id, frame.error)
        return False
    if frame.empty:
        empty_state(message)
        return False
    return True
