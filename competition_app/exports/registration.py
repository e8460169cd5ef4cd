"""Registration exports: the roster (报名名单), sign-in sheets (签到表) and bib/station lists.

Each export reads plain rows (:func:`registration_rows`) and renders them to bytes: xlsx with
xlsxwriter (Chinese headers, ID and phone numbers stored as text so Excel never turns
11010519491231002X into a number, frozen header row, autofilter), PDF with
:mod:`competition_app.pdf.tables`.

Anonymous codes (检录号) appear in none of these: they are printed only on the sealed draw sheet.

Every export needs 报名与裁判管理 (REGISTER): for the event when one is named, else it covers the
competition's events the user holds it for (``PermissionDenied`` when there are none).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus, Gender, IdType, PersonStatus, SkillLevel
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.pdf.tables import Column, TableDocument, render_tables_pdf
from competition_app.services import competitions
from competition_app.services.auth import permitted_event_ids, require, visible_event_ids
from competition_app.text import display_width
from db.models import Competition, Entry, Event, EventGroup, Person, Team, Unit

NOT_TAKING_PART = (EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED)


class ExportError(ValueError):
    """An export that cannot be made (unknown competition or event, nothing to export)."""


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """One entry with everything the registration exports print."""

    entry_id: int
    competition: str
    event_id: int
    event: str
    group_id: int
    group: str
    bib: str | None
    name: str
    gender: Gender | None
    id_type: IdType
    id_number: str
    birth_date: date | None
    phone: str | None
    unit: str | None
    person_status: PersonStatus
    skill_level: SkillLevel | None
    station: str | None  # the entry's, or its team's in a team event
    status: EntryStatus

    @property
    def taking_part(self) -> bool:
        return self.status not in NOT_TAKING_PART


# --- lookups --------------------------------------------------------------------------------


def find_competition(session: Session, key: str) -> int:
    """The id of the competition named ``key`` (or with id ``key``); ``ExportError`` if none."""
    try:
        return competitions.find_competition(session, key)
    except LookupError as error:
        raise ExportError(str(error)) from None


def find_event(session: Session, competition_id: int, key: str) -> int:
    """The id of the competition's event named ``key`` (or with id ``key``); Chinese error if none."""
    key = key.strip()
    in_competition = Event.competition_id == competition_id
    event_id = session.scalar(select(Event.id).where(in_competition, Event.name == key))
    if event_id is None and key.isdigit():
        event_id = session.scalar(select(Event.id).where(in_competition, Event.id == int(key)))
    if event_id is None:
        known = select(Event.name).where(in_competition).order_by(Event.sort_order, Event.id)
        visible = visible_event_ids(session)
        if visible is not None:
            known = known.where(Event.id.in_(visible))
        names = session.scalars(known).all()
        raise ExportError(_("本赛事没有名为 “{key}” 的赛项；现有赛项：{known}").format(key=key, known="、".join(names)))
    return event_id


def registration_rows(
    session: Session,
    competition_id: int,
    *,
    event_id: int | None = None,
    group_id: int | None = None,
    taking_part_only: bool = False,
) -> tuple[RegistrationRow, ...]:
    """A competition's entries (optionally one event or group), in event, group, then bib order.

    Only the events the user holds REGISTER for; see the module's docstring.
    """
    events = _exported_events(session, competition_id, event_id)
    statement = (
        select(
            Entry.id.label("entry_id"),
            Competition.name.label("competition"),
            Event.id.label("event_id"),
            Event.name.label("event"),
            EventGroup.id.label("group_id"),
            EventGroup.name.label("group"),
            Entry.bib.label("bib"),
            Person.name.label("name"),
            Person.gender.label("gender"),
            Person.id_type.label("id_type"),
            Person.id_number.label("id_number"),
            Person.birth_date.label("birth_date"),
            Person.phone.label("phone"),
            Unit.name.label("unit"),
            Person.status.label("person_status"),
            func.coalesce(Entry.skill_level_at_entry, Person.skill_level).label("skill_level"),
            func.coalesce(Entry.station, Team.station).label("station"),
            Entry.status.label("status"),
        )
        .join(Event, Event.id == Entry.event_id)
        .join(Competition, Competition.id == Event.competition_id)
        .join(Person, Person.id == Entry.person_id)
        .join(EventGroup, and_(EventGroup.id == Entry.group_id, EventGroup.event_id == Entry.event_id))
        .outerjoin(Team, Team.id == Entry.team_id)
        .outerjoin(Unit, Unit.id == func.coalesce(Entry.unit_id, Person.unit_id))
        .where(Event.competition_id == competition_id)
        # SQLite sorts NULL first and PostgreSQL last; the explicit key puts entries without a bib last on both.
        .order_by(
            Event.sort_order, Event.id, EventGroup.sort_order, EventGroup.id, Entry.bib.is_(None), Entry.bib, Entry.id
        )
    )
    if event_id is not None:
        statement = statement.where(Entry.event_id == event_id)
    if group_id is not None:
        statement = statement.where(Entry.group_id == group_id)
    if taking_part_only:
        statement = statement.where(Entry.status.not_in(NOT_TAKING_PART))
    if events is not None:
        statement = statement.where(Entry.event_id.in_(events))
    return tuple(RegistrationRow(**row._asdict()) for row in session.execute(statement))


