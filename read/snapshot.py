"""Snapshots: frozen, labelled copies of the published warehouse (the figures sent to the ministry).

    create_snapshot(settings, "2025-ministry-final")   -> data/snapshots/2025-ministry-final.duckdb
    list_snapshots(settings)                           -> [SnapshotInfo, ...], oldest first

A snapshot is a copy of the build the published path points at, with two rows added to its `warehouse_info`
(`snapshot_label`, `snapshot_created_at`), then made read-only (mode 0444). A label is used once: creating a
snapshot whose label exists fails, so figures reported under a label never change. Later ETL runs publish new
builds and never touch the snapshots folder. Any reader (the dashboard's Warehouse, `mckpi report --snapshot`)
opens a snapshot like a warehouse.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from core.config import Settings
from core.errors import EtlError
from core.published import published_target
from read.warehouse import Warehouse

LABEL_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
SUFFIX = ".duckdb"
READ_ONLY_MODE = 0o444


class SnapshotError(EtlError):
    """A bad or taken label, or nothing published to snapshot."""


@dataclass(frozen=True)
class SnapshotInfo:
    label: str
    path: Path
    created_at: str | None  # ISO, UTC
    etl_run_id: str | None
    published_at: str | None
    bytes: int
    is_demo: bool


def validate_label(label: str) -> str:
    """A label is 1-64 letters, digits, '.', '_' or '-', and does not start with '.' (no hidden files)."""
    if not isinstance(label, str) or not LABEL_RE.fullmatch(label) or label.startswith("."):
        raise SnapshotError(
            f"invalid snapshot label {label!r}: use 1-64 letters, digits, '.', '_' or '-' (not starting with '.'),"
            " e.g. 2025-ministry-final"
        )
    return label


def snapshot_path(settings: Settings, label: str) -> Path:
    return Path(settings.paths.snapshots) / f"{validate_label(label)}{SUFFIX}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_snapshot(settings: Settings, label: str, *, warehouse: Path | None = None) -> Path:
    """Copy the published warehouse to <snapshots>/<label>.duckdb, stamp it and make it read-only.

    Refuses a label that exists (snapshots are immutable). The copy is made beside its final name and linked into
    place with os.link, which fails if another process took the label meanwhile: never a half-written or
    overwritten snapshot."""
    validate_label(label)
    published = Path(warehouse) if warehouse is not None else Path(settings.paths.warehouse)
    folder = Path(settings.paths.snapshots)
    final = folder / f"{label}{SUFFIX}"
    if final.exists():
        raise SnapshotError(f"snapshot {label!r} already exists ({final}); snapshots are never overwritten, "
                            "choose another label")
    source = published_target(published)
    if source is None:
        raise SnapshotError(f"no published warehouse at {published}: run `mckpi etl` first")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{label}.{secrets.token_hex(4)}.tmp"
    try:
        # Open the build once: a later ETL run may publish another build or delete this one under retention,
        # the open file stays readable.
        with open(source, "rb") as src, open(tmp, "xb") as dst:
            shutil.copyfileobj(src, dst, length=16 * 1024 * 1024)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        con = duckdb.connect(str(tmp))
        try:
            con.execute("create table if not exists warehouse_info (key varchar, value varchar)")
            con.execute("delete from warehouse_info where key in ('snapshot_label', 'snapshot_created_at',"
                        " 'snapshot_source')")
            for key, value in (("snapshot_label", label), ("snapshot_created_at", created),
                               ("snapshot_source", source.name)):
                con.execute("insert into warehouse_info values ($k, $v)", {"k": key, "v": value})
            con.execute("checkpoint")
        finally:
            con.close()
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        os.chmod(tmp, READ_ONLY_MODE)
        _fsync(tmp)
        try:
            os.link(tmp, final)  # atomic, and fails if the label was taken meanwhile
        except FileExistsError:
            raise SnapshotError(f"snapshot {label!r} already exists ({final}); snapshots are never overwritten, "
                                "choose another label") from None
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        # (Never chmod tmp here: after os.link it is the same inode as the snapshot.)
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return final


def _info(path: Path) -> dict[str, str]:
    wh = Warehouse(path)
    try:
        return wh.info()
    except (duckdb.Error, OSError):
        return {}
    finally:
        wh.close()


def list_snapshots(settings: Settings) -> list[SnapshotInfo]:
    """The snapshots in the snapshots folder, oldest first (by creation time, then label)."""
    folder = Path(settings.paths.snapshots)
    if not folder.is_dir():
        return []
    snapshots = []
    for path in folder.glob(f"*{SUFFIX}"):
        label = path.name.removesuffix(SUFFIX)
        if not LABEL_RE.fullmatch(label) or label.startswith("."):
            continue
        info = _info(path)
        snapshots.append(SnapshotInfo(
            label=info.get("snapshot_label", label),
            path=path,
            created_at=info.get("snapshot_created_at"),
            etl_run_id=info.get("etl_run_id"),
            published_at=info.get("published_at"),
            bytes=path.stat().st_size,
            is_demo=info.get("is_demo") == "true",
        ))
    return sorted(snapshots, key=lambda s: (s.created_at or "", s.label))


def resolve_snapshot(settings: Settings, label: str) -> Path:
    """The file of an existing snapshot (for `mckpi report --snapshot LABEL`)."""
    path = snapshot_path(settings, label)
    if not path.is_file():
        known = ", ".join(s.label for s in list_snapshots(settings)) or "none"
        raise SnapshotError(f"no snapshot {label!r} in {settings.paths.snapshots} (snapshots: {known})")
    return path


__all__ = ["SnapshotError", "SnapshotInfo", "create_snapshot", "list_snapshots", "resolve_snapshot",
           "snapshot_path", "validate_label"]
