"""Data access for the pages: the only dashboard code that calls the KPI layer.

- The `Warehouse` handle is a `st.cache_resource` (one per warehouse path); it reopens by itself when the ETL
  publishes a new file.
- KPI results are `st.cache_data`, keyed on (ETL run id, KPI id, filters, breakdown, language, access scope): a new
  ETL run gets new keys, so fresh figures show without restarting the app, and one role's figures are never served
  to another.
- Every KPI goes through `read.access.run_scoped` with the signed-in person's scope (dashboard/auth.py): a
  figure the role may not see comes back as an empty frame with `denied` set.
- Nothing here raises into a page: a KPI that fails comes back as an empty `KpiFrame` with `error` set.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import streamlit as st

from core import demo_proof
from core.config import Settings, load_settings
from core.model_docs import ModelDocsError
from core.runlog import LOCK_NAME, fallback_runlog_path, published_runs, runlog_path
from dashboard import auth
from dashboard.ui import FilterOptions
from read import access
from read.kpi import AccessScope, KpiError, KpiFilters, KpiSpec, get_kpi, list_kpis
from read.model_docs import SourceDoc, kpi_sources
from read.snapshot import SnapshotInfo, list_snapshots, snapshot_path
from read.warehouse import QueryTimeout, Warehouse, WarehouseMissing

log = logging.getLogger(__name__)
MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")
CACHE_TTL_S = 6 * 3600


@dataclass(frozen=True)
class KpiFrame:
    """One KPI result ready for a page: `df` has numbers (Decimal money as float, hidden cells NaN/None);
    `display` is the same rows as shown (hidden cells "<5", PTj names in the chosen language)."""

    kpi_id: str
    by: str
    df: pd.DataFrame
    display: pd.DataFrame
    suppressed: int = 0
    error: str | None = None
    denied: bool = False  # the signed-in role may not see this KPI at this breakdown (or with these filters)

    @property
    def empty(self) -> bool:
        return self.df.empty

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class WarehouseStatus:
    ok: bool
    problem: str | None = None  # "missing" | "unreadable"
    error: str = ""
    run_id: str | None = None
    info: dict[str, str] = field(default_factory=dict)

    @property
    def is_demo(self) -> bool:
        return str(self.info.get("is_demo", "")).lower() == "true"


@dataclass(frozen=True)
class Freshness:
    published_at: datetime | None  # Malaysia time, naive
    age_hours: float | None
    max_age_hours: float
    last_run: dict[str, Any] | None  # last line of etl_runs.jsonl

    @property
    def is_stale(self) -> bool:
        return self.age_hours is not None and self.age_hours > self.max_age_hours

    @property
    def last_run_failed(self) -> bool:
        return bool(self.last_run) and str(self.last_run.get("status")) == "failed"

    @property
    def last_run_incomplete(self) -> bool:
        """Published, but some files or sources did not load (etl.completeness)."""
        return bool(self.last_run) and str(self.last_run.get("status")) == "incomplete"

    @property
    def last_run_at(self) -> datetime | None:
        if not self.last_run:
            return None
        return parse_time(self.last_run.get("finished_at") or self.last_run.get("started_at"))

    @property
    def last_run_message(self) -> str:
        return str((self.last_run or {}).get("message") or "")


# --- settings and the warehouse handle -----------------------------------------------------------------------


def settings() -> Settings:
    """Read per run: cheap, and honours MCKPI_* environment overrides (the tests point the app elsewhere)."""
    return load_settings()


_SNAPSHOT_KEY = "_mckpi_snapshot"


def live_warehouse_path() -> Path:
    return settings().paths.warehouse


def warehouse_path() -> Path:
    """The published warehouse, or the frozen snapshot chosen in the sidebar (`use_snapshot`)."""
    label = snapshot_label()
    return snapshot_path(settings(), label) if label else live_warehouse_path()


def snapshot_label() -> str | None:
    label = st.session_state.get(_SNAPSHOT_KEY)
    return label if isinstance(label, str) and label else None


def use_snapshot(label: str | None) -> None:
    """Read a snapshot (a label from `snapshots()`) instead of live data for the rest of this run; None = live."""
    st.session_state[_SNAPSHOT_KEY] = label


@st.cache_data(show_spinner=False, ttl=30)
def _snapshots(folder: str) -> list[SnapshotInfo]:
    return list_snapshots(settings())


def snapshots() -> list[SnapshotInfo]:
    """The frozen snapshots (`mckpi snapshot --label ...`), oldest first; [] when there are none."""
    try:
        return _snapshots(str(settings().paths.snapshots))
    except (OSError, duckdb.Error):
        return []


def _run_key(status: WarehouseStatus) -> str:
    """What cached results are keyed on: the ETL run and, for a snapshot, its label (a snapshot is a copy of a
    build, so it carries that build's run id)."""
    return f"{status.run_id}|{snapshot_label() or ''}"


def run_key(status: WarehouseStatus) -> str:
    return _run_key(status)


def live_run_key(path: str) -> str | None:
    """The run key of the live warehouse at `path` as a page without a snapshot would compute it, asked
    without a session (the publish watcher in dashboard/warm.py); None when there is none to read."""
    try:
        run_id = _warehouse(path).etl_run_id()
    except WarehouseMissing:
        return None
    return f"{run_id}|" if run_id else None


@st.cache_resource(show_spinner=False)
def _warehouse(path: str) -> Warehouse:
    # A memory limit: DuckDB would otherwise keep up to 80 % of the machine in its page cache (1.1 GB of server
    # RSS at 10M enrolments after every page; 0.3-0.5 GB with 512MB).
    return Warehouse(path, memory_limit=settings().dashboard.memory_limit or None)


def warehouse() -> Warehouse:
    return _warehouse(str(warehouse_path()))


_STATUS_KEY = "_warehouse_status"


def warehouse_status() -> WarehouseStatus:
    """Is there a readable warehouse, and which ETL run built it. One small query, asked by app.py at the start
    of every rerun; the KPI calls of that rerun reuse the answer (`current_status`)."""
    wh = warehouse()
    try:
        run_id = wh.etl_run_id()
        status = WarehouseStatus(ok=True, run_id=run_id, info=_info(str(wh.path), run_id or ""))
    except WarehouseMissing:
        status = WarehouseStatus(ok=False, problem="missing")
    except (duckdb.Error, OSError, QueryTimeout) as exc:
        status = WarehouseStatus(ok=False, problem="unreadable", error=_short(exc))
    st.session_state[_STATUS_KEY] = status
    return status


def current_status() -> WarehouseStatus:
    """The status app.py read at the start of this rerun (read now if there is none)."""
    status = st.session_state.get(_STATUS_KEY)
    return status if isinstance(status, WarehouseStatus) else warehouse_status()


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_S)
def _info(path: str, run_id: str) -> dict[str, str]:
    wh = warehouse()
    info = wh.info()
    # Demo (served without sign-in) only when the data proves it: the fingerprint the ETL recorded must be the one
    # of the files etl_files lists now, made with the demo key (core/demo_proof.py). A flag alone is not enough.
    try:
        hashes = wh.query("select distinct sha256 from etl_files where coalesce(status, '') <> 'ignored'",
                          {}).column(0).to_pylist()
    except (duckdb.Error, QueryTimeout):
        hashes = []
    proven = demo_proof.fingerprint_matches(info, hashes, settings().privacy.demo_pseudonym_key)
    info["is_demo"] = "true" if proven else "false"
    return info


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def is_demo(status: WarehouseStatus) -> bool:
    """Label the page "Demo mode": a readable warehouse says for itself (proven demo data); MCKPI_DEMO only
    matters while there is none, so a real warehouse is never labelled demo."""
    if status.ok:
        return status.is_demo
    return os.environ.get("MCKPI_DEMO", "").strip().lower() in {"1", "true", "yes"}


