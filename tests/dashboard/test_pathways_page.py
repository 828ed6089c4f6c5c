"""The Pathways page on the hand fixture tests/fixtures/pathways/ (figures worked out in tests/queries/
test_pathways.py): the programmes, the flow from first course to MMS and intake, drop-off and the comparison."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from apptest_helpers import texts
from conftest import REPO, build_warehouse
from streamlit.testing.v1 import AppTest

from core.words import t

LANDING = REPO / "tests" / "fixtures" / "pathways"


@pytest.fixture(scope="module")
def pathways_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(LANDING, tmp_path_factory.mktemp("pathways_wh"))


@pytest.mark.parametrize("lang", ["en", "ms"])
def test_pathways_page_shows_the_hand_figures(app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
                                              pathways_warehouse: Path, lang: str) -> None:
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(pathways_warehouse))
    at = app("pathways", lang=lang, year="2025")
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert t("pathways.title", lang) in shown and t("pathways.compare", lang) in shown
    assert at.selectbox(key="p_programme").options == ["Data Science Foundations (MCP-DS)",
                                                     "Digital Marketing (MCP-MK)"]
    # The management role sees exact figures at university level; by programme counts under 5 are hidden, so
    # the drop-off table of MCP-DS (5 -> 4 -> 3 -> 2) shows its learners reaching each step as "<5" but the 5.
    dropoff = next(f.value for f in at.dataframe if "from_step" in f.value.columns)
    assert list(dropoff["from_step"]) == [0, 1, 2]
    print(dropoff.to_dict("list"))
    assert list(dropoff["learners_reached"])[0] == "5"
    assert len(at.get("plotly_chart")) >= 2  # the flow and the badges by programme
