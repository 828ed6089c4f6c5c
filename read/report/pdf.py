"""The report as a PDF (reportlab): cover, sections with their tables and bar charts, numbered pages."""

from __future__ import annotations

import io
import math
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from read.report.model import (
    _BLUE,
    _LIGHT,
    NUMERIC_KINDS,
    Chart,
    Report,
    Table,
    _cover_rows,
    _notes,
    format_value,
    tr,
)


def _to_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import (
        CondPageBreak,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )
    from reportlab.platypus import (
        Table as RlTable,
    )
    from reportlab.platypus import (
        TableStyle as RlTableStyle,
    )

    meta, lang = report.meta, report.meta.lang
    page_w, page_h = A4
    margin = 16 * mm
    avail = page_w - 2 * margin
    blue, light, grey = colors.HexColor(_BLUE), colors.HexColor(_LIGHT), colors.HexColor("#595959")

    base = getSampleStyleSheet()
    s_title = ParagraphStyle("t", parent=base["Title"], fontSize=22, leading=27, textColor=blue, alignment=0)
    s_sub = ParagraphStyle("s", parent=base["Normal"], fontSize=12, leading=16, textColor=grey)
    s_h1 = ParagraphStyle("h1", parent=base["Heading1"], fontSize=14, leading=18, textColor=blue, spaceBefore=4,
                          spaceAfter=4)
    s_h2 = ParagraphStyle("h2", parent=base["Heading2"], fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3)
    s_body = ParagraphStyle("b", parent=base["Normal"], fontSize=9, leading=12)
    s_intro = ParagraphStyle("i", parent=s_body, textColor=grey, spaceAfter=6)
    s_note = ParagraphStyle("n", parent=s_body, fontSize=7.5, leading=9.5, textColor=grey, spaceBefore=3)
    s_demo = ParagraphStyle("d", parent=s_body, fontSize=11, textColor=colors.HexColor("#C00000"),
                            fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=6)
    s_cell = ParagraphStyle("c", parent=base["Normal"], fontSize=7.2, leading=8.6)
    s_cell_bold = ParagraphStyle("cb", parent=s_cell, fontName="Helvetica-Bold")
    s_num = ParagraphStyle("cn", parent=s_cell, alignment=TA_RIGHT)
    s_head = ParagraphStyle("ch", parent=s_cell, fontName="Helvetica-Bold", textColor=colors.white)
    s_head_num = ParagraphStyle("chn", parent=s_head, alignment=TA_RIGHT)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(xml_escape(text), style)

    def col_widths(table: Table) -> list[float]:
        """Numbers and codes as wide as their longest header word and value; text columns share the rest."""
        pad = 7
        fixed: list[float] = []
        for col in table.columns:
            if col.kind not in NUMERIC_KINDS and col.kind != "code":
                fixed.append(0)
                continue
            words = max((stringWidth(w, "Helvetica-Bold", s_head.fontSize) for w in col.header.split()), default=0)
            values = max((stringWidth(format_value(r.get(col.key), col.kind, lang), "Helvetica-Bold", s_cell.fontSize)
                          for r in table.rows), default=0)
            fixed.append(max(words, values, 24) + pad)
        flex = [i for i, w in enumerate(fixed) if w == 0]
        if not flex:
            return [w * min(1.0, avail / sum(fixed)) for w in fixed]
        min_text = 85 * len(flex)
        if sum(fixed) > avail - min_text:  # too wide: shrink the fixed columns (headers may then break)
            scale = (avail - min_text) / sum(fixed)
            fixed = [w * scale for w in fixed]
        share = (avail - sum(fixed)) / len(flex)
        return [share if i in flex else w for i, w in enumerate(fixed)]

    def table_flowable(table: Table) -> list[Any]:
        if not table.rows:
            return [p(table.empty_text, s_note)]
        widths = col_widths(table)
        if "definition" in [c.key for c in table.columns]:  # definitions: narrow title, wide text
            widths = [0.22 * avail, 0.17 * avail, 0.09 * avail, 0.52 * avail]
        header = [p(c.header, s_head_num if c.kind in NUMERIC_KINDS else s_head) for c in table.columns]
        body = []
        n_total = table.total_rows
        for r_index, row in enumerate(table.rows):
            total = r_index >= len(table.rows) - n_total
            cells = []
            for col in table.columns:
                text = format_value(row.get(col.key), col.kind, lang) if (
                    col.kind in NUMERIC_KINDS or row.get(col.key) is not None) else ""
                if col.kind in NUMERIC_KINDS:
                    style = ParagraphStyle("x", parent=s_num, fontName="Helvetica-Bold") if total else s_num
                else:
                    style = s_cell_bold if total else s_cell
                cells.append(p(text, style))
            body.append(cells)
        rl = RlTable([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), blue),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D7E2")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        for r in range(1, len(body) + 1):
            if r % 2 == 0:
                style.append(("BACKGROUND", (0, r), (-1, r), light))
        if n_total:
            first_total = len(body) - n_total + 1
            style += [("LINEABOVE", (0, first_total), (-1, first_total), 0.8, blue),
                      ("BACKGROUND", (0, first_total), (-1, -1), colors.HexColor("#DCE6F2"))]
        rl.setStyle(RlTableStyle(style))
        out: list[Any] = [rl]
        if table.note:
            out.append(p(table.note, s_note))
        return out

    story: list[Any] = []
    # Cover
    story += [Spacer(1, 40 * mm), p(meta.title, s_title), p(f"{tr('year', lang)} {meta.year}", s_sub),
              p(tr("subtitle", lang), s_sub), Spacer(1, 10 * mm)]
    if meta.is_demo:
        story.append(p(tr("demo", lang), s_demo))
    cover = RlTable([[p(k, ParagraphStyle("k", parent=s_body, fontName="Helvetica-Bold")), p(v, s_body)]
                     for k, v in _cover_rows(meta)], colWidths=[45 * mm, avail - 45 * mm], hAlign="LEFT")
    cover.setStyle(RlTableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D7E2")),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [cover, Spacer(1, 8 * mm), p(tr("contents", lang), s_h2)]
    story += [p(f"{i}. {s.title}", s_body) for i, s in enumerate(report.sections, start=1)]
    story += [Spacer(1, 8 * mm), p(tr("notes", lang), s_h2)]
    story += [p(note, s_note) for note in _notes(meta)]

    for i, section in enumerate(report.sections, start=1):
        story.append(PageBreak())
        head = [p(f"{i}. {section.title}", s_h1), p(section.intro, s_intro)]
        charts = [_pdf_chart(chart, avail, lang) for chart in section.charts]
        first = True
        for table in section.tables:
            block = ([p(table.title, s_h2)] if table.title else []) + table_flowable(table)
            if first:
                story.append(KeepTogether([*head, *block[:1]]))
                story += block[1:]
                first = False
            else:
                story.append(CondPageBreak(40 * mm))
                story += block
        if first:
            story += head
        for chart in charts:
            story += [Spacer(1, 4 * mm), KeepTogether([chart])]

    footer_line = meta.as_of_line
    header_line = f"{meta.title} {meta.year} · {meta.scope_label}"

    class NumberedCanvas(rl_canvas.Canvas):
        """Draws 'Page n of N' once the page count is known (pages are kept until save)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            n = self._pageNumber
            self.saveState()
            self.setStrokeColor(colors.HexColor("#BFBFBF"))
            self.setLineWidth(0.4)
            self.line(margin, 12 * mm, page_w - margin, 12 * mm)
            self.setFont("Helvetica", 7)
            self.setFillColor(grey)
            self.drawString(margin, 8 * mm, _fit(footer_line, 120))
            self.drawRightString(page_w - margin, 8 * mm, tr("page", lang, n=n, total=total))
            if n > 1:
                self.drawString(margin, page_h - 10 * mm, _fit(header_line, 140))
                self.line(margin, page_h - 11.5 * mm, page_w - margin, page_h - 11.5 * mm)
            self.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=16 * mm, bottomMargin=17 * mm,
        title=f"{meta.title} {meta.year}", subject=meta.scope_label, author="mckpi", creator="mckpi",
        keywords=f"etl_run_id={meta.etl_run_id}",
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _axis(top: float, ticks: int = 5) -> tuple[float, float]:
    """A round axis maximum and step for values up to `top` (e.g. 112 -> 120 by 20)."""
    if top <= 0:
        return 1.0, 0.2
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    return math.ceil(top / step) * step, step


def _pdf_chart(chart: Chart, width: float, lang: str) -> Any:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors

    palette = [colors.HexColor(_BLUE), colors.HexColor("#F4B183"), colors.HexColor("#A9D18E")]

    def label(v: float) -> str:
        if chart.value_kind == "rm":
            return f"{v:,.0f}"
        if chart.value_kind == "pct":
            return f"{v:.0f}%"
        return f"{v:,.0f}"

    top = max((max(values) for _, values in chart.series if values), default=0.0)
    if chart.reference is not None:
        top = max(top, chart.reference)
    value_max, value_step = _axis(top * 1.08)
    if chart.kind == "hbar":
        n = len(chart.categories)
        longest = max((len(c) for c in chart.categories), default=4)
        label_w = min(max(40.0, longest * 4.6), width * 0.45)
        bar_h = 13
        height = n * bar_h + 60
        d = Drawing(width, height)
        bc = HorizontalBarChart()
        bc.x, bc.y = label_w + 6, 30
        bc.width, bc.height = width - label_w - 40, n * bar_h
        bc.data = [values[::-1] for _, values in chart.series]
        bc.categoryAxis.categoryNames = chart.categories[::-1]
        bc.categoryAxis.labels.fontName = "Helvetica"
        bc.categoryAxis.labels.fontSize = 7
        bc.categoryAxis.labels.boxAnchor = "e"
        bc.categoryAxis.labels.dx = -3
        bc.valueAxis.valueMin = 0
        bc.valueAxis.valueMax = value_max
        bc.valueAxis.valueStep = value_step
        bc.valueAxis.labels.fontSize = 7
        bc.valueAxis.labelTextFormat = label
        bc.valueAxis.visibleGrid = True
        bc.valueAxis.gridStrokeColor = colors.HexColor("#E0E0E0")
        bc.barSpacing = 1
        bc.groupSpacing = 3
        for i in range(len(chart.series)):
            bc.bars[i].fillColor = palette[i % len(palette)]
            bc.bars[i].strokeColor = None
        bc.barLabelFormat = label
        bc.barLabels.fontSize = 6.5
        bc.barLabels.boxAnchor = "w"
        bc.barLabels.dx = 3
        if chart.reference is not None:  # drawn first, so that bars and their labels stay on top
            x = bc.x + bc.width * chart.reference / value_max
            d.add(Line(x, bc.y - 2, x, bc.y + bc.height + 2, strokeColor=colors.HexColor("#C00000"),
                       strokeWidth=1, strokeDashArray=[3, 2]))
        d.add(bc)
        d.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=9))
        return d

    height = 190
    d = Drawing(width, height)
    bc = VerticalBarChart()
    bc.x, bc.y = 40, 30
    bc.width, bc.height = min(width - 160, 60 + 110 * len(chart.categories)), height - 70
    bc.data = [values for _, values in chart.series]
    bc.categoryAxis.categoryNames = chart.categories
    bc.categoryAxis.labels.fontSize = 8
    bc.valueAxis.valueMin = 0
    bc.valueAxis.valueMax = value_max
    bc.valueAxis.valueStep = value_step
    bc.valueAxis.labels.fontSize = 7
    bc.valueAxis.labelTextFormat = label
    bc.valueAxis.visibleGrid = True
    bc.valueAxis.gridStrokeColor = colors.HexColor("#E0E0E0")
    bc.barLabelFormat = label
    bc.barLabels.fontSize = 7
    bc.barLabels.nudge = 6
    bc.groupSpacing = 12
    for i in range(len(chart.series)):
        bc.bars[i].fillColor = palette[i % len(palette)]
        bc.bars[i].strokeColor = None
    d.add(bc)
    legend = Legend()
    legend.x, legend.y = bc.x + bc.width + 20, bc.y + bc.height - 10
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(palette[i % len(palette)], name) for i, (name, _) in enumerate(chart.series)]
    d.add(legend)
    d.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=9))
    return d
