"""Learner pseudonyms: a keyed hash of the learner id, computed inside DuckDB while loading.

learner_key = first 16 hex digits of sha256(key || ':' || learner_id), learner_id normalised as a key
(etl/keys.py: NFKC, every kind of whitespace trimmed; for an ASCII id that is the id trimmed).
The same learner_id gets the same key in every source and every run (as long as the key is the same);
the raw id is never written to a table. The key comes from `Settings.pseudonym_key()` and is always a bound
parameter, never part of the SQL text.
"""

from __future__ import annotations

import hashlib

from etl.keys import normalise_key

KEY_PARAM = "pseudonym_key"
KEY_HEX_DIGITS = 16


def learner_key(learner_id: str | None, key: str) -> str | None:
    """The Python twin of `learner_key_sql`, for tests and one-off look-ups."""
    learner_id = normalise_key(learner_id)
    if learner_id is None:
        return None
    digest = hashlib.sha256(f"{key}:{learner_id}".encode()).hexdigest()
    return digest[:KEY_HEX_DIGITS]


def learner_key_sql(expr: str, param: str = KEY_PARAM) -> str:
    """SQL for the key of `expr` (an already normalised, empty-as-null varchar expression; null stays null)."""
    return f"substr(sha256(${param} || ':' || {expr}), 1, {KEY_HEX_DIGITS})"
