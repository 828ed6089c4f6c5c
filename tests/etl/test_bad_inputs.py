"""Bad landing files. File-level problems fail the run with a message naming the file (and line) and leave the
published warehouse as it was; row-level problems quarantine the row with the right reason and load the rest."""

from __future__ import annotations

import gzip

import pytest

from core.contracts import CONTRACTS, template_rows
from core.errors import SourceFileError
from core.runlog import read_runs

COURSES = CONTRACTS["courses"]
PAYMENTS = CONTRACTS["payments"]
HEADER = ",".join(COURSES.header)


def course_rows() -> list[list[str]]:
    return template_rows(COURSES)


def set_value(row: list[str], column: str, value: str) -> list[str]:
    row = list(row)
    row[COURSES.header.index(column)] = value
    return row


def figures(env) -> tuple:
    return (
        env.published(),
        env.scalar("select count(*) from raw_courses"),
        env.scalar("select sum(fee_rm) from raw_courses"),
        env.scalar("select count(*) from etl_files"),
    )


def assert_fails_unchanged(env, match: str) -> SourceFileError:
    before = figures(env)
    with pytest.raises(SourceFileError) as info:
        env.run()
    assert match in str(info.value), str(info.value)
    assert figures(env) == before
    assert not list(env.warehouse.parent.glob("builds/*.tmp"))
    last = read_runs(env.warehouse.parent / "etl_runs.jsonl")[-1]
    assert last["status"] == "failed" and match in last["message"]
    return info.value


# --- file level ------------------------------------------------------------------------------------------


def test_empty_file(etl_env):
    (etl_env.landing / "courses" / "courses_more.csv").write_bytes(b"")
    err = assert_fails_unchanged(etl_env, "courses/courses_more.csv: the file is empty (0 bytes)")
    assert err.path == "courses/courses_more.csv"


def test_wrong_header_renamed_column(etl_env, csv_writer):
    path = etl_env.landing / "courses" / "courses.csv"
    header = [("fee" if c == "fee_rm" else c) for c in COURSES.header]
    csv_writer(path, header, course_rows())
    err = assert_fails_unchanged(etl_env, "courses/courses.csv: line 1: expected header 'course_code,title,")
    assert "(16 columns)" in str(err)
    assert "renamed: 'fee' should be 'fee_rm'" in str(err)
    assert (err.line, err.column) == (1, "fee_rm")


def test_missing_and_extra_columns(etl_env, csv_writer):
    path = etl_env.landing / "courses" / "courses.csv"
    header = [c for c in COURSES.header if c != "plan_phase"] + ["notes"]
    csv_writer(path, header, [r[:-1] + ["x"] for r in course_rows()])
    err = assert_fails_unchanged(etl_env, "courses/courses.csv: line 1: expected header")
    assert "missing: plan_phase" in str(err) and "unexpected: 'notes'" in str(err)


def test_semicolon_delimiter(etl_env):
    path = etl_env.landing / "courses" / "courses.csv"
    path.write_text(";".join(COURSES.header) + "\n" + "\n".join(";".join(r) for r in course_rows()) + "\n")
    err = assert_fails_unchanged(
        etl_env, f"courses/courses.csv: line 1: expected header '{HEADER}' (16 columns);"
    )
    assert "found 'course_code;title;" in str(err)
    assert "the file looks ';'-delimited" in str(err)


def test_latin1_bytes(etl_env):
    rows = course_rows()
    rows[1] = set_value(rows[1], "title", "Bahasa Melayu untuk Pemula Café")
    text = HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    (etl_env.landing / "courses" / "courses.csv").write_bytes(text.encode("latin-1"))
    err = assert_fails_unchanged(etl_env, "courses/courses.csv: line 3: column 'title': not UTF-8 (byte 0xE9")
    assert (err.line, err.column) == (3, "title")
    assert "Latin-1" in str(err)


