"""Every KPI against the hand-built landing folder (tests/fixtures/hand/), with the expected figures worked out by
hand below. The warehouse is built by the real ETL (conftest.py); as_of is 2025-08-07 (day 219 of 365 = 60.0%).

The fixture
-----------
PTjs: FSKTM, FBE, APM.
Staff: S01 S02 (FSKTM), S03 (FBE), S04 (FBE, left 2025-03-31), S05 S06 (APM), S07 (FBE, left 2025-05-31).

Courses (PTj, MQA category, type, mode, design option, platform, credits, fee RM, owner, plan phase, launched):
  C1 MC-FSKTM-001   FSKTM 1 programme_based blended      A    futurelearn  3 650 S01 phase_3   2023-03-01
  C2 MOOC-FSKTM-002 FSKTM 3 mooc            odl          B1   futurelearn  0   0 S02 immediate 2025-04-07
  C3 MC-FBE-001     FBE   1 programme_based odl          B2   openlearning 2 600 S04 phase_2   2024-06-03
  C4 MC-FBE-002     FBE   3 stand_alone     conventional none lms          0 500 S07 immediate 2025-02-10
  C5 MC-APM-001     APM   3 stand_alone     blended      A    lms          0 550 S05 phase_2   2025-03-10
  C6 MC-APM-002     APM   1 programme_based blended      A    lms          2 700 S06 phase_3   2026-03-01 (no runs)

Runs (start, weeks, term) and their learners:
  R1 MC-FSKTM-001-2025-1   2025-03-03 5w 2025-S1  FutureLearn data-analytics-1: fl-0001..fl-0005
                           (+ fl-0009, an organisation admin, never counted)
  R2 MOOC-FSKTM-002-2025-1 2025-04-07 3w 2025-S1  FutureLearn cyber-security-1: fl-0001 (again), fl-0006..fl-0008
  R3 MC-FBE-001-2024-1     2024-06-03 8w 2024-S1  S2401001, S2401002 (internal), ext-101..ext-104
  R4 MC-FBE-001-2024-2     2024-12-30 6w 2024-S2  ext-105, ext-106, ext-107, ext-101 (again)   <- year boundary
  R5 MC-FBE-001-2025-2     2025-09-01 6w 2025-S2  ext-108                                       <- after as_of
  R6 MC-FBE-002-2025-1     2025-02-10 4w 2025-S1  ext-201..ext-206 (ext-206 withdrew, refunded)
  R7 MC-APM-001-2025-1     2025-03-10 4w 2025-S1  S2501001 (internal), ext-301, ext-302
  (enrolments_2025.csv also has a row for an unknown run and payments_2025.csv a 0.00 receipt: both quarantined)

Enrolments by run start year: 2024 = R3 6 + R4 4 = 10; 2025 = R1 5 + R2 4 + R5 1 + R6 6 + R7 3 = 19.
Learners: 2024 = 10 - 1 (ext-101 in R3 and R4) = 9; 2025 = 19 - 1 (fl-0001 in R1 and R2) = 18.
By PTj 2025: FSKTM = R1 + R2 = 9 enrolments, 8 learners; FBE = R5 + R6 = 7; APM = R7 = 3.

Step data (10 steps per run): R1 steps 1.1..5.2 (2 per week); R2 steps 1.1-1.4, 2.1-2.3, 3.1-3.3.
  R1: fl-0001 visits and completes 10; fl-0002 visits 10, completes 9; fl-0003 visits 6 (weeks 1-3), completes 5;
      fl-0004 visits 2 (week 1), completes 1; fl-0005 no steps (unenrolled 2025-03-10).
      -> started 4; >=50% (completed x 2 >= 10): 0001, 0002, 0003 = 3; >=90% (x 10 >= 90): 0001, 0002 = 2.
  R2: fl-0001 completes 10; fl-0006 visits and completes 3 (week 1); fl-0007 visits and completes 7 (weeks 1-2);
      fl-0008 no steps.  -> started 3; >=50%: 0001, 0007 = 2; >=90%: 0001 = 1.
Fully participated (FutureLearn): R1 fl-0001 (2025-03-28), fl-0002 (2025-04-03); R2 fl-0001 (2025-04-25),
  fl-0007 (2025-04-20). Certificates bought on FutureLearn: fl-0001 in R1 (2025-04-02) and R2 (2025-04-26).

Results (outcome, certificate, issued):
  R3: S2401001 passed COA + badge 2024-08-05; S2401002 completed COC 2024-08-06; ext-101 passed COA 2024-08-05;
      ext-102 failed; ext-103 withdrawn.
  R4: ext-101 passed COA + MMS 2025-02-20; ext-105 completed COC 2025-02-21; ext-106 failed.
  R1: fl-0001 passed COA 2025-04-10; fl-0002 completed COC 2025-04-10.
  R6: ext-201 passed COA + badge 2025-03-20; ext-202 passed COA 2025-03-20; ext-203 completed COC 2025-03-21;
      ext-204 failed; ext-205 completed (no certificate); ext-206 withdrawn.
  R7: S2501001 passed COA 2025-04-15; ext-301 completed COC 2025-04-16; ext-302 failed.
Completed (outcome completed/passed, or fully participated):
  2024: R3 S2401001, S2401002, ext-101 (3) + R4 ext-101, ext-105 (2) = 5.
  2025: R1 0001, 0002 (2) + R2 0001, 0007 (2) + R6 201, 202, 203, 205 (4) + R7 S2501001, 301 (2) = 10.

Payments (credited PTj = the course's): fees R3 4 x 600 (May 2024); R4 ext-105, ext-106 600 each in Dec 2024 and
  ext-107, ext-101 600 each in Jan 2025; R6 6 x 500 (Jan-Feb 2025) and a 500 refund to ext-206 (2025-02-20);
  R1 2 x 650 (Feb 2025); R7 2 x 550 (Mar 2025); R2 one certificate 89.00 (May 2025); R5 600 (Jul 2025).
  2024: fees 2400 + 1200 = 3600.00 net.  2025: fees 1200 + 3000 + 1300 + 1100 + 600 = 7200.00, certificates
  89.00, refunds 500.00, net 7200 + 89 - 500 = 6789.00.

Teaching (contact, online hours; weighted = contact + online x 0.5; overloaded above 120 per term):
  S01 R1 20 + 40 -> 40;  S02 R1 60 + 50 and R2 10 + 60 -> 70 + 110 x 0.5 = 125 (overloaded, 2025-S1);
  S03 R3 30 + 40 -> 50 (2024-S1), R6 56 + 0 -> 56 (2025-S1), R5 0 + 60 -> 30 (2025-S2);
  S04 R3 20 + 60 -> 50 (2024-S1), R4 10 + 60 -> 40 (2024-S2); S05 R7 30 + 28 -> 44; S06 R7 0 + 24 -> 12.

Small-cell limit 5: below university level a learner count of 1-4 shows as "<5"; when a column (within a year)
has exactly one such cell, its next smallest non-zero cell is hidden too.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.config import Privacy, Settings, Workload
from read.kpi import AccessScope


def rows(result) -> list[dict]:
    return result.table.to_pylist()


def by_key(result, *keys: str) -> dict:
    """Rows keyed by (year, group_key) or the columns named."""
    keys = keys or ("year", "group_key")
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows(result)}


def hidden(result, row_key: tuple, column: str, keys: tuple[str, ...] = ("year", "group_key")) -> bool:
    table_rows = rows(result)
    index = next(i for i, r in enumerate(table_rows) if tuple(r[k] for k in keys) == row_key)
    return (index, column) in result.suppressed


# --- ministry: courses ----------------------------------------------------------------------------------------


def test_courses_offered(kpi):
    result = by_key(kpi("courses_offered"))
    # 2024: only C3 has runs (R3, R4). 2025: C1 (R1), C2 (R2), C3 (R5), C4 (R6), C5 (R7); C2 is the MOOC.
    assert (result[(2024, "ALL")]["courses_offered"], result[(2024, "ALL")]["mc_courses"],
            result[(2024, "ALL")]["mooc_courses"]) == (1, 1, 0)
    assert (result[(2025, "ALL")]["courses_offered"], result[(2025, "ALL")]["mc_courses"],
            result[(2025, "ALL")]["mooc_courses"]) == (5, 4, 1)
    assert result[(2025, "ALL")]["group_label"] == "University"


def test_courses_offered_by_ptj(kpi):
    result = by_key(kpi("courses_offered", year=2025, by="ptj"))
    # FSKTM: C1 + C2 (the MOOC); FBE: C3 (R5, a run later in 2025) + C4; APM: C5 (C6 has no runs).
    assert {k[1]: (r["courses_offered"], r["mc_courses"], r["mooc_courses"]) for k, r in result.items()} == {
        "FSKTM": (2, 1, 1), "FBE": (2, 2, 0), "APM": (1, 1, 0)
    }
    assert result[(2025, "FBE")]["group_label"] == "Faculty of Business and Economics"


def test_runs_started(kpi):
    result = by_key(kpi("runs_started"))
    # The run starting 2024-12-30 (R4) is a 2024 run: 2024 = R3 + R4; 2025 = R1, R2, R5, R6, R7.
    assert result[(2024, "ALL")]["runs_started"] == 2
    assert (result[(2025, "ALL")]["runs_started"], result[(2025, "ALL")]["mc_runs"],
            result[(2025, "ALL")]["mooc_runs"]) == (5, 4, 1)
    per_course = by_key(kpi("runs_started", by="course"))
    assert per_course[(2024, "MC-FBE-001")]["runs_started"] == 2
    assert per_course[(2025, "MC-FBE-001")]["runs_started"] == 1


def test_new_courses(kpi):
    result = by_key(kpi("new_courses"))
    # launch years: C1 2023; C3 2024; C2, C4, C5 2025 (C2 the MOOC); C6 2026 (planned).
    assert {k[0]: r["new_courses"] for k, r in result.items()} == {2023: 1, 2024: 1, 2025: 3, 2026: 1}
    assert (result[(2025, "ALL")]["new_mc_courses"], result[(2025, "ALL")]["new_mooc_courses"]) == (2, 1)
    per_ptj = by_key(kpi("new_courses", year=2025, by="ptj"))
    assert {k[1]: r["new_courses"] for k, r in per_ptj.items()} == {"FSKTM": 1, "FBE": 1, "APM": 1}


def test_category_mix(kpi):
    result = by_key(kpi("category_mix"), "year", "mqa_category")
    # MC courses only (the MOOC C2 left out). 2025: cat 1 = C1, C3; cat 3 = C4, C5 -> 2 of 4 each = 50%.
    # Targets 60 / 40 -> gaps -10 / +10.
    assert {k: (r["courses"], r["mc_courses"], r["share_pct"], r["target_pct"], r["gap_pct"])
            for k, r in result.items() if k[0] == 2025} == {
        (2025, 1): (2, 4, 50.0, 60.0, -10.0),
        (2025, 3): (2, 4, 50.0, 40.0, 10.0),
    }
    # 2024: only C3 (cat 1) -> 100% vs 60 (+40); cat 3 gets a row with 0 (-40).
    assert (result[(2024, 1)]["share_pct"], result[(2024, 1)]["gap_pct"]) == (100.0, 40.0)
    assert (result[(2024, 3)]["courses"], result[(2024, 3)]["gap_pct"]) == (0, -40.0)


def test_category_mix_by_ptj(kpi):
    result = by_key(kpi("category_mix", year=2025, by="ptj"), "group_key", "mqa_category")
    # FBE: C3 (cat 1) and C4 (cat 3) -> 50/50; APM: C5 (cat 3) only; FSKTM: C1 (cat 1) only (C2 is a MOOC).
    assert result[("FBE", 1)]["share_pct"] == 50.0 and result[("FBE", 3)]["share_pct"] == 50.0
    assert result[("APM", 3)]["share_pct"] == 100.0 and result[("APM", 1)]["courses"] == 0
    assert result[("FSKTM", 1)]["share_pct"] == 100.0


def test_mode_mix(kpi):
    result = by_key(kpi("mode_mix", year=2025), "delivery_mode")
    # Courses: blended C1, C5; odl C2, C3; conventional C4 (of 5). Enrolments: blended R1 5 + R7 3 = 8;
    # odl R2 4 + R5 1 = 5; conventional R6 6.
    assert {m: (r["courses"], r["share_pct"], r["enrolments"]) for m, r in result.items()} == {
        "blended": (2, 40.0, 8), "odl": (2, 40.0, 5), "conventional": (1, 20.0, 6)
    }


def test_mode_mix_by_ptj_suppresses_within_each_mode(kpi):
    result = kpi("mode_mix", year=2025, by="ptj")
    values = by_key(result, "group_key", "delivery_mode")
    # blended: APM 3 (hidden) and FSKTM 5 -> the only hidden cell in (2025, blended), so FSKTM 5 is hidden too.
    assert values[("APM", "blended")]["enrolments"] is None
    assert values[("FSKTM", "blended")]["enrolments"] is None
    # conventional: FBE 6 stays; odl: FBE 1 and FSKTM 4 both hidden.
    assert values[("FBE", "conventional")]["enrolments"] == 6
    assert values[("FBE", "odl")]["enrolments"] is None and values[("FSKTM", "odl")]["enrolments"] is None
    # Course counts are never suppressed.
    assert values[("APM", "blended")]["courses"] == 1


def test_design_option_mix(kpi):
    result = by_key(kpi("design_option_mix", year=2025), "design_option")
    # A: C1, C5 (R1 5 + R7 3 = 8); B1: C2 (4); B2: C3 (R5 1); none: C4 (6).
    assert {d: (r["courses"], r["share_pct"], r["enrolments"]) for d, r in result.items()} == {
        "A": (2, 40.0, 8), "B1": (1, 20.0, 4), "B2": (1, 20.0, 1), "none": (1, 20.0, 6)
    }


def test_credit_bearing(kpi):
    result = by_key(kpi("credit_bearing"))
    # 2025: of C1..C5, C1 (3 credits) and C3 (2) carry credit: 2 of 5 = 40%, 5 credits; enrolments R1 5 + R5 1.
    assert {c: result[(2025, "ALL")][c] for c in (
        "courses_offered", "credit_bearing_courses", "credits_on_offer", "credit_bearing_share_pct",
        "enrolments_credit_bearing")} == {
        "courses_offered": 5, "credit_bearing_courses": 2, "credits_on_offer": 5,
        "credit_bearing_share_pct": 40.0, "enrolments_credit_bearing": 6,
    }
    # 2024: C3 only: 1 of 1, 2 credits, R3 6 + R4 4 = 10 enrolments.
    assert (result[(2024, "ALL")]["credits_on_offer"], result[(2024, "ALL")]["enrolments_credit_bearing"]) == (2, 10)


def test_phase_plan(kpi):
    result = by_key(kpi("phase_plan", year=2025), "plan_phase")
    # immediate: C2, C4 (both 2025); phase_2: C3 (2024), C5 (2025); phase_3: C1 (2023), C6 (2026, not yet).
    assert {p: (r["courses_planned"], r["courses_launched"], r["launched_pct"]) for p, r in result.items()} == {
        "immediate": (2, 2, 100.0), "phase_2": (2, 2, 100.0), "phase_3": (2, 1, 50.0)
    }
    by_2024 = by_key(kpi("phase_plan", year=2024), "plan_phase")
    assert {p: r["courses_launched"] for p, r in by_2024.items()} == {"immediate": 0, "phase_2": 1, "phase_3": 1}
    # No year: launched by as_of (2025-08-07), reported under 2025.
    no_year = by_key(kpi("phase_plan"), "year", "plan_phase")
    assert no_year[(2025, "phase_3")]["courses_launched"] == 1


# --- ministry: learners ----------------------------------------------------------------------------------------


def test_enrolments_and_learners_university(kpi):
    enrolments = by_key(kpi("enrolments"))
    learners = by_key(kpi("learners"))
    assert enrolments[(2024, "ALL")]["enrolments"] == 10
    assert enrolments[(2025, "ALL")]["enrolments"] == 19
    # The learner in two runs: ext-101 (R3 and R4, 2024) and fl-0001 (R1 and R2, 2025) count once.
    assert learners[(2024, "ALL")]["learners"] == 9
    assert learners[(2025, "ALL")]["learners"] == 18
    assert learners[(2025, "ALL")]["learners"] < enrolments[(2025, "ALL")]["enrolments"]
    # Withdrawals: 2024 ext-103 (unenrolled, outcome withdrawn); 2025 fl-0005 (unenrolled) and ext-206.
    assert (enrolments[(2024, "ALL")]["withdrawals"], enrolments[(2025, "ALL")]["withdrawals"]) == (1, 2)
    # University level: nothing suppressed.
    assert not kpi("enrolments").suppressed


def test_organisation_admin_and_quarantined_rows_are_not_enrolments(kpi):
    # R1's file has 6 rows; fl-0009 is an organisation_admin. The unknown-run row was quarantined.
    per_run = by_key(kpi("enrolments", by="course_run", small_cell_limit=1))
    assert per_run[(2025, "MC-FSKTM-001-2025-1")]["enrolments"] == 5
    assert sum(r["enrolments"] for r in per_run.values()) == 29


def test_year_boundary_run_counts_in_its_start_year(kpi):
    # R4 starts 2024-12-30; two of its learners enrolled in January 2025: all four are 2024 enrolments.
    per_run = by_key(kpi("enrolments", by="course_run", year=2024, small_cell_limit=1))
    assert per_run[(2024, "MC-FBE-001-2024-2")]["enrolments"] == 4
    # Filtering by enrolment date picks out the January ones only.
    import datetime as dt

    january = kpi("enrolments", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))
    # Jan 2025 enrolments: R4 ext-107 (01-02), ext-101 (01-03) [2024 runs]; R6 ext-201 (01-20), 202, 203 [2025].
    assert {r["year"]: r["enrolments"] for r in rows(january)} == {2024: 2, 2025: 3}


def test_enrolments_by_ptj_suppression(kpi):
    result = kpi("enrolments", year=2025, by="ptj")
    values = by_key(result)
    # FSKTM 9, FBE 7, APM 3: APM is hidden (3 < 5); it is the only hidden cell in the column, so the next
    # smallest non-zero cell (FBE 7) is hidden too; FSKTM 9 stays.
    assert values[(2025, "FSKTM")]["enrolments"] == 9
    assert values[(2025, "APM")]["enrolments"] is None and hidden(result, (2025, "APM"), "enrolments")
    assert values[(2025, "FBE")]["enrolments"] is None and hidden(result, (2025, "FBE"), "enrolments")
    shown = result.display_df("en").set_index("group_key")
    assert shown.loc["APM", "enrolments"] == "<5"
    assert shown.loc["FBE", "enrolments"] == "<5"  # the complementary cell
    assert shown.loc["FSKTM", "enrolments"] == 9
    # Withdrawals: FSKTM 1 (fl-0005), FBE 1 (ext-206), APM 0 -> two hidden, zero shown as 0.
    assert shown.loc["APM", "withdrawals"] == 0
    assert shown.loc["FSKTM", "withdrawals"] == "<5" and shown.loc["FBE", "withdrawals"] == "<5"
    # Malay labels come from dim_ptj.
    assert result.display_df("ms").set_index("group_key").loc["APM", "group_label"] == "Akademi Pengajian Melayu"


def test_enrolments_by_course_run_complementary_within_year(kpi):
    result = kpi("enrolments", by="course_run")
    values = by_key(result)
    # 2024: R3 6, R4 4 -> R4 hidden alone in 2024, so R3 (6) is hidden as the complement.
    assert values[(2024, "MC-FBE-001-2024-1")]["enrolments"] is None
    assert values[(2024, "MC-FBE-001-2024-2")]["enrolments"] is None
    # 2025: R1 5, R2 4, R5 1, R6 6, R7 3 -> three hidden, no complement needed; R1 and R6 shown.
    assert values[(2025, "MC-FSKTM-001-2025-1")]["enrolments"] == 5
    assert values[(2025, "MC-FBE-002-2025-1")]["enrolments"] == 6
    assert values[(2025, "MC-FBE-002-2025-1")]["group_label"] == "Digital Marketing for SMEs (2025-02-10)"


def test_learners_by_ptj(kpi):
    result = kpi("learners", year=2025, by="ptj")
    values = by_key(result)
    # FSKTM 8 (fl-0001 once), FBE 7, APM 3 -> APM hidden, FBE hidden as complement.
    assert values[(2025, "FSKTM")]["learners"] == 8
    assert values[(2025, "FBE")]["learners"] is None and values[(2025, "APM")]["learners"] is None


def test_learner_mix(kpi):
    result = by_key(kpi("learner_mix"))
    # 2025 (18): internal S2501001 = 1. Malaysian: fl-0001, 0003, 0006, 0008, ext-108, 201, 202, 204, 206,
    # S2501001, ext-301 = 11; international: fl-0002 GB, 0004 ID, 0007 IN, ext-203 ID, ext-302 CN = 5;
    # unknown: fl-0005 (country Unknown, detected '--'), ext-205 (blank) = 2.
    assert {c: result[(2025, "ALL")][c] for c in (
        "learners", "internal", "external", "malaysian", "international", "nationality_unknown")} == {
        "learners": 18, "internal": 1, "external": 17, "malaysian": 11, "international": 5, "nationality_unknown": 2,
    }
    # 2024 (9): internal S2401001, S2401002; Malaysian S2401001/2, ext-101, 103, 105, 106 = 6;
    # international ext-102 ID, ext-104 SG = 2; unknown ext-107 = 1.
    assert (result[(2024, "ALL")]["internal"], result[(2024, "ALL")]["malaysian"],
            result[(2024, "ALL")]["international"], result[(2024, "ALL")]["nationality_unknown"]) == (2, 6, 2, 1)


def test_learner_mix_by_ptj(kpi):
    result = kpi("learner_mix", year=2025, by="ptj")
    values = by_key(result)
    # FSKTM 8: external 8, Malaysian 4 (0001, 0003, 0006, 0008), international 3, unknown 1.
    # FBE 7: Malaysian 5 (108, 201, 202, 204, 206), international 1 (203), unknown 1 (205).
    # APM 3: internal 1, external 2, Malaysian 2, international 1.
    fsktm, fbe, apm = values[(2025, "FSKTM")], values[(2025, "FBE")], values[(2025, "APM")]
    assert (fsktm["learners"], fsktm["external"], fsktm["internal"]) == (8, 8, 0)
    assert fbe["malaysian"] == 5 and fbe["internal"] == 0
    # learners 8/7/3 -> APM hidden + FBE as complement; internal 0/0/1 -> APM hidden, no non-zero complement.
    assert fbe["learners"] is None and apm["learners"] is None
    assert apm["internal"] is None and fbe["internal"] == 0 and fsktm["internal"] == 0
    # malaysian 4/5/2 -> FSKTM and APM hidden (two cells, no complement): FBE 5 shown.
    assert fsktm["malaysian"] is None and apm["malaysian"] is None


def test_learner_demographics(kpi):
    result = by_key(kpi("learner_demographics", year=2025), "dimension", "value")
    # Age band known for 16 of 18 (fl-0004, fl-0005 'Unknown'):
    # 18-25: fl-0003, ext-206, S2501001 = 3; 26-35: fl-0001, 0007, ext-108, 201, 203, 205, 302 = 7;
    # 36-45: fl-0002, ext-202, 301 = 3; 46-55: fl-0006, ext-204 = 2; 56-65: fl-0008 = 1.
    ages = {v: r["learners"] for (d, v), r in result.items() if d == "age_band"}
    assert ages == {"18-25": 3, "26-35": 7, "36-45": 3, "46-55": 2, "56-65": 1}
    # Employment: working_full_time fl-0001, 0002, ext-108, 201, 202, 205, 301, 302 = 8; full_time_student
    # fl-0003, S2501001 = 2; working_part_time fl-0006, ext-206 = 2; self_employed fl-0007, ext-203 = 2;
    # retired fl-0008 = 1; unemployed ext-204 = 1.
    jobs = {v: r["learners"] for (d, v), r in result.items() if d == "employment_status"}
    assert jobs == {"working_full_time": 8, "full_time_student": 2, "working_part_time": 2, "self_employed": 2,
                    "retired": 1, "unemployed": 1}
    assert "Unknown" not in ages and None not in ages


def test_completions(kpi):
    result = by_key(kpi("completions"))
    assert (result[(2024, "ALL")]["completions"], result[(2025, "ALL")]["completions"]) == (5, 10)
    # passed: 2024 S2401001, ext-101 (R3), ext-101 (R4) = 3; 2025 fl-0001 (R1), ext-201, 202, S2501001 = 4.
    assert (result[(2024, "ALL")]["passed"], result[(2025, "ALL")]["passed"]) == (3, 4)
    per_run = by_key(kpi("completions", year=2025, by="course_run", small_cell_limit=1))
    assert {k[1]: r["completions"] for k, r in per_run.items()} == {
        "MC-FSKTM-001-2025-1": 2, "MOOC-FSKTM-002-2025-1": 2, "MC-FBE-001-2025-2": 0, "MC-FBE-002-2025-1": 4,
        "MC-APM-001-2025-1": 2,
    }


def test_certificates(kpi):
    result = by_key(kpi("certificates"))
    # By issue year. 2024 (R3): COA S2401001, ext-101; COC S2401002; badge S2401001 -> 4.
    assert {c: result[(2024, "ALL")][c] for c in ("certificates", "coc", "coa", "mms", "badges")} == {
        "certificates": 4, "coc": 1, "coa": 2, "mms": 0, "badges": 1
    }
    # 2025: COA fl-0001 (R1), ext-101 (R4, a 2024 run issued in 2025), 201, 202, S2501001 = 5;
    # COC fl-0002, ext-105, 203, 301 = 4; MMS ext-101 = 1; badge ext-201 = 1 -> 11.
    # Bought on FutureLearn in 2025: fl-0001 in R1 and in R2 = 2.
    assert {c: result[(2025, "ALL")][c] for c in (
        "certificates", "coc", "coa", "mms", "badges", "certificates_purchased")} == {
        "certificates": 11, "coc": 4, "coa": 5, "mms": 1, "badges": 1, "certificates_purchased": 2
    }
    assert result[(2025, "ALL")]["certificates_total"] == 13  # issued or bought (issue 15)
    assert result[(2024, "ALL")]["certificates_total"] == 4


def test_certificates_by_ptj(kpi):
    result = kpi("certificates", year=2025, by="ptj")
    values = by_key(result)
    # FBE: COA ext-101, 201, 202; COC ext-105, 203; MMS; badge = 7 (shown). FSKTM 2, APM 2 -> hidden (2 cells).
    assert values[(2025, "FBE")]["certificates"] == 7
    assert values[(2025, "FSKTM")]["certificates"] is None and values[(2025, "APM")]["certificates"] is None
    # Purchased 2 at FSKTM, 0 elsewhere: hidden, and no non-zero cell left to hide as a complement.
    assert values[(2025, "FSKTM")]["certificates_purchased"] is None
    assert values[(2025, "FBE")]["certificates_purchased"] == 0


def test_completion_rate(kpi):
    result = by_key(kpi("completion_rate"))
    # 2025: 10 completed / 19 enrolments = 52.6%; starters (step data only) R1 4 + R2 3 = 7, of whom completed
    # fl-0001 + fl-0002 (R1), fl-0001 + fl-0007 (R2) = 4 -> 57.1%.
    assert {c: result[(2025, "ALL")][c] for c in (
        "enrolments", "completed", "completion_rate_pct", "starters", "completed_starters",
        "completion_rate_started_pct")} == {
        "enrolments": 19, "completed": 10, "completion_rate_pct": 52.6, "starters": 7, "completed_starters": 4,
        "completion_rate_started_pct": 57.1,
    }
    # 2024: 5 / 10 = 50%; no step data, so no starters and no rate over starters (not 0).
    assert result[(2024, "ALL")]["completion_rate_pct"] == 50.0
    assert result[(2024, "ALL")]["starters"] is None and result[(2024, "ALL")]["completion_rate_started_pct"] is None


def test_completion_rate_hides_rates_of_rows_with_hidden_counts(kpi):
    result = kpi("completion_rate", year=2025, by="ptj")
    values = by_key(result)
    # FSKTM: enrolments 9 shown, completed 4 hidden -> 44.4% would give 4 back, so the rates are hidden.
    assert values[(2025, "FSKTM")]["enrolments"] == 9 and values[(2025, "FSKTM")]["completed"] is None
    assert values[(2025, "FSKTM")]["completion_rate_pct"] is None
    shown = result.display_df().set_index("group_key")
    assert shown.loc["FSKTM", "completion_rate_pct"] == "-"
    assert shown.loc["FSKTM", "completed"] == "<5"
    # Without suppression: FSKTM 4/9 = 44.4%, FBE 4/7 = 57.1%, APM 2/3 = 66.7%.
    plain = by_key(kpi("completion_rate", year=2025, by="ptj", small_cell_limit=1))
    assert {k[1]: r["completion_rate_pct"] for k, r in plain.items()} == {"FSKTM": 44.4, "FBE": 57.1, "APM": 66.7}


# --- targets ---------------------------------------------------------------------------------------------------


def test_target_progress(kpi):
    result = {(r["year"], r["kpi_id"], r["scope"], r["ptj_code"]): r for r in rows(kpi("target_progress"))}

    def check(key, value, pct, expected, status):
        row = result[key]
        got = (row["value"], row["pct_achieved"], row["expected_pct"], row["status"])
        assert got == (value, pct, expected, status), key

    # 2024 is past: expected 100%. Enrolments 10 / 12 = 83.3%; 83.3 >= 100 x 0.8 -> at risk.
    check((2024, "enrolments", "university", None), Decimal("10.00"), 83.3, 100.0, "at_risk")
    # 2025: expected 219/365 = 60.0%.
    # enrolments 19 / 40 = 47.5%; 47.5 < 60 x 0.8 = 48 -> behind.
    check((2025, "enrolments", "university", None), Decimal("19.00"), 47.5, 60.0, "behind")
    # learners 18 / 30 = 60.0% >= 60 x 1.0 -> on track (exactly on the line).
    check((2025, "learners", "university", None), Decimal("18.00"), 60.0, 60.0, "on_track")
    check((2025, "courses_offered", "university", None), Decimal("5.00"), 100.0, 60.0, "on_track")
    # new courses 3 / 4 = 75%.
    check((2025, "new_courses", "university", None), Decimal("3.00"), 75.0, 60.0, "on_track")
    # completions 10 / 18 = 55.6%; 48 <= 55.6 < 60 -> at risk.
    check((2025, "completions", "university", None), Decimal("10.00"), 55.6, 60.0, "at_risk")
    # certificates as the KPI counts them: 11 issued + 2 bought on FutureLearn = 13 / 10 = 130%.
    check((2025, "certificates", "university", None), Decimal("13.00"), 130.0, 60.0, "on_track")
    # net revenue 6789.00 / 10000 = 67.9%.
    check((2025, "net_revenue", "university", None), Decimal("6789.00"), 67.9, 60.0, "on_track")
    # PTj targets: FBE net revenue 4300 / 5000 = 86%; FSKTM enrolments 9 / 20 = 45% -> behind.
    check((2025, "net_revenue", "ptj", "FBE"), Decimal("4300.00"), 86.0, 60.0, "on_track")
    check((2025, "enrolments", "ptj", "FSKTM"), Decimal("9.00"), 45.0, 60.0, "behind")
    # A target for a KPI the SQL does not compute: no value, no status.
    check((2025, "completion_rate", "university", None), None, None, 60.0, None)
    # A future year: nothing expected yet.
    check((2026, "enrolments", "university", None), Decimal("0.00"), 0.0, 0.0, "not_started")
    assert result[(2025, "net_revenue", "ptj", "FBE")]["target_value"] == Decimal("5000.00")


def test_target_progress_status_moves_with_as_of(kpi):
    import datetime as dt

    # On 2025-12-31 the whole year is expected: learners 60% of target -> 60 >= 100 x 0.8? no -> behind.
    late = {(r["kpi_id"], r["scope"]): r for r in rows(kpi("target_progress", year=2025,
                                                              as_of=dt.date(2025, 12, 31)))}
    assert late[("learners", "university")]["expected_pct"] == 100.0
    assert late[("learners", "university")]["status"] == "behind"
    # In 2026, 2025 is a past year.
    assert {r["expected_pct"] for r in rows(kpi("target_progress", year=2025, as_of=dt.date(2026, 2, 1)))} == {100.0}


def test_target_progress_scope_and_ptj_filter(kpi):
    # A dean of FBE sees only FBE's targets (no university rows, no other PTj's).
    scoped = rows(kpi("target_progress", scope=AccessScope("dean", ("FBE",))))
    assert [(r["kpi_id"], r["ptj_code"]) for r in scoped] == [("net_revenue", "FBE")]
    filtered = rows(kpi("target_progress", ptj_codes=("FSKTM",)))
    assert [(r["kpi_id"], r["ptj_code"]) for r in filtered] == [("enrolments", "FSKTM")]


# --- revenue ---------------------------------------------------------------------------------------------------


def test_revenue(kpi):
    result = by_key(kpi("revenue"))
    assert {c: result[(2024, "ALL")][c] for c in ("gross_fees_rm", "certificate_income_rm", "refunds_rm",
                                                   "net_revenue_rm")} == {
        "gross_fees_rm": Decimal("3600.00"), "certificate_income_rm": Decimal("0.00"),
        "refunds_rm": Decimal("0.00"), "net_revenue_rm": Decimal("3600.00"),
    }
    # 2025: 7200 fees + 89 certificate - 500 refund = 6789.00; 15 receipts (the 0.00 one was quarantined).
    assert {c: result[(2025, "ALL")][c] for c in ("gross_fees_rm", "certificate_income_rm", "refunds_rm",
                                                   "net_revenue_rm", "receipts")} == {
        "gross_fees_rm": Decimal("7200.00"), "certificate_income_rm": Decimal("89.00"),
        "refunds_rm": Decimal("500.00"), "net_revenue_rm": Decimal("6789.00"), "receipts": 15,
    }
    assert isinstance(kpi("revenue").df()["net_revenue_rm"].iloc[0], Decimal)  # money stays Decimal


def test_revenue_by_ptj(kpi):
    result = by_key(kpi("revenue", year=2025, by="ptj"))
    # FSKTM 1300 fees + 89 certificate = 1389; FBE 1200 (R4, Jan) + 600 (R5) + 3000 (R6) - 500 = 4300; APM 1100.
    assert {k[1]: r["net_revenue_rm"] for k, r in result.items()} == {
        "FSKTM": Decimal("1389.00"), "FBE": Decimal("4300.00"), "APM": Decimal("1100.00")
    }
    assert result[(2025, "FBE")]["refunds_rm"] == Decimal("500.00")
    assert not kpi("revenue", year=2025, by="ptj").suppressed  # money is not a learner count


def test_revenue_by_month_and_year_boundary(kpi):
    result = by_key(kpi("revenue", by="month"))
    # R4 (starts 2024-12-30) was paid in December 2024 (2 x 600) and January 2025 (2 x 600).
    assert result[(2024, "2024-12")]["net_revenue_rm"] == Decimal("1200.00")
    # Jan 2025: R4 1200 + R6 ext-201..203 1500 = 2700; Feb: R6 1500 + R1 1300 - refund 500 = 2300.
    assert result[(2025, "2025-01")]["net_revenue_rm"] == Decimal("2700.00")
    assert (result[(2025, "2025-02")]["gross_fees_rm"], result[(2025, "2025-02")]["refunds_rm"],
            result[(2025, "2025-02")]["net_revenue_rm"]) == (Decimal("2800.00"), Decimal("500.00"),
                                                             Decimal("2300.00"))
    assert {k[1]: r["net_revenue_rm"] for k, r in result.items() if k[0] == 2025} == {
        "2025-01": Decimal("2700.00"), "2025-02": Decimal("2300.00"), "2025-03": Decimal("1100.00"),
        "2025-05": Decimal("89.00"), "2025-07": Decimal("600.00"),
    }
    per_run = by_key(kpi("revenue", by="course_run"))
    assert per_run[(2024, "MC-FBE-001-2024-2")]["net_revenue_rm"] == Decimal("1200.00")
    assert per_run[(2025, "MC-FBE-001-2024-2")]["net_revenue_rm"] == Decimal("1200.00")


def test_revenue_per_learner(kpi):
    result = by_key(kpi("revenue_per_learner"))
    # 2025: 6789.00 / 19 enrolments = 357.32; / 18 learners = 377.17. 2024: 3600 / 10 = 360; / 9 = 400.
    row = result[(2025, "ALL")]
    assert (row["net_revenue_rm"], row["enrolments"], row["learners"]) == (Decimal("6789.00"), 19, 18)
    assert (row["revenue_per_enrolment_rm"], row["revenue_per_learner_rm"]) == (Decimal("357.32"), Decimal("377.17"))
    assert (result[(2024, "ALL")]["revenue_per_enrolment_rm"], result[(2024, "ALL")]["revenue_per_learner_rm"]) == (
        Decimal("360.00"), Decimal("400.00"))
    per_ptj = by_key(kpi("revenue_per_learner", year=2025, by="ptj"))
    # FSKTM: 1389 / 9 = 154.33 (shown: 9 and 8 are not small). FBE 7 and APM 3 hidden -> their per-head
    # figures (4300 / 7, 1100 / 3) would give the counts back, so they are hidden too.
    assert per_ptj[(2025, "FSKTM")]["revenue_per_enrolment_rm"] == Decimal("154.33")
    assert per_ptj[(2025, "APM")]["revenue_per_enrolment_rm"] is None
    assert per_ptj[(2025, "APM")]["net_revenue_rm"] == Decimal("1100.00")


def test_revenue_yoy(kpi):
    result = by_key(kpi("revenue_yoy"))
    # 2025 vs 2024: 6789.00 - 3600.00 = 3189.00, 3189 / 3600 = 88.6%.
    row = result[(2025, "ALL")]
    assert (row["net_revenue_rm"], row["previous_net_revenue_rm"], row["change_rm"], row["change_pct"]) == (
        Decimal("6789.00"), Decimal("3600.00"), Decimal("3189.00"), 88.6)
    assert result[(2024, "ALL")]["change_pct"] is None  # nothing in 2023
    per_ptj = by_key(kpi("revenue_yoy", year=2025, by="ptj"))
    # FBE 4300 vs 3600 = +700, 19.4%; FSKTM and APM had nothing in 2024: change = the whole amount, no percent.
    assert (per_ptj[(2025, "FBE")]["change_rm"], per_ptj[(2025, "FBE")]["change_pct"]) == (Decimal("700.00"), 19.4)
    assert (per_ptj[(2025, "FSKTM")]["change_rm"], per_ptj[(2025, "FSKTM")]["change_pct"]) == (
        Decimal("1389.00"), None)


# --- completion ------------------------------------------------------------------------------------------------


def test_completion_funnel_university(kpi):
    result = by_key(kpi("completion_funnel"))
    # 2025: enrolled 19; in runs with step data R1 5 + R2 4 = 9; started 4 + 3 = 7; >=50% 3 + 2 = 5;
    # >=90% 2 + 1 = 3; fully participated 2 + 2 = 4; completed 10; certified: R1 fl-0001, fl-0002, R2 fl-0001
    # (bought), R6 201, 202, 203, R7 S2501001, 301 = 8.
    assert {c: result[(2025, "ALL")][c] for c in (
        "enrolled", "enrolled_with_steps", "started", "completed_50pct", "completed_90pct", "fully_participated",
        "completed", "certified")} == {
        "enrolled": 19, "enrolled_with_steps": 9, "started": 7, "completed_50pct": 5, "completed_90pct": 3,
        "fully_participated": 4, "completed": 10, "certified": 8,
    }
    # 2024: no step data -> step measures empty, not 0. Certified R3 3 + R4 2 = 5.
    row = result[(2024, "ALL")]
    assert (row["started"], row["completed_50pct"], row["fully_participated"]) == (None, None, None)
    assert (row["enrolled_with_steps"], row["completed"], row["certified"]) == (0, 5, 5)


def test_completion_funnel_per_run(kpi):
    result = by_key(kpi("completion_funnel", year=2025, by="course_run", small_cell_limit=1))
    columns = ("enrolled", "started", "completed_50pct", "completed_90pct", "fully_participated", "completed",
               "certified")
    assert tuple(result[(2025, "MC-FSKTM-001-2025-1")][c] for c in columns) == (5, 4, 3, 2, 2, 2, 2)
    assert tuple(result[(2025, "MOOC-FSKTM-002-2025-1")][c] for c in columns) == (4, 3, 2, 1, 2, 2, 1)
    assert tuple(result[(2025, "MC-FBE-002-2025-1")][c] for c in columns) == (6, None, None, None, None, 4, 3)


def test_completion_funnel_suppression_complement(kpi):
    result = kpi("completion_funnel", year=2025, by="course_run")
    values = by_key(result)
    # enrolled_with_steps: R1 5, R2 4, others 0 -> R2 is the only small cell, so R1 (5) is hidden as well.
    assert values[(2025, "MOOC-FSKTM-002-2025-1")]["enrolled_with_steps"] is None
    assert values[(2025, "MC-FSKTM-001-2025-1")]["enrolled_with_steps"] is None
    assert values[(2025, "MC-FBE-002-2025-1")]["enrolled_with_steps"] == 0
    # enrolled: R1 5 and R6 6 shown; R2 4, R5 1, R7 3 hidden.
    assert values[(2025, "MC-FSKTM-001-2025-1")]["enrolled"] == 5
    assert values[(2025, "MC-APM-001-2025-1")]["enrolled"] is None


def test_weekly_retention(kpi):
    result = kpi("weekly_retention", year=2025, small_cell_limit=1)  # default by: course_run
    values = {(r["group_key"], r["week_number"]): r for r in rows(result)}
    # R1 starters fl-0001..0004 = 4; week 1: all 4; weeks 2-3: 0001, 0002, 0003 = 3; weeks 4-5: 0001, 0002 = 2.
    r1 = "MC-FSKTM-001-2025-1"
    assert [(values[(r1, w)]["learners_visited"], values[(r1, w)]["retention_pct"]) for w in range(1, 6)] == [
        (4, 100.0), (3, 75.0), (3, 75.0), (2, 50.0), (2, 50.0)]
    assert {values[(r1, w)]["starters"] for w in range(1, 6)} == {4}
    # R2 starters fl-0001, 0006, 0007 = 3; week 1: 3; week 2: 0001, 0007 = 2; week 3: 0001 = 1.
    r2 = "MOOC-FSKTM-002-2025-1"
    assert [values[(r2, w)]["retention_pct"] for w in (1, 2, 3)] == [100.0, 66.7, 33.3]
    # Runs without step data have no rows.
    assert {k[0] for k in values} == {r1, r2}


def test_weekly_retention_suppressed(kpi):
    result = kpi("weekly_retention", year=2025)
    shown = result.display_df()
    # Every starter and visitor count is below 5, so all are hidden and so are the percentages.
    assert set(shown["starters"]) == {"<5"}
    assert set(shown["retention_pct"]) == {"-"}


def test_median_days_to_completion(kpi):
    result = by_key(kpi("median_days_to_completion"))
    # Days from max(enrolled, run start) to completed_at (first of fully participated / completion certificate):
    # 2025: R1 fl-0001 03-03 -> 03-28 = 25, fl-0002 -> 04-03 = 31; R2 fl-0001 04-07 -> 04-25 = 18,
    # fl-0007 -> 04-20 = 13; R6 (02-10) 201 -> 03-20 = 38, 202 = 38, 203 -> 03-21 = 39 (205 has no date);
    # R7 (03-10) S2501001 -> 04-15 = 36, 301 -> 04-16 = 37. Sorted 13 18 25 31 36 37 38 38 39 -> median 36.
    row = result[(2025, "ALL")]
    assert (row["completions"], row["completions_timed"], row["median_days"], row["min_days"], row["max_days"]) == (
        10, 9, 36.0, 13, 39)
    # 2024: R3 (06-03) 63, 64, 63; R4 ext-101 enrolled 2025-01-03 (after the 2024-12-30 start) -> 02-20 = 48,
    # ext-105 2024-12-30 -> 2025-02-21 = 53. Sorted 48 53 63 63 64 -> 63.
    assert (result[(2024, "ALL")]["median_days"], result[(2024, "ALL")]["min_days"]) == (63.0, 48)
    per_course = by_key(kpi("median_days_to_completion", year=2025, by="course", small_cell_limit=1))
    assert {k[1]: r["median_days"] for k, r in per_course.items()} == {
        "MC-FSKTM-001": 28.0, "MOOC-FSKTM-002": 15.5, "MC-FBE-002": 38.0, "MC-APM-001": 36.5}


# --- workload --------------------------------------------------------------------------------------------------


def test_lecturer_workload(kpi):
    result = kpi("lecturer_workload", year=2025)  # default by: staff
    values = {(r["term"], r["staff_id"]): r for r in rows(result)}
    s02 = values[("2025-S1", "S02")]
    # S02 teaches R1 (60 contact, 50 online) and R2 (10, 60): 70 + 110 x 0.5 = 125 > 120 -> overloaded;
    # learners R1 5 + R2 4 - fl-0001 in both = 8.
    assert (s02["courses"], s02["runs"], s02["contact_hours"], s02["online_hours"], s02["weighted_hours"],
            s02["learners_taught"], s02["is_overloaded"]) == (2, 2, Decimal("70.00"), Decimal("110.00"), 125.0, 8,
                                                               True)
    assert s02["staff_name"] == "Dr. Rajesh Kumar" and s02["ptj_code"] == "FSKTM"
    assert [k for k, r in values.items() if r["is_overloaded"]] == [("2025-S1", "S02")]
    assert {k: r["weighted_hours"] for k, r in values.items()} == {
        ("2025-S1", "S01"): 40.0, ("2025-S1", "S02"): 125.0, ("2025-S1", "S03"): 56.0,
        ("2025-S1", "S05"): 44.0, ("2025-S1", "S06"): 12.0, ("2025-S2", "S03"): 30.0,
    }
    # learners_taught in 2025-S1: S01 5, S02 8, S03 6, S05 3, S06 3 -> S05 and S06 hidden; 2025-S2: S03 1 hidden.
    assert values[("2025-S1", "S05")]["learners_taught"] is None
    assert values[("2025-S2", "S03")]["learners_taught"] is None
    assert values[("2025-S1", "S03")]["learners_taught"] == 6


def test_lecturer_workload_2024_and_left_staff(kpi):
    values = {(r["term"], r["staff_id"]): r for r in rows(kpi("lecturer_workload", year=2024,
                                                               small_cell_limit=1))}
    # S04 (left 2025-03-31) taught R3 (20 + 60 -> 50) and R4 (10 + 60 -> 40, 2024-S2).
    assert (values[("2024-S1", "S04")]["weighted_hours"], values[("2024-S2", "S04")]["weighted_hours"]) == (50.0, 40.0)
    assert values[("2024-S2", "S04")]["has_left"] is True
    assert values[("2024-S1", "S03")]["learners_taught"] == 6


def test_lecturer_workload_follows_policy_figures(kpi):
    stricter = Settings(privacy=Privacy(small_cell_limit=5),
                        workload=Workload(online_hours_factor=1.0, overload_hours_per_term=100.0))
    values = {(r["term"], r["staff_id"]): r for r in rows(kpi("lecturer_workload", year=2025, settings=stricter))}
    # Factor 1.0: S02 70 + 110 = 180; S01 20 + 40 = 60; threshold 100 -> only S02.
    assert values[("2025-S1", "S02")]["weighted_hours"] == 180.0
    assert [k for k, r in values.items() if r["is_overloaded"]] == [("2025-S1", "S02")]


def test_workload_by_ptj(kpi):
    result = {(r["term"], r["group_key"]): r for r in rows(kpi("workload_by_ptj", year=2025, by="ptj"))}
    # FSKTM 2025-S1: S01 40, S02 125 -> 2 lecturers, 1 overloaded, median 82.5, max 125, total 165.
    fsktm = result[("2025-S1", "FSKTM")]
    assert (fsktm["lecturers"], fsktm["overloaded_lecturers"], fsktm["median_weighted_hours"],
            fsktm["max_weighted_hours"], fsktm["total_weighted_hours"]) == (2, 1, 82.5, 125.0, 165.0)
    # APM: S05 44, S06 12 -> median 28. FBE: S03 56 (S1), 30 (S2).
    assert result[("2025-S1", "APM")]["median_weighted_hours"] == 28.0
    assert result[("2025-S2", "FBE")]["max_weighted_hours"] == 30.0
    university = {r["term"]: r for r in rows(kpi("workload_by_ptj", year=2025))}
    # 2025-S1: 40, 125, 56, 44, 12 -> 5 lecturers, median 44.
    assert (university["2025-S1"]["lecturers"], university["2025-S1"]["overloaded_lecturers"],
            university["2025-S1"]["median_weighted_hours"]) == (5, 1, 44.0)


def test_orphaned_courses(kpi):
    import datetime as dt

    result = rows(kpi("orphaned_courses"))
    # as_of 2025-08-07: C3's owner S04 left 2025-03-31 and C3 has R5 starting 2025-09-01 -> orphaned.
    # C4's owner S07 left too, but R6 ended 2025-03-09: nothing to teach, not listed.
    assert [(r["course_code"], r["owner_name"], r["owner_left_on"], r["next_run_id"], r["next_run_starts_on"])
            for r in result] == [("MC-FBE-001", "Prof. Ahmad Faizal Bin Omar", dt.date(2025, 3, 31),
                                  "MC-FBE-001-2025-2", dt.date(2025, 9, 1))]
    # On 2025-03-01 R6 (2025-02-10 .. 2025-03-09) is running: C4 is listed too.
    earlier = rows(kpi("orphaned_courses", as_of=dt.date(2025, 3, 1)))
    assert [r["course_code"] for r in earlier] == ["MC-FBE-002", "MC-FBE-001"]
    # C4's only live run (R6) started on 2025-02-10, before the as-of date: it has no "next run" (issue 15: never
    # a start date in the past); C3's next run is R5.
    assert [(r["next_run_id"], r["next_run_starts_on"]) for r in earlier] == [
        (None, None), ("MC-FBE-001-2025-2", dt.date(2025, 9, 1))]
    # After R5 ends (2025-10-12) nothing is left.
    assert rows(kpi("orphaned_courses", as_of=dt.date(2025, 10, 13))) == []


# --- data quality ----------------------------------------------------------------------------------------------


def test_quarantine_summary(kpi):
    result = {(r["source"], r["column_name"]): r for r in rows(kpi("quarantine_summary"))}
    # The unknown run in enrolments_2025.csv and the 0.00 receipt in payments_2025.csv.
    assert {k: r["rows_quarantined"] for k, r in result.items()} == {
        ("enrolments", "run_id"): 1, ("payments", "amount_rm"): 1}


def test_etl_history(kpi, hand_warehouse):
    result = rows(kpi("etl_history"))
    assert len(result) == 1
    assert result[0]["status"] == "succeeded"
    assert result[0]["run_id"] == hand_warehouse.etl_run_id()
    assert result[0]["rows_quarantined"] == 2


# --- access scope ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kpi_id", ["enrolments", "learners", "revenue", "completions", "courses_offered"])
def test_scope_limits_university_totals_to_allowed_ptjs(kpi, kpi_id):
    column = {"enrolments": "enrolments", "learners": "learners", "revenue": "net_revenue_rm",
              "completions": "completions", "courses_offered": "courses_offered"}[kpi_id]
    # Exact figures (a management-role scope limited to APM): roles below management see rounded counts.
    apm_only = rows(kpi(kpi_id, year=2025, scope=AccessScope("management", ("APM",))))
    filtered = rows(kpi(kpi_id, year=2025, ptj_codes=("APM",)))
    assert [r[column] for r in apm_only] == [r[column] for r in filtered]
    # APM 2025: 3 enrolments, 3 learners, 1100.00, 2 completions, 1 course.
    expected = {"enrolments": 3, "learners": 3, "revenue": Decimal("1100.00"), "completions": 2,
                "courses_offered": 1}[kpi_id]
    assert apm_only[0][column] == expected


def test_scope_with_no_ptjs_sees_nothing(kpi):
    assert rows(kpi("enrolments", scope=AccessScope("nobody", ()))) == []
    assert rows(kpi("lecturer_workload", scope=AccessScope("nobody", ()))) == []


def test_scope_by_ptj_only_lists_allowed_ptjs(kpi):
    result = rows(kpi("revenue", year=2025, by="ptj", scope=AccessScope("dean", ("FBE", "APM"))))
    assert sorted(r["group_key"] for r in result) == ["APM", "FBE"]
    workload = rows(kpi("lecturer_workload", year=2025, scope=AccessScope("dean", ("APM",))))
    assert sorted(r["staff_id"] for r in workload) == ["S05", "S06"]
