"""Learner pseudonyms: a keyed hash of the learner id, computed inside DuckDB while loading.

learner_key = first 16 hex digits of sha256(key || ':' || learner_id), learner_id trimmed.
The same learner_id gets the same key in every source and every run (as long as the key is the same);
the raw id is never written to a table. The key comes from `Settings.pseudonym_key()` and is always a bound
parameter, never part of the SQL text.
"""

from __future__ import annotations

import hashlib

KEY_PARAM = "pseudonym_key"
KEY_HEX_DIGITS = 16


def learner_key(learner_id: str | None, key: str) -> str | None:
    """The Python twin of `learner_key_sql`, for tests and one-off look-ups."""
    if learner_id is None or not learner_id.strip():
        return None
    digest = hashlib.sha256(f"{key}:{learner_id.strip()}".encode()).hexdigest()
    return digest[:KEY_HEX_DIGITS]


def learner_key_sql(expr: str, param: str = KEY_PARAM) -> str:
    """SQL for the key of `expr` (an already trimmed, empty-as-null varchar expression; null stays null)."""
    return f"substr(sha256(${param} || ':' || {expr}), 1, {KEY_HEX_DIGITS})"
