"""Tracebacks go to a log file, never to the terminal or cron mail: the person running `mckpi` gets one line that
says what went wrong, what to do, and where the details are.

    path = write_traceback(exc, folder)      # <folder>/logs/mckpi-<UTC time>-<pid>.log, or the temp folder
"""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

LOG_FOLDER = "logs"


def log_folders(folder: Path | None) -> list[Path]:
    """Where tracebacks may go, in order: beside the warehouse, else the system's temporary folder."""
    candidates = [folder / LOG_FOLDER] if folder is not None else []
    return [*candidates, Path(tempfile.gettempdir()) / "mckpi-logs"]


def write_traceback(exc: BaseException, folder: Path | None) -> Path | None:
    """Write the exception with its traceback (and its causes) to a new log file; its path, or None."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = "".join(traceback.format_exception(exc))
    for base in log_folders(folder):
        path = base / f"mckpi-{stamp}-{os.getpid()}.log"
        try:
            base.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(text)
            return path
        except OSError:
            continue
    return None


__all__ = ["write_traceback"]
