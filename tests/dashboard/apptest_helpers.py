"""Small helpers shared by the dashboard tests (imported by file name: tests/ is not a package)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

PAGES = ("overview", "ministry", "revenue", "completion", "workload", "compare", "freshness", "definitions")


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
