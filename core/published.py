"""The published warehouse as readers find it: a symlink to builds/<run_id>.duckdb, swapped atomically by
etl.publish. Reading which build is published needs nothing of the writer."""

from __future__ import annotations

import os
import re
from pathlib import Path

RUN_ID = re.compile(r"^\d{8}T\d{6}(\d{3})?Z-[0-9a-f]{4}$")


def published_target(published: Path) -> Path | None:
    """The build file the published path points at (None when nothing is published)."""
    if published.is_symlink():
        target = Path(os.readlink(published))
        target = target if target.is_absolute() else published.parent / target
        return target if target.exists() else None
    return published if published.exists() else None


def published_run_id(published: Path) -> str | None:
    target = published_target(published)
    if target is None:
        return None
    stem = target.name.removesuffix(".duckdb")
    return stem if RUN_ID.match(stem) else None


__all__ = ["RUN_ID", "published_run_id", "published_target"]
