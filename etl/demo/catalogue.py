"""The made-up university of the demo: its PTjs' courses (the catalogue), its academic staff and their
names, and the learner populations' weights (countries, ages, education...) the SQL macros pick from."""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.config import Settings
from core.contracts import DEFAULT_PTJS

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
