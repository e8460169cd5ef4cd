"""Judges of a competition, what they judge, and the 回避 (conflict-of-interest) warnings.

A judge from the same unit as a contestant of an event they judge should step aside (回避).
``avoidance_conflicts`` lists every such case; the UI shows them as warnings, not as errors:
whether a judge really must step aside is the organiser's call (a big enterprise may send
both a judge and contestants from different plants).

Everything here needs 报名与裁判管理 (REGISTER): for the competition to add or edit a judge, for
the event to assign one. A user who holds it for some events only sees the judges assigned there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from competition_app.domain.enums import EntryStatus, IdType, Role
from competition_app.domain.permissions import Permission
from competition_app.domain.person_fields import FieldError, check_document, clean_text, normalise_phone
from competition_app.i18n import _
from competition_app.services import audit
from competition_app.services.auth import audit_who, permitted_event_ids, require
from db.models import Component, Entry, Event, Judge, JudgeAssignment, Person, Unit

__all__ = [
    "ASSIGNABLE_ROLES",
    "AssignmentView",
    "Conflict",
    "JudgeError",
    "JudgeInput",
    "JudgeView",
    "add_judge",
    "assign_judge",
    "avoidance_conflicts",
    "list_judges",
    "unassign_judge",
    "update_judge",
]

ASSIGNABLE_ROLES = (Role.CHIEF_JUDGE, Role.JUDGE, Role.CLERK)


class JudgeError(ValueError):
    """A judge or an assignment that cannot be saved: every problem as (field, Chinese message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("；".join(f"{label}：{message}" if label else message for label, message in problems))


@dataclass(frozen=True, slots=True)
class JudgeInput:
    name: str
    unit: str = ""
    id_number: str = ""  # optional; checked as a document of ``id_type`` when given
    id_type: IdType = IdType.RESIDENT_ID
    phone: str = ""
    title: str = ""  # 职称/资格


@dataclass(frozen=True, slots=True)
class AssignmentView:
    id: int
    event_id: int
    event: str
    component_id: int | None
    component: str | None
    role: Role
    seat: int | None

    @property
    def label(self) -> str:
        parts = [self.event, self.role.label]
        if self.component:
            parts.append(self.component)
        if self.seat:
            parts.append(_("{seat}号位").format(seat=self.seat))
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class JudgeView:
    id: int
    name: str
    unit: str | None
    id_number: str | None
    phone: str | None
    title: str | None
    assignments: tuple[AssignmentView, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """A judge of an event in which contestants of their own unit take part."""

    judge_id: int
    judge: str
    event_id: int
    event: str
    unit: str
    contestants: tuple[str, ...]

    @property
    def message(self) -> str:
        return _("回避：裁判{judge}（{unit}）评判“{event}”，本单位选手{count}人：{names}").format(
            judge=self.judge, unit=self.unit, event=self.event, count=len(self.contestants),
            names="、".join(self.contestants),
        )  # fmt: skip


def _checked(session: Session, competition_id: int, judge: JudgeInput, judge_id: int | None) -> dict[str, object]:
    problems: list[tuple[str, str]] = []
    name = clean_text(judge.name)
    if not name:
        problems.append((_("姓名"), _("不能为空")))
    number: str | None = None
    if clean_text(judge.id_number):
        try:
            number = check_document(judge.id_type, judge.id_number).number
        except FieldError as error:
            problems.append((_("证件号码"), str(error)))
        else:
            clash = session.scalar(
                select(Judge.name).where(
                    Judge.competition_id == competition_id, Judge.id_number == number, Judge.id != (judge_id or 0)
                )
            )
            if clash is not None:
                problems.append((_("证件号码"), _("本赛事已有此证件号码的裁判：{name}").format(name=clash)))
    phone: str | None = None
    if clean_text(judge.phone):
        try:
            phone = normalise_phone(judge.phone)
        except FieldError as error:
            problems.append((_("联系电话"), str(error)))
    if problems:
        raise JudgeError(problems)
    return {"name": name, "id_number": number, "phone": phone, "title": clean_text(judge.title) or None}


def _unit_id(session: Session, name: str) -> int | None:
    text = clean_text(name)
    if not text:
        return None
    unit_id = session.scalar(select(Unit.id).where(Unit.name == text))
    if unit_id is None:
        unit = Unit(name=text)
        session.add(unit)
        session.flush()
        unit_id = unit.id
    return unit_id


def add_judge(session: Session, competition_id: int, judge: JudgeInput, *, username: str | None = None) -> int:
    """Add a judge to the competition (their unit by name, created when new); returns the id."""
    require(session, Permission.REGISTER, competition_id=competition_id)
    values = _checked(session, competition_id, judge, None)
    row = Judge(competition_id=competition_id, unit_id=_unit_id(session, judge.unit), **values)
    session.add(row)
    session.flush()
    audit.append(session, action="judge.create", entity_type="judge", entity_id=row.id, competition_id=competition_id,
                 new_value={**values, "unit": clean_text(judge.unit) or None},
                 **audit_who(session, username))  # fmt: skip
    return row.id


def update_judge(session: Session, judge_id: int, judge: JudgeInput, *, username: str | None = None) -> None:
    row = _judge(session, judge_id)
    require(session, Permission.REGISTER, competition_id=row.competition_id)
    values = _checked(session, row.competition_id, judge, judge_id)
    old = {"name": row.name, "id_number": row.id_number, "phone": row.phone, "title": row.title, "unit_id": row.unit_id}
    for key, value in values.items():
        setattr(row, key, value)
    row.unit_id = _unit_id(session, judge.unit)
    session.flush()
    audit.append(session, action="judge.update", entity_type="judge", entity_id=row.id,
                 competition_id=row.competition_id, old_value=old, new_value={**values, "unit_id": row.unit_id},
                 **audit_who(session, username))  # fmt: skip


def _judge(session: Session, judge_id: int) -> Judge:
    row = session.get(Judge, judge_id)
    if row is None:
        raise JudgeError([("", _("没有编号为{id}的裁判").format(id=judge_id))])
    return row


def assign_judge(
    session: Session,
    judge_id: int,
    event_id: int,
    *,
    role: Role = Role.JUDGE,
    component_id: int | None = None,
    seat: int | None = None,
    username: str | None = None,
) -> int:
    """Assign a judge to an event (optionally one component and a seat on its panel); returns the id."""
    judge = _judge(session, judge_id)
    event = session.get(Event, event_id)
    problems: list[tuple[str, str]] = []
    if event is None or event.competition_id != judge.competition_id:
        raise JudgeError([(_("赛项"), _("裁判只能评判本赛事的赛项"))])
    require(session, Permission.REGISTER, event_id=event_id)
    if role not in ASSIGNABLE_ROLES:
        problems.append((_("职责"), _("应为{roles}").format(roles="、".join(r.label for r in ASSIGNABLE_ROLES))))
    if component_id is not None:
        component = session.get(Component, component_id)
        if component is None or component.event_id != event_id:
            problems.append((_("评分项"), _("不是本赛项的评分项")))
    same_cell = select(JudgeAssignment.id).where(
        JudgeAssignment.judge_id == judge_id,
        JudgeAssignment.event_id == event_id,
        func.coalesce(JudgeAssignment.component_id, 0) == (component_id or 0),
    )
    if session.scalar(same_cell) is not None:
        problems.append((_("赛项"), _("{name}已有这项分工").format(name=judge.name)))
    if seat is not None:
        if seat < 1:
            problems.append((_("座位"), _("应从1开始")))
        taken = session.scalar(
            select(Judge.name)
            .join(JudgeAssignment, JudgeAssignment.judge_id == Judge.id)
            .where(
                JudgeAssignment.event_id == event_id,
                func.coalesce(JudgeAssignment.component_id, 0) == (component_id or 0),
                JudgeAssignment.seat == seat,
            )
        )
        if taken is not None:
            problems.append((_("座位"), _("{seat}号位已由{name}担任").format(seat=seat, name=taken)))
    if problems:
        raise JudgeError(problems)
    assignment = JudgeAssignment(judge_id=judge_id, event_id=event_id, component_id=component_id, role=role, seat=seat)
    session.add(assignment)
    session.flush()
    audit.append(session, action="judge.assign", entity_type="judge_assignment", entity_id=assignment.id,
                 competition_id=judge.competition_id, event_id=event_id,
                 new_value={"judge_id": judge_id, "role": role.value, "component_id": component_id, "seat": seat},
                 **audit_who(session, username))  # fmt: skip
    return assignment.id


def unassign_judge(session: Session, assignment_id: int, *, username: str | None = None) -> None:
    assignment = session.get(JudgeAssignment, assignment_id)
    if assignment is None:
        raise JudgeError([("", _("没有编号为{id}的分工").format(id=assignment_id))])
    require(session, Permission.REGISTER, event_id=assignment.event_id)
    judge = assignment.judge
    old = {"judge_id": judge.id, "role": assignment.role.value, "component_id": assignment.component_id,
           "seat": assignment.seat}  # fmt: skip
    session.delete(assignment)
    session.flush()
    audit.append(session, action="judge.unassign", entity_type="judge_assignment", entity_id=assignment_id,
                 competition_id=judge.competition_id, event_id=assignment.event_id, old_value=old,
                 **audit_who(session, username))  # fmt: skip


def list_judges(session: Session, competition_id: int) -> tuple[JudgeView, ...]:
    """The competition's judges by name, each with their assignments in event order.

    A user who registers for some events only gets the judges assigned to those, with those
    assignments.
    """
    permitted = _registering_events(session, competition_id)
    statement = select(Judge).where(Judge.competition_id == competition_id)
    if permitted is not None:
        assigned_there = select(JudgeAssignment.judge_id).where(JudgeAssignment.event_id.in_(permitted))
        statement = statement.where(Judge.id.in_(assigned_there))
    judges = session.scalars(
        statement.options(selectinload(Judge.unit), selectinload(Judge.assignments)).order_by(Judge.name, Judge.id)
    ).all()
    events = {
        event.id: (event.sort_order, event.name)
        for event in session.scalars(select(Event).where(Event.competition_id == competition_id))
    }
    components: dict[int, str] = {
        component_id: name
        for component_id, name in session.execute(
            select(Component.id, Component.name).join(Event).where(Event.competition_id == competition_id)
        )
    }

    def view(judge: Judge) -> JudgeView:
        assignments = sorted(
            (a for a in judge.assignments if permitted is None or a.event_id in permitted),
            key=lambda a: (events.get(a.event_id, (0, ""))[0], a.event_id, a.component_id or 0),
        )
        return JudgeView(
            id=judge.id,
            name=judge.name,
            unit=judge.unit.name if judge.unit else None,
            id_number=judge.id_number,
            phone=judge.phone,
            title=judge.title,
            assignments=tuple(
                AssignmentView(
                    a.id,
                    a.event_id,
                    events.get(a.event_id, (0, ""))[1],
                    a.component_id,
                    components.get(a.component_id) if a.component_id else None,
                    a.role,
                    a.seat,
                )
                for a in assignments
            ),
        )

    return tuple(view(judge) for judge in judges)


def _registering_events(session: Session, competition_id: int) -> frozenset[int] | None:
    """The competition's events the user holds REGISTER for (None: all); refused when none."""
    permitted = permitted_event_ids(session, Permission.REGISTER, competition_id=competition_id)
    if permitted is not None and not permitted:
        require(session, Permission.REGISTER, competition_id=competition_id)  # raises, naming the user
    return permitted


def avoidance_conflicts(session: Session, competition_id: int) -> list[Conflict]:
    """Every (judge, event) where the judge's unit also sends contestants to that event.

    A contestant's unit is the one recorded at registration, else their current one; withdrawn
    entries do not count. Only the events the user registers for are looked at.
    """
    permitted = _registering_events(session, competition_id)
    contestant_unit = func.coalesce(Entry.unit_id, Person.unit_id)
    statement = (
        select(Judge.id, Judge.name, Event.id, Event.name, Unit.name, Entry.id, Person.name)
        .join(JudgeAssignment, JudgeAssignment.judge_id == Judge.id)
        .join(Event, Event.id == JudgeAssignment.event_id)
        .join(Entry, Entry.event_id == Event.id)
        .join(Person, Person.id == Entry.person_id)
        .join(Unit, Unit.id == Judge.unit_id)
        .where(
            Judge.competition_id == competition_id,
            contestant_unit == Judge.unit_id,
            Entry.status != EntryStatus.WITHDRAWN,
        )
        .order_by(Event.sort_order, Event.id, Judge.name, Judge.id, Person.name)
    )
    if permitted is not None:
        statement = statement.where(Event.id.in_(permitted))
    rows = session.execute(statement)
    # A judge on several panels of one event meets each contestant once per panel: keep one.
    conflicts: dict[tuple[int, int], tuple[str, str, str, dict[int, str]]] = {}
    for judge_id, judge, event_id, event, unit, entry_id, contestant in rows:
        conflicts.setdefault((judge_id, event_id), (judge, event, unit, {}))[3][entry_id] = contestant
    return [
        Conflict(judge_id, judge, event_id, event, unit, tuple(contestants.values()))
        for (judge_id, event_id), (judge, event, unit, contestants) in conflicts.items()
    ]
