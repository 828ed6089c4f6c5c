"""What a subscription's message says: the headline figures against target (with the run-rate forecast), a link to
the dashboard view with the same figures, and the report attached, all built under the recipient's scope.

    digest = build_digest(warehouse, subscription, settings)   # -> Digest(subject, text, html, attachments, ...)

The recipient's role and PTjs become an `AccessScope` through `read.access.scope_for`, the same as a
signed-in user's; the targets come through `read.access.run_scoped` (the dashboard's guard) and the
attachment from `read.report` with that scope, so a dean's copy holds only their PTjs. Figures come from
queries/kpi/target_progress.sql; nothing here computes one. No streamlit import.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from core import words as i18n
from core.config import Settings
from read.access import Identity, may_download_report, run_scoped, scope_for
from read.kpi import MALAYSIA, KpiFilters, get_kpi, today_in_malaysia
from read.mail import Attachment
from read.report import (
    MIME_TYPES,
    REPORT_TIMEOUT_S,
    Report,
    collect_report,
    format_value,
    render,
    report_filename,
)
from read.subscriptions import Subscription
from read.warehouse import Warehouse

# Words of the message (English, Malay); KPI titles and statuses come from the KPI files and core.words.
_TEXT: dict[str, tuple[str, str]] = {
    "subject.report": ("mckpi: ministry report {year} – {scope}", "mckpi: laporan kementerian {year} – {scope}"),
    "subject.overview": ("mckpi: scorecard {year} – {scope}", "mckpi: kad skor {year} – {scope}"),
    "university": ("University", "Universiti"),
    "as_of": ("Data as of {when} (ETL run {run}).", "Data setakat {when} (larian ETL {run})."),
    "targets": ("Targets {year}", "Sasaran {year}"),
    "no_targets": ("No targets for {year} in your scope.", "Tiada sasaran bagi {year} dalam skop anda."),
    "line": ("{value} of {target} ({pct} achieved; expected by now {expected})",
             "{value} daripada {target} ({pct} tercapai; dijangka setakat ini {expected})"),
    "forecast": ("forecast at 31 Dec (run-rate): {value} ({pct})", "ramalan pada 31 Dis (kadar semasa): {value} ({pct})"),
    "short": ("{short} short; at this pace the target is reached on {when}",
              "kurang {short}; pada kadar ini sasaran dicapai pada {when}"),
    "short_closed": ("{short} short", "kurang {short}"),
    "link": ("Open the same figures in the dashboard:", "Buka angka yang sama dalam papan pemuka:"),
    "attached": ("Attached:", "Dilampirkan:"),
    "scope_note": ("Built for {role} ({scope}): the figures you see when signed in.",
                   "Disediakan untuk {role} ({scope}): angka yang anda lihat apabila log masuk."),
    "demo": ("DEMO DATA: not real figures.", "DATA DEMO: bukan angka sebenar."),
    "footer": ("Sent by mckpi (subscription {id}). To stop it, ask the MC office to run `mckpi subscribe remove {id}`.",
               "Dihantar oleh mckpi (langganan {id}). Untuk berhenti, minta pejabat MC menjalankan "
               "`mckpi subscribe remove {id}`."),
}
MONEY_TARGETS = frozenset({"net_revenue"})


def tr(key: str, lang: str, **values: Any) -> str:
    text = _TEXT[key][1 if lang == "ms" else 0]
    return text.format(**values) if values else text


class DigestError(ValueError):
    """The subscription cannot be built (its role may not have the report, no warehouse, ...)."""


@dataclass(frozen=True)
class TargetLine:
    kpi_id: str
    title: str
    scope: str  # "University" or the PTj code
    status: str | None
    text: str  # the figures, in the subscription's language


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...]
    link: str
    year: int
    scope_codes: tuple[str, ...]  # the PTjs of the attachment; () = the whole university
    etl_run_id: str
    lines: tuple[TargetLine, ...]

    @property
    def size(self) -> int:
        return sum(len(a.data) for a in self.attachments)


def _title(kpi_id: str, lang: str) -> str:
    if kpi_id in MONEY_TARGETS:
        return f"{i18n.t('kpi.net_revenue', lang)} (RM)"
    try:
        return get_kpi(kpi_id).title(lang)
    except ValueError:
        return i18n.t(f"kpi.{kpi_id}", lang) if i18n.has(f"kpi.{kpi_id}") else kpi_id


def _number(value: Any, money: bool, lang: str) -> str:
    if value is None:
        return format_value(None, "int", lang)
    if money:
        return format_value(Decimal(value).quantize(Decimal("0.01")), "rm", lang)
    number = Decimal(value)
    # Counts are whole; a run-rate forecast of a count keeps its two decimals only when it has them.
    return format_value(int(number), "int", lang) if number == number.to_integral() else f"{number:,.2f}"


def _pct(value: Any, lang: str) -> str:
    return format_value(None if value is None else float(value), "pct", lang)


def target_lines(rows: list[dict[str, Any]], lang: str, *, closed: bool = False) -> list[TargetLine]:
    """One line per measured target; `closed` (a past year): no forecast, only what was missed."""
    lines = []
    for r in rows:
        if r.get("value") is None:  # a target the SQL does not measure
            continue
        money = r["kpi_id"] in MONEY_TARGETS
        parts = [tr("line", lang, value=_number(r["value"], money, lang), target=_number(r["target_value"], money, lang),
                    pct=_pct(r["pct_achieved"], lang), expected=_pct(r["expected_pct"], lang))]
        if r.get("forecast_value") is not None and not closed:
            parts.append(tr("forecast", lang, value=_number(r["forecast_value"], money, lang),
                            pct=_pct(r["forecast_pct"], lang)))
        if r.get("forecast_value") is not None:
            short = r.get("forecast_shortfall")
            if short:
                reach = r.get("forecast_reach_on")
                parts.append(tr("short", lang, short=_number(short, money, lang), when=reach.isoformat())
                             if reach else tr("short_closed", lang, short=_number(short, money, lang)))
        status = r.get("status")
        lines.append(TargetLine(r["kpi_id"], _title(r["kpi_id"], lang),
                                tr("university", lang) if r["scope"] == "university" else str(r["ptj_code"]),
                                status, "; ".join(parts)))
    return lines


def _status_text(status: str | None, lang: str) -> str:
    return i18n.t(f"status.{status}", lang) if status and i18n.has(f"status.{status}") else i18n.t("status.no_target", lang)


def dashboard_link(base_url: str, year: int, codes: tuple[str, ...], lang: str) -> str:
    """The Overview with the same filters in the address (dashboard/ui.py reads year, ptj and lang)."""
    params = {"year": str(year), "lang": lang}
    if codes:
        params["ptj"] = ",".join(codes)
    base = base_url.rstrip("/") or "http://localhost:8501"
    return f"{base}/?{urllib.parse.urlencode(params, safe=',')}"


def _published(info: dict[str, str]) -> dt.datetime | None:
    raw = info.get("published_at")
    if not raw:
        return None
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def build_digest(warehouse: Path | Warehouse, sub: Subscription, settings: Settings) -> Digest:
    """The message for one subscription, every figure under the recipient's scope."""
    scope = scope_for(Identity(user=sub.email, role=sub.role, ptj_codes=sub.ptj_codes, source="subscription"))
    if not may_download_report(scope):
        raise DigestError(f"subscription {sub.id}: role {sub.role} may not receive the report")
    owned = not isinstance(warehouse, Warehouse)
    if owned:
        if not Path(warehouse).exists():
            raise DigestError(f"no warehouse at {warehouse}: run `mckpi etl` first")
        # The build the path points at now: every figure of this message reads the same one.
        wh = Warehouse(Path(os.path.realpath(warehouse)), timeout_s=REPORT_TIMEOUT_S)
    else:
        wh = warehouse
    try:
        info = wh.info()
        published = _published(info)
        as_of = published.astimezone(MALAYSIA).date() if published else today_in_malaysia()
        year = sub.year or as_of.year
        report = collect_report(wh, year, lang=sub.lang, settings=settings, scope=scope)
        # The targets of the attachment's scorecard and of the linked view: a dean's PTjs' own (the PTj filter the
        # link carries), the university's and every PTj's for management.
        progress = run_scoped(wh, "target_progress", KpiFilters(year=year, ptj_codes=report.meta.ptj_codes),
                              scope=scope, settings=settings, as_of=report.meta.as_of)
        rows = [r for r in progress.table.to_pylist() if r["year"] == year]
    finally:
        if owned:
            wh.close()
    if sub.what == "overview":
        report = Report(report.meta, [report.section("scorecard"), report.section("definitions")])
    codes = report.meta.ptj_codes
    attachments = tuple(
        Attachment(report_filename(year, ptj=codes, fmt=fmt, lang=sub.lang).replace(
            "mckpi-report", "mckpi-scorecard" if sub.what == "overview" else "mckpi-report"), MIME_TYPES[fmt],
            render(report, fmt))
        for fmt in sub.formats
    )
    lines = tuple(target_lines(rows, sub.lang, closed=year < report.meta.as_of.year))
    link = dashboard_link(settings.mail.dashboard_url, year, codes, sub.lang)
    scope_text = report.meta.scope_label
    subject = tr(f"subject.{sub.what}", sub.lang, year=year, scope=", ".join(codes) or tr("university", sub.lang))
    return Digest(subject, _text(sub, report, lines, link, attachments, scope_text),
                  _html(sub, report, lines, link, attachments, scope_text), attachments, link, year, codes,
                  report.meta.etl_run_id, lines)


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} kB" if n >= 1024 else f"{n} B"


