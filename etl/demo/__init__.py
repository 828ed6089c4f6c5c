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

Modules: catalogue (the made-up university), plan (runs, sizes, dates, staff and teaching), enrol (one row
per enrolment in DuckDB), queries (sql/*.sql and the macros), writers (the files), targets (kpi_targets.csv).

Shape follows the real FutureLearn exports in shared/realdata (PROVENANCE.md, EXPECTED.md): "YYYY-MM-DD HH:MM:SS UTC"
timestamps, 'Unknown' demographics for ~90% of learners, detected_country codes (and '--'), a few
organisation_admin rows per run, step labels "1.1".."3.12", a funnel where most learners stop in week 1.
Naive Malaysia time everywhere else. Nothing is dated on or after `today` (the export date).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from core.config import Settings, load_settings
from core.contracts import CONTRACTS, DEFAULT_PTJS
from core.demo_proof import MANIFEST, sha256_file, write_manifest
from etl.demo.catalogue import _make_courses, _make_staff, _money
from etl.demo.enrol import _load_plan
from etl.demo.pathways import write_pathways
from etl.demo.plan import (
    _choose_left_owner_courses,
    _make_runs,
    _make_teaching,
    _mark_leavers,
    _plan_enrolments,
)
from etl.demo.targets import _make_targets
from etl.demo.writers import _bad_payment_rows, _remove_previous_demo, _write_big_files, _Writer

DEFAULT_TODAY = date(2026, 11, 23)  # a fixed export date, so that the default demo is reproducible
BAD_ROWS_FILE = "payments/payments_manual_adjustments.csv"


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
            write_pathways(con, out, courses)
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


__all__ = ["BAD_ROWS_FILE", "DEFAULT_TODAY", "MANIFEST", "DemoSummary", "generate", "landing_is_empty"]
