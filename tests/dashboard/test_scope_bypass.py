"""Issue 13, point 3: the scope cannot be bypassed in code. Every parameter that reaches a KPI query comes out of
`build_params` (filters, breakdown, the scope's PTjs, configuration, as_of) after `enforce`; no argument of any
public function of the KPI or access layer can add or override one."""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass
from typing import Any

import pytest

from core.config import load_settings
from read import access, kpi, kpi_spec
from read.access import AccessDenied, Identity, run_scoped, scope_for
from read.kpi import AccessScope, KpiError, KpiFilters, build_params, run_kpi

SETTINGS = load_settings()
DEAN = scope_for(Identity("dean", "ptj", ptj_codes=("FSKTM",)))
VIEW = scope_for(Identity("guest", "viewer"))
# What a caller might try to smuggle past the scope check.
HOSTILE_KWARGS: dict[str, Any] = {
    "extra_params": {"allowed_ptj_codes": None, "ptj_codes": ["FBE"]},
    "allowed_ptj_codes": None,
    "params": {"allowed_ptj_codes": None},
    "ptj_codes": ["FBE"],
    "year": 2024,
    "overrides": {"by": "ptj"},
}


# The KPI layer (its definitions in read.kpi_spec, running in read.kpi) and the access layer.
LAYER = (kpi_spec, kpi, access)


def _public_functions(module: Any) -> dict[str, Any]:
    return {name: obj for name, obj in vars(module).items()
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not name.startswith("_")}


def test_no_public_function_has_a_catch_all_argument() -> None:
    for module in LAYER:
        for name, fn in _public_functions(module).items():
            kinds = {p.kind for p in inspect.signature(fn).parameters.values()}
            assert inspect.Parameter.VAR_KEYWORD not in kinds, f"{module.__name__}.{name} takes **kwargs"
            assert inspect.Parameter.VAR_POSITIONAL not in kinds, f"{module.__name__}.{name} takes *args"


def _calls(wh: Any) -> dict[str, Any]:
    """One ordinary call of every public function of the two layers (name -> zero-argument callable taking the
    hostile keyword arguments)."""
    spec = kpi.get_kpi("enrolments")
    result = run_kpi(wh, "enrolments", KpiFilters(year=2025), by="ptj", settings=SETTINGS)
    policy = access.AccessPolicy()
    return {
        "kpi_spec.referenced_params": lambda **k: kpi_spec.referenced_params("select $year", **k),
        "kpi_spec.parse_kpi": lambda **k: kpi_spec.parse_kpi(spec.sql, **k),
        "kpi_spec.list_kpis": lambda **k: kpi_spec.list_kpis(**k),
        "kpi_spec.get_kpi": lambda **k: kpi_spec.get_kpi("enrolments", **k),
        "kpi.today_in_malaysia": lambda **k: kpi.today_in_malaysia(**k),
        "kpi.build_params": lambda **k: build_params(KpiFilters(), scope=DEAN, settings=SETTINGS, **k),
        "kpi.resolve_by": lambda **k: kpi.resolve_by(spec, "ptj", **k),
        "kpi.suppress_small_cells": lambda **k: kpi.suppress_small_cells(result.table, ["enrolments"], 5, **k),
        "kpi.run_kpi": lambda **k: run_kpi(wh, "enrolments", KpiFilters(), scope=DEAN, settings=SETTINGS, **k),
        "access.normalise_username": lambda **k: access.normalise_username("x", **k),
        "access.valid_username": lambda **k: access.valid_username("x", **k),
        "access.check_role": lambda **k: access.check_role("viewer", **k),
        "access.scope_for": lambda **k: scope_for(Identity("d", "ptj", ptj_codes=("FSKTM",)), **k),
        "access.allowed_pages": lambda **k: access.allowed_pages("viewer", **k),
        "access.may_break_down_by_ptj": lambda **k: access.may_break_down_by_ptj(DEAN, **k),
        "access.may_download_report": lambda **k: access.may_download_report(DEAN, **k),
        "access.enforce": lambda **k: access.enforce(DEAN, spec, "ptj", KpiFilters(), **k),
        "access.filter_rows": lambda **k: access.filter_rows(result, lambda row: True, **k),
        "access.suppress_narrowed": lambda **k: access.suppress_narrowed(result, 5, **k),
        "access.run_scoped": lambda **k: run_scoped(wh, "enrolments", KpiFilters(), by="ptj", scope=DEAN,
                                                    settings=SETTINGS, **k),
        "access.scope_key": lambda **k: access.scope_key(DEAN, **k),
        "access.scope_from_key": lambda **k: access.scope_from_key(access.scope_key(DEAN), **k),
        "access.load_access": lambda **k: access.load_access("/nonexistent/access.toml", **k),
        "access.identity_from_claims": lambda **k: access.identity_from_claims({"email": "a@b.c"}, policy, **k),
    }


