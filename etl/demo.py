"""Demo data generator (`mckpi demo`): a realistic, reproducible landing folder.

Writes every source of ARCHITECTURE.md's landing layout, each file valid against its contract in core/contracts.py:

    ptj/ptj.csv, staff/staff.csv, courses/courses.csv, course_runs/course_runs.csv, teaching/teaching.csv,
    kpi_targets/kpi_targets.csv                             small reference files, written with the csv module
    futurelearn/<label>_enrolments.csv                       one pair per FutureLearn run, FutureLearn's own format
    futurelearn/<label>_step-activity.csv
    enrolments/enrolments_<year>.csv                         OpenLearning and LMS runs (year enrolled)
    results/results_<year>.csv                               outcomes and certificates (year issued)
    payments/payments_<year>.csv                             fees, certificate purchases, refunds (year paid)
    payments/payments_manual_adjustments.csv                 3 deliberately bad rows (include_bad_rows=True)

Reproducible: the same arguments give byte-identical files. The small files use `random.Random(seed)`; the big
ones are generated in DuckDB from `range()` with hash-based pseudo-random numbers (`hash(row, k, seed)`), so a
value depends only on the seed and the row, never on thread scheduling, and every file is written with an
explicit total order.

Bounded memory: one row per enrolment is materialised in DuckDB (in memory, spilling to a temporary folder past
`memory_limit`); step activity, the biggest output, is produced for a batch of FutureLearn runs at a time (at
most ~200k enrolments), then copied out one run per file. Nothing big is held in Python. Measured on 2 shared
cores: 100k enrolments ~10 s and 88 MB; 1M ~35-45 s and 0.87 GB; 10M ~7.5 min, 8.7 GB, 2.3 GB peak RSS.

Shape follows the real FutureLearn exports in shared/realdata (PROVENANCE.md, EXPECTED.md): "YYYY-MM-DD HH:MM:SS UTC"
timestamps, 'Unknown' demographics for ~90% of learners, detected_country codes (and '--'), a few
organisation_admin rows per run, step labels "1.1".."3.12", a funnel where most learners stop in week 1.
Naive Malaysia time everywhere else. Nothing is dated on or after `today` (the export date).
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from core.config import Settings, load_settings
from core.contracts import CONTRACTS, DEFAULT_PTJS
from core.demo_proof import MANIFEST, sha256_file, write_manifest

DEFAULT_TODAY = date(2026, 11, 23)  # a fixed export date, so that the default demo is reproducible
BAD_ROWS_FILE = "payments/payments_manual_adjustments.csv"

_EPOCH = datetime(1970, 1, 1)
_DAY = 86_400


@dataclass
class DemoSummary:
    """What `generate` wrote: data rows per file (path relative to the landing folder)."""

    landing: Path
    seed: int
    enrolments: int  # learner-role enrolment rows over all sources
    files: dict[str, int] = field(default_factory=dict)
    bytes_written: int = 0
    seconds: float = 0.0

    @property
    def rows_by_source(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for path, rows in self.files.items():
            folder, name = path.split("/", 1)
            if folder == "futurelearn":
                folder = "futurelearn_step_activity" if name.endswith("_step-activity.csv") else (
                    "futurelearn_enrolments")
            out[folder] += rows
        return dict(sorted(out.items()))

    @property
    def total_rows(self) -> int:
        return sum(self.files.values())


def landing_is_empty(landing: Path) -> bool:
    """True when the landing folder has no data file (.csv or .csv.gz) in any source folder."""
    landing = Path(landing)
    if not landing.is_dir():
        return True
    for folder in {c.folder for c in CONTRACTS.values()}:
        sub = landing / folder
        if sub.is_dir() and any(
            p.is_file() and (p.name.endswith(".csv") or p.name.endswith(".csv.gz")) for p in sub.iterdir()
        ):
            return False
    return True


# --- reference data: PTjs, staff, courses ---------------------------------------------------------------

# (ptj, title, kind): kind pb = programme-based MC (MQA category 1), sa = stand-alone MC (category 3), mooc.
# 26 of the 43 MC courses are programme-based (60.5%), the policy's 60/40 mix.
CATALOGUE: tuple[tuple[str, str, str], ...] = (
    ("FSKTM", "Data Analytics with Python", "pb"),
    ("FSKTM", "Cloud Computing Fundamentals", "pb"),
    ("FSKTM", "Machine Learning in Practice", "pb"),
    ("FSKTM", "Cyber Security for Organisations", "sa"),
    ("FSKTM", "Introduction to Artificial Intelligence", "mooc"),
    ("FBE", "Business Analytics for Decision Making", "pb"),
    ("FBE", "Financial Accounting for Managers", "pb"),
    ("FBE", "Digital Marketing for SMEs", "sa"),
    ("FBE", "Entrepreneurship in the Digital Economy", "mooc"),
    ("FEDU", "Educational Assessment and Evaluation", "pb"),
    ("FEDU", "Inclusive Education in Practice", "pb"),
    ("FEDU", "Teaching Online: Design and Delivery", "mooc"),
    ("FOM", "Clinical Research Methods", "pb"),
    ("FOM", "Epidemiology and Biostatistics", "pb"),
    ("FOM", "Health Informatics", "pb"),
    ("FOM", "Basic Life Support for Healthcare Workers", "sa"),
    ("FOM", "Understanding Dengue: Prevention and Control", "mooc"),
    ("FS", "Environmental Data Science", "pb"),
    ("FS", "Laboratory Quality Management", "sa"),
    ("FS", "Biodiversity of Malaysian Rainforests", "mooc"),
    ("FK", "Renewable Energy Systems", "pb"),
    ("FK", "Industrial Internet of Things", "pb"),
    ("FK", "Occupational Safety and Health for Engineers", "sa"),
    ("FUU", "Malaysian Contract Law", "pb"),
    ("FUU", "Personal Data Protection in Practice", "sa"),
    ("FUU", "Understanding the Federal Constitution", "mooc"),
    ("FASS", "Social Research Methods", "pb"),
    ("FASS", "Counselling Skills for Professionals", "sa"),
    ("FASS", "Malaysian Society and Culture", "mooc"),
    ("FBL", "Academic Writing in English", "pb"),
    ("FBL", "Translation and Interpreting Basics", "sa"),
    ("FBL", "English for Workplace Communication", "mooc"),
    ("FAB", "Building Information Modelling", "pb"),
    ("FAB", "Sustainable Urban Design", "pb"),
    ("FOD", "Dental Public Health", "pb"),
    ("FOD", "Infection Control in Dental Practice", "sa"),
    ("FOP", "Pharmacovigilance and Drug Safety", "pb"),
    ("FOP", "Halal Pharmaceuticals", "sa"),
    ("FSSS", "Sports Coaching Fundamentals", "sa"),
    ("FSSS", "Exercise for Healthy Ageing", "mooc"),
    ("FCA", "Traditional Malay Music", "sa"),
    ("FCA", "Appreciating Malaysian Traditional Dance", "mooc"),
    ("APIUM", "Islamic Finance Essentials", "pb"),
    ("APIUM", "Maqasid al-Shariah in Contemporary Issues", "pb"),
    ("APIUM", "Zakat and Waqf Management", "sa"),
    ("APIUM", "Introduction to Halal Industry Management", "mooc"),
    ("APM", "Malay Language for Beginners", "mooc"),
    ("APM", "Malay Manuscript Studies", "pb"),
    ("APM", "Malay Culture and Civilisation", "mooc"),
    ("ADEC", "Teaching and Learning in Higher Education", "pb"),
    ("ADEC", "Leadership for Academic Managers", "sa"),
    ("ADEC", "Designing Effective MOOCs", "mooc"),
    ("CITRA", "Career Readiness and Employability", "sa"),
    ("CITRA", "Critical Thinking and Problem Solving", "mooc"),
    ("CITRA", "Design Thinking for Innovation", "pb"),
    ("STEM", "STEM Teaching with Everyday Materials", "mooc"),
    ("STEM", "Coding for School Teachers", "sa"),
    ("KZI", "Mandarin for Beginners", "mooc"),
    ("KZI", "Chinese Culture and Business Etiquette", "sa"),
    ("KZI", "Business Mandarin", "pb"),
)

# Relative size of each PTj's academic staff (about 120 in all); every PTj has at least 3.
_STAFF_WEIGHTS = {
    "FSKTM": 10, "FBE": 9, "FEDU": 7, "FOM": 11, "FS": 7, "FK": 8, "FUU": 5, "FASS": 6, "FBL": 6, "FAB": 4,
    "FOD": 4, "FOP": 4, "FSSS": 3, "FCA": 3, "APIUM": 8, "APM": 5, "ADEC": 6, "CITRA": 4, "STEM": 3, "KZI": 3,
}
_STAFF_TOTAL = 120
_GRADES = (("DS45", 40), ("DS51", 20), ("DS52", 20), ("DS54", 12), ("VK7", 8))

_MALAY_MALE = ("Ahmad Faizal", "Mohd Hafiz", "Muhammad Azlan", "Khairul Anuar", "Mohd Rizal", "Azman",
               "Zulkifli", "Hafizuddin", "Amirul Hakim", "Nik Mohd Azmi", "Wan Ahmad Fauzi", "Shahrul Nizam",
               "Mohd Firdaus", "Roslan", "Kamarul Zaman", "Syed Mohd Idris", "Ahmad Shukri", "Mohd Yazid")
_MALAY_FEMALE = ("Nurul Huda", "Siti Aishah", "Nor Azlina", "Aminah", "Farah Hanim", "Noraini", "Rohana",
                 "Zarina", "Haslinda", "Nur Aisyah", "Sharifah Norhayati", "Wan Nurul Izzati", "Rozita",
                 "Fatimah Zahra", "Suraya", "Norhafizah", "Siti Mariam", "Nik Rosmawati")
_MALAY_FATHER = ("Hassan", "Ismail", "Yusof", "Abdullah", "Omar", "Ibrahim", "Ahmad", "Othman", "Abdul Rahman",
                 "Abdul Hamid", "Abdul Razak", "Mohamad", "Kassim", "Salleh", "Abdul Aziz", "Mahmud", "Jaafar",
                 "Daud", "Sulaiman", "Musa")
_CHINESE_SURNAME = ("Tan", "Lim", "Lee", "Wong", "Ng", "Chan", "Ong", "Goh", "Teo", "Chong", "Yap", "Leong",
                    "Lau", "Cheah", "Koh", "Chin", "Low", "Foo")
_CHINESE_MALE = ("Wei Ming", "Kok Leong", "Chee Keong", "Boon Hock", "Kah Wai", "Chun Hao", "Kian Seng",
                 "Wai Keong", "Yong Sheng")
_CHINESE_FEMALE = ("Mei Ling", "Siew Lan", "Li Ying", "Hui Min", "Jia Hui", "Soo Fun", "Yee Ling", "Poh Choo",
                   "Sook Yee")
_INDIAN_MALE = ("Rajesh", "Suresh", "Ganesh", "Prakash", "Ravi Shankar", "Arul", "Sivakumar", "Vijay",
                "Kumaresan", "Thinesh", "Sanjay", "Muthu Kumar")
_INDIAN_FEMALE = ("Kavitha", "Priya", "Shanthi", "Malathi", "Anitha", "Sarojini", "Revathi", "Thilaga",
                  "Vasanthi", "Nalini", "Deepa", "Geetha")
_INDIAN_FATHER = ("Subramaniam", "Krishnan", "Muthusamy", "Ramasamy", "Govindasamy", "Nair", "Pillai",
                  "Raman", "Rajendran", "Murugan", "Arumugam", "Letchumanan", "Maniam", "Selvaraj")
_BORNEO_MALE = ("Jonathan anak Ngelai", "Albert Lojingki", "Felix Gimbang", "Dominic anak Empati")
_BORNEO_FEMALE = ("Magdalene anak Bujang", "Veronica Majanil", "Rosalind anak Juing", "Christina Sinsuat")

# FutureLearn demographics: codes as in the real exports.
_FL_COUNTRY_MOOC = (("MY", 44), ("ID", 10), ("IN", 6), ("GB", 4), ("NG", 4), ("PK", 4), ("SG", 3), ("BN", 2),
                    ("SA", 3), ("BD", 2.5), ("EG", 2), ("US", 3), ("PH", 2), ("TH", 1.5), ("CN", 1.5),
                    ("AU", 1), ("AE", 1), ("KE", 1), ("TR", 1), ("--", 2.5))
_FL_COUNTRY_MC = (("MY", 78), ("ID", 5), ("SG", 3), ("BN", 3), ("IN", 2), ("PK", 1.5), ("NG", 1.5),
                  ("BD", 1.5), ("GB", 1), ("CN", 1), ("--", 2.5))
_FL_GENDER = (("female", 52), ("male", 46), ("other", 1), ("nonbinary", 1))
_FL_AGE = (("<18", 3), ("18-25", 27), ("26-35", 28), ("36-45", 20), ("46-55", 12), ("56-65", 7), (">65", 3))
_FL_EDU = (("university_degree", 42), ("university_masters", 20), ("secondary", 12), ("tertiary", 10),
           ("professional", 7), ("university_doctorate", 4), ("less_than_secondary", 3), ("apprenticeship", 2))
_FL_EMP = (("working_full_time", 38), ("full_time_student", 20), ("self_employed", 10), ("working_part_time", 9),
           ("looking_for_work", 9), ("not_working", 5), ("retired", 5), ("unemployed", 4))
_FL_AREA = (("teaching_and_education", 20), ("it_and_information_services", 16), ("health_and_social_care", 10),
            ("accountancy_banking_and_finance", 8), ("engineering_and_manufacturing", 8),
            ("business_consulting_and_management", 8), ("public_sector", 7), ("retail_and_sales", 5),
            ("marketing_advertising_and_pr", 5), ("science_and_pharmaceuticals", 4), ("media_and_publishing", 3),
            ("hospitality_tourism_and_sport", 3), ("creative_arts_and_culture", 3))
# OpenLearning / LMS enrolments (enrolments contract).
_COUNTRY_INTERNAL = (("MY", 93), ("ID", 2), ("CN", 1.5), ("BD", 1), ("PK", 1), ("NG", 0.5), ("YE", 0.5),
                     ("IQ", 0.5))
_COUNTRY_EXTERNAL = (("MY", 63), ("ID", 8), ("SG", 3), ("BN", 3), ("IN", 3), ("PK", 2), ("NG", 2), ("BD", 2),
                     ("CN", 2), ("TH", 1.5), ("PH", 1.5), ("", 4))
_AGE_INTERNAL = (("18-25", 85), ("26-35", 12), ("36-45", 3))
_AGE_EXTERNAL = (("<18", 1), ("18-25", 12), ("26-35", 35), ("36-45", 28), ("46-55", 15), ("56-65", 7),
                 (">65", 2))
_EMP_EXTERNAL = (("working_full_time", 55), ("working_part_time", 8), ("self_employed", 12),
                 ("looking_for_work", 8), ("full_time_student", 7), ("retired", 4), ("not_working", 3), ("", 3))
_GENDER = (("female", 54), ("male", 44), ("other", 0.5), ("", 1.5))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...] | tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _epoch(d: date, hour: int = 0) -> int:
    """Seconds since 1970-01-01 of a naive (Malaysia) date and hour."""
    return int((datetime(d.year, d.month, d.day, hour) - _EPOCH).total_seconds())


def _money(x: Decimal | None) -> str:
    return "" if x is None else f"{x:.2f}"


@dataclass
class _Staff:
    staff_id: str
    name: str
    ptj: str
    grade: str
    left_on: date | None = None


@dataclass
class _Course:
    idx: int
    code: str
    title: str
    ptj: str
    kind: str  # pb | sa | mooc
    mqa: int
    mc_type: str
    mode: str
    online: int
    design: str
    platform: str
    credits: int
    slt: int
    fee: Decimal
    cert_price: Decimal | None
    owner: str
    phase: str
    launched: date
    weeks: int
    steps_per_week: list[int]
    programme: int | None
    popularity: float

    @property
    def is_fl(self) -> bool:
        return self.platform == "futurelearn"

    @property
    def steps(self) -> int:
        return sum(self.steps_per_week)


@dataclass
class _Run:
    idx: int
    run_id: str
    course: _Course
    starts: date
    label: str
    n: int = 0
    off: int = 0
    n_fresh: int = 0
    partners: list[_Run] = field(default_factory=list)
    admins: int = 0

    @property
    def ends(self) -> date:  # inclusive, as dim_course_run.ends_on
        return self.starts + timedelta(days=7 * self.course.weeks - 1)


def _make_staff(rng: random.Random) -> list[_Staff]:
    total_w = sum(_STAFF_WEIGHTS.values())
    counts = {p: max(3, round(_STAFF_TOTAL * w / total_w)) for p, w in _STAFF_WEIGHTS.items()}
    staff: list[_Staff] = []
    used: set[str] = set()
    for ptj in (p.ptj_code for p in DEFAULT_PTJS):
        for _ in range(counts.get(ptj, 3)):
            grade = _pick(rng, _GRADES)
            while True:
                name = _staff_name(rng, grade, ptj)
                if name not in used:
                    used.add(name)
                    break
            staff.append(_Staff(f"S{len(staff) + 1:04d}", name, ptj, grade))
    return staff


def _staff_name(rng: random.Random, grade: str, ptj: str) -> str:
    community = rng.choices(("malay", "chinese", "indian", "borneo"), weights=(55, 25, 15, 5))[0]
    female = rng.random() < 0.5
    if community == "malay":
        given = rng.choice(_MALAY_FEMALE if female else _MALAY_MALE)
        name = f"{given} {'binti' if female else 'bin'} {rng.choice(_MALAY_FATHER)}"
    elif community == "chinese":
        name = f"{rng.choice(_CHINESE_SURNAME)} {rng.choice(_CHINESE_FEMALE if female else _CHINESE_MALE)}"
    elif community == "indian":
        given = rng.choice(_INDIAN_FEMALE if female else _INDIAN_MALE)
        name = f"{given} {'a/p' if female else 'a/l'} {rng.choice(_INDIAN_FATHER)}"
    else:
        name = rng.choice(_BORNEO_FEMALE if female else _BORNEO_MALE)
    if grade == "VK7":
        title = rng.choice(("Prof. Dr.", "Prof. Dr.", "Prof. Datuk Dr."))
    elif grade == "DS54":
        title = "Prof. Dr."
    elif grade in ("DS51", "DS52"):
        title = "Assoc. Prof. Ir. Dr." if ptj == "FK" and rng.random() < 0.4 else "Assoc. Prof. Dr."
    elif ptj == "FK" and rng.random() < 0.3:
        title = "Ir. Dr."
    elif ptj in ("FSKTM", "FK") and rng.random() < 0.2:
        title = "Ts. Dr."
    else:
        title = "Dr." if rng.random() < 0.85 else ("Ms." if female else "Mr.")
    return f"{title} {name}"


def _make_courses(rng: random.Random, staff: list[_Staff], settings: Settings, start_year: int,
                  end_year: int, today: date) -> list[_Course]:
    policy = settings.policy
    fee_steps = [policy.mc_fee_min_rm + Decimal(50) * i
                 for i in range(int((policy.mc_fee_max_rm - policy.mc_fee_min_rm) / 50) + 1)]
    by_ptj: dict[str, list[_Staff]] = defaultdict(list)
    for s in staff:
        by_ptj[s.ptj].append(s)
    # One programme (a stack of programme-based MCs, for the MMS) per PTj with two or more; same platform.
    pb_count: dict[str, int] = defaultdict(int)
    for ptj, _title, kind in CATALOGUE:
        if kind == "pb":
            pb_count[ptj] += 1
    programme_of = {ptj: i for i, ptj in enumerate(sorted(p for p, n in pb_count.items() if n >= 2))}
    programme_platform = {i: rng.choices(("futurelearn", "openlearning", "lms"), weights=(65, 20, 15))[0]
                          for i in programme_of.values()}
    years = list(range(start_year, end_year + 1))
    launch_weights = [5.0] + [1.6] * (len(years) - 1)
    # MOOCs are FutureLearn's, except two on OpenLearning
    openlearning_moocs = set(rng.sample([i for i, (_p, _t, kind) in enumerate(CATALOGUE) if kind == "mooc"], k=2))
    numbers: dict[tuple[str, str], int] = defaultdict(int)
    courses: list[_Course] = []
    for idx, (ptj, title, kind) in enumerate(CATALOGUE):
        programme = programme_of.get(ptj) if kind == "pb" else None
        if kind == "pb":
            mqa, mc_type, credits = 1, "programme_based", rng.choice((1, 2, 3, 3, 4))
            slt = 40 * credits
            design = rng.choices(("A", "B1", "B2"), weights=(50, 25, 25))[0]
            if design == "A":
                mode, online, weeks = "blended", rng.choice((35, 35, 36, 40)), 5
            else:
                mode, online, weeks = "odl", (100 if design == "B1" else rng.choice((80, 90, 100))), (
                    14 if design == "B1" else 7)
            platform = programme_platform[programme] if programme is not None else rng.choices(
                ("futurelearn", "openlearning", "lms"), weights=(65, 20, 15))[0]
            fee = rng.choice(fee_steps[1:] or fee_steps)
            cert_price = None
            phase = rng.choices(("phase_3", "phase_2"), weights=(60, 40))[0]
        elif kind == "sa":
            mqa, mc_type, credits = 3, "stand_alone", 0
            mode = rng.choices(("conventional", "blended", "odl"), weights=(40, 30, 30))[0]
            if mode == "conventional":
                online, design, weeks = rng.choice((0, 10, 20, 25)), "none", rng.choice((1, 1, 2))
                slt = rng.choice((4, 8, 16, 24, 40)) if weeks == 1 else rng.choice((24, 40))
                platform = rng.choices(("lms", "other"), weights=(80, 20))[0]
            elif mode == "blended":
                online, design, weeks = rng.choice((30, 35, 40, 50)), "A", 4
                slt = rng.choice((24, 40, 60))
                platform = rng.choices(("lms", "openlearning", "futurelearn"), weights=(40, 30, 30))[0]
            else:
                online, design, weeks = rng.choice((70, 80, 100)), rng.choice(("B1", "none")), rng.choice((3, 4))
                slt = rng.choice((12, 20, 30, 40))
                platform = rng.choices(("futurelearn", "openlearning"), weights=(70, 30))[0]
            fee = rng.choice(fee_steps[:-1] or fee_steps)
            cert_price = None
            phase = rng.choices(("phase_2", "immediate"), weights=(50, 50))[0]
        else:
            mc_type, mode, online, credits = "mooc", "odl", 100, 0
            design = rng.choices(("B1", "B2", "none"), weights=(35, 25, 40))[0]
            mqa = 1 if design in ("B1", "B2") else 3  # a B1/B2 MOOC covers a residential course
            weeks = rng.choice((2, 3, 3, 4, 4, 5, 6))
            slt = weeks * rng.choice((3, 4, 5))
            platform = "openlearning" if idx in openlearning_moocs else "futurelearn"
            fee, cert_price = Decimal("0.00"), Decimal(rng.choice((59, 79, 89, 99, 119, 149)))
            phase = rng.choices(("immediate", "phase_2"), weights=(60, 40))[0]
        slt = max(policy.mc_slt_hours_min, min(policy.mc_slt_hours_max, slt)) if kind != "mooc" else slt
        # FutureLearn steps per week: MOOCs are dense (the real cyber-security course has ~20 a week); MCs spread
        # fewer steps over more weeks, the rest of their learning time is assessed work and live sessions
        if kind == "mooc":
            spw = [rng.randint(8, 14) if weeks <= 4 else rng.randint(6, 10) for _ in range(weeks)]
        elif weeks <= 4:
            spw = [rng.randint(6, 10) for _ in range(weeks)]
        elif weeks <= 7:
            spw = [rng.randint(4, 7) for _ in range(weeks)]
        else:
            spw = [rng.randint(2, 4) for _ in range(weeks)]
        launch_year = rng.choices(years, weights=launch_weights)[0]
        latest = min(date(launch_year, 12, 31), today - timedelta(days=60)) if launch_year == today.year else (
            date(launch_year, 12, 31))
        earliest = date(launch_year, 1, 5)
        launched = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        prefix = "MOOC" if kind == "mooc" else "MC"
        numbers[(prefix, ptj)] += 1
        code = f"{prefix}-{ptj}-{numbers[(prefix, ptj)]:03d}"
        owners = [s for s in by_ptj[ptj] if s.grade != "VK7"] or by_ptj[ptj]
        courses.append(_Course(
            idx=idx, code=code, title=title, ptj=ptj, kind=kind, mqa=mqa, mc_type=mc_type, mode=mode,
            online=online, design=design, platform=platform, credits=credits, slt=slt, fee=fee,
            cert_price=cert_price, owner=rng.choice(owners).staff_id, phase=phase, launched=launched, weeks=weeks,
            steps_per_week=spw if platform == "futurelearn" else [], programme=programme,
            popularity=math.exp(rng.gauss(0, 0.6)),
        ))
    return courses


def _monday_on_or_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _make_runs(rng: random.Random, courses: list[_Course], end_year: int, today: date,
               must_have_future: set[int]) -> list[_Run]:
    planned: list[tuple[date, _Course]] = []
    for c in courses:
        shift = rng.choice((0, 1))
        per_year = {"mooc": (2, 3, 3), "pb": (1, 2, 2), "sa": (1, 2, 2, 3) if c.mode == "conventional" else (1, 2)}
        for year in range(c.launched.year, end_year + 1):
            count = rng.choice(per_year[c.kind])
            months = {1: [rng.choice((3, 4, 9, 10))], 2: [3 + shift, 9 + shift], 3: [2 + shift, 6 + shift, 10 + shift]}[
                count]
            if c.weeks >= 14:  # a semester-long course starts with the semester
                months = [2, 9][:count] if count < 3 else [2, 9]
            starts = [_monday_on_or_after(date(year, m, 1 + 7 * rng.randint(0, 2))) for m in months]
            if year == today.year and rng.random() < 0.3:
                starts.append(_monday_on_or_after(date(year, 12, 1 + 7 * rng.randint(0, 1))))
            for s in starts:
                if s >= c.launched and s.year <= end_year:
                    planned.append((s, c))
        if c.idx in must_have_future and not any(s > today and cc is c for s, cc in planned):
            planned.append((_monday_on_or_after(today + timedelta(days=7)), c))
    planned.sort(key=lambda p: (p[1].idx, p[0]))
    runs: list[_Run] = []
    seq: dict[int, int] = defaultdict(int)
    per_year: dict[tuple[int, int], int] = defaultdict(int)
    for s, c in planned:
        seq[c.idx] += 1
        per_year[(c.idx, s.year)] += 1
        label = f"{_slug(c.title)}-{seq[c.idx]}" if c.is_fl else ""
        runs.append(_Run(idx=len(runs), run_id=f"{c.code}-{s.year}-{per_year[(c.idx, s.year)]}", course=c,
                         starts=s, label=label, admins=rng.randint(2, 4) if c.is_fl else 0))
    return runs


# --- enrolment plan: how many learners per run, who repeats ----------------------------------------------

_TAIL_SHARE = {"fl_mooc": 0.07, "fl_mc": 0.12, "ent": 0.12, "programme": 0.45}


def _window(run: _Run) -> tuple[date, date]:
    """Enrolment window: MOOCs open 8 weeks before the start and stay open 3 weeks after the end."""
    if run.course.kind == "mooc":
        return run.starts - timedelta(days=56), run.ends + timedelta(days=21)
    return run.starts - timedelta(days=42), run.starts + timedelta(days=7)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder; ties to the lower index)."""
    wsum = sum(weights)
    if total <= 0 or wsum <= 0:
        return [0] * len(weights)
    exact = [total * w / wsum for w in weights]
    counts = [math.floor(x) for x in exact]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