def test_truncated_last_line(etl_env):
    rows = course_rows()
    text = HEADER + "\n" + ",".join(rows[0]) + "\n" + ",".join(rows[1][:5])  # cut short, no final newline
    (etl_env.landing / "courses" / "courses.csv").write_text(text)
    err = assert_fails_unchanged(etl_env, "courses/courses.csv: line 3: expected 16 fields, found 5")
    assert "cut short" in str(err)


def test_too_many_fields(etl_env):
    rows = course_rows()
    rows[0] = set_value(rows[0], "title", "Data Analytics, with Python")
    text = HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n"  # the comma is not quoted
    (etl_env.landing / "courses" / "courses.csv").write_text(text)
    err = assert_fails_unchanged(etl_env, "courses/courses.csv: line 2: expected 16 fields, found 17")
    assert "must be quoted" in str(err)


def test_unterminated_quote(etl_env):
    rows = course_rows()
    rows[1] = set_value(rows[1], "title", '"Malay Language for Beginners')
    text = HEADER + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    (etl_env.landing / "courses" / "courses.csv").write_text(text)
    assert_fails_unchanged(
        etl_env, "courses/courses.csv: line 3: a quoted value starting on this line is never closed"
    )


def test_xlsx_named_csv(etl_env):
    import xlsxwriter

    path = etl_env.landing / "courses" / "courses.csv"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, row in enumerate([list(COURSES.header), *course_rows()]):
        sheet.write_row(i, 0, row)
    book.close()
    assert path.read_bytes()[:4] == b"PK\x03\x04"
    assert_fails_unchanged(
        etl_env, "courses/courses.csv: line 1: this is an Excel workbook (.xlsx, a ZIP file) named .csv"
    )


