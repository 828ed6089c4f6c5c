"""Where a page's script run spends its time: cProfile over Streamlit's AppTest runs of dashboard/app.py.

    .venv/bin/python bench/profile_page.py WAREHOUSE [--page overview] [--top 25]

Runs the page three times in one session: the first run (empty caches: what the first visitor after a refresh
pays), a second run (KPI results cached: what a click pays, less the browser's drawing), then prints the top
functions by cumulative time of each run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)


PAGES = ("overview", "ministry", "revenue", "completion", "workload", "insights", "compare", "freshness",
         "definitions")
# Where a cached run's time goes: building the plotly figures (dashboard/charts.py) and handing them to Streamlit
# (st.plotly_chart serialises the figure to JSON).
PARTS = {"figures": ("dashboard/charts.py", "style"), "plotly_chart": ("plotly_chart.py", "plotly_chart")}


def page_times(app_test, page: str, current, new_profile) -> tuple[float, float, dict[str, float]]:  # noqa: ANN001
    """A new AppTest session on `page`: the first run's seconds, the best of two cached reruns, and the cached
    run's time in PARTS."""
    at = app_test.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    best, parts = float("inf"), {}
    for _ in range(2):
        new_profile()
        t0 = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - t0
        if seconds < best:
            stats = pstats.Stats(current()).stats  # type: ignore[attr-defined]
            best = seconds
            parts = {
                name: max((v[3] for (file, _, func), v in stats.items() if file.endswith(end) and func == fn),
                          default=0.0)
                for name, (end, fn) in PARTS.items()
            }
    return first, best, parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--page", default="overview", help="a page's url path, or 'all' (a summary per page)")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    os.environ["MCKPI_PATHS_WAREHOUSE"] = str(args.warehouse.resolve())
    os.environ.setdefault("MCKPI_PATHS_AUDIT", str(args.warehouse.resolve().parent / "audit.jsonl"))
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest

    # The script runs in ScriptRunner's own thread: profile inside it.
    prof = cProfile.Profile()
    run_script = script_runner.ScriptRunner._run_script

    def new_profile() -> None:
        nonlocal prof
        prof = cProfile.Profile()

    def profiled(self, rerun_data):  # noqa: ANN001, ANN202
        prof.enable()
        try:
            return run_script(self, rerun_data)
        finally:
            prof.disable()

    script_runner.ScriptRunner._run_script = profiled
    if args.page == "all":
        print(f"{'page':<12} {'first s':>8} {'cached s':>9} {'figures s':>10} {'st.plotly_chart s':>18}")
        for page in PAGES:
            first, cached, parts = page_times(AppTest, page, lambda: prof, new_profile)
            print(f"{page:<12} {first:>8.2f} {cached:>9.2f} {parts['figures']:>10.2f} {parts['plotly_chart']:>18.2f}")
        print(f"load average: {os.getloadavg()}")
        return
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    for n in range(3):
        if n == 0 and args.page != "overview":
            at.switch_page(f"views/{args.page}.py")
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - t0
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"=== run {n + 1} of {args.page}: {seconds:.3f} s (exceptions: {len(at.exception)})")
        print(out.getvalue())


if __name__ == "__main__":
    main()
