"""Load modes and idempotency: snapshot streams replace, FutureLearn exports replace per run label, append adds,
already-loaded files are skipped, and running the ETL again on the same landing folder changes no figure."""

from __future__ import annotations

import gzip
import shutil

from core.contracts import CONTRACTS, template_rows
from etl.pseudonym import learner_key

COURSES = CONTRACTS["courses"]
RAW_TABLES = [c.raw_table for c in CONTRACTS.values()]


def fingerprint(env) -> dict[str, tuple]:
    """Row count and a content hash of every raw table, plus quarantine."""
    out = {}
    for table in [*RAW_TABLES, "quarantine"]:
        cols = "* exclude (run_id)" if table == "quarantine" else "*"
        out[table] = env.query(
            f"select count(*), coalesce(sum(hash(t)), 0) from (select {cols} from {table}) t"  # noqa: S608
        )[0]
    return out


def test_running_twice_changes_nothing(etl_env, csv_writer):
    rows = template_rows(COURSES)
    rows[1][COURSES.header.index("fee_rm")] = "RM 89"
    csv_writer(etl_env.landing / "courses" / "courses.csv", COURSES.header, rows)  # one quarantined row
    first = etl_env.run()
    assert first.files_loaded == 1 and first.rows_quarantined == 1
    before = fingerprint(etl_env)
    again = etl_env.run()
    assert again.files_loaded == 0
    assert again.files_skipped == len(CONTRACTS)
    assert {f.status for f in again.files} == {"skipped"}
    assert fingerprint(etl_env) == before
    assert before["raw_courses"][0] == 1 and before["quarantine"][0] == 1
    assert etl_env.scalar("select count(*) from etl_runs") == 3
    assert (
        etl_env.scalar(
            "select count(*) from etl_files where status = 'skipped' and run_id = $r", {"r": again.run_id}
        )
        == len(CONTRACTS)
    )


def test_full_rebuild_gives_the_same_figures(etl_env):
    before = fingerprint(etl_env)
    result = etl_env.run(full=True)
    assert result.files_loaded == len(CONTRACTS)
    assert fingerprint(etl_env) == before


def test_snapshot_delivery_replaces_its_stream(etl_env, csv_writer):
    rows = template_rows(COURSES)
    rows[0][COURSES.header.index("title")] = "Data Analytics with Python (2nd edition)"
    csv_writer(etl_env.landing / "courses" / "courses_2026-11-01.csv", COURSES.header, rows[:1])
    result = etl_env.run()
    assert [(f.rel, f.status, f.stream) for f in result.files if f.status == "loaded"] == [
        ("courses/courses_2026-11-01.csv", "loaded", "courses/courses")
    ]
    assert etl_env.query("select course_code, title from raw_courses") == [
        ("MC-FSKTM-001", "Data Analytics with Python (2nd edition)")
    ]
    assert etl_env.query(
        "select path, status from etl_files where source = 'courses' and status <> 'skipped' order by file_id"
    ) == [
        ("courses/courses.csv", "superseded"),
        ("courses/courses_2026-11-01.csv", "loaded"),
    ]
    # A second stream in the same folder lives beside the first.
    other = [
        [
            "OU-AAA-2013J",
            "AAA (OULAD)",
            "FSKTM",
            "3",
            "mooc",
            "odl",
            "100",
            "none",
            "other",
            "0",
            "30",
            "0.00",
            "",
            "S0001",
            "immediate",
            "2013-10-01",
        ]
    ]
    csv_writer(etl_env.landing / "courses" / "oulad_courses.csv", COURSES.header, other)
    etl_env.run()
    assert etl_env.query("select course_code from raw_courses order by 1") == [
        ("MC-FSKTM-001",),
        ("OU-AAA-2013J",),
    ]


def test_a_course_in_two_streams_of_one_run_loads_once(etl_env, csv_writer):
    """Both streams arrive in the same run (one batch): the later file's copy of a course is quarantined, naming
    the file and line it was loaded from, and the other rows of both files load."""
    rows = template_rows(COURSES)
    full = etl_env.run(full=True)  # a fresh build: every file of the landing folder in one batch per source
    assert full.rows_quarantined == 0
    lms = [list(rows[0]), list(rows[1])]
    lms[1][COURSES.header.index("course_code")] = "MC-LMS-777"
    csv_writer(etl_env.landing / "courses" / "lms_courses.csv", COURSES.header, lms)
    result = etl_env.run(full=True)
    courses = {f.rel: (f.rows_loaded, f.rows_quarantined) for f in result.files if f.source == "courses"}
    assert courses == {"courses/courses.csv": (2, 0), "courses/lms_courses.csv": (1, 1)}
    assert etl_env.query("select file_name, line, column_name, value, reason from quarantine") == [
        ("courses/lms_courses.csv", 2, "course_code", "MC-FSKTM-001",
         "already loaded from courses/courses.csv line 2"),
    ]
    assert etl_env.query("select course_code from raw_courses order by 1") == [
        ("MC-FSKTM-001",), ("MC-LMS-777",), ("MOOC-APM-002",),
    ]


