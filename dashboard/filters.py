"""URL-backed filters: the sidebar (language, data source, year and list filters) and the page selectors.

The sidebar filters live in `st.query_params`, so a copied URL reproduces the view. The parameters:
`lang` (en|ms), `year` (a year or `all`), `ptj`, `mqa`, `mode`, `platform`, `mctype` (comma-separated lists).
Pages may add their own (`course`, `run`, `courses`) through `url_value`/`set_url_value`.
Values that are unknown or invalid are dropped with one notice; nothing in a URL can raise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.contracts import DELIVERY_MODES, MC_TYPES, MQA_CATEGORIES, PLATFORMS
from dashboard.words import DEFAULT_LANG, LANG_NAMES, LANGS, label, t
from read.kpi import KpiFilters

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

