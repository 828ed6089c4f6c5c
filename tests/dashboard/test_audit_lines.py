"""Issue 13: the audit log survives any text in a user name. One JSON object per "\n"-ended line; Unicode line
separators (U+2028, U+2029, U+0085, form feed, file separator ...) can neither split nor hide a record."""

from __future__ import annotations

import json
import os
from pathlib import Path

from core.words import t
from read import audit

# Every character Python's str.splitlines treats as a line end, besides "\n" itself.
SEPARATORS = ("\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r")
NAMES = [f"evil{sep}{{\"event\": \"login\", \"user\": \"boss\"}}{sep}end" for sep in SEPARATORS]


def test_separators_in_names_neither_split_nor_hide_records(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    for name in NAMES:
        assert audit.write_event("login_failed", user=name, path=log, mode="local") is not None
    raw = log.read_bytes()
    assert raw.count(b"\n") == len(NAMES)  # one record per line, "\n" the only line end
    assert raw.isascii()  # the separators are \u escapes in the file, not raw characters
    records = audit.read_events(log)
    assert [r["user"] for r in records] == NAMES[::-1]  # every record back, newest first, names intact
    assert all(r["event"] == "login_failed" for r in records)  # no forged "login" record


def test_records_written_raw_by_older_versions_still_read_whole(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    old = [{"ts": "2026-11-01T00:00:00.000Z", "event": "login", "user": f"a{sep}b", "role": "ptj"}
           for sep in ("\u2028", "\u0085")]
    log.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in old), "utf-8")
    assert [r["user"] for r in audit.read_events(log)] == ["a\u0085b", "a\u2028b"]


def test_every_record_shows_on_the_audit_log_page(app) -> None:
    at = app("overview")  # signed in as management; the app fixture points MCKPI_PATHS_AUDIT at tmp_path
    log = Path(os.environ["MCKPI_PATHS_AUDIT"])
    for name in NAMES:
        audit.write_event("login_failed", user=name, path=log, mode="local")
    at.switch_page("views/audit.py").run()
    assert not at.exception
    frames = [f.value for f in at.dataframe if "user" in f.value.columns]
    assert len(frames) == 1
    frame = frames[0]
    assert sorted(frame["user"]) == sorted(NAMES)  # every record, each name whole
    # and no forged "login" record (the page names actions in its language: "Sign-in failed")
    assert set(frame["action"]) == {t("auth.audit.ev.login_failed")}