def test_only_the_newest_delivery_of_a_stream_loads(etl_env, csv_writer):
    rows = template_rows(COURSES)
    csv_writer(etl_env.landing / "courses" / "courses_20261001.csv", COURSES.header, rows[:1])
    csv_writer(etl_env.landing / "courses" / "courses_20261101.csv", COURSES.header, rows[1:])
    result = etl_env.run()
    status = {f.rel: f.status for f in result.files if f.source == "courses"}
    assert status == {
        "courses/courses.csv": "skipped",
        "courses/courses_20261001.csv": "superseded",
        "courses/courses_20261101.csv": "loaded",
    }
    assert etl_env.query("select course_code from raw_courses") == [("MOOC-APM-002",)]
    # A late delivery older than the loaded one does not replace it.
    rows[0][COURSES.header.index("title")] = "An older title"
    csv_writer(etl_env.landing / "courses" / "courses_20260901.csv", COURSES.header, rows)
    result = etl_env.run()
    assert {f.rel: f.status for f in result.files if f.rel == "courses/courses_20260901.csv"} == {
        "courses/courses_20260901.csv": "superseded"
    }
    assert any("older than the delivery already loaded" in w for w in result.warnings)
    assert etl_env.query("select course_code from raw_courses") == [("MOOC-APM-002",)]


def test_futurelearn_export_replaces_its_run_only(etl_env):
    folder = etl_env.landing / "futurelearn"
    enrol = folder / "data-analytics-python-3_enrolments.csv"
    (folder / "malay-beginners-5_enrolments.csv").write_text(
        enrol.read_text().replace("0a1b2c3d", "9f9f9f9f")
    )
    etl_env.run()
    assert etl_env.query(
        "select platform_run_label, count(*), count(fully_participated_at) from raw_futurelearn_enrolments"
        " group by 1 order by 1"
    ) == [("data-analytics-python-3", 2, 1), ("malay-beginners-5", 2, 1)]
    # FutureLearn exports are cumulative: a later export of run 3 fills in fully_participated_at.
    header, first, second = enrol.read_text().splitlines()
    fields = second.split(",")
    fields[4] = "2024-04-01 10:00:00 UTC"
    with gzip.open(folder / "data-analytics-python-3_enrolments_2024-05-01.csv.gz", "wt") as fh:
        fh.write("\n".join([header, first, ",".join(fields)]) + "\n")
    result = etl_env.run()
    assert [f.rel for f in result.files if f.status == "loaded"] == [
        "futurelearn/data-analytics-python-3_enrolments_2024-05-01.csv.gz"
    ]
    assert etl_env.query(
        "select platform_run_label, count(*), count(fully_participated_at) from raw_futurelearn_enrolments"
        " group by 1 order by 1"
    ) == [("data-analytics-python-3", 2, 2), ("malay-beginners-5", 2, 1)]
    assert (
        etl_env.scalar(
            "select status from etl_files where path = 'futurelearn/data-analytics-python-3_enrolments.csv'"
            " and status <> 'skipped'"
        )
        == "superseded"
    )


def test_append_adds_rows_and_skips_a_copy(etl_env, csv_writer):
    payments = CONTRACTS["payments"]
    new = [
        [
            "R2024-000300",
            "ext-88412",
            "MOOC-APM-002-2024-1",
            "certificate",
            "89.00",
            "2024-09-20 10:00:00",
            "APM",
        ]
    ]
    csv_writer(etl_env.landing / "payments" / "payments_2024-10.csv", payments.header, new)
    etl_env.run()
    assert etl_env.scalar("select count(*) from raw_payments") == 3
    shutil.copy(
        etl_env.landing / "payments" / "payments_2024-10.csv", etl_env.landing / "payments" / "copy.csv"
    )
    result = etl_env.run()
    assert {f.rel: f.status for f in result.files if f.source == "payments"} == {
        "payments/payments.csv": "skipped",
        "payments/payments_2024-10.csv": "skipped",
        "payments/copy.csv": "skipped",
    }
    assert etl_env.scalar("select count(*) from raw_payments") == 3


