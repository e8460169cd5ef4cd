"""A titled A4 table as PDF bytes: sign-in sheets, bib lists, draw sheets, result lists.

:func:`render_table_pdf` is a pure function of a :class:`TableDocument`. Each page repeats the
header row and carries "第 i 页 / 共 N 页" and, when given, a signature line at its foot, so a
page torn off the stack is still a signed, attributable page. :func:`render_tables_pdf` puts
several tables (e.g. one per event) in one file, each starting on a new page and numbered on
its own.

Cell text never overflows its column: :func:`fit_text` measures it with the font's real
advance widths and first shrinks it a little, then wraps it (Chinese may break between any two
characters, but never before closing punctuation such as "，" or "）"), then shrinks the
wrapped text down to a minimum size; only then does a row grow taller.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as turn
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from competition_app.i18n import _
from competition_app.pdf.fonts import cannot_start_line, register_cjk_font

Align = Literal["left", "center", "right"]

MM = 72 / 25.4
CELL_PADDING = 3.0  # points, left and right of the text in each cell
MAX_WRAPPED_LINES = 3  # before falling back to the minimum size with as many lines as it takes


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, its share of the page width (relative) and its alignment."""

    header: str
    width: float = 1.0
    align: Align = "center"


@dataclass(frozen=True, slots=True)
class TableDocument:
    """Everything one printed table shows. Rows are plain strings, one per column."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    subtitle_lines: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # paragraphs printed after the table
    signature_line: str | None = None  # e.g. "裁判长签字：________  日期：________"
    landscape: bool = False
    font_size: float = 10.5
    min_font_size: float = 6.0
    header_font_size: float = 10.5
    row_min_height: float = 0.0  # points; a sign-in sheet needs room for a handwritten name

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError(_("表格至少需要一列"))
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(
                    _("第 {number} 行有 {cells} 个单元格，但表格有 {columns} 列").format(
                        number=number, cells=len(row), columns=len(self.columns)
                    )
                )


@dataclass(frozen=True, slots=True)
class FittedText:
    """Cell text laid out to fit a width: the font size and the lines to print."""

    font_size: float
    lines: tuple[str, ...]

    @property
    def leading(self) -> float:
        return round(self.font_size * 1.25, 2)


def _string_width(text: str, font_name: str, size: float) -> float:
    return float(stringWidth(text, font_name, size))


def _tokens(text: str) -> list[str]:
    """Break opportunities: each CJK character alone, runs of Latin letters/digits kept whole."""
    tokens: list[str] = []
    for char in text:
        if tokens and char.isascii() and not char.isspace() and tokens[-1][-1:].isascii() and not tokens[-1].isspace():
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def wrap_text(text: str, font_name: str, size: float, width: float) -> tuple[str, ...]:
    """Greedy line breaking within ``width`` points; no line starts with closing punctuation.

    A single token wider than the line (a long Latin word) is broken between characters.
    """
    forbidden_start = cannot_start_line()
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for token in _tokens(paragraph):
            if _string_width(current + token, font_name, size) <= width:
                current += token
                continue
            # Closing punctuation may not start the next line: take characters from the end of
            # this line down with it (a line of "…（一）" followed by "，" breaks before "一").
            head = token
            while head[:1] in forbidden_start and len(current) > 1:
                head = current[-1] + head
                current = current[:-1]
            if current.strip():
                lines.append(current.rstrip())
            current = head.lstrip()
            while len(current) > 1 and _string_width(current, font_name, size) > width:
                cut = len(current) - 1
                while cut > 1 and _string_width(current[:cut], font_name, size) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current.rstrip())
    return tuple(lines)


def fit_text(text: str, font_name: str, width: float, *, size: float, min_size: float) -> FittedText:
    """Lay ``text`` out within ``width`` points, never wider.

    In order: one line at ``size``; one line shrunk to no less than 85% of ``size`` (or
    ``min_size``); up to :data:`MAX_WRAPPED_LINES` lines at the largest size from ``size`` down to
    ``min_size`` that allows it; finally as many lines as needed at ``min_size``.
    """
    if min_size > size:
        raise ValueError(_("最小字号不能大于字号"))
    width = max(width, 1.0)
    natural = _string_width(text, font_name, size)
    if "\n" not in text and natural <= width:
        return FittedText(size, (text,))
    shrink_floor = max(min_size, size * 0.85)
    if "\n" not in text and natural * shrink_floor / size <= width:
        fitted = _floor_half_point(size * width / natural)
        while _string_width(text, font_name, fitted) > width:  # pragma: no cover - rounding guard
            fitted -= 0.5
        return FittedText(max(fitted, shrink_floor), (text,))
    candidate = size
    while candidate >= min_size:
        lines = wrap_text(text, font_name, candidate, width)
        if len(lines) <= MAX_WRAPPED_LINES:
            return FittedText(candidate, lines)
        candidate -= 0.5
    return FittedText(min_size, wrap_text(text, font_name, min_size, width))


def _floor_half_point(size: float) -> float:
    return int(size * 2) / 2


def _page_size(landscape: bool) -> tuple[float, float]:
    width, height = turn(A4) if landscape else A4
    return (float(width), float(height))


MARGIN_SIDE = 15 * MM
MARGIN_TOP = 15 * MM
MARGIN_BOTTOM = 22 * MM  # the footer: signature line and page number


def column_widths(document: TableDocument) -> tuple[float, ...]:
    """The columns' widths in points: their relative widths spread over the printable width."""
    page_width, _height = _page_size(document.landscape)
    available = page_width - 2 * MARGIN_SIDE
    total = sum(column.width for column in document.columns)
    return tuple(available * column.width / total for column in document.columns)


