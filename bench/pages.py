"""Dashboard benchmark: the KPI queries each page runs, through the KPI layer vs the same SQL run bare.

    .venv/bin/python bench/pages.py --enrolments 1M [--repeat 5] [--server]

Needs the warehouse bench/etl.py builds with --keep (bench/out/<scale>/work/etl/mckpi.duckdb); builds it with
`mckpi etl --full` if missing. Per page, the (KPI, breakdown) pairs its code runs with the default filters
(read from dashboard/views/*.py; `kpi_per_ptj` and per-target loops counted once). Cold = first run in a fresh
process on a new connection; warm = best of --repeat later runs. Bare = the KPI file's SQL with the same bound
parameters on a plain read-only duckdb connection (no suppression, no Warehouse wrapper).

--base-kpi-dir DIR also times DIR's KPI files bare (e.g. `git archive` of the base commit's queries/kpi) on the same
warehouse, interleaved with the others: the before figure of a change to the KPI SQL, and a pass/fail per page
against issue 16's goal (KPI layer warm < 1 s and <= 1.2x bare).

--floor (with --server) also times a new session of three tiny Streamlit apps in the same browser (bench/floor/:
a title; a title and one plotly bar chart; a title and one st.metric with its sparkline): what a new session
costs with none of mckpi's work, to read the pages' new-session figures against.

--server also starts `streamlit run dashboard/server.py` (`--entry dashboard/app.py`: the app without the
server's start-up preparation) on the warehouse and times every page in Chromium with
Playwright (`browser_timings`): the first visit after the server started, a click with results cached, a new
session (a new browser context: nothing in its HTTP cache), `new_tab` (a new session in a browser that has
opened mckpi before), then `after_publish`: a warehouse is published while no page is open, as the night's
refresh does, and once the server has settled a new session opens the overview and clicks to every page, each
a first visit after the refresh. Each is held against issue 16's goal with pass/fail; the server's RSS (from
/proc) is reported.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable

PAGES: dict[str, list[tuple[str, str]]] = {
    "overview": [
        ("target_progress", "university"),
        *[
            (k, "university")
            for k in (
                "courses_offered",
                "new_courses",
                "enrolments",
                "learners",
                "completions",
                "certificates",
                "completion_rate",
                "revenue",
            )
        ],
        ("orphaned_courses", "course"),
        ("category_mix", "university"),
    ],
    "ministry": [
        *[(k, "university") for k in ("courses_offered", "learners", "completions", "certificates")],
        ("learner_mix", "university"),
        ("mode_mix", "university"),
        ("design_option_mix", "university"),
        ("credit_bearing", "university"),
        ("phase_plan", "university"),
    ],
    "completion": [
        ("completion_funnel", "course_run"),
        ("completion_funnel", "course"),
        ("weekly_retention", "course_run"),
        ("completion_rate", "course"),
        ("median_days_to_completion", "course"),
    ],
    "compare": [
        ("completion_funnel", "course"),
        ("completion_rate", "course"),
        ("certificates", "course"),
        ("revenue", "course"),
        ("weekly_retention", "course"),
    ],
    "revenue": [("revenue", "ptj"), ("revenue", "month"), ("revenue", "course"), ("revenue_yoy", "ptj")],
    "workload": [("lecturer_workload", "staff"), ("workload_by_ptj", "ptj")],
    "freshness": [("etl_history", "university"), ("quarantine_summary", "university")],
}


def child(warehouse: Path, mode: str, repeat: int, kpi_dir: Path | None = None) -> dict:
    """Time every (kpi, by) of every page in this fresh process: cold first, then warm."""
    import duckdb

    from core.config import load_settings
    from read.kpi import KpiFilters, build_params, get_kpi, resolve_by, run_kpi
    from read.warehouse import Warehouse

    settings = load_settings()
    pairs = list(dict.fromkeys(p for v in PAGES.values() for p in v))
    if mode == "kpi":
        wh = Warehouse(warehouse)

        def run(kpi_id: str, by: str) -> None:
            run_kpi(wh, kpi_id, KpiFilters(), by=by, settings=settings)
    else:  # bare: this checkout's KPI files, or (base) those of --base-kpi-dir
        con = duckdb.connect(str(warehouse), read_only=True)

        def run(kpi_id: str, by: str) -> None:
            spec = get_kpi(kpi_id, kpi_dir if mode == "base" else None)
            values = build_params(KpiFilters(), by=resolve_by(spec, by), settings=settings)
            con.execute(spec.sql, {n: values[n] for n in spec.params}).to_arrow_table()

    out = {}
    for kpi_id, by in pairs:
        t0 = time.perf_counter()
        run(kpi_id, by)
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run(kpi_id, by)
            warm.append(time.perf_counter() - t0)
        out[f"{kpi_id}|{by}"] = {"cold": cold, "warm": min(warm)}
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    try:
        kids = [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []
    return kids + [g for k in kids for g in children(k)]


BROWSER_PAGES = [*PAGES, "insights", "definitions"]
# The goals of issue 16 (seconds): a new session's first page, a click to a page whose results are cached, and
# the first visit to a page after a new warehouse is published (here: the first after the server started).
GOALS = {"new_session": 2.0, "new_tab": 2.0, "click": 0.5, "after_refresh": 3.0, "after_publish": 3.0}
# How often the bench's server looks for a newly published warehouse ([dashboard] check_new_seconds; 60 s by
# default): short, so the bench does not wait a minute.
CHECK_NEW_SECONDS = 2

# Settled = Streamlit's script state is notRunning, an h1 is drawn and nothing on the page is stale (the same
# condition as tests/dashboard/test_browser.py's settle); after a click, also that a rerun was seen to start.
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning' && (window.__mckpiRan ?? true)
        && document.querySelector('h1') && !document.querySelector('[data-stale="true"]')
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""
WATCH_RUN = """() => {
    window.__mckpiRan = false;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__mckpiRan = true; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def _goto(tab, base: str, name: str) -> float:
    t0 = time.perf_counter()
    tab.goto(f"{base}/{'' if name == 'overview' else name}", timeout=120_000)
    tab.wait_for_function(SETTLED, timeout=300_000)
    return time.perf_counter() - t0


def _click(tab, name: str) -> float:
    link = tab.locator('a[data-testid="stSidebarNavLink"]').nth(0) if name == "overview" else tab.locator(
        f'a[data-testid="stSidebarNavLink"][href$="/{name}"]')
    tab.evaluate(WATCH_RUN)
    t0 = time.perf_counter()
    link.click()
    tab.wait_for_function(SETTLED, timeout=300_000)
    return time.perf_counter() - t0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) the process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu_seconds(server_pid: int | None) -> float:
    """CPU time so far of this process's descendants but the server: the Playwright driver and Chromium (a
    renderer that has exited is no longer counted: read it before closing the page)."""
    skip = {server_pid, *children(server_pid)} if server_pid else set()
    total = 0.0
    for pid in children(os.getpid()):
        if pid not in skip:
            try:
                total += cpu_seconds(pid)
            except (FileNotFoundError, ProcessLookupError):
                pass
    return total


