"""Issue 13, point 2: no role below management can recover a learner count from 1 to 4 by combining the figures
it can see, across every filter combination, breakdown and KPI.

The hand warehouse (tests/fixtures/hand) has several cells below the limit: 2025 on OpenLearning is 1 enrolment,
APM has 3, FBE's ODL run 1, R5 1 ... For a viewer and for a PTj user (FSKTM) the test enumerates every filter
combination the role can set (year; every subset of MQA categories, modes, platforms and MC types; for the PTj
user also the PTj filter, every subset of its courses and every breakdown), runs each distinct query through
`access.run_scoped` (the path every page, download and report takes) and collects every learner count shown.

Combinations that select the same course runs in the same year ask the same question (every filter here is an
attribute of the course run), so each distinct selection runs once; a random sample of combinations is run as
well and must give exactly its selection's figures.

The PTj user's 174 distinct selections x 15 KPIs (5,200 queries, 3 to 11 minutes on the CI's two busy cores) are
too many for `make test`: it runs every university-level selection and a fixed third of the others (seeded, so
the same ones each time), the viewer's 78 all. `MCKPI_DIFFERENCING=all` runs every selection (what the issue's
closing note reported).

The protection is HESA's rounding (read/privacy.py): every count shown is 0 or a multiple of 5, so every sum
or difference of any number of them is a multiple of 5, never a count from 1 to 4. With exact figures (what a
viewer saw before) the same combinations give such differences away: the test checks that too.
"""

from __future__ import annotations

import itertools
import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from read.access import AccessDenied, Identity, enforce, filter_rows, run_scoped, scope_for
from read.kpi import AccessScope, KpiError, KpiFilters, get_kpi, run_kpi
from read.privacy import parse_protect, round_count
from tests.queries.conftest import AS_OF, HAND_SETTINGS

LIMIT = HAND_SETTINGS.privacy.small_cell_limit
RAW_SETTINGS = replace(HAND_SETTINGS, privacy=replace(HAND_SETTINGS.privacy, small_cell_limit=1))  # nothing hidden
BASE = HAND_SETTINGS.privacy.rounding_base
YEARS = (None, 2024, 2025)
# Every KPI with learner counts a viewer or a PTj user can open.
KPIS = ("enrolments", "learners", "completions", "certificates", "completion_funnel", "completion_rate",
        "learner_mix", "credit_bearing", "mode_mix", "design_option_mix", "learner_demographics",
        "median_days_to_completion", "target_progress", "revenue_per_learner", "weekly_retention")
VIEWER = scope_for(Identity("guest", "viewer"))
DEAN = scope_for(Identity("dean", "ptj", ptj_codes=("FSKTM",)))


def subsets(values: tuple) -> list[tuple]:
    return [c for n in range(len(values) + 1) for c in itertools.combinations(values, n)]


@dataclass(frozen=True)
class Run:
    run_id: str
    course_code: str
    ptj_code: str
    mqa_category: int
    mode: str
    platform: str
    mc_type: str


@pytest.fixture(scope="module")
def runs(hand_warehouse) -> list[Run]:
    table = hand_warehouse.query(
        "select run_id, course_code, ptj_code, mqa_category, delivery_mode, platform, mc_type from dim_course_run"
        " order by run_id", {})
    return [Run(*row.values()) for row in table.to_pylist()]


def combinations(runs: list[Run], *, ptj_user: bool) -> Iterator[tuple[str, KpiFilters]]:
    values = {
        "mqa": tuple(sorted({r.mqa_category for r in runs})),
        "mode": tuple(sorted({r.mode for r in runs})),
        "platform": tuple(sorted({r.platform for r in runs})),
        "mc_type": tuple(sorted({r.mc_type for r in runs})),
    }
    own_courses = tuple(sorted({r.course_code for r in runs if r.ptj_code == "FSKTM"}))
    ptj_choices = subsets(("FSKTM",)) if ptj_user else [()]
    course_choices = subsets(own_courses) if ptj_user else [()]
    bys = ("university", "ptj", "course", "course_run") if ptj_user else ("university",)
    for by, ptj, courses, year, mqa, modes, platforms, mc_types in itertools.product(
            bys, ptj_choices, course_choices, YEARS, subsets(values["mqa"]), subsets(values["mode"]),
            subsets(values["platform"]), subsets(values["mc_type"])):
        yield by, KpiFilters(year=year, ptj_codes=ptj, course_codes=courses, mqa_categories=mqa, modes=modes,
                             platforms=platforms, mc_types=mc_types)


