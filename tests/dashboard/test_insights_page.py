"""The Course insights page on the real cyber-security exports (../shared/realdata): the figures shown are
EXPECTED.md's, in English and Malay, and the page picks runs of one course to compare."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_helpers import texts
from conftest import REPO, build_warehouse
from streamlit.testing.v1 import AppTest
from tests_support_cyber import STARTS, reference_rows

from core.contracts import CONTRACTS
from core.words import t

EDUCATOR = "eeeeeeee-0000-4000-8000-00000000000e"
LEARNER = "aaaaaaaa-0000-4000-8000-000000000001"
REALDATA = REPO.parent / "shared" / "realdata" / "futurelearn-cyber-security"


@pytest.fixture(scope="module")
def cyber_warehouse(tmp_path_factory: pytest.TempPathFactory, csv_writer) -> Path:
    if not REALDATA.is_dir():
        pytest.skip("shared real data not found")
    landing = tmp_path_factory.mktemp("insights_landing")
    (landing / "futurelearn").mkdir()
    for path in REALDATA.glob("*.csv.gz"):
        shutil.copy(path, landing / "futurelearn")
    for source, rows in reference_rows().items():
        csv_writer(landing / source / f"{source}.csv", CONTRACTS[source].header, rows)
    # The shared data has no comments or team-members: a small hand-built pair for run 7 (10-column layout).
    csv_writer(landing / "futurelearn" / "cyber-security-7_team-members.csv",
               ["id", "first_name", "last_name", "team_role", "user_role"],
               [[EDUCATOR, "Dr. Aminah Binti", "Yusof", "lead_educator", ""]])
    csv_writer(landing / "futurelearn" / "cyber-security-7_comments.csv",
               ["id", "author_id", "parent_id", "step", "week_number", "step_number", "text", "timestamp",
                "moderated", "likes"],
               [["1", LEARNER, "", "1.2", "1", "2", "Hello", "2018-09-11 10:00:00 UTC", "", "2"],
                ["2", EDUCATOR, "1", "1.2", "1", "2", "Welcome", "2018-09-11 11:00:00 UTC", "", "0"],
                ["3", EDUCATOR, "", "2.1", "2", "1", "Week 2", "2018-09-18 09:00:00 UTC", "", "1"]])
    assert len(STARTS) == 7
    return build_warehouse(landing, tmp_path_factory.mktemp("insights_wh"))


@pytest.mark.parametrize("lang", ["en", "ms"])
def test_insights_page_shows_the_real_figures(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                              cyber_warehouse: Path, lang: str) -> None:
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(cyber_warehouse))
    at = app("insights", lang=lang, year="all")
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert t("insights.title", lang) in shown and t("insights.quiz", lang) in shown
    # The three most recent runs are picked by default; the hardest questions table holds their top three.
    picked = at.multiselect(key="insight_runs").value
    assert [p.split(" (")[1] for p in picked] == ["2018-03-05)", "2018-05-14)", "2018-09-10)"]
    hardest = at.dataframe[0].value
    questions = list(hardest[hardest.columns[1]])
    # EXPECTED.md, lowest first-attempt rates: run 5 3.11.3, 2.8.1, 2.8.3; run 6 2.8.1, 3.11.3, 2.8.3;
    # run 7 3.18.1, 3.18.9, 3.11.3.
    assert sorted(questions) == sorted(["3.11.3", "2.8.1", "2.8.3", "2.8.1", "3.11.3", "2.8.3", "3.18.1",
                                        "3.18.9", "3.11.3"])
    assert not at.warning or all("out of date" not in w.value for w in at.warning)


def test_workload_page_shows_educators_platform_activity(app: Callable[..., AppTest],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          cyber_warehouse: Path) -> None:
    """Lecturer workload gains the educators' FutureLearn activity (team-members + comments, linked to HR)."""
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(cyber_warehouse))
    at = app("workload", year="all")
    assert not at.exception, [e.value for e in at.exception]
    assert t("workload.platform_activity") in [h.value for h in at.header]
    table = at.dataframe[-1].value
    assert list(table.iloc[0][-3:]) == ["Dr. Aminah Binti Yusof", 2, 1]  # two comments, one a reply
