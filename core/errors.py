"""The errors every layer may raise or report: one line meant for the person running mckpi."""

from __future__ import annotations


class EtlError(Exception):
    """An ETL run failed; the message is one line meant for the person who runs the ETL.
    `run_etl` attaches the partial run result as `.result`."""

    result: object | None = None


class SourceFileError(EtlError):
    """A landing file cannot be loaded at all."""

    def __init__(self, path: str, line: int | None, column: str | None, message: str):
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f": line {self.line}"
        return f"{where}: {self.message}"


__all__ = ["EtlError", "SourceFileError"]
