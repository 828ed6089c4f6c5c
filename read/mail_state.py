"""What the senders remember between runs (`paths.mail_state`, JSON): each subscription's last send and failures,
each alert rule's state. Written whole and renamed into place (never half a file); one sender at a time holds
`<state dir>/.send.lock` (flock), so the refresh's sends and the timer's cannot both send the same message.

    {"subscriptions": {"dean-fbe": {"last_period": "2026-12", "last_sent_at": "...", "last_result": "sent",
                                    "failures": 0, "last_error": ""}},
     "alerts": {"enrolments-pace": {"state": "firing", "since": "...", "notified": true, "detail": "..."}}}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from core.locks import held_lock

LOCK_NAME = ".send.lock"


class SenderBusy(RuntimeError):
    """Another `mckpi subscribe send` (or a refresh's sends) is running."""


def read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {"subscriptions": {}, "alerts": {}}
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); move it aside to start afresh") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    data.setdefault("subscriptions", {})
    data.setdefault("alerts", {})
    return data


def write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh, indent=1, sort_keys=True, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sender_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the senders' lock (beside the state file) or raise SenderBusy at once."""
    lock = path.parent / LOCK_NAME
    return held_lock(lock, {"pid": os.getpid()}, mode=0o600,
                     busy=lambda holder: SenderBusy(f"another mckpi sender holds {lock}"))


__all__ = ["SenderBusy", "read_state", "sender_lock", "write_state"]