def _cell_style_commands(
    fitted: FittedText, column: int, row: int, font_name: str, align: Align
) -> list[tuple[Any, ...]]:
    return [
        ("FONTNAME", (column, row), (column, row), font_name),
        ("FONTSIZE", (column, row), (column, row), fitted.font_size),
        ("LEADING", (column, row), (column, row), fitted.leading),
        ("ALIGN", (column, row), (column, row), align.upper()),
    ]


def _story_for(document: TableDocument, font_name: str, section: int) -> list[Flowable]:
    title_style = ParagraphStyle(
        "title", fontName=font_name, fontSize=17, leading=22, alignment=TA_CENTER, wordWrap="CJK", spaceAfter=4
    )
    subtitle_style = ParagraphStyle(
        "subtitle", fontName=font_name, fontSize=10.5, leading=14, alignment=TA_CENTER, wordWrap="CJK"
    )
    note_style = ParagraphStyle(
        "note", fontName=font_name, fontSize=10, leading=14, alignment=TA_LEFT, wordWrap="CJK", spaceBefore=4
    )
    widths = column_widths(document)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    data: list[list[str]] = []
    for row_index, row in enumerate(
        ((tuple(column.header for column in document.columns)), *document.rows),
    ):
        cells: list[str] = []
        for column_index, text in enumerate(row):
            is_header = row_index == 0
            fitted = fit_text(
                text,
                font_name,
                widths[column_index] - 2 * CELL_PADDING,
                size=document.header_font_size if is_header else document.font_size,
                min_size=document.min_font_size,
            )
            align: Align = "center" if is_header else document.columns[column_index].align
            commands += _cell_style_commands(fitted, column_index, row_index, font_name, align)
            cells.append("\n".join(fitted.lines))
        data.append(cells)
    heights = None
    if document.row_min_height:
        heights = [None, *(_row_height(document, data[i], commands, i) for i in range(1, len(data)))]
    table = Table(data, colWidths=list(widths), rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle(commands))
    story: list[Flowable] = [_SectionStart(section), Paragraph(escape(document.title), title_style)]
    story += [Paragraph(escape(line), subtitle_style) for line in document.subtitle_lines]
    story += [Spacer(1, 6), table]
    if document.notes:
        story.append(Spacer(1, 6))
        story += [Paragraph(escape(note), note_style) for note in document.notes]
    return story


