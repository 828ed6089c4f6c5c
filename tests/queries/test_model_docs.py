"""The model docs beside the SQL (queries/models/*/<model>.yml, read by core.model_docs): every mart documented
column by column, the contracts as the one source of allowed values, and a clear error for every mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from core.contracts import CONTRACTS, OUTCOMES, PTJ_KINDS
from core.model_docs import ModelDocsError, check_columns, load_model_docs, read_glossary
from etl.checks import run_checks
from read.kpi import get_kpi
from read.model_docs import kpi_sources
from tests.queries.test_models import fixture_warehouse


@pytest.fixture(scope="module")
def built() -> dict[str, tuple[str, ...]]:
    """Each built dim_/fct_ model's output columns, in order."""
    con = fixture_warehouse()
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where regexp_matches(table_name, '^(dim|fct)_') order by table_name, ordinal_position"
    ).fetchall()
    con.close()
    columns: dict[str, tuple[str, ...]] = {}
    for table, column in rows:
        columns[table] = (*columns.get(table, ()), column)
    return columns


def test_every_mart_has_docs_for_every_output_column(built):
    """What we chose: every dim_/fct_ model (what KPIs and the definitions page read) is documented, each output
    column described (by its own .yml or the glossary), in the order the SQL outputs them. Staging models may go
    without docs: they only rename and cast a contract's columns, which the contract describes."""
    docs = load_model_docs()
    assert sorted(built) == sorted(n for n in docs if n.startswith(("dim_", "fct_")))
    for name, columns in built.items():
        doc = docs[name]
        assert doc.description.startswith("One row per"), name  # the grain first, as the SQL's first line
        assert tuple(c.name for c in doc.columns) == columns, name
        undocumented = [c.name for c in doc.columns if not c.description]
        assert undocumented == [], f"{name}: no description for {undocumented}"
        check_columns(doc, columns)


def test_descriptions_come_from_the_model_or_the_glossary():
    docs, glossary = load_model_docs(), read_glossary()
    run_ids = {c.name: c.description for c in docs["fct_enrolment"].columns}
    assert run_ids["run_id"] == glossary["run_id"].strip()
    assert run_ids["source"] == "Which export the enrolment came from: futurelearn or enrolments (other platforms)."
    # A model's own description wins over the glossary's (the PTj credited with a payment is finance's).
    payment = {c.name: c.description for c in docs["fct_payment"].columns}
    assert payment["ptj_code"].startswith("PTj credited") and glossary["ptj_code"] != payment["ptj_code"]


def test_allowed_values_come_from_the_contracts():
    tests = {t.name: t for doc in load_model_docs().values() for t in doc.tests}
    kind = tests["accepted_values_dim_ptj_ptj_kind"]
    assert (kind.contract, kind.values) == ("ptj.kind", PTJ_KINDS)
    assert tests["accepted_values_dim_staff_staff_status"].values == CONTRACTS["staff"].column("status").allowed
    assert tests["accepted_values_fct_enrolment_outcome"].values == OUTCOMES
    # A set no contract holds is written in the docs.
    source = tests["accepted_values_fct_enrolment_source"]
    assert (source.contract, source.values) == ("", ("futurelearn", "enrolments"))
    assert tests["unique_combination_fct_enrolment_run_id_learner_key"].columns == ("run_id", "learner_key")
    assert "not_null_fct_enrolment_is_certified" in tests
    assert "not_null_fct_enrolment_outcome" not in tests  # an enrolment without a result has no outcome


# --- mistakes, each named by file and key ----------------------------------------------------------------


def docs_dir(tmp_path: Path, yml: str, sql: str = "select 'FSKTM' as ptj_code, 'faculty' as ptj_kind") -> Path:
    (tmp_path / "marts").mkdir(parents=True)
    (tmp_path / "marts" / "dim_ptj.sql").write_text(sql)
    (tmp_path / "marts" / "dim_ptj.yml").write_text(yml)
    return tmp_path


def model_yml(column_block: str) -> str:
    return "version: 2\nmodels:\n  - name: dim_ptj\n    description: One row per PTj.\n    columns:\n" + column_block