def _plan_enrolments(runs: list[_Run], total: int, start_year: int, today: date) -> None:
    cutoff = today - timedelta(days=1)
    weights = []
    for r in runs:
        c = r.course
        opens, closes = _window(r)
        span = (closes - opens).days
        elapsed = min(1.0, max(0.0, (min(closes, cutoff) - opens).days / span))
        if (min(closes, cutoff) - opens).days < 2:
            elapsed = 0.0
        base = 40.0 if c.kind == "mooc" else (4.0 if c.mode == "conventional" else 6.0)
        growth = 0.7 + 0.12 * (r.starts.year - start_year)
        weights.append(base * c.popularity * max(0.3, growth) * elapsed)
    for r, n in zip(runs, _allocate(total, weights), strict=True):
        r.n = n
    offset = 0
    for r in runs:
        r.off = offset
        offset += r.n
    # Repeat learners: the last `tail share` of a run's learners may be learners of up to three partner runs
    # (earlier runs on the same kind of platform; for a programme, the sibling courses' runs). They map to the
    # partner's first ("fresh") learners, so a learner id never repeats within a run.
    by_domain: dict[str, list[_Run]] = defaultdict(list)
    for r in sorted(runs, key=lambda r: (r.starts, r.idx)):
        by_domain["fl" if r.course.is_fl else "ent"].append(r)
    for domain_runs in by_domain.values():
        for pos, r in enumerate(domain_runs):
            c = r.course
            siblings = []
            if c.programme is not None:
                latest: dict[int, _Run] = {}
                for other in domain_runs:
                    oc = other.course
                    if oc.programme == c.programme and oc.idx != c.idx and other.starts <= r.starts + timedelta(
                            days=30) and other.n > 0:
                        latest[oc.idx] = other
                siblings = [latest[k] for k in sorted(latest)][:3]
            if siblings:
                r.partners, share = siblings, _TAIL_SHARE["programme"]
            else:
                r.partners = [o for o in domain_runs[max(0, pos - 6):pos] if o.n > 0][-3:]
                share = _TAIL_SHARE["ent"] if not c.is_fl else (
                    _TAIL_SHARE["fl_mooc"] if c.kind == "mooc" else _TAIL_SHARE["fl_mc"])
            r.n_fresh = r.n - math.floor(r.n * share) if r.partners else r.n


