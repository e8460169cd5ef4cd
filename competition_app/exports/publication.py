"""Publication documents: 成绩公示, 获奖名单, 技术能手申报/推荐名单 and 晋升名单, as PDF and xlsx.

Pure functions of a :class:`~competition_app.results.view.CompetitionView`: no database, so the
results service, the CLI and the tests all hand in the same frozen view. Each function writes one
file and returns its path.

PDFs go through :mod:`competition_app.pdf.tables` (embedded LXGW WenKai, text fitted to its
cells, "第 i 页 / 共 N 页" on every page). Workbooks keep everything organisers must not see
mangled as text: bibs, ID numbers (11010519491231002X), and marks and totals, written as the
exact decimal strings of the rules' precision (a float cell would show 85.549999… for 85.55 after
a round trip through pandas) — the 名次 column stays numeric for sorting.

Results of an event whose score sheets are not all locked (``EventView.official`` False) carry
"未锁定，仅供核对" on every page and in every row of the workbooks, so a draft never passes for
the published results.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from competition_app.certificates.numbering import chinese_date
from competition_app.i18n import _
from competition_app.pdf.tables import Align, Column, TableDocument, render_tables_pdf
from competition_app.results.view import CompetitionView, EventView, GroupView, ResultLine
from competition_app.text import display_width

__all__ = [
    "announcement_pdf",
    "announcement_xlsx",
    "award_list_pdf",
    "award_list_xlsx",
    "chinese_date",
    "promotion_list_pdf",
    "promotion_list_xlsx",
    "title_list_pdf",
    "title_list_xlsx",
]

SEAL_GAP = "\u00a0"  # a no-break space: reportlab drops a paragraph of plain spaces
UNOFFICIAL = "未锁定，仅供核对"
STALE = "成绩已变动，需重新计算"


def _draft_marks(event: EventView) -> list[str]:
    marks: list[str] = []
    if not event.official:
        marks.append(_(UNOFFICIAL))
    if event.stale:
        marks.append(_(STALE))
    return marks


def _state(event: EventView) -> str:
    return "；".join(_draft_marks(event)) or _("已锁定")


def _decimal(value: Decimal | None) -> str:
    """A mark or total exactly as the rules rounded it ("85.50" stays "85.50")."""
    return "" if value is None else f"{value:f}"


def _rank(line: ResultLine) -> str:
    if line.rank is None:
        return "—"
    return _("{rank}（并列）").format(rank=line.rank) if line.shared_rank else str(line.rank)


def _remark(line: ResultLine) -> str:
    if line.status:
        return line.status
    return _("未排名") if line.rank is None else ""


def _component_names(event: EventView) -> tuple[str, ...]:
    """The event's components in their order (the union over its lines, first seen first)."""
    names: dict[str, None] = {}
    for group in event.groups:
        for line in group.lines:
            for name, _value in line.components:
                names.setdefault(name, None)
    return tuple(names)


def _component_value(line: ResultLine, name: str) -> str:
    return next((_decimal(value) for component, value in line.components if component == name), "")


def _lines(view: CompetitionView) -> Iterator[tuple[EventView, GroupView, ResultLine]]:
    for event in view.events:
        for group in event.groups:
            for line in group.lines:
                yield event, group, line


# --- 成绩公示 -------------------------------------------------------------------------------