@pytest.mark.parametrize(
    ("column_block", "message"),
    [
        ("      - name: ptj_kind\n        data_tests: [acepted_values]\n",
         r"dim_ptj.yml: model dim_ptj, column ptj_kind, data_tests: unknown test 'acepted_values' "
         r"\(known here: not_null, unique, accepted_values\)"),
        ("      - name: ptj_kind\n        data_tests:\n          - accepted_values: {contract: ptj.kinds}\n",
         r"dim_ptj.yml: model dim_ptj, column ptj_kind, data_tests.accepted_values.contract: "
         r"contract 'ptj' has no column 'kinds' \(ptj_code, name_en, name_ms, kind\)"),
        ("      - name: ptj_kind\n        data_tests:\n          - accepted_values: {contract: ptj.name_en}\n",
         r"column ptj_kind, data_tests.accepted_values.contract: contract column 'ptj.name_en' declares no "
         r"allowed values"),
        ("      - name: ptj_kind\n        data_tests:\n          - accepted_values: {contract: ptj.kind, values: [a]}\n",
         r"give either 'contract: <source>.<column>' or 'values: \[...\]'"),
        ("      - name: ptj_kind\n        descripton: typo\n",
         r"dim_ptj.yml: model dim_ptj, columns\[0\]: unknown key 'descripton' \(known: name, description, data_tests\)"),
    ],
)
def test_a_mistake_in_the_docs_names_file_and_key(tmp_path, column_block, message):
    with pytest.raises(ModelDocsError, match=message):
        load_model_docs(docs_dir(tmp_path, model_yml(column_block)))


def test_a_column_the_model_does_not_output_stops_the_checks(tmp_path):
    models = docs_dir(tmp_path, model_yml("      - name: ptj_knd\n        data_tests: [not_null]\n"))
    con = duckdb.connect()
    con.execute("create table dim_ptj as select 'FSKTM' as ptj_code, 'faculty' as ptj_kind")
    (models / "checks").mkdir()
    with pytest.raises(ModelDocsError, match=r"dim_ptj.yml: model dim_ptj, column ptj_knd: not a column of dim_ptj "
                       r"\(its columns: ptj_code, ptj_kind\)"):
        run_checks(con, models / "checks")


def test_a_docs_file_names_the_model_beside_it(tmp_path):
    yml = model_yml("      - name: ptj_code\n").replace("name: dim_ptj", "name: dim_ptjs")
    with pytest.raises(ModelDocsError, match=r"models\[0\].name: expected 'dim_ptj' \(the file beside it\)"):
        load_model_docs(docs_dir(tmp_path, yml))
    shutil.rmtree(tmp_path / "marts")
    with pytest.raises(ModelDocsError, match=r"dim_ptj.yml: line 2: not valid YAML \(mapping values are not allowed"):
        load_model_docs(docs_dir(tmp_path, "version: 2\nmodels: a: b\n"))


def test_generated_checks_bind_values_never_paste_them(tmp_path):
    """A value with a quote in it is a value, not SQL."""
    yml = model_yml("      - name: ptj_kind\n        data_tests:\n"
                    "          - accepted_values: {values: [\"it's\", faculty]}\n")
    models = docs_dir(tmp_path, yml)
    (models / "checks").mkdir()
    con = duckdb.connect()
    con.execute("create table dim_ptj as select * from (values ('A', 'faculty'), ('B', 'it''s'), ('C', 'guild')) "
                "v(ptj_code, ptj_kind)")
    [result] = run_checks(con, models / "checks", raise_on_failure=False)
    assert (result.name, result.failing_rows) == ("accepted_values_dim_ptj_ptj_kind", 1)
    assert result.sample == [{"table": "dim_ptj", "column": "ptj_kind", "value": "guild"}]


def test_a_kpis_source_docs_hold_the_columns_its_sql_uses():
    """What the definitions page shows for a KPI: its `sources:` models and only the columns its SQL names."""
    sources = {s.name: s for s in kpi_sources(get_kpi("completion_rate"))}
    assert list(sources) == ["fct_enrolment", "dim_ptj", "dim_course", "dim_course_run"]  # as its header lists them
    source = sources["fct_enrolment"]
    names = [c.name for c in source.columns]
    assert source.description.startswith("One row per learner per course run")
    assert {"is_completed", "has_started", "ptj_code", "start_year"} <= set(names)
    assert "gender" not in names and "purchased_statement_at" not in names
    assert kpi_sources(get_kpi("etl_history")) == []  # the run log has no model docs
