"""run_kpi: parameters bound (never formatted into SQL), only the ones a KPI uses, values coerced safely,
breakdowns checked, small cells suppressed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

import read.kpi as kpi_module
import read.kpi_spec as kpi_spec_module
from core.config import Policy, Privacy, Settings
from read.kpi import (
    AccessScope,
    KpiError,
    KpiFilters,
    build_params,
    get_kpi,
    resolve_by,
    run_kpi,
    suppress_small_cells,
    today_in_malaysia,
)

MALICIOUS = "x'); drop table fct_enrolment; --"


# --- binding ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["ptj_codes", "course_codes", "modes", "platforms", "mc_types"])
def test_malicious_filter_values_match_nothing(kpi, field):
    assert kpi("enrolments", **{field: (MALICIOUS,)}).table.num_rows == 0
    # The table is still there and the SQL unchanged: the same KPI without the filter still counts 29.
    assert sum(r["enrolments"] for r in kpi("enrolments").table.to_pylist()) == 29


def test_malicious_values_everywhere_are_only_ever_parameters(kpi, monkeypatch):
    seen = []
    real = kpi_module._execute

    def spy(source, sql, params):
        seen.append((sql, params))
        return real(source, sql, params)

    monkeypatch.setattr(kpi_module, "_execute", spy)
    result = kpi("revenue", by="ptj", ptj_codes=(MALICIOUS,), course_codes=(MALICIOUS,), mqa_categories=(MALICIOUS,),
                 scope=AccessScope("dean", (MALICIOUS, "FBE")))
    assert result.table.num_rows == 0
    sql, params = seen[0]
    assert sql == get_kpi("revenue").sql  # the file's text, untouched
    assert MALICIOUS not in sql
    assert params["ptj_codes"] == [MALICIOUS] and params["allowed_ptj_codes"] == [MALICIOUS, "FBE"]
    assert params["mqa_categories"] == [-1]  # not a number: a value that matches nothing, not "all"


def test_malicious_by_and_year_are_refused(kpi):
    with pytest.raises(KpiError, match="cannot be broken down"):
        kpi("enrolments", by=MALICIOUS)
    with pytest.raises(KpiError, match="year"):
        kpi("enrolments", year=MALICIOUS)
    with pytest.raises(KpiError, match="date_from"):
        kpi("enrolments", date_from=MALICIOUS)


def test_unknown_values_match_nothing(kpi):
    assert kpi("enrolments", ptj_codes=("NOPE",)).table.num_rows == 0
    assert kpi("enrolments", mqa_categories=(2,)).table.num_rows == 0
    assert kpi("enrolments", year=1999).table.num_rows == 0
    # Mixed known and unknown: the known one counts.
    assert [r["enrolments"] for r in kpi("enrolments", year=2025, ptj_codes=("NOPE", "FSKTM")).table.to_pylist()] == [9]


def test_values_are_coerced(kpi):
    # Text from a URL or a form: "2025", "1", a single string instead of a tuple.
    as_text = kpi("enrolments", year="2025", mqa_categories=("1",), ptj_codes="FBE").table.to_pylist()
    as_values = kpi("enrolments", year=2025, mqa_categories=(1,), ptj_codes=("FBE",)).table.to_pylist()
    assert as_text == as_values == [{"year": 2025, "group_key": "ALL", "group_label": "University",
                                     "enrolments": 1, "withdrawals": 0}]  # R5, C3 is category 1
    params = build_params(KpiFilters(year="2025", date_from="2025-01-01", mqa_categories=("3", 1.0, "2.5", None),
                                     ptj_codes="FBE"), settings=Settings())
    assert params["year"] == 2025 and params["date_from"] == dt.date(2025, 1, 1)
    assert params["mqa_categories"] == [3, 1, -1]
    assert params["ptj_codes"] == ["FBE"]


def test_only_used_params_are_bound(tmp_path, monkeypatch):
    """DuckDB refuses parameters a statement does not use: a KPI using only $year must still run."""
    (tmp_path / "tiny.sql").write_text(
        "-- id: tiny\n-- title_en: Tiny\n-- title_ms: Kecil\n-- unit: count\n-- grain: university\n"
        "-- definition_en: A year.\n-- definition_ms: Satu tahun.\n-- filters: year\n-- sources: none\n"
        "-- suppress:\nselect coalesce($year, 0) as year, 'it''s -- $not_a_param' as note\n"
    )
    monkeypatch.setattr(kpi_spec_module, "KPI_DIR", tmp_path)  # the registry's folder
    con = duckdb.connect()
    result = run_kpi(con, "tiny", KpiFilters(year=2024, ptj_codes=("FBE",)), settings=Settings())
    assert result.table.to_pylist() == [{"year": 2024, "note": "it's -- $not_a_param"}]
    assert get_kpi("tiny").params == {"year"}


def test_param_nobody_provides_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "odd.sql").write_text(
        "-- id: odd\n-- title_en: Odd\n-- title_ms: Ganjil\n-- unit: count\n-- grain: university\n"
        "-- definition_en: x\n-- definition_ms: y\n-- filters:\n-- sources: none\n-- suppress:\nselect $colour\n"
    )
    monkeypatch.setattr(kpi_spec_module, "KPI_DIR", tmp_path)  # the registry's folder
    with pytest.raises(KpiError, match="colour"):
        run_kpi(duckdb.connect(), "odd", settings=Settings())
    # ...and no caller can pass it: there is no catch-all parameter argument any more (issue 13).
    with pytest.raises(TypeError):
        run_kpi(duckdb.connect(), "odd", settings=Settings(), extra_params={"colour": "red"})  # type: ignore[call-arg]


def test_policy_figures_come_from_settings(kpi):
    settings = Settings(privacy=Privacy(small_cell_limit=5),
                        policy=Policy(category_1_target_pct=70, category_3_target_pct=30))
    rows = kpi("category_mix", year=2025, settings=settings).table.to_pylist()
    assert {r["mqa_category"]: (r["target_pct"], r["gap_pct"]) for r in rows} == {1: (70.0, -20.0), 3: (30.0, 20.0)}


def test_as_of_defaults_to_today_in_malaysia():
    assert build_params(KpiFilters(), settings=Settings())["as_of"] == today_in_malaysia()
    assert build_params(KpiFilters(), settings=Settings(), as_of="2025-08-07")["as_of"] == dt.date(2025, 8, 7)


def test_scope_none_means_every_ptj_and_empty_means_none():
    assert build_params(KpiFilters(), scope=None, settings=Settings())["allowed_ptj_codes"] is None
    assert build_params(KpiFilters(), scope=AccessScope("vc"), settings=Settings())["allowed_ptj_codes"] is None
    assert build_params(KpiFilters(), scope=AccessScope("x", ()), settings=Settings())["allowed_ptj_codes"] == []


def test_runs_on_a_plain_connection_too(hand_warehouse):
    con = hand_warehouse.connect()
    result = run_kpi(con, "revenue", KpiFilters(year=2025), settings=Settings(),
                     as_of=dt.date(2025, 8, 7))
    assert result.table.to_pylist()[0]["net_revenue_rm"] == Decimal("6789.00")


# --- breakdowns ------------------------------------------------------------------------------------------------


def test_by_is_checked_against_the_grain():
    assert resolve_by(get_kpi("enrolments"), "course_run") == "course_run"
    assert resolve_by(get_kpi("lecturer_workload"), "university") == "staff"  # its only grain
    assert resolve_by(get_kpi("weekly_retention"), "university") == "course_run"
    with pytest.raises(KpiError, match="choose one of university, ptj"):
        resolve_by(get_kpi("learner_mix"), "course")
    with pytest.raises(KpiError):
        resolve_by(get_kpi("revenue_yoy"), "month")


def test_university_level_is_never_suppressed(kpi):
    result = kpi("enrolments", ptj_codes=("APM",))  # 3 enrolments, but a university-level row
    assert result.table.to_pylist()[0]["enrolments"] == 3
    assert result.suppressed == frozenset()


# --- suppression -----------------------------------------------------------------------------------------------


def _table(**columns) -> pa.Table:
    return pa.table(columns)


def test_suppress_one_small_cell_and_its_complement():
    table = _table(group_key=["a", "b", "c", "d"], n=[3, 12, 7, 0])
    masked, hidden = suppress_small_cells(table, ["n"], 5)
    # 3 is small; it is the only one, so the next smallest non-zero (7) goes too; 0 stays (nothing to hide).
    assert masked.column("n").to_pylist() == [None, 12, None, 0]
    assert hidden == {(0, "n"), (2, "n")}
    assert masked.schema == table.schema


def test_suppress_two_small_cells_needs_no_complement():
    masked, hidden = suppress_small_cells(_table(n=[3, 12, 4, 9]), ["n"], 5)
    assert masked.column("n").to_pylist() == [None, 12, None, 9]
    assert hidden == {(0, "n"), (2, "n")}


def test_complement_ties_break_on_row_order():
    masked, _ = suppress_small_cells(_table(n=[6, 1, 6]), ["n"], 5)
    assert masked.column("n").to_pylist() == [None, None, 6]


def test_complement_only_within_the_same_year():
    table = _table(year=[2024, 2024, 2025, 2025], n=[4, 9, 8, 9])
    masked, _ = suppress_small_cells(table, ["n"], 5, partition_by=["year"])
    # 2024: 4 is small -> 9 (2024) hidden as its complement; 2025 untouched.
    assert masked.column("n").to_pylist() == [None, None, 8, 9]


def test_no_small_cells_no_change_and_other_columns_untouched():
    table = _table(n=[5, 10], rate=[1.5, 2.5])
    masked, hidden = suppress_small_cells(table, ["n"], 5, derived=["rate"])
    assert masked.equals(table) and hidden == frozenset()


def test_derived_columns_hidden_in_rows_with_a_hidden_count():
    table = _table(n=[2, 10, 20], rate=[50.0, 40.0, 30.0])
    masked, hidden = suppress_small_cells(table, ["n"], 5, derived=["rate"])
    assert masked.column("rate").to_pylist() == [None, None, 30.0]  # row 1 is the complement: its rate goes too
    assert (0, "rate") in hidden and (1, "rate") in hidden


def test_limit_from_settings(kpi):
    strict = kpi("enrolments", year=2025, by="ptj", small_cell_limit=10)
    # FSKTM 9, FBE 7, APM 3: all below 10.
    assert [r["enrolments"] for r in strict.table.to_pylist()] == [None, None, None]
    assert set(strict.display_df()["enrolments"]) == {"<10"}
    assert not kpi("enrolments", year=2025, by="ptj", small_cell_limit=1).suppressed


def test_display_and_df(kpi):
    result = kpi("enrolments", year=2025, by="ptj")
    frame = result.df()
    assert str(frame["enrolments"].dtype) == "Int64"  # nullable: a hidden cell does not turn counts to floats
    assert frame["enrolments"].isna().sum() == 2
    english = result.display_df("en")
    malay = result.display_df("ms")
    assert list(english["enrolments"]) == ["<5", "<5", 9]
    assert list(malay["group_label"]) == ["Akademi Pengajian Melayu", "Fakulti Perniagaan dan Ekonomi",
                                          "Fakulti Sains Komputer dan Teknologi Maklumat"]
    assert kpi("enrolments", year=2025).display_df("ms")["group_label"].tolist() == ["Universiti"]


def test_scope_cannot_be_overridden_through_extra_params(kpi, hand_warehouse):
    with pytest.raises(TypeError):
        run_kpi(hand_warehouse, "enrolments", scope=AccessScope("dean", ("FBE",)), settings=Settings(),
                extra_params={"allowed_ptj_codes": None})  # type: ignore[call-arg]
