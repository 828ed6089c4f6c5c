"""The bad-input corpus: one `Case` per bad (or merely unusual) landing file, with the outcome the ETL must give.

Each case is either a folder `files/<case id>/` holding the file(s) as they would sit in the landing folder
(`files/<id>/payments/p_dup.csv` -> `landing/payments/p_dup.csv`), or, for binary and large files, a generator
function of the same name below that writes them into a landing folder.

Outcomes:
- `file`: the file cannot be loaded at all; the run fails with a SourceFileError naming the file (and the line
  and column where there is one), nothing is published, and once the file is removed the next run loads the rest.
- `rows`: the run succeeds; the listed rows are quarantined with their line, column and reason, the other rows of
  the file load (`loaded` of them).
- `ignored`: the file is recorded as ignored with a warning; the run succeeds.

Dates outside the horizon of `[dates]` in mckpi.toml are quarantined, in every source: before 2000-01-01 (a
spreadsheet's zero date, Unix's 1970-01-01), FutureLearn times before FutureLearn existed (2012-12-14), and a
date more than 366 days after the day the file is loaded (1096 for planned course launches and run starts).
The upper bound depends on the day of the run, but only for dates more than a year ahead, which no real export
holds; a date a little in the future (a run starting next month) loads.

Decisions made explicit here (the ETL has no rule for them, so they load):
- An enrolment long before its run starts (`enrolled_long_before_run`): registration opens months ahead and the
  contract has no rule on it, so it loads.
- A refund listed before its fee in the same file (`refund_before_fee_same_file`) loads: the fees of the file count
  whatever their order (a finance export is not in time order).
- A text value that looks like a spreadsheet formula (`formula_in_title`) loads verbatim as text; the dashboard's
  CSV/Excel export escapes it (read/cells.py).
- Fields over DuckDB's 2,000,000-byte line limit (`huge_field_5mb`) reject the file (no real title or id is that
  long: it is a broken export), anywhere in the file; past DuckDB's 32 MB buffer on the last line DuckDB drops the
  line without an error, which the independent record count catches (`huge_field_last_line_33mb`); a 1 MB value
  loads.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

FILES = Path(__file__).resolve().parent / "files"

NUMBER = "expected a number like 650.00 (no 'RM', no thousands separators)"
TIMESTAMP = "expected a date and time like 2024-03-01 14:30:00"
FL_TIME = "expected a FutureLearn time like 2024-03-01 14:30:00 UTC"
ANY = ...  # a quarantined value not worth spelling out (e.g. a key holding a learner_key hash)
SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (Comma delimited) (*.csv)'"


@dataclass(frozen=True)
class Case:
    id: str
    outcome: Literal["file", "rows", "ignored"]
    target: str  # the landing path the outcome is about
    message: tuple[str, ...] = ()  # parts of the error message (file) or the warning (ignored, rows)
    line: int | None = None  # file: the line the error names
    column: str | None = None  # file: the column the error names
    quarantine: tuple[tuple[int, str, object, str], ...] = ()  # rows: (line, column, value or ANY, reason)
    loaded: int = 0  # rows: rows of the target file that load
    checks: tuple[tuple[str, object], ...] = ()  # rows: (SQL on the published warehouse, expected scalar)
    marts: bool = (
        False  # run the real models and checks too (slower; for cases whose effect reaches the marts)
    )
    bug: str = ""  # a known bug: the case is expected to fail until it is fixed (strict xfail)
    extra: dict[str, str] = field(default_factory=dict)  # free notes

    def write(self, landing: Path) -> None:
        folder = FILES / self.id
        if folder.is_dir():
            for src in sorted(p for p in folder.rglob("*") if p.is_file()):
                dst = landing / src.relative_to(folder)
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_bytes(src.read_bytes())
        else:
            GENERATORS[self.id](landing)


def early(bound: str, setting: str = "earliest") -> str:
    """The reason for a date before the horizon ([dates] in mckpi.toml)."""
    return f"before {bound}, earlier than this source can hold ([dates] {setting} in mckpi.toml)"


def late(days: int, setting: str = "max_days_after_delivery") -> str:
    """The reason for a date past the horizon."""
    return f"more than {days} days after the file was loaded ([dates] {setting} in mckpi.toml)"


def one_bad_row(
    id: str, target: str, line: int, column: str, value: object, reason: str, loaded: int = 1
) -> Case:
    """The commonest case: the run succeeds, one row of `target` is quarantined (line, column, value, reason)
    and its other `loaded` rows load."""
    return Case(id, "rows", target, quarantine=((line, column, value, reason),), loaded=loaded)


def header(*parts: str) -> tuple[str, ...]:
    return ("line 1", "expected header", *parts)


CASES: tuple[Case, ...] = (
    # --- file level: the run fails, nothing is published -----------------------------------------------------
    Case(
        "ptj_renamed_column",
        "file",
        "ptj/ptj_extra.csv",
        header("renamed: 'name' should be 'name_en'"),
        1,
        "name_en",
    ),
    Case(
        "staff_missing_column",
        "file",
        "staff/staff_hr2.csv",
        header("(6 columns)", "missing: grade"),
        1,
        "grade",
    ),
    Case(
        "teaching_extra_column",
        "file",
        "teaching/teaching_more.csv",
        header("unexpected: 'notes'"),
        1,
        "notes",
    ),
    Case(
        "course_runs_tab_delimited",
        "file",
        "course_runs/runs_2025.csv",
        header("looks tab-delimited", SAVE_AS),
        1,
    ),
    Case(
        "kpi_targets_pipe_delimited", "file", "kpi_targets/targets_2026.csv", header("looks '|'-delimited"), 1
    ),
    Case(
        "payments_columns_reordered",
        "file",
        "payments/p_reordered.csv",
        header("the same columns in a different order (first out of place: 'receipt_id')"),
        1,
        "receipt_id",
    ),
    Case(
        "results_repeated_column",
        "file",
        "results/results_dup_col.csv",
        header("repeated column: outcome"),
        1,
        "outcome",
    ),
    Case(
        "payments_whitespace_only",
        "file",
        "payments/blank.csv",
        header("found '   '", "missing: receipt_id"),
        1,
        "receipt_id",
    ),
    Case(
        "results_truncated_last_line",
        "file",
        "results/results_cut.csv",
        ("expected 5 fields, found 3", "the line is cut short (truncated file?)"),
        3,
    ),
    Case(
        "fl_enrolments_unterminated_quote",
        "file",
        "futurelearn/malay-beginners-5_enrolments.csv",
        ("a quoted value starting on this line is never closed",),
        3,
    ),
    Case(
        "payments_rm_with_comma_unquoted",
        "file",
        "payments/p_rm.csv",
        ("expected 7 fields, found 8", "a value containing ',' must be quoted"),
        3,
    ),
    Case(
        "enrolments_latin1",
        "file",
        "enrolments/enrol_latin1.csv",
        ("column 'employment_status': not UTF-8 (byte 0xE9 in 'étudiant')", "Latin-1", SAVE_AS),
        3,
        "employment_status",
    ),
    Case(
        "payments_utf16",
        "file",
        "payments/p_utf16.csv",
        ("the file is UTF-16 encoded, not UTF-8", SAVE_AS),
        1,
    ),
    Case(
        "payments_xlsx_named_csv",
        "file",
        "payments/p_excel.csv",
        ("this is an Excel workbook (.xlsx, a ZIP file) named .csv", SAVE_AS),
        1,
    ),
    Case(
        "results_xls_named_csv",
        "file",
        "results/results_old_excel.csv",
        ("this is an Excel 97-2003 workbook (.xls) named .csv",),
        1,
    ),
    Case(
        "fl_gzip_corrupt",
        "file",
        "futurelearn/malay-beginners-5_step-activity.csv.gz",
        ("the gzip file is corrupt", "copy it again"),
    ),
    Case(
        "fl_gzip_truncated",
        "file",
        "futurelearn/malay-beginners-5_step-activity.csv.gz",
        ("the gzip file is cut short",),
    ),
    Case(
        "gzip_named_csv", "file", "payments/p_packed.csv", ("the file is gzip-compressed; name it .csv.gz",)
    ),
    Case(
        "csv_named_gz",
        "file",
        "payments/p_plain.csv.gz",
        ("the file is named .gz but is not gzip-compressed",),
    ),
    Case(
        "empty_file",
        "file",
        "futurelearn/malay-beginners-5_enrolments.csv",
        ("the file is empty (0 bytes); expected at least the header 'learner_id,enrolled_at,",),
    ),
    Case(
        "empty_gzip", "file", "payments/p_empty.csv.gz", ("the file is empty; expected at least the header",)
    ),
    Case(
        "nul_filled_file",
        "file",
        "payments/p_crashed_copy.csv",
        ("the file holds only zero bytes", "copy it again"),
        1,
        extra={"note": "a copy cut by a crash: the size allocated, the blocks never written"},
    ),
    Case("nul_tail", "file", "payments/p_nul_tail.csv", ("expected 7 fields, found 1", "cut short"), 4),
    Case(
        "huge_field_5mb",
        "file",
        "courses/courses_huge.csv",
        ("cannot be read as CSV: the line is longer than 2,000,000 bytes",),
        2,
    ),
    Case(
        "huge_field_last_line_33mb",
        "file",
        "courses/courses_huge_last.csv",
        ("the line is 33,554,534 bytes long, more than the 2,000,000 bytes a line may have",),
        3,
        extra={"note": "a value longer than DuckDB's 32 MB buffer on the last line: DuckDB drops the line without"
               " an error; the record count of hash_file catches it"},
    ),
    Case(
        "huge_field_middle_33mb",
        "file",
        "courses/courses_huge_middle.csv",
        ("the line is 33,554,534 bytes long, more than the 2,000,000 bytes a line may have",),
        3,
    ),
    Case(
        "kpi_targets_cut_in_last_value",
        "file",
        "kpi_targets/targets_2026.csv",
        ("the last line has no line break at its end: the file looks cut short", "column 'target_value'"),
        3,
        "target_value",
        extra={"note": "160000.00 cut to 16: the line has all its fields, only the missing final line break shows"},
    ),
    # --- accepted as they are ----------------------------------------------------------------------------------
    Case("payments_crlf", "rows", "payments/p_crlf.csv", loaded=2),
    Case("payments_cr_only", "rows", "payments/p_cr.csv", loaded=2),
    Case("payments_gzip_ok", "rows", "payments/p_zipped.csv.gz", loaded=2),
    Case("header_only_step_activity", "rows", "futurelearn/malay-beginners-5_step-activity.csv", loaded=0),
    Case("header_case_and_spaces", "rows", "payments/p_header_case.csv", loaded=1),
    Case(
        "values_with_spaces_trimmed",
        "rows",
        "payments/p_spaces.csv",
        loaded=1,
        checks=(
            (
                "select amount_rm::varchar || '|' || run_id || '|' || ptj_code from raw_payments"
                " where receipt_id = 'R2024-800001'",
                "89.00|MOOC-APM-002-2024-1|APM",
            ),
        ),
    ),
    Case(
        "staff_quoted_newline",
        "rows",
        "staff/staff_visiting.csv",
        loaded=2,
        checks=(
            (
                "select staff_name from raw_staff where staff_id = 'S0003'",
                "Dr. Tan Mei Ling\n(visiting, 2025)",
            ),
            ("select _line from raw_staff where staff_id = 'S0004'", 3),
        ),
    ),
    Case(
        "unicode_text",
        "rows",
        "courses/courses_unicode.csv",
        loaded=1,
        checks=(
            (
                "select course_title from dim_course where course_code = 'MC-FSKTM-004'",
                "Kecerdasan Buatan 人工智能 🤖 — Asas",
            ),
        ),
        marts=True,
    ),
    Case(
        "formula_in_title",
        "rows",
        "courses/courses_formula.csv",
        loaded=1,
        checks=(
            (
                "select course_title from dim_course where course_code = 'MC-FSKTM-005'",
                '=HYPERLINK("http://evil.example/x","Click me")',
            ),
        ),
        marts=True,
    ),
    Case(
        "large_field_1mb",
        "rows",
        "courses/courses_long.csv",
        loaded=2,
        checks=(("select length(title) from raw_courses where course_code = 'MC-FSKTM-010'", 1_000_005),),
    ),
    Case(
        "future_enrolled_at",
        "rows",
        "enrolments/enrol_future.csv",
        quarantine=((2, "enrolled_at", "2099-01-01 10:00:00", late(366)),),
        loaded=1,
        checks=(("select count(*) from fct_enrolment where enrol_year = 2099", 0),),
        marts=True,
    ),
    one_bad_row("courses_launched_on_excel_zero_date", "courses/lms_courses.csv",
                2, "launched_on", "1900-01-01", early("2000-01-01")),
    one_bad_row("course_runs_start_decades_ahead", "course_runs/runs_planned.csv",
                3, "starts_on", "2052-03-04", late(1096, "max_days_after_delivery_planned")),
    one_bad_row("staff_left_on_epoch_zero", "staff/staff_contract.csv",
                2, "left_on", "1970-01-01", early("2000-01-01")),
    one_bad_row("fl_enrolled_before_futurelearn", "futurelearn/malay-beginners-5_enrolments.csv",
                3, "enrolled_at", "2011-08-20 09:15:00 UTC", early("2012-12-14", "earliest_futurelearn")),
    one_bad_row("fl_step_completed_far_future", "futurelearn/malay-beginners-5_step-activity.csv",
                3, "last_completed_at", "2042-09-02 08:09:00 UTC", late(366)),
    one_bad_row("results_issued_excel_zero_date", "results/results_late.csv",
                2, "issued_at", "1899-12-30 00:00:00", early("2000-01-01")),
    Case(
        "payments_paid_far_future",
        "rows",
        "payments/p_future.csv",
        quarantine=((2, "paid_at", "2204-09-20 10:00:00", late(366)),),
        loaded=1,
        checks=(("select sum(amount_rm)::varchar from raw_payments where receipt_id like 'R2024-6%'", "89.00"),),
    ),
    Case(
        "enrolled_long_before_run",
        "rows",
        "enrolments/enrol_early.csv",
        loaded=1,
        checks=(("select count(*) from fct_enrolment where enrolled_at = '2015-01-01 10:00:00'", 1),),
        marts=True,
    ),
    Case("refund_before_fee_same_file", "rows", "payments/p_refund_first.csv", loaded=2),
    Case(
        "blank_line_in_middle",
        "rows",
        "payments/p_blank_line.csv",
        ("payments/p_blank_line.csv: line 3 is empty; quarantine line numbers after it are one short",),
        quarantine=((3, "amount_rm", "eighty", NUMBER),),
        loaded=1,
    ),
    # --- row level: quarantined with a reason, the rest loads --------------------------------------------------
    one_bad_row("enrolments_bad_timestamp", "enrolments/enrol_dates.csv",
                3, "enrolled_at", "25/08/2024 10:00", TIMESTAMP),
    Case(
        "enrolments_timezone_offset",
        "rows",
        "enrolments/enrol_tz.csv",
        quarantine=(
            (3, "enrolled_at", "2024-08-25T10:00:00+08:00", TIMESTAMP),
            (4, "enrolled_at", "2024-08-25 10:00:00 UTC", TIMESTAMP),
        ),
        loaded=1,
    ),
    one_bad_row("enrolments_impossible_date", "enrolments/enrol_feb30.csv",
                3, "enrolled_at", "2024-02-30 10:00:00", TIMESTAMP),
    one_bad_row("enrolments_unenrolled_before_enrolled", "enrolments/enrol_order.csv",
                3, "unenrolled_at", "2024-08-24 10:00:00", "unenrolled_at is before enrolled_at"),
    one_bad_row("enrolments_gender_code", "enrolments/enrol_gender.csv",
                3, "gender", "F", "not one of the allowed values: female, male, other"),
    one_bad_row("enrolments_duplicate_within_file", "enrolments/enrol_dup.csv",
                4, "run_id, learner_id", ANY, "duplicate key, first at line 2", loaded=2),
    one_bad_row("enrolments_duplicate_across_files", "enrolments/enrol_again.csv",
                3, "run_id, learner_id", ANY, "already loaded from enrolments/enrolments.csv line 2"),
    one_bad_row("enrolments_unknown_run", "enrolments/enrol_run.csv",
                3, "run_id", "MC-NOPE-999-2024-1", "unknown run_id: not in course_runs.run_id"),
    one_bad_row("fl_time_without_utc", "futurelearn/malay-beginners-5_enrolments.csv",
                3, "enrolled_at", "2024-08-20 09:15:00", FL_TIME),
    one_bad_row("fl_time_with_offset", "futurelearn/malay-beginners-5_enrolments.csv",
                3, "enrolled_at", "2024-08-20T09:15:00+00:00", FL_TIME),
    one_bad_row("fl_unknown_role", "futurelearn/malay-beginners-5_enrolments.csv",
                3, "role", "admin", "not one of the allowed values: learner, organisation_admin"),
    one_bad_row("fl_missing_learner_id", "futurelearn/malay-beginners-5_enrolments.csv",
                3, "learner_id", None, "required value is missing"),
    Case(
        "fl_step_number_not_whole",
        "rows",
        "futurelearn/malay-beginners-5_step-activity.csv",
        quarantine=(
            (3, "step_number", "1.5", "expected a whole number"),
            (4, "week_number", "0", "less than the minimum 1"),
        ),
        loaded=1,
    ),
    Case(
        "payments_negative_amount",
        "rows",
        "payments/p_negative.csv",
        quarantine=(
            (3, "amount_rm", "-89.00", "less than the minimum 0.01"),
            (4, "amount_rm", "0.00", "less than the minimum 0.01"),
        ),
        loaded=1,
    ),
    Case(
        "payments_non_numeric_amount",
        "rows",
        "payments/p_text.csv",
        quarantine=((3, "amount_rm", "eighty-nine", NUMBER), (4, "amount_rm", "89.999", NUMBER)),
        loaded=1,
    ),
    Case(
        "payments_rm_and_commas_quoted",
        "rows",
        "payments/p_rm_quoted.csv",
        quarantine=((3, "amount_rm", "RM 1,200.00", NUMBER), (4, "amount_rm", "1,200.00", NUMBER)),
        loaded=1,
    ),
    one_bad_row("nul_in_value", "payments/p_nul_value.csv", 9, "amount_rm", "89.\x0000", NUMBER, loaded=7),
    one_bad_row("payments_duplicate_within_file", "payments/p_dup.csv",
                4, "receipt_id", "R2024-800001", "duplicate key, first at line 2", loaded=2),
    Case(
        "payments_unknown_run_and_ptj",
        "rows",
        "payments/p_refs.csv",
        quarantine=(
            (3, "run_id", "MOOC-APM-002-2030-9", "unknown run_id: not in course_runs.run_id"),
            (4, "ptj_code", "FXYZ", "unknown ptj_code: not in ptj.ptj_code"),
        ),
        loaded=1,
    ),
    Case(
        "refund_larger_across_files",
        "rows",
        "payments/p_2024-10.csv",
        quarantine=(
            (
                3,
                "amount_rm",
                "50.00",
                "refund larger than the fees paid: refunds for this learner and run"
                " would total 100.00, more than the 89.00 paid",
            ),
        ),
        loaded=1,
    ),
    Case(
        "results_outcome_capitalised",
        "rows",
        "results/results_case.csv",
        quarantine=(
            (3, "outcome", "Passed", "not one of the allowed values: completed, passed, failed, withdrawn"),
        ),
        loaded=1,
    ),
    Case(
        "results_coa_without_pass",
        "rows",
        "results/results_coa.csv",
        quarantine=(
            (3, "certificate_type", "COA", "a Certificate of Achievement needs outcome 'passed'"),
            (4, "issued_at", None, "a certificate needs issued_at"),
        ),
        loaded=1,
    ),
    one_bad_row("courses_mqa_category_decimal", "courses/courses_extra.csv",
                3, "mqa_category", "1.0", "not one of the allowed values: 1, 2, 3"),
    Case(
        "courses_unknown_ptj_and_staff",
        "rows",
        "courses/courses_extra.csv",
        quarantine=(
            (3, "ptj_code", "FXX", "unknown ptj_code: not in ptj.ptj_code"),
            (4, "owner_staff_id", "S9999", "unknown owner_staff_id: not in staff.staff_id"),
        ),
        loaded=1,
    ),
    Case(
        "payments_resent_other_case",
        "rows",
        "payments/p_resent.csv",
        quarantine=(
            (2, "receipt_id", "r2024-000101\u00a0", "already loaded from payments/payments.csv line 2"),
            (3, "receipt_id", "\uff32\uff12\uff10\uff12\uff14-000187", "already loaded from payments/payments.csv line 3"),
        ),
        loaded=1,
        checks=(
            # Not counted twice: the template's two receipts, the companions' two, and R2024-700010.
            ("select count(*) from raw_payments", 5),
            ("select sum(amount_rm)::varchar from raw_payments", "1567.00"),
        ),
        extra={"note": "receipt ids are case-insensitive (Column.key_match); a no-break space and full-width"
               " digits are NFKC-normalised away"},
    ),
    Case(
        "payments_duplicate_padded_within_file",
        "rows",
        "payments/p_dup_padded.csv",
        quarantine=(
            (4, "receipt_id", "\tr2024-700001", "duplicate key, first at line 2"),
            (5, "receipt_id", "\u200bR2024-700002\u2003", "duplicate key, first at line 3"),
        ),
        loaded=2,
    ),
    one_bad_row("courses_duplicate_padded_across_streams", "courses/lms_courses.csv",
                2, "course_code", "MC-FSKTM-001\u00a0", "already loaded from courses/courses.csv line 2"),
    Case(
        "quote_inside_unquoted_value",
        "rows",
        "courses/lms_courses.csv",
        loaded=2,
        checks=(
            ("select string_agg(title, ' | ' order by course_code) from raw_courses where course_code like 'MC-FSKTM-04%'",
             'Repairing a 15" Laptop | Networks, Part "2"'),
        ),
        extra={"note": "a quote inside an unquoted value is a character (DuckDB, and hash_file's record count)"},
    ),
    Case(
        "courses_duplicate_across_streams",
        "rows",
        "courses/lms_courses.csv",
        quarantine=((2, "course_code", "MC-FSKTM-001", "already loaded from courses/courses.csv line 2"),),
        marts=True,
    ),
    Case(
        "course_runs_unknown_course_and_weeks",
        "rows",
        "course_runs/runs_2025.csv",
        quarantine=(
            (3, "course_code", "MC-NOPE-1", "unknown course_code: not in courses.course_code"),
            (4, "weeks", "53", "more than the maximum 52"),
        ),
        loaded=1,
    ),
    Case(
        "staff_left_without_date",
        "rows",
        "staff/staff_hr2.csv",
        quarantine=(
            (3, "ptj_code", "FS-X", "unknown ptj_code: not in ptj.ptj_code"),
            (4, "left_on", None, "a member of staff who left needs left_on"),
        ),
        loaded=1,
    ),
    Case(
        "teaching_unknown_staff",
        "rows",
        "teaching/teaching_more.csv",
        quarantine=(
            (3, "staff_id", "S9999", "unknown staff_id: not in staff.staff_id"),
            (4, "teaching_role", "tutor", "not one of the allowed values: owner, lecturer, facilitator"),
        ),
        loaded=1,
    ),
    Case(
        "kpi_targets_ptj_scope_without_ptj",
        "rows",
        "kpi_targets/targets_2026.csv",
        quarantine=(
            (3, "ptj_code", None, "a PTj target needs ptj_code"),
            (4, "year", "1999", "less than the minimum 2000"),
        ),
        loaded=1,
    ),
    Case(
        "ptj_unknown_kind",
        "rows",
        "ptj/ptj_extra.csv",
        quarantine=(
            (3, "kind", "department", "not one of the allowed values: faculty, academy, centre, institute"),
        ),
        loaded=1,
    ),
    # --- pathway sources (issue 18) ----------------------------------------------------------------------------
    Case(
        "badges_email_recipient",
        "rows",
        "badges/b.csv",
        quarantine=(
            (3, "learner_id", None, "the recipient is an e-mail address: give the learner id"),
            (4, "accepted_at", None, "an accepted badge needs accepted_at"),
        ),
        loaded=1,
    ),
    Case("open_badges_bad_json", "file", "open_badges/ob.jsonl", ("not valid JSON",), 2),
    one_bad_row("mc_programmes_category_1_without_programme", "mc_programmes/p.csv",
                2, "accredited_programme", None, "a Category 1 MC programme needs accredited_programme"),
    Case(
        "mc_programme_courses_unknown_course",
        "rows",
        "mc_programme_courses/pc.csv",
        quarantine=(
            (3, "course_code", "MC-NOPE-999", "unknown course_code: not in courses.course_code"),
            (4, "course_role", "optional", "not one of the allowed values: required, elective"),
        ),
        loaded=1,
    ),
    Case(
        "credit_applications_credits_without_approval",
        "rows",
        "credit_applications/a.csv",
        quarantine=(
            (2, "credits_granted", "3", "credits are granted only to an approved application"),
            (3, "course_code", None, "an application names course_code or programme_code"),
            (4, "decided_on", "2024-04-20", "decided_on is before applied_on"),
        ),
        loaded=1,
    ),
    Case(
        "programme_intake_bad_date",
        "rows",
        "programme_intake/i.csv",
        quarantine=(
            (2, "admitted_on", "01/09/2024", "expected a date like 2024-03-01 (YYYY-MM-DD)"),
            (3, "tuition_fee_rm", "RM 12,000.00", NUMBER),
        ),
        loaded=1,
    ),
    # --- ignored with a warning --------------------------------------------------------------------------------
    Case(
        "fl_unknown_dataset",
        "ignored",
        "futurelearn/malay-beginners-5_weird-dataset.csv",
        ("ignored (unknown FutureLearn dataset 'weird-dataset')",),
    ),
    Case("file_outside_source_folder", "ignored", "payments.csv", ("ignored (not in a source folder)",)),
)

# --- generators for binary and large files --------------------------------------------------------------------

P = "receipt_id,learner_id,run_id,payment_kind,amount_rm,paid_at,ptj_code"
E = "run_id,learner_id,enrolled_at,unenrolled_at,learner_type,country_code,age_band,employment_status,gender"
C = (
    "course_code,title,ptj_code,mqa_category,mc_type,delivery_mode,online_share_pct,design_option,platform,"
    "credits,slt_hours,fee_rm,certificate_price_rm,owner_staff_id,plan_phase,launched_on"
)
FLS = "learner_id,step,week_number,step_number,first_visited_at,last_completed_at"
RUN2 = "MOOC-APM-002-2024-1"


def _pay(i: int, learner: str = "ext-b1", amount: str = "89.00") -> str:
    return f"R2024-80{i:04d},{learner},{RUN2},certificate,{amount},2024-09-20 10:00:00,APM"


def _write(landing: Path, rel: str, data: bytes) -> None:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _course(code: str, title: str) -> str:
    return f"{code},{title},FSKTM,1,programme_based,blended,40,A,lms,3,100,600.00,,S0001,phase_2,2024-01-15"


def enrolments_latin1(landing: Path) -> None:
    text = "\n".join(
        [
            E,
            f"{RUN2},ext-b1,2024-08-25 10:00:00,,external,MY,26-35,working_full_time,female",
            f"{RUN2},ext-b2,2024-08-25 10:00:00,,external,FR,26-35,étudiant,male",
        ]
    )
    _write(landing, "enrolments/enrol_latin1.csv", (text + "\n").encode("latin-1"))


def payments_utf16(landing: Path) -> None:
    _write(landing, "payments/p_utf16.csv", ("\n".join([P, _pay(1)]) + "\n").encode("utf-16"))


def payments_xlsx_named_csv(landing: Path) -> None:
    import xlsxwriter

    path = landing / "payments" / "p_excel.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, P.split(","))
    sheet.write_row(1, 0, _pay(1).split(","))
    book.close()


def results_xls_named_csv(landing: Path) -> None:
    _write(landing, "results/results_old_excel.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)


def payments_gzip_ok(landing: Path) -> None:
    _write(
        landing,
        "payments/p_zipped.csv.gz",
        gzip.compress(("\n".join([P, _pay(1), _pay(2, "ext-b2")]) + "\n").encode()),
    )


def _steps(n: int) -> bytes:
    rows = [FLS] + [
        f"0a1b2c3d-0000-4000-8000-{i:012d},1.{i % 9 + 1},1,{i % 9 + 1},2024-09-02 08:00:00 UTC,"
        for i in range(n)
    ]
    return ("\n".join(rows) + "\n").encode()


def fl_gzip_corrupt(landing: Path) -> None:
    packed = bytearray(gzip.compress(_steps(20000)))
    packed[len(packed) // 2] ^= 0xFF
    _write(landing, "futurelearn/malay-beginners-5_step-activity.csv.gz", bytes(packed))


def fl_gzip_truncated(landing: Path) -> None:
    packed = gzip.compress(_steps(20000))
    _write(landing, "futurelearn/malay-beginners-5_step-activity.csv.gz", packed[: len(packed) // 2])


def gzip_named_csv(landing: Path) -> None:
    _write(landing, "payments/p_packed.csv", gzip.compress(("\n".join([P, _pay(1)]) + "\n").encode()))


def csv_named_gz(landing: Path) -> None:
    _write(landing, "payments/p_plain.csv.gz", ("\n".join([P, _pay(1)]) + "\n").encode())


def empty_file(landing: Path) -> None:
    _write(landing, "futurelearn/malay-beginners-5_enrolments.csv", b"")


def empty_gzip(landing: Path) -> None:
    _write(landing, "payments/p_empty.csv.gz", gzip.compress(b""))


def nul_filled_file(landing: Path) -> None:
    """What a crash during a copy can leave: the file's size allocated, its blocks never written."""
    _write(landing, "payments/p_crashed_copy.csv", b"\x00" * 8192)


