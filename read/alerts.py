"""Alert rules (`[[alert]]` in mckpi.toml): evaluate each, and tell its recipients once when its state changes
(ok -> firing) and once when it recovers (firing -> ok), by e-mail and/or the refresh-failure webhook.

| kind               | fires when                                                                          |
|--------------------|-------------------------------------------------------------------------------------|
| `target_status`    | a target's status (target_progress.sql) is one of `statuses` (default at_risk, behind) |
| `threshold`        | a KPI's university figure for the year (`kpi`, `column`) is below `below` / above `above` |
| `freshness`        | the published data is older than `max_age_hours` (default freshness.max_age_hours)  |
| `quarantine_share` | the published run quarantined more than `max_pct` % of the rows it read             |

Rules are set by whoever runs mckpi and read as management (every PTj): a rule's message carries only the one
figure it is about (a university figure, or the PTj target it names), never learner-level rows. The year is the
current one (Malaysia time) unless the rule gives `year`. A rule that cannot be evaluated (no such target yet, a
KPI error) keeps its state ("unknown" is not a change). The state and whether the message got out live in
`paths.mail_state`; a notification that failed is tried again at the next check, not forgotten.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from core.config import Settings
from core.notify import post_json
from core.runlog import read_runs, runlog_path
from read.audit import write_event
from read.digest import dashboard_link, target_lines
from read.kpi import MALAYSIA, KpiError, KpiFilters, get_kpi, run_kpi
from read.mail import build_message, send_message, valid_address
from read.subscriptions import SubscriptionError, config_tables
from read.warehouse import Warehouse

log = logging.getLogger("mckpi.alerts")

KINDS = ("target_status", "threshold", "freshness", "quarantine_share")
CHANNELS = ("email", "webhook")
STATUSES = ("on_track", "at_risk", "behind", "not_started")
FIRING, OK, UNKNOWN = "firing", "ok", "unknown"


class AlertRuleError(SubscriptionError):
    """An [[alert]] table that does not make sense (the message names the rule and the key)."""


@dataclass(frozen=True)
class AlertRule:
    id: str
    kind: str
    recipients: tuple[str, ...] = ()
    channels: tuple[str, ...] = ("email",)
    kpi: str | None = None
    ptj: str | None = None
    statuses: tuple[str, ...] = ("at_risk", "behind")
    column: str | None = None
    below: float | None = None
    above: float | None = None
    max_age_hours: float | None = None
    max_pct: float | None = None
    year: int | None = None


@dataclass(frozen=True)
class Evaluation:
    rule: AlertRule
    state: str  # firing | ok | unknown
    detail: str  # the figure, one line


@dataclass(frozen=True)
class AlertEvent:
    rule_id: str
    change: str  # firing | recovered
    detail: str
    ok: bool  # every channel got it
    errors: tuple[str, ...] = ()


def _number(value: Any, key: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AlertRuleError(f"{where}: {key} {value!r}: expected a number")
    try:
        return float(value)
    except ValueError as exc:
        raise AlertRuleError(f"{where}: {key} {value!r}: expected a number") from exc


def make_rule(data: Mapping[str, Any], *, where: str) -> AlertRule:
    known = {"id", "kind", "recipients", "channels", "kpi", "ptj", "statuses", "column", "below", "above",
             "max_age_hours", "max_pct", "year"}
    if unknown := sorted(set(data) - known):
        raise AlertRuleError(f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(known))}")
    rid = str(data.get("id") or "").strip()
    if not rid:
        raise AlertRuleError(f"{where}: every alert needs an id")
    where = f"{where} ({rid})"
    kind = str(data.get("kind") or "")
    if kind not in KINDS:
        raise AlertRuleError(f"{where}: kind {kind!r}: expected one of {', '.join(KINDS)}")
    recipients = tuple(str(r).strip() for r in data.get("recipients") or ())
    if bad := [r for r in recipients if not valid_address(r)]:
        raise AlertRuleError(f"{where}: recipients: {bad[0]!r} is not an e-mail address")
    channels = tuple(str(c) for c in data.get("channels") or ("email",))
    if not channels or any(c not in CHANNELS for c in channels):
        raise AlertRuleError(f"{where}: channels {list(channels)!r}: expected email and/or webhook")
    if "email" in channels and not recipients:
        raise AlertRuleError(f"{where}: channel email needs recipients")
    statuses = tuple(str(s) for s in data.get("statuses") or ("at_risk", "behind"))
    if bad := [s for s in statuses if s not in STATUSES]:
        raise AlertRuleError(f"{where}: statuses: {bad[0]!r}: expected some of {', '.join(STATUSES)}")
    rule = AlertRule(
        rid, kind, recipients, channels, kpi=(str(data["kpi"]) if data.get("kpi") else None),
        ptj=(str(data["ptj"]).upper() if data.get("ptj") else None), statuses=statuses,
        column=(str(data["column"]) if data.get("column") else None), below=_number(data.get("below"), "below", where),
        above=_number(data.get("above"), "above", where),
        max_age_hours=_number(data.get("max_age_hours"), "max_age_hours", where),
        max_pct=_number(data.get("max_pct"), "max_pct", where),
        year=int(data["year"]) if data.get("year") is not None else None,
    )
    if kind in ("target_status", "threshold") and not rule.kpi:
        raise AlertRuleError(f"{where}: kind {kind} needs kpi")
    if kind == "threshold":
        if not rule.column or (rule.below is None) == (rule.above is None):
            raise AlertRuleError(f"{where}: kind threshold needs column and one of below / above")
        try:
            get_kpi(rule.kpi or "")
        except KpiError as exc:
            raise AlertRuleError(f"{where}: {exc}") from exc
    if kind == "quarantine_share" and rule.max_pct is None:
        raise AlertRuleError(f"{where}: kind quarantine_share needs max_pct")
    return rule


def load_rules(settings: Settings) -> list[AlertRule]:
    rules = [make_rule(t, where=f"{settings.config_path}: [[alert]] {n}")
             for n, t in enumerate(config_tables(settings, "alert"), start=1)]
    ids = [r.id for r in rules]
    if dupes := sorted({i for i in ids if ids.count(i) > 1}):
        raise AlertRuleError(f"{settings.config_path}: alert id {dupes[0]!r} is used twice")
    return rules


# --- evaluating --------------------------------------------------------------------------------------------


def _published_at(info: Mapping[str, str]) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(info.get("published_at") or "")
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _fmt(value: Any) -> str:
    if isinstance(value, Decimal | int) or (isinstance(value, float) and value.is_integer()):
        return f"{Decimal(value):,.2f}".removesuffix(".00")
    return f"{value:,.1f}" if isinstance(value, float) else str(value)


def evaluate(rule: AlertRule, settings: Settings, wh: Warehouse | None, now: dt.datetime) -> Evaluation:
    """The rule's state now (`now` aware; its Malaysia date is the day the targets' pace is measured on)."""
    today = now.astimezone(MALAYSIA).date()
    year = rule.year or today.year
    if rule.kind == "freshness":
        limit = rule.max_age_hours if rule.max_age_hours is not None else settings.freshness.max_age_hours
        published = _published_at(wh.info()) if wh is not None else None
        if published is None:
            return Evaluation(rule, FIRING, "no warehouse is published")
        hours = (now - published).total_seconds() / 3600
        state = FIRING if hours > limit else OK
        return Evaluation(rule, state, f"the published data is {hours:.0f} h old (limit {limit:g} h)")
    if wh is None:
        return Evaluation(rule, UNKNOWN, "no warehouse is published")
    if rule.kind == "quarantine_share":
        run_id = wh.info().get("etl_run_id")
        run = next((r for r in read_runs(runlog_path(settings.paths.warehouse)) if r.get("run_id") == run_id), None)
        if run is None or not int(run.get("rows_read") or 0):
            return Evaluation(rule, UNKNOWN, f"no rows read by the published run {run_id}")
        read, quarantined = int(run["rows_read"]), int(run.get("rows_quarantined") or 0)
        pct = 100.0 * quarantined / read
        state = FIRING if pct > (rule.max_pct or 0.0) else OK
        return Evaluation(rule, state, f"run {run_id} quarantined {quarantined:,} of {read:,} rows read "
                                       f"({pct:.1f}%; limit {rule.max_pct:g}%)")
    if rule.kind == "target_status":
        result = run_kpi(wh, "target_progress", KpiFilters(year=year), settings=settings,
                         as_of=today)
        row = next((r for r in result.table.to_pylist() if r["kpi_id"] == rule.kpi
                    and (r["ptj_code"] == rule.ptj if rule.ptj else r["scope"] == "university")), None)
        if row is None or row.get("status") is None:
            return Evaluation(rule, UNKNOWN, f"no measured {year} target for {rule.kpi} ({rule.ptj or 'university'})")
        line = target_lines([row], "en", closed=year < today.year)[0]
        state = FIRING if row["status"] in rule.statuses else OK
        return Evaluation(rule, state, f"{line.title} [{line.scope}] {year}: {row['status'].replace('_', ' ')}; "
                                       f"{line.text}")
    result = run_kpi(wh, rule.kpi or "", KpiFilters(year=year), settings=settings, as_of=today)
    rows = [r for r in result.table.to_pylist() if r.get("year") in (None, year)]
    value = rows[0].get(rule.column or "") if rows else None
    if value is None:
        return Evaluation(rule, UNKNOWN, f"{rule.kpi}.{rule.column} has no {year} value")
    fires = (rule.below is not None and float(value) < rule.below) or (
        rule.above is not None and float(value) > rule.above)
    bound = f"below {rule.below:g}" if rule.below is not None else f"above {rule.above:g}"
    return Evaluation(rule, FIRING if fires else OK,
                      f"{get_kpi(rule.kpi or '').title('en')} ({rule.column}) {year}: {_fmt(value)} "
                      f"(fires {bound})")


# --- telling -----------------------------------------------------------------------------------------------


def _notify(settings: Settings, ev: Evaluation, change: str, *, sleep: Callable[[float], None],
            env: Mapping[str, str] | None) -> list[str]:
    """Send on every channel of the rule; the errors (empty when all got it)."""
    rule, errors = ev.rule, []
    word = "ALERT" if change == FIRING else "RECOVERED"
    subject = f"mckpi {word}: {rule.id}"
    link = dashboard_link(settings.mail.dashboard_url, rule.year or dt.datetime.now(MALAYSIA).year,
                          (rule.ptj,) if rule.ptj else (), "en")
    if change == FIRING:
        text = f"The alert rule {rule.id} ({rule.kind}) fires:\n\n  {ev.detail}\n"
    else:
        text = f"The alert rule {rule.id} ({rule.kind}) has recovered:\n\n  {ev.detail}\n"
    text += f"\nDashboard: {link}\n-- \nSent by mckpi once per change of state (rules: [[alert]] in mckpi.toml).\n"
    if "email" in rule.channels:
        for to in rule.recipients:
            message = build_message(settings.mail, to=to, subject=subject, text=text)
            delivery = send_message(settings.mail, message, sleep=sleep, env=env)
            if not delivery.ok:
                errors.append(f"{to}: {delivery.error}")
    if "webhook" in rule.channels:
        url = settings.notify.webhook_url.strip()
        payload = {"alert": rule.id, "kind": rule.kind, "status": "firing" if change == FIRING else "recovered",
                   "message": ev.detail, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                   "text": f"{subject}: {ev.detail}"}
        if not url:
            errors.append("webhook: notify.webhook_url is empty")
        elif not post_json(url, payload):
            errors.append("webhook: not delivered (see the log)")
    return errors


def check_alerts(settings: Settings, state: dict[str, Any], *, now: dt.datetime | None = None,
                 sleep: Callable[[float], None] = time.sleep, env: Mapping[str, str] | None = None) -> list[AlertEvent]:
    """Evaluate every rule and notify the changes; updates `state["alerts"]` in place (the caller saves it)."""
    rules = load_rules(settings)
    if not rules:
        return []
    now = now or dt.datetime.now(dt.UTC)
    published = settings.paths.warehouse
    wh = Warehouse(Path(os.path.realpath(published)), timeout_s=60) if published.exists() else None
    events: list[AlertEvent] = []
    alerts = state.setdefault("alerts", {})
    try:
        for rule in rules:
            try:
                ev = evaluate(rule, settings, wh, now)
            except (KpiError, duckdb.Error, OSError, ValueError) as exc:
                ev = Evaluation(rule, UNKNOWN, f"{type(exc).__name__}: {exc}")
            prev = alerts.get(rule.id)
            stamp = now.isoformat(timespec="seconds")
            if ev.state == UNKNOWN:
                log.warning("alert %s not evaluated: %s", rule.id, ev.detail)
                continue
            if prev is None and ev.state == OK:  # nothing to say about a rule that has never fired
                alerts[rule.id] = {"state": OK, "since": stamp, "notified": True, "detail": ev.detail}
                continue
            changed = prev is None or prev.get("state") != ev.state
            if not changed and prev.get("notified"):
                prev["detail"] = ev.detail
                continue
            change = FIRING if ev.state == FIRING else "recovered"
            errors = _notify(settings, ev, ev.state, sleep=sleep, env=env)
            alerts[rule.id] = {"state": ev.state, "since": stamp if changed else prev.get("since", stamp),
                               "notified": not errors, "detail": ev.detail, "last_error": "; ".join(errors)}
            write_event("alert", user=",".join(ev.rule.recipients) or None, role=None, path=settings.paths.audit,
                        rule=rule.id, kind=rule.kind, change=change, channels=list(rule.channels), detail=ev.detail,
                        result="sent" if not errors else "failed", error="; ".join(errors) or None)
            events.append(AlertEvent(rule.id, change, ev.detail, not errors, tuple(errors)))
    finally:
        if wh is not None:
            wh.close()
    return events


__all__ = ["CHANNELS", "KINDS", "AlertEvent", "AlertRule", "AlertRuleError", "Evaluation", "check_alerts",
           "evaluate", "load_rules", "make_rule"]