def selection(runs: list[Run], by: str, f: KpiFilters, own: tuple[str, ...] | None = None) -> tuple:
    """What a combination asks: the breakdown, whether it is the whole university's figure (the access grant of
    a PTj user depends on it), the PTj filter, the year, and the course runs the filters and the role's PTjs
    leave."""
    whole = own is None or (by == "university" and not f.ptj_codes and not f.course_codes)
    chosen = frozenset(
        r.run_id for r in runs
        if (whole or r.ptj_code in own) and (not f.ptj_codes or r.ptj_code in f.ptj_codes)
        and (not f.course_codes or r.course_code in f.course_codes)
        and (not f.mqa_categories or r.mqa_category in f.mqa_categories) and (not f.modes or r.mode in f.modes)
        and (not f.platforms or r.platform in f.platforms) and (not f.mc_types or r.mc_type in f.mc_types)
    )
    return by, whole, f.ptj_codes, f.year, chosen  # the PTj filter also picks target_progress's target rows


def _count_cells(kpi_id: str, rows: list[dict]) -> Iterator[tuple[int, str, object]]:
    """(row, column, value) of every learner count in a result."""
    spec = get_kpi(kpi_id)
    rules = parse_protect(spec.protect)
    for i, row in enumerate(rows):
        for column in spec.suppress:
            if column in row:
                yield i, column, row[column]
        for rule in rules:
            if str(row.get(rule.key)) in rule.values:
                yield i, rule.column, row[rule.column]


def _visible(scope: AccessScope, kpi_id: str, by: str, f: KpiFilters, wh) -> list[dict] | None:
    try:
        result = run_scoped(wh, kpi_id, f, by=by, scope=scope, settings=HAND_SETTINGS, as_of=AS_OF)
    except AccessDenied:  # the role may not see it (the page does not offer it)
        return None
    except KpiError:  # no such breakdown for this KPI (the page does not offer it either)
        return None
    return result.table.to_pylist()


def _exact(scope: AccessScope, kpi_id: str, by: str, f: KpiFilters, wh) -> list[dict]:
    """The same question with the true figures: the grant's PTjs and rows, nothing hidden or rounded."""
    grant = enforce(scope, get_kpi(kpi_id), by, f)
    allowed = grant.query_scope.allowed_ptj_codes
    result = run_kpi(wh, kpi_id, f, by=grant.by, scope=AccessScope("management", allowed), settings=RAW_SETTINGS,
                     as_of=AS_OF)
    return (filter_rows(result, grant.row_filter) if grant.row_filter else result).table.to_pylist()


