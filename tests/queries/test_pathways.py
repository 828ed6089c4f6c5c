"""Microcredential pathways (issue 18): every pathway KPI against the hand fixture tests/fixtures/pathways/, whose
figures are worked out by hand in tests/fixtures/pathways/README.md.

Programme MCP-DS (FSKTM, Category 1, feeds MSC-DS): required MC-DS-1, MC-DS-2, electives MC-DS-E1, MC-DS-E2, one
elective needed: n = 3. Programme MCP-MK (FBE, Category 3): required MC-MK-1, MC-MK-2: n = 2.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from core.config import Pathways, Privacy, Settings, load_settings
from read.kpi import AccessScope, KpiFilters, run_kpi
from read.warehouse import Warehouse

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "pathways"
AS_OF = dt.date(2025, 8, 7)
EXACT = Settings(privacy=Privacy(small_cell_limit=1), pathways=Pathways(mms_overdue_days=30))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    from etl.load import run_etl

    path = tmp_path_factory.mktemp("pathways") / "mckpi.duckdb"
    result = run_etl(load_settings().with_paths(landing=LANDING, warehouse=path), landing=LANDING, warehouse=path)
    assert result.status == "succeeded", result.message
    wh = Warehouse(path)
    yield wh
    wh.close()


def rows(warehouse, kpi_id, *, by="university", settings=EXACT, as_of=AS_OF, scope=None, columns=None, **filters):
    result = run_kpi(warehouse, kpi_id, KpiFilters(**filters), by=by, settings=settings, as_of=as_of, scope=scope)
    frame = result.df()
    if columns:
        frame = frame[columns]
    return [tuple(None if v is None or v is pd.NA or v != v else v for v in r) for r in frame.itertuples(index=False)]


def q(warehouse, sql):
    return [tuple(r.values()) for r in warehouse.query(sql).to_pylist()]


def test_open_badges_load_and_an_email_recipient_is_quarantined_without_its_value(warehouse):
    assert q(warehouse, "select badge_source, count(*) from fct_badge group by 1 order by 1") == [
        ("credly", 6), ("open_badges", 2)
    ]
    # The 3.0 credential says 02:00Z: stored as 10:00 Malaysia time.
    assert q(warehouse,
        "select course_code, issued_at::varchar from fct_badge where badge_source = 'open_badges' order by 1"
    ) == [("MC-DS-E1", "2025-06-09 10:00:00"), ("MC-DS-E2", "2025-06-09 10:00:00")]
    assert q(warehouse, "select file_name, line, column_name, value, reason from quarantine") == [
        ("open_badges/open_badges.jsonl", 4, "learner_id", None,
         "the recipient is an e-mail address: give the learner id")
    ]


def test_stack_progress_counts_k_of_n_in_any_order_and_one_elective(warehouse):
    # S001 3 (DS-1, DS-2, E1); S002 3 out of order (DS-2, E2, then DS-1); S003 2 (DS-1 and both electives: one
    # counts); ext-2 1; ext-1 0 (a COC where the programme asks for a COA). MCP-MK: ext-3 2, S001 1, ext-4 1.
    assert rows(warehouse, "pathway_stack_progress", by="programme", year=2025,
                columns=["group_key", "courses_needed", "courses_done", "learners", "learners_at_least"]) == [
        ("MCP-DS", 3, 0, 1, 5), ("MCP-DS", 3, 1, 1, 4), ("MCP-DS", 3, 2, 1, 3), ("MCP-DS", 3, 3, 2, 2),
        ("MCP-MK", 2, 0, 0, 3), ("MCP-MK", 2, 1, 2, 3), ("MCP-MK", 2, 2, 1, 1),
    ]
    assert rows(warehouse, "pathway_stack_progress", by="programme", year=2024) == []


def test_median_days_between_courses(warehouse):
    # MCP-DS gaps: S001 56, 63; S002 63, 7; S003 119, 0 -> median (56 + 63) / 2; MCP-MK: ext-3 63.
    assert rows(warehouse, "pathway_days_between_courses", by="programme", year=2025,
                columns=["group_key", "gaps", "learners", "median_days"]) == [
        ("MCP-DS", 6, 3, Decimal("59.5")), ("MCP-MK", 1, 1, Decimal("63.0")),
    ]
    assert rows(warehouse, "pathway_days_between_courses", year=2025,
                columns=["gaps", "learners", "median_days"]) == [(7, 4, Decimal("63.0"))]


def test_dropoff_between_consecutive_courses(warehouse):
    assert rows(warehouse, "pathway_dropoff", by="programme", year=2025,
                columns=["group_key", "from_step", "learners_reached", "learners_next", "dropped", "dropoff_pct"]) == [
        ("MCP-DS", 0, 5, 4, 1, 20.0), ("MCP-DS", 1, 4, 3, 1, 25.0), ("MCP-DS", 2, 3, 2, 1, 33.33),
        ("MCP-MK", 0, 3, 3, 0, 0.0), ("MCP-MK", 1, 3, 1, 2, 66.67),
    ]


def test_dropoff_is_rounded_for_management_so_reached_minus_dropped_gives_no_hidden_count(warehouse):
    # Exact with small cells hidden, MCP-MK step 1 would show reached 5 and dropped... (any hidden next-step count
    # is reached - dropped). Cumulative counts overlap, so the KPI is rounded for every dashboard role: each count a
    # manager sees is a multiple of 5 or hidden, and any difference of them is a multiple of 5 too.
    wide = Settings(privacy=Privacy(small_cell_limit=5), pathways=Pathways(mms_overdue_days=30))
    columns = ["group_key", "from_step", "learners_reached", "learners_next", "dropped", "dropoff_pct"]
    shown = rows(warehouse, "pathway_dropoff", by="programme", year=2025, settings=wide,
                 scope=AccessScope("management", ("FSKTM", "FBE")), columns=columns)
    assert shown == [
        ("MCP-DS", 0, 5, None, None, None), ("MCP-DS", 1, None, None, None, None),
        ("MCP-DS", 2, None, None, None, None), ("MCP-MK", 0, None, None, 0, None),
        ("MCP-MK", 1, None, None, None, None),
    ]
    # The server's own command line (no scope) keeps exact figures, as for every KPI.
    assert rows(warehouse, "pathway_dropoff", by="programme", year=2025, columns=columns)[0] == (
        "MCP-DS", 0, 5, 4, 1, 20.0)


def test_mms_eligible_vs_issued(warehouse):
    columns = ["group_key", "eligible", "eligible_with_mms", "eligible_without_mms", "mms_rate_pct", "mms_issued",
               "mms_without_eligibility"]
    assert rows(warehouse, "mms_eligible_vs_issued", by="programme", year=2025, columns=columns) == [
        ("MCP-DS", 2, 1, 1, 50.0, 1, 0), ("MCP-MK", 1, 1, 0, 100.0, 1, 0),
    ]
    assert rows(warehouse, "mms_eligible_vs_issued", year=2025, columns=columns[1:]) == [(3, 2, 1, 66.67, 2, 0)]


def test_mms_overdue_uses_the_configured_days_and_the_day_asked(warehouse):
    columns = ["group_key", "eligible_without_mms", "overdue", "overdue_after_days"]
    # S002 eligible on 2025-06-16 (the last of DS-2, E2, DS-1), no MMS: 52 days on 2025-08-07.
    assert rows(warehouse, "mms_overdue", by="programme", year=2025, columns=columns) == [("MCP-DS", 1, 1, 30)]
    sixty = Settings(privacy=Privacy(small_cell_limit=1), pathways=Pathways(mms_overdue_days=60))
    assert rows(warehouse, "mms_overdue", settings=sixty, year=2025, columns=columns) == [("ALL", 1, 0, 60)]
    # On 2025-06-18 S001 (eligible 2025-06-09, MMS 2025-06-20) was still waiting too.
    assert rows(warehouse, "mms_overdue", as_of=dt.date(2025, 6, 18), year=2025, columns=columns) == [
        ("ALL", 2, 0, 30)
    ]


def test_badges_by_programme_ptj_and_course_with_a_revoked_one(warehouse):
    columns = ["group_key", "issued", "tracked", "accepted", "acceptance_rate_pct", "shared", "share_rate_pct",
               "revoked", "views"]
    assert rows(warehouse, "badges", year=2025, columns=columns) == [("ALL", 8, 6, 3, 50.0, 2, 66.67, 1, 18)]
    assert rows(warehouse, "badges", by="programme", year=2025, columns=columns) == [
        ("MCP-DS", 6, 4, 2, 50.0, 1, 50.0, 1, 13), ("MCP-MK", 2, 2, 1, 50.0, 1, 100.0, 0, 5),
    ]
    assert rows(warehouse, "badges", by="ptj", year=2025, columns=columns)[1] == (
        "FSKTM", 6, 4, 2, 50.0, 1, 50.0, 1, 13
    )
    assert rows(warehouse, "badges", by="course", year=2025, course_codes=("MC-DS-1",), columns=columns) == [
        ("MC-DS-1", 2, 2, 1, 50.0, 1, 100.0, 1, 10)
    ]


def test_credit_recognition_counts_a_late_decision_in_the_year_applied(warehouse):
    columns = ["application_kind", "applications", "decided", "approved", "rejected", "pending",
               "approval_rate_pct", "credits_granted", "median_days_to_decision"]
    # CT-0002 applied 2025-12-15, decided 2026-01-12 (28 days): a 2025 application, approved.
    assert rows(warehouse, "credit_recognition", year=2025, columns=columns) == [
        ("apel_c", 1, 1, 0, 1, 0, 0.0, 0, Decimal("14.0")),
        ("credit_transfer", 3, 2, 2, 0, 1, 100.0, 12, Decimal("24.0")),
    ]
    assert rows(warehouse, "credit_recognition", year=2026) == []


def test_programme_intake_conversion_and_its_revenue(warehouse):
    # Category 1 completers of MCP-DS: S001, S002, S003, ext-2. S001 admitted to MSC-DS after completing (tuition
    # 12000, MC fees 600 + 600 + 500); ext-2 admitted before completing, S003 to another programme: not converted.
    columns = ["group_key", "completers", "admitted", "conversion_pct", "tuition_rm", "mc_revenue_rm"]
    assert rows(warehouse, "programme_intake_conversion", by="programme", year=2025, columns=columns) == [
        ("MCP-DS", 4, 1, 25.0, Decimal("12000.00"), Decimal("1700.00"))
    ]


def test_revenue_per_completer_and_per_mms_by_ptj(warehouse):
    columns = ["group_key", "net_revenue_rm", "completers", "mms", "revenue_per_completer_rm", "revenue_per_mms_rm"]
    assert rows(warehouse, "revenue_per_completer", by="ptj", year=2025, columns=columns) == [
        ("FBE", Decimal("1600.00"), 3, 1, Decimal("533.33"), Decimal("1600.00")),
        ("FSKTM", Decimal("6200.00"), 5, 1, Decimal("1240.00"), Decimal("6200.00")),
    ]
    assert rows(warehouse, "revenue_per_completer", year=2025, columns=columns) == [
        ("ALL", Decimal("7800.00"), 7, 2, Decimal("1114.29"), Decimal("3900.00"))
    ]


def test_scope_and_small_cells(warehouse):
    fbe = AccessScope("dean", ("FBE",))
    assert [r[0] for r in rows(warehouse, "badges", by="programme", year=2025, scope=fbe)] == [2025]
    assert rows(warehouse, "mms_overdue", by="programme", year=2025, scope=fbe) == []
    # Management below university level: MCP-MK's 2 badges are hidden, and MCP-DS's 6 with them (the university
    # total of 8 would give the 2 back); the university row is exact.
    plain = Settings(pathways=Pathways(mms_overdue_days=30))
    result = run_kpi(warehouse, "badges", KpiFilters(year=2025), by="programme", settings=plain, as_of=AS_OF)
    assert result.is_suppressed(0, "issued") and result.is_suppressed(1, "issued")
    assert rows(warehouse, "badges", settings=plain, year=2025, columns=["issued"]) == [(8,)]


def test_open_badges_mapping_of_both_versions():
    from core.contracts import OPEN_BADGES, open_badges_assertion
    from etl.sources.open_badges import EMAIL_PLACEHOLDER, flatten

    for example in OPEN_BADGES.examples:
        assert flatten(json.loads(json.dumps(open_badges_assertion(example)))) == example
    hashed = {"type": "Assertion", "id": "x", "issuedOn": "2025-01-01T00:00:00Z",
              "recipient": {"type": "email", "hashed": True, "identity": "sha256$abc"}}
    assert flatten(hashed)["learner_id"] == EMAIL_PLACEHOLDER
    assert flatten(hashed)["issued_at"] == "2025-01-01 08:00:00"


def test_mqa_export_counts_mms_per_course(warehouse, tmp_path):
    import csv

    from read.exports import MQA_COLUMNS, export_mqa

    path = export_mqa(warehouse, tmp_path / "mqa.csv", 2025, settings=EXACT)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == MQA_COLUMNS
        mms = {r["course_code"]: r["mms_issued"] for r in reader}
    # S001's MMS is on the MC-DS-E1 run, ext-3's on MC-MK-2; no other course issued one.
    assert mms == {"MC-DS-1": "0", "MC-DS-2": "0", "MC-DS-E1": "1", "MC-DS-E2": "0", "MC-MK-1": "0", "MC-MK-2": "1"}


def test_open_badges_json_array_gz_and_bad_json(tmp_path):
    import gzip

    from core.contracts import OPEN_BADGES, open_badges_assertion
    from core.errors import SourceFileError
    from etl.doctor import examine
    from etl.sources.open_badges import read_assertions

    array = tmp_path / "export.json.gz"
    array.write_bytes(gzip.compress(json.dumps([open_badges_assertion(e) for e in OPEN_BADGES.examples]).encode()))
    assert [line for line, _ in read_assertions(array, "open_badges/export.json.gz")] == [2, 3]
    landing = tmp_path / "landing" / "open_badges"
    landing.mkdir(parents=True)
    (landing / "bad.jsonl").write_text('{"id": "a"}\n{"id": \n')
    with pytest.raises(SourceFileError, match="line 2: .*not valid JSON"):
        list(read_assertions(landing / "bad.jsonl", "open_badges/bad.jsonl"))
    assert any("open_badges/bad.jsonl" in e for e in examine(tmp_path / "landing").file_errors)
