"""Send what is due: the subscriptions whose period has not been sent, then the alert rules' changes.

    run = send_due(settings)                     # the timer: `mckpi subscribe send`
    run = send_due(settings, ids=["dean-fbe"])   # these now, whatever their schedule
    after_refresh(settings)                      # `mckpi refresh` after publishing: never raises, never fails it

One message per recipient, its attachment built under that recipient's scope (etl/digest.py). Each send is
written to the audit log (event `subscription_send`: who, what, scope, size, result, attempts, error) and to
`paths.mail_state`; a failed send is retried with backoff within the run (etl/mail.py) and stays due, so the
next run tries it again; `mckpi status` lists the subscriptions whose last send failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from dashboard.audit import write_event
from dashboard.kpi import MALAYSIA, KpiError
from etl.alerts import AlertEvent, check_alerts, load_rules
from etl.config import Settings
from etl.digest import DigestError, build_digest
from etl.mail import build_message, check_settings, send_message
from etl.mail_state import read_state, sender_lock, write_state
from etl.publish import published_run_id
from etl.report import ReportError
from etl.subscriptions import Subscription, SubscriptionError, all_subscriptions, due, period

log = logging.getLogger("mckpi.sender")


@dataclass(frozen=True)
class SendResult:
    subscription: Subscription
    period: str
    ok: bool
    attempts: int
    size: int = 0
    error: str = ""


@dataclass
class SendRun:
    results: list[SendResult] = field(default_factory=list)
    alerts: list[AlertEvent] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and all(a.ok for a in self.alerts)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def send_subscription(settings: Settings, sub: Subscription, period_key: str, *,
                      sleep: Callable[[float], None] = time.sleep, env: Mapping[str, str] | None = None) -> SendResult:
    """Build and send one subscription's message; audit it. Never raises for a send or build failure."""
    size, attempts, error, scope = 0, 0, "", sub.scope_label
    try:
        check_settings(settings.mail)
        digest = build_digest(settings.paths.warehouse, sub, settings)
        size = digest.size
        message = build_message(settings.mail, to=sub.email, subject=digest.subject, text=digest.text,
                                html=digest.html, attachments=digest.attachments)
        delivery = send_message(settings.mail, message, sleep=sleep, env=env)
        attempts, error = delivery.attempts, delivery.error
        ok = delivery.ok
    except (DigestError, ReportError, KpiError, duckdb.Error, OSError, ValueError) as exc:
        ok, error = False, f"not built: {exc}"
    write_event("subscription_send", user=sub.email, role=sub.role, path=settings.paths.audit,
                subscription=sub.id, what=sub.what, formats=list(sub.formats), lang=sub.lang, scope=scope,
                period=period_key, size=size, attempts=attempts, result="sent" if ok else "failed",
                error=error or None)
    if ok:
        log.info("subscription %s sent to %s (%s, %s bytes)", sub.id, sub.email, period_key, f"{size:,}")
    else:
        log.error("subscription %s to %s failed: %s", sub.id, sub.email, error)
    return SendResult(sub, period_key, ok, attempts, size, error)


def _record(entry: dict[str, Any], result: SendResult, when: dt.datetime) -> None:
    stamp = when.isoformat(timespec="seconds")
    entry["last_attempt_at"] = stamp
    entry["last_result"] = "sent" if result.ok else "failed"
    if result.ok:
        entry.update(last_period=result.period, last_sent_at=stamp, failures=0, last_error="", size=result.size)
    else:
        entry.update(failures=int(entry.get("failures") or 0) + 1, last_error=result.error,
                     failed_period=result.period)


def send_due(settings: Settings, *, ids: Iterable[str] | None = None, alerts: bool = True,
             now: dt.datetime | None = None, sleep: Callable[[float], None] = time.sleep,
             env: Mapping[str, str] | None = None) -> SendRun:
    """Send the due subscriptions (or those in `ids`, now), then check the alert rules. Raises SenderBusy when
    another sender runs and SubscriptionError for a bad subscription or rule (nothing is sent then)."""
    now = now or _now()
    today = now.astimezone(MALAYSIA).date()
    subs = all_subscriptions(settings)
    wanted = list(ids or ())
    if unknown := [i for i in wanted if i not in {s.id for s in subs}]:
        raise SubscriptionError(f"no subscription {unknown[0]!r} (see `mckpi subscribe list`)")
    if alerts:
        load_rules(settings)  # a bad rule stops the run before anything is sent (AlertRuleError)
    state_path = settings.paths.mail_state
    run = SendRun()
    with sender_lock(state_path):
        state = read_state(state_path)
        run_id = published_run_id(settings.paths.warehouse)
        for sub in subs:
            entry = state["subscriptions"].setdefault(sub.id, {})
            if wanted:
                if sub.id not in wanted:
                    continue
                key = period(sub, today, run_id, settings) or f"manual-{today.isoformat()}"
            else:
                key = due(sub, entry, today, run_id, settings)
                if key is None:
                    continue
            result = send_subscription(settings, sub, key, sleep=sleep, env=env)
            _record(entry, result, _now())
            write_state(state_path, state)  # after each send: a crash later does not send this one twice
            run.results.append(result)
        if alerts:
            run.alerts = check_alerts(settings, state, now=now, sleep=sleep, env=env)
            write_state(state_path, state)
    return run


def after_refresh(settings: Settings, **kwargs: Any) -> SendRun | None:
    """The sends a successful refresh triggers (subscriptions due, alert changes). Never raises: the refresh has
    published already and its exit code stays its own; a failure is recorded, logged and shown by `mckpi status`."""
    if not settings.mail.host.strip() and not settings.notify.webhook_url.strip():
        return None
    try:
        run = send_due(settings, **kwargs)
    except Exception as exc:  # noqa: BLE001 - sending must never fail the refresh
        log.error("subscriptions and alerts not sent after the refresh: %s", exc)
        return None
    if run.results or run.alerts:
        failed = sum(not r.ok for r in run.results) + sum(not a.ok for a in run.alerts)
        log.info("after the refresh: %d subscription(s) sent, %d alert change(s), %d failed",
                 sum(r.ok for r in run.results), len(run.alerts), failed)
    return run


def failed_sends(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """(subscription id, state) of each subscription whose last send failed, and alert notifications pending."""
    try:
        state = read_state(settings.paths.mail_state)
    except (OSError, ValueError) as exc:
        return [("(state)", {"last_error": str(exc), "failures": 0})]
    out = [(sid, e) for sid, e in sorted(state["subscriptions"].items()) if e.get("last_result") == "failed"]
    out += [(f"alert {rid}", {"last_error": e.get("last_error"), "failures": 1, "last_attempt_at": e.get("since")})
            for rid, e in sorted(state["alerts"].items()) if not e.get("notified", True)]
    return out


__all__ = ["SendResult", "SendRun", "after_refresh", "failed_sends", "send_due", "send_subscription"]
