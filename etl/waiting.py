"""No dead ends: files whose rows were quarantined because a reference they name was unknown (a staff id, a course,
a run, a PTj) load again by themselves once that reference has arrived, without `--full` and without the file
being sent again.

    reloads, warnings = files_to_reload(con, contract, landing, archive)

A file is *waiting* when some of its quarantined rows name, in the column the reference check rejected, a value
that the referenced source now has. The file is read again from where it is now: the landing folder, or the
archive folder `mckpi refresh` moved it to (`<archive>/<run_id>/<path>`), checked by sha256 to be the same bytes.
- snapshot sources: the waiting file is loaded again as a new delivery of its own stream (unless a newer delivery
  of that stream is in this run), which replaces its earlier rows and quarantine rows;
- append sources: the waiting file and every file of the source loaded after it are loaded again, in their
  original order, so duplicate keys and refund checks come out exactly as in a load of all the files at once.
A waiting file that is no longer in either place is reported (send it again), never guessed at.

FutureLearn exports waiting for their run label are reloaded by etl.ingest itself (they stay in landing).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.contracts import Contract
from etl.discover import LandingFile
from etl.row_checks import ident, lit

CHUNK = 1 << 20


@dataclass(frozen=True)
class Reload:
    file: LandingFile  # where the bytes are now (landing or archive); rel, stream and label as first loaded
    old_file_id: int
    sha256: str
    bytes: int
    from_archive: bool


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _resolvable_sql(contract: Contract) -> str | None:
    """file_ids of loaded files of the source with a quarantined row whose unknown reference now resolves."""
    checks = []
    for column in contract.columns:
        if not column.references:
            continue
        ref_source, ref_column = column.references.split(".")
        checks.append(
            f"(q.column_name = {lit(column.name)} and q.reason like 'unknown %'"  # noqa: S608 - contract names only
            f" and q.value in (select {ident(ref_column)} from {ident('raw_' + ref_source)}))"
        )
    if not checks:
        return None
    return (
        "select distinct q.file_id from quarantine q join etl_files f on f.file_id = q.file_id"  # noqa: S608
        f" where f.status = 'loaded' and f.source = $source and ({' or '.join(checks)})"
    )


def _locate(landing: Path, archive: Path | None, run_id: str, rel: str, sha256: str) -> tuple[Path, bool] | None:
    candidates = [(landing / rel, False)]
    if archive is not None:
        candidates.append((archive / run_id / rel, True))
    for path, from_archive in candidates:
        try:
            if path.is_file() and not path.is_symlink() and _sha256(path) == sha256:
                return path, from_archive
        except OSError:
            continue
    return None


def files_to_reload(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    landing: Path,
    archive: Path | None,
    *,
    new_streams: set[str],
) -> tuple[list[Reload], list[str]]:
    """The files of `contract` to load again in this run, in load order, and warnings for waiting files that
    cannot be found. new_streams: streams (snapshot sources) that have a new delivery in this run already."""
    sql = _resolvable_sql(contract)
    if sql is None:
        return [], []
    waiting = {file_id for (file_id,) in con.execute(sql, {"source": contract.name}).fetchall()}
    if not waiting:
        return [], []
    rows = con.execute(
        "select file_id, run_id, path, stream, platform_run_label, sha256, bytes from etl_files"
        " where status = 'loaded' and source = $source and file_id >= $first order by file_id",
        {"source": contract.name, "first": min(waiting)},
    ).fetchall()
    if contract.load_mode != "append":
        rows = [r for r in rows if r[0] in waiting and r[3] not in new_streams]
    reloads: list[Reload] = []
    missing: list[str] = []
    for file_id, run_id, rel, stream, label, sha256, size in rows:
        found = _locate(landing, archive, run_id, rel, sha256)
        if found is None:
            missing.append(rel)
            continue
        path, from_archive = found
        lf = LandingFile(path, rel, rel.split("/")[0], contract, stream, None, label)
        reloads.append(Reload(lf, file_id, sha256, size, from_archive))
    warnings = [
        f"{rel}: rows quarantined for an unknown reference could load now, but the file is no longer in the"
        " landing folder or the archive: put it back in the landing folder"
        for rel in missing
    ]
    if contract.load_mode == "append" and missing:
        # Loading only some of an append source's files again would change which copy of a key counts.
        return [], warnings
    return reloads, warnings


def forget_files(con: duckdb.DuckDBPyConnection, contract: Contract, file_ids: list[int]) -> None:
    """Before an append source's files load again: take their rows out of raw and quarantine."""
    params = {"ids": file_ids}
    con.execute(
        f"delete from {ident(contract.raw_table)} where _file_id in (select unnest($ids::integer[]))",  # noqa: S608
        params,
    )
    con.execute("delete from quarantine where file_id in (select unnest($ids::integer[]))", params)
    con.execute("update etl_files set status = 'superseded' where file_id in (select unnest($ids::integer[]))", params)


__all__ = ["Reload", "files_to_reload", "forget_files"]
