"""The model runner (order, depends_on, errors) and the check runner (a failing check fails the run)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from core.config import QUERIES_DIR
from etl.checks import CheckFailed, run_checks
from etl.models import ModelError, plan, run_models


def write_models(root, files: dict[str, str]):
    for name, sql in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    for sub in ("staging", "marts", "checks"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


def test_build_order(tmp_path):
    models = write_models(
        tmp_path,
        {
            "staging/stg_b.sql": "select 1 as x",
            "staging/stg_a.sql": "-- depends_on: stg_b\nselect x + 1 as x from stg_b",
            "marts/fct_z.sql": "select * from dim_y",
            "marts/dim_y.sql": "-- One row per y.\n-- depends_on: dim_x\nselect x * 10 as x from dim_x;\n",
            "marts/dim_x.sql": "select x from stg_a",
            "marts/agg_w.sql": "select count(*) as n from fct_z",
        },
    )
    assert [m.name for m in plan(models)] == ["stg_b", "stg_a", "dim_x", "dim_y", "fct_z", "agg_w"]
    con = duckdb.connect()
    con.execute("create table fct_old as select 1")  # a model removed from the repo does not linger
    built = run_models(con, models)
    assert [(b.name, b.rows) for b in built] == [
        ("stg_b", 1),
        ("stg_a", 1),
        ("dim_x", 1),
        ("dim_y", 1),
        ("fct_z", 1),
        ("agg_w", 1),
    ]
    assert con.execute("select x from fct_z").fetchall() == [(20,)]
    assert "fct_old" not in {r[0] for r in con.execute("show tables").fetchall()}


def test_depends_on_errors(tmp_path):
    models = write_models(tmp_path / "a", {"marts/dim_a.sql": "-- depends_on: fct_b\nselect 1"})
    with pytest.raises(ModelError, match="dim_a.sql: depends_on names models not built before it: fct_b"):
        plan(models)
    models = write_models(
        tmp_path / "b",
        {
            "marts/dim_a.sql": "-- depends_on: dim_b\nselect 1",
            "marts/dim_b.sql": "-- depends_on: dim_a\nselect 1",
        },
    )
    with pytest.raises(ModelError, match="cycle: dim_a, dim_b"):
        plan(models)


def test_a_broken_model_names_its_file(tmp_path):
    models = write_models(tmp_path, {"marts/dim_bad.sql": "select no_such_column from (select 1 as x)"})
    with pytest.raises(ModelError, match=r"^model marts/dim_bad.sql failed: Binder Error"):
        run_models(duckdb.connect(), models)


def test_checks_pass_and_fail(tmp_path):
    checks = (
        write_models(
            tmp_path,
            {
                "checks/keys_unique.sql": "select k, count(*) as n from t group by k having count(*) > 1",
                "checks/values_positive.sql": "select * from t where v <= 0;",
            },
        )
        / "checks"
    )
    con = duckdb.connect()
    con.execute("create table t as select * from (values (1, 5), (2, 3)) v(k, v)")
    assert [(r.name, r.passed) for r in run_checks(con, checks)] == [
        ("keys_unique", True),
        ("values_positive", True),
    ]
    con.execute("insert into t values (2, -1), (3, 0)")
    with pytest.raises(CheckFailed) as info:
        run_checks(con, checks)
    assert (
        str(info.value) == "check keys_unique failed: 1 row(s), e.g. k=2, n=2 (and 1 more failing check(s))"
    )
    assert [(r.name, r.failing_rows) for r in info.value.results] == [
        ("keys_unique", 1),
        ("values_positive", 2),
    ]


def test_a_failing_check_fails_the_run(etl_env):
    before = etl_env.published()
    (etl_env.models / "checks" / "payments_have_no_refunds.sql").write_text(
        "select receipt_id, amount_rm from raw_payments where payment_kind = 'refund'"
    )
    with pytest.raises(
        CheckFailed,
        match=r"check payments_have_no_refunds failed: 1 row\(s\), e.g. "
        r"receipt_id=R2024-000187, amount_rm=650.00",
    ):
        etl_env.run()
    assert etl_env.published() == before


@pytest.mark.skipif(not (QUERIES_DIR / "models" / "marts").glob("*.sql"), reason="no models yet")
def test_the_repository_models_build_on_the_templates(etl_env):
    """The real models and checks in queries/models run on the template data (one row of each kind)."""
    if not list((QUERIES_DIR / "models" / "staging").glob("*.sql")):
        pytest.skip("no staging models yet")
    result = etl_env.run(models_dir=QUERIES_DIR / "models", checks_dir=QUERIES_DIR / "models" / "checks")
    assert result.status == "succeeded"
    assert all(c.passed for c in result.checks)
    tables = {r[0] for r in etl_env.query("select table_name from information_schema.tables")}
    assert {m.name for m in result.models} <= tables


def planted_models(tmp_path, model: str, old: str, new: str):
    """A copy of the repository's models with one model's SQL changed, to plant a problem the load cannot."""
    models = tmp_path / "planted_models"
    shutil.copytree(QUERIES_DIR / "models", models)
    path = models / "marts" / f"{model}.sql"
    sql = path.read_text("utf-8")
    assert old in sql
    path.write_text(sql.replace(old, new), "utf-8")
    return models


@pytest.mark.parametrize(
    ("model", "old", "new", "message"),
    [
        # A duplicate key (the load quarantines duplicate receipts, so a model is made to repeat one).
        ("fct_payment", "select * from final", "select * from final union all (select * from final limit 1)",
         r"^check unique_fct_payment_receipt_id failed: 1 row\(s\), e.g. table=fct_payment, column=receipt_id, "
         r"value=R2024-\d+, count_rows=2"),
        # A null where the docs say not_null.
        ("fct_enrolment", "        runs.term,\n", "        null::varchar as term,\n",
         r"^check not_null_fct_enrolment_term failed: \d+ row\(s\), e.g. table=fct_enrolment, column=term, "
         r"value=None, run_id=\S+, learner_key=\w+"),
        # A value outside the contract's set (ptj.kind in core/contracts.py).
        ("dim_ptj", "        ptj_kind,\n", "        case when ptj_code = 'APM' then 'guild' else ptj_kind end as ptj_kind,\n",
         r"^check accepted_values_dim_ptj_ptj_kind failed: 1 row\(s\), e.g. table=dim_ptj, column=ptj_kind, "
         r"value=guild, ptj_code=APM"),
    ],
    ids=["duplicate_key", "null", "value_outside_contract"],
)
def test_a_generated_check_fails_the_run(etl_env, tmp_path, model, old, new, message):
    before = etl_env.published()
    models = planted_models(tmp_path, model, old, new)
    with pytest.raises(CheckFailed, match=message):
        etl_env.run(models_dir=models, checks_dir=models / "checks")
    assert etl_env.published() == before
