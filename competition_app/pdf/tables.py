"""A titled A4 table as PDF bytes: sign-in sheets, bib lists, draw sheets, result lists.

:func:`render_table_pdf` is a pure function of a :class:`TableDocument`. Each page repeats the
header row and carries "第 i 页 / 共 N 页" and, when given, a signature line at its foot, so a
page torn off the stack is still a signed, attributable page. :func:`render_tables_pdf` puts
several tables (e.g. one per event) in one file, each starting on a new page and numbered on
its own (or, with ``continuous_numbering``, as one document split into parts).

A document may also carry a red ``banner`` under its title and a diagonal ``watermark`` on
every page (a draft), a ``footer_note`` at the foot of every page (e.g. a fingerprint), shaded
cells, and a closing block kept on one page: ``signatures`` (a label and a line to sign on)
followed by ``closing_lines``.

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
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from competition_app.i18n import _
from competition_app.pdf.fonts import cannot_start_line, register_cjk_font

Align = Literal["left", "center", "right"]

MM = 72 / 25.4
_ALIGNMENT: dict[Align, Literal[0, 1, 2]] = {"left": 0, "center": 1, "right": 2}  # reportlab's TA_* values
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
    banner: str | None = None  # a boxed red line under the title, e.g. "草稿：未锁定"
    watermark: str | None = None  # large, light, diagonal text across every page
    footer_note: str | None = None  # small text at the foot of every page, left of the page number
    page_label: str | None = None  # "第 {number} 页 共 {total} 页"; default "第 x 页 / 共 y 页"
    shaded_cells: frozenset[tuple[int, int]] = frozenset()  # (row, column) of ``rows``, 0-based
    signatures: tuple[str, ...] = ()  # labels, each followed by a line to sign on
    closing_lines: tuple[str, ...] = ()  # paragraphs after the signatures, on the same page
    closing_align: Align = "left"  # "right" for an issuer and date above a seal

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

    In order: one line (or the text's own lines) at ``size``; the same shrunk to no less than
    85% of ``size`` (or ``min_size``); up to :data:`MAX_WRAPPED_LINES` lines at the largest size from ``size`` down to
    ``min_size`` that allows it; finally as many lines as needed at ``min_size``.
    """
    if min_size > size:
        raise ValueError(_("最小字号不能大于字号"))
    width = max(width, 1.0)
    given = tuple(text.splitlines()) or ("",)  # explicit lines (a two-line header) stay as given
    natural = max(_string_width(line, font_name, size) for line in given)
    if natural <= width:
        return FittedText(size, given)
    shrink_floor = max(min_size, size * 0.85)
    if natural * shrink_floor / size <= width:
        fitted = _floor_half_point(size * width / natural)
        while max(_string_width(line, font_name, fitted) for line in given) > width:  # pragma: no cover
            fitted -= 0.5
        return FittedText(max(fitted, shrink_floor), given)
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
    story: list[Flowable] = [_SectionStart(section), Paragraph(escape(document.title), title_style)]
    story += [Paragraph(escape(line), subtitle_style) for line in document.subtitle_lines]
    if document.banner:
        banner_style = ParagraphStyle(
            "banner", parent=subtitle_style, fontSize=13, leading=17, textColor=colors.HexColor("#C00000"),
            borderColor=colors.HexColor("#C00000"), borderWidth=1, borderPadding=4, spaceBefore=7,
            spaceAfter=5,
        )  # fmt: skip
        story.append(Paragraph(escape(document.banner), banner_style))
    for shaded_row, shaded_column in document.shaded_cells:
        cell = (shaded_column, shaded_row + 1)  # the header is row 0
        commands.append(("BACKGROUND", cell, cell, SHADE))
    table.setStyle(TableStyle(commands))
    story += [Spacer(1, 6), table]
    if document.notes:
        story.append(Spacer(1, 6))
        story += [Paragraph(escape(note), note_style) for note in document.notes]
    closing: list[Flowable] = []
    if document.signatures:
        closing += [Spacer(1, 10), _signature_table(document, font_name, sum(widths))]
    closing_style = ParagraphStyle("closing", parent=note_style, alignment=_ALIGNMENT[document.closing_align])
    closing += [Paragraph(escape(line), closing_style) for line in document.closing_lines]
    if closing:
        story.append(KeepTogether(closing))
    return story


