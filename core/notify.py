"""Failure notifications: POST a small JSON message to `settings.notify.webhook_url` (off when it is empty).

    notify_failure(settings, run_id="20261123T183000Z-1a2b", message="courses/courses.csv: line 1: ...")

The body is {"run_id", "status", "message", "host", "at", "text"}: the first five for whatever consumes it, `text`
(one readable sentence) because chat webhooks (Slack, Mattermost, Google Chat, ...) show that field.
Standard library only (urllib), 5 s timeout, http(s) only. It never raises: a notification that cannot be sent
is logged as a warning (with the webhook's host only: the URL's path or query often holds a secret token), and
the refresh goes on to report its own failure as usual.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

from core.config import Settings

log = logging.getLogger("mckpi.notify")

TIMEOUT_SECONDS = 5.0


def _redacted(url: str) -> str:
    """scheme://host[:port] of a webhook URL, for log lines (never the path or query: they carry tokens)."""
    try:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or '?'}{f':{parts.port}' if parts.port else ''}"
    except ValueError:
        return "the webhook URL"


def build_payload(run_id: str | None, status: str, message: str, host: str | None = None) -> dict[str, str]:
    host = host or socket.gethostname()
    return {
        "run_id": run_id or "",
        "status": status,
        "message": message,
        "host": host,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "text": f"mckpi refresh {status} on {host} (run {run_id or '-'}): {message}",
    }


def post_json(url: str, payload: dict[str, str], *, timeout: float = TIMEOUT_SECONDS) -> bool:
    """POST `payload` as JSON; True on a 2xx answer. Never raises."""
    where = _redacted(url)
    try:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            log.warning(
                "notification not sent: notify.webhook_url must be an http(s) URL (got %s:...)", scheme
            )
            return False
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "mckpi-refresh"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            code = response.status
        if 200 <= code < 300:
            log.info("failure notification sent to %s", where)
            return True
        log.warning("failure notification to %s answered HTTP %s", where, code)
    except urllib.error.HTTPError as exc:
        log.warning("failure notification to %s failed: HTTP %s %s", where, exc.code, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a notification must never break the refresh
        reason = getattr(exc, "reason", None) or exc
        log.warning("failure notification to %s failed: %s", where, str(reason).strip() or type(exc).__name__)
    return False


def notify_failure(
    settings: Settings, *, run_id: str | None, message: str, status: str = "failed"
) -> bool | None:
    """Post a failure to the configured webhook. None when notifications are off, else whether it was sent."""
    url = (settings.notify.webhook_url or "").strip()
    if not url:
        return None
    try:
        payload = build_payload(run_id, status, message)
    except Exception as exc:  # noqa: BLE001 - gethostname cannot really fail, but never raise from here
        log.warning("failure notification not sent: %s", exc)
        return False
    return post_json(url, payload)


__all__ = ["TIMEOUT_SECONDS", "build_payload", "notify_failure", "post_json"]
