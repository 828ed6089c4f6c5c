"""Small helpers shared by the dashboard tests (imported by file name: tests/ is not a package)."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from dashboard.auth import SESSION_KEY, Session, UserStore

# The test accounts (conftest.py writes them to a users file; the app re-reads it at every run).
TEST_USERS = {
    "tester": {"role": "management"},
    "dean": {"role": "ptj", "ptj_codes": ("FSKTM",)},
    "lect": {"role": "lecturer", "staff_id": "S02"},
    "guest": {"role": "viewer"},
}
TEST_PASSWORD = "test-password-123"

PAGES = ("overview", "ministry", "revenue", "completion", "workload", "insights", "pathways", "compare", "freshness",
         "definitions")


def metric(at: AppTest, label: str) -> str:
    """The value shown by the metric with this label (exactly one must exist)."""
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, f"{label!r} in {[m.label for m in at.metric]}"
    return found[0]


def texts(at: AppTest) -> str:
    """Every markdown, caption, alert and title on the page, one per line (for 'is this shown' checks)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                   "error", "success") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def sign_in(at: AppTest, user: str = "tester", users_file: str | None = None) -> AppTest:
    """Put a signed-in session for one of TEST_USERS into the app's session state (as the sign-in form does)."""
    import os

    store = UserStore(users_file or os.environ["MCKPI_PATHS_USERS"])
    found = store.get(user)
    assert found is not None, user
    now = time.time()
    at.session_state[SESSION_KEY] = Session(found.identity(), started_at=now, last_seen=now, mode="local")
    return at


def open_data_tables(at: AppTest) -> AppTest:
    """Open every "show data" (and other lazily filled) expander on the page and run it again, as a user who
    opens them all: their tables are drawn only when opened (dashboard/widgets.py chart_with_data), and a test
    that looks for a figure or a leak in the tables must see them. An expander that keeps its open state has the
    id "$$ID-<hash>-<key>"; its key in session state opens it."""
    keys = [e.proto.id.split("-", 2)[-1] for e in at.expander if e.proto.id.startswith("$$ID-")]
    closed = [k for k in keys if k not in at.session_state or not at.session_state[k]]
    if closed:
        for key in closed:
            at.session_state[key] = True
        at.run()
    return at
