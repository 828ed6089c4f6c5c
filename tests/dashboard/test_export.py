"""CSV and Excel downloads: the table as shown, text cells that look like formulas escaped, numbers untouched."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard import ui
from read import cells as export

NASTY = ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "Plain title", "<5"]


@pytest.mark.parametrize("value", NASTY[:6])
def test_formula_like_text_is_escaped(value: str) -> None:
    assert export.escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain title", "<5", "", -12.5, 3, None])
def test_other_values_are_unchanged(value: object) -> None:
    assert export.escape_cell(value) == value


def frame() -> pd.DataFrame:
    return pd.DataFrame({"course_title": NASTY, "net_revenue_rm": [-12.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})


def test_csv_bytes() -> None:
    data = export.to_csv_bytes(frame())
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert back["course_title"].tolist() == ["'" + v for v in NASTY[:6]] + ["Plain title", "<5"]
    assert back["net_revenue_rm"].tolist()[0] == -12.5  # a negative number is still a number


def test_excel_bytes_hold_text_not_formulas() -> None:
    book = load_workbook(io.BytesIO(export.to_excel_bytes(frame(), sheet_name="Hasil: PTj/kursus")))
    sheet = book.active
    assert sheet.title == "Hasil  PTj kursus"  # characters Excel forbids in sheet names are replaced
    cells = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert cells[0] == "'=HYPERLINK(\"http://x\",\"click\")"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet["B2"].value == -12.5


def test_export_frame_translates_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.words.current_lang", lambda: "ms")
    shown = ui.export_frame(pd.DataFrame({"net_revenue_rm": [1.0], "is_overloaded": [True]}))
    assert list(shown.columns) == ["Hasil bersih (RM)", "Terlebih beban"]
    assert shown.iloc[0, 1] == "Ya"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1234567, "rm", "RM 1,234,567.00"),
        (-500, "rm", "RM -500.00"),
        (12.345, "pct", "12.3%"),
        (1234, "count", "1,234"),
        ("<5", "count", "<5"),
        (None, "count", "–"),
        (float("nan"), "rm", "–"),
        (125.0, "hours", "125.0"),
    ],
)
def test_number_formats(value: object, unit: str, text: str) -> None:
    assert ui.fmt_value(value, unit) == text


def test_change_formats() -> None:
    assert ui.fmt_change(1034, "count") == "+1,034"
    assert ui.fmt_change(-7.5, "pct") == "-7.5 pp"
    assert ui.fmt_change(77541, "rm") == "+RM 77,541.00"
    assert ui.fmt_change(None, "rm") is None
