"""A/B: staging models as tables (before) vs views (after), on a copy of a bench warehouse, interleaved.

.venv/bin/python bench/ab_staging_views.py bench/out/100k/work/etl/mckpi.duckdb
"""

import os
import shutil
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import etl.models as m  # noqa: E402
from etl.checks import run_checks  # noqa: E402

src = sys.argv[1]
dst = "/tmp/mckpi-ab.duckdb"
for rnd in range(2):
    for prefixes in ((), ("stg_",)):
        shutil.copy(src, dst)
        m.VIEW_PREFIXES = prefixes
        con = duckdb.connect(dst)
        t = time.perf_counter()
        con.begin()
        m.run_models(con)
        con.commit()
        models_s = time.perf_counter() - t
        t = time.perf_counter()
        run_checks(con)
        checks_s = time.perf_counter() - t
        con.execute("checkpoint")
        con.close()
        kind = "views" if prefixes else "tables"
        size = os.path.getsize(dst) / 1e6
        print(
            f"round {rnd} staging={kind} models {models_s:.1f}s checks {checks_s:.1f}s size {size:.0f}MB",
            flush=True,
        )
os.unlink(dst)