# --- SQL: pseudo-random helpers and weighted pickers (macros built from the tables above) ---------------

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

# One row per learner-role enrolment (all sources), with everything the output files derive from it.
# Times are seconds in naive Malaysia time; `getvariable('cutoff')` is the export moment (today 00:00), nothing
# may happen at or after it. FutureLearn runs: k_eff steps visited (a prefix of the course's steps), c of them
# completed; the completed ones are positions i with (i * m + offc) % k_eff < c (m coprime with k_eff).
_ENROL_SQL = """
create table enrol as
with b as (
    select b.e, b.j, r.*
    from base as b
    join runs as r using (run_idx)
),

who as (
    select
        *,
        case when np > 0 then floor(u(e, 1) * np)::int + 1 else 1 end as pk,
    from b
),

who2 as (  -- lb: the row whose learner this is (this row, or a fresh learner of a partner run)
    select
        *,
        np > 0 and j >= n_fresh and (j - n_fresh) < p_fresh[pk] as is_repeat,
    from who
),

who3 as (
    select
        *,
        case when is_repeat then p_off[pk] + (j - n_fresh) else e end as lb,
        case when is_repeat then p_year[pk] else start_year end as lb_year,
    from who2
),

learner as (
    select
        *,
        (not is_fl) and u(lb, 2) < 0.30 as is_internal,
        u(lb, 4) < 0.10 as has_profile,
        u(e, 5) as u_enrol,
        u(e, 6) < unenrol_p as is_unenrolled,
        is_fl and u(e, 7) < visit_p as has_visited,
        u(e, 8) < finish_p as is_finisher,
        u(e, 9) as u_depth,
        u(e, 10) as u_depth_unenrolled,
        u(e, 13) as u_rate,
        u(e, 14) < 0.35 as completes_none,
        u(e, 18) as z,
        case when is_fl then md5(getvariable('seed')::varchar || '-' || lb::varchar) end as uuid_hex,
    from who3
),

times as (
    select
        *,
        case
            when is_fl then  -- a version 4 UUID, as FutureLearn's
                substr(uuid_hex, 1, 8) || '-' || substr(uuid_hex, 9, 4) || '-4' || substr(uuid_hex, 14, 3) || '-'
                || substr('89ab', (hash(lb, getvariable('seed')) % 4)::int + 1, 1)
                || substr(uuid_hex, 18, 3) || '-' || substr(uuid_hex, 21, 12)
            when is_internal then  -- matric number: S, intake year (up to 3 years before), 5 digits
                printf('S%02d%05d', lb_year - 2000 - floor(u(lb, 3) * 4)::int,
                    (lb * 7919 + 1234) % getvariable('matric_mod'))
            else printf('ext-%06d', (lb * 104729 + 4242) % getvariable('id_mod'))
        end as learner_id,
        open_s + floor((close_s - open_s) * pow(u_enrol, 1.4))::bigint as enrolled_s,
        case
            when not has_visited then 0
            when is_unenrolled then least(steps, floor(u_depth_unenrolled * 4)::int)
            when is_finisher then steps - floor(u_depth * 0.1 * steps)::int
            else greatest(1, ceil(steps * pow(u_depth, 5))::int)
        end as k_raw,
        greatest(60, floor(weeks * 604800 * (0.3 + 1.2 * u(e, 11)) / greatest(steps, 1))::bigint) as pace,
    from learner
),

first_visits as (
    select
        *,
        greatest(enrolled_s, starts_s) + floor(u(e, 12) * u(e, 12) * 172800)::bigint as t0,
    from times
),

visits as (
    select
        *,
        least(
            k_raw,
            greatest(0, floor((getvariable('cutoff') - 86400 - t0 - pace // 2 - 20005) / pace)::bigint + 1)
        )::int as k_eff,
    from first_visits
),

done as (
    select
        *,
        case
            when k_eff = 0 or (completes_none and not is_finisher) then 0
            when is_finisher then least(k_eff, round(k_eff * (0.97 + 0.03 * u_rate))::int)
            else least(k_eff, greatest(1, round(k_eff * (0.55 + 0.45 * u_rate))::int))
        end as c,
        case when gcd(k_eff, 7) = 1 then 7 when gcd(k_eff, 11) = 1 then 11 else 13 end as m,
        floor(u(e, 15) * k_eff)::int as offc,
    from visits
),

flags as (
    select
        *,
        steps > 0 and c * 2 > steps as is_fully_participated,
        steps > 0 and c * 10 >= steps * 9 as has_completed_90pct,
        case when k_eff > 0 then t0 + (k_eff - 1) * pace + pace // 2 + 20005 else enrolled_s end as last_active_s,
        case
            when not is_mooc then false
            when is_fl then u(e, 17) < case when is_finisher and has_visited then 0.15 else 0.012 end
            else u(e, 17) < case when z < 0.15 then 0.30 else 0.01 end
        end as has_purchased,
    from done
),

outcomes as (
    select
        *,
        case
            when is_fully_participated
                then t0 + least(k_eff - 1, ceil((steps // 2 + 1) * k_eff / c)::int - 1) * pace + pace // 2 + 600
        end as fp_s,
        case
            when is_unenrolled then between_s(
                greatest(enrolled_s, last_active_s),
                least(greatest(enrolled_s, last_active_s) + 60 * 86400, getvariable('cutoff') - 1),
                u(e, 16))
        end as unenrolled_s,
        case
            when has_purchased then between_s(
                enrolled_s, least(greatest(ends_s + 30 * 86400, enrolled_s + 86400), getvariable('cutoff') - 1),
                u(e, 19))
        end as purchase_s,
        case
            -- MCs: every learner gets an outcome
            when not is_mooc and is_unenrolled then 'withdrawn'
            when not is_mooc and is_fl then case
                when has_completed_90pct then case when u(e, 20) < 0.9 then 'passed' else 'completed' end
                when k_eff > 0 then 'failed'
                else 'withdrawn'
            end
            when not is_mooc then case
                when z < 0.70 then 'passed' when z < 0.80 then 'completed' when z < 0.94 then 'failed'
                else 'withdrawn'
            end
            -- MOOCs: only learners who got to the end
            when is_unenrolled then null
            when is_fl and has_completed_90pct then
                case when has_purchased and u(e, 20) < 0.85 then 'passed' else 'completed' end
            when not is_fl and z < 0.12 then case when has_purchased and z < 0.09 then 'passed' else 'completed' end
        end as outcome,
        ends_s + 3 * 86400 + floor(u(e, 21) * 18 * 86400)::bigint as result_s,
        case when not is_mooc then between_s(enrolled_s, least(enrolled_s + 3 * 86400, getvariable('cutoff') - 1),
            u(e, 22)) end as fee_paid_s,
    from flags
)

select
    run_idx, e, j, course_idx, programme_id, is_fl, is_mooc, start_year,
    learner_id, enrolled_s, unenrolled_s,
    case when is_internal then 'internal' else 'external' end as learner_type,
    case
        when is_fl then case when has_profile then fl_gender(u(lb, 5)) else 'Unknown' end
        else gender_any(u(lb, 5))
    end as gender,
    case
        when is_fl then case
            when not has_profile then 'Unknown'
            when u(lb, 11) < 0.9 then
                case when is_mooc then fl_country_mooc(u(lb, 6)) else fl_country_mc(u(lb, 6)) end
            else fl_country_mooc(u(lb, 10))
        end
        when is_internal then country_internal(u(lb, 6))
        else country_external(u(lb, 6))
    end as country,
    case
        when is_fl then case when is_mooc then fl_country_mooc(u(lb, 6)) else fl_country_mc(u(lb, 6)) end
    end as detected_country,
    case
        when is_fl then case when has_profile then fl_age(u(lb, 7)) else 'Unknown' end
        when is_internal then age_internal(u(lb, 7))
        else age_external(u(lb, 7))
    end as age,
    case when is_fl then case when has_profile then fl_edu(u(lb, 8)) else 'Unknown' end end as education,
    case
        when is_fl then case when has_profile then fl_emp(u(lb, 9)) else 'Unknown' end
        when is_internal then 'full_time_student'
        else emp_external(u(lb, 9))
    end as employment_status,
    case when is_fl then case when has_profile then fl_area(u(lb, 12)) else 'Unknown' end end as employment_area,
    steps, k_eff, c, m, offc, t0, pace, fp_s, purchase_s,
    outcome,
    case when outcome is not null and result_s < getvariable('cutoff') then result_s end as result_s,
    fee_paid_s,
    case when not is_mooc and is_unenrolled and u(e, 23) < 0.55 then between_s(
        unenrolled_s, least(unenrolled_s + 14 * 86400, getvariable('cutoff') - 1), u(e, 24)) end as refund_s,
    case when u(e, 25) < 0.7 then fee else round(fee / 2, 2)::decimal(12, 2) end as refund_rm,
    fee, cert_price,
from outcomes
"""

