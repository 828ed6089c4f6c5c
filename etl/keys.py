"""Natural keys compared as a person reads them: a receipt id re-sent with other case or padding is the same
receipt. Each key column declares how it is compared (`Column.key_match` in core.contracts):

  nfkc           Unicode NFKC (full-width 'Ｒ２０２４' is 'R2024', a no-break space is a space), then every kind of
                 whitespace trimmed at both ends (tabs, no-break spaces, zero-width spaces, a stray BOM)
  nfkc_casefold  the same, and case folded: for keys that are case-insensitive, such as receipt ids

The SQL form stays cheap on the happy path: an ASCII value (strlen = length) only needs an ASCII trim (and
lower()); only a value with other characters calls the Python function `normalise_key`, registered as a DuckDB
function. Both give the same result for every value (tests/etl/test_keys.py).
"""

from __future__ import annotations

import unicodedata

import duckdb

from core.contracts import Column

SQL_FUNCTION = "mckpi_normalise_key"
# What Python's str.strip() removes from ASCII text (the ASCII path must agree with the Python one).
ASCII_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
# Not whitespace to Python, but invisible padding that spreadsheets and web forms leave behind.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def normalise_key(value: str | None, casefold: bool = False) -> str | None:
    """The comparable form of a key value (None for a value that is only whitespace)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value)
    while text != (trimmed := text.strip().strip(INVISIBLE)):
        text = trimmed
    if casefold:
        text = unicodedata.normalize("NFKC", text.casefold())
    return text or None


def ensure_sql_function(con: duckdb.DuckDBPyConnection) -> None:
    """Register `normalise_key` on the connection (once per connection)."""
    exists = con.execute(
        "select count(*) from duckdb_functions() where function_name = $n", {"n": SQL_FUNCTION}
    ).fetchall()[0][0]
    if not exists:
        con.create_function(
            SQL_FUNCTION,
            normalise_key,
            [duckdb.sqltype("VARCHAR"), duckdb.sqltype("BOOLEAN")],
            duckdb.sqltype("VARCHAR"),
            null_handling="special",
            side_effects=False,
        )


def key_sql(column: Column, expr: str, *, ascii_only: bool = False) -> str:
    """SQL for the comparable form of `expr` (a column reference holding cleaned text: spaces trimmed, empty as
    null; null stays null). ascii_only: the caller has checked that no value has other than ASCII characters, so
    the Python function is left out of the query (a Python call in a query costs even when no row reaches it)."""
    fold = column.key_match == "nfkc_casefold"
    chars = "'" + ASCII_WHITESPACE.replace("'", "''") + "'"
    # Spaces are gone already; a tab or another control character pads a value only where the first or last
    # character is one (all of them sort before '!'), so trim() runs only there.
    ascii_form = f"case when {expr}[1] < '!' or {expr}[-1] < '!' then nullif(trim({expr}, {chars}), '') else {expr} end"
    if fold:
        ascii_form = f"lower({ascii_form})"
    if ascii_only:
        return ascii_form
    return (
        f"case when strlen({expr}) = length({expr}) then {ascii_form}"
        f" else {SQL_FUNCTION}({expr}, {'true' if fold else 'false'}) end"
    )


def ascii_only_sql(columns: list[str], table: str) -> str:
    """One row: per column, whether every value of it in `table` is ASCII (or null)."""
    checks = ", ".join(f'coalesce(bool_and(strlen("{c}") = length("{c}")), true)' for c in columns)
    return f"select {checks} from {table}"  # noqa: S608 - contract identifiers only