@pytest.mark.parametrize("role,scope", [("viewer", VIEWER), ("ptj", DEAN)])
def test_no_combination_of_visible_figures_reveals_a_small_count(role: str, scope: AccessScope, runs, hand_warehouse):
    classes: dict[tuple, tuple[str, KpiFilters]] = {}
    combos = 0
    own = scope.allowed_ptj_codes if role == "ptj" else None
    for by, f in combinations(runs, ptj_user=role == "ptj"):
        combos += 1
        classes.setdefault(selection(runs, by, f, own), (by, f))
    # The number of filter combinations enumerated (reported in the issue's closing note).
    assert combos == {"viewer": 6_144, "ptj": 196_608}[role]
    assert len(classes) == {"viewer": 78, "ptj": 174}[role]
    if role == "ptj" and os.environ.get("MCKPI_DIFFERENCING") != "all":
        below = sorted((k for k in classes if k[0] != "university"), key=repr)
        keep = {k for k in classes if k[0] == "university"} | set(random.Random(14).sample(below, len(below) // 3))
        classes = {k: v for k, v in classes.items() if k in keep}
        assert {k[0] for k in classes} == {"university", "ptj", "course", "course_run"}

    visible: set[int] = set()
    exact_values: set[int] = set()
    shown_small = queries = 0
    for by, f in classes.values():
        for kpi_id in KPIS:
            rows = _visible(scope, kpi_id, by, f, hand_warehouse)
            if rows is None:
                continue
            queries += 1
            exact = _exact(scope, kpi_id, by, f, hand_warehouse)
            assert len(rows) == len(exact), (kpi_id, by, f)
            truth = {(i, c): v for i, c, v in _count_cells(kpi_id, exact)}
            for i, column, value in _count_cells(kpi_id, rows):
                true = truth[(i, column)]
                if true is None:
                    assert value is None
                    continue
                exact_values.add(int(true))
                # What is shown is the HESA rounding of the true count: hidden exactly when it is 1..4.
                assert value == round_count(int(true), BASE, LIMIT), (kpi_id, by, f, column, true, value)
                if value is None:
                    shown_small += 1
                else:
                    visible.add(int(value))
    assert queries > 100 and shown_small > 0  # the role really met small cells, and saw them hidden

    # Every figure shown is 0 or a multiple of 5: so is any sum or difference of any number of them.
    assert all(v % BASE == 0 for v in visible), sorted(visible)
    assert math.gcd(*visible) % BASE == 0
    for a, b in itertools.product(visible, repeat=2):
        assert not 0 < abs(a - b) < LIMIT and not 0 < a + b < LIMIT, (a, b)
    # With exact figures the same combinations give small counts away by subtraction (what this closes).
    assert any(0 < abs(a - b) < LIMIT for a, b in itertools.combinations(exact_values, 2))


def test_the_issues_attack_total_minus_every_platform_but_one(hand_warehouse):
    """The report in the issue: the learner total with no filter, less the total over every platform but one."""
    everything = KpiFilters(year=2025)
    but_one = KpiFilters(year=2025, platforms=("futurelearn", "lms"))  # every platform but OpenLearning

    def total(scope: AccessScope, f: KpiFilters) -> int | None:
        return run_scoped(hand_warehouse, "enrolments", f, scope=scope, settings=HAND_SETTINGS,
                          as_of=AS_OF).table.to_pylist()[0]["enrolments"]

    boss = scope_for(Identity("boss", "management"))
    assert total(boss, everything) - total(boss, but_one) == 1  # 19 - 18: management sees the exact figures
    for scope in (VIEWER, DEAN):
        assert (total(scope, everything), total(scope, but_one)) == (20, 20)  # rounded: the difference says 0
        only = run_scoped(hand_warehouse, "enrolments", KpiFilters(year=2025, platforms=("openlearning",)),
                          scope=scope, settings=HAND_SETTINGS, as_of=AS_OF)
        assert only.display_df()["enrolments"].tolist() == ["<5"]


def test_a_sample_of_combinations_gives_its_selections_figures(runs, hand_warehouse):
    """The equivalence the enumeration relies on, checked on 60 random PTj-user combinations against the real
    path: each gives exactly the figures of the combination that stood for its selection."""
    own = DEAN.allowed_ptj_codes
    total = 196_608
    picked = set(random.Random(13).sample(range(total), 60))
    representative: dict[tuple, tuple[str, KpiFilters]] = {}
    sample = []
    for index, (by, f) in enumerate(combinations(runs, ptj_user=True)):
        key = selection(runs, by, f, own)
        representative.setdefault(key, (by, f))
        if index in picked:
            sample.append((key, by, f))
    assert len(sample) == 60
    for key, by, f in sample:
        rep_by, rep_f = representative[key]
        for kpi_id in ("enrolments", "certificates", "target_progress", "completion_rate"):
            assert _visible(DEAN, kpi_id, by, f, hand_warehouse) == _visible(DEAN, kpi_id, rep_by, rep_f,
                                                                             hand_warehouse), (kpi_id, by, f)
