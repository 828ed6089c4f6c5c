"""The demo's plan, in Python from `random.Random(seed)`: course runs and their dates, how many learners each
run gets and who repeats, who has left, and who teaches which run."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from core.config import Settings
from etl.demo.catalogue import _active_at, _Course, _heavy_staff, _slug, _Staff

_EPOCH = datetime(1970, 1, 1)
_DAY = 86_400


def _epoch(d: date, hour: int = 0) -> int:
    """Seconds since 1970-01-01 of a naive (Malaysia) date and hour."""
    return int((datetime(d.year, d.month, d.day, hour) - _EPOCH).total_seconds())


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