def _exported_events(session: Session, competition_id: int, event_id: int | None) -> frozenset[int] | None:
    """The events an export may cover (None: no limit); raises ``PermissionDenied`` when none."""
    if event_id is not None:
        _event(session, event_id)
        require(session, Permission.REGISTER, event_id=event_id)
        return None
    permitted = permitted_event_ids(session, Permission.REGISTER, competition_id=competition_id)
    if permitted is not None and not permitted:
        require(session, Permission.REGISTER, competition_id=competition_id)  # raises, naming the user
    return permitted


def _competition(session: Session, competition_id: int) -> Competition:
    competition = session.get(Competition, competition_id)
    if competition is None:
        raise ExportError(_("没有编号为 {id} 的赛事").format(id=competition_id))
    return competition


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise ExportError(_("没有编号为 {id} 的赛项").format(id=event_id))
    return event


# --- xlsx -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _XlsxColumn:
    header: str
    kind: str = "text"  # text | number | date


def _xlsx(sheet_name: str, columns: Sequence[_XlsxColumn], rows: Sequence[Sequence[object]]) -> bytes:
    """One sheet: bold header row frozen, autofilter, widths from the content, text kept as text."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(sheet_name)
    header_format = workbook.add_format(
        {"bold": True, "bg_color": "#E8E8E8", "border": 1, "align": "center", "valign": "vcenter"}
    )
    # "@" marks the cells as text, so numbers typed in later (a new phone number) stay text too.
    text_format = workbook.add_format({"num_format": "@", "border": 1})
    number_format = workbook.add_format({"border": 1, "align": "center"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd", "border": 1, "align": "center"})
    for column, spec in enumerate(columns):
        sheet.write_string(0, column, spec.header, header_format)
    for row_index, row in enumerate(rows, start=1):
        for column, (spec, value) in enumerate(zip(columns, row, strict=True)):
            if value is None or value == "":
                sheet.write_blank(row_index, column, None, text_format if spec.kind == "text" else number_format)
            elif spec.kind == "number" and isinstance(value, int):
                sheet.write_number(row_index, column, value, number_format)
            elif spec.kind == "date" and isinstance(value, date):
                sheet.write_datetime(row_index, column, value, date_format)
            else:
                sheet.write_string(row_index, column, str(value), text_format)
    for column, spec in enumerate(columns):
        cells = [spec.header, *(_cell_text(row[column]) for row in rows)]
        sheet.set_column(column, column, min(max(display_width(text) for text in cells) + 2, 60))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


ROSTER_COLUMNS = (
    _XlsxColumn("序号", "number"),
    _XlsxColumn("赛项"),
    _XlsxColumn("组别"),
    _XlsxColumn("参赛编号"),
    _XlsxColumn("姓名"),
    _XlsxColumn("性别"),
    _XlsxColumn("证件类型"),
    _XlsxColumn("证件号码"),
    _XlsxColumn("出生日期", "date"),
    _XlsxColumn("手机号码"),
    _XlsxColumn("单位"),
    _XlsxColumn("身份"),
    _XlsxColumn("职业技能等级"),
    _XlsxColumn("工位号"),
    _XlsxColumn("报名状态"),
)


def roster_xlsx(session: Session, competition_id: int, *, event_id: int | None = None) -> bytes:
    """报名名单: every entry of the competition (or one event), with status, as an xlsx workbook."""
    _competition(session, competition_id)
    rows = registration_rows(session, competition_id, event_id=event_id)
    cells = [
        (
            number,
            row.event,
            row.group,
            row.bib,
            row.name,
            row.gender.label if row.gender else None,
            row.id_type.label,
            row.id_number,
            row.birth_date,
            row.phone,
            row.unit,
            row.person_status.label,
            row.skill_level.label if row.skill_level else None,
            row.station,
            row.status.label,
        )
        for number, row in enumerate(rows, start=1)
    ]
    columns = tuple(_XlsxColumn(_(column.header), column.kind) for column in ROSTER_COLUMNS)
    return _xlsx(_("报名名单"), columns, cells)


BIB_COLUMNS = (
    _XlsxColumn("序号", "number"),
    _XlsxColumn("赛项"),
    _XlsxColumn("组别"),
    _XlsxColumn("参赛编号"),
    _XlsxColumn("姓名"),
    _XlsxColumn("单位"),
    _XlsxColumn("工位号"),
)


def bib_list_xlsx(session: Session, competition_id: int, *, event_id: int | None = None) -> bytes:
    """参赛编号/工位号对照表 of those taking part, as an xlsx workbook."""
    _competition(session, competition_id)
    rows = registration_rows(session, competition_id, event_id=event_id, taking_part_only=True)
    cells = [
        (number, row.event, row.group, row.bib, row.name, row.unit, row.station)
        for number, row in enumerate(rows, start=1)
    ]
    columns = tuple(_XlsxColumn(_(column.header), column.kind) for column in BIB_COLUMNS)
    return _xlsx(_("参赛编号工位号对照表"), columns, cells)


# --- PDF ------------------------------------------------------------------------------------


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _event_date_line(event: Event) -> str:
    day = event.start_date or event.competition.start_date
    if day is None:
        return _("比赛日期：______年____月____日")
    return _("比赛日期：{date}").format(date=_chinese_date(day))


def _by_event_and_group(
    rows: Sequence[RegistrationRow],
) -> list[tuple[int, int, list[RegistrationRow]]]:
    sections: list[tuple[int, int, list[RegistrationRow]]] = []
    for row in rows:
        if not sections or (sections[-1][0], sections[-1][1]) != (row.event_id, row.group_id):
            sections.append((row.event_id, row.group_id, []))
        sections[-1][2].append(row)
    return sections


def signin_sheet_pdf(
    session: Session, competition_id: int, *, event_id: int | None = None, group_id: int | None = None
) -> bytes:
    """签到表: one sheet per event and group (each numbered on its own), for those taking part.

    Columns 序号, 参赛编号, 姓名, 单位, 工位号, 签到（签名） (left blank, tall enough to sign) and 备注.
    """
    competition = _competition(session, competition_id)
    rows = registration_rows(session, competition_id, event_id=event_id, group_id=group_id, taking_part_only=True)
    if not rows:
        raise ExportError(_("没有需要签到的选手"))
    columns = (
        Column(_("序号"), 0.6),
        Column(_("参赛编号"), 1.2),
        Column(_("姓名"), 1.1),
        Column(_("单位"), 2.8, "left"),
        Column(_("工位号"), 0.8),
        Column(_("签到（签名）"), 1.6),
        Column(_("备注"), 0.9),
    )
    documents = []
    for section_event_id, _group_id, members in _by_event_and_group(rows):
        event = _event(session, section_event_id)
        documents.append(
            TableDocument(
                title=_("签到表"),
                subtitle_lines=(
                    competition.name,
                    _("赛项：{event}　组别：{group}　{date}").format(
                        event=event.name, group=members[0].group, date=_event_date_line(event)
                    ),
                ),
                columns=columns,
                rows=tuple(
                    (str(number), row.bib or "", row.name, row.unit or "", row.station or "", "", "")
                    for number, row in enumerate(members, start=1)
                ),
                signature_line=_("检录员签字：__________　裁判长签字：__________　日期：__________"),
                row_min_height=26,
            )
        )
    return render_tables_pdf(documents)


def bib_list_pdf(session: Session, competition_id: int, *, event_id: int | None = None) -> bytes:
    """参赛编号/工位号对照表 of those taking part: one table per event, in bib order."""
    competition = _competition(session, competition_id)
    rows = registration_rows(session, competition_id, event_id=event_id, taking_part_only=True)
    if not rows:
        raise ExportError(_("没有可输出的参赛选手"))
    columns = (
        Column(_("序号"), 0.6),
        Column(_("参赛编号"), 1.2),
        Column(_("姓名"), 1.1),
        Column(_("单位"), 3.0, "left"),
        Column(_("组别"), 1.0),
        Column(_("工位号"), 0.8),
    )
    by_event: dict[int, list[RegistrationRow]] = {}
    for row in rows:
        by_event.setdefault(row.event_id, []).append(row)
    documents = [
        TableDocument(
            title=_("参赛编号/工位号对照表"),
            subtitle_lines=(competition.name, _("赛项：{event}").format(event=members[0].event)),
            columns=columns,
            rows=tuple(
                (str(number), row.bib or "", row.name, row.unit or "", row.group, row.station or "")
                for number, row in enumerate(members, start=1)
            ),
        )
        for members in by_event.values()
    ]
    return render_tables_pdf(documents)
