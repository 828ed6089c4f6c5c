"""What an ETL run did, file by file and in all: what `mckpi etl` prints, the run log records and `mckpi refresh`
archives by."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.contracts import CONTRACTS
from etl.check_results import CheckResult
from etl.completeness import EX_INCOMPLETE, QuarantineReason
from etl.models import BuiltModel


@dataclass
class FileResult:
    rel: str
    source: str | None
    status: str  # loaded | skipped | superseded | ignored
    stream: str | None = None
    label: str | None = None
    file_id: int | None = None
    sha256: str | None = None
    bytes: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    note: str = ""
    seconds: float = 0.0
    problem: bool = False  # a file that exists but could not be loaded (a link, unreadable): not a green run
    reloaded_from_archive: bool = False  # loaded again from the archive (etl.waiting): not in landing to archive
    keep_in_landing: bool = False  # README and templates of `mckpi init`: never archived

    @property
    def file_name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]


@dataclass
class SourceSummary:
    source: str
    files: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


@dataclass
class EtlResult:
    run_id: str
    started_at: datetime
    landing: Path
    warehouse: Path
    status: str = "running"
    finished_at: datetime | None = None
    message: str = ""
    build: Path | None = None
    files: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    models: list[BuiltModel] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why a published run is not complete (etl.completeness)
    top_quarantine: list[QuarantineReason] = field(default_factory=list)
    runlog: Path | None = None  # where the run's record was written (None: nowhere could be)
    log_file: Path | None = None  # the traceback of a failure that was not an EtlError (etl.errorlog)
    waiting_sha256: set[str] = field(default_factory=set)  # FutureLearn exports waiting for their run label

    @property
    def exit_code(self) -> int:
        """0 complete, EX_INCOMPLETE published but with problems (a failed run raises instead)."""
        return EX_INCOMPLETE if self.problems else 0

    def _sum(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files if f.status == "loaded")

    @property
    def files_loaded(self) -> int:
        return sum(1 for f in self.files if f.status == "loaded")

    @property
    def files_skipped(self) -> int:
        return sum(1 for f in self.files if f.status == "skipped")

    @property
    def rows_read(self) -> int:
        return self._sum("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._sum("rows_quarantined")

    def by_source(self) -> list[SourceSummary]:
        """Per source in load order (sources without files left out); ignored files under 'ignored'."""
        summaries: dict[str, SourceSummary] = {}
        for f in self.files:
            key = f.source if f.status != "ignored" and f.source else "ignored"
            s = summaries.setdefault(key, SourceSummary(key))
            s.files += 1
            s.files_loaded += f.status == "loaded"
            s.files_skipped += f.status == "skipped"
            if f.status == "loaded":
                s.rows_read += f.rows_read
                s.rows_loaded += f.rows_loaded
                s.rows_quarantined += f.rows_quarantined
        order = [*CONTRACTS, "ignored"]
        return sorted(summaries.values(), key=lambda s: order.index(s.source) if s.source in order else 99)

    def run_record(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "status": self.status,
            "message": self.message,
            "files_loaded": self.files_loaded,
            "files_skipped": self.files_skipped,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "problems": self.problems or None,
            "log_file": str(self.log_file) if self.log_file else None,
        }


__all__ = ["EtlResult", "FileResult", "SourceSummary"]
