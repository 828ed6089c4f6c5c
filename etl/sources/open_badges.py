"""Open Badges exports: 2.0 assertions and 3.0 credentials (OpenBadgeCredential), as JSON Lines (one per line) or
JSON (an array, one object, or an object with an "assertions" / "credentials" array), optionally gzip-compressed.

Each assertion becomes one row of the OPEN_BADGES contract's columns (all text), staged in `_stage` like a CSV
file, so the contract's checks, the pseudonymisation and the quarantine are the same as for every source.

Mapping (docs/pathways.md):
- learner: 2.0 `recipient.identity` when `recipient.type` is "id" and it is not hashed; 3.0 the
  `credentialSubject.identifier[]` of `identityType` "studentId", not hashed. It is the learner id the university
  gives (the same id as in enrolments and results), hashed at load like every learner id. An e-mail recipient
  (hashed or plain) cannot be matched to a learner and is never stored: the row is quarantined ("<e-mail>@").
- course: the badge class's first alignment `targetCode` (2.0), the achievement's `humanCode` or first alignment
  `targetCode` (3.0).
- issued: 2.0 `issuedOn`, 3.0 `validFrom` (or `issuanceDate`), converted to Malaysia time.
- revoked: `revoked: true` in the export (a hosted 2.0 assertion's own flag; for 3.0 the export's flag, the
  status list is not fetched).
- line (in the quarantine): the assertion's number plus one, as if the file had a header line like every CSV
  source (for JSON Lines without blank lines: the line number plus one).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from core.contracts import OPEN_BADGES, Contract
from core.errors import SourceFileError

SOURCE = OPEN_BADGES.name
_JSON_EXT = re.compile(r"\.jsonl?(\.gz)?$", re.IGNORECASE)
MALAYSIA = dt.timezone(dt.timedelta(hours=8))
EMAIL_PLACEHOLDER = "<e-mail>@"  # stands in for an e-mail recipient: the rule quarantines it, the address is never kept


def strip_json_ext(name: str) -> str | None:
    """The file name without .json / .jsonl (/.gz), or None when it is not one."""
    match = _JSON_EXT.search(name)
    return name[: match.start()] if match else None


def _open_text(path: Path, rel: str) -> str:
    try:
        raw = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            raw = gzip.decompress(raw)
        return raw.decode("utf-8-sig")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise SourceFileError(rel, None, None, f"cannot be read ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise SourceFileError(rel, None, None, f"is not UTF-8 (byte {exc.start}); export it as UTF-8 JSON") from exc


def read_assertions(path: Path, rel: str) -> Iterator[tuple[int, Any]]:
    """(line, assertion object) for each assertion in the file; malformed JSON raises SourceFileError."""
    text = _open_text(path, rel)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".json") and text.lstrip()[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":  # several objects, one per line: JSON Lines named .json
                raise SourceFileError(rel, exc.lineno, None, f"not valid JSON: {exc.msg}") from exc
        else:
            items = data.get("assertions", data.get("credentials", [data])) if isinstance(data, dict) else data
            if not isinstance(items, list):
                raise SourceFileError(rel, None, None, "expected a JSON array of Open Badges assertions")
            for i, item in enumerate(items, start=1):
                yield i + 1, item
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number + 1, json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceFileError(rel, number, None, f"not valid JSON: {exc.msg}") from exc


def _types(obj: Any) -> list[str]:
    kind = obj.get("type", []) if isinstance(obj, dict) else []
    return [kind] if isinstance(kind, str) else list(kind)


def _timestamp(value: Any) -> str | None:
    """ISO 8601 in any zone -> 'YYYY-MM-DD HH:MM:SS' Malaysia time (a value that does not parse is passed on,
    for the contract to quarantine)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(MALAYSIA).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%d %H:%M:%S")


def _first_code(alignments: Any) -> str | None:
    if isinstance(alignments, list):
        for a in alignments:
            if isinstance(a, dict) and a.get("targetCode"):
                return str(a["targetCode"])
    return None


def _learner(identity: Any, kind: Any, hashed: Any) -> str | None:
    if identity is None or identity == "":
        return None
    if hashed is True or str(kind).lower() in {"email", "emailaddress"} or "@" in str(identity):
        return EMAIL_PLACEHOLDER
    return str(identity)


def flatten(obj: Any) -> dict[str, str | None]:
    """One assertion (2.0) or credential (3.0) as the contract's columns."""
    if not isinstance(obj, dict):
        return {c.name: None for c in OPEN_BADGES.columns}
    if "OpenBadgeCredential" in _types(obj) or "AchievementCredential" in _types(obj) or "credentialSubject" in obj:
        subject = obj.get("credentialSubject") or {}
        achievement = subject.get("achievement") or {}
        learner = None
        for ident in subject.get("identifier") or []:
            if isinstance(ident, dict) and str(ident.get("identityType", "")).lower() == "studentid":
                learner = _learner(ident.get("identityHash"), "id", ident.get("hashed"))
                break
            if isinstance(ident, dict) and learner is None:
                learner = _learner(ident.get("identityHash"), ident.get("identityType"), ident.get("hashed"))
        return {
            "assertion_id": obj.get("id"),
            "spec_version": "3.0",
            "badge_name": achievement.get("name") or obj.get("name"),
            "course_code": achievement.get("humanCode") or _first_code(achievement.get("alignment")),
            "learner_id": learner,
            "issued_at": _timestamp(obj.get("validFrom") or obj.get("issuanceDate")),
            "is_revoked": "true" if obj.get("revoked") is True else "false",
        }
    recipient = obj.get("recipient") or {}
    badge = obj.get("badge") if isinstance(obj.get("badge"), dict) else {}
    return {
        "assertion_id": obj.get("id"),
        "spec_version": "2.0",
        "badge_name": badge.get("name"),
        "course_code": _first_code(badge.get("alignment")),
        "learner_id": _learner(recipient.get("identity"), recipient.get("type"), recipient.get("hashed")),
        "issued_at": _timestamp(obj.get("issuedOn")),
        "is_revoked": "true" if obj.get("revoked") is True else "false",
    }


def stage(con: duckdb.DuckDBPyConnection, table: str, contract: Contract, files: list[tuple[Path, str]]) -> None:
    """The files' assertions into the temp table `table` (the contract's columns as text, plus filename), each
    file's rows together and in order (as the line numbers need)."""
    names = [c.name for c in contract.columns]
    columns: dict[str, list[str | None]] = {n: [] for n in [*names, "filename"]}
    for path, rel in files:
        for _line, obj in read_assertions(path, rel):
            row = flatten(obj)
            for n in names:
                value = row.get(n)
                columns[n].append(None if value is None else str(value))
            columns["filename"].append(str(path))
    arrow = pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()})
    con.register("_open_badges_rows", arrow)
    try:
        con.execute(f"create or replace temp table {table} as select * from _open_badges_rows")  # noqa: S608
    finally:
        con.unregister("_open_badges_rows")


__all__ = ["SOURCE", "flatten", "read_assertions", "stage", "strip_json_ext"]
