"""Every KPI file: its header parses, speaks both languages, uses only known parameters, honours the access scope,
and its header agrees with its SQL and its output columns."""

from __future__ import annotations

import re

import pytest

from read.kpi import (
    FILTER_PARAMS,
    KNOWN_PARAMS,
    KPI_DIR,
    UNITS,
    KpiError,
    get_kpi,
    list_kpis,
    parse_kpi,
    referenced_params,
)
from read.privacy import parse_protect, parse_rates

# The ids the dashboard pages are built against.
REQUIRED_IDS = {
    "courses_offered", "runs_started", "new_courses", "enrolments", "learners", "learner_mix", "learner_demographics",
    "completions", "certificates", "completion_rate", "category_mix", "mode_mix", "design_option_mix",
    "credit_bearing", "target_progress", "phase_plan", "revenue", "revenue_per_learner", "revenue_yoy",
    "completion_funnel", "weekly_retention", "median_days_to_completion", "lecturer_workload", "workload_by_ptj",
    "orphaned_courses", "quarantine_summary", "etl_history",
}
OPERATIONAL = {"quarantine_summary", "etl_history"}  # read the ETL's own tables: no PTj, no learners
SPECS = list_kpis()
IDS = [s.id for s in SPECS]


def test_every_required_kpi_exists():
    assert REQUIRED_IDS <= set(IDS)
    assert IDS == sorted(IDS)
    assert len(list(KPI_DIR.glob("*.sql"))) == len(SPECS)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_header_is_complete_and_bilingual(spec):
    assert spec.path is not None and spec.path.stem == spec.id
    assert re.fullmatch(r"[a-z][a-z0-9_]*", spec.id)
    for text in (spec.title_en, spec.title_ms, spec.definition_en, spec.definition_ms):
        assert text and text.strip() == text
    assert spec.title_en != spec.title_ms  # translated, not copied
    assert spec.definition_en != spec.definition_ms
    assert spec.unit in UNITS
    assert spec.grain
    assert spec.sources


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_only_known_params(spec):
    assert spec.params <= KNOWN_PARAMS, spec.params - KNOWN_PARAMS


@pytest.mark.parametrize("spec", [s for s in SPECS if s.id not in OPERATIONAL], ids=lambda s: s.id)
def test_access_scope_in_every_kpi_with_data(spec):
    assert "allowed_ptj_codes" in spec.params


@pytest.mark.parametrize("spec", [s for s in SPECS if s.grain != ("university",)], ids=lambda s: s.id)
def test_every_kpi_below_university_level_honours_scope(spec):
    assert "allowed_ptj_codes" in spec.params
    assert "by" in spec.params or len(spec.grain) == 1


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_filters_header_matches_params(spec):
    """A filter is listed exactly when the SQL binds its parameter (the UI shows only filters that work)."""
    used_filters = {name for name in FILTER_PARAMS if name in spec.params}
    assert set(spec.filters) == used_filters


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_sql_handles_every_breakdown_it_offers(spec):
    if len(spec.grain) == 1:  # one fixed grain (e.g. per member of staff): nothing to choose
        return
    for grain in spec.grain:
        if grain != "university":
            assert f"'{grain}'" in spec.sql, f"{spec.id}: grain {grain} is not handled by $by"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_no_value_pasted_into_sql(spec):
    """No Python formatting placeholders and no literal year in a filter: values arrive as $params."""
    body = "\n".join(line for line in spec.sql.splitlines() if not line.startswith("--"))
    assert "{" not in body and "%s" not in body and "?" not in body
    assert not re.search(r"\b20\d\d\b", body)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_output_columns_match_header(spec, kpi):
    for by in spec.grain:
        result = kpi(spec.id, by=by, year=2025)
        columns = result.table.column_names
        for column in (*spec.suppress, *spec.derived, *spec.breakdowns):
            assert column in columns, f"{spec.id} by {by}: header names {column}, output lacks it"
        for rate in parse_rates(spec.rates):  # rates are recomputed from rounded counts: all three must exist
            for column in (rate.column, rate.numerator, rate.denominator):
                assert column in columns, f"{spec.id} by {by}: rates names {column}, output lacks it"
        for column in spec.hide:
            assert column in columns, f"{spec.id} by {by}: hide names {column}, output lacks it"
        for rule in parse_protect(spec.protect):
            assert rule.column in columns and rule.key in columns, f"{spec.id} by {by}: protect {rule}"
        if spec.id not in OPERATIONAL and spec.id != "target_progress":
            assert "group_key" in columns and "group_label" in columns
        assert len(columns) == len(set(columns))


def test_suppressed_columns_are_counts(kpi):
    for spec in SPECS:
        result = kpi(spec.id, by=spec.grain[-1])
        for column in spec.suppress:
            kind = result.table.schema.field(column).type
            assert str(kind) in {"int64", "int32"}, f"{spec.id}.{column} is {kind}"


# --- the parser itself ------------------------------------------------------------------------------------------

GOOD = """\
-- id: demo
-- title_en: Demo
-- title_ms: Demo BM
-- unit: count
-- grain: university, ptj
-- definition_en: First part
--   and the continuation.
-- definition_ms: Bahagian pertama
--   dan sambungan.
-- filters: year, ptj_codes
-- sources: fct_enrolment
-- suppress: learners
-- breakdowns: dimension
select 1 as learners -- a comment with $not_a_param and a quote's
where 'it''s $also_not' = 'x' and $year is null and len($ptj_codes) = 0
"""


def test_parse_continuation_lines_and_lists():
    spec = parse_kpi(GOOD)
    assert spec.definition_en == "First part and the continuation."
    assert spec.definition_ms == "Bahagian pertama dan sambungan."
    assert spec.grain == ("university", "ptj")
    assert spec.suppress == ("learners",)
    assert spec.breakdowns == ("dimension",)
    assert spec.derived == ()


def test_params_ignore_comments_and_strings():
    assert parse_kpi(GOOD).params == {"year", "ptj_codes"}
    assert referenced_params("select '--' || $a -- $b\n, $c") == {"a", "c"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("-- unit: count\n", "-- unit: people\n"), "unit"),
        (("-- title_ms: Demo BM\n", ""), "title_ms"),
        (("-- filters: year, ptj_codes\n", "-- filters: year, colour\n"), "unknown filters"),
        (("-- sources: fct_enrolment\n", "-- sources: fct_enrolment\n-- colour: red\n"), "unknown header key"),
        (("-- grain: university, ptj\n", "-- grain:\n"), "grain"),
        (("-- id: demo\n", "-- id: demo\n-- id: again\n"), "twice"),
        (("-- unit: count\n", "-- unit: count\n-- this line is not a key\n"), "expected"),
    ],
)
def test_parse_errors(change, message):
    with pytest.raises(KpiError, match=message):
        parse_kpi(GOOD.replace(*change))


def test_unknown_kpi():
    with pytest.raises(KpiError, match="unknown KPI"):
        get_kpi("no_such_kpi")
    with pytest.raises(KpiError, match="unknown KPI"):
        get_kpi("../models/marts/fct_enrolment")