# FutureLearn files are written a batch of runs at a time: the batch's rows in file order in a temp table,
# then one `copy` per run (a filtered scan keeps insertion order). Memory is bounded by the batch's size.
_FL_ENROLMENTS_BATCH_SQL = """
create or replace temp table fl_enrolments_batch as
select
    run_idx,
    learner_id,
    strftime(ts_fl(enrolled_s), '%Y-%m-%d %H:%M:%S UTC') as enrolled_at,
    strftime(ts_fl(unenrolled_s), '%Y-%m-%d %H:%M:%S UTC') as unenrolled_at,
    'learner' as role,
    strftime(ts_fl(fp_s), '%Y-%m-%d %H:%M:%S UTC') as fully_participated_at,
    strftime(ts_fl(purchase_s), '%Y-%m-%d %H:%M:%S UTC') as purchased_statement_at,
    gender,
    country,
    age as age_range,
    education as highest_education_level,
    employment_status,
    employment_area,
    detected_country,
from enrol
where is_fl and run_idx between $first_run and $last_run
union all
select
    run_idx,
    learner_id,
    strftime(ts_fl(enrolled_s), '%Y-%m-%d %H:%M:%S UTC'),
    null, 'organisation_admin', null, null,
    'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'MY',
from admins
where run_idx between $first_run and $last_run
order by run_idx, learner_id
"""

