"""Widgets shared by the pages: banners, KPI cards, tables with their downloads, charts with their data."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.config import load_settings
from dashboard import auth
from dashboard.filters import current_filters, lang
from dashboard.formats import (
    fmt_card,
    fmt_card_change,
    fmt_value,
    format_age,
    format_when,
    is_compact,
    is_missing,
)
from dashboard.words import column, label, t
from read import audit
from read import cells as export
from read.kpi import KpiFilters
from read.privacy import EXACT, protection_for

SUPPRESSED = "<5"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")


# --- banners -------------------------------------------------------------------------------------------------


def demo_label() -> None:
    st.warning(t("demo.label"), icon=":material/science:")



def snapshot_banner(label: str, info: dict[str, str], taken: datetime | None) -> None:
    """Said on every page while a snapshot is shown: these are frozen figures, not live data."""
    st.warning(t("source.banner", label=label, taken=format_when(taken), run=info.get("etl_run_id") or "?"),
               icon=":material/ac_unit:")



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
    """A bordered card: the KPI value (compact when large: RM 1.94 M; the exact value and the definition one hover
    away), change vs last year, sparkline, status."""
    chosen = lang()
    if is_compact(value, unit, chosen):
        exact = t("card.exact", value=fmt_value(value, unit))
        help = f"{exact}\n\n{help}" if help else exact
    with st.container(border=True, key=key):
        st.metric(
            title,
            fmt_card(value, unit, chosen),
            delta=fmt_card_change(delta, unit, chosen),
            delta_description=delta_description,
            # No change is neither good nor bad: grey, no arrow (Streamlit drew "+0" as a green rise).
            **({"delta_color": "off", "delta_arrow": "off"} if not is_missing(delta) and float(delta) == 0 else {}),
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


def export_frame(df: pd.DataFrame, headers: dict[str, str] | None = None, lang_now: str | None = None) -> pd.DataFrame:
    """The table as a download: translated headers (`headers`, else in the session's language), booleans as
    Yes/No. Built when the download is fetched, not in every script run."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: t("yes", lang_now), False: t("no", lang_now)})
    out.columns = [(headers or {}).get(c) or column(c) for c in out.columns]
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


# Keys that name a row: pinned on the left of a table, so they stay in view while it scrolls sideways.
KEY_COLUMNS = ("kpi_title", "staff_name", "course_title", "group_label", "course_code", "ptj_code", "period",
               "month", "year")


def download_name(name: str, ext: str, *, today: date | None = None) -> str:
    """mckpi_<page>_<table>_<year>_<PTjs>_<date>.<ext>: a file that says which page, filters and day it is from."""
    filters = current_filters()
    page = st.session_state.get("_mckpi_page") or "page"
    parts = ["mckpi", page]
    table_slug = _slug(name).removeprefix(f"{page}-")
    if table_slug != page:
        parts.append(table_slug)
    parts.append(str(filters.year) if filters.year else "all-years")
    if filters.ptj_codes:
        parts.append("-".join(filters.ptj_codes))
    day = today or datetime.now(MALAYSIA).date()
    parts.append(day.isoformat())
    return "_".join(parts) + f".{ext}"


def download_buttons(df: pd.DataFrame, name: str) -> None:
    """CSV and Excel of the table (numbers stay numbers: formatting belongs to the page; small cells stay "<5");
    built only when clicked, and recorded in the audit log (read/audit.py) when fetched. Cells that a spreadsheet
    would run as a formula are escaped."""
    slug = _slug(name)
    kpi_id = df.attrs.get("kpi_id")
    # Words in this run's language: the bytes are built when the download is fetched, after the run.
    headers, chosen = {c: column(c) for c in df.columns}, lang()
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        t("download.csv"),
        data=_audited("csv", name, kpi_id, lambda: export.to_csv_bytes(export_frame(df, headers, chosen))),
        file_name=download_name(name, "csv"),
        mime="text/csv",
        key=f"csv_{slug}",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        t("download.xlsx"),
        data=_audited("xlsx", name, kpi_id,
                      lambda: export.to_excel_bytes(export_frame(df, headers, chosen), sheet_name=name)),
        file_name=download_name(name, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{slug}",
        icon=":material/table_view:",
        on_click="ignore",
    )


def pinned_column(df: pd.DataFrame) -> str | None:
    """The column that names a row (the first of KEY_COLUMNS present)."""
    return next((c for c in KEY_COLUMNS if c in df.columns), None)


def table(
    df: pd.DataFrame, *, name: str, downloads: bool = True, height: int | str = "auto", wide: Sequence[str] = (),
    download: pd.DataFrame | None = None,
) -> None:
    """A data table with translated headers and number formats, its key column pinned (it stays in view when the
    table scrolls sideways), plus its download buttons (of `download` when the table shows formatted text, so
    the file keeps numbers as numbers). At university level the group columns only say 'ALL / University': they
    are left out."""
    def drop_all(frame: pd.DataFrame) -> pd.DataFrame:
        if "group_key" in frame.columns and frame["group_key"].eq("ALL").all():
            return frame.drop(columns=[c for c in ("group_key", "group_label") if c in frame.columns])
        return frame

    df = drop_all(df)
    config = column_config(df)
    for col in wide:  # text columns that should not be cut (long labels)
        config[col] = st.column_config.TextColumn(column(col), width="medium")
    key_col = pinned_column(df)
    if key_col is not None:
        base = config.get(key_col)
        config[key_col] = (st.column_config.Column(base, pinned=True) if isinstance(base, str)
                           else {**base, "pinned": True})
    st.dataframe(df, column_config=config, hide_index=True, width="stretch", height=height, placeholder="–",
                 key=f"tbl_{_slug(name)}")
    if downloads:
        download_buttons(drop_all(download) if download is not None else df, name)


def chart_with_data(fig: go.Figure, df: pd.DataFrame, name: str, *, note: str | None = None) -> None:
    """The chart, then an expander with its data and the CSV / Excel download buttons."""
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=f"chart_{_slug(name)}")
    if note and df.isin([SUPPRESSED]).to_numpy().any():  # say so where the chart has gaps
        st.caption(note)
    # Drawn only when opened: a data grid and two download buttons per chart were a large share of the browser's
    # work on every page view, for a table most visits never open (opening it reruns the page from the cache).
    data = st.expander(t("show_data"), icon=":material/table:", key=f"data_{_slug(name)}", on_change="rerun")
    if data.open:
        with data:
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