def _row_height(document: TableDocument, cells: list[str], commands: list[tuple[Any, ...]], row: int) -> float:
    """At least ``row_min_height``, and tall enough for the row's tallest wrapped cell."""
    tallest = 0.0
    for column, text in enumerate(cells):
        leading = next(
            float(command[3])
            for command in reversed(commands)
            if command[0] == "LEADING" and command[1] == (column, row)
        )
        tallest = max(tallest, leading * (text.count("\n") + 1) + 6)
    return max(document.row_min_height, tallest)


class _SectionStart(Flowable):
    """A zero-size flowable marking where a section (one table document) begins."""

    def __init__(self, section: int) -> None:
        super().__init__()
        self.section = section

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return (0.0, 0.0)

    def draw(self) -> None:
        if isinstance(self.canv, _NumberedCanvas):
            self.canv.section = self.section


class _NumberedCanvas(Canvas):
    """A canvas that defers each page's footer until the page count of its section is known."""

    documents: tuple[TableDocument, ...] = ()
    font_name = ""
    page_size: tuple[float, float] = A4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Start every page in the embedded font, so no unembedded Helvetica is referenced at all.
        kwargs["initialFontName"] = self.font_name
        super().__init__(*args, **kwargs)
        self.section = 0
        self._pages: list[tuple[dict[str, Any], int]] = []

    def showPage(self) -> None:
        # Keep the finished page's state; the footers are drawn in save() (reportlab's recipe).
        self._pages.append((dict(self.__dict__), self.section))
        self._startPage()  # type: ignore[attr-defined]  # not in the stubs

    def save(self) -> None:
        totals: dict[int, int] = {}
        for _state, section in self._pages:
            totals[section] = totals.get(section, 0) + 1
        numbers: dict[int, int] = {}
        for state, section in self._pages:
            self.__dict__.update(state)
            numbers[section] = numbers.get(section, 0) + 1
            self._draw_footer(self.documents[section], numbers[section], totals[section])
            super().showPage()
        super().save()

    def _draw_footer(self, document: TableDocument, number: int, total: int) -> None:
        width, _height = self.page_size
        self.setFont(self.font_name, 9)
        self.drawCentredString(
            width / 2, 9 * MM, _("第 {number} 页 / 共 {total} 页").format(number=number, total=total)
        )
        if document.signature_line:
            self.setFont(self.font_name, 10.5)
            self.drawString(MARGIN_SIDE, 15 * MM, document.signature_line)


def render_tables_pdf(
    documents: Sequence[TableDocument], *, font: str | Path | None = None, author: str | None = None
) -> bytes:
    """Render one or more table documents into one PDF; each starts a page and is numbered alone.

    All documents share the orientation of the first. ``font`` is a TrueType file to use instead
    of the bundled LXGW WenKai (see :func:`competition_app.pdf.fonts.register_cjk_font`).
    """
    if not documents:
        raise ValueError(_("没有要输出的表格"))
    registered_font = register_cjk_font(font)
    sheet_size = _page_size(documents[0].landscape)
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=sheet_size,
        leftMargin=MARGIN_SIDE,
        rightMargin=MARGIN_SIDE,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=documents[0].title,
        author=author or "",
        creator="competition-app",
    )
    story: list[Flowable] = []
    for section, document in enumerate(documents):
        if section:
            story.append(PageBreak())
        story += _story_for(document, registered_font, section)
    all_documents = tuple(documents)

    class NumberedCanvas(_NumberedCanvas):
        documents = all_documents
        font_name = registered_font
        page_size = sheet_size

    template.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def render_table_pdf(document: TableDocument, *, font: str | Path | None = None) -> bytes:
    """Render one titled A4 table to PDF bytes (see the module docstring for the layout)."""
    return render_tables_pdf([document], font=font)


__all__ = [
    "Column",
    "FittedText",
    "TableDocument",
    "column_widths",
    "fit_text",
    "render_table_pdf",
    "render_tables_pdf",
    "wrap_text",
]