def test_every_public_function_refuses_hostile_extra_arguments(hand_wh) -> None:
    calls = _calls(hand_wh)
    expected = {f"{m.__name__.split('.')[-1]}.{n}" for m in LAYER for n in _public_functions(m)}
    assert set(calls) == expected  # a public function added later must be listed here too
    functions = {f"{m.__name__.split('.')[-1]}.{n}": f for m in LAYER for n, f in _public_functions(m).items()}
    for name, call in calls.items():
        call()  # the ordinary call works
        own = set(inspect.signature(functions[name]).parameters)  # e.g. check_role's own ptj_codes argument
        for key, value in HOSTILE_KWARGS.items():
            if key in own:
                continue
            with pytest.raises(TypeError):
                call(**{key: value})
                pytest.fail(f"{name} accepted {key}=")


def _ptjs(result: kpi.KpiResult) -> set[str]:
    return set(result.df()["group_key"]) if result.table.num_rows else set()


def test_the_scoped_result_whatever_the_arguments_say(hand_wh) -> None:
    # The dean of FSKTM, by PTj: FSKTM only, however the filters are dressed up.
    assert _ptjs(run_scoped(hand_wh, "enrolments", KpiFilters(year=2025), by="ptj", scope=DEAN,
                            settings=SETTINGS)) == {"FSKTM"}
    for hostile in (("FBE",), ("FSKTM", "FBE"), ("FBE' or '1'='1",), ("fsktm",)):
        with pytest.raises(AccessDenied):
            run_scoped(hand_wh, "enrolments", KpiFilters(year=2025, ptj_codes=hostile), by="ptj", scope=DEAN,
                       settings=SETTINGS)
        # The KPI layer itself, given the dean's scope: never another PTj's rows.
        assert _ptjs(run_kpi(hand_wh, "enrolments", KpiFilters(year=2025, ptj_codes=hostile), by="ptj",
                             scope=AccessScope("ptj", ("FSKTM",)), settings=SETTINGS)) <= {"FSKTM"}
    # A viewer: university level only, whatever breakdown is asked for.
    for by in ("ptj", "course", "course_run", "ptj' or 1=1"):
        with pytest.raises(KpiError):
            run_scoped(hand_wh, "enrolments", KpiFilters(year=2025), by=by, scope=VIEW, settings=SETTINGS)


def test_filters_and_dates_are_typed_not_passed_through(hand_wh) -> None:
    @dataclass(frozen=True)
    class Sneaky(KpiFilters):
        allowed_ptj_codes: tuple[str, ...] | None = None  # an extra field named like the scope parameter

    params = build_params(Sneaky(year=2025, allowed_ptj_codes=None), scope=DEAN, settings=SETTINGS)
    assert params["allowed_ptj_codes"] == ["FSKTM"]  # the scope's, not the filter object's
    assert _ptjs(run_scoped(hand_wh, "enrolments", Sneaky(year=2025, allowed_ptj_codes=None), by="ptj",
                            scope=DEAN, settings=SETTINGS)) == {"FSKTM"}
    with pytest.raises(KpiError):
        build_params({"year": 2025, "allowed_ptj_codes": None}, scope=DEAN, settings=SETTINGS)  # type: ignore[arg-type]
    with pytest.raises(KpiError):
        run_scoped(hand_wh, "enrolments", {"allowed_ptj_codes": None}, scope=DEAN,  # type: ignore[arg-type]
                   settings=SETTINGS)
    with pytest.raises(KpiError):
        build_params(KpiFilters(), scope={"allowed_ptj_codes": None}, settings=SETTINGS)  # type: ignore[arg-type]
    for bad in ("2025-01-01'; drop table fct_payment; --", "yesterday", ["2025-01-01"]):
        with pytest.raises(KpiError):
            build_params(KpiFilters(), scope=DEAN, settings=SETTINGS, as_of=bad)  # type: ignore[arg-type]
    assert build_params(KpiFilters(), scope=DEAN, settings=SETTINGS, as_of=dt.date(2025, 8, 7))["as_of"] == dt.date(
        2025, 8, 7)


def test_every_kpi_parameter_comes_from_build_params() -> None:
    made = set(build_params(KpiFilters(), settings=SETTINGS))
    for spec in kpi.list_kpis():
        assert spec.params <= made, (spec.id, spec.params - made)
