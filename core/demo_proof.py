"""Whether a warehouse is demo data, decided by the data itself (issue 13). No streamlit import.

A demo warehouse is served without sign-in, so "demo" must be something only the demo generator can produce, never a
file anyone can drop into the landing folder, and never flipped by a run over an empty or partial landing folder.

The proof:
- `mckpi demo` (etl/demo/) records in its manifest (`.mckpi-demo.json`) the sha256 of every file it wrote and a
  fingerprint: an HMAC-SHA256, keyed with the demo pseudonym key, over those paths and hashes. The manifest vouches
  for those exact bytes only: a file with any other content (a real FutureLearn export, an edited row) is not
  covered, however the manifest is copied around.
- At load (`decide`), every file whose rows are in the warehouse (every `etl_files` row except `ignored`, from this
  run and every earlier one: the build starts from a copy of the published warehouse) must have its sha256 among
  the proven hashes: those of a manifest in the landing folder whose fingerprint checks, plus those proven by
  earlier loads (kept in the `demo_files` table, so archiving the landing files keeps a demo a demo). And the
  pseudonym key must be the demo key, so every learner key is the demo key's hash of a generated learner id.
- Any unproven file, a real pseudonym key, or no data at all: real. The warehouse records `is_demo`, and for a
  demo `demo_fingerprint` (HMAC over the sorted hashes of the files in it), which the dashboard checks again
  against `etl_files` (`fingerprint_matches`) before it serves anything without sign-in.

What this is not: a defence against someone who runs the generator's code to vouch for real files. That needs write
access to the landing folder and intent; it cannot happen by accident or by dropping a marker file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

MANIFEST = ".mckpi-demo.json"
MANIFEST_VERSION = 2
PROVEN_TABLE = "demo_files"


@dataclass(frozen=True)
class DemoProof:
    is_demo: bool
    fingerprint: str  # "" unless is_demo
    reason: str  # why it is or is not demo (for the run's warnings and tests)


def _hmac(key: str, lines: Iterable[str]) -> str:
    return hmac.new(key.encode("utf-8"), "\n".join(lines).encode("utf-8"), hashlib.sha256).hexdigest()


def manifest_fingerprint(key: str, files: Mapping[str, str]) -> str:
    """The generator's fingerprint over {landing-relative path: sha256}."""
    return _hmac(key, (f"{rel}\t{sha}" for rel, sha in sorted(files.items())))


def warehouse_fingerprint(key: str, hashes: Iterable[str]) -> str:
    """The fingerprint of a demo warehouse: over the sorted sha256 of the files whose rows it holds."""
    return _hmac(key, ["mckpi-demo-warehouse", *sorted(set(hashes))])


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, as the ETL records it in etl_files."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(landing: Path, key: str, *, seed: int, enrolments: int, files: Mapping[str, str]) -> Path:
    """Written by etl.demo.generate: `files` maps each landing-relative path it wrote to the file's sha256."""
    path = Path(landing) / MANIFEST
    body = {
        "version": MANIFEST_VERSION,
        "seed": seed,
        "enrolments": enrolments,
        "files": sorted(files),
        "sha256": dict(sorted(files.items())),
        "fingerprint": manifest_fingerprint(key, files),
    }
    path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    return path


def manifest_hashes(landing: Path, key: str) -> set[str]:
    """The sha256 a landing folder's manifest vouches for; empty when there is none or its fingerprint fails
    (a plain marker file, an edited list, another key)."""
    path = Path(landing) / MANIFEST
    try:
        body = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(body, dict):
        return set()
    files = body.get("sha256")
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return set()
    if not hmac.compare_digest(str(body.get("fingerprint", "")), manifest_fingerprint(key, files)):
        return set()
    return set(files.values())


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("select count(*) from information_schema.tables where table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def warehouse_hashes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(sha256, path) of every file whose rows (loaded or quarantined) are or were in this warehouse."""
    if not _table_exists(con, "etl_files"):
        return []
    rows = con.execute(
        "select sha256, min(path) from etl_files where coalesce(status, '') <> 'ignored' group by sha256 order by 2"
    ).fetchall()
    return [(str(sha), str(path)) for sha, path in rows]


def decide(con: duckdb.DuckDBPyConnection, landing: Path, key: str, key_is_demo: bool) -> DemoProof:
    """Decide on the build being written (`con`, read-write) whether it is demo data, and keep the proven hashes
    in `demo_files` for later runs. `key` is the demo pseudonym key; `key_is_demo` whether the run used it."""
    previous: set[str] = set()
    if _table_exists(con, PROVEN_TABLE):
        previous = {row[0] for row in con.execute("select sha256 from demo_files").fetchall()}
    found = warehouse_hashes(con)
    in_warehouse = {sha for sha, _ in found}
    proven = (previous | manifest_hashes(landing, key)) & in_warehouse
    con.execute("create or replace table demo_files (sha256 varchar)")
    if proven:
        con.executemany("insert into demo_files values (?)", [[sha] for sha in sorted(proven)])

    if not key_is_demo:
        return DemoProof(False, "", "a real pseudonym key is set")
    if not found:
        return DemoProof(False, "", "the warehouse holds no data")
    unproven = [path for sha, path in found if sha not in proven]
    if unproven:
        more = f" and {len(unproven) - 1} more" if len(unproven) > 1 else ""
        return DemoProof(False, "", f"{unproven[0]}{more} not written by the demo generator")
    return DemoProof(True, warehouse_fingerprint(key, in_warehouse), "every file written by the demo generator")


def fingerprint_matches(info: Mapping[str, str], hashes: Iterable[str], key: str) -> bool:
    """The reader's check: warehouse_info says demo, was loaded with the demo key, and its fingerprint is the one
    of the files `etl_files` lists now. Anything else (an old warehouse without a fingerprint, an edited flag) is
    real data."""
    if str(info.get("is_demo", "")).lower() != "true" or info.get("pseudonym_key_is_demo") != "true":
        return False
    recorded = str(info.get("demo_fingerprint", ""))
    return bool(recorded) and hmac.compare_digest(recorded, warehouse_fingerprint(key, hashes))
