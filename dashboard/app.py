"""mckpi dashboard: the frame around every page (language, filters, banners) and the page list.

Run with `streamlit run dashboard/app.py` (or `make run` for the demo data).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repo root; make `dashboard.*` importable
# even without the editable install.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, ui  # noqa: E402
from dashboard.i18n import t  # noqa: E402

PAGES_DIR = Path(__file__).parent / "pages"

ui.leave_legacy_pages_mode()
st.set_page_config(page_title="mckpi", page_icon=":material/school:", layout="wide")

ui.capture_url()
lang = ui.language_switch()
status = data.warehouse_status()
options = data.filter_options(status)
ui.sidebar_filters(options)

pages = {
    t("nav.dashboards"): [
        st.Page(PAGES_DIR / "overview.py", title=t("page.overview"), icon=":material/dashboard:", url_path="overview",
                default=True),
        st.Page(PAGES_DIR / "ministry.py", title=t("page.ministry"), icon=":material/account_balance:",
                url_path="ministry"),
        st.Page(PAGES_DIR / "revenue.py", title=t("page.revenue"), icon=":material/payments:", url_path="revenue"),
        st.Page(PAGES_DIR / "completion.py", title=t("page.completion"), icon=":material/school:",
                url_path="completion"),
        st.Page(PAGES_DIR / "workload.py", title=t("page.workload"), icon=":material/work_history:",
                url_path="workload"),
        st.Page(PAGES_DIR / "compare.py", title=t("page.compare"), icon=":material/compare_arrows:",
                url_path="compare"),
    ],
    t("nav.about_data"): [
        st.Page(PAGES_DIR / "freshness.py", title=t("page.freshness"), icon=":material/update:",
                url_path="freshness"),
        st.Page(PAGES_DIR / "definitions.py", title=t("page.definitions"), icon=":material/menu_book:",
                url_path="definitions"),
    ],
}
page = st.navigation(pages)

if data.is_demo(status):
    ui.demo_label()
    st.sidebar.badge(t("demo.badge"), color="orange", icon=":material/science:")
ui.freshness_banner(data.freshness(status))
ui.url_notices()

# Definitions come from the KPI files and the freshness page from the run log: both work without data.
has_data = status.ok and bool(options.years)
if has_data or page.url_path in {"definitions", "freshness"}:
    ui.mark_frame()
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