_FL_ENROLMENTS_SQL = """
copy (
    select * exclude (run_idx) from fl_enrolments_batch where run_idx = $run
) to $path (format csv, header, delimiter ',')
"""

_FL_STEPS_BATCH_SQL = """
create or replace temp table fl_steps_batch as
with learners as (
    select run_idx, e, learner_id, course_idx, k_eff, c, m, offc, t0, pace, unnest(range(k_eff)) as i,
    from enrol
    where is_fl and run_idx between $first_run and $last_run and k_eff > 0
),

visits as (
    select
        l.run_idx,
        l.learner_id,
        s.step,
        s.week_number,
        s.step_number,
        l.t0 + l.i * l.pace + floor(u3(l.e, l.i, 31) * (l.pace // 2))::bigint as visited_s,
        (l.i * l.m + l.offc) % l.k_eff < l.c as is_completed,
        5 + floor(20000 * pow(u3(l.e, l.i, 32), 7))::bigint as seconds_on_step,
    from learners as l
    join steps as s on s.course_idx = l.course_idx and s.i = l.i
),

previews as (  -- the course team looks at every step before the run starts
    select
        a.run_idx, a.learner_id, s.step, s.week_number, s.step_number,
        a.enrolled_s + 3600 + s.i * 120 as visited_s,
        true as is_completed,
        60 as seconds_on_step,
    from admins as a
    join steps as s on s.course_idx = a.course_idx
    where a.run_idx between $first_run and $last_run and a.previews
)

select
    run_idx,
    learner_id,
    step,
    week_number,
    step_number,
    strftime(ts_fl(visited_s), '%Y-%m-%d %H:%M:%S UTC') as first_visited_at,
    case
        when is_completed then strftime(ts_fl(visited_s + seconds_on_step), '%Y-%m-%d %H:%M:%S UTC')
    end as last_completed_at,
from (select * from visits union all select * from previews)
order by run_idx, week_number, step_number, visited_s, learner_id
"""

_FL_STEPS_SQL = """
copy (
    select * exclude (run_idx) from fl_steps_batch where run_idx = $run
) to $path (format csv, header, delimiter ',')
"""

_ENROLMENTS_SQL = """
copy (
select
    r.run_id,
    e.learner_id,
    strftime(ts(e.enrolled_s), '%Y-%m-%d %H:%M:%S') as enrolled_at,
    strftime(ts(e.unenrolled_s), '%Y-%m-%d %H:%M:%S') as unenrolled_at,
    e.learner_type,
    e.country as country_code,
    e.age as age_band,
    e.employment_status,
    e.gender,
from enrol as e
join runs as r using (run_idx)
where not e.is_fl and year(ts(e.enrolled_s)) = $year
order by e.enrolled_s, r.run_id, e.learner_id
) to $path (format csv, header, delimiter ',')
"""

# All result rows (outcomes and certificates); MMS for learners who passed every course of a programme.
_RESULTS_SQL = """
create table results as
with certificates as (
    select
        run_idx, e, learner_id, programme_id, course_idx, outcome, result_s,
        unnest(case
            when outcome = 'passed' and not is_mooc then ['COA', 'badge']
            when outcome = 'passed' then ['COA']
            when outcome = 'completed' and (not is_mooc or purchase_s is not null) then ['COC']
            else [null]
        end) as certificate_type,
    from enrol
    where result_s is not null
),

passed as (
    select learner_id, programme_id, course_idx, max(result_s * 100000 + run_idx) as last_key,
    from enrol
    where outcome = 'passed' and result_s is not null and programme_id is not null
    group by all
),

mms as (
    select
        (max(p.last_key) % 100000)::int as run_idx,
        -1 as e,
        p.learner_id,
        p.programme_id,
        null as course_idx,
        'passed' as outcome,
        max(p.last_key) // 100000 + 7 * 86400 as result_s,
        'MMS' as certificate_type,
    from passed as p
    join programmes as g using (programme_id)
    group by p.learner_id, p.programme_id, g.course_count
    having count(*) = g.course_count
)

select
    *,
    year(ts(case when certificate_type = 'badge' then result_s + 3600 else result_s end)) as year,
from (select * from certificates union all select * from mms where result_s < getvariable('cutoff'))
"""

_RESULTS_YEAR_SQL = """
copy (
select
    r.run_id,
    x.learner_id,
    x.outcome,
    x.certificate_type,
    case
        when x.certificate_type is not null then strftime(
            ts(case when x.certificate_type = 'badge' then x.result_s + 3600 else x.result_s end),
            '%Y-%m-%d %H:%M:%S')
    end as issued_at,
from results as x
join runs as r using (run_idx)
where x.year = $year
order by x.result_s, r.run_id, x.learner_id, x.certificate_type nulls first
) to $path (format csv, header, delimiter ',')
"""