def test_corrupt_gzip(etl_env, csv_writer):
    rows = [
        [f"R9-{i:05d}", "ext-1", "MC-FSKTM-001-2024-1", "mc_fee", "650.00", "2024-03-01 10:00:00", "FSKTM"]
        for i in range(20000)
    ]
    plain = csv_writer(etl_env.root / "p.csv", PAYMENTS.header, rows).read_bytes()
    packed = gzip.compress(plain)
    (etl_env.landing / "payments" / "p9.csv.gz").write_bytes(packed[: len(packed) // 2])
    assert_fails_unchanged(etl_env, "payments/p9.csv.gz: the gzip file is cut short")
    damaged = bytearray(packed)
    damaged[len(damaged) // 2] ^= 0xFF
    (etl_env.landing / "payments" / "p9.csv.gz").write_bytes(bytes(damaged))
    assert_fails_unchanged(etl_env, "payments/p9.csv.gz: the gzip file is corrupt")


def test_header_only_and_crlf_and_bom_are_fine(etl_env):
    (etl_env.landing / "payments" / "empty_month.csv").write_text(",".join(PAYMENTS.header) + "\n")
    rows = course_rows()
    text = "\r\n".join([HEADER, *(",".join(r) for r in rows)]) + "\r\n"
    (etl_env.landing / "courses" / "courses.csv").write_bytes(
        b"\xef\xbb\xbf" + text.replace("Python", "Python 3").encode()
    )
    result = etl_env.run()
    loaded = {f.rel: (f.status, f.rows_read, f.rows_loaded) for f in result.files}
    assert loaded["payments/empty_month.csv"] == ("loaded", 0, 0)
    assert loaded["courses/courses.csv"] == ("loaded", 2, 2)
    assert etl_env.scalar("select title from raw_courses where course_code = 'MC-FSKTM-001'") == (
        "Data Analytics with Python 3"
    )


def test_embedded_newline_counts_as_one_line(etl_env, csv_writer):
    rows = course_rows()
    rows[0] = set_value(rows[0], "title", "Data Analytics\nwith Python")
    rows[1] = set_value(rows[1], "launched_on", "15/09/2022")
    csv_writer(etl_env.landing / "courses" / "courses.csv", COURSES.header, rows)
    etl_env.run()
    assert etl_env.query("select line, column_name, value from quarantine") == [
        (3, "launched_on", "15/09/2022")
    ]
    assert etl_env.scalar("select title from raw_courses") == "Data Analytics\nwith Python"


# --- row level -------------------------------------------------------------------------------------------


def quarantine_of(env, file_name: str) -> list[tuple]:
    return env.query(
        "select line, column_name, value, reason from quarantine where file_name = $f order by line",
        {"f": file_name},
    )


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("launched_on", "01/03/2023", "expected a date like 2024-03-01 (YYYY-MM-DD)"),
        ("fee_rm", "-650.00", "less than the minimum 0"),
        ("fee_rm", "RM 1,200.00", "expected a number like 650.00 (no 'RM', no thousands separators)"),
        ("ptj_code", "XYZ", "unknown ptj_code: not in ptj.ptj_code"),
        ("mqa_category", "4", "not one of the allowed values: 1, 2, 3"),
        ("online_share_pct", "80", "a blended course has 30% to 60% online (MQA)"),
        ("owner_staff_id", "", "required value is missing"),
    ],
)
def test_bad_course_value_is_quarantined(etl_env, csv_writer, column, value, reason):
    rows = course_rows()
    rows[0] = set_value(rows[0], column, value)
    csv_writer(etl_env.landing / "courses" / "courses.csv", COURSES.header, rows)
    result = etl_env.run()
    assert quarantine_of(etl_env, "courses/courses.csv") == [(2, column, value or None, reason)]
    assert etl_env.query("select course_code from raw_courses") == [("MOOC-APM-002",)]
    courses = next(f for f in result.files if f.rel == "courses/courses.csv")
    assert (courses.rows_read, courses.rows_loaded, courses.rows_quarantined) == (2, 1, 1)
    assert result.rows_quarantined == 1


def test_duplicate_key_within_a_file(etl_env, csv_writer):
    rows = course_rows()
    csv_writer(etl_env.landing / "courses" / "courses.csv", COURSES.header, [rows[0], rows[1], rows[0]])
    etl_env.run()
    assert quarantine_of(etl_env, "courses/courses.csv") == [
        (4, "course_code", "MC-FSKTM-001", "duplicate key, first at line 2")
    ]
    assert etl_env.scalar("select count(*) from raw_courses") == 2


def test_duplicate_key_across_files(etl_env, csv_writer):
    first = template_rows(PAYMENTS)[0]
    new = [
        "R2024-000300",
        "ext-88412",
        "MOOC-APM-002-2024-1",
        "certificate",
        "89.00",
        "2024-09-20 10:00:00",
        "APM",
    ]
    csv_writer(etl_env.landing / "payments" / "payments_2024-10.csv", PAYMENTS.header, [new, first])
    etl_env.run()
    rows = quarantine_of(etl_env, "payments/payments_2024-10.csv")
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (3, "receipt_id", "already loaded from payments/payments.csv line 2")
    ]
    assert rows[0][2] == "R2024-000101"
    assert etl_env.scalar("select count(*) from raw_payments") == 3
    assert etl_env.scalar("select sum(amount_rm) from raw_payments where payment_kind <> 'refund'") == 739


