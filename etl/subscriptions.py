"""Report subscriptions: who gets what, when. The store and the schedule; sending is etl/sender.py.

A subscription names a recipient (e-mail address) and the role and PTjs the report is built for (a dean's copy is
built under the dean's scope, exactly what they see signed in), what (`report`: the ministry / management report;
`overview`: the Overview's scorecard only), the formats (pdf and/or xlsx), the language, and when:

| when        | due                                                                                  | period key   |
|-------------|--------------------------------------------------------------------------------------|--------------|
| `refresh`   | a warehouse was published that this subscription has not been sent                  | the ETL run  |
| `weekly`    | from weekday `day` (1 = Monday .. 7) of each ISO week                                | `2026-W49`   |
| `monthly`   | from day `day` (1 .. 28) of each month                                               | `2026-12`    |
| `reporting` | from each of the year's reporting dates (`[mail] reporting_dates`, MM-DD)            | `2026-07-15` |

Dates are Malaysia time. A subscription is due while its current period has no successful send: a failed send
stays due and the next run (the timer, or the next refresh) tries it again.

Where they live: `paths.subscriptions` (JSON, git-ignored, managed by `mckpi subscribe add|remove`) and
`[[subscription]]` tables in mckpi.toml (read-only from the CLI). Ids are unique across both.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dashboard.access import MANAGEMENT, PTJ, ROLES
from etl.config import Settings
from etl.mail import valid_address

WHATS = ("report", "overview")
FORMATS = ("pdf", "xlsx")
LANGS = ("en", "ms")
WHENS = ("refresh", "weekly", "monthly", "reporting")
# The attachments are the ministry report (revenue and workload sections inside): only the roles that may
# download it on the Overview (dashboard.access.may_download_report).
SUBSCRIBER_ROLES = (MANAGEMENT, PTJ)
_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_DATE_RE = re.compile(r"(\d{2})-(\d{2})")


class SubscriptionError(ValueError):
    """A subscription that does not make sense; the message names where it came from and what was expected."""


@dataclass(frozen=True)
class Subscription:
    id: str
    email: str
    role: str
    ptj_codes: tuple[str, ...] = ()
    what: str = "report"
    formats: tuple[str, ...] = ("pdf",)
    lang: str = "en"
    when: str = "monthly"
    day: int | None = None  # weekly: 1..7 (Monday = 1); monthly: 1..28; default 1
    year: int | None = None  # the report's year; None = the year of the data's publication (Malaysia time)
    source: str = field(default="file", compare=False)  # file | config

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("source")
        data["ptj_codes"], data["formats"] = list(self.ptj_codes), list(self.formats)
        return data

    @property
    def scope_label(self) -> str:
        return ",".join(self.ptj_codes) if self.ptj_codes else "university"

    @property
    def schedule_label(self) -> str:
        if self.when == "weekly":
            return f"weekly ({('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[(self.day or 1) - 1]})"
        if self.when == "monthly":
            return f"monthly (day {self.day or 1})"
        return "after each refresh" if self.when == "refresh" else "reporting dates"


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    raise SubscriptionError(f"expected a list of text, found {value!r}")


def make_subscription(data: Mapping[str, Any], *, where: str, source: str = "file") -> Subscription:
    """Validate one subscription (from the CLI, the JSON file or mckpi.toml); SubscriptionError names `where`."""
    def bad(message: str) -> SubscriptionError:
        return SubscriptionError(f"{where}: {message}")

    known = {"id", "email", "role", "ptj", "ptj_codes", "what", "formats", "lang", "when", "day", "year"}
    if unknown := sorted(set(data) - known):
        raise bad(f"unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(known))}")
    sid = str(data.get("id") or "").strip().lower()
    if not _ID_RE.fullmatch(sid):
        raise bad(f"id {sid!r}: expected 1-64 of a-z 0-9 . _ - (starting with a letter or digit)")
    email = str(data.get("email") or "").strip()
    if not valid_address(email):
        raise bad(f"email {email!r}: expected an address such as dean@example.edu.my")
    role = str(data.get("role") or "").strip().lower()
    if role not in SUBSCRIBER_ROLES:
        hint = "" if role not in ROLES else f" (role {role} may not download the report)"
        raise bad(f"role {role!r}: expected one of {', '.join(SUBSCRIBER_ROLES)}{hint}")
    codes = tuple(sorted({c.upper() for c in _list(data.get("ptj_codes", data.get("ptj")))}))
    if role == PTJ and not codes:
        raise bad("role ptj needs at least one PTj (--ptj FSKTM)")
    if role == MANAGEMENT and codes:
        raise bad("role management sees every PTj: give no PTj (or use role ptj)")
    what = str(data.get("what") or "report").strip().lower()
    if what not in WHATS:
        raise bad(f"what {what!r}: expected one of {', '.join(WHATS)}")
    formats = tuple(dict.fromkeys(f.lower() for f in _list(data.get("formats", ["pdf"]))))
    if not formats or any(f not in FORMATS for f in formats):
        raise bad(f"formats {list(formats)!r}: expected pdf and/or xlsx")
    lang = str(data.get("lang") or "en").strip().lower()
    if lang not in LANGS:
        raise bad(f"lang {lang!r}: expected one of {', '.join(LANGS)}")
    when = str(data.get("when") or "monthly").strip().lower()
    if when not in WHENS:
        raise bad(f"when {when!r}: expected one of {', '.join(WHENS)}")
    day = data.get("day")
    if day is not None:
        if isinstance(day, bool) or not isinstance(day, int | str) or not str(day).strip().isdigit():
            raise bad(f"day {day!r}: expected a whole number")
        day = int(day)
        limit = {"weekly": 7, "monthly": 28}.get(when)
        if limit is None:
            raise bad(f"day applies to weekly and monthly subscriptions, not {when}")
        if not 1 <= day <= limit:
            raise bad(f"day {day}: expected 1..{limit} for a {when} subscription"
                      + (" (29-31 do not occur every month)" if when == "monthly" else " (1 = Monday)"))
    year = data.get("year")
    if year is not None:
        if isinstance(year, bool) or not str(year).strip().isdigit() or not 2000 <= int(year) <= 2100:
            raise bad(f"year {year!r}: expected a year such as 2025")
        year = int(year)
    return Subscription(sid, email, role, codes, what, formats, lang, when, day, year, source=source)


# --- the store ---------------------------------------------------------------------------------------------


def read_file(path: Path) -> list[Subscription]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return []
    except ValueError as exc:
        raise SubscriptionError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, list):
        raise SubscriptionError(f"{path}: expected a JSON list of subscriptions")
    return [make_subscription(item if isinstance(item, dict) else {}, where=f"{path}: entry {n}")
            for n, item in enumerate(data, start=1)]


def write_file(path: Path, subscriptions: Iterable[Subscription]) -> None:
    """Write the file whole and rename it into place (readable by the owner only: it holds e-mail addresses)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump([s.to_json() for s in subscriptions], fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def config_tables(settings: Settings, name: str) -> list[dict[str, Any]]:
    """The `[[name]]` tables of the config file (the Settings dataclasses hold only scalar sections)."""
    if settings.config_path is None or not settings.config_path.is_file():
        return []
    data = tomllib.loads(settings.config_path.read_text("utf-8"))
    tables = data.get(name, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SubscriptionError(f"{settings.config_path}: [[{name}]] must be a list of tables")
    return tables


def from_config(settings: Settings) -> list[Subscription]:
    return [make_subscription(t, where=f"{settings.config_path}: [[subscription]] {n}", source="config")
            for n, t in enumerate(config_tables(settings, "subscription"), start=1)]


def all_subscriptions(settings: Settings) -> list[Subscription]:
    found = [*from_config(settings), *read_file(settings.paths.subscriptions)]
    seen: dict[str, Subscription] = {}
    for s in found:
        if s.id in seen:
            raise SubscriptionError(f"subscription id {s.id!r} is used twice (in {seen[s.id].source} and {s.source})")
        seen[s.id] = s
    return found


def add(settings: Settings, sub: Subscription) -> None:
    existing = all_subscriptions(settings)
    if any(s.id == sub.id for s in existing):
        raise SubscriptionError(f"a subscription {sub.id!r} exists already (remove it first)")
    path = settings.paths.subscriptions
    write_file(path, [*read_file(path), sub])


def remove(settings: Settings, sub_id: str) -> Subscription:
    path = settings.paths.subscriptions
    kept, removed = [], None
    for s in read_file(path):
        if s.id == sub_id:
            removed = s
        else:
            kept.append(s)
    if removed is None:
        if any(s.id == sub_id for s in from_config(settings)):
            raise SubscriptionError(f"{sub_id!r} is defined in {settings.config_path}: remove it there")
        raise SubscriptionError(f"no subscription {sub_id!r} (see `mckpi subscribe list`)")
    write_file(path, kept)
    return removed


# --- the schedule ------------------------------------------------------------------------------------------


def reporting_dates(settings: Settings, year: int) -> list[dt.date]:
    out = []
    for part in _list(settings.mail.reporting_dates):
        match = _DATE_RE.fullmatch(part)
        try:
            if not match:
                raise ValueError
            out.append(dt.date(year, int(match[1]), int(match[2])))
        except ValueError as exc:
            raise SubscriptionError(f"[mail] reporting_dates: {part!r}: expected MM-DD such as 07-15") from exc
    return sorted(out)


def period(sub: Subscription, today: dt.date, run_id: str | None, settings: Settings) -> str | None:
    """The period whose send is due today (None: nothing is due yet in this period)."""
    if sub.when == "refresh":
        return run_id
    if sub.when == "weekly":
        iso = today.isocalendar()
        return f"{iso.year}-W{iso.week:02d}" if today.isoweekday() >= (sub.day or 1) else None
    if sub.when == "monthly":
        return f"{today:%Y-%m}" if today.day >= (sub.day or 1) else None
    passed = [d for y in (today.year - 1, today.year) for d in reporting_dates(settings, y) if d <= today]
    return passed[-1].isoformat() if passed else None


def due(sub: Subscription, state: Mapping[str, Any], today: dt.date, run_id: str | None,
        settings: Settings) -> str | None:
    """The period to send now, or None when this period was sent already (or nothing is due)."""
    key = period(sub, today, run_id, settings)
    if key is None or state.get("last_period") == key:
        return None
    return key


__all__ = ["FORMATS", "LANGS", "SUBSCRIBER_ROLES", "WHATS", "WHENS", "Subscription", "SubscriptionError", "add",
           "all_subscriptions", "config_tables", "due", "from_config", "make_subscription", "period", "read_file",
           "remove", "reporting_dates", "write_file"]
