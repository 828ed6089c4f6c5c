"""The report as an Excel workbook (xlsxwriter): a cover sheet, one sheet per section, native charts."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

from core import words as i18n
from read.report.model import (
    _BLUE,
    _LIGHT,
    NUMERIC_KINDS,
    Col,
    Report,
    Section,
    Table,
    _cover_rows,
    _notes,
    format_value,
    tr,
)

_EXCEL_NUMBER_FORMATS = {"int": "#,##0", "rm": "#,##0.00", "pct": "0.0%", "pp": "+0.0;-0.0;0.0",
                         "hours": "#,##0.00"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", name)[:31].strip() or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


class _ExcelWriter:
    def __init__(self, report: Report) -> None:
        import xlsxwriter

        self.report = report
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        meta = report.meta
        self.wb.set_properties({
            "title": f"{meta.title} {meta.year}", "subject": meta.scope_label, "author": "mckpi",
            "comments": meta.as_of_line,
        })
        add = self.wb.add_format
        self.f_title = add({"bold": True, "font_size": 14, "font_color": _BLUE})
        self.f_intro = add({"italic": True, "font_color": "#44546A"})
        self.f_table_title = add({"bold": True, "font_size": 11})
        self.f_header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": _BLUE, "text_wrap": True,
                             "valign": "top", "border": 1, "border_color": "#BFBFBF"})
        self.f_key = add({"bold": True, "valign": "top"})
        self.f_wrap = add({"text_wrap": True, "valign": "top"})
        self.f_note = add({"italic": True, "font_color": "#595959", "text_wrap": False})
        self.f_demo = add({"bold": True, "font_color": "#C00000"})
        self.cell: dict[tuple[str, bool], Any] = {}
        for total in (False, True):
            extra = {"bold": True, "top": 1, "bg_color": _LIGHT} if total else {}
            self.cell[("text", total)] = add({"valign": "top", **extra})
            self.cell[("wrap", total)] = add({"valign": "top", "text_wrap": True, **extra})
            self.cell[("marker", total)] = add({"align": "right", "font_color": "#7F7F7F", **extra})
            for kind, num_format in _EXCEL_NUMBER_FORMATS.items():
                self.cell[(kind, total)] = add({"num_format": num_format, **extra})
        self.used: set[str] = set()

    def write(self) -> bytes:
        self._cover()
        for section in self.report.sections:
            self._section(section)
        self.wb.close()
        return self.buffer.getvalue()

    def _cover(self) -> None:
        meta = self.report.meta
        ws = self.wb.add_worksheet(_sheet_name(tr("sec.cover", meta.lang), self.used))
        ws.hide_gridlines(2)
        ws.write_string(0, 0, f"{meta.title} {meta.year}", self.f_title)
        ws.write_string(1, 0, tr("subtitle", meta.lang), self.f_intro)
        row = 3
        if meta.is_demo:
            ws.write_string(row, 0, tr("demo", meta.lang), self.f_demo)
            row += 2
        for key, value in _cover_rows(meta):
            ws.write_string(row, 0, key, self.f_key)
            ws.write_string(row, 1, value)
            row += 1
        row += 1
        ws.write_string(row, 0, tr("notes", meta.lang), self.f_key)
        for note in _notes(meta):
            row += 1
            ws.write_string(row, 0, "•")
            ws.write_string(row, 1, note, self.f_wrap)
            ws.set_row(row, 45)
        row += 2
        ws.write_string(row, 0, tr("contents", meta.lang), self.f_key)
        for section in self.report.sections:
            row += 1
            ws.write_string(row, 1, section.title)
        ws.set_column(0, 0, 26)
        ws.set_column(1, 1, 100)

    def _section(self, section: Section) -> None:
        ws = self.wb.add_worksheet(_sheet_name(section.sheet, self.used))
        ws.write_string(0, 0, section.title, self.f_title)
        ws.write_string(1, 0, section.intro, self.f_intro)
        widths: dict[int, float] = {}
        row = 3
        first_header: int | None = None
        placed: list[tuple[Table, int]] = []
        for table in section.tables:
            if table.title:
                ws.write_string(row, 0, table.title, self.f_table_title)
                row += 1
            header_row = row
            if first_header is None:
                first_header = header_row
            for i, col in enumerate(table.columns):
                ws.write_string(row, i, col.header, self.f_header)
                widths[i] = max(widths.get(i, 0), min(len(col.header), 16) + 2)
            ws.set_row(row, 32)
            row += 1
            placed.append((table, row))
            if not table.rows:
                ws.write_string(row, 0, table.empty_text, self.f_note)
                row += 1
            for r_index, data in enumerate(table.rows):
                total = r_index >= len(table.rows) - table.total_rows
                for i, col in enumerate(table.columns):
                    width = self._cell(ws, row, i, data.get(col.key), col, total)
                    widths[i] = max(widths.get(i, 0), width)
                row += 1
            if table.note:
                ws.write_string(row, 0, table.note, self.f_note)
                row += 1
            row += 1
        if first_header is not None:
            ws.freeze_panes(first_header + 1, 0)
        for i, width in widths.items():
            wrap_col = any(i < len(t.columns) and t.columns[i].key in ("definition",) for t in section.tables)
            ws.set_column(i, i, 90 if wrap_col else min(max(width, 8), 60))
        self._charts(ws, section, placed, len(widths))

    def _cell(self, ws: Any, row: int, col_index: int, value: Any, col: Col, total: bool) -> float:
        kind = col.kind
        if value is None:
            text = tr("na", self.report.meta.lang) if kind in NUMERIC_KINDS else ""
            ws.write_string(row, col_index, text, self.cell[("marker" if text else "text", total)])
            return len(text) + 2
        if isinstance(value, str):
            if kind in NUMERIC_KINDS:  # "<5" or "-"
                ws.write_string(row, col_index, value, self.cell[("marker", total)])
            else:
                fmt = "wrap" if col.key == "definition" else "text"
                ws.write_string(row, col_index, value, self.cell[(fmt, total)])
            return min(len(value), 60) + 2
        if isinstance(value, bool):
            ws.write_string(row, col_index, i18n.t("yes" if value else "no", self.report.meta.lang),
                            self.cell[("text", total)])
            return 6
        if isinstance(value, dt.date):
            ws.write_string(row, col_index, value.isoformat(), self.cell[("text", total)])
            return 12
        if kind == "auto":
            kind = "rm" if isinstance(value, Decimal) else "int"
        if kind not in _EXCEL_NUMBER_FORMATS:
            ws.write_string(row, col_index, str(value), self.cell[("text", total)])
            return len(str(value)) + 2
        number = float(Decimal(str(value)) / 100) if kind == "pct" else float(value)
        ws.write_number(row, col_index, number, self.cell[(kind, total)])
        return len(format_value(value, kind)) + 3

    def _charts(self, ws: Any, section: Section, placed: list[tuple[Table, int]], ncols: int) -> None:
        sheet = ws.get_name()
        anchor_row = 3
        for chart in section.charts:
            if chart.sheet_rows is None:
                continue
            table, first = placed[0]  # both charted tables are the section's first
            first_row, last_row = first + chart.sheet_rows[0], first + chart.sheet_rows[1]
            cat_col = 0
            if section.key == "revenue":
                value_cols = [next(i for i, c in enumerate(table.columns) if c.key == "revenue.net_revenue_rm")]
                xl = self.wb.add_chart({"type": "bar"})
            else:
                value_cols = [next(i for i, c in enumerate(table.columns) if c.key == k)
                              for k in ("share_pct", "target_pct")]
                xl = self.wb.add_chart({"type": "column"})
            for name, value_col in zip([s[0] for s in chart.series], value_cols, strict=True):
                xl.add_series({
                    "name": name,
                    "categories": [sheet, first_row, cat_col, last_row, cat_col],
                    "values": [sheet, first_row, value_col, last_row, value_col],
                    "fill": {"color": _BLUE} if value_col == value_cols[0] else {"color": "#F4B183"},
                })
            xl.set_title({"name": chart.title, "name_font": {"size": 11}})
            xl.set_legend({"position": "bottom"} if len(chart.series) > 1 else {"none": True})
            if section.key == "revenue":
                xl.set_y_axis({"reverse": True})
                xl.set_x_axis({"num_format": "#,##0"})
                xl.set_size({"width": 620, "height": max(300, 22 * len(chart.categories) + 90)})
            else:
                xl.set_y_axis({"num_format": "0%", "min": 0})
                xl.set_size({"width": 480, "height": 300})
            ws.insert_chart(anchor_row, ncols + 1, xl)
            anchor_row += 18


def _to_xlsx(report: Report) -> bytes:
    return _ExcelWriter(report).write()