_PAYMENTS_SQL = """
create table payments as
with all_payments as (
    select run_idx, e, learner_id, 1 as kind_order, 'mc_fee' as payment_kind, fee as amount_rm,
        fee_paid_s as paid_s,
    from enrol
    where fee_paid_s is not null
    union all
    select run_idx, e, learner_id, 2, 'certificate', cert_price, purchase_s,
    from enrol
    where purchase_s is not null
    union all
    select run_idx, e, learner_id, 3, 'refund', refund_rm, refund_s,
    from enrol
    where refund_s is not null
)

select *, year(ts(paid_s)) as year,
from all_payments
"""

_PAYMENTS_YEAR_SQL = """
copy (
select
    printf('R%d-%06d', $year, row_number() over (order by p.paid_s, p.kind_order, p.e)) as receipt_id,
    p.learner_id,
    r.run_id,
    p.payment_kind,
    p.amount_rm::decimal(12, 2) as amount_rm,
    strftime(ts(p.paid_s), '%Y-%m-%d %H:%M:%S') as paid_at,
    r.ptj_code,
from payments as p
join runs as r using (run_idx)
where p.year = $year
order by p.paid_s, p.kind_order, p.e
) to $path (format csv, header, delimiter ',')
"""

# Achieved figures per year, for the kpi_targets file.
_ACTUALS_SQL = """
with enrol_year as (
    select
        start_year as year,
        count(*) as enrolments,
        count(distinct learner_id) as learners,
        count(*) filter (where outcome in ('completed', 'passed') or fp_s is not null) as completions,
    from enrol
    group by all
),

cert_year as (
    select year, count(*) as certificates,
    from results
    where certificate_type is not null
    group by all
),

revenue_year as (
    select
        year,
        sum(case when payment_kind = 'refund' then -amount_rm else amount_rm end) as net_revenue,
    from payments
    group by all
)

select year, enrolments, learners, completions, certificates, net_revenue,
from enrol_year
full join cert_year using (year)
full join revenue_year using (year)
order by year
"""

_PTJ_REVENUE_SQL = """
select r.ptj_code, p.year, sum(case when p.payment_kind = 'refund' then -p.amount_rm else p.amount_rm end) as rm,
from payments as p
join runs as r using (run_idx)
group by all
order by all
"""


# --- writing -----------------------------------------------------------------------------------------------

class _Writer:
    def __init__(self, landing: Path) -> None:
        self.landing = landing
        self.files: dict[str, int] = {}

    def path(self, rel: str) -> Path:
        p = self.landing / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def rows(self, rel: str, header: tuple[str, ...], rows: list[list[str]]) -> None:
        with self.path(rel).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        self.files[rel] = len(rows)

    def copy(self, con: duckdb.DuckDBPyConnection, sql: str, rel: str, **params: int) -> None:
        """Run one of the `copy (...) to $path` statements; it orders its rows itself."""
        (written,) = con.execute(sql, {**params, "path": str(self.path(rel))}).fetchone()
        self.files[rel] = written


def generate(
    landing: Path,
    enrolments: int = 20_000,
    seed: int = 42,
    *,
    start_year: int = 2021,
    end_year: int = 2026,
    today: date | None = None,
    include_bad_rows: bool = True,
    settings: Settings | None = None,
    threads: int | None = None,
    memory_limit: str = "2GB",
) -> DemoSummary:
    """Write a demo landing folder with `enrolments` learner-role enrolment rows over all sources.

    `today` is the export date (default 2026-11-23, fixed so that the default output is reproducible): nothing
    happens on or after it, runs starting later have enrolments so far and no activity. `include_bad_rows` adds
    payments/payments_manual_adjustments.csv with 3 rows the ETL must quarantine (unknown PTj, "RM 1,200.00",
    a duplicate receipt). Files from an earlier demo run (listed in the landing folder's .mckpi-demo.json) are
    removed first; other files are left alone. Policy figures (fee range, SLT range, workload factor and
    threshold) come from `settings` (default: mckpi.toml).

    `threads` and `memory_limit` tune DuckDB (in memory, spilling to a temporary folder past the limit); the
    output does not depend on them.
    """
    started = time.perf_counter()
    if enrolments < 0:
        raise ValueError("enrolments must be >= 0")
    if end_year < start_year:
        raise ValueError("end_year must be >= start_year")
    today = today or DEFAULT_TODAY
    settings = settings or load_settings()
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    _remove_previous_demo(landing)

    rng = random.Random(seed)
    staff = _make_staff(rng)
    courses = _make_courses(rng, staff, settings, start_year, end_year, today)
    left_owner_courses = _choose_left_owner_courses(rng, staff, courses, start_year, today)
    runs = _make_runs(rng, courses, end_year, today, left_owner_courses)
    _mark_leavers(rng, staff, courses, runs, left_owner_courses, start_year, today)
    _plan_enrolments(runs, enrolments, start_year, today)

    out = _Writer(landing)
    out.rows("ptj/ptj.csv", CONTRACTS["ptj"].header,
             [[p.ptj_code, p.name_en, p.name_ms, p.kind] for p in DEFAULT_PTJS])
    out.rows("staff/staff.csv", CONTRACTS["staff"].header,
             [[s.staff_id, s.name, s.ptj, s.grade, "left" if s.left_on else "active",
               s.left_on.isoformat() if s.left_on else ""] for s in staff])
    out.rows("courses/courses.csv", CONTRACTS["courses"].header, [
        [c.code, c.title, c.ptj, str(c.mqa), c.mc_type, c.mode, str(c.online), c.design, c.platform,
         str(c.credits), str(c.slt), _money(c.fee), _money(c.cert_price), c.owner, c.phase, c.launched.isoformat()]
        for c in courses])
    out.rows("course_runs/course_runs.csv", CONTRACTS["course_runs"].header,
             [[r.run_id, r.course.code, r.starts.isoformat(), str(r.course.weeks), r.label] for r in runs])
    out.rows("teaching/teaching.csv", CONTRACTS["teaching"].header,
             _make_teaching(rng, staff, runs, settings, today))

    with tempfile.TemporaryDirectory(prefix="mckpi-demo-") as tmp:
        config: dict[str, str | int | bool] = {
            "preserve_insertion_order": True,  # the per-run copies rely on it
            "temp_directory": str(Path(tmp) / "spill"),
            "memory_limit": memory_limit,
        }
        if threads:
            config["threads"] = threads
        con = duckdb.connect(":memory:", config=config)  # spills to temp_directory past memory_limit
        try:
            con.execute("set enable_progress_bar = false")
            _load_plan(con, seed, runs, courses, enrolments, today)
            _write_big_files(con, out, runs)
            out.rows("kpi_targets/kpi_targets.csv", CONTRACTS["kpi_targets"].header,
                     _make_targets(con, rng, runs, courses, start_year, end_year, today))
            if include_bad_rows:
                out.rows(BAD_ROWS_FILE, CONTRACTS["payments"].header, _bad_payment_rows(landing, out.files, runs))
        finally:
            con.close()

    # The proof that these files are demo data (core/demo_proof.py): each file's sha256, fingerprinted with the
    # demo key. The ETL calls a warehouse demo only when every file in it is one of these.
    write_manifest(landing, settings.privacy.demo_pseudonym_key, seed=seed, enrolments=enrolments,
                   files={rel: sha256_file(landing / rel) for rel in out.files})
    nbytes = sum((landing / rel).stat().st_size for rel in out.files)
    return DemoSummary(landing=landing, seed=seed, enrolments=sum(r.n for r in runs),
                       files=dict(sorted(out.files.items())), bytes_written=nbytes,
                       seconds=time.perf_counter() - started)


def _remove_previous_demo(landing: Path) -> None:
    manifest = landing / MANIFEST
    if not manifest.is_file():
        return
    try:
        listed = json.loads(manifest.read_text("utf-8")).get("files", [])
    except (ValueError, AttributeError):
        listed = []
    root = landing.resolve()
    for rel in listed:
        p = (landing / rel).resolve()
        if p.is_file() and root in p.parents:
            p.unlink()
    manifest.unlink()


def _choose_left_owner_courses(rng: random.Random, staff: list[_Staff], courses: list[_Course],
                               start_year: int, today: date) -> set[int]:
    """Two established courses whose owner will have left while the course still runs."""
    heavy = set(_heavy_staff(staff))
    candidates = [c for c in courses
                  if c.launched.year <= max(start_year, today.year - 2) and c.owner not in heavy]
    candidates = candidates or courses
    chosen = rng.sample(candidates, k=min(2, len(candidates)))
    # distinct owners, so that two different people have left
    if len(chosen) == 2 and chosen[0].owner == chosen[1].owner:
        others = [c for c in candidates if c.owner != chosen[0].owner]
        if others:
            chosen[1] = rng.choice(others)
    return {c.idx for c in chosen}


