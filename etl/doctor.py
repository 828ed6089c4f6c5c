"""`mckpi doctor`: look at a landing folder before any ETL and say, in plain words, what is there, what is missing
and what would not load; write ready-to-edit CSV skeletons for the course runs (and courses) that FutureLearn
files name but nobody has described yet.

    report = examine(landing, published)       # nothing is written, nothing is loaded
    written = write_skeletons(report, folder)  # course_runs.csv / courses.csv with what the files can say

What it checks, cheaply (the first bytes of each file, and the FutureLearn files of unknown runs): every file's
source and header (the same file-level checks the ETL makes), the required sources (in the landing folder or
already in the published warehouse), and every FutureLearn run label against the course runs. Row-level checks
(values, references, duplicates) are the ETL's: it quarantines bad rows with their file, line and reason.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.contracts import CONTRACTS, REQUIRED_SOURCES, Contract
from core.errors import SourceFileError
from etl.discover import LandingFile, discover
from etl.sources import open_badges
from etl.sources.fl_layouts import check_start

SNAPSHOT_SOURCES_WITH_KEYS = ("course_runs", "courses")


@dataclass
class UnknownRun:
    """A FutureLearn run label that no course run has: what its files say about it."""

    label: str
    files: list[str] = field(default_factory=list)
    first_enrolled: str | None = None  # dates as text, YYYY-MM-DD
    last_enrolled: str | None = None
    first_step_visit: str | None = None
    weeks: int | None = None
    course_code: str | None = None  # an existing course whose runs share the label's stem, if any
    new_course: bool = False

    @property
    def stem(self) -> str:
        """'cyber-security-3' -> 'cyber-security': FutureLearn numbers the runs of a course."""
        return re.sub(r"-\d+$", "", self.label)


@dataclass
class DoctorReport:
    landing: Path
    files: list[LandingFile]
    by_source: dict[str, list[LandingFile]]
    file_errors: list[str]  # the ETL would fail on these (file level)
    not_loaded: list[LandingFile]  # ignored with a warning, links, unreadable
    unused: list[LandingFile]  # recognised exports that are not loaded (FutureLearn surveys, ...)
    missing_sources: list[Contract]
    in_warehouse: dict[str, int]  # rows per source in the published warehouse
    unknown_runs: list[UnknownRun]

    @property
    def ok(self) -> bool:
        """An ETL of this folder would load every file."""
        return not (self.file_errors or self.not_loaded or self.missing_sources or self.unknown_runs)


@dataclass(frozen=True)
class WarehouseFacts:
    """What the published warehouse already holds, as the read layer reports it (cli/setup.py): the doctor never
    opens the warehouse itself."""

    rows: dict[str, int] = field(default_factory=dict)  # rows per raw source
    run_labels: dict[str, str] = field(default_factory=dict)  # FutureLearn run label -> course code

    @property
    def stems(self) -> dict[str, str]:
        return {re.sub(r"-\d+$", "", label): code for label, code in self.run_labels.items()}


WAREHOUSE_FACTS_SQL = {
    name: f'select count(*) as n from "{contract.raw_table}"'  # noqa: S608 - contract names only
    for name, contract in CONTRACTS.items()
}
RUN_LABELS_SQL = (
    "select platform_run_label, course_code from raw_course_runs where platform_run_label is not null"
)


def _landing_course_runs(files: list[LandingFile]) -> tuple[set[str], dict[str, str], set[str]]:
    """From course_runs and courses files in the landing folder: (run labels, course code by label stem, course
    codes). Read with the csv module: a file the ETL would reject is reported by the header check."""
    labels: set[str] = set()
    stems: dict[str, str] = {}
    courses: set[str] = set()
    for lf in files:
        if lf.contract is None or lf.contract.name not in SNAPSHOT_SOURCES_WITH_KEYS:
            continue
        try:
            with _open_text(lf.path) as fh:
                for row in csv.DictReader(fh):
                    if lf.contract.name == "courses" and row.get("course_code"):
                        courses.add(row["course_code"].strip())
                    label = (row.get("platform_run_label") or "").strip()
                    if lf.contract.name == "course_runs" and label:
                        labels.add(label)
                        stems[re.sub(r"-\d+$", "", label)] = (row.get("course_code") or "").strip()
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
    return labels, stems, courses


def _open_text(path: Path):  # noqa: ANN202 - a text file object
    import gzip

    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _futurelearn_dates(run: UnknownRun, lf: LandingFile) -> None:
    """What a FutureLearn file says about its run: the enrolment date range, the first step visit, the weeks."""
    kind = lf.contract.name if lf.contract else ""
    path = str(lf.path)
    try:
        with duckdb.connect() as con:
            if kind == "futurelearn_enrolments":
                low, high = con.execute(
                    "select min(left(enrolled_at, 10)), max(left(enrolled_at, 10)) from read_csv($p, header = true,"
                    " all_varchar = true)",
                    {"p": path},
                ).fetchone()  # type: ignore[misc]
                run.first_enrolled, run.last_enrolled = low, high
            elif kind == "futurelearn_step_activity":
                first, weeks = con.execute(
                    "select min(left(first_visited_at, 10)), max(try_cast(week_number as integer))"
                    " from read_csv($p, header = true, all_varchar = true)",
                    {"p": path},
                ).fetchone()  # type: ignore[misc]
                run.first_step_visit, run.weeks = first, weeks
    except duckdb.Error:
        return  # the header check reports an unreadable file


def examine(landing: Path, facts: WarehouseFacts | None = None) -> DoctorReport:
    files = discover(landing)
    by_source: dict[str, list[LandingFile]] = {}
    file_errors: list[str] = []
    for lf in files:
        if lf.contract is None:
            continue
        by_source.setdefault(lf.contract.name, []).append(lf)
        try:
            if lf.contract.name == open_badges.SOURCE:  # JSON: every line must parse
                for _ in open_badges.read_assertions(lf.path, lf.rel):
                    pass
            else:
                check_start(lf.path, lf.rel, lf.contract)  # FutureLearn: by layout
        except SourceFileError as exc:
            file_errors.append(str(exc))
        except OSError as exc:
            file_errors.append(f"{lf.rel}: cannot be read ({exc.strerror or exc})")
    not_loaded = [lf for lf in files if lf.contract is None and (lf.warn or lf.problem)]
    unused = [lf for lf in files if lf.contract is None and not (lf.warn or lf.problem) and lf.label]
    facts = facts or WarehouseFacts()
    in_warehouse, wh_labels, wh_stems = facts.rows, set(facts.run_labels), facts.stems
    missing = [
        CONTRACTS[name] for name in REQUIRED_SOURCES if name not in by_source and not in_warehouse.get(name)
    ]
    labels, stems, course_codes = _landing_course_runs(files)
    known_labels = labels | wh_labels
    known_stems = {**wh_stems, **stems}
    unknown: dict[str, UnknownRun] = {}
    for lf in files:
        if lf.contract is None or not lf.contract.name.startswith("futurelearn") or not lf.label:
            continue
        if lf.label in known_labels:
            continue
        run = unknown.setdefault(lf.label, UnknownRun(lf.label))
        run.files.append(lf.rel)
        _futurelearn_dates(run, lf)
    for run in unknown.values():
        run.course_code = known_stems.get(run.stem) or None
        if run.course_code is None:
            run.course_code = run.stem.upper()
            run.new_course = run.course_code not in course_codes
    return DoctorReport(
        landing, files, by_source, file_errors, not_loaded, unused, missing, in_warehouse,
        sorted(unknown.values(), key=lambda r: _label_order(r.label)),
    )


def _label_order(label: str) -> tuple[str, int]:
    match = re.search(r"-(\d+)$", label)
    return (re.sub(r"-\d+$", "", label), int(match.group(1)) if match else 0)


def write_skeletons(report: DoctorReport, folder: Path) -> list[Path]:
    """course_runs.csv (one row per unknown run label) and, for courses nobody has described yet, courses.csv,
    with every value the files can say filled in and the rest left empty for a person to fill."""
    if not report.unknown_runs:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    runs_path = folder / "course_runs.csv"
    with runs_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CONTRACTS["course_runs"].header)
        for run in report.unknown_runs:
            writer.writerow([
                # starts_on is left to a person: early visitors and late openings make the files' dates a guess.
                run.label.upper(), run.course_code or "", "", run.weeks or "", run.label,
            ])
    written.append(runs_path)
    new_courses: dict[str, UnknownRun] = {}
    for run in report.unknown_runs:
        if run.new_course and run.course_code:
            new_courses.setdefault(run.course_code, run)
    if new_courses:
        path = folder / "courses.csv"
        header = CONTRACTS["courses"].header
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for code, run in new_courses.items():
                values = dict.fromkeys(header, "")
                values.update({
                    "course_code": code,
                    "title": run.stem.replace("-", " ").title(),
                    "platform": "futurelearn",
                    "launched_on": run.first_enrolled or "",
                })
                writer.writerow([values[h] for h in header])
        written.append(path)
    return written


__all__ = ["RUN_LABELS_SQL", "WAREHOUSE_FACTS_SQL", "DoctorReport", "UnknownRun", "WarehouseFacts", "examine", "write_skeletons"]