# --- KPIs ----------------------------------------------------------------------------------------------------


def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Decimal columns (money) to float for charts; other columns as they are."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            values = out[col].dropna()
            if len(values) and all(isinstance(v, Decimal) for v in values):
                out[col] = pd.to_numeric(out[col].map(lambda v: None if v is None else float(v)), errors="coerce")
    return out


def _display(df: pd.DataFrame) -> pd.DataFrame:
    """Money as float in the shown table too. A learner-count column holding "<5" markers becomes text
    throughout ("1,234" / "<5"), so the table has one type per column."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        values = out[col].dropna()
        if len(values) and all(isinstance(v, Decimal) for v in values):
            out[col] = out[col].map(lambda v: None if v is None else float(v)).astype(float)
        elif any(isinstance(v, str) for v in values) and any(isinstance(v, int | float | Decimal) for v in values):
            out[col] = out[col].map(_count_text)
    return out


def _count_text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_S, max_entries=4000)
def _run_cached(run_id: str | None, path: str, kpi_id: str, filters_key: tuple, by: str, lang: str,
                scope_key: tuple) -> KpiFrame:
    # `path` (the live warehouse or the snapshot the run key names) is passed in rather than read from the
    # session, so the cache warmer (dashboard/warm.py) fills the same entries from its own thread.
    filters = KpiFilters(*filters_key)
    result = access.run_scoped(_warehouse(path), kpi_id, filters, by=by, scope=access.scope_from_key(scope_key),
                               settings=settings())
    df, display = _numbers(result.df()), _display(result.display_df(lang))
    df.attrs["kpi_id"] = display.attrs["kpi_id"] = kpi_id  # downloads say which KPI they came from (audit log)
    return KpiFrame(
        kpi_id=kpi_id,
        by=by,
        df=df,
        display=display,
        suppressed=len(result.suppressed),
    )


def kpi(kpi_id: str, filters: KpiFilters | None = None, *, by: str = "university", lang: str = "en",
        scope: AccessScope | None = None) -> KpiFrame:
    """One KPI for these filters and breakdown, as the signed-in person may see it (`scope` defaults to theirs);
    an empty frame with `error` set if it cannot be computed, and `denied` too if the role may not see it."""
    filters = filters or KpiFilters()
    scope = scope if scope is not None else auth.current_scope()
    status = current_status()
    if not status.ok:
        return _failed(kpi_id, by, status.error or status.problem or "no warehouse")
    return kpi_for(_run_key(status), str(warehouse_path()), kpi_id, filters, by=by, lang=lang,
                   scope_key=access.scope_key(scope))


def kpi_for(run_key: str, path: str, kpi_id: str, filters: KpiFilters, *, by: str, lang: str,
            scope_key: tuple) -> KpiFrame:
    """`kpi` without the session: the run key, warehouse path and scope given (the cache warmer's entry)."""
    try:
        return _run_cached(run_key, path, kpi_id, astuple(filters), by, lang, scope_key)
    except access.AccessDenied as exc:
        return _failed(kpi_id, by, _short(exc), denied=True)
    except (KpiError, QueryTimeout, WarehouseMissing, duckdb.Error, OSError, ValueError) as exc:
        return _failed(kpi_id, by, _short(exc))
    except Exception as exc:  # a page shows a short message, never a traceback; the log keeps the details
        log.exception("KPI %s (by %s) failed", kpi_id, by)
        return _failed(kpi_id, by, _short(exc))


def card_value(frame: KpiFrame, measure: str, *, year: int | None = None) -> Any:
    """What a KPI card shows for `measure` (summed over the frame's rows, or one year's): the number, or the
    protected form when a hidden count is in it ("<5" when every cell is hidden, "≥ 20" when some are): never 0
    for a count that was hidden. No rows at all: 0 (nothing there to protect)."""
    if not frame.ok or frame.empty or measure not in frame.df:
        return 0
    rows = frame.df["year"].eq(year) if year is not None and "year" in frame.df else pd.Series(True, frame.df.index)
    values = frame.df.loc[rows, measure]
    if values.empty:
        return 0
    if not values.isna().any():
        return values.sum()
    markers = [v for v in frame.display.loc[rows, measure] if isinstance(v, str)] if measure in frame.display else []
    if values.notna().any():
        shown = values.dropna().sum()
        return f"≥ {shown:,.0f}" if float(shown) == int(shown) else f"≥ {shown:,.2f}"
    return markers[0] if markers else "–"


def _failed(kpi_id: str, by: str, error: str, *, denied: bool = False) -> KpiFrame:
    return KpiFrame(kpi_id=kpi_id, by=by, df=pd.DataFrame(), display=pd.DataFrame(), error=error, denied=denied)


@st.cache_resource(show_spinner=False, ttl=60)
def _specs() -> dict[str, KpiSpec]:
    return {spec.id: spec for spec in list_kpis()}


def specs() -> list[KpiSpec]:
    """Every KPI's header (title, definition, unit ...), sorted by id."""
    try:
        return list(_specs().values())
    except KpiError:
        return []


@st.cache_resource(show_spinner=False, ttl=60)
def _source_docs() -> dict[str, list[SourceDoc]]:
    return {spec.id: kpi_sources(spec) for spec in list_kpis()}


def source_docs(kpi_id: str) -> list[SourceDoc]:
    """The KPI's source tables with their description and the docs of the columns it uses ([] when the docs or
    the KPI files do not parse: the definitions still show)."""
    try:
        return _source_docs().get(kpi_id, [])
    except (KpiError, ModelDocsError):
        return []


def spec(kpi_id: str) -> KpiSpec | None:
    try:
        return _specs().get(kpi_id) or get_kpi(kpi_id)
    except KpiError:
        return None


def kpi_title(kpi_id: str, lang: str) -> str:
    found = spec(kpi_id)
    return found.title(lang) if found else kpi_id


def kpi_help(kpi_id: str, lang: str) -> str | None:
    found = spec(kpi_id)
    return found.definition(lang) if found else None


def kpi_unit(kpi_id: str) -> str:
    found = spec(kpi_id)
    return found.unit if found else "count"


def kpi_per_ptj(kpi_id: str, filters: KpiFilters, *, by: str, lang: str = "en") -> KpiFrame:
    """A KPI broken down by `by` (course, course_run ...) within each PTj, with a `ptj_code` column first: the
    PTj x course tables. One cached KPI call per PTj (the KPI outputs carry no PTj at course grain)."""
    codes = filters.ptj_codes or tuple(sorted(filter_options(current_status()).ptj_names))
    frames, displays = [], []
    for code in codes:
        part = kpi(kpi_id, _replace(filters, ptj_codes=(code,)), by=by, lang=lang)
        if not part.ok:
            return part
        if not part.empty:
            frames.append(part.df.assign(ptj_code=code))
            displays.append(part.display.assign(ptj_code=code))
    if not frames:
        return KpiFrame(kpi_id=kpi_id, by=by, df=pd.DataFrame(), display=pd.DataFrame())
    df, display = pd.concat(frames, ignore_index=True), pd.concat(displays, ignore_index=True)
    first = ["ptj_code"]
    return KpiFrame(
        kpi_id=kpi_id,
        by=by,
        df=df[first + [c for c in df.columns if c not in first]],
        display=display[first + [c for c in display.columns if c not in first]],
    )


# --- filter options ------------------------------------------------------------------------------------------


def filter_options(status: WarehouseStatus) -> FilterOptions:
    """Years with data and the PTjs with their English and Malay names, from the KPI layer: only the PTjs the
    signed-in role may see (none for a viewer or lecturer), so a URL naming another PTj is dropped with a notice."""
    if not status.ok:
        return FilterOptions()
    return filter_options_for(_run_key(status), str(warehouse_path()), access.scope_key(auth.current_scope()))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL_S)
