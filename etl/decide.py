"""Which new landing files of a snapshot source load: one delivery per stream (or FutureLearn run label), the
newest by date stamp, then modification time; a file holding the same export as the one that loads (the same bytes
once decompressed: a .csv and a .csv.gz side by side) is skipped as one delivery, whatever the names."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from core.contracts import Contract
from etl.discover import LandingFile
from etl.file_checks import open_text_bytes
from etl.sources.futurelearn import strip_csv_ext, strip_date_stamp


def current_stamps(con: duckdb.DuckDBPyConnection, contract: Contract) -> dict[str, str | None]:
    """Per stream (snapshot) or run label (FutureLearn): the date stamp of the file loaded now, if it has one."""
    group = "stream" if contract.load_mode == "snapshot" else "platform_run_label"
    rows = con.execute(
        f"select {group}, path from etl_files where status = 'loaded' and source = $s",  # noqa: S608
        {"s": contract.name},
    ).fetchall()
    return {g: strip_date_stamp(strip_csv_ext(path.rsplit("/", 1)[-1]) or "")[1] for g, path in rows}


def content_digest(path: Path) -> str:
    """sha256 of what the file holds (decompressed for .gz): the same export as .csv and .csv.gz is one delivery."""
    digest = hashlib.sha256()
    with open_text_bytes(path) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def newest_first(items: list[tuple[LandingFile, str, int]]) -> list[tuple[LandingFile, str, int]]:
    """Deliveries of one stream, newest first: by date stamp in the name, then by the file's modification time,
    then by path (only for a tie of both)."""

    def mtime(lf: LandingFile) -> float:
        try:
            return lf.path.stat().st_mtime
        except OSError:
            return 0.0

    return sorted(items, key=lambda item: (item[0].stamp or "", mtime(item[0]), item[0].rel), reverse=True)


def one_delivery_per_stream(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    new: list[tuple[LandingFile, str, int]],
    warnings: list[str],
) -> tuple[list[tuple[LandingFile, str, int]], list[tuple[tuple[LandingFile, str, int], str, str]]]:
    """Snapshot sources: one delivery per stream (or FutureLearn label) loads, the newest. A file that holds the
    same export as the one loading (the same bytes once decompressed: a .csv and a .csv.gz side by side) is
    `skipped` as one delivery, whatever the names; a different, older one is `superseded` with a warning.
    Returns (to load, [(item, status, note)] not loaded)."""

    def group(lf: LandingFile) -> str:
        return (lf.stream if contract.load_mode == "snapshot" else lf.label) or ""

    groups: dict[str, list[tuple[LandingFile, str, int]]] = {}
    for item in new:
        groups.setdefault(group(item[0]), []).append(item)
    loaded_stamps = current_stamps(con, contract)
    to_load: list[tuple[LandingFile, str, int]] = []
    not_loaded: list[tuple[tuple[LandingFile, str, int], str, str]] = []
    for key, items in groups.items():
        ordered = newest_first(items)
        newest = ordered[0]
        newest_content = content_digest(newest[0].path) if len(ordered) > 1 else ""
        for item in ordered[1:]:
            if content_digest(item[0].path) == newest_content:
                not_loaded.append((item, "skipped", f"the same export as {newest[0].rel}"))
            else:
                note = f"a newer delivery of the same stream is in the landing folder ({newest[0].rel})"
                warnings.append(f"{item[0].rel}: not loaded ({note})")
                not_loaded.append((item, "superseded", note))
        loaded_stamp = loaded_stamps.get(key)
        if newest[0].stamp and loaded_stamp and newest[0].stamp < loaded_stamp:
            note = "older than the delivery already loaded for this stream"
            warnings.append(f"{newest[0].rel}: not loaded ({note})")
            not_loaded.append((newest, "superseded", note))
        else:
            to_load.append(newest)
    order = {item[0].rel: i for i, item in enumerate(new)}
    return sorted(to_load, key=lambda item: order[item[0].rel]), not_loaded


__all__ = ["content_digest", "current_stamps", "newest_first", "one_delivery_per_stream"]