def _announcement_documents(
    view: CompetitionView,
    *,
    period_from: date,
    period_to: date,
    contact: str,
    objection_note: str | None,
    issued_on: date,
) -> list[TableDocument]:
    if period_to < period_from:
        raise ValueError(_("公示期结束日期不能早于开始日期"))
    sections = [(event, group) for event in view.events for group in event.groups]
    if not sections:
        raise ValueError(_("赛事“{name}”没有可公示的成绩").format(name=view.name))
    period = _("公示期：{start}至{end}").format(start=chinese_date(period_from), end=chinese_date(period_to))
    title = _("{competition}成绩公示").format(competition=view.name)
    documents: list[TableDocument] = []
    for number, (event, group) in enumerate(sections, start=1):
        components = _component_names(event)
        columns = (
            Column(_("名次"), 1.3),
            Column(_("参赛编号"), 1.1),
            Column(_("姓名"), 1.1),
            Column(_("单位"), 2.8, "left"),
            *(Column(name, 1.0) for name in components),
            Column(_("总成绩"), 1.0),
            Column(_("奖项"), 1.0),
            Column(_("备注"), 1.0),
        )
        rows = tuple(
            (
                _rank(line),
                line.bib or "",
                line.name,
                line.unit or "",
                *(_component_value(line, name) for name in components),
                _decimal(line.total),
                line.award or "",
                _remark(line),
            )
            for line in group.lines
        )
        last = number == len(sections)
        notes: tuple[str, ...] = ()
        closing: tuple[str, ...] = ()
        if last:
            notes = (
                _("{period}。公示期内对成绩有异议的，请以书面形式实名向赛事组委会反映。").format(period=period),
                _("联系方式：{contact}").format(contact=contact),
            )
            if objection_note:
                notes += (objection_note,)
            # No-break spaces keep blank lines: room above the issuer for the red seal.
            closing = (
                *(SEAL_GAP,) * 3,
                _("{organiser}（盖章）").format(organiser=view.organiser or _("赛事组委会")),
                chinese_date(issued_on),
            )
        marks = _draft_marks(event)
        documents.append(
            TableDocument(
                title=title,
                columns=columns,
                rows=rows,
                subtitle_lines=(
                    _("赛项：{event}　组别：{group}　参赛人数：{size}").format(
                        event=event.label, group=group.name, size=group.field_size
                    ),
                    period,
                ),
                notes=notes,
                banner="；".join(marks) or None,
                watermark=_(UNOFFICIAL) if not event.official else None,
                closing_lines=closing,
                closing_align="right",
                font_size=10,
            )
        )
    return documents


def announcement_pdf(
    view: CompetitionView,
    path: Path,
    *,
    period_from: date,
    period_to: date,
    contact: str,
    objection_note: str | None = None,
    issued_on: date | None = None,
) -> Path:
    """成绩公示 as A4 portrait PDF: a table per event and group, then 公示期, contact and the seal block.

    Every page names the competition, the event and group and the 公示期; the last one ends with
    the contact for objections (and ``objection_note``) and, at the bottom right, room for the
    seal above the organiser's name and ``issued_on`` (default: the first day of the period).
    Raises ``ValueError`` when the period ends before it starts or there is nothing to publish.
    """
    documents = _announcement_documents(
        view,
        period_from=period_from,
        period_to=period_to,
        contact=contact,
        objection_note=objection_note,
        issued_on=issued_on or period_from,
    )
    return _write(path, render_tables_pdf(documents, author=view.organiser, continuous_numbering=True))


# --- workbooks ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    header: str
    width: float = 1.0  # relative, for the PDF
    number: bool = False  # an int written as a number (序号, 名次); everything else is text
    align: Align = "center"


@dataclass(frozen=True, slots=True)
class _Listing:
    """One list as both the workbook and the PDF print it."""

    title: str
    sheet: str
    fields: tuple[_Field, ...]
    rows: tuple[tuple[str | int | None, ...], ...]
    states: tuple[str, ...]  # per row: 已锁定, or why it is a draft
    landscape: bool = False
    notes: tuple[str, ...] = ()