def filter_options_for(run_key: str, path: str, scope_key: tuple) -> FilterOptions:
    """`filter_options` without the session (the cache warmer calls it too)."""
    years: set[int] = set()
    for kpi_id in ("enrolments", "courses_offered", "revenue"):
        frame = kpi_for(run_key, path, kpi_id, KpiFilters(), by="university", lang="en", scope_key=scope_key)
        if frame.ok and "year" in frame.df.columns:
            years.update(int(y) for y in frame.df["year"].dropna())
    names: dict[str, dict[str, str]] = {}
    for lang in ("en", "ms"):
        frame = kpi_for(run_key, path, "courses_offered", KpiFilters(), by="ptj", lang=lang, scope_key=scope_key)
        if frame.ok and not frame.empty:
            for key, text in zip(frame.display["group_key"], frame.display["group_label"], strict=True):
                names.setdefault(str(key), {})[lang] = str(text)
    return FilterOptions(years=tuple(sorted(years)), ptj_names=names)


def courses(filters: KpiFilters, lang: str) -> pd.DataFrame:
    """The courses with enrolments under these filters (code, title), for the course pickers."""
    return courses_of(kpi("enrolments", filters, by="course", lang=lang))


def courses_of(frame: KpiFrame) -> pd.DataFrame:
    """`courses` from the enrolments-by-course frame."""
    if not frame.ok or frame.empty:
        return pd.DataFrame(columns=["group_key", "group_label", "enrolments"])
    per_course = frame.df.groupby(["group_key", "group_label"], as_index=False)["enrolments"].sum(min_count=1)
    return per_course.sort_values("group_label", kind="stable").reset_index(drop=True)


