"""Issue 13, point 2 on the pages: cards show the protected form ("<5" or the rounded value), never 0 for a hidden
count; management keeps exact figures. The hand fixture, 2025: 19 enrolments, 18 learners, 10 completions,
13 certificates issued or bought (11 issued, 2 FutureLearn statements bought); on OpenLearning only 1 enrolment, 1 learner, 0 completions, 3 certificates."""

from __future__ import annotations

from collections.abc import Callable

from apptest_helpers import metric
from streamlit.testing.v1 import AppTest

from read.kpi import get_kpi


def _title(kpi_id: str) -> str:
    return get_kpi(kpi_id).title("en")


def test_viewer_cards_are_rounded_management_cards_exact(app: Callable[..., AppTest]) -> None:
    viewer = app("overview", user="guest", year="2025")
    assert not viewer.exception
    assert [metric(viewer, _title(k)) for k in ("enrolments", "learners", "completions", "certificates")] == [
        "20", "20", "10", "15"]
    boss = app("overview", user="tester", year="2025")
    assert [metric(boss, _title(k)) for k in ("enrolments", "learners", "completions", "certificates")] == [
        "19", "18", "10", "13"]


def test_hidden_counts_show_as_below_the_limit_never_zero(app: Callable[..., AppTest]) -> None:
    for page in ("overview", "ministry"):
        at = app(page, user="guest", year="2025", platform="openlearning")
        assert not at.exception
        assert metric(at, _title("learners")) == "<5"
        assert metric(at, _title("certificates")) == "<5"
        assert metric(at, _title("completions")) == "0"  # a true zero is not a protected count
    overview = app("overview", user="guest", year="2025", platform="openlearning")
    assert metric(overview, _title("enrolments")) == "<5"
    # Management: exact figures, with the small cells of a narrowed figure hidden as before (never 0 either).
    boss = app("overview", user="tester", year="2025", platform="openlearning")
    assert metric(boss, _title("enrolments")) == "<5"
    assert metric(app("overview", user="tester", year="2025", platform="lms"), _title("enrolments")) == "9"


def _texts(at: AppTest) -> list[str]:
    return [c.value for c in at.caption] + [m.value for m in at.markdown]


def test_each_page_says_which_protection_applies(app: Callable[..., AppTest]) -> None:
    from core.words import t
    from dashboard.ui import privacy_values

    rounded, exact = t("privacy.rounded", **privacy_values()), t("privacy.exact", **privacy_values())
    assert "nearest 5" in rounded and '"<5"' in rounded
    for page in ("overview", "ministry", "definitions"):
        assert rounded in _texts(app(page, user="guest")) and exact not in _texts(app(page, user="guest"))
        assert exact in _texts(app(page, user="tester"))
    assert rounded in _texts(app("revenue", user="dean"))


def test_definitions_page_states_the_method_and_its_reference(app: Callable[..., AppTest]) -> None:
    at = app("definitions", user="guest", lang="en")
    body = " ".join(_texts(at))
    assert "HESA" in body and "rounding-and-suppression-anonymise-statistics" in body
    assert "nearest 5" in body and "fewer than 23" in body and "Management sees exact figures" in body
    malay = " ".join(_texts(app("definitions", user="guest", lang="ms")))
    assert "HESA" in malay and "gandaan 5" in malay