def nul_tail(landing: Path) -> None:
    """Good rows, then zero bytes where the rest of the file should be."""
    _write(
        landing,
        "payments/p_nul_tail.csv",
        ("\n".join([P, _pay(1), _pay(2, "ext-b2")]) + "\n").encode() + b"\x00" * 300,
    )


def nul_in_value(landing: Path) -> None:
    rows = [P] + [_pay(i, f"ext-b{i}") for i in range(1, 8)] + [_pay(8, "ext-b8", "89.\x0000")]
    _write(landing, "payments/p_nul_value.csv", ("\n".join(rows) + "\n").encode())


def huge_field_5mb(landing: Path) -> None:
    text = "\n".join([C, _course("MC-FSKTM-009", "Big Data " + "x" * 5_000_000)]) + "\n"
    _write(landing, "courses/courses_huge.csv", text.encode())


HUGE_TITLE = "Big Data " + "x" * (32 * 1024 * 1024)  # past DuckDB's 32 MB read buffer


def huge_field_last_line_33mb(landing: Path) -> None:
    text = "\n".join([C, _course("MC-FSKTM-012", "Short"), _course("MC-FSKTM-013", HUGE_TITLE)]) + "\n"
    _write(landing, "courses/courses_huge_last.csv", text.encode())


def huge_field_middle_33mb(landing: Path) -> None:
    rows = [C, _course("MC-FSKTM-012", "Short"), _course("MC-FSKTM-013", HUGE_TITLE), _course("MC-FSKTM-014", "x")]
    _write(landing, "courses/courses_huge_middle.csv", ("\n".join(rows) + "\n").encode())


def large_field_1mb(landing: Path) -> None:
    text = "\n".join(
        [C, _course("MC-FSKTM-010", "Long " + "y" * 1_000_000), _course("MC-FSKTM-011", "Short")]
    )
    _write(landing, "courses/courses_long.csv", (text + "\n").encode())


GENERATORS: dict[str, Callable[[Path], None]] = {
    name: fn
    for name, fn in dict(globals()).items()
    if callable(fn) and getattr(fn, "__module__", None) == __name__ and name in {c.id for c in CASES}
}
