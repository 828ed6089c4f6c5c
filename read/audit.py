"""The dashboard's audit log: who signed in (or failed to), signed out, and downloaded what. No streamlit import.

One JSON object per line, appended to `paths.audit` (default data/audit/audit.jsonl):

    {"ts": "2026-11-23T20:41:07.123Z", "event": "download", "user": "aminah", "role": "ptj",
     "page": "revenue", "kpi": "revenue", "format": "csv", "name": "revenue-by-ptj", "filters": {...}}

Events: login, login_failed, login_locked, logout, session_expired, access_denied, download.
Writing never raises into the page (a full disk must not stop the dashboard), but it is logged. Values are
truncated so a 10,000-character filter cannot bloat the log. Records are written with every non-ASCII
character escaped (`\u2028`), so the only line break in the file is the `\n` that ends a record, and read back by
splitting on `\n` alone: a user name holding U+2028, U+2029, U+0085 or a form feed (which Python's
`str.splitlines` treats as line ends) can neither split a record nor hide the next one. The reader
(`read_events`) is for the management-only audit page.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings

log = logging.getLogger(__name__)

EVENTS = ("login", "login_failed", "login_locked", "logout", "session_expired", "access_denied", "download",
          "subscription_send", "alert")  # the last two: e-mailed reports and alert messages (etl/sender.py)
MAX_TEXT = 200
MAX_ITEMS = 50
_lock = threading.Lock()


def audit_path(settings: Settings | None = None) -> Path:
    return (settings or load_settings()).paths.audit


def _clean(value: Any, depth: int = 0) -> Any:
    """JSON-safe and bounded: long text cut, long lists cut, nested structures flattened after two levels."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        text = value.replace("\x00", "")
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    if depth >= 2:
        return _clean(str(value), depth)
    if isinstance(value, Mapping):
        return {str(k)[:60]: _clean(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    return _clean(str(value), depth)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_event(event: str, *, user: str | None = None, role: str | None = None, path: Path | None = None,
                **details: Any) -> dict[str, Any] | None:
    """Append one record. Returns it, or None when it could not be written (logged, never raised)."""
    record: dict[str, Any] = {"ts": now_utc(), "event": event, "user": _clean(user), "role": _clean(role)}
    for key, value in details.items():
        if value is not None:
            record[key] = _clean(value)
    try:
        target = path or audit_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        # ensure_ascii: U+2028, U+0085 ... become \u escapes, so "\n" is the only line end in the file.
        line = (json.dumps(record, ensure_ascii=True, default=str) + "\n").encode("ascii")
        with _lock:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)  # one write of one line with O_APPEND: lines from other processes do not mix
            finally:
                os.close(fd)
    except OSError:
        log.exception("could not write the audit log")
        return None
    return record


def read_events(path: Path | None = None, *, limit: int = 500, event: str | None = None, user: str | None = None,
                tail_bytes: int = 4 * 1024 * 1024) -> list[dict[str, Any]]:
    """The last `limit` records (newest first), optionally of one event type or one user. Reads at most the last
    `tail_bytes` of the file; lines that do not parse are skipped."""
    target = path or audit_path()
    try:
        size = target.stat().st_size
        with target.open("rb") as fh:
            fh.seek(max(size - tail_bytes, 0))
            # Split on "\n" only: str.splitlines would also break at U+2028, U+0085 ... inside older records.
            lines = [line.rstrip("\r") for line in fh.read().decode("utf-8", errors="replace").split("\n")]
    except OSError:
        return []
    if size > tail_bytes and lines:
        lines = lines[1:]  # the first line may be cut
    out: list[dict[str, Any]] = []
    for line in reversed(lines):
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if event and record.get("event") != event:
            continue
        if user and record.get("user") != user:
            continue
        out.append(record)
        if len(out) >= limit:
            break
    return out
