"""A page view, and the server's start (dashboard/server.py), never imports the report writers, the spreadsheet
writer or Spark: they load when a report or a download is asked for (issue 16: a new server process's first page
paid for them). Checked in a fresh interpreter, since other tests in this process import them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("reportlab", "xlsxwriter", "openpyxl", "pyspark", "sqlglot")

SCRIPT = """
import json, sys
sys.path[:0] = [{repo!r}, {helpers!r}]
from streamlit.testing.v1 import AppTest
from apptest_helpers import PAGES, sign_in
at = AppTest.from_file({app!r}, default_timeout=120)
sign_in(at, "tester")
at.run()
failed = [str(e.value) for e in at.exception]
for page in PAGES[1:]:
    at.switch_page(f"views/{{page}}.py").run()
    failed += [str(e.value) for e in at.exception]
from dashboard import server  # what the server imports at start, too
server.prepare()
print(json.dumps({{"failed": failed, "loaded": sorted({{m.split(".")[0] for m in sys.modules}})}}))
"""


def test_no_page_imports_the_report_and_spreadsheet_writers_or_spark(
    monkeypatch: pytest.MonkeyPatch, hand_warehouse: Path, users_file: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("MCKPI_PATHS_WAREHOUSE", str(hand_warehouse))
    monkeypatch.setenv("MCKPI_PATHS_USERS", str(users_file))
    monkeypatch.setenv("MCKPI_PATHS_AUDIT", str(tmp_path / "audit.jsonl"))
    monkeypatch.delenv("MCKPI_DEMO", raising=False)
    code = SCRIPT.format(repo=str(REPO), helpers=str(Path(__file__).parent), app=str(REPO / "dashboard" / "app.py"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["failed"] == []
    assert "plotly" in result["loaded"] and "duckdb" in result["loaded"]  # the pages did run
    assert [m for m in HEAVY if m in result["loaded"]] == []
