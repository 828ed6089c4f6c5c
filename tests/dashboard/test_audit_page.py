"""The Audit log page (issue 15): a readable table in Malaysia time, actions in the page's language, no "None" and
no JSON, and filters by user, action and date."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.words import t


def _write(records: list[dict]) -> None:
    path = Path(os.environ["MCKPI_PATHS_AUDIT"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")


def _table(at: AppTest):
    return at.dataframe[0].value


def test_the_audit_page_is_readable_in_malaysia_time(app: Callable[..., AppTest]) -> None:
    at = app("overview")  # sets the audit path; the sign-in itself is recorded
    _write([
        {"ts": "2026-11-30T23:30:00.000Z", "event": "download", "user": "aminah", "role": "ptj", "page": "revenue",
         "kpi": "revenue", "name": "revenue-by-ptj", "format": "csv", "filters": {"year": 2026, "ptj_codes": ["FBE"]},
         "mode": None},
        {"ts": "2026-11-29T01:00:00.000Z", "event": "login_failed", "user": "ghost", "role": None, "mode": "local"},
    ])
    at.switch_page("views/audit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = _table(at)
    download = table[table["user"] == "aminah"].iloc[0]
    # 23:30 UTC on 30 Nov is 07:30 on 1 Dec in Kuala Lumpur (UTC+8).
    assert str(download["when"]) == "2026-12-01 07:30:00"
    assert download["action"] == t("auth.audit.ev.download")
    assert download["page"] == t("page.revenue")
    assert download["what"] == "revenue-by-ptj · csv"
    assert download["filters"] == "year: 2026 · ptj_codes: FBE"
    shown = table.astype(str).to_numpy().ravel().tolist()
    assert not any("None" in cell or "{" in cell for cell in shown), shown

    at.selectbox(key="audit_user").set_value("ghost").run()
    assert list(_table(at)["action"]) == [t("auth.audit.ev.login_failed")]
    at.selectbox(key="audit_user").set_value("").run()
    at.multiselect(key="audit_event").set_value(["download"]).run()
    assert set(_table(at)["user"]) == {"aminah"}
    at.multiselect(key="audit_event").set_value([]).run()
    import datetime as dt
    at.date_input(key="audit_dates").set_value((dt.date(2026, 11, 29), dt.date(2026, 11, 29))).run()
    assert list(_table(at)["user"]) == ["ghost"]  # 01:00 UTC on 29 Nov is 09:00 the same day in Malaysia