COMPARE_DEFAULT_COURSES = 3  # the compare page's courses until the user picks: the busiest three


def busiest_courses(courses_df: pd.DataFrame, n: int) -> list[str]:
    """The codes of the `n` courses with most enrolments: the course pickers' default choice."""
    return courses_df.sort_values("enrolments", ascending=False)["group_key"].head(n).tolist()


def _replace(filters: KpiFilters, **changes: Any) -> KpiFilters:
    return dataclasses.replace(filters, **changes)


def without_year(filters: KpiFilters) -> KpiFilters:
    return _replace(filters, year=None)


def with_year(filters: KpiFilters, year: int | None) -> KpiFilters:
    return _replace(filters, year=year)


def with_courses(filters: KpiFilters, course_codes: tuple[str, ...]) -> KpiFilters:
    return _replace(filters, course_codes=tuple(course_codes))


# --- freshness -----------------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """An ISO time as naive Malaysia time. The ETL writes UTC (etl/runlog.py), so a naive value is taken as UTC."""
    if value in (None, ""):
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(MALAYSIA).replace(tzinfo=None)


def now_malaysia() -> datetime:
    return datetime.now(UTC).astimezone(MALAYSIA).replace(tzinfo=None)


def run_log(limit: int = 50) -> list[dict[str, Any]]:
    """The last `limit` ETL runs (failed and killed runs included, and those recorded in the fallback run log
    when the warehouse folder could not be written), newest first."""
    path = live_warehouse_path()
    return _runs(str(path), tuple(_file_version(p) for p in _run_log_files(path)))[-limit:][::-1]


def _run_log_files(published: Path) -> tuple[Path, ...]:
    return runlog_path(published), fallback_runlog_path(published), published.parent / LOCK_NAME


def _file_version(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


@st.cache_data(show_spinner=False, ttl=10, max_entries=16)
def _runs(path: str, versions: tuple) -> list[dict[str, Any]]:
    """The run log, read again when one of its files changes (`versions`), and at least every 10 s: a run whose
    process died is shown as killed by then (core/runlog.py looks at the lock holder's process)."""
    return published_runs(Path(path))


def freshness(status: WarehouseStatus) -> Freshness:
    """Age of the published warehouse and the last ETL run (a failed run publishes nothing, so it is only in the
    run log)."""
    max_age = float(settings().freshness.max_age_hours)
    published = parse_time(status.info.get("published_at")) if status.ok else None
    age = (now_malaysia() - published).total_seconds() / 3600 if published else None
    runs = run_log(limit=1)
    return Freshness(published_at=published, age_hours=age, max_age_hours=max_age, last_run=runs[0] if runs else None)
