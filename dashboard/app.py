"""mckpi dashboard: the frame around every page (language, filters, banners) and the page list.

Run with `streamlit run dashboard/app.py` (or `make run` for the demo data).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repo root; make `dashboard.*` importable
# even without the editable install.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import auth, data, ui, warm  # noqa: E402
from dashboard.words import t  # noqa: E402
from read import access  # noqa: E402

# The pages are in views/, not pages/: that folder name would put Streamlit in its legacy multipage mode.
VIEWS_DIR = Path(__file__).parent / "views"

st.set_page_config(page_title="mckpi", page_icon=":material/school:", layout="wide")

ui.capture_url()
lang = ui.language_switch()
data.use_snapshot(None)  # sign-in is decided on the live warehouse; a chosen snapshot is read after it
status = data.warehouse_status()
if status.ok:  # the first run to see a newly published warehouse starts warming its pages' figures (no wait)
    warm.start(data.run_key(status), str(data.live_warehouse_path()))
    # ... and, from then on, a warehouse published while no page is open (the night's refresh) is warmed too.
    warm.watch(str(data.live_warehouse_path()), data.settings().dashboard.check_new_seconds, data.live_run_key)

PAGE_HAS_VISIBILITY = "visibility" in inspect.signature(st.Page).parameters


def nav_page(allowed: set[str], file: str, title: str, icon: str, url_path: str, **kwargs: Any) -> st.Page | None:
    """A page of the menu. A page this role may not open is registered hidden, so a URL or a page switch to it
    lands on "not permitted" rather than on another page (a Streamlit without hidden pages leaves it out)."""
    if kwargs.pop("access_key", url_path) not in allowed:
        if not PAGE_HAS_VISIBILITY:
            return None
        kwargs["visibility"] = "hidden"
    return st.Page(VIEWS_DIR / file, title=title, icon=icon, url_path=url_path, **kwargs)


def menu(allowed: set[str]) -> dict[str, list[st.Page]]:
    pages = {
        t("nav.dashboards"): [
            nav_page(allowed, "overview.py", t("page.overview"), ":material/dashboard:", "scorecard", default=True,
                     access_key="overview"),
            nav_page(allowed, "ministry.py", t("page.ministry"), ":material/account_balance:", "ministry"),
            nav_page(allowed, "revenue.py", t("page.revenue"), ":material/payments:", "revenue"),
            nav_page(allowed, "completion.py", t("page.completion"), ":material/school:", "completion"),
            nav_page(allowed, "workload.py", t("page.workload"), ":material/work_history:", "workload"),
            nav_page(allowed, "insights.py", t("page.insights"), ":material/insights:", "insights"),
            nav_page(allowed, "pathways.py", t("page.pathways"), ":material/route:", "pathways"),
            nav_page(allowed, "compare.py", t("page.compare"), ":material/compare_arrows:", "compare"),
        ],
        t("nav.about_data"): [
            nav_page(allowed, "freshness.py", t("page.freshness"), ":material/update:", "freshness"),
            nav_page(allowed, "definitions.py", t("page.definitions"), ":material/menu_book:", "definitions"),
            nav_page(allowed, "audit.py", auth.text("audit.title", lang), ":material/policy:", "audit"),
        ],
    }
    # The default page is served at "/", so Streamlit would answer "/overview" (the page's name, the link a user
    # types or shares) with "Page not found": a hidden page at that path sends the visitor to the scorecard.
    pages[t("nav.dashboards")].append(st.Page(_to_overview, title=t("page.overview"), url_path=OVERVIEW_ALIAS,
                                              visibility="hidden"))
    return {section: [p for p in entries if p is not None] for section, entries in pages.items()}


OVERVIEW_ALIAS = "overview"


def _to_overview() -> None:
    st.switch_page(VIEWS_DIR / "overview.py")


def no_menu() -> None:
    """Before sign-in: every page registered, none listed (else Streamlit lists the page files), and the page in
    the URL kept for after the sign-in."""
    st.navigation(menu(set(access.PAGES)), position="hidden")


# Sign-in (or demo mode, or the refusal to serve real data without sign-in) before anything shows a figure.
gate = auth.gate(status.is_demo if status.ok else None, on_stop=no_menu)
role = gate.identity.role if gate.identity else ""
allowed = access.allowed_pages(role)
auth.sidebar_user(gate)
snapshot = ui.data_source_switch([snap.label for snap in data.snapshots()])
if snapshot:
    data.use_snapshot(snapshot)
    status = data.warehouse_status()
options = data.filter_options(status)  # only the PTjs this role may see
ui.sidebar_filters(options)

pages = menu(allowed)
page = st.navigation(pages)
if page.url_path == OVERVIEW_ALIAS:
    page.run()  # switches to the scorecard at "/"
page_key = page.url_path or "overview"  # the default page's url_path is ""
st.session_state["_mckpi_page"] = page_key  # for the audit records of downloads

if data.is_demo(status):
    ui.demo_label()
    st.sidebar.badge(t("demo.badge"), color="orange", icon=":material/science:")
if snapshot:  # frozen figures: say so instead of how fresh they are
    ui.snapshot_banner(snapshot, status.info, data.parse_time(status.info.get("snapshot_created_at")))
else:
    ui.freshness_banner(data.freshness(status))
ui.url_notices()

# Definitions come from the KPI files and the freshness page from the run log: both work without data.
has_data = status.ok and bool(options.years)
if page_key not in allowed:
    st.title(page.title)
    auth.not_permitted(role, page_key)
elif page_key == "audit":
    page.run()
elif has_data or page.url_path in {"definitions", "freshness"}:
    page.run()
elif status.ok:
    st.title(page.title)
    st.info(t("wh.empty"), icon=":material/inbox:")
elif status.problem == "missing":
    st.title(page.title)
    st.warning(t("wh.missing"), icon=":material/database:")
else:
    st.title(page.title)
    st.error(t("wh.unreadable", error=status.error), icon=":material/database:")
