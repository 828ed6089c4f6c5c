"""Source contracts: what each input file must look like, declared once.

The same declarations drive validation in the ETL (file-level checks and row-level quarantine rules)
and the CSV templates in data/templates/ (header plus two example rows), so the two never disagree.

Types (`Column.type`):
  varchar      text, trimmed
  int          whole number
  decimal      money or a measure with two decimals, written like 650.00 (no "RM", no thousands separators)
  date         YYYY-MM-DD
  timestamp    YYYY-MM-DD HH:MM:SS (ISO 8601; a 'T' separator is accepted; read as Malaysia time)
  timestamp_fl FutureLearn's "YYYY-MM-DD HH:MM:SS UTC"
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ColumnType = Literal["varchar", "int", "decimal", "date", "timestamp", "timestamp_fl"]
KeyMatch = Literal["nfkc", "nfkc_casefold"]  # how a natural-key column is compared (etl/keys.py)
LoadMode = Literal["snapshot", "snapshot_per_run", "append"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "varchar"
    required: bool = True
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    references: str | None = None  # "source.column" that must exist (foreign key)
    pseudonymise: bool = False  # learner ids: replaced by a keyed hash at load, the raw value never stored
    description: str = ""
    # Natural-key (and learner-id) columns: compared after NFKC and trimming every kind of whitespace;
    # "nfkc_casefold" also ignores case, for keys that are case-insensitive (receipt ids).
    key_match: KeyMatch = "nfkc"
    # Dates and timestamps: the horizon bounds (etl/horizon.py; figures from [dates] in mckpi.toml).
    date_from: Literal["earliest", "earliest_futurelearn"] = "earliest"
    date_to: Literal["latest", "latest_planned"] = "latest"


@dataclass(frozen=True)
class RowRule:
    """A check across columns of one row, as a SQL boolean over the typed columns (no user values in it)."""

    sql: str
    message: str
    column: str


@dataclass(frozen=True)
class Contract:
    name: str  # source name; raw table is raw_<name>
    title: str
    folder: str  # sub-folder of the landing folder
    pattern: str  # file name glob inside the folder (.csv or .csv.gz)
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    load_mode: LoadMode
    examples: tuple[dict[str, str], ...] = ()
    rules: tuple[RowRule, ...] = ()
    description: str = ""
    template_name: str = ""  # file name in data/templates/

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def raw_table(self) -> str:
        return f"raw_{self.name}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _csv(name: str, **fields: Any) -> Contract:
    """A university export: landing/<name>/*.csv (or .csv.gz), its template data/templates/<name>.csv."""
    return Contract(name=name, folder=name, pattern="*.csv*", template_name=f"{name}.csv", **fields)


# --- reference data (snapshots: each delivery replaces the previous one) --------------------------------

PTJ_KINDS = ("faculty", "academy", "centre", "institute")
MQA_CATEGORIES = ("1", "2", "3")
MC_TYPES = ("programme_based", "stand_alone", "mooc")
DELIVERY_MODES = ("conventional", "blended", "odl")
DESIGN_OPTIONS = ("A", "B1", "B2", "none")
PLATFORMS = ("futurelearn", "openlearning", "lms", "other")
PLAN_PHASES = ("immediate", "phase_2", "phase_3")
OUTCOMES = ("completed", "passed", "failed", "withdrawn")
CERTIFICATE_TYPES = ("COC", "COA", "MMS", "badge")
PAYMENT_KINDS = ("mc_fee", "certificate", "refund")
STAFF_STATUSES = ("active", "left")
TEACHING_ROLES = ("owner", "lecturer", "facilitator")
LEARNER_TYPES = ("internal", "external")
TARGET_SCOPES = ("university", "ptj")

PTJ = _csv(
    "ptj",
    title="PTj list (responsibility centres)",
    load_mode="snapshot",
    natural_key=("ptj_code",),
    columns=(
        Column("ptj_code", description="Short code, e.g. FSKTM"),
        Column("name_en", description="Name in English"),
        Column("name_ms", description="Name in Malay"),
        Column("kind", allowed=PTJ_KINDS),
    ),
    examples=(
        {"ptj_code": "FSKTM", "name_en": "Faculty of Computer Science and Information Technology",
         "name_ms": "Fakulti Sains Komputer dan Teknologi Maklumat", "kind": "faculty"},
        {"ptj_code": "APM", "name_en": "Academy of Malay Studies",
         "name_ms": "Akademi Pengajian Melayu", "kind": "academy"},
    ),
)

COURSES = _csv(
    "courses",
    title="Course catalogue",
    load_mode="snapshot",
    natural_key=("course_code",),
    columns=(
        Column("course_code"),
        Column("title"),
        Column("ptj_code", references="ptj.ptj_code"),
        Column("mqa_category", allowed=MQA_CATEGORIES, description="1 = part of a UM programme, 3 = free-standing"),
        Column("mc_type", allowed=MC_TYPES),
        Column("delivery_mode", allowed=DELIVERY_MODES),
        Column("online_share_pct", "int", min=0, max=100),
        Column("design_option", allowed=DESIGN_OPTIONS),
        Column("platform", allowed=PLATFORMS),
        Column("credits", "int", min=0, max=60),
        Column("slt_hours", "int", min=1, max=2000, description="Student learning time in hours"),
        Column("fee_rm", "decimal", min=0, max=100000),
        Column("certificate_price_rm", "decimal", required=False, min=0, max=100000),
        Column("owner_staff_id", references="staff.staff_id"),
        Column("plan_phase", allowed=PLAN_PHASES),
        Column("launched_on", "date", date_to="latest_planned"),
    ),
    rules=(
        RowRule("delivery_mode <> 'blended' or online_share_pct between 30 and 60",
                "a blended course has 30% to 60% online (MQA)", "online_share_pct"),
        RowRule("delivery_mode <> 'odl' or online_share_pct >= 60",
                "an ODL course has at least 60% online (MQA)", "online_share_pct"),
        RowRule("delivery_mode <> 'conventional' or online_share_pct < 30",
                "a conventional course has less than 30% online (MQA)", "online_share_pct"),
        RowRule("mc_type = 'mooc' or slt_hours between 4 and 160",
                "an MC has 4 to 160 hours of student learning time", "slt_hours"),
    ),
    examples=(
        {"course_code": "MC-FSKTM-001", "title": "Data Analytics with Python", "ptj_code": "FSKTM",
         "mqa_category": "1", "mc_type": "programme_based", "delivery_mode": "blended", "online_share_pct": "35",
         "design_option": "A", "platform": "futurelearn", "credits": "3", "slt_hours": "120", "fee_rm": "650.00",
         "certificate_price_rm": "", "owner_staff_id": "S0001", "plan_phase": "phase_3", "launched_on": "2023-03-01"},
        {"course_code": "MOOC-APM-002", "title": "Malay Language for Beginners", "ptj_code": "APM",
         "mqa_category": "3", "mc_type": "mooc", "delivery_mode": "odl", "online_share_pct": "100",
         "design_option": "B1", "platform": "futurelearn", "credits": "0", "slt_hours": "12", "fee_rm": "0.00",
         "certificate_price_rm": "89.00", "owner_staff_id": "S0002", "plan_phase": "immediate",
         "launched_on": "2022-09-15"},
    ),
)

COURSE_RUNS = _csv(
    "course_runs",
    title="Course runs",
    load_mode="snapshot",
    natural_key=("run_id",),
    columns=(
        Column("run_id"),
        Column("course_code", references="courses.course_code"),
        Column("starts_on", "date", date_to="latest_planned"),
        Column("weeks", "int", min=1, max=52),
        Column("platform_run_label", required=False,
               description="The platform's name for the run; FutureLearn files are named <label>_enrolments.csv"),
    ),
    examples=(
        {"run_id": "MC-FSKTM-001-2024-1", "course_code": "MC-FSKTM-001", "starts_on": "2024-03-04",
         "weeks": "5", "platform_run_label": "data-analytics-python-3"},
        {"run_id": "MOOC-APM-002-2024-1", "course_code": "MOOC-APM-002", "starts_on": "2024-09-02",
         "weeks": "3", "platform_run_label": "malay-beginners-5"},
    ),
)

STAFF = _csv(
    "staff",
    title="Staff (HR)",
    load_mode="snapshot",
    natural_key=("staff_id",),
    columns=(
        Column("staff_id"),
        Column("staff_name", description="Shown on the workload page (staff, not learners)"),
        Column("ptj_code", references="ptj.ptj_code"),
        Column("grade", description="e.g. DS45, DS51, DS52, DS54, VK7"),
        Column("status", allowed=STAFF_STATUSES),
        Column("left_on", "date", required=False, description="Required when status is 'left'"),
    ),
    rules=(
        RowRule("status <> 'left' or left_on is not null", "a member of staff who left needs left_on",
                "left_on"),
    ),
    examples=(
        {"staff_id": "S0001", "staff_name": "Dr. Aminah Binti Yusof", "ptj_code": "FSKTM", "grade": "DS52",
         "status": "active", "left_on": ""},
        {"staff_id": "S0002", "staff_name": "Prof. Lim Wei Ming", "ptj_code": "APM", "grade": "VK7",
         "status": "left", "left_on": "2025-06-30"},
    ),
)

TEACHING = _csv(
    "teaching",
    title="Teaching assignments",
    load_mode="snapshot",
    natural_key=("staff_id", "run_id", "teaching_role"),
    columns=(
        Column("staff_id", references="staff.staff_id"),
        Column("run_id", references="course_runs.run_id"),
        Column("teaching_role", allowed=TEACHING_ROLES),
        Column("contact_hours", "decimal", min=0, max=1000),
        Column("online_hours", "decimal", min=0, max=1000),
    ),
    examples=(
        {"staff_id": "S0001", "run_id": "MC-FSKTM-001-2024-1", "teaching_role": "owner",
         "contact_hours": "14.00", "online_hours": "20.00"},
        {"staff_id": "S0002", "run_id": "MOOC-APM-002-2024-1", "teaching_role": "facilitator",
         "contact_hours": "0.00", "online_hours": "12.50"},
    ),
)

KPI_TARGETS = _csv(
    "kpi_targets",
    title="KPI targets",
    load_mode="snapshot",
    natural_key=("year", "kpi_id", "scope", "ptj_code"),
    columns=(
        Column("year", "int", min=2000, max=2100),
        Column("kpi_id", description="The id in the header of queries/kpi/<id>.sql"),
        Column("scope", allowed=TARGET_SCOPES),
        Column("ptj_code", required=False, references="ptj.ptj_code", description="Required when scope is 'ptj'"),
        Column("target_value", "decimal", min=0),
    ),
    rules=(
        RowRule("scope <> 'ptj' or ptj_code is not null", "a PTj target needs ptj_code", "ptj_code"),
    ),
    examples=(
        {"year": "2025", "kpi_id": "enrolments", "scope": "university", "ptj_code": "", "target_value": "20000"},
        {"year": "2025", "kpi_id": "net_revenue", "scope": "ptj", "ptj_code": "FSKTM",
         "target_value": "150000.00"},
    ),
)

# --- platform exports ------------------------------------------------------------------------------------

FUTURELEARN_ENROLMENTS = Contract(
    name="futurelearn_enrolments",
    title="FutureLearn enrolments (per-run export, unchanged)",
    folder="futurelearn",
    pattern="*_enrolments.csv*",
    template_name="futurelearn_enrolments.csv",
    load_mode="snapshot_per_run",
    natural_key=("learner_id",),  # unique within a run; the run comes from the file name
    description="File name <platform_run_label>_enrolments.csv; the label must be in course_runs.",
    columns=(
        Column("learner_id", pseudonymise=True),
        Column("enrolled_at", "timestamp_fl", date_from="earliest_futurelearn"),
        Column("unenrolled_at", "timestamp_fl", date_from="earliest_futurelearn", required=False),
        Column("role", allowed=("learner", "organisation_admin")),
        Column("fully_participated_at", "timestamp_fl", date_from="earliest_futurelearn", required=False),
        Column("purchased_statement_at", "timestamp_fl", date_from="earliest_futurelearn", required=False),
        Column("gender", required=False),
        Column("country", required=False),
        Column("age_range", required=False),
        Column("highest_education_level", required=False),
        Column("employment_status", required=False),
        Column("employment_area", required=False),
        Column("detected_country", required=False),
    ),
    examples=(
        {"learner_id": "0a1b2c3d-0000-4000-8000-000000000001", "enrolled_at": "2024-02-20 09:15:00 UTC",
         "unenrolled_at": "", "role": "learner", "fully_participated_at": "2024-03-30 21:02:11 UTC",
         "purchased_statement_at": "", "gender": "female", "country": "MY", "age_range": "26-35",
         "highest_education_level": "university_degree", "employment_status": "working_full_time",
         "employment_area": "it_and_information_services", "detected_country": "MY"},
        {"learner_id": "0a1b2c3d-0000-4000-8000-000000000002", "enrolled_at": "2024-02-21 13:40:05 UTC",
         "unenrolled_at": "2024-03-02 08:00:00 UTC", "role": "learner", "fully_participated_at": "",
         "purchased_statement_at": "", "gender": "Unknown", "country": "Unknown", "age_range": "Unknown",
         "highest_education_level": "Unknown", "employment_status": "Unknown", "employment_area": "Unknown",
         "detected_country": "ID"},
    ),
)

FUTURELEARN_STEP_ACTIVITY = Contract(
    name="futurelearn_step_activity",
    title="FutureLearn step activity (per-run export, unchanged)",
    folder="futurelearn",
    pattern="*_step-activity.csv*",
    template_name="futurelearn_step-activity.csv",
    load_mode="snapshot_per_run",
    natural_key=("learner_id", "step"),
    description="File name <platform_run_label>_step-activity.csv. 'step' is text: 1.1 and 1.10 differ.",
    columns=(
        Column("learner_id", pseudonymise=True),
        Column("step"),
        Column("week_number", "int", min=1, max=52),
        Column("step_number", "int", min=1, max=500),
        Column("first_visited_at", "timestamp_fl", date_from="earliest_futurelearn"),
        Column("last_completed_at", "timestamp_fl", date_from="earliest_futurelearn", required=False),
    ),
    examples=(
        {"learner_id": "0a1b2c3d-0000-4000-8000-000000000001", "step": "1.1", "week_number": "1",
         "step_number": "1", "first_visited_at": "2024-03-04 08:01:00 UTC",
         "last_completed_at": "2024-03-04 08:05:30 UTC"},
        {"learner_id": "0a1b2c3d-0000-4000-8000-000000000001", "step": "1.10", "week_number": "1",
         "step_number": "10", "first_visited_at": "2024-03-05 10:00:00 UTC", "last_completed_at": ""},
    ),
)

# FutureLearn's other per-run exports (course insights). Each contract's columns are the newest layout
# FutureLearn exports (the template); older layouts are mapped onto them by etl/sources/fl_layouts.py.
# Learner ids are pseudonymised like enrolments; learners' free text is kept as its length unless
# [insights] store_free_text allows it.

def _fl(name: str, dataset: str, title: str, columns: tuple[Column, ...], natural_key: tuple[str, ...],
        examples: tuple[dict[str, str], ...], description: str = "") -> Contract:
    return Contract(
        name=name, title=title, folder="futurelearn", pattern=f"*_{dataset}.csv*",
        template_name=f"futurelearn_{dataset}.csv", load_mode="snapshot_per_run", natural_key=natural_key,
        columns=columns, examples=examples,
        description=description or f"File name <platform_run_label>_{dataset}.csv; the label must be in course_runs.",
    )


_FL_LEARNER_1 = "0a1b2c3d-0000-4000-8000-000000000001"
_FL_LEARNER_2 = "0a1b2c3d-0000-4000-8000-000000000002"

FUTURELEARN_QUESTION_RESPONSE = _fl(
    "futurelearn_question_response", "question-response", "FutureLearn quiz answers (question-response)",
    columns=(
        # Some real exports have rows without a learner id: loaded (they count as answers), never as a learner.
        Column("learner_id", pseudonymise=True, required=False),
        Column("quiz_question", description="<week>.<step>.<question>, e.g. 2.8.1"),
        Column("question_type", required=False, description="MultipleChoice, ... (absent in the 8-column layout)"),
        Column("week_number", "int", min=1, max=52),
        Column("step_number", "int", min=1, max=500),
        Column("question_number", "int", min=1, max=500),
        Column("response", required=False, description="The option(s) chosen, e.g. 2 or 1,3"),
        Column("cloze_response", required=False),
        Column("submitted_at", "timestamp_fl"),
        Column("correct", allowed=("true", "false"), description="true/false in any case (TRUE, True ...)"),
    ),
    natural_key=(),  # a learner may answer a question many times, and FutureLearn gives no answer id
    examples=(
        {"learner_id": _FL_LEARNER_1, "quiz_question": "1.8.1", "question_type": "MultipleChoice",
         "week_number": "1", "step_number": "8", "question_number": "1", "response": "2", "cloze_response": "",
         "submitted_at": "2024-03-05 10:02:00 UTC", "correct": "false"},
        {"learner_id": _FL_LEARNER_1, "quiz_question": "1.8.1", "question_type": "MultipleChoice",
         "week_number": "1", "step_number": "8", "question_number": "1", "response": "3", "cloze_response": "",
         "submitted_at": "2024-03-05 10:03:10 UTC", "correct": "true"},
    ),
)

FUTURELEARN_COMMENTS = _fl(
    "futurelearn_comments", "comments", "FutureLearn comments",
    columns=(
        Column("id", description="Comment id"),
        Column("author_id", pseudonymise=True),
        Column("parent_id", required=False, description="The comment replied to (empty: not a reply)"),
        Column("step", description="<week>.<step>"),
        Column("week_number", "int", min=1, max=52),
        Column("step_number", "int", min=1, max=500),
        Column("text", required=False, description="Not stored unless [insights] store_free_text; its length is"),
        Column("timestamp", "timestamp_fl"),
        Column("likes", "int", required=False, min=0),
        Column("first_reported_at", "timestamp_fl", required=False),
        Column("first_reported_reason", required=False),
        Column("moderation_state", required=False),
        Column("moderated", "timestamp_fl", required=False),
        Column("text_length", "int", required=False, min=0,
               description="Characters of text (computed at load from FutureLearn's files)"),
    ),
    natural_key=("id",),
    examples=(
        {"id": "1001", "author_id": _FL_LEARNER_1, "parent_id": "", "step": "1.2", "week_number": "1",
         "step_number": "2", "text": "", "timestamp": "2024-03-04 08:10:00 UTC", "likes": "3",
         "first_reported_at": "", "first_reported_reason": "", "moderation_state": "", "moderated": "",
         "text_length": "120"},
        {"id": "1002", "author_id": _FL_LEARNER_2, "parent_id": "1001", "step": "1.2", "week_number": "1",
         "step_number": "2", "text": "", "timestamp": "2024-03-04 09:00:00 UTC", "likes": "0",
         "first_reported_at": "", "first_reported_reason": "", "moderation_state": "", "moderated": "",
         "text_length": "45"},
    ),
)

FUTURELEARN_LEAVING_SURVEY = _fl(
    "futurelearn_leaving_survey", "leaving-survey-responses", "FutureLearn leaving survey",
    columns=(
        Column("id"),
        Column("learner_id", pseudonymise=True),
        Column("left_at", "timestamp_fl"),
        Column("leaving_reason", required=False),
        Column("last_completed_step_at", "timestamp_fl", required=False),
        Column("last_completed_step", required=False),
        Column("last_completed_week_number", "int", required=False, min=1, max=52),
        Column("last_completed_step_number", "int", required=False, min=1, max=500),
    ),
    natural_key=("id",),
    examples=(
        {"id": "501", "learner_id": _FL_LEARNER_2, "left_at": "2024-03-10 12:00:00 UTC",
         "leaving_reason": "I don’t have enough time", "last_completed_step_at": "2024-03-06 08:00:00 UTC",
         "last_completed_step": "1.5", "last_completed_week_number": "1", "last_completed_step_number": "5"},
        {"id": "502", "learner_id": _FL_LEARNER_1, "left_at": "2024-03-11 12:00:00 UTC",
         "leaving_reason": "Other", "last_completed_step_at": "", "last_completed_step": "",
         "last_completed_week_number": "", "last_completed_step_number": ""},
    ),
)

FUTURELEARN_ARCHETYPE_SURVEY = _fl(
    "futurelearn_archetype_survey", "archetype-survey-responses", "FutureLearn archetype survey",
    columns=(
        Column("id"),
        Column("learner_id", pseudonymise=True),
        Column("responded_at", "timestamp_fl"),
        Column("archetype"),
    ),
    natural_key=("id",),
    examples=(
        {"id": "701", "learner_id": _FL_LEARNER_1, "responded_at": "2024-03-04 08:00:00 UTC",
         "archetype": "Vitalisers"},
        {"id": "702", "learner_id": _FL_LEARNER_2, "responded_at": "2024-03-04 09:00:00 UTC",
         "archetype": "Explorers"},
    ),
)

FUTURELEARN_SENTIMENT_SURVEY = _fl(
    "futurelearn_sentiment_survey", "weekly-sentiment-survey-responses", "FutureLearn weekly sentiment survey",
    columns=(
        Column("id"),
        Column("responded_at", "timestamp_fl"),
        Column("week_number", "int", min=1, max=52),
        Column("experience_rating", "int", min=1, max=3, description="1 bad, 2 neutral, 3 good"),
        Column("reason", required=False, description="Not stored unless [insights] store_free_text"),
        Column("reason_length", "int", required=False, min=0, description="Characters of reason (computed)"),
    ),
    natural_key=("id",),
    examples=(
        {"id": "901", "responded_at": "2024-03-08 08:00:00 UTC", "week_number": "1", "experience_rating": "3",
         "reason": "", "reason_length": "0"},
        {"id": "902", "responded_at": "2024-03-15 08:00:00 UTC", "week_number": "2", "experience_rating": "2",
         "reason": "", "reason_length": "31"},
    ),
)

_PCT = {"min": 0, "max": 100}
_VIDEO_COUNTS = ("video_duration", "total_views", "total_downloads", "total_caption_views",
                 "total_transcript_views", "viewed_hd")
_VIDEO_PCTS = tuple(
    f"viewed_{p}_percent" for p in ("five", "ten", "twentyfive", "fifty", "seventyfive", "ninetyfive", "onehundred")
) + tuple(f"{d}_device_percentage" for d in ("console", "desktop", "mobile", "tv", "tablet", "unknown")) + tuple(
    f"{r}_views_percentage"
    for r in ("europe", "oceania", "asia", "north_america", "south_america", "africa", "antarctica")
)

FUTURELEARN_VIDEO_STATS = _fl(
    "futurelearn_video_stats", "video-stats", "FutureLearn video statistics (aggregate, per video step)",
    columns=(
        Column("step_position", required=False, description="<week>.<step> (absent in the oldest layout)"),
        Column("title"),
        *(Column(n, "int", required=n != "video_duration", min=0) for n in _VIDEO_COUNTS),
        *(Column(n, "decimal", description="0-100, two decimals", **_PCT) for n in _VIDEO_PCTS),  # type: ignore[arg-type]
    ),
    natural_key=(),
    examples=tuple(
        {"step_position": pos, "title": title, "video_duration": dur, "total_views": views,
         "total_downloads": "10", "total_caption_views": "2", "total_transcript_views": "20", "viewed_hd": "9",
         **{n: v for n, v in zip(_VIDEO_PCTS[:7], pcts, strict=True)},
         **{n: "0.00" for n in _VIDEO_PCTS[7:]}}
        for pos, title, dur, views, pcts in (
            ("1.1", "Welcome to the course", "180", "400",
             ("90.00", "88.50", "85.00", "80.00", "75.00", "70.00", "60.00")),
            ("1.5", "What is a password for?", "240", "250",
             ("85.00", "80.00", "70.00", "65.00", "60.00", "55.00", "50.00")),
        )
    ),
)

FUTURELEARN_TEAM_MEMBERS = _fl(
    "futurelearn_team_members", "team-members", "FutureLearn course team (educators, mentors)",
    columns=(
        Column("id", pseudonymise=True, description="The member's FutureLearn user id (comments' author_id)"),
        Column("team_role", required=False, description="e.g. lead_educator, educator, mentor, host"),
        Column("user_role", required=False),
        Column("staff_id", required=False, references="staff.staff_id",
               description="HR staff id; FutureLearn's file has names instead, matched to staff at load"),
    ),
    natural_key=("id",),
    examples=(
        {"id": "0a1b2c3d-0000-4000-8000-0000000000e1", "team_role": "lead_educator", "user_role": "",
         "staff_id": "S0001"},
        {"id": "0a1b2c3d-0000-4000-8000-0000000000e2", "team_role": "mentor", "user_role": "", "staff_id": ""},
    ),
    description="File name <platform_run_label>_team-members.csv. Names are never stored: FutureLearn's layout "
    "(id,first_name,last_name,team_role,user_role) is matched to staff.staff_name at load.",
)

FUTURELEARN_CAMPAIGNS = _fl(
    "futurelearn_campaigns", "campaigns", "FutureLearn campaigns (enrolment sources)",
    columns=(
        Column("utm_source", required=False),
        Column("utm_campaign", required=False),
        Column("utm_medium", required=False),
        Column("domain", required=False),
        Column("enrolments", "int", min=0),
        Column("active_learners", "int", required=False, min=0),
    ),
    natural_key=(),
    examples=(
        {"utm_source": "newsletter", "utm_campaign": "march", "utm_medium": "email", "domain": "",
         "enrolments": "120", "active_learners": "80"},
        {"utm_source": "", "utm_campaign": "", "utm_medium": "", "domain": "www.futurelearn.com",
         "enrolments": "900", "active_learners": "610"},
    ),
)

FUTURELEARN_INSIGHT_CONTRACTS: tuple[Contract, ...] = (
    FUTURELEARN_QUESTION_RESPONSE,
    FUTURELEARN_COMMENTS,
    FUTURELEARN_LEAVING_SURVEY,
    FUTURELEARN_ARCHETYPE_SURVEY,
    FUTURELEARN_SENTIMENT_SURVEY,
    FUTURELEARN_VIDEO_STATS,
    FUTURELEARN_TEAM_MEMBERS,
    FUTURELEARN_CAMPAIGNS,
)

ENROLMENTS = _csv(
    "enrolments",
    title="Enrolments (OpenLearning, LMS and other platforms)",
    load_mode="append",
    natural_key=("run_id", "learner_id"),
    columns=(
        Column("run_id", references="course_runs.run_id"),
        Column("learner_id", pseudonymise=True),
        Column("enrolled_at", "timestamp"),
        Column("unenrolled_at", "timestamp", required=False),
        Column("learner_type", allowed=LEARNER_TYPES, description="internal = a registered UM student"),
        Column("country_code", required=False, description="ISO 3166-1 alpha-2; MY = Malaysian"),
        Column("age_band", required=False, allowed=("<18", "18-25", "26-35", "36-45", "46-55", "56-65", ">65")),
        Column("employment_status", required=False),
        Column("gender", required=False, allowed=("female", "male", "other")),
    ),
    rules=(
        RowRule("unenrolled_at is null or unenrolled_at >= enrolled_at",
                "unenrolled_at is before enrolled_at", "unenrolled_at"),
    ),
    examples=(
        {"run_id": "MC-FSKTM-001-2024-1", "learner_id": "S2150123", "enrolled_at": "2024-02-28 10:12:00",
         "unenrolled_at": "", "learner_type": "internal", "country_code": "MY", "age_band": "18-25",
         "employment_status": "full_time_student", "gender": "female"},
        {"run_id": "MC-FSKTM-001-2024-1", "learner_id": "ext-88412", "enrolled_at": "2024-03-01 21:45:10",
         "unenrolled_at": "", "learner_type": "external", "country_code": "ID", "age_band": "36-45",
         "employment_status": "working_full_time", "gender": "male"},
    ),
)

RESULTS = _csv(
    "results",
    title="Results and certificates",
    load_mode="append",
    natural_key=("run_id", "learner_id", "certificate_type"),
    description="One row per learner, run and certificate; a row without certificate_type records the outcome only.",
    columns=(
        Column("run_id", references="course_runs.run_id"),
        Column("learner_id", pseudonymise=True),
        Column("outcome", allowed=OUTCOMES,
               description="completed = all materials; passed = materials and assessments"),
        Column("certificate_type", required=False, allowed=CERTIFICATE_TYPES),
        Column("issued_at", "timestamp", required=False, description="Required when certificate_type is set"),
    ),
    rules=(
        RowRule("certificate_type is null or issued_at is not null", "a certificate needs issued_at",
                "issued_at"),
        RowRule("certificate_type is null or certificate_type <> 'COA' or outcome = 'passed'",
                "a Certificate of Achievement needs outcome 'passed'", "certificate_type"),
    ),
    examples=(
        {"run_id": "MC-FSKTM-001-2024-1", "learner_id": "S2150123", "outcome": "passed",
         "certificate_type": "COA", "issued_at": "2024-04-12 16:00:00"},
        {"run_id": "MC-FSKTM-001-2024-1", "learner_id": "ext-88412", "outcome": "completed",
         "certificate_type": "COC", "issued_at": "2024-04-10 09:30:00"},
    ),
)

PAYMENTS = _csv(
    "payments",
    title="Payments (finance)",
    load_mode="append",
    natural_key=("receipt_id",),
    columns=(
        Column("receipt_id", key_match="nfkc_casefold",
               description="Finance's receipt number; 'r2024-000101' and 'R2024-000101' are one receipt"),
        Column("learner_id", pseudonymise=True),
        Column("run_id", references="course_runs.run_id"),
        Column("payment_kind", allowed=PAYMENT_KINDS),
        Column("amount_rm", "decimal", min=0.01, max=100000,
               description="Positive; a refund is a positive amount with payment_kind 'refund'"),
        Column("paid_at", "timestamp"),
        Column("ptj_code", references="ptj.ptj_code", description="PTj credited with the income"),
    ),
    examples=(
        {"receipt_id": "R2024-000101", "learner_id": "ext-88412", "run_id": "MC-FSKTM-001-2024-1",
         "payment_kind": "mc_fee", "amount_rm": "650.00", "paid_at": "2024-03-01 21:50:00", "ptj_code": "FSKTM"},
        {"receipt_id": "R2024-000187", "learner_id": "ext-88412", "run_id": "MC-FSKTM-001-2024-1",
         "payment_kind": "refund", "amount_rm": "650.00", "paid_at": "2024-03-08 11:00:00", "ptj_code": "FSKTM"},
    ),
)

# --- pathways: MC programmes, badges, credit recognition and programme intake (optional sources) ---------

PROGRAMME_COURSE_ROLES = ("required", "elective")
PROGRAMME_CERTIFICATES = ("COA", "COC")
BADGE_STATES = ("pending", "accepted", "rejected", "revoked")
APPLICATION_KINDS = ("credit_transfer", "apel_c")
APPLICATION_OUTCOMES = ("approved", "rejected", "pending", "withdrawn")
BOOLEANS = ("true", "false")

# learner_id__s: the trimmed text of the id (a pseudonymised column has no typed twin to test).
_NOT_AN_EMAIL = RowRule("learner_id__s not like '%@%'", "the recipient is an e-mail address: give the learner id",
                        "learner_id")

MC_PROGRAMMES = _csv(
    "mc_programmes",
    title="MC programmes (programme-based microcredentials that stack courses)",
    load_mode="snapshot",
    natural_key=("programme_code",),
    description="One row per programme-based MC; its courses are in mc_programme_courses.",
    columns=(
        Column("programme_code"),
        Column("title_en"),
        Column("title_ms"),
        Column("ptj_code", references="ptj.ptj_code"),
        Column("mqa_category", allowed=MQA_CATEGORIES,
               description="1 = a component of an accredited programme (credit transfer, admission)"),
        Column("electives_needed", "int", min=0, max=20,
               description="Elective courses a learner must complete besides every required one"),
        Column("credits", "int", min=0, max=120),
        Column("accredited_programme", required=False,
               description="Category 1: the accredited programme it feeds (the code programme_intake uses)"),
    ),
    rules=(
        RowRule("mqa_category <> '1' or accredited_programme is not null",
                "a Category 1 MC programme needs accredited_programme", "accredited_programme"),
    ),
    examples=(
        {"programme_code": "MCP-FSKTM-DS", "title_en": "Data Science Foundations",
         "title_ms": "Asas Sains Data", "ptj_code": "FSKTM", "mqa_category": "1", "electives_needed": "1",
         "credits": "9", "accredited_programme": "MSC-DS"},
        {"programme_code": "MCP-APM-BM", "title_en": "Malay for the Workplace",
         "title_ms": "Bahasa Melayu di Tempat Kerja", "ptj_code": "APM", "mqa_category": "3",
         "electives_needed": "0", "credits": "0", "accredited_programme": ""},
    ),
)

MC_PROGRAMME_COURSES = _csv(
    "mc_programme_courses",
    title="MC programme courses (the courses each programme stacks)",
    load_mode="snapshot",
    natural_key=("programme_code", "course_code"),
    columns=(
        Column("programme_code", references="mc_programmes.programme_code"),
        Column("course_code", references="courses.course_code"),
        Column("course_role", allowed=PROGRAMME_COURSE_ROLES),
        Column("required_certificate", allowed=PROGRAMME_CERTIFICATES,
               description="The certificate the course must yield to count (COA, as the guideline asks)"),
        Column("stack_order", "int", min=1, max=50, description="The course's place in the programme (1 = first)"),
    ),
    examples=(
        {"programme_code": "MCP-FSKTM-DS", "course_code": "MC-FSKTM-001", "course_role": "required",
         "required_certificate": "COA", "stack_order": "1"},
        {"programme_code": "MCP-APM-BM", "course_code": "MOOC-APM-002", "course_role": "required",
         "required_certificate": "COA", "stack_order": "1"},
    ),
)

BADGES = _csv(
    "badges",
    title="Digital badges (Credly-style CSV export)",
    load_mode="append",
    natural_key=("badge_id",),
    description="One row per badge issued; the recipient is the learner id the university gives (never an e-mail).",
    columns=(
        Column("badge_id", key_match="nfkc_casefold", description="The badge platform's id of the issued badge"),
        Column("badge_name"),
        Column("course_code", references="courses.course_code",
               description="The course the badge template belongs to"),
        Column("learner_id", pseudonymise=True, description="The learner id the university gives (not an e-mail)"),
        Column("issued_at", "timestamp"),
        Column("accepted_at", "timestamp", required=False),
        Column("state", allowed=BADGE_STATES),
        Column("shares", "int", min=0, max=1000000, description="Times the learner shared the badge"),
        Column("views", "int", min=0, max=100000000),
    ),
    rules=(
        RowRule("state <> 'accepted' or accepted_at is not null", "an accepted badge needs accepted_at",
                "accepted_at"),
        RowRule("accepted_at is null or accepted_at >= issued_at", "accepted_at is before issued_at",
                "accepted_at"),
        _NOT_AN_EMAIL,
    ),
    examples=(
        {"badge_id": "b7e1c0de-0001", "badge_name": "Data Analytics with Python", "course_code": "MC-FSKTM-001",
         "learner_id": "S2150123", "issued_at": "2024-04-12 16:00:00", "accepted_at": "2024-04-13 09:00:00",
         "state": "accepted", "shares": "2", "views": "41"},
        {"badge_id": "b7e1c0de-0002", "badge_name": "Data Analytics with Python", "course_code": "MC-FSKTM-001",
         "learner_id": "ext-88412", "issued_at": "2024-04-12 16:00:00", "accepted_at": "", "state": "pending",
         "shares": "0", "views": "0"},
    ),
)

OPEN_BADGES = Contract(
    name="open_badges",
    title="Digital badges (Open Badges 2.0 / 3.0 assertions, JSON or JSON Lines)",
    folder="open_badges",
    pattern="*.json*",
    template_name="open_badges.jsonl",
    load_mode="append",
    natural_key=("assertion_id",),
    description="Read by etl/sources/open_badges.py: one assertion (2.0) or credential (3.0) per JSON Lines line, "
    "or a JSON array of them. The learner is the recipient identity of type 'id' (2.0) or the identifier of type "
    "'studentId' (3.0), unhashed; an e-mail recipient (hashed or not) is quarantined, never stored. The course is "
    "the badge's alignment targetCode (or the 3.0 achievement's humanCode).",
    columns=(
        Column("assertion_id"),
        Column("spec_version", allowed=("2.0", "3.0")),
        Column("badge_name"),
        Column("course_code", references="courses.course_code"),
        Column("learner_id", pseudonymise=True),
        Column("issued_at", "timestamp"),
        Column("is_revoked", allowed=BOOLEANS),
    ),
    rules=(_NOT_AN_EMAIL,),
    examples=(
        {"assertion_id": "https://badges.um.edu.my/assertions/1001", "spec_version": "2.0",
         "badge_name": "Data Analytics with Python", "course_code": "MC-FSKTM-001", "learner_id": "S2150123",
         "issued_at": "2024-04-12 16:00:00", "is_revoked": "false"},
        {"assertion_id": "urn:uuid:7f1c2a9e-0000-4000-8000-000000000002", "spec_version": "3.0",
         "badge_name": "Data Analytics with Python", "course_code": "MC-FSKTM-001", "learner_id": "ext-88412",
         "issued_at": "2024-04-12 16:00:00", "is_revoked": "true"},
    ),
)

CREDIT_APPLICATIONS = _csv(
    "credit_applications",
    title="Credit transfer and APEL C applications",
    load_mode="append",
    natural_key=("application_id",),
    columns=(
        Column("application_id", key_match="nfkc_casefold"),
        Column("learner_id", pseudonymise=True),
        Column("application_kind", allowed=APPLICATION_KINDS,
               description="credit_transfer (a credit-bearing MC) or apel_c (a stand-alone MC tendered under APEL C)"),
        Column("course_code", required=False, references="courses.course_code",
               description="The MC course tendered (or programme_code)"),
        Column("programme_code", required=False, references="mc_programmes.programme_code"),
        Column("applied_on", "date"),
        Column("decided_on", "date", required=False),
        Column("outcome", allowed=APPLICATION_OUTCOMES),
        Column("credits_granted", "int", required=False, min=0, max=120),
    ),
    rules=(
        RowRule("course_code is not null or programme_code is not null",
                "an application names course_code or programme_code", "course_code"),
        RowRule("outcome not in ('approved', 'rejected') or decided_on is not null",
                "a decided application needs decided_on", "decided_on"),
        RowRule("decided_on is null or decided_on >= applied_on", "decided_on is before applied_on", "decided_on"),
        RowRule("outcome = 'approved' or coalesce(credits_granted, 0) = 0",
                "credits are granted only to an approved application", "credits_granted"),
    ),
    examples=(
        {"application_id": "CT-2025-0001", "learner_id": "S2150123", "application_kind": "credit_transfer",
         "course_code": "", "programme_code": "MCP-FSKTM-DS", "applied_on": "2025-01-10",
         "decided_on": "2025-02-03", "outcome": "approved", "credits_granted": "9"},
        {"application_id": "APEL-2025-0002", "learner_id": "ext-88412", "application_kind": "apel_c",
         "course_code": "MOOC-APM-002", "programme_code": "", "applied_on": "2025-03-01", "decided_on": "",
         "outcome": "pending", "credits_granted": ""},
    ),
)

PROGRAMME_INTAKE = _csv(
    "programme_intake",
    title="Programme intake (learners admitted to an accredited programme)",
    load_mode="append",
    natural_key=("learner_id", "accredited_programme"),
    columns=(
        Column("learner_id", pseudonymise=True),
        Column("accredited_programme", description="The code mc_programmes.accredited_programme uses"),
        Column("intake_term", description="e.g. 2025-S2 (the semester of intake)"),
        Column("admitted_on", "date"),
        Column("tuition_fee_rm", "decimal", required=False, min=0, max=1000000,
               description="First-year tuition the admission brings"),
    ),
    examples=(
        {"learner_id": "S2150123", "accredited_programme": "MSC-DS", "intake_term": "2025-S2",
         "admitted_on": "2025-09-01", "tuition_fee_rm": "12000.00"},
        {"learner_id": "ext-88412", "accredited_programme": "MSC-DS", "intake_term": "2026-S1",
         "admitted_on": "2026-02-23", "tuition_fee_rm": ""},
    ),
)

PATHWAY_CONTRACTS: tuple[Contract, ...] = (
    MC_PROGRAMMES,
    MC_PROGRAMME_COURSES,
    BADGES,
    OPEN_BADGES,
    CREDIT_APPLICATIONS,
    PROGRAMME_INTAKE,
)

CONTRACTS: dict[str, Contract] = {
    c.name: c
    for c in (
        PTJ,
        STAFF,
        COURSES,
        COURSE_RUNS,
        TEACHING,
        KPI_TARGETS,
        FUTURELEARN_ENROLMENTS,
        FUTURELEARN_STEP_ACTIVITY,
        *FUTURELEARN_INSIGHT_CONTRACTS,
        ENROLMENTS,
        RESULTS,
        PAYMENTS,
        *PATHWAY_CONTRACTS,
    )
}
"""In load order: a source's references point only at sources before it."""

# Other FutureLearn datasets that may sit in the landing folder; recognised, listed as skipped, not loaded.
FUTURELEARN_IGNORED = (
    "peer-review-assignments",
    "peer-review-reviews",
)


def template_rows(contract: Contract) -> list[list[str]]:
    return [[ex.get(c.name, "") for c in contract.columns] for ex in contract.examples]


def open_badges_assertion(row: dict[str, str]) -> dict[str, object]:
    """An Open Badges 2.0 assertion or 3.0 credential holding one OPEN_BADGES row (the template's examples and
    the demo's export have this shape; etl/sources/open_badges.py reads it back)."""
    issued = row["issued_at"].replace(" ", "T") + "+08:00"
    if row["spec_version"] == "3.0":
        return {
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": row["assertion_id"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://badges.um.edu.my/issuer", "type": ["Profile"], "name": "Universiti Malaya"},
            "validFrom": issued,
            "name": row["badge_name"],
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [{"type": "IdentityObject", "identityType": "studentId", "hashed": False,
                                "identityHash": row["learner_id"]}],
                "achievement": {"id": f"https://badges.um.edu.my/achievements/{row['course_code']}",
                                "type": ["Achievement"], "name": row["badge_name"],
                                "humanCode": row["course_code"]},
            },
            "revoked": row["is_revoked"] == "true",
        }
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": row["assertion_id"],
        "recipient": {"type": "id", "hashed": False, "identity": row["learner_id"]},
        "badge": {"type": "BadgeClass", "id": f"https://badges.um.edu.my/badges/{row['course_code']}",
                  "name": row["badge_name"],
                  "alignment": [{"targetName": row["badge_name"], "targetCode": row["course_code"],
                                 "targetUrl": f"https://um.edu.my/courses/{row['course_code']}"}]},
        "issuedOn": issued,
        "verification": {"type": "hosted"},
        "revoked": row["is_revoked"] == "true",
    }


def template_text(contract: Contract) -> str:
    """A contract's template: CSV (header and two example rows), or JSON Lines for the Open Badges export."""
    import csv
    import io
    import json

    if contract.name == OPEN_BADGES.name:
        return "".join(json.dumps(open_badges_assertion(ex)) + "\n" for ex in contract.examples)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(contract.header)
    writer.writerows(template_rows(contract))
    return out.getvalue()


def write_templates(folder: Path) -> list[Path]:
    """Write one template per contract (CSV: header and two example rows; Open Badges: two JSON lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in CONTRACTS.values():
        path = folder / contract.template_name
        path.write_text(template_text(contract), encoding="utf-8", newline="")
        written.append(path)
    return written


@dataclass(frozen=True)
class DefaultPtj:
    ptj_code: str
    name_en: str
    name_ms: str
    kind: str


# The university's PTjs, shipped as the default PTj list (mckpi demo writes them; a real deployment's HR
# export replaces them). Codes as the university uses them.
DEFAULT_PTJS: tuple[DefaultPtj, ...] = (
    DefaultPtj("FSKTM", "Faculty of Computer Science and Information Technology",
               "Fakulti Sains Komputer dan Teknologi Maklumat", "faculty"),
    DefaultPtj("FBE", "Faculty of Business and Economics", "Fakulti Perniagaan dan Ekonomi", "faculty"),
    DefaultPtj("FEDU", "Faculty of Education", "Fakulti Pendidikan", "faculty"),
    DefaultPtj("FOM", "Faculty of Medicine", "Fakulti Perubatan", "faculty"),
    DefaultPtj("FS", "Faculty of Science", "Fakulti Sains", "faculty"),
    DefaultPtj("FK", "Faculty of Engineering", "Fakulti Kejuruteraan", "faculty"),
    DefaultPtj("FUU", "Faculty of Law", "Fakulti Undang-Undang", "faculty"),
    DefaultPtj("FASS", "Faculty of Arts and Social Sciences", "Fakulti Sastera dan Sains Sosial", "faculty"),
    DefaultPtj("FBL", "Faculty of Languages and Linguistics", "Fakulti Bahasa dan Linguistik", "faculty"),
    DefaultPtj("FAB", "Faculty of Built Environment", "Fakulti Alam Bina", "faculty"),
    DefaultPtj("FOD", "Faculty of Dentistry", "Fakulti Pergigian", "faculty"),
    DefaultPtj("FOP", "Faculty of Pharmacy", "Fakulti Farmasi", "faculty"),
    DefaultPtj("FSSS", "Faculty of Sport and Exercise Science", "Fakulti Sains Sukan dan Senaman", "faculty"),
    DefaultPtj("FCA", "Faculty of Creative Arts", "Fakulti Seni Kreatif", "faculty"),
    DefaultPtj("APIUM", "Academy of Islamic Studies", "Akademi Pengajian Islam", "academy"),
    DefaultPtj("APM", "Academy of Malay Studies", "Akademi Pengajian Melayu", "academy"),
    DefaultPtj("ADEC", "Academic Enhancement and Leadership Development Centre",
               "Pusat Pembangunan Akademik dan Kepimpinan", "centre"),
    DefaultPtj("CITRA", "Centre for the Initiation of Talent and Industrial Training",
               "Pusat Permulaan Bakat dan Latihan Industri", "centre"),
    DefaultPtj("STEM", "STEM Centre", "Pusat STEM", "centre"),
    DefaultPtj("KZI", "Kong Zi Institute", "Institut Kong Zi", "institute"),
)

REQUIRED_SOURCES: tuple[str, ...] = ("ptj", "staff", "courses", "course_runs")
"""Sources every warehouse needs (every other source names a PTj, a member of staff, a course or a run): a run that
leaves one of them empty has not done its job (etl.completeness)."""
