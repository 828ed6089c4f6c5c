"""Translation completeness: every key in English and Malay, every key the code asks for exists, and every column a
KPI can put in a table has a translated header (no English left on the Malay view)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from core.contracts import DELIVERY_MODES, DESIGN_OPTIONS, MC_TYPES, MQA_CATEGORIES, PLAN_PHASES, PLATFORMS
from core.words import LANGS, TEXT, column, label, t
from read.kpi import UNITS, KpiFilters, list_kpis, run_kpi
from read.warehouse import Warehouse

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
SOURCES = sorted(DASHBOARD.rglob("*.py"))

# Keys built at run time (t(f"status.{status}")): the family and every value it can take.
FAMILIES = {
    "status": ("on_track", "at_risk", "behind", "not_started", "no_target"),
    "mqa": MQA_CATEGORIES,
    "mode": DELIVERY_MODES,
    "platform": PLATFORMS,
    "mc_type": MC_TYPES,
    "design": DESIGN_OPTIONS,
    "phase": PLAN_PHASES,
    "unit": UNITS,
    "money": ("gross_fees_rm", "certificate_income_rm", "refunds_rm", "net_revenue_rm"),
    "stage": ("enrolled", "started", "completed_50pct", "completed_90pct", "fully_participated", "completed",
              "certified"),
    "by": ("year", "ptj"),
    "run": ("succeeded", "failed", "running"),
    "page": ("overview", "ministry", "revenue", "completion", "workload", "insights", "pathways", "compare", "freshness",
             "definitions"),
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_key_has_english_and_malay_with_the_same_placeholders(key: str) -> None:
    entry = TEXT[key]
    assert set(entry) == set(LANGS)
    assert all(entry[lang].strip() for lang in LANGS)
    assert _fields(entry["en"]) == _fields(entry["ms"]), key


def _literal_keys() -> set[tuple[str, str]]:
    """(file, key) for every t("...") call with a literal key in dashboard/."""
    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.add((path.name, node.args[0].value))
    return found


def test_every_literal_key_used_exists() -> None:
    keys = _literal_keys()
    assert len(keys) > 100  # the scan finds the calls
    missing = sorted((f, k) for f, k in keys if k not in TEXT)
    assert not missing


def test_every_dynamic_key_family_is_complete() -> None:
    prefixes = set()
    for path in SOURCES:
        prefixes |= set(re.findall(r'\bt\(f"([a-z_]+)\.\{', path.read_text("utf-8")))
    assert prefixes, "expected f-string keys such as t(f\"status.{...}\")"
    # kpi.* falls back to the KPI file; auth.* and report.* are the sign-in page's and the report's own lists
    assert prefixes - {"kpi", "auth", "report"} <= set(FAMILIES), prefixes - set(FAMILIES)
    missing = [f"{family}.{value}" for family, values in FAMILIES.items() for value in values
               if f"{family}.{value}" not in TEXT]
    assert not missing


def test_kpi_grains_and_filters_have_labels() -> None:
    for spec in list_kpis():
        for grain in spec.grain:
            assert f"grain.{grain}" in TEXT, (spec.id, grain)
        for name in spec.filters:
            assert f"filter.{name}" in TEXT, (spec.id, name)


def test_every_kpi_output_column_has_a_malay_header(hand_wh: Warehouse) -> None:
    untranslated = set()
    for spec in list_kpis():
        for grain in spec.grain:
            for name in run_kpi(hand_wh, spec.id, KpiFilters(), by=grain).table.column_names:
                if f"col.{name}" not in TEXT:
                    untranslated.add(f"{spec.id}.{name}")
    assert not untranslated


def test_helpers() -> None:
    assert t("status.on_track", "ms") == "Dalam landasan"
    assert t("status.at_risk", "ms") == "Berisiko"
    assert t("status.behind", "ms") == "Ketinggalan"
    assert t("overview.vs_last_year", "ms", year=2024) == "berbanding 2024"
    assert label("mode", "blended", "ms") == "Teradun"
    assert label("mode", "something_new", "ms") == "something_new"
    assert column("net_revenue_rm", "ms") == "Hasil bersih (RM)"
    assert column("Data Analytics with Python") == "Data Analytics with Python"  # data, not a column id
    assert t("no.such.key") == "no.such.key"


def test_sidebar_filter_titles_and_value_labels_exist() -> None:
    from dashboard import ui

    for url_key, title_key, prefix in ui.LABELLED_FILTERS:
        assert title_key in TEXT
        for value in ui.FilterOptions().allowed(url_key):
            assert f"{prefix}.{value}" in TEXT, (url_key, value)
