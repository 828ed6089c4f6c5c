"""The app's view of the one word list (core.words): the language defaults to the one chosen in the sidebar."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import words
from core.words import DEFAULT_LANG, LANG_NAMES, LANGS, TEXT, has


def current_lang() -> str:
    """The language chosen in the sidebar (session state), English outside a Streamlit session."""
    try:
        lang = st.session_state.get("lang", DEFAULT_LANG)
    except Exception:  # noqa: BLE001 - no session (plain Python, tests): English
        lang = DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **values: Any) -> str:
    return words.t(key, lang or current_lang(), **values)


def label(prefix: str, value: object, lang: str | None = None) -> str:
    return words.label(prefix, value, lang or current_lang())


def column(name: str, lang: str | None = None) -> str:
    return words.column(name, lang or current_lang())


__all__ = ["DEFAULT_LANG", "LANGS", "LANG_NAMES", "TEXT", "column", "current_lang", "has", "label", "t"]
