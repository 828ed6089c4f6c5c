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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--page", default="overview")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    os.environ["MCKPI_PATHS_WAREHOUSE"] = str(args.warehouse.resolve())
    os.environ.setdefault("MCKPI_PATHS_AUDIT", str(args.warehouse.resolve().parent / "audit.jsonl"))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    for n in range(3):
        if n == 0 and args.page != "overview":
            at.switch_page(f"views/{args.page}.py")
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        at.run()
        prof.disable()
        seconds = time.perf_counter() - t0
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"=== run {n + 1} of {args.page}: {seconds:.3f} s (exceptions: {len(at.exception)})")
        print(out.getvalue())


if __name__ == "__main__":
    main()
