"""The demo generator's SQL lives in etl/demo/sql/*.sql: each file is used, shipped with the package, and takes its
values as bound parameters. (That the output did not change is tests/etl/test_demo.py's golden sha256s.)"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import etl.demo.queries as queries

REPO = Path(__file__).resolve().parents[2]
SQL_DIR = REPO / "etl" / "demo" / "sql"

# The parameters each statement is run with (etl/demo/writers.py `con.execute(sql, {...})` and `_Writer.copy`).
PARAMETERS = {
    "enrolments": {"path", "year"},
    "results_year": {"path", "year"},
    "payments_year": {"path", "year"},
    "fl_enrolments": {"path", "run"},
    "fl_steps": {"path", "run"},
    "fl_enrolments_batch": {"first_run", "last_run"},
    "fl_steps_batch": {"first_run", "last_run"},
    "enrol": set(),
    "results": set(),
    "payments": set(),
    "actuals": set(),
    "ptj_revenue": set(),
    "pathway_badges": set(),
    "pathway_badges_csv": {"path", "year"},
    "pathway_open_badges": {"path", "year"},
    "pathway_applications": set(),
    "pathway_applications_csv": {"path"},
    "pathway_intake_csv": {"path"},
}


def test_every_sql_file_is_loaded_and_every_load_has_a_file() -> None:
    loaded = set(re.findall(r'\bsql\("([a-z_]+)"\)', Path(queries.__file__).read_text("utf-8")))
    files = {p.stem for p in SQL_DIR.glob("*.sql")}
    assert files == loaded == set(PARAMETERS)
    assert queries.SQL_DIR == SQL_DIR
    assert "copy (" in queries._FL_STEPS_SQL and "fl_steps_batch" in queries._FL_STEPS_SQL


def test_sql_files_are_package_data() -> None:
    """A wheel without them would fail at import: pyproject's package-data must cover every file."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["etl.demo"]
    for path in SQL_DIR.glob("*.sql"):
        rel = path.relative_to(SQL_DIR.parent).as_posix()
        assert any(fnmatch.fnmatch(rel, pattern) for pattern in patterns), rel


def test_values_are_bound_parameters_not_formatted() -> None:
    for path in SQL_DIR.glob("*.sql"):
        text = path.read_text("utf-8")
        assert "{" not in text and "%s" not in text, path.name  # no str.format / printf placeholders
        assert set(re.findall(r"\$([a-z_]+)", text)) == PARAMETERS[path.stem], path.name
