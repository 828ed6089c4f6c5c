"""What a check gives back (hand-written or generated from the model docs), and the error that fails a run."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import EtlError

SAMPLE_ROWS = 3


@dataclass(frozen=True)
class CheckResult:
    name: str
    failing_rows: int
    sample: list[dict[str, object]]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.failing_rows == 0 and self.error is None

    def describe(self) -> str:
        if self.error:
            return f"check {self.name} could not run: {self.error}"
        sample = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in self.sample[:1])
        return f"check {self.name} failed: {self.failing_rows} row(s), e.g. {sample}"


class CheckFailed(EtlError):
    def __init__(self, message: str, results: list[CheckResult]):
        super().__init__(message)
        self.results = results