def _mark_leavers(rng: random.Random, staff: list[_Staff], courses: list[_Course], runs: list[_Run],
                  left_owner_courses: set[int], start_year: int, today: date) -> None:
    """About 8% of staff have left, including the owners of the chosen courses (which still have runs)."""
    by_id = {s.staff_id: s for s in staff}
    first_run = {}
    for r in runs:
        first_run.setdefault(r.course.idx, r.starts)
    for c in courses:
        if c.idx in left_owner_courses:
            s = by_id[c.owner]
            earliest = max(first_run.get(c.idx, c.launched) + timedelta(days=60), today - timedelta(days=540))
            latest = today - timedelta(days=30)
            earliest = min(earliest, latest)
            s.left_on = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
    target = max(len([s for s in staff if s.left_on]), round(0.08 * len(staff)))
    heavy = set(_heavy_staff(staff))
    owners = {c.owner for c in courses}
    # the others who left owned no course (so that the orphaned-courses page lists a handful, not a tenth)
    pool = [s for s in staff if s.left_on is None and s.staff_id not in heavy and s.staff_id not in owners]
    for s in rng.sample(pool, k=min(len(pool), target - len([s for s in staff if s.left_on]))):
        first = date(start_year, 3, 1)
        days = max(0, (today - timedelta(days=14) - first).days)
        s.left_on = first + timedelta(days=rng.randint(0, days))


def _heavy_staff(staff: list[_Staff]) -> list[str]:
    """Lecturers who carry much more MC teaching than the rest (the workload page's overloaded ones)."""
    picks = []
    for ptj in ("FSKTM", "FOM", "APIUM", "FBE"):
        active = [s for s in staff if s.ptj == ptj and s.grade in ("DS45", "DS51")]
        if active:
            picks.append(active[0].staff_id)
    return picks[:3]


def _active_at(s: _Staff, d: date) -> bool:
    return s.left_on is None or s.left_on > d


def _make_teaching(rng: random.Random, staff: list[_Staff], runs: list[_Run], settings: Settings,
                   today: date) -> list[list[str]]:
    by_id = {s.staff_id: s for s in staff}
    by_ptj: dict[str, list[_Staff]] = defaultdict(list)
    for s in staff:
        by_ptj[s.ptj].append(s)
    heavy = _heavy_staff(staff)
    rows: dict[tuple[str, str, str], tuple[Decimal, Decimal]] = {}

    def hours(lo: float, hi: float) -> Decimal:
        return Decimal(round(rng.uniform(lo, hi) * 2) / 2).quantize(Decimal("0.01"))

    for r in runs:
        c = r.course
        owner = by_id[c.owner]
        if not _active_at(owner, r.starts):  # the course goes on with another academic as acting owner
            colleagues = [s for s in by_ptj[c.ptj] if _active_at(s, r.starts) and s.staff_id not in heavy]
            owner = colleagues[0] if colleagues else owner
        if c.kind == "mooc":
            rows[(owner.staff_id, r.run_id, "owner")] = (hours(0, 2), hours(6, 16))
        elif c.mode == "conventional":
            rows[(owner.staff_id, r.run_id, "owner")] = (hours(c.slt * 0.3, c.slt * 0.5 + 2), hours(0, 4))
        elif c.mode == "blended":
            rows[(owner.staff_id, r.run_id, "owner")] = (hours(10, 20), hours(8, 16))
        else:
            rows[(owner.staff_id, r.run_id, "owner")] = (hours(0, 4), hours(12, 28))
        pool = [s for s in by_ptj[c.ptj] if _active_at(s, r.starts) and s.staff_id not in heavy
                and s.staff_id != owner.staff_id]
        role = "facilitator" if c.mode == "odl" else "lecturer"
        for s in rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2, 3)))):
            if role == "facilitator":
                rows[(s.staff_id, r.run_id, role)] = (Decimal("0.00"), hours(4, 14))
            else:
                rows[(s.staff_id, r.run_id, role)] = (hours(4, 14), hours(2, 10))
    # A few lecturers are heavily loaded in some terms: 5 or 6 runs each, well over the overload threshold.
    overload = settings.workload.overload_hours_per_term
    factor = settings.workload.online_hours_factor
    terms: dict[str, list[_Run]] = defaultdict(list)
    for r in runs:
        terms[f"{r.starts.year}-S{1 if r.starts.month <= 6 else 2}"].append(r)
    current = f"{today.year}-S{1 if today.month <= 6 else 2}"
    term_names = sorted(terms)
    for n, sid in enumerate(heavy):
        chosen = {current} if current in terms else set()
        chosen |= set(rng.sample(term_names, k=min(2, len(term_names))))
        for term in sorted(chosen):
            own = [r for r in terms[term] if r.course.ptj == by_id[sid].ptj]
            others = [r for r in terms[term] if r.course.ptj != by_id[sid].ptj]
            assigned = []
            for r in (own + rng.sample(others, k=len(others)))[: 6 + n % 2]:
                rows[(sid, r.run_id, "lecturer")] = (hours(22, 30), hours(16, 24))
                assigned.append((sid, r.run_id, "lecturer"))
            load = sum(float(rows[k][0]) + factor * float(rows[k][1]) for k in assigned)
            if assigned and load <= overload:  # a term with few runs: longer blocks of teaching
                scale = Decimal(str(math.ceil((overload * 1.25) / load * 100) / 100))
                for k in assigned:
                    rows[k] = tuple((h * scale).quantize(Decimal("0.01")) for h in rows[k])  # type: ignore
    return [[sid, run_id, role, f"{ch:.2f}", f"{oh:.2f}"] for (sid, run_id, role), (ch, oh) in sorted(
        rows.items(), key=lambda kv: (kv[0][1], kv[0][2] != "owner", kv[0][0], kv[0][2]))]


# Behaviour per kind of run: share of learners who unenrol; FutureLearn: who visit a step, who work to the end.
_UNENROL_P = {"mooc": 0.07, "mc": 0.06}
_VISIT_P = {"mooc": 0.72, "mc": 0.96}  # real run 6: 2,294 of 3,172 learners visited a step
_FINISH_P = {"mooc": 0.125, "mc": 0.62}

_RUNS_SCHEMA = {
    "run_idx": pa.int32(), "run_id": pa.string(), "course_idx": pa.int32(), "ptj_code": pa.string(),
    "programme_id": pa.int32(), "is_fl": pa.bool_(), "is_mooc": pa.bool_(), "start_year": pa.int32(),
    "fee": pa.decimal128(12, 2), "cert_price": pa.decimal128(12, 2), "steps": pa.int32(), "weeks": pa.int32(),
    "starts_s": pa.int64(), "ends_s": pa.int64(), "open_s": pa.int64(), "close_s": pa.int64(), "n": pa.int64(),
    "off": pa.int64(), "n_fresh": pa.int64(), "np": pa.int32(), "p_off": pa.list_(pa.int64()),
    "p_fresh": pa.list_(pa.int64()), "p_year": pa.list_(pa.int32()), "unenrol_p": pa.float64(), "visit_p": pa.float64(), "finish_p": pa.float64(),
}
_PROGRAMMES_SCHEMA = {"programme_id": pa.int32(), "course_count": pa.int32()}
_STEPS_SCHEMA = {"course_idx": pa.int32(), "i": pa.int32(), "step": pa.string(), "week_number": pa.int32(),
                 "step_number": pa.int32()}
_ADMINS_SCHEMA = {"run_idx": pa.int32(), "course_idx": pa.int32(), "learner_id": pa.string(),
                  "enrolled_s": pa.int64(), "previews": pa.bool_()}


def _arrow(schema: dict[str, pa.DataType], rows: list[tuple]) -> pa.Table:
    return pa.table({name: pa.array([row[i] for row in rows], type=t) for i, (name, t) in enumerate(schema.items())})


def _load_plan(con: duckdb.DuckDBPyConnection, seed: int, runs: list[_Run], courses: list[_Course],
               enrolments: int, today: date) -> None:
    """The plan (runs, steps, admins) as small tables, then one row per enrolment in `enrol`."""
    cutoff = _epoch(today)
    con.execute("set variable seed = ?", [seed])
    con.execute("set variable cutoff = ?", [cutoff])
    # learner numbers are a bijection of the learner's row number modulo a power of ten above the row count
    digits = len(str(max(enrolments, 1)))
    con.execute("set variable matric_mod = ?", [10 ** max(5, digits)])  # S + intake year + 5 digits: S2150123
    con.execute("set variable id_mod = ?", [10 ** max(6, digits)])  # ext-123456
    for macro in _MACROS:
        con.execute(macro)
    cutoff_enrol = cutoff - _DAY
    run_rows = []
    for r in runs:
        c = r.course
        kind = "mooc" if c.kind == "mooc" else "mc"
        opens, closes = _window(r)
        run_rows.append((
            r.idx, r.run_id, c.idx, c.ptj, c.programme, c.is_fl, c.kind == "mooc", r.starts.year, c.fee,
            c.cert_price, c.steps, c.weeks, _epoch(r.starts, 8), _epoch(r.ends + timedelta(days=1)),
            _epoch(opens, 7), min(_epoch(closes, 23), cutoff_enrol), r.n, r.off, r.n_fresh, len(r.partners),
            [p.off for p in r.partners], [p.n_fresh for p in r.partners], [p.starts.year for p in r.partners],
            _UNENROL_P[kind], _VISIT_P[kind] if c.is_fl else 0.0, _FINISH_P[kind] if c.is_fl else 0.0,
        ))
    counts: dict[int, int] = defaultdict(int)
    for c in courses:
        if c.programme is not None:
            counts[c.programme] += 1
    step_rows = [(c.idx, i, f"{w}.{n}", w, n) for c in courses if c.is_fl
                 for i, (w, n) in enumerate((w + 1, n + 1) for w, k in enumerate(c.steps_per_week)
                                            for n in range(k))]
    # organisation_admin accounts: course team members enrolled before the run; the first previews every step
    rng = random.Random(f"admins-{seed}")
    admin_rows = []
    for r in runs:
        opens, _ = _window(r)
        for a in range(r.admins):
            enrolled = min(_epoch(opens), cutoff - 2 * _DAY) - a * 3 * _DAY - rng.randint(0, _DAY)
            admin_rows.append((r.idx, r.course.idx, _uuid(rng), enrolled, a == 0))
    runs_in = _arrow(_RUNS_SCHEMA, run_rows)
    programmes_in = _arrow(_PROGRAMMES_SCHEMA, sorted(counts.items()))
    steps_in = _arrow(_STEPS_SCHEMA, step_rows)
    admins_in = _arrow(_ADMINS_SCHEMA, admin_rows)
    con.register("runs_in", runs_in)
    con.register("programmes_in", programmes_in)
    con.register("steps_in", steps_in)
    con.register("admins_in", admins_in)
    con.execute("create table runs as from runs_in order by run_idx")
    con.execute("create table programmes as from programmes_in")
    con.execute("create table steps as from steps_in")
    con.execute("create table admins as from admins_in")
    for name in ("runs_in", "programmes_in", "steps_in", "admins_in"):
        con.unregister(name)
    con.execute("""
        create table base as
        select run_idx, off + j as e, j
        from (select run_idx, off, unnest(range(n)) as j from runs)
    """)
    con.execute(_ENROL_SQL)
    con.execute("drop table base")


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