SHADE = colors.HexColor("#D9D9D9")
SIGNATURE_ROW_HEIGHT = 28.0  # points: room for a handwritten signature


def signature_columns(landscape: bool) -> int:
    """How many signatures share a row: three in landscape, two in portrait."""
    return 3 if landscape else 2


def _signature_table(document: TableDocument, font_name: str, width: float) -> Table:
    """Labels with a line to sign on, :func:`signature_columns` to a row; an empty label leaves a gap."""
    per_row = signature_columns(document.landscape)
    label_width = max(_string_width(label + "：", font_name, 10.5) for label in document.signatures) + 6
    label_width = min(label_width, width / per_row * 0.6)
    line_width = width / per_row - label_width
    data: list[list[str]] = []
    for start in range(0, len(document.signatures), per_row):
        labels = document.signatures[start : start + per_row]
        row: list[str] = []
        for label in labels:
            fitted = fit_text(label + "：", font_name, label_width - 2, size=10.5, min_size=7)
            row += ["\n".join(fitted.lines) if label else "", ""]
        data.append(row + [""] * (2 * per_row - len(row)))
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font_name),
        ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1),
    ]
    for row_index, start in enumerate(range(0, len(document.signatures), per_row)):
        for slot in range(min(per_row, len(document.signatures) - start)):
            if not document.signatures[start + slot]:
                continue
            line = 2 * slot + 1
            commands.append(("LINEBELOW", (line, row_index), (line, row_index), 0.6, colors.black))
    widths = [label_width, line_width * 0.92] * per_row
    table = Table(data, colWidths=widths, rowHeights=[SIGNATURE_ROW_HEIGHT] * len(data), hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


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
    continuous = False  # number all pages as one document

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
            counted = 0 if self.continuous else section
            totals[counted] = totals.get(counted, 0) + 1
        numbers: dict[int, int] = {}
        for state, section in self._pages:
            self.__dict__.update(state)
            counted = 0 if self.continuous else section
            numbers[counted] = numbers.get(counted, 0) + 1
            document = self.documents[section]
            if document.watermark:
                self._draw_watermark(document.watermark)
            self._draw_footer(document, numbers[counted], totals[counted])
            super().showPage()
        super().save()

    def _draw_watermark(self, text: str) -> None:
        width, height = self.page_size
        self.saveState()
        self.setFillColor(colors.HexColor("#C00000"))
        self.setFillAlpha(0.10)
        size = min(72.0, 0.8 * (width**2 + height**2) ** 0.5 / max(1.0, _string_width(text, self.font_name, 1)))
        self.setFont(self.font_name, size)
        self.translate(width / 2, height / 2)
        self.rotate(30 if width > height else 55)
        self.drawCentredString(0, -size / 3, text)
        self.restoreState()

    def _draw_footer(self, document: TableDocument, number: int, total: int) -> None:
        width, _height = self.page_size
        self.setFont(self.font_name, 9)
        label = (document.page_label or _("第 {number} 页 / 共 {total} 页")).format(number=number, total=total)
        if document.footer_note:
            self.drawRightString(width - MARGIN_SIDE, 9 * MM, label)
            note_width = width - 2 * MARGIN_SIDE - _string_width(label, self.font_name, 9) - 12
            fitted = fit_text(document.footer_note, self.font_name, note_width, size=8, min_size=5)
            self.setFont(self.font_name, fitted.font_size)
            self.drawString(MARGIN_SIDE, 9 * MM, fitted.lines[0])
        else:
            self.drawCentredString(width / 2, 9 * MM, label)
        if document.signature_line:
            self.setFont(self.font_name, 10.5)
            self.drawString(MARGIN_SIDE, 15 * MM, document.signature_line)


def render_tables_pdf(
    documents: Sequence[TableDocument],
    *,
    font: str | Path | None = None,
    author: str | None = None,
    continuous_numbering: bool = False,
) -> bytes:
    """Render one or more table documents into one PDF; each starts a page and is numbered alone.

    All documents share the orientation of the first. ``font`` is a TrueType file to use instead
    of the bundled LXGW WenKai (see :func:`competition_app.pdf.fonts.register_cjk_font`). With
    ``continuous_numbering`` the pages are numbered through (parts of one document).
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
        continuous = continuous_numbering

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
    "signature_columns",
    "wrap_text",
]