def _write(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.write_bytes(data)
    return path


def _workbook(sheets: Sequence[tuple[str, Sequence[_Field], Sequence[Sequence[str | int | None]]]]) -> bytes:
    """Sheets with a bold frozen header and an autofilter; text cells formatted "@" (stay text)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header_format = workbook.add_format(
        {"bold": True, "bg_color": "#E8E8E8", "border": 1, "align": "center", "valign": "vcenter"}
    )
    text_format = workbook.add_format({"num_format": "@", "border": 1})
    number_format = workbook.add_format({"border": 1, "align": "center"})
    for name, fields, rows in sheets:
        sheet = workbook.add_worksheet(name)
        for column, field in enumerate(fields):
            sheet.write_string(0, column, field.header, header_format)
        for row_index, row in enumerate(rows, start=1):
            for column, (field, value) in enumerate(zip(fields, row, strict=True)):
                if value is None or value == "":
                    sheet.write_blank(row_index, column, None, number_format if field.number else text_format)
                elif field.number and isinstance(value, int):
                    sheet.write_number(row_index, column, value, number_format)
                else:
                    sheet.write_string(row_index, column, str(value), text_format)
        for column, field in enumerate(fields):
            texts = [field.header, *("" if row[column] is None else str(row[column]) for row in rows)]
            sheet.set_column(column, column, min(max(display_width(text) for text in texts) + 2, 60))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(fields) - 1)
    workbook.close()
    return buffer.getvalue()


def _sheet_name(text: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    cleaned = "".join("_" if char in "[]:*?/\\" else char for char in text).strip("'") or _("成绩")
    name, number = cleaned[:31], 2
    while name in taken:
        suffix = f"({number})"
        name, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name)
    return name


def announcement_xlsx(view: CompetitionView, path: Path) -> Path:
    """成绩公示 as one sheet organisers can filter: a row per entry with its event and group.

    Component columns are the union over all events (blank where an event has no such
    component); marks and totals are exact decimal strings; 状态 says "未锁定，仅供核对" for an
    event whose results are not yet official.
    """
    components: dict[str, None] = {}
    for event in view.events:
        for name in _component_names(event):
            components.setdefault(name, None)
    fields = (
        _Field(_("序号"), number=True),
        _Field(_("赛项")),
        _Field(_("职业（工种）")),
        _Field(_("组别")),
        _Field(_("名次"), number=True),
        _Field(_("并列")),
        _Field(_("参赛编号")),
        _Field(_("姓名")),
        _Field(_("单位")),
        *(_Field(name) for name in components),
        _Field(_("总成绩")),
        _Field(_("奖项")),
        _Field(_("备注")),
        _Field(_("状态")),
    )
    rows = tuple(
        (
            number,
            event.name,
            event.occupation,
            group.name,
            line.rank,
            _("是") if line.shared_rank else "",
            line.bib,
            line.name,
            line.unit,
            *(_component_value(line, name) for name in components),
            _decimal(line.total),
            line.award,
            _remark(line),
            _state(event),
        )
        for number, (event, group, line) in enumerate(_lines(view), start=1)
    )
    taken: set[str] = set()
    return _write(path, _workbook([(_sheet_name(_("成绩公示"), taken), fields, rows)]))


# --- 获奖名单 ---------------------------------------------------------------------------------


def _award_listing(view: CompetitionView) -> _Listing:
    fields = (
        _Field(_("序号"), 0.7, number=True),
        _Field(_("赛项"), 1.8),
        _Field(_("组别"), 1.0),
        _Field(_("奖项"), 1.0),
        _Field(_("名次"), 0.9, number=True),
        _Field(_("姓名"), 1.1),
        _Field(_("单位"), 3.0, align="left"),
        _Field(_("总成绩"), 1.0),
    )
    picked = [(event, group, line) for event, group, line in _lines(view) if line.award and line.rank is not None]
    rows = tuple(
        (number, event.label, group.name, line.award, line.rank, line.name, line.unit, _decimal(line.total))
        for number, (event, group, line) in enumerate(picked, start=1)
    )
    return _Listing(
        _("{competition}获奖名单").format(competition=view.name),
        _("获奖名单"),
        fields,
        rows,
        tuple(_state(event) for event, _group, _line in picked),
        notes=_notes(view),
    )


def award_list_xlsx(view: CompetitionView, path: Path) -> Path:
    """获奖名单: everyone with an award, by event, group and rank (the view's order)."""
    return _listing_xlsx(_award_listing(view), path)


def award_list_pdf(view: CompetitionView, path: Path) -> Path:
    """获奖名单 as an A4 portrait PDF (see :func:`award_list_xlsx`)."""
    return _listing_pdf(_award_listing(view), path, view)


# --- 技术能手申报/推荐名单 ---------------------------------------------------------------------


def _title_reason(line: ResultLine, title: str) -> str:
    """The rules engine's sentences about ``title`` (all of the explanation if none names it)."""
    about = [sentence for sentence in line.explanation if title in sentence]
    return "；".join(about)


def _title_listing(view: CompetitionView) -> _Listing:
    fields = (
        _Field(_("序号"), 0.7, number=True),
        _Field(_("姓名"), 1.1),
        _Field(_("性别"), 0.6),
        _Field(_("证件号码"), 2.7),
        _Field(_("单位"), 2.4, align="left"),
        _Field(_("赛项（职业）"), 2.0),
        _Field(_("组别"), 0.9),
        _Field(_("名次"), 0.7, number=True),
        _Field(_("总成绩"), 0.9),
        _Field(_("可申报称号"), 1.6),
        _Field(_("依据"), 3.8, align="left"),
    )
    picked = [
        (event, group, line, title)
        for event, group, line in _lines(view)
        if line.rank is not None
        for title in line.titles
    ]
    rows = tuple(
        (
            number,
            line.name,
            line.gender,
            line.id_number,
            line.unit,
            event.label,
            group.name,
            line.rank,
            _decimal(line.total),
            title,
            _title_reason(line, title),
        )
        for number, (event, group, line, title) in enumerate(picked, start=1)
    )
    return _Listing(
        _("{competition}技术能手申报（推荐）名单").format(competition=view.name),
        _("技术能手申报名单"),
        fields,
        rows,
        tuple(_state(event) for event, _group, _line, _title in picked),
        landscape=True,
        notes=_notes(view),
    )


def title_list_xlsx(view: CompetitionView, path: Path) -> Path:
    """技术能手申报/推荐名单: a row per person and title they may apply for, with the rule's reason."""
    return _listing_xlsx(_title_listing(view), path)


def title_list_pdf(view: CompetitionView, path: Path) -> Path:
    """技术能手申报/推荐名单 as an A4 landscape PDF (see :func:`title_list_xlsx`)."""
    return _listing_pdf(_title_listing(view), path, view)


# --- 晋升名单 ---------------------------------------------------------------------------------


def _promotion_listing(view: CompetitionView) -> _Listing:
    fields = (
        _Field(_("序号"), 0.7, number=True),
        _Field(_("姓名"), 1.1),
        _Field(_("性别"), 0.6),
        _Field(_("证件号码"), 2.3),
        _Field(_("单位"), 2.8, align="left"),
        _Field(_("职业（工种）"), 1.6),
        _Field(_("赛项"), 1.6),
        _Field(_("组别"), 0.9),
        _Field(_("名次"), 0.7, number=True),
        _Field(_("现职业技能等级"), 1.6),
        _Field(_("晋升等级"), 1.6),
    )
    picked = [(event, group, line) for event, group, line in _lines(view) if line.promotion is not None]
    rows = tuple(
        (
            number,
            line.name,
            line.gender,
            line.id_number,
            line.unit,
            event.occupation,
            event.name,
            group.name,
            line.rank,
            line.current_level.label if line.current_level else _("无"),
            line.promotion.label if line.promotion else "",
        )
        for number, (event, group, line) in enumerate(picked, start=1)
    )
    return _Listing(
        _("{competition}晋升职业技能等级名单").format(competition=view.name),
        _("晋升名单"),
        fields,
        rows,
        tuple(_state(event) for event, _group, _line in picked),
        landscape=True,
        notes=_notes(view),
    )


def promotion_list_xlsx(view: CompetitionView, path: Path) -> Path:
    """晋升名单: who is promoted, from which level (无 when none is recorded) to which."""
    return _listing_xlsx(_promotion_listing(view), path)


def promotion_list_pdf(view: CompetitionView, path: Path) -> Path:
    """晋升名单 as an A4 landscape PDF (see :func:`promotion_list_xlsx`)."""
    return _listing_pdf(_promotion_listing(view), path, view)


# --- shared ---------------------------------------------------------------------------------


def _notes(view: CompetitionView) -> tuple[str, ...]:
    """A line naming every event whose results are not official yet."""
    drafts = [event.name for event in view.events if _draft_marks(event)]
    if not drafts:
        return ()
    return (_("注：{events}的成绩{mark}。").format(events="、".join(drafts), mark=_(UNOFFICIAL)),)


def _listing_xlsx(listing: _Listing, path: Path) -> Path:
    """The list as one sheet, with a 成绩状态 column so a draft row is never mistaken for final."""
    fields = (*listing.fields, _Field(_("成绩状态")))
    rows = [(*row, state) for row, state in zip(listing.rows, listing.states, strict=True)]
    return _write(path, _workbook([(_sheet_name(listing.sheet, set()), fields, rows)]))


def _listing_pdf(listing: _Listing, path: Path, view: CompetitionView) -> Path:
    any_draft = any(_draft_marks(event) for event in view.events)
    document = TableDocument(
        title=listing.title,
        columns=tuple(Column(field.header, field.width, field.align) for field in listing.fields),
        rows=tuple(tuple("" if value is None else str(value) for value in row) for row in listing.rows)
        or (tuple("" for _field in listing.fields),),
        subtitle_lines=(_("共 {count} 人次").format(count=len(listing.rows)),),
        notes=listing.notes,
        banner=_(UNOFFICIAL) if any_draft else None,
        landscape=listing.landscape,
        font_size=10,
    )
    return _write(path, render_tables_pdf([document], author=view.organiser))
