"""The dashboard's server: `streamlit run dashboard/server.py` serves dashboard/app.py, and prepares it at start.

Without it, the first visitor after a server start (a deploy, a reboot, `make run`) paid for the process's cold
start on top of the page: importing pandas, plotly, pyarrow and DuckDB, building plotly's first figure, opening the
warehouse and computing the page's figures (issue 16: the overview took 3.6-4.3 s at 1M and 10M enrolments, where
the first visit after a refresh takes 2.5 s). Streamlit's `st.App` runs a lifespan hook when the server starts;
here it starts one thread that does that work while the server already answers, so it never delays the start and
a visitor who comes in first simply shares what is done (the import lock, the KPI cache's one computation per key).

The thread only reads: it imports, draws one figure in memory, and hands the published warehouse's run key to the
same cache warmer that a first page would start (dashboard/warm.py), with its publish watcher.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

# As in app.py: `streamlit run dashboard/server.py` puts dashboard/ on sys.path, not the repo root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

log = logging.getLogger(__name__)


def prepare() -> str | None:
    """Import what every page imports, build one figure, and queue the live warehouse's default figures for the
    cache warmer; returns the run key queued (None: no warehouse published yet, or warming turned off)."""
    import plotly.graph_objects as go

    from dashboard import auth, charts, data, filters, ui, warm, widgets  # noqa: F401 (imported for their cost)

    # plotly builds its validators on a figure's first use: ~0.3 s that the first chart drawn would pay.
    go.Figure(go.Bar(x=["a"], y=[1])).to_json()
    path = str(data.live_warehouse_path())
    run_key = data.live_run_key(path)
    queued = warm.start(run_key, path)
    warm.watch(path, data.settings().dashboard.check_new_seconds, data.live_run_key)
    return run_key if queued else None


def _prepare_quietly() -> None:
    try:
        run_key = prepare()
        log.info("server prepared; warming %s", run_key or "nothing (no warehouse, or warming off)")
    except Exception:  # the first page will do it instead  # noqa: BLE001
        log.exception("preparing the dashboard at server start failed")


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    threading.Thread(target=_prepare_quietly, name="mckpi-server-start", daemon=True).start()
    yield


app = st.App("app.py", lifespan=lifespan)