_BATCH_ENROLMENTS = 200_000  # FutureLearn enrolments per batch: ~2M step rows, a few hundred MB at most


def _batches(runs: list[_Run], budget: int) -> list[list[_Run]]:
    """Consecutive runs grouped so that a group has at most `budget` enrolments (or is a single run)."""
    batches: list[list[_Run]] = []
    size = 0
    for r in runs:
        if not batches or size + r.n > budget:
            batches.append([])
            size = 0
        batches[-1].append(r)
        size += r.n
    return batches


def _write_big_files(con: duckdb.DuckDBPyConnection, out: _Writer, runs: list[_Run]) -> None:
    for batch in _batches([r for r in runs if r.course.is_fl], _BATCH_ENROLMENTS):
        bounds = {"first_run": batch[0].idx, "last_run": batch[-1].idx}
        con.execute(_FL_ENROLMENTS_BATCH_SQL, bounds)
        con.execute(_FL_STEPS_BATCH_SQL, bounds)
        for r in batch:
            out.copy(con, _FL_ENROLMENTS_SQL, f"futurelearn/{r.label}_enrolments.csv", run=r.idx)
            out.copy(con, _FL_STEPS_SQL, f"futurelearn/{r.label}_step-activity.csv", run=r.idx)
    con.execute("drop table if exists fl_enrolments_batch")
    con.execute("drop table if exists fl_steps_batch")
    years = [y for (y,) in con.execute(
        "select distinct year(ts(enrolled_s)) from enrol where not is_fl order by 1").fetchall()]
    for y in years:
        out.copy(con, _ENROLMENTS_SQL, f"enrolments/enrolments_{y}.csv", year=y)
    con.execute(_RESULTS_SQL)
    for (y,) in con.execute("select distinct year from results order by 1").fetchall():
        out.copy(con, _RESULTS_YEAR_SQL, f"results/results_{y}.csv", year=y)
    con.execute(_PAYMENTS_SQL)
    for (y,) in con.execute("select distinct year from payments order by 1").fetchall():
        out.copy(con, _PAYMENTS_YEAR_SQL, f"payments/payments_{y}.csv", year=y)


def _nice(x: float, money: bool = False) -> Decimal:
    """Round a target the way a planning office writes it."""
    if money:
        step = 1000 if x >= 20_000 else 100
    elif x >= 20_000:
        step = 1000
    elif x >= 2_000:
        step = 100
    elif x >= 200:
        step = 10
    else:
        step = 1
    return Decimal(max(step, round(x / step) * step))


_TARGET_KPIS = ("enrolments", "learners", "courses_offered", "completions", "certificates", "net_revenue",
                "new_courses")
# achieved / target at the end of a past year, by the status the demo gives that year
_STATUS_RATIO = {"on_track": (1.02, 1.15), "at_risk": (0.84, 0.96), "behind": (0.55, 0.75)}


def _make_targets(con: duckdb.DuckDBPyConnection, rng: random.Random, runs: list[_Run], courses: list[_Course],
                  start_year: int, end_year: int, today: date) -> list[list[str]]:
    """Yearly targets set from what the demo data achieves, so that some years end on track, some at risk and
    some behind; this year's are about on track for the share of the year gone. University targets for every
    KPI, PTj net revenue targets for the five PTjs with the most revenue."""
    actual: dict[int, dict[str, float]] = defaultdict(dict)
    for year, enrol, learners, completions, certificates, revenue in con.execute(_ACTUALS_SQL).fetchall():
        actual[year].update(enrolments=enrol or 0, learners=learners or 0, completions=completions or 0,
                            certificates=certificates or 0, net_revenue=float(revenue or 0))
    offered: dict[int, set[int]] = defaultdict(set)
    for r in runs:
        offered[r.starts.year].add(r.course.idx)
    for year, idxs in offered.items():
        actual[year]["courses_offered"] = len(idxs)
    for c in courses:
        actual[c.launched.year]["new_courses"] = actual[c.launched.year].get("new_courses", 0) + 1
    ptj_revenue: dict[tuple[str, int], float] = defaultdict(float)
    ptj_total: dict[str, float] = defaultdict(float)
    for ptj, year, rm in con.execute(_PTJ_REVENUE_SQL).fetchall():
        ptj_revenue[(ptj, year)] = float(rm)
        ptj_total[ptj] += float(rm)
    big_ptjs = sorted(sorted(ptj_total, key=lambda p: (-ptj_total[p], p))[:5])

    years = list(range(start_year, end_year + 1))
    past = [y for y in years if y < today.year]
    statuses = {y: rng.choices(list(_STATUS_RATIO), weights=(5, 2, 3))[0] for y in past}
    if len(past) >= 2:  # at least one year on track and one behind to show
        statuses[past[-1]] = "behind"
        if "on_track" not in statuses.values():
            statuses[past[0]] = "on_track"
    elapsed = (today - date(today.year, 1, 1)).days / 365.0

    def target(year: int, kpi: str, value: float) -> str:
        money = kpi == "net_revenue"
        if year < today.year:
            ratio = rng.uniform(*_STATUS_RATIO[statuses[year]])
        elif year == today.year and kpi in ("courses_offered", "new_courses"):  # mostly known by now
            ratio = rng.uniform(0.85, 1.05)
        elif year == today.year:
            ratio = elapsed * rng.uniform(0.9, 1.15)
        else:
            ratio = 0.0
        x = value / ratio if ratio > 0 and value > 0 else value * 1.1 + (5000 if money else 1)
        return _fmt_target(_nice(x, money), money)

    rows: list[list[str]] = []
    for year in years:
        for kpi in _TARGET_KPIS:
            rows.append([str(year), kpi, "university", "", target(year, kpi, actual[year].get(kpi, 0.0))])
        for ptj in big_ptjs:
            rows.append([str(year), "net_revenue", "ptj", ptj,
                         target(year, "net_revenue", ptj_revenue.get((ptj, year), 0.0))])
    return rows


def _fmt_target(x: Decimal, money: bool) -> str:
    return f"{x:.2f}" if money else f"{x:.0f}"


def _bad_payment_rows(landing: Path, files: dict[str, int], runs: list[_Run]) -> list[list[str]]:
    """Three rows the ETL must quarantine: an unknown PTj, an amount written "RM 1,200.00", and a receipt that
    is already in a payments_<year>.csv file (copied from the first row of the latest one)."""
    yearly = sorted(rel for rel, n in files.items() if re.fullmatch(r"payments/payments_\d{4}\.csv", rel) and n > 0)
    first: list[str] | None = None
    if yearly:
        with (landing / yearly[-1]).open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader)
            first = next(reader)
    if first is not None:
        receipt, learner, run_id, _kind, amount, paid_at, ptj = first
    else:  # no payment at all (a tiny demo): any MC run, an external learner
        mc = next((r for r in runs if r.course.kind != "mooc"), runs[0])
        learner, run_id, amount, ptj = "ext-000001", mc.run_id, _money(mc.course.fee), mc.course.ptj
        paid_at = f"{mc.starts.isoformat()} 10:00:00"
    year = paid_at[:4]
    rows = [
        [f"ADJ-{year}-0001", learner, run_id, "mc_fee", amount, paid_at, "FSKT"],  # no such PTj (typo of FSKTM)
        [f"ADJ-{year}-0002", learner, run_id, "mc_fee", "RM 1,200.00", paid_at, ptj],  # not a plain decimal
    ]
    if first is not None:
        rows.append(first)  # the same receipt again
    return rows
