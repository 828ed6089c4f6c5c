"""FutureLearn per-run exports: `<platform_run_label>_<dataset>.csv[.gz]`, loaded unchanged.

Enrolments, step activity, question-response, comments, the leaving / archetype / weekly-sentiment surveys,
video-stats, team-members and campaigns are loaded (snapshot per run: a new export for a label replaces that
label's rows; older layouts of a dataset are detected from the header, etl.sources.fl_layouts); peer review
exports are recognised and recorded as ignored. The run comes from the file name, never from dates inside the file; a label that is not any course
run's `platform_run_label` quarantines the file's rows with a reason naming the label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from core.contracts import (
    FUTURELEARN_ENROLMENTS,
    FUTURELEARN_IGNORED,
    FUTURELEARN_INSIGHT_CONTRACTS,
    FUTURELEARN_STEP_ACTIVITY,
    Contract,
)

DATASETS: dict[str, Contract] = {
    "enrolments": FUTURELEARN_ENROLMENTS,
    "step-activity": FUTURELEARN_STEP_ACTIVITY,
    # question-response, comments, the three surveys, video-stats, team-members, campaigns (course insights)
    **{c.pattern.removeprefix("*_").removesuffix(".csv*"): c for c in FUTURELEARN_INSIGHT_CONTRACTS},
}

_CSV_EXT = re.compile(r"\.csv(\.gz)?$", re.IGNORECASE)
# A trailing delivery date stamp: _2026-11-01, _20261101, optionally with a time (_2026-11-01T0830, _20261101-083000).
DATE_STAMP = re.compile(r"[_-](\d{4}-\d{2}-\d{2}|\d{8})([T_ -]?\d{2}[-:.]?\d{2}([-:.]?\d{2})?Z?)?$")


def strip_csv_ext(name: str) -> str | None:
    """The file name without .csv / .csv.gz, or None when it is not a CSV file."""
    match = _CSV_EXT.search(name)
    return name[: match.start()] if match else None


def strip_date_stamp(stem: str) -> tuple[str, str | None]:
    """(stem without a trailing date stamp, the stamp's digits or None)."""
    match = DATE_STAMP.search(stem)
    if not match or match.start() == 0:
        return stem, None
    return stem[: match.start()], re.sub(r"\D", "", match.group(0))


@dataclass(frozen=True)
class FutureLearnName:
    label: str
    dataset: str
    contract: Contract | None  # None: a dataset we recognise but do not load, or an unknown one
    known: bool  # False: not a FutureLearn dataset we know of


def parse_file_name(name: str) -> FutureLearnName | None:
    """`cyber-security-1_enrolments.csv.gz` -> label 'cyber-security-1', dataset 'enrolments'."""
    stem = strip_csv_ext(name)
    if stem is None:
        return None
    stem, _ = strip_date_stamp(stem)
    if "_" not in stem:
        return None
    label, dataset = stem.rsplit("_", 1)
    if not label:
        return None
    contract = DATASETS.get(dataset)
    return FutureLearnName(label, dataset, contract, contract is not None or dataset in FUTURELEARN_IGNORED)


def label_reasons(con: duckdb.DuckDBPyConnection, labels: list[str]) -> dict[str, str | None]:
    """Why rows of each label cannot load (None when the label is a course run's platform_run_label)."""
    known = {
        label
        for (label,) in con.execute(
            "select distinct platform_run_label from raw_course_runs where platform_run_label is not null"
        ).fetchall()
    }
    return {
        label: None
        if label in known
        else f"run label '{label}' (from the file name) is not the platform_run_label of any course run"
        for label in labels
    }
