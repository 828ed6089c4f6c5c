"""The demo's SQL: the statements in etl/demo/sql/*.sql (bound parameters `$name` and `getvariable(...)`, never
formatted values), and the pseudo-random macros built from the catalogue's weights."""

from __future__ import annotations

from pathlib import Path

from etl.demo.catalogue import (
    _AGE_EXTERNAL,
    _AGE_INTERNAL,
    _COUNTRY_EXTERNAL,
    _COUNTRY_INTERNAL,
    _EMP_EXTERNAL,
    _FL_AGE,
    _FL_AREA,
    _FL_COUNTRY_MC,
    _FL_COUNTRY_MOOC,
    _FL_EDU,
    _FL_EMP,
    _FL_GENDER,
    _GENDER,
)

SQL_DIR = Path(__file__).parent / "sql"


def sql(name: str) -> str:
    """The statement in sql/<name>.sql (packaged with etl: pyproject.toml's package-data)."""
    return (SQL_DIR / f"{name}.sql").read_text("utf-8")


# --- pseudo-random helpers and weighted pickers (macros built from the catalogue's weights) ----------

def _case_macro(name: str, weighted: tuple[tuple[str, float], ...] | tuple[tuple[str, int], ...]) -> str:
    total = float(sum(w for _, w in weighted))
    parts, acc = [], 0.0
    for value, w in weighted[:-1]:
        acc += w / total
        parts.append(f"when x < {acc:.6f} then {_lit(value)}")
    parts.append(f"else {_lit(weighted[-1][0])}")
    return f"create macro {name}(x) as case {' '.join(parts)} end"


def _lit(value: str) -> str:
    return "null" if value == "" else "'" + value.replace("'", "''") + "'"


_MACROS = (
    # u(e, k): the k-th uniform number in [0, 1) of row e; depends only on the seed, e and k
    "create macro u(e, k) as hash(e, k, getvariable('seed')) / 18446744073709551616.0",
    "create macro u3(e, i, k) as hash(e, i, k, getvariable('seed')) / 18446744073709551616.0",
    "create macro ts(s) as make_timestamp(s::bigint * 1000000)",
    # FutureLearn exports UTC; everything else is naive Malaysia time (UTC+8)
    "create macro ts_fl(s) as make_timestamp((s::bigint - 28800) * 1000000)",
    # a moment between base and lim (both in seconds), x in [0, 1)
    "create macro between_s(base, lim, x) as base + floor((lim - base) * x)::bigint",
    _case_macro("fl_country_mooc", _FL_COUNTRY_MOOC),
    _case_macro("fl_country_mc", _FL_COUNTRY_MC),
    _case_macro("fl_gender", _FL_GENDER),
    _case_macro("fl_age", _FL_AGE),
    _case_macro("fl_edu", _FL_EDU),
    _case_macro("fl_emp", _FL_EMP),
    _case_macro("fl_area", _FL_AREA),
    _case_macro("country_internal", _COUNTRY_INTERNAL),
    _case_macro("country_external", _COUNTRY_EXTERNAL),
    _case_macro("age_internal", _AGE_INTERNAL),
    _case_macro("age_external", _AGE_EXTERNAL),
    _case_macro("emp_external", _EMP_EXTERNAL),
    _case_macro("gender_any", _GENDER),
)

_ENROL_SQL = sql("enrol")
_FL_ENROLMENTS_BATCH_SQL = sql("fl_enrolments_batch")
_FL_ENROLMENTS_SQL = sql("fl_enrolments")
_FL_STEPS_BATCH_SQL = sql("fl_steps_batch")
_FL_STEPS_SQL = sql("fl_steps")
_ENROLMENTS_SQL = sql("enrolments")
_RESULTS_SQL = sql("results")
_RESULTS_YEAR_SQL = sql("results_year")
_PAYMENTS_SQL = sql("payments")
_PAYMENTS_YEAR_SQL = sql("payments_year")
_ACTUALS_SQL = sql("actuals")
_PTJ_REVENUE_SQL = sql("ptj_revenue")
_PATHWAY_BADGES_SQL = sql("pathway_badges")
_PATHWAY_BADGES_CSV_SQL = sql("pathway_badges_csv")
_PATHWAY_OPEN_BADGES_SQL = sql("pathway_open_badges")
_PATHWAY_APPLICATIONS_SQL = sql("pathway_applications")
_PATHWAY_APPLICATIONS_CSV_SQL = sql("pathway_applications_csv")
_PATHWAY_INTAKE_CSV_SQL = sql("pathway_intake_csv")
