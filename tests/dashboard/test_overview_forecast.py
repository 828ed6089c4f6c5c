"""The Overview's forecast to the year end (target_progress's run-rate columns): "at risk" / "behind" says by how
much and by when. The app runs with today's date, so the hand fixture's 2025 is a closed year: the forecast is the
final value and the card says what was missed (the pace figures are checked by hand in
tests/queries/test_target_forecast.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apptest_helpers import texts
from streamlit.testing.v1 import AppTest

from dashboard.i18n import t


@pytest.mark.parametrize("lang", ["en", "ms"])
def test_behind_cards_say_by_how_much(app: Callable[..., AppTest], lang: str) -> None:
    at = app("overview", year="2025", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    # Enrolments 19 of 40 and completions 10 of 18 in 2025: behind by 21 and 8.
    assert t("overview.short_closed", lang, short="21") in shown
    assert t("overview.short_closed", lang, short="8") in shown
    # Certificates (11 of 10) are on track: nothing missed is said about them.
    assert t("overview.short_closed", lang, short="-1") not in shown


def test_the_targets_table_has_the_forecast(app: Callable[..., AppTest]) -> None:
    at = app("overview", year="2025")
    table = next(f.value for f in at.dataframe if "forecast_value" in f.value.columns)
    enrolments = table[table["value"].eq("19")].iloc[0]
    assert (enrolments["target_value"], enrolments["forecast_value"], float(enrolments["forecast_pct"])) == (
        "40", "19", 47.5)
