"""The contracts and the CSV templates agree, and every template loads as it is."""

from __future__ import annotations

import csv
import json

from core.contracts import CONTRACTS, write_templates
from etl.row_checks import raw_columns
from etl.sources.open_badges import flatten

TYPES = {
    "varchar": "VARCHAR",
    "int": "BIGINT",
    "decimal": "DECIMAL(12,2)",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp_fl": "TIMESTAMP",
}


def test_templates_match_the_contracts(tmp_path):
    written = write_templates(tmp_path)
    assert sorted(p.name for p in written) == sorted(c.template_name for c in CONTRACTS.values())
    for contract in CONTRACTS.values():
        if contract.name == "open_badges":  # JSON Lines: two assertions that read back as the examples
            lines = (tmp_path / contract.template_name).read_text("utf-8").splitlines()
            assert [flatten(json.loads(line)) for line in lines] == list(contract.examples)
            continue
        with (tmp_path / contract.template_name).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert tuple(rows[0]) == contract.header
        assert len(rows) == 3
        for example in contract.examples:
            assert set(example) == set(contract.header), contract.name


def test_contract_references_point_backwards():
    order = list(CONTRACTS)
    for contract in CONTRACTS.values():
        for column in contract.columns:
            if column.references:
                source, ref_column = column.references.split(".")
                assert order.index(source) < order.index(contract.name), column.references
                assert ref_column in CONTRACTS[source].header


def test_every_template_loads_its_two_rows(template_env_source):
    env = template_env_source
    for contract in CONTRACTS.values():
        assert env.scalar(f"select count(*) from {contract.raw_table}") == 2, contract.name  # noqa: S608
    assert env.scalar("select count(*) from quarantine") == 0
    assert env.scalar("select count(*) from etl_files where status = 'loaded' and rows_loaded = 2") == len(CONTRACTS)


def test_raw_tables_are_typed(template_env_source):
    env = template_env_source
    for contract in CONTRACTS.values():
        got = env.query(
            "select column_name, data_type from information_schema.columns where table_name = $t order by ordinal_position",
            {"t": contract.raw_table},
        )
        expected = [
            (name, TYPES.get(c.type, "VARCHAR") if not c.pseudonymise else "VARCHAR")
            for (name, _), c in zip(raw_columns(contract), contract.columns, strict=True)
        ]
        if contract.folder == "futurelearn":
            expected.append(("platform_run_label", "VARCHAR"))
        expected += [("_file_id", "INTEGER"), ("_line", "BIGINT")]
        expected += [("_err_column", "VARCHAR"), ("_err_value", "VARCHAR"), ("_err_reason", "VARCHAR")]
        assert got == expected, contract.name
        # The verdict of a row that stays is null: a rejected row is moved to quarantine in the same batch.
        assert env.scalar(
            f"select count(*) from {contract.raw_table} where coalesce(_err_column, _err_value, _err_reason) is not null"  # noqa: S608
        ) == 0, contract.name
    assert env.query(
        "select fee_rm, certificate_price_rm, launched_on::varchar from raw_courses order by 1"
    ) == [(0, 89, "2022-09-15"), (650, None, "2023-03-01")]
    assert env.query("select enrolled_at::varchar from raw_futurelearn_enrolments order by 1") == [
        ("2024-02-20 09:15:00",),
        ("2024-02-21 13:40:05",),
    ]


def test_no_raw_learner_id_in_any_table(template_env_source):
    env = template_env_source
    raw_ids = {ex["learner_id"] for c in CONTRACTS.values() for ex in c.examples if "learner_id" in ex}
    assert len(raw_ids) == 4
    import duckdb

    with duckdb.connect(str(env.warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
            " and table_schema = 'main'"
        ).fetchall()
        union = " union all ".join(
            f'select \'{t}.{c}\' from "{t}" where "{c}" in (select unnest($ids))'  # noqa: S608
            for t, c in columns
        )
        assert con.execute(union, {"ids": sorted(raw_ids)}).fetchall() == []
    assert len(columns) > 40


def test_raw_tables_of_an_earlier_warehouse_gain_the_verdict_columns(tmp_path):
    # An incremental run copies the published warehouse, which an earlier mckpi built without them.
    import duckdb

    from etl.ingest import ensure_schema

    contract = CONTRACTS["payments"]
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(f"create table {contract.raw_table} (receipt_id varchar, _file_id integer, _line bigint)")  # noqa: S608
    con.execute(f"insert into {contract.raw_table} values ('R1', 1, 2)")  # noqa: S608
    ensure_schema(con)
    rows = con.execute(f"select receipt_id, _err_column, _err_value, _err_reason from {contract.raw_table}").fetchall()  # noqa: S608
    assert rows == [("R1", None, None, None)]
