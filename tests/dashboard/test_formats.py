"""Compact card figures and Malay dates (issue 15): Babel's CLDR data, not hand lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dashboard import formats


def test_cards_show_large_money_and_counts_compact_in_both_languages() -> None:
    assert formats.fmt_card(Decimal("1935969.00"), "rm", "en") == "RM 1.94 M"
    assert formats.fmt_card(Decimal("1935969.00"), "rm", "ms") == "RM 1.94 J"  # juta
    assert formats.fmt_card(56075, "rm", "en") == "RM 56,075.00"  # fits a card: exact
    assert formats.fmt_card(447017, "count", "en") == "447 K"
    assert formats.fmt_card(14915, "count", "ms") == "14,915"
    assert formats.fmt_card(19.6, "pct", "en") == "19.6%"
    assert formats.fmt_card_change(539767, "rm", "en") == "+RM 539.77 K"
    assert formats.fmt_card(None, "rm", "en") == "–"
    assert formats.is_compact(1935969, "rm") and not formats.is_compact(56075, "rm")


def test_malay_months_and_dates_come_from_babel() -> None:
    assert formats.fmt_month("2026-03", "ms") == "Mac 2026"
    assert formats.fmt_month("2026-05", "ms") == "Mei 2026"
    assert formats.fmt_month("2026-05", "en") == "May 2026"
    assert formats.fmt_date(dt.date(2026, 8, 7), "ms") == "7 Ogo 2026"
    assert formats.fmt_date(None, "ms") == "–"
