"""Open University Learning Analytics Dataset (OULAD) adapter.

OULAD is a real, public learning-analytics export (Kuzilek et al., Scientific Data 4, 170171, 2017, CC BY 4.0).
This adapter maps it onto mckpi's own source contracts and writes ordinary landing files, so the same
validation, quarantine and models apply to it as to any university export:

  courses.csv (module)                 -> courses/oulad_courses.csv       (course OU-<module>)
  courses.csv (module, presentation)   -> course_runs/oulad_course_runs.csv (run OU-<module>-<presentation>)
  studentRegistration.csv              -> enrolments/oulad_enrolments.csv (registration, unregistration)
  studentInfo.csv final_result         -> results/oulad_results.csv       (Pass/Distinction = passed, Fail, Withdrawn)
  studentAssessment + assessments      -> summarised in the conversion summary (no assessment-level contract yet)

Quirks handled (see ../shared/realdata/PROVENANCE.md):
- studentInfo.csv is not UTF-8: the imd_band '10-20' was turned into a date by a spreadsheet and saved in a Chinese
  locale (bytes of GBK '10月20日'). We read it as latin-1 and do not use imd_band; every other column is ASCII.
- OULAD dates are day offsets from the presentation start, not calendar dates. A presentation code is a year plus
  'B' (February start) or 'J' (October start); we date B presentations 1 February and J presentations 1 October.
- 45 registrations have no date_registration: we date them at the presentation start, or at their
  unregistration when that came first (39 of them have an unregistration date, 35 of those before the start;
  a registration after its own unregistration would be quarantined). Noted in the summary.
- OULAD has no PTj, owner, fee or learning-time data: the courses are credited to a separate PTj 'OU', owned by a
  placeholder 'OU module team', free-standing (MQA category 3), ODL, LMS, fee RM0.00, and 160 SLT hours (the
  contract's maximum; OU modules are longer).
- Learner ids become 'ou-<id_student>' before pseudonymisation, so the same student across presentations is one learner.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

PTJ_CODE = "OU"
OWNER_STAFF_ID = "OU-MT"
FILES = ("courses", "studentInfo", "studentRegistration", "assessments", "studentAssessment")


@dataclass(frozen=True)
class OuladSummary:
    courses: int
    runs: int
    enrolments: int
    results: int
    registrations_without_date: int
    assessments_submitted: int
    written: tuple[Path, ...]


def _find(oulad_dir: Path, name: str) -> Path:
    for candidate in (oulad_dir / f"{name}.csv.gz", oulad_dir / f"{name}.csv"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{oulad_dir}: OULAD file {name}.csv(.gz) not found")


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def convert_oulad(oulad_dir: Path, landing: Path) -> OuladSummary:
    """Write OULAD as mckpi landing files under `landing` (streams prefixed oulad_)."""
    oulad_dir, landing = Path(oulad_dir), Path(landing)
    paths = {name: str(_find(oulad_dir, name)) for name in FILES}
    con = duckdb.connect()
    # Every column as text, so nothing is guessed; OULAD quotes nothing and marks missing values by empty fields.
    reader = "select * from read_csv($p, header=true, all_varchar=true, delim=',', encoding=$encoding)"
    for table, name, encoding in (
        ("courses", "courses", "utf-8"),
        ("registrations", "studentRegistration", "utf-8"),
        # Not UTF-8 (imd_band, see the module docstring): latin-1 keeps every byte; the columns we use are ASCII.
        ("info", "studentInfo", "latin-1"),
    ):
        con.execute(f"create table {table} as {reader}", {"p": paths[name], "encoding": encoding})
    con.execute(
        """
        create table runs as
        select
            code_module,
            code_presentation,
            'OU-' || code_module as course_code,
            'OU-' || code_module || '-' || code_presentation as run_id,
            make_date(
                cast(left(code_presentation, 4) as integer),
                case right(code_presentation, 1) when 'B' then 2 else 10 end,
                1
            ) as starts_on,
            cast(ceil(cast(module_presentation_length as integer) / 7.0) as integer) as weeks,
        from courses
        """
    )
    written: list[Path] = []
    written.append(
        _write_rows(
            landing / "ptj" / "oulad_ptj.csv",
            ["ptj_code", "name_en", "name_ms", "kind"],
            [[PTJ_CODE, "Open University (OULAD public data set)", "Open University (set data awam OULAD)",
              "institute"]],
        )
    )
    written.append(
        _write_rows(
            landing / "staff" / "oulad_staff.csv",
            ["staff_id", "staff_name", "ptj_code", "grade", "status", "left_on"],
            [[OWNER_STAFF_ID, "OU module team", PTJ_CODE, "n/a", "active", ""]],
        )
    )
    modules = con.execute(
        "select course_code, code_module, min(starts_on) from runs group by all order by course_code"
    ).fetchall()
    written.append(
        _write_rows(
            landing / "courses" / "oulad_courses.csv",
            ["course_code", "title", "ptj_code", "mqa_category", "mc_type", "delivery_mode", "online_share_pct",
             "design_option", "platform", "credits", "slt_hours", "fee_rm", "certificate_price_rm",
             "owner_staff_id", "plan_phase", "launched_on"],
            [[code, f"OULAD module {module}", PTJ_CODE, "3", "stand_alone", "odl", "100", "none", "lms", "0",
              "160", "0.00", "", OWNER_STAFF_ID, "immediate", first.isoformat()]
             for code, module, first in modules],
        )
    )
    runs = con.execute(
        "select run_id, course_code, starts_on, weeks from runs order by run_id"
    ).fetchall()
    written.append(
        _write_rows(
            landing / "course_runs" / "oulad_course_runs.csv",
            ["run_id", "course_code", "starts_on", "weeks", "platform_run_label"],
            [[run_id, code, starts.isoformat(), str(weeks), ""] for run_id, code, starts, weeks in runs],
        )
    )
    enrolments_path = landing / "enrolments" / "oulad_enrolments.csv"
    results_path = landing / "results" / "oulad_results.csv"
    enrolments_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""
        copy (
            select
                runs.run_id,
                'ou-' || r.id_student as learner_id,
                strftime(runs.starts_on + coalesce(cast(r.date_registration as integer),
                    least(0, cast(r.date_unregistration as integer)), 0), '%Y-%m-%d 00:00:00')
                    as enrolled_at,
                case when r.date_unregistration is not null
                    then strftime(runs.starts_on + cast(r.date_unregistration as integer), '%Y-%m-%d 00:00:00')
                end as unenrolled_at,
                'external' as learner_type,
                'GB' as country_code,
                null as age_band,
                null as employment_status,
                case i.gender when 'M' then 'male' when 'F' then 'female' end as gender,
            from registrations as r
            join runs using (code_module, code_presentation)
            left join info as i using (code_module, code_presentation, id_student)
            order by runs.run_id, cast(r.id_student as bigint)
        ) to '{enrolments_path.as_posix()}' (header, delimiter ',')
        """  # noqa: S608 - a path we built, not user input
    )
    con.execute(
        f"""
        copy (
            select
                runs.run_id,
                'ou-' || i.id_student as learner_id,
                case i.final_result
                    when 'Pass' then 'passed'
                    when 'Distinction' then 'passed'
                    when 'Fail' then 'failed'
                    when 'Withdrawn' then 'withdrawn'
                end as outcome,
                null as certificate_type,
                null as issued_at,
            from info as i
            join runs using (code_module, code_presentation)
            order by runs.run_id, cast(i.id_student as bigint)
        ) to '{results_path.as_posix()}' (header, delimiter ',')
        """  # noqa: S608 - a path we built, not user input
    )
    written += [enrolments_path, results_path]
    counts = con.execute(
        """
        select
            (select count(*) from registrations),
            (select count(*) from info),
            (select count(*) from registrations where date_registration is null)
        """
    ).fetchone()
    submitted = con.execute(
        "select count(*) from read_csv($p, header=true, all_varchar=true, delim=',')", {"p": paths["studentAssessment"]}
    ).fetchone()[0]
    return OuladSummary(
        courses=len(modules),
        runs=len(runs),
        enrolments=counts[0],
        results=counts[1],
        registrations_without_date=counts[2],
        assessments_submitted=submitted,
        written=tuple(written),
    )
