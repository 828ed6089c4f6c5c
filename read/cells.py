"""Bytes for the download buttons: CSV and Excel of a table as shown.

Text cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) get a
leading single quote, so a course title such as "=HYPERLINK(...)" stays text when a dean opens the file.
No streamlit import: the tests and the CLI can call these directly.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """A text cell starting with a formula character, prefixed with a single quote; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell escaped (numbers stay numbers, so -12.50 is still a number)."""
    out = df.copy()
    out.columns = [str(escape_cell(str(c))) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell).astype(object)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Malay text and 'RM' columns correctly. CRLF line ends (RFC 4180):
    the csv writer then quotes any field holding a CR or LF, so a stray carriage return cannot split a row."""
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_excel_bytes(df: pd.DataFrame, sheet_name: str = "data") -> bytes:
    buffer = io.BytesIO()
    sheet = (sheet_name or "data")[:31]
    for bad in "[]:*?/\\":
        sheet = sheet.replace(bad, " ")
    # strings_to_formulas off as a second guard: xlsxwriter would otherwise write "=..." as a formula.
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        safe = safe_frame(df)
        for col in safe.columns:  # Excel has no time zones
            if isinstance(safe[col].dtype, pd.DatetimeTZDtype):
                safe[col] = safe[col].dt.tz_localize(None)
        safe.to_excel(writer, index=False, sheet_name=sheet)
        worksheet = writer.sheets[sheet]
        for i, col in enumerate(safe.columns):
            longest = max([len(str(col))] + [len(str(v)) for v in safe[col].head(500)])
            worksheet.set_column(i, i, min(max(longest + 2, 8), 60))
    return buffer.getvalue()
