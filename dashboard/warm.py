"""Warm the KPI cache for a newly published warehouse, so the first visitor after a refresh finds it filled.

When app.py first sees a live run key (ETL run id) in this process, `start` hands it to one background thread
(one per process, guarded by a lock). The thread runs every page's default KPI calls for the management scope
(the sidebar's default filters: the latest year, nothing else picked; English) through the same cached functions
the pages call (`data.kpi_for`, `data.filter_options_for`), so a page asking for the same figures finds them
cached, or waits for the one computation already running (Streamlit's cache computes a key once). It reads
through the read-only `Warehouse` handle like the pages, never writes, and never blocks a page: `start` only
queues the key. A failing KPI is cached as a failed frame, exactly as a page would have met it.

A warehouse published while nobody has a page open is warmed too: once a page has been served, `watch` starts one
more thread that asks the live warehouse for its run id every `[dashboard] check_new_seconds` and queues a new
one, so the manager who opens the link in the morning after the night's refresh finds every default figure
computed.

`page_calls` lists the calls per page. tests/dashboard/test_warm.py runs each page after warming and checks it
computed nothing new, so this list cannot drift from the pages without a test failing.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace

from dashboard import data
from read import access
from read.accounts import DEMO_IDENTITY
from read.kpi import KpiFilters

log = logging.getLogger(__name__)

# Management's scope (every PTj, exact figures): the same cache key for every management user and demo mode.
MANAGEMENT = access.scope_key(access.scope_for(DEMO_IDENTITY))
LANG = "en"

Call = tuple[str, KpiFilters, str]  # (kpi id, filters, breakdown)
Kpi = Callable[[str, KpiFilters, str], "data.KpiFrame"]

_lock = threading.Lock()
_seen: set[str] = set()
_queue: list[tuple[str, str]] = []
_thread: threading.Thread | None = None
_watcher: threading.Thread | None = None
_stop_watching = threading.Event()  # never set by the app (the thread ends with the process); tests set it


def page_calls(kpi: Kpi, options: data.FilterOptions) -> Iterator[tuple[str, list[Call]]]:
    """Per page, the KPI calls it makes with the default filters. `kpi` runs one (cached); its answers decide the
    calls that depend on the data (the busiest course, the courses compared)."""
    year = max(options.years) if options.years else None
    f = KpiFilters(year=year)
    every_year = replace(f, year=None)
    yield "overview", [
        ("target_progress", f, "university"),
        *[(k, every_year, "university") for k in ("courses_offered", "new_courses", "enrolments", "learners",
                                                  "completions", "certificates", "completion_rate", "revenue")],
        ("orphaned_courses", every_year, "course"),
        ("category_mix", f, "university"),
    ]
    yield "ministry", [
        *[(k, f, "university") for k in ("courses_offered", "learners", "completions", "certificates")],
        *[(k, every_year, "university") for k in ("courses_offered", "learner_mix", "completions", "certificates")],
        *[(k, f, "university") for k in ("mode_mix", "design_option_mix", "credit_bearing", "phase_plan")],
    ]
    yield "revenue", [
        ("revenue", f, "university"), ("revenue", f, "ptj"), ("revenue", f, "month"),
        *[("revenue", replace(f, ptj_codes=(code,)), "course") for code in options.ptj_codes],
        ("revenue_yoy", f, "ptj"),
    ]
    courses = data.courses_of(kpi("enrolments", f, "course"))
    if not courses.empty:
        one = replace(f, course_codes=tuple(data.busiest_courses(courses, 1)))
        yield "completion", [
            ("completion_funnel", one, "course_run"), ("completion_funnel", one, "course"),
            ("weekly_retention", one, "course_run"),
            ("completion_rate", f, "course"), ("median_days_to_completion", f, "course"),
        ]
        chosen = replace(f, course_codes=tuple(data.busiest_courses(courses, data.COMPARE_DEFAULT_COURSES)))
        yield "compare", [(k, chosen, "course") for k in ("completion_funnel", "completion_rate", "certificates",
                                                           "revenue", "weekly_retention")]
    yield "workload", [
        ("lecturer_workload", f, "staff"), ("workload_by_ptj", f, "ptj"),
        ("orphaned_courses", every_year, "course"), ("educator_activity", every_year, "course_run"),
    ]
    yield "insights", [(k, f, "course_run") for k in ("step_dropoff", "quiz_items", "social_learning",
                                                      "video_viewing", "leaving_reasons", "weekly_sentiment",
                                                      "archetype_mix")]
    yield "pathways", [(k, f, "programme") for k in ("pathway_stack_progress", "mms_eligible_vs_issued",
                                                     "programme_intake_conversion", "pathway_dropoff", "badges",
                                                     "mms_overdue")]
    yield "freshness", [("etl_history", KpiFilters(), "university"), ("quarantine_summary", KpiFilters(),
                                                                       "university")]


def warm(run_key: str, path: str) -> int:
    """Run every page's default calls for this run key; returns how many were run (cached ones included)."""
    def kpi(kpi_id: str, filters: KpiFilters, by: str) -> data.KpiFrame:
        return data.kpi_for(run_key, path, kpi_id, filters, by=by, lang=LANG, scope_key=MANAGEMENT)

    options = data.filter_options_for(run_key, path, MANAGEMENT)
    done = 0
    for _page, calls in page_calls(kpi, options):
        for kpi_id, filters, by in calls:
            kpi(kpi_id, filters, by)
            done += 1
    return done


def start(run_key: str | None, path: str) -> bool:
    """Queue a live run key for warming, once per process; True if it was new. Never waits."""
    global _thread
    if not run_key or not enabled():
        return False
    with _lock:
        if run_key in _seen:
            return False
        _seen.add(run_key)
        _queue.append((run_key, path))
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_work, name="mckpi-cache-warmer", daemon=True)
            _thread.start()
    return True


def enabled() -> bool:
    return os.environ.get("MCKPI_DASHBOARD_WARM", "1") != "0"


def watch(path: str, every_s: float, live_run_key: Callable[[str], str | None]) -> bool:
    """Once per process: a daemon thread that asks `live_run_key(path)` (None: no readable warehouse) every
    `every_s` seconds and queues a new key for warming (`start`). True if this call started it; every_s <= 0
    turns it off (a warehouse is then warmed when its first page is opened)."""
    global _watcher
    if every_s <= 0 or not enabled():
        return False
    with _lock:
        if _watcher is not None and _watcher.is_alive():
            return False
        _watcher = threading.Thread(target=_look_for_new, args=(path, every_s, live_run_key, _stop_watching),
                                    name="mckpi-publish-watcher", daemon=True)
        _watcher.start()
    return True


def _look_for_new(path: str, every_s: float, live_run_key: Callable[[str], str | None],
                  stop: threading.Event) -> None:
    while not stop.wait(every_s):
        try:
            key = live_run_key(path)
        except Exception:  # a warehouse being swapped or unreadable now: ask again next time  # noqa: BLE001
            log.debug("looking for a newly published warehouse failed", exc_info=True)
            continue
        if key and start(key, path):
            log.info("a new warehouse was published (%s): warming its pages' figures", key)


def _work() -> None:
    try:  # below the pages' priority: the warmer uses what a page run leaves of the CPU (Linux: per thread)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass
    while True:
        with _lock:
            if not _queue:
                return
            run_key, path = _queue.pop(0)
        try:
            count = warm(run_key, path)
            log.info("warmed %d KPI results for %s", count, run_key)
        except Exception:  # a warmer that fails leaves the pages to compute as before  # noqa: BLE001
            log.exception("warming the KPI cache for %s failed", run_key)
