"""Natural-key normalisation (etl/keys.py): the SQL form equals the Python one for every value, and a learner id
with padding gets the same learner_key as the plain id."""

from __future__ import annotations

import duckdb
import pytest

from core.contracts import CONTRACTS, Column
from etl.keys import ensure_sql_function, key_sql, normalise_key
from etl.pseudonym import KEY_PARAM, learner_key, learner_key_sql

VALUES = [
    ("R2024-000101", "R2024-000101", "r2024-000101"),
    ("  r2024-000101\t", "r2024-000101", "r2024-000101"),
    ("\u00a0R2024-000101\u202f", "R2024-000101", "r2024-000101"),  # no-break and narrow no-break spaces
    ("\uff32\uff12\uff10\uff12\uff14-000101", "R2024-000101", "r2024-000101"),  # full-width
    ("\ufeff\u200bR2024-000101\u3000", "R2024-000101", "r2024-000101"),  # BOM, zero-width, ideographic space
    ("Stra\u00dfe", "Stra\u00dfe", "strasse"),
    ("Cafe\u0301", "Caf\u00e9", "caf\u00e9"),  # a combining accent composed
    (" \u00a0\t", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("value", "plain", "folded"), VALUES)
def test_sql_and_python_agree(value, plain, folded):
    with duckdb.connect() as con:
        ensure_sql_function(con)
        ensure_sql_function(con)  # idempotent
        for match, expected in (("nfkc", plain), ("nfkc_casefold", folded)):
            column = Column("receipt_id", key_match=match)  # type: ignore[arg-type]
            assert normalise_key(value, match == "nfkc_casefold") == expected
            assert con.execute(f"select {key_sql(column, '$v')}", {"v": value}).fetchall() == [(expected,)]


def test_receipt_ids_are_case_insensitive_and_other_keys_are_not():
    assert CONTRACTS["payments"].column("receipt_id").key_match == "nfkc_casefold"
    assert CONTRACTS["courses"].column("course_code").key_match == "nfkc"


def test_padded_learner_id_gets_the_plain_ids_key():
    key = "k"
    plain = learner_key("ext-88412", key)
    assert plain == "984a54e8929c01c7"  # sha256("k:ext-88412")[:16], unchanged by the normalisation
    assert learner_key("\u00a0ext-88412\t", key) == plain
    with duckdb.connect() as con:
        ensure_sql_function(con)
        column = CONTRACTS["payments"].column("learner_id")
        got = con.execute(
            f"select {learner_key_sql(key_sql(column, '$v'))}", {"v": "\u00a0ext-88412\t", KEY_PARAM: key}
        ).fetchall()
    assert got == [(plain,)]


@pytest.mark.parametrize("value", ["R1", "\tr1", "R1\x1f", "\x0bR1\x0c", "r 1", "\t", "a\tb"])
def test_ascii_path_agrees_with_python(value):
    """The form used when a column holds only ASCII (no Python call in the query) gives the same keys."""
    with duckdb.connect() as con:
        for match in ("nfkc", "nfkc_casefold"):
            column = Column("receipt_id", key_match=match)  # type: ignore[arg-type]
            sql = key_sql(column, "$v", ascii_only=True)
            assert con.execute(f"select {sql}", {"v": value}).fetchall() == [
                (normalise_key(value, match == "nfkc_casefold"),)
            ]