def test_refund_larger_than_fees_paid(etl_env, csv_writer):
    # ext-88412 paid 650.00 for MC-FSKTM-001-2024-1 and was refunded 650.00 already (the templates).
    rows = [
        [
            "R2024-000400",
            "S2150123",
            "MC-FSKTM-001-2024-1",
            "mc_fee",
            "650.00",
            "2024-03-02 09:00:00",
            "FSKTM",
        ],
        [
            "R2024-000401",
            "S2150123",
            "MC-FSKTM-001-2024-1",
            "refund",
            "300.00",
            "2024-03-05 09:00:00",
            "FSKTM",
        ],
        [
            "R2024-000402",
            "S2150123",
            "MC-FSKTM-001-2024-1",
            "refund",
            "400.00",
            "2024-03-06 09:00:00",
            "FSKTM",
        ],
        [
            "R2024-000403",
            "ext-88412",
            "MC-FSKTM-001-2024-1",
            "refund",
            "0.01",
            "2024-03-09 09:00:00",
            "FSKTM",
        ],
        ["R2024-000404", "ext-99999", "MOOC-APM-002-2024-1", "refund", "89.00", "2024-09-20 09:00:00", "APM"],
    ]
    csv_writer(etl_env.landing / "payments" / "refunds.csv", PAYMENTS.header, rows)
    etl_env.run()
    assert quarantine_of(etl_env, "payments/refunds.csv") == [
        (
            4,
            "amount_rm",
            "400.00",
            "refund larger than the fees paid: refunds for this learner and run would total 700.00, more than the 650.00 paid",
        ),
        (
            5,
            "amount_rm",
            "0.01",
            "refund larger than the fees paid: refunds for this learner and run would total 650.01, more than the 650.00 paid",
        ),
        (
            6,
            "amount_rm",
            "89.00",
            "refund larger than the fees paid: refunds for this learner and run would total 89.00, more than the 0.00 paid",
        ),
    ]
    assert (
        etl_env.scalar(
            "select count(*) from raw_payments where _file_id ="
            " (select max(file_id) from etl_files where file_name = 'refunds.csv')"
        )
        == 2
    )


def test_unknown_futurelearn_run_label(etl_env):
    src = etl_env.landing / "futurelearn" / "data-analytics-python-3_enrolments.csv"
    other = src.read_text().replace("09:15:00", "09:15:01")  # not byte-identical: identical files are skipped
    (etl_env.landing / "futurelearn" / "no-such-run-9_enrolments.csv").write_text(other)
    result = etl_env.run()
    rows = quarantine_of(etl_env, "futurelearn/no-such-run-9_enrolments.csv")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (2, "platform_run_label", "no-such-run-9"),
        (3, "platform_run_label", "no-such-run-9"),
    ]
    assert (
        rows[0][3]
        == "run label 'no-such-run-9' (from the file name) is not the platform_run_label of any course run"
    )
    assert result.rows_quarantined == 2
    assert etl_env.scalar("select count(*) from raw_futurelearn_enrolments") == 2
    # Once course_runs knows the label, the same export loads (FutureLearn will not send a corrected file).
    runs = etl_env.landing / "course_runs" / "course_runs.csv"
    runs.write_text(runs.read_text() + "MOOC-APM-002-2025-1,MOOC-APM-002,2025-09-01,3,no-such-run-9\n")
    result = etl_env.run()
    assert [f.rel for f in result.files if f.status == "loaded"] == [
        "course_runs/course_runs.csv",
        "futurelearn/no-such-run-9_enrolments.csv",
    ]
    assert quarantine_of(etl_env, "futurelearn/no-such-run-9_enrolments.csv") == []
    assert etl_env.query(
        "select platform_run_label, count(*) from raw_futurelearn_enrolments group by 1 order by 1"
    ) == [("data-analytics-python-3", 2), ("no-such-run-9", 2)]


def test_quarantine_never_holds_raw_learner_ids(etl_env, csv_writer):
    from etl.pseudonym import learner_key

    results = CONTRACTS["results"]
    rows = [
        ["MC-FSKTM-001-2024-1", "S9999999", "completed", "", ""],
        [
            "MC-FSKTM-001-2024-1",
            "S9999999",
            "completed",
            "",
            "",
        ],  # duplicate key (run, learner, no certificate)
        ["MC-FSKTM-001-2024-1", "", "passed", "", ""],  # learner id missing
    ]
    csv_writer(etl_env.landing / "results" / "r2.csv", results.header, rows)
    etl_env.run()
    key = learner_key("S9999999", etl_env.settings.pseudonym_key())
    assert quarantine_of(etl_env, "results/r2.csv") == [
        (
            3,
            "run_id, learner_id, certificate_type",
            f"MC-FSKTM-001-2024-1, {key}, ",
            "duplicate key, first at line 2",
        ),
        (4, "learner_id", None, "required value is missing"),
    ]
    text = " ".join(str(v) for row in etl_env.query("select * from quarantine") for v in row)
    assert "S9999999" not in text