def browser_timings(browser, base: str, server_pid: int | None = None, warehouse: Path | None = None) -> dict:
    """Per page, from Playwright: `after_refresh` = the first visit after the server started with empty caches
    (overview by `goto`, the others by a click in the same tab), `click` = a click to the page again (results
    cached), `new_session` = `goto` in a new browser context (a new Streamlit session; server caches warm).
    With `server_pid`, also `<step>_server_cpu`: the CPU seconds the server used during the step (its own work,
    whatever the load on the machine; the cache warmer's, if it runs then, included)."""
    out: dict[str, dict[str, float]] = {name: {} for name in BROWSER_PAGES}

    def timed(name: str, step: str, action) -> None:  # noqa: ANN001
        cpu = cpu_seconds(server_pid) if server_pid else 0.0
        client = browser_cpu_seconds(server_pid)
        try:
            out[name][step] = action()
        except Exception as exc:  # noqa: BLE001 - a step that never settles is reported, the others still run
            print(f"{name} {step}: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
            out[name][step] = float("nan")
        out[name][f"{step}_browser_cpu"] = browser_cpu_seconds(server_pid) - client
        if server_pid:
            out[name][f"{step}_server_cpu"] = cpu_seconds(server_pid) - cpu

    tab = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    timed("overview", "after_refresh", lambda: _goto(tab, base, "overview"))
    for name in BROWSER_PAGES[1:]:
        timed(name, "after_refresh", lambda name=name: _click(tab, name))
    for name in [*BROWSER_PAGES[1:], "overview"]:
        timed(name, "click", lambda name=name: _click(tab, name))
    tab.context.close()
    for name in BROWSER_PAGES:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        # The page (and its renderer process) is made inside the timing and closed after its CPU was read.
        timed(name, "new_session", lambda name=name, context=context: _goto(context.new_page(), base, name))
        context.close()
    # A returning visitor: a new tab (a new Streamlit session) in a browser that has opened mckpi before, so
    # Streamlit's scripts come from its HTTP cache (their names carry a hash; served with a long max-age).
    returning = browser.new_context(viewport={"width": 1400, "height": 900})
    first = returning.new_page()
    _goto(first, base, "definitions")
    first.close()
    for name in BROWSER_PAGES:
        tabs: list = []

        def open_tab(name: str = name, tabs: list = tabs) -> float:
            tabs.append(returning.new_page())
            return _goto(tabs[-1], base, name)

        timed(name, "new_tab", open_tab)
        for tab_ in tabs:
            tab_.close()
    returning.close()
    rss: dict[str, float] = {}
    if warehouse is not None and server_pid:
        rss["before_publish_mb"] = rss_mb(server_pid)
        with published_copy(warehouse):
            settle(server_pid, at_least_s=CHECK_NEW_SECONDS + 1)
            tab = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            timed("overview", "after_publish", lambda: _goto(tab, base, "overview"))
            for name in BROWSER_PAGES[1:]:
                timed(name, "after_publish", lambda name=name: _click(tab, name))
            tab.context.close()
    return {"browser": out, **rss}


@contextlib.contextmanager
def published_copy(warehouse: Path):  # noqa: ANN201
    """Publish a copy of the warehouse under a new ETL run id (what a refresh that changed nothing publishes: new
    run, same figures), then put the original back and delete the copy."""
    import duckdb

    from core.published import published_target
    from etl.publish import finish_build, new_run_id, rollback, start_build

    original = published_target(warehouse)
    run_id = new_run_id()
    tmp = start_build(warehouse, run_id)
    con = duckdb.connect(str(tmp))
    con.execute("update warehouse_info set value = $r where key = 'etl_run_id'", {"r": run_id})
    con.close()
    final = finish_build(warehouse, run_id)
    try:
        yield
    finally:
        rollback(warehouse, original.stem)
        final.unlink(missing_ok=True)


def settle(pid: int, *, at_least_s: float, quiet_s: float = 2.0, timeout_s: float = 600.0) -> float:
    """Wait at least `at_least_s`, then until the server has used under 0.1 CPU seconds in `quiet_s` (its
    publish watcher saw the new warehouse and the warmer finished); returns the seconds waited."""
    t0 = time.perf_counter()
    time.sleep(at_least_s)
    while time.perf_counter() - t0 < timeout_s:
        before = cpu_seconds(pid)
        time.sleep(quiet_s)
        if cpu_seconds(pid) - before < 0.1:
            break
    return time.perf_counter() - t0


FLOOR_APPS = ("hello", "one_chart", "sparkline")


def floor_timings(browser, repeat: int = 3) -> dict[str, list[float]]:  # noqa: ANN001
    """New-session seconds (goto in a new context until settled) of each bench/floor app, `repeat` times."""
    out: dict[str, list[float]] = {}
    for name in FLOOR_APPS:
        with streamlit_server(ROOT / "bench" / "floor" / f"{name}.py", ROOT, dict(os.environ)) as (port, _):
            out[name] = []
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                out[name].append(_goto(context.new_page(), f"http://127.0.0.1:{port}", "overview"))
                context.close()
    return out


@contextlib.contextmanager
def streamlit_server(script: Path, cwd: Path, env: dict[str, str]):  # noqa: ANN201
    """`streamlit run script` on a free port; yields (port, process) once the port answers."""
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def server_rss(warehouse: Path, app_root: Path = ROOT, floor: bool = False, entry: str = "dashboard/server.py") -> dict:
    """Start `streamlit run <entry>` of `app_root` (this checkout, or another one for an A/B on the same machine at
    the same time: `--app-root`) and time every page in Chromium. The first visit waits until the new server has
    gone quiet (a manager opens the link minutes after a restart, not within its first second): for
    dashboard/app.py that is at once, dashboard/server.py prepares the app first (imports, warming)."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    # The audit log of the visits goes to bench/out, not to the repository's data/audit.
    env = {**os.environ, "MCKPI_PATHS_WAREHOUSE": str(warehouse), "MCKPI_PATHS_AUDIT": str(warehouse.parent / "audit.jsonl"),
           "MCKPI_DASHBOARD_CHECK_NEW_SECONDS": str(CHECK_NEW_SECONDS)}
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "streamlit",
            "run",
            entry,
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=app_root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        settled_s = settle(proc.pid, at_least_s=1.0)
        idle = rss_mb(proc.pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            timings = browser_timings(browser, f"http://127.0.0.1:{port}", proc.pid, warehouse)
            if floor:
                timings["floor"] = floor_timings(browser)
            browser.close()
        return {"entry": entry, "settled_s": settled_s, "idle_mb": idle, "after_mb": rss_mb(proc.pid), **timings}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enrolments", default="100k")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--server", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--app-root", type=Path, default=ROOT,
                    help="serve the dashboard of this checkout (e.g. `git archive` of the base commit) for an A/B")
    ap.add_argument("--browser-only", action="store_true", help="with --server: skip the KPI query timings")
    ap.add_argument("--floor", action="store_true", help="with --server: also time bench/floor's tiny apps")
    ap.add_argument("--entry", default="dashboard/server.py",
                    help="with --server: the script to serve (dashboard/app.py: without the start-up preparation)")
    ap.add_argument("--base-kpi-dir", type=Path, help="also time these KPI files bare (the before figure)")
    ap.add_argument("--child", choices=["kpi", "bare", "base"], help=argparse.SUPPRESS)
    ap.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.warehouse, args.child, args.repeat, args.base_kpi_dir)))
        return

    from rich.console import Console
    from rich.table import Table

    load_start = os.getloadavg()
    print(f"load average at the start: {load_start}", file=sys.stderr)
    warehouse = ROOT / "bench" / "out" / args.enrolments / "work" / "etl" / "mckpi.duckdb"
    if not warehouse.exists():
        subprocess.run(
            [PY, "bench/etl.py", "--enrolments", args.enrolments, "--only", "etl", "--keep"],
            cwd=ROOT,
            check=True,
        )
    console = Console(width=200)
    result: dict = {"scale": args.enrolments, "load_average_start": load_start, "app_root": str(args.app_root)}
    if not args.browser_only:
        result.update(kpi_timings(warehouse, args, console))
    if args.server:
        server = server_rss(warehouse, args.app_root, floor=args.floor, entry=args.entry)
        result["server"] = server
        before = f", {server['before_publish_mb']:.0f} MB before the publish" if "before_publish_mb" in server else ""
        console.print(f"served {server['entry']} (quiet after {server['settled_s']:.1f} s); streamlit server RSS:"
                      f" {server['idle_mb']:.0f} MB idle{before}, {server['after_mb']:.0f} MB after visiting every page")
        browser_table = Table(title=f"Browser at {args.enrolments}: seconds until settled (goal; pass/fail)")
        for col in ("page", *(f"{k} (< {v:g} s)" for k, v in GOALS.items())):
            browser_table.add_column(col, justify="left" if col == "page" else "right")
        for name, t in server["browser"].items():
            browser_table.add_row(name, *(
                f"{t[k]:.2f} {'pass' if t[k] < goal else 'FAIL'} (cpu: server {t.get(f'{k}_server_cpu', 0):.2f},"
                f" browser {t.get(f'{k}_browser_cpu', 0):.2f})" if k in t else "not measured"
                for k, goal in GOALS.items()))
        console.print(browser_table)
        for name, times in server.get("floor", {}).items():
            console.print(f"floor, new session of bench/floor/{name}.py: best {min(times):.2f} s"
                          f" (runs: {' '.join(f'{t:.2f}' for t in times)})")
    result["load_average_end"] = os.getloadavg()
    console.print(f"load average (1, 5, 15 min): {load_start} at the start, {result['load_average_end']} at the end")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


def kpi_timings(warehouse: Path, args: argparse.Namespace, console) -> dict:  # noqa: ANN001
    """The KPI queries of every page, through the KPI layer and bare, in fresh processes; prints the table."""
    from rich.table import Table

    runs = {}
    modes = ("base", "bare", "kpi") if args.base_kpi_dir else ("bare", "kpi")
    for mode in modes * 2:  # interleaved, twice: the best of each is kept
        base = ["--base-kpi-dir", str(args.base_kpi_dir)] if mode == "base" else []
        out = subprocess.run(
            [PY, __file__, "--child", mode, "--warehouse", str(warehouse), "--repeat", str(args.repeat), *base],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        res = json.loads(out.strip().splitlines()[-1])
        for key, v in res.items():
            cur = runs.setdefault(mode, {}).setdefault(key, {"cold": v["cold"], "warm": v["warm"]})
            cur["cold"], cur["warm"] = min(cur["cold"], v["cold"]), min(cur["warm"], v["warm"])

    table = Table(
        title=f"KPI queries per page at {args.enrolments} enrolments (ms; warm = best of {args.repeat})"
    )
    has_base = "base" in runs
    cols = ("page", "kpi", "by", *(("base warm",) if has_base else ()), "bare cold", "kpi cold", "bare warm",
            "kpi warm", "x bare warm", *(("< 1 s, <= 1.2x",) if has_base else ()))
    for col in cols:
        table.add_column(col, justify="left" if col in ("page", "kpi", "by") else "right")
    page_totals = {}
    for page, pairs in PAGES.items():
        tot = {"bare": 0.0, "kpi": 0.0, "bare_cold": 0.0, "kpi_cold": 0.0, "base": 0.0}
        for kpi_id, by in pairs:
            b, k = runs["bare"][f"{kpi_id}|{by}"], runs["kpi"][f"{kpi_id}|{by}"]
            tot["bare"] += b["warm"]
            tot["kpi"] += k["warm"]
            tot["bare_cold"] += b["cold"]
            tot["kpi_cold"] += k["cold"]
            before = []
            if has_base:
                tot["base"] += runs["base"][f"{kpi_id}|{by}"]["warm"]
                before = [f"{runs['base'][f'{kpi_id}|{by}']['warm'] * 1e3:.0f}"]
            table.add_row(
                page,
                kpi_id,
                by,
                *before,
                f"{b['cold'] * 1e3:.0f}",
                f"{k['cold'] * 1e3:.0f}",
                f"{b['warm'] * 1e3:.0f}",
                f"{k['warm'] * 1e3:.0f}",
                f"{k['warm'] / b['warm']:.2f}",
                *([""] if has_base else []),
            )
        page_totals[page] = tot
        verdict = "pass" if tot["kpi"] < 1.0 and tot["kpi"] <= 1.2 * tot["bare"] else "FAIL"
        table.add_row(
            f"[b]{page} total",
            "",
            "",
            *([f"{tot['base'] * 1e3:.0f}"] if has_base else []),
            f"{tot['bare_cold'] * 1e3:.0f}",
            f"{tot['kpi_cold'] * 1e3:.0f}",
            f"{tot['bare'] * 1e3:.0f}",
            f"{tot['kpi'] * 1e3:.0f}",
            f"{tot['kpi'] / tot['bare']:.2f}",
            *([verdict] if has_base else []),
            end_section=True,
        )
    console.print(table)
    return {"runs": runs, "pages": page_totals}


if __name__ == "__main__":
    main()