def test_other_files_are_recorded_as_ignored(etl_env):
    # A FutureLearn export mckpi knows and does not load (the surveys are loaded since issue 17).
    survey = "data-analytics-python-3_peer-review-reviews.csv"
    (etl_env.landing / "futurelearn" / survey).write_text("id,step\n1,1.1\n")
    (etl_env.landing / "futurelearn" / "data-analytics-python-3_mystery.csv").write_text("a\n1\n")
    (etl_env.landing / "hr_extra").mkdir()
    (etl_env.landing / "hr_extra" / "x.csv").write_text("a\n1\n")
    (etl_env.landing / "courses" / "notes.xlsx").write_bytes(b"PK\x03\x04")
    (etl_env.landing / ".DS_Store").write_bytes(b"\0")
    result = etl_env.run()
    ignored = {f.rel: f.note for f in result.files if f.status == "ignored"}
    assert ignored == {
        "courses/notes.xlsx": "not a .csv or .csv.gz file",
        f"futurelearn/{survey}": "FutureLearn peer-review-reviews export: not used",
        "futurelearn/data-analytics-python-3_mystery.csv": "unknown FutureLearn dataset 'mystery'",
        "hr_extra/x.csv": "unknown source folder 'hr_extra'",
    }
    assert sorted(result.warnings) == [
        "courses/notes.xlsx: ignored (not a .csv or .csv.gz file)",
        "futurelearn/data-analytics-python-3_mystery.csv: ignored (unknown FutureLearn dataset 'mystery')",
        "hr_extra/x.csv: ignored (unknown source folder 'hr_extra')",
    ]
    assert etl_env.scalar("select count(*) from etl_files where status = 'ignored'") == 4


def test_line_numbers_hold_in_a_large_file(etl_env, monkeypatch):
    """_line is the file's line even when DuckDB reads the file in parallel chunks, plain and gzipped."""
    import duckdb

    monkeypatch.setattr("etl.sources.csv_source.READ_BUFFER_BYTES", 2 * 1024 * 1024)  # 2 MB chunks
    n = 100_000  # about 9 MB per file
    for offset, name in ((0, "big.csv"), (n, "big2.csv.gz")):
        path = etl_env.landing / "enrolments" / name
        duckdb.sql(
            f"""copy (select 'MC-FSKTM-001-2024-1' as run_id, 'L' || (i + {offset}) as learner_id,
                case when i in (50000, 99998) then '2024-13-01 10:00:00' else '2024-02-01 10:00:00' end
                  as enrolled_at,
                '' as unenrolled_at, case when i % 3 = 0 then 'internal' else 'external' end as learner_type,
                'MY' as country_code, '18-25' as age_band, repeat('x', (i % 7)::int) as employment_status,
                'female' as gender from range({n}) t(i)) to '{path}' (header, delimiter ',')"""  # noqa: S608
        )
    etl_env.run()
    assert etl_env.query(
        "select file_name, line, value from quarantine where source = 'enrolments' order by all"
    ) == [
        ("enrolments/big.csv", 50002, "2024-13-01 10:00:00"),
        ("enrolments/big.csv", 100000, "2024-13-01 10:00:00"),
        ("enrolments/big2.csv.gz", 50002, "2024-13-01 10:00:00"),
        ("enrolments/big2.csv.gz", 100000, "2024-13-01 10:00:00"),
    ]
    # Every loaded row sits at the line its learner number says (employment_status length is i % 7).
    assert etl_env.query(
        "select count(*), count(*) filter (where length(coalesce(employment_status, '')) <> (_line - 2) % 7)"
        " from raw_enrolments where _file_id in (select file_id from etl_files where path like 'enrolments/big%')"
    ) == [(2 * n - 4, 0)]
    assert etl_env.scalar("select count(*) from raw_enrolments") == 2 * n - 4 + 2


def test_the_same_learner_gets_the_same_key_everywhere(etl_env):
    key = learner_key("ext-88412", etl_env.settings.pseudonym_key())
    assert len(key) == 16
    assert etl_env.scalar("select count(*) from raw_enrolments where learner_key = $k", {"k": key}) == 1
    assert etl_env.scalar("select count(*) from raw_results where learner_key = $k", {"k": key}) == 1
    assert etl_env.scalar("select count(*) from raw_payments where learner_key = $k", {"k": key}) == 2
