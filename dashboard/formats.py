"""Number and date formats for the pages: exact (tables, tooltips) and compact (cards), in the session's language.
Month and date names come from Babel's locale data (English and Malay), not hand-written lists."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_compact_decimal

from dashboard.words import DEFAULT_LANG, LANGS, t


def format_age(hours: float) -> str:
    if hours < 1:
        return t("age.minutes", n=max(int(hours * 60), 0))
    if hours < 48:
        return t("age.hours", n=f"{hours:.0f}")
    return t("age.days", n=f"{hours / 24:.0f}")


def format_when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else t("fresh.unknown")



def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | Decimal) and math.isnan(value))
    except TypeError:
        return False


def fmt_rm(value: Any) -> str:
    """RM 1,234,567.00 (negative: RM -1,234.00)."""
    if is_missing(value):
        return "–"
    return f"RM {float(value):,.2f}"


def fmt_pct(value: Any, digits: int = 1) -> str:
    if is_missing(value):
        return "–"
    return f"{float(value):.{digits}f}%"


def fmt_count(value: Any) -> str:
    if isinstance(value, str):
        return value
    if is_missing(value):
        return "–"
    return f"{int(round(float(value))):,}"


def fmt_hours(value: Any) -> str:
    if is_missing(value):
        return "–"
    return f"{float(value):,.1f}"


def fmt_value(value: Any, unit: str) -> str:
    """A KPI value in its unit: rm, pct, hours, days or count."""
    if isinstance(value, str):
        return value
    if unit == "rm":
        return fmt_rm(value)
    if unit == "pct":
        return fmt_pct(value)
    if unit in {"hours", "days"}:
        return fmt_hours(value)
    return fmt_count(value)


def fmt_change(value: Any, unit: str) -> str | None:
    """A signed change for st.metric's delta: +1,234 / -RM 12.00 / +3.2 pp."""
    if is_missing(value):
        return None
    v = float(value)
    sign = "+" if v > 0 else "-" if v < 0 else ""  # no change has no sign ("0", not "+0")
    if unit == "rm":
        return f"{sign}RM {abs(v):,.2f}"
    if unit == "pct":
        return f"{sign}{abs(v):.1f} pp"
    if unit in {"hours", "days"}:
        return f"{sign}{abs(v):,.1f}"
    return f"{sign}{abs(v):,.0f}"



# --- compact figures for cards (the exact value goes in the card's tooltip and in the tables) ---------------

COMPACT_RM_FROM = 100_000  # RM 1,935,969.00 -> RM 1.94 M; below this the exact figure fits a card
COMPACT_COUNT_FROM = 100_000  # 447,017 -> 447 K


def _lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def _compact(value: float, lang: str | None, digits: int = 2) -> str:
    """1.94 M / 1.94 J (juta): Babel's short compact form with a space before the unit letter."""
    text = format_compact_decimal(value, format_type="short", locale=_lang(lang), fraction_digits=digits)
    return re.sub(r"(?<=\d)(?=[^\d.,\s-])", " ", text, count=1)


def fmt_card(value: Any, unit: str, lang: str | None = None) -> str:
    """A KPI value for a card: large money and counts compact (RM 1.94 M, 447 K), the rest as `fmt_value`."""
    if isinstance(value, str) or is_missing(value):
        return fmt_value(value, unit)
    v = float(value)
    if unit == "rm" and abs(v) >= COMPACT_RM_FROM:
        return f"RM {_compact(v, lang)}"
    if unit == "count" and abs(v) >= COMPACT_COUNT_FROM:
        return _compact(v, lang, digits=1)
    return fmt_value(value, unit)


def fmt_card_change(value: Any, unit: str, lang: str | None = None) -> str | None:
    """A card's change vs last year, compact like the card (+RM 539.77 K)."""
    if is_missing(value):
        return None
    v = float(value)
    if (unit == "rm" and abs(v) >= COMPACT_RM_FROM) or (unit == "count" and abs(v) >= COMPACT_COUNT_FROM):
        sign = "+" if v >= 0 else "-"
        return f"{sign}RM {_compact(abs(v), lang)}" if unit == "rm" else f"{sign}{_compact(abs(v), lang, 1)}"
    return fmt_change(value, unit)


def is_compact(value: Any, unit: str, lang: str | None = None) -> bool:
    return fmt_card(value, unit, lang) != fmt_value(value, unit)


# --- dates in the session's language (Babel's CLDR data: "7 Mac 2026", "Mei 2026") ---------------------------


def fmt_date(value: Any, lang: str | None = None) -> str:
    """A day, written out in the language: 7 Mar 2026 / 7 Mac 2026."""
    if is_missing(value) or value is None:
        return "–"
    day = pd.Timestamp(value).date() if not isinstance(value, date) else value
    return format_date(day, "d MMM y", locale=_lang(lang))


def fmt_month(value: Any, lang: str | None = None) -> str:
    """A month, written out in the language: May 2026 / Mei 2026."""
    if is_missing(value) or value is None:
        return "–"
    day = pd.Timestamp(str(value)).date()
    return format_date(day, "MMM y", locale=_lang(lang))