def _text(sub: Subscription, report: Report, lines: tuple[TargetLine, ...], link: str,
          attachments: tuple[Attachment, ...], scope_text: str) -> str:
    lang, meta = sub.lang, report.meta
    out = [meta.title + f" {meta.year} – {scope_text}"]
    if meta.is_demo:
        out.append(tr("demo", lang))
    out += [tr("as_of", lang, when=meta.published_local, run=meta.etl_run_id), "",
            tr("targets", lang, year=meta.year)]
    if not lines:
        out.append(tr("no_targets", lang, year=meta.year))
    for line in lines:
        out.append(f"- {line.title} [{line.scope}]: {_status_text(line.status, lang).upper()}")
        out.append(f"  {line.text}")
    out += ["", tr("link", lang), link, "", tr("attached", lang)]
    out += [f"- {a.filename} ({_size(len(a.data))})" for a in attachments]
    out += ["", tr("scope_note", lang, role=sub.role, scope=sub.scope_label), "-- ", tr("footer", lang, id=sub.id)]
    return "\n".join(out) + "\n"


_STATUS_COLOURS = {"on_track": "#1b7f3b", "at_risk": "#b26a00", "behind": "#b00020", "not_started": "#555555"}


def _html(sub: Subscription, report: Report, lines: tuple[TargetLine, ...], link: str,
          attachments: tuple[Attachment, ...], scope_text: str) -> str:
    lang, meta = sub.lang, report.meta
    rows = "".join(
        f'<tr><td style="padding:4px 8px">{escape(line.title)}</td><td style="padding:4px 8px">{escape(line.scope)}</td>'
        f'<td style="padding:4px 8px;font-weight:bold;color:{_STATUS_COLOURS.get(line.status or "", "#555555")}">'
        f'{escape(_status_text(line.status, lang))}</td><td style="padding:4px 8px">{escape(line.text)}</td></tr>'
        for line in lines
    ) or f'<tr><td colspan="4">{escape(tr("no_targets", lang, year=meta.year))}</td></tr>'
    files = "".join(f"<li>{escape(a.filename)} ({escape(_size(len(a.data)))})</li>" for a in attachments)
    demo = f'<p style="color:#b00020"><b>{escape(tr("demo", lang))}</b></p>' if meta.is_demo else ""
    return (
        f'<!doctype html><html lang="{lang}"><body style="font-family:sans-serif;font-size:14px">'
        f"<h2>{escape(meta.title)} {meta.year} – {escape(scope_text)}</h2>{demo}"
        f"<p>{escape(tr('as_of', lang, when=meta.published_local, run=meta.etl_run_id))}</p>"
        f"<h3>{escape(tr('targets', lang, year=meta.year))}</h3>"
        f'<table style="border-collapse:collapse" border="1">{rows}</table>'
        f'<p>{escape(tr("link", lang))} <a href="{escape(link, quote=True)}">{escape(link)}</a></p>'
        f"<p>{escape(tr('attached', lang))}</p><ul>{files}</ul>"
        f'<p style="color:#555555">{escape(tr("scope_note", lang, role=sub.role, scope=sub.scope_label))}<br>'
        f"{escape(tr('footer', lang, id=sub.id))}</p></body></html>"
    )


__all__ = ["Digest", "DigestError", "TargetLine", "build_digest", "dashboard_link", "target_lines"]
