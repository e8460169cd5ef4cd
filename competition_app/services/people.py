"""Registration by hand: one person across competitions, their history, and their entries.

A person is one row however many competitions they enter: ``register`` finds them by their
document (证件类型 + 号码) and updates what the form says, or creates them. Every field is
checked with ``domain.person_fields`` — the same checks the form runs as the user types
(``check_person``) — and every problem is reported with the field it concerns, in Chinese.

Everything here needs 报名与裁判管理 (REGISTER) where it happens: for the event of an entry, the
competition of an achievement. A person is shared by every competition, so looking one up needs
REGISTER somewhere; their past entries then list only the events the user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from competition_app.domain.enums import (
    AchievementKind,
    EntryStatus,
    EventKind,
    Gender,
    IdType,
    PersonStatus,
    SkillLevel,
)
from competition_app.domain.permissions import Permission, holds_anywhere
from competition_app.domain.person_fields import (
    CheckedDocument,
    FieldError,
    age_problem,
    check_document,
    clean_text,
    document_mismatches,
    normalise_phone,
    parse_gender,
    parse_id_type,
    parse_skill_level,
    parse_status,
)
from competition_app.i18n import _
from competition_app.rules.io import PastPromotion, PersonHistory
from competition_app.services import audit
from competition_app.services.auth import audit_who, current_actor, permitted_event_ids, require, visible_event_ids
from db.models import Competition, Entry, Event, EventGroup, Person, PersonAchievement, Team, Unit
from db.types import utcnow

T = TypeVar("T")

__all__ = [
    "AchievementView",
    "CheckedPerson",
    "EventContext",
    "GroupChoice",
    "PastEntry",
    "PersonField",
    "PersonInput",
    "PersonView",
    "RegistrationError",
    "TeamChoice",
    "add_achievement",
    "check_person",
    "find_person",
    "person_history",
    "register",
    "registration_context",
    "registration_contexts",
    "update_entry_status",
]


class PersonField(StrEnum):
    """The fields of the registration form; problems name the field they concern."""

    NAME = "name"
    ID_TYPE = "id_type"
    ID_NUMBER = "id_number"
    GENDER = "gender"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    UNIT = "unit"
    REGION = "region"
    STATUS = "status"
    SKILL_LEVEL = "skill_level"
    CERTIFICATE_NO = "certificate_no"
    EVENT = "event"
    GROUP = "group"
    BIB = "bib"
    TEAM = "team"
    ENTRY = "entry"

    @property
    def label(self) -> str:
        return _(_FIELD_LABELS[self])


_FIELD_LABELS: dict[PersonField, str] = {
    PersonField.NAME: "姓名",
    PersonField.ID_TYPE: "证件类型",
    PersonField.ID_NUMBER: "证件号码",
    PersonField.GENDER: "性别",
    PersonField.BIRTH_DATE: "出生日期",
    PersonField.PHONE: "联系电话",
    PersonField.UNIT: "单位",
    PersonField.REGION: "地区",
    PersonField.STATUS: "身份",
    PersonField.SKILL_LEVEL: "职业技能等级",
    PersonField.CERTIFICATE_NO: "证书编号",
    PersonField.EVENT: "赛项",
    PersonField.GROUP: "组别",
    PersonField.BIB: "参赛编号",
    PersonField.TEAM: "团队",
    PersonField.ENTRY: "报名",
}

Problem = tuple[PersonField, str]


class RegistrationError(ValueError):
    """A registration that cannot be saved: every problem as (field, Chinese message)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("；".join(f"{field.label}：{message}" for field, message in problems))


# --- input and its checks ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonInput:
    """What the form (or an import row) says about a person: raw text or already parsed values."""

    name: str
    id_number: str
    id_type: IdType | str = IdType.RESIDENT_ID
    gender: Gender | str | None = None
    birth_date: date | str | None = None
    phone: str = ""
    unit: str = ""
    region: str = ""
    status: PersonStatus | str = PersonStatus.WORKER
    skill_level: SkillLevel | str | None = None
    certificate_no: str = ""


@dataclass(frozen=True, slots=True)
class CheckedPerson:
    """A person's fields after every check: normalised, parsed, ready to store."""

    name: str
    document: CheckedDocument
    gender: Gender | None
    birth_date: date | None
    phone: str | None
    unit: str | None
    region: str | None
    status: PersonStatus
    skill_level: SkillLevel | None
    certificate_no: str | None


def _parse_date(raw: date | str | None) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    text = clean_text(raw).replace("/", "-").replace(".", "-")
    if not text:
        return None
    for separator in ("年", "月"):
        text = text.replace(separator, "-")
    text = text.rstrip("日").rstrip("-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day)
    except ValueError:
        raise FieldError(_("日期“{text}”无效，应如2001-05-18").format(text=clean_text(raw))) from None


class _Problems(list[Problem]):
    def parsed(self, field: PersonField, parse: Callable[[Any], T], raw: Any) -> T | None:
        """``parse(raw)``, or None with the problem noted."""
        try:
            return parse(raw)
        except FieldError as error:
            self.append((field, str(error)))
            return None


def _check_identity(
    person: PersonInput, problems: _Problems
) -> tuple[CheckedDocument | None, Gender | None, date | None]:
    """The document, and gender and birth date: typed, else read from the number; checked against it."""
    id_type = (
        person.id_type
        if isinstance(person.id_type, IdType)
        else problems.parsed(PersonField.ID_TYPE, parse_id_type, person.id_type)
    )
    gender: Gender | None = None
    if isinstance(person.gender, Gender):
        gender = person.gender
    elif person.gender is not None and clean_text(person.gender):
        gender = problems.parsed(PersonField.GENDER, parse_gender, person.gender)
    birth_date = problems.parsed(PersonField.BIRTH_DATE, _parse_date, person.birth_date)
    if id_type is None:
        return None, gender, birth_date
    document = problems.parsed(PersonField.ID_NUMBER, lambda raw: check_document(id_type, raw), person.id_number)
    if document is None:
        return None, gender, birth_date
    for label, message in document_mismatches(document, gender, birth_date):
        problems.append((PersonField.GENDER if label == _("性别") else PersonField.BIRTH_DATE, message))
    gender = gender or document.gender
    birth_date = birth_date or document.birth_date
    if gender is None:
        problems.append((PersonField.GENDER, _("证件号码不含性别，请选择")))
    if birth_date is None:
        problems.append((PersonField.BIRTH_DATE, _("证件号码不含出生日期，请填写")))
    return document, gender, birth_date


def _check_age(
    birth_date: date, on: date | None, min_age: int | None, max_age: int | None, problems: _Problems
) -> None:
    if birth_date > (on or date.today()) or birth_date.year < 1900:
        problems.append((PersonField.BIRTH_DATE, _("出生日期{day}不合理").format(day=birth_date.isoformat())))
    elif on is not None:
        problem = age_problem(birth_date, on, min_age, max_age)
        if problem:
            problems.append((PersonField.BIRTH_DATE, problem))


def check_person(
    person: PersonInput,
    *,
    on: date | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
) -> tuple[CheckedPerson | None, list[Problem]]:
    """Check every field; the checked person (None when anything is wrong) and every problem.

    Gender and birth date come from the document number when it encodes them and they were not
    typed; typed ones must agree with it. With ``on`` (the competition day) the age must lie
    within ``min_age``..``max_age``. The form calls this on every keystroke; ``register`` again.
    """
    problems = _Problems()
    name = clean_text(person.name)
    if not name:
        problems.append((PersonField.NAME, _("不能为空")))
    elif len(name) > 60:
        problems.append((PersonField.NAME, _("不能超过60个字")))
    document, gender, birth_date = _check_identity(person, problems)
    if birth_date is not None:
        _check_age(birth_date, on, min_age, max_age, problems)
    phone = problems.parsed(PersonField.PHONE, normalise_phone, person.phone) if clean_text(person.phone) else None
    status = (
        person.status
        if isinstance(person.status, PersonStatus)
        else problems.parsed(PersonField.STATUS, parse_status, person.status)
    )
    skill_level = (
        person.skill_level
        if person.skill_level is None or isinstance(person.skill_level, SkillLevel)
        else problems.parsed(PersonField.SKILL_LEVEL, parse_skill_level, person.skill_level)
    )
    unit = clean_text(person.unit)
    if len(unit) > 200:
        problems.append((PersonField.UNIT, _("不能超过200个字")))
    certificate_no = clean_text(person.certificate_no).replace(" ", "")
    if len(certificate_no) > 40:
        problems.append((PersonField.CERTIFICATE_NO, _("不能超过40个字符")))
    if problems or document is None or status is None:
        return None, list(problems)
    checked = CheckedPerson(
        name=name,
        document=document,
        gender=gender,
        birth_date=birth_date,
        phone=phone,
        unit=unit or None,
        region=clean_text(person.region) or None,
        status=status,
        skill_level=skill_level,
        certificate_no=certificate_no or None,
    )
    return checked, []


# --- what a form needs to know of an event ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupChoice:
    name: str
    allowed_statuses: frozenset[PersonStatus]

    @property
    def label(self) -> str:
        if not self.allowed_statuses:
            return self.name
        statuses = "、".join(status.label for status in PersonStatus if status in self.allowed_statuses)
        return f"{self.name}（{statuses}）"


@dataclass(frozen=True, slots=True)
class TeamChoice:
    id: int
    name: str
    group: str
    members: int


@dataclass(frozen=True, slots=True)
class EventContext:
    """One event as the registration form needs it: groups, age limits, date, teams."""

    id: int
    competition_id: int
    competition: str
    name: str
    kind: EventKind
    team_size: int
    groups: tuple[GroupChoice, ...]
    min_age: int | None
    max_age: int | None
    day: date | None
    """The event's date, else the competition's first day: the day ages are counted on."""
    registration_open: bool
    teams: tuple[TeamChoice, ...]
    entry_count: int


def registration_contexts(session: Session, competition_id: int) -> tuple[EventContext, ...]:
    """The competition's events the user registers for, in order, as the registration form needs them."""
    statement = select(Event.id).where(Event.competition_id == competition_id).order_by(Event.sort_order, Event.id)
    permitted = permitted_event_ids(session, Permission.REGISTER, competition_id=competition_id)
    if permitted is not None:
        if not permitted:
            require(session, Permission.REGISTER, competition_id=competition_id)  # raises: none of its events
        statement = statement.where(Event.id.in_(permitted))
    return tuple(_context(session, _event(session, event_id)) for event_id in session.scalars(statement).all())


def registration_context(session: Session, event_id: int) -> EventContext:
    event = _event(session, event_id)
    require(session, Permission.REGISTER, event_id=event_id)
    return _context(session, event)


def _context(session: Session, event: Event) -> EventContext:
    event_id = event.id
    teams = session.scalars(select(Team).where(Team.event_id == event_id).order_by(Team.name)).all()
    group_names = {group.id: group.name for group in event.groups}
    entries = session.scalars(select(Entry.team_id).where(Entry.event_id == event_id)).all()
    return EventContext(
        id=event.id,
        competition_id=event.competition_id,
        competition=event.competition.name,
        name=event.name,
        kind=event.kind,
        team_size=event.team_size,
        groups=tuple(
            GroupChoice(group.name, frozenset(PersonStatus(code) for code in group.allowed_statuses))
            for group in event.groups
        ),
        min_age=event.min_age,
        max_age=event.max_age,
        day=event.start_date or event.competition.start_date,
        registration_open=event.registration_open,
        teams=tuple(
            TeamChoice(team.id, team.name, group_names.get(team.group_id, ""), entries.count(team.id)) for team in teams
        ),
        entry_count=len(entries),
    )


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id, options=[selectinload(Event.groups)])
    if event is None:
        raise RegistrationError([(PersonField.EVENT, _("没有编号为{id}的赛项").format(id=event_id))])
    return event


# --- a person and their history ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AchievementView:
    id: int
    kind: AchievementKind
    title: str
    year: int
    skill_level: SkillLevel | None
    achieved_on: date | None
    issuer: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class PastEntry:
    entry_id: int
    competition_id: int
    competition: str
    year: int
    event_id: int
    event: str
    group: str
    bib: str | None
    status: EntryStatus


@dataclass(frozen=True, slots=True)
class PersonView:
    """A person as the form shows them, with what they did before."""

    id: int
    name: str
    id_type: IdType
    id_number: str
    gender: Gender | None
    birth_date: date | None
    phone: str | None
    unit: str | None
    region: str | None
    status: PersonStatus
    skill_level: SkillLevel | None
    certificate_no: str | None
    achievements: tuple[AchievementView, ...]
    entries: tuple[PastEntry, ...]

    @property
    def titles(self) -> tuple[AchievementView, ...]:
        return tuple(a for a in self.achievements if a.kind is AchievementKind.TITLE)

    @property
    def promotions(self) -> tuple[AchievementView, ...]:
        return tuple(a for a in self.achievements if a.kind is AchievementKind.PROMOTION)

    @property
    def history(self) -> PersonHistory:
        """What the title and promotion rules read of this person."""
        return PersonHistory(
            titles=tuple(a.title for a in self.titles),
            promotions=tuple(PastPromotion(a.year, a.skill_level) for a in self.promotions if a.skill_level),
        )


def find_person(session: Session, id_type: IdType, number: str) -> PersonView | None:
    """The person with this document (the number is normalised first), or None."""
    _require_registering(session)
    try:
        normalised = check_document(id_type, number).number
    except FieldError:
        return None
    person_id = session.scalar(select(Person.id).where(Person.id_type == id_type, Person.id_number == normalised))
    return None if person_id is None else person_view(session, person_id)


def _require_registering(session: Session) -> None:
    """People are shared by all competitions: REGISTER anywhere lets a user look one up."""
    if not holds_anywhere(current_actor(session).grants, Permission.REGISTER):
        require(session, Permission.REGISTER)  # raises, naming the user and the permission


def person_view(session: Session, person_id: int) -> PersonView:
    """A person with their achievements and their entries in the events the user may see."""
    _require_registering(session)
    person = session.get(Person, person_id, options=[selectinload(Person.achievements), selectinload(Person.unit)])
    if person is None:
        raise LookupError(_("没有编号为{id}的人员").format(id=person_id))
    statement = (
        select(Entry, Event.name, EventGroup.name, Competition.id, Competition.name, Competition.year)
        .join(Event, Event.id == Entry.event_id)
        .join(Competition, Competition.id == Event.competition_id)
        .join(EventGroup, EventGroup.id == Entry.group_id)
        .where(Entry.person_id == person_id)
        .order_by(Competition.year.desc(), Competition.id.desc(), Event.sort_order)
    )
    visible = visible_event_ids(session)
    if visible is not None:
        statement = statement.where(Entry.event_id.in_(visible))
    rows = session.execute(statement).all()
    return PersonView(
        id=person.id,
        name=person.name,
        id_type=person.id_type,
        id_number=person.id_number,
        gender=person.gender,
        birth_date=person.birth_date,
        phone=person.phone,
        unit=person.unit.name if person.unit else None,
        region=person.region,
        status=person.status,
        skill_level=person.skill_level,
        certificate_no=person.skill_certificate_no,
        achievements=tuple(
            AchievementView(a.id, a.kind, a.title, a.year, a.skill_level, a.achieved_on, a.issuer, a.note)
            for a in sorted(person.achievements, key=lambda a: (-a.year, a.id))
        ),
        entries=tuple(
            PastEntry(
                entry.id, competition_id, competition, year, entry.event_id, event, group, entry.bib, entry.status
            )
            for entry, event, group, competition_id, competition, year in rows
        ),
    )


def person_history(session: Session, person_id: int) -> PersonHistory:
    """Titles held and past promotions of a person, as the rules engine takes them."""
    return person_view(session, person_id).history


def add_achievement(
    session: Session,
    person_id: int,
    kind: AchievementKind,
    title: str,
    year: int,
    *,
    skill_level: SkillLevel | None = None,
    achieved_on: date | None = None,
    competition_id: int | None = None,
    entry_id: int | None = None,
    issuer: str | None = None,
    note: str | None = None,
    username: str | None = None,
) -> int:
    """Record a title held, a promotion or an award (here or elsewhere); returns its id.

    Needs REGISTER for the entry's event, else for the competition, else (a fact about the
    person alone) anywhere.
    """
    entry_event_id = None if entry_id is None else session.scalar(select(Entry.event_id).where(Entry.id == entry_id))
    if entry_event_id is not None:
        require(session, Permission.REGISTER, event_id=entry_event_id)
    elif competition_id is not None:
        require(session, Permission.REGISTER, competition_id=competition_id)
    else:
        _require_registering(session)
    problems: list[tuple[str, str]] = []
    if session.get(Person, person_id) is None:
        problems.append((_("人员"), _("没有编号为{id}的人员").format(id=person_id)))
    if not clean_text(title):
        problems.append((_("名称"), _("不能为空")))
    if not 1950 <= year <= 2100:
        problems.append((_("年份"), _("应在1950到2100之间，实际为{year}").format(year=year)))
    if kind is AchievementKind.PROMOTION and skill_level is None:
        problems.append((_("职业技能等级"), _("晋升记录需要写明晋升到的等级")))
    if problems:
        raise ValueError("；".join(f"{label}：{message}" for label, message in problems))
    achievement = PersonAchievement(
        person_id=person_id,
        kind=kind,
        title=clean_text(title),
        year=year,
        skill_level=skill_level,
        achieved_on=achieved_on,
        competition_id=competition_id,
        entry_id=entry_id,
        issuer=clean_text(issuer) or None,
        note=note,
    )
    session.add(achievement)
    session.flush()
    audit.append(
        session,
        action="person.achievement",
        entity_type="person_achievement",
        entity_id=achievement.id,
        competition_id=competition_id,
        person_id=person_id,
        new_value={"kind": kind.value, "title": achievement.title, "year": year,
                   "skill_level": skill_level.value if skill_level else None},
        **audit_who(session, username),
    )  # fmt: skip
    return achievement.id


# --- registering -------------------------------------------------------------------------------


def _unit(session: Session, name: str | None, region: str | None) -> Unit | None:
    if not name:
        return None
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(name=name, region=region)
        session.add(unit)
        session.flush()
    return unit


def _person_value(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "id_type": person.id_type.value,
        "id_number": person.id_number,
        "gender": person.gender.value if person.gender else None,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "phone": person.phone,
        "unit_id": person.unit_id,
        "region": person.region,
        "status": person.status.value,
        "skill_level": person.skill_level.value if person.skill_level else None,
        "skill_certificate_no": person.skill_certificate_no,
    }


def _describe_entry(entry: Entry, group: str) -> str:
    bib = _("，参赛编号{bib}").format(bib=entry.bib) if entry.bib else ""
    return _("{group}{bib}，{status}").format(group=group, bib=bib, status=entry.status.label)


def _entry_problems(
    session: Session,
    event: Event,
    *,
    group_row: EventGroup | None,
    group: str,
    checked: CheckedPerson | None,
    existing: Person | None,
    bib: str | None,
) -> list[Problem]:
    """What refuses the entry itself: closed registration, group, 身份, a second entry, the bib."""
    problems: list[Problem] = []
    if not event.registration_open:
        problems.append((PersonField.EVENT, _("赛项“{name}”已截止报名").format(name=event.name)))
    if group_row is None:
        problems.append(
            (PersonField.GROUP, _("本赛项没有“{group}”，可选：{groups}").format(
                group=clean_text(group), groups="、".join(g.name for g in event.groups)
            ))
        )  # fmt: skip
    elif checked is not None and group_row.allowed_statuses and checked.status.value not in group_row.allowed_statuses:
        allowed = "、".join(PersonStatus(code).label for code in group_row.allowed_statuses)
        problems.append(
            (PersonField.STATUS, _("“{group}”只接受{allowed}，此人身份为{status}").format(
                group=group_row.name, allowed=allowed, status=checked.status.label
            ))
        )  # fmt: skip
    if existing is not None:
        clash = session.execute(
            select(Entry, EventGroup.name)
            .join(EventGroup, EventGroup.id == Entry.group_id)
            .where(Entry.event_id == event.id, Entry.person_id == existing.id)
        ).first()
        if clash is not None:
            problems.append(
                (PersonField.ENTRY, _("{name}（{number}）已报名本赛项：{entry}；同一人不能在一个赛项中报名两次").format(
                    name=existing.name, number=existing.id_number, entry=_describe_entry(clash[0], clash[1])
                ))
            )  # fmt: skip
    if bib:
        taken = session.scalar(
            select(Person.name)
            .join(Entry, Entry.person_id == Person.id)
            .where(Entry.event_id == event.id, Entry.bib == bib)
        )
        if taken is not None:
            problems.append((PersonField.BIB, _("参赛编号{bib}已给了{name}").format(bib=bib, name=taken)))
    return problems


def _store_person(session: Session, checked: CheckedPerson, existing: Person | None, username: str | None) -> Person:
    unit = _unit(session, checked.unit, checked.region)
    if existing is None:
        row = Person(id_type=checked.document.id_type, id_number=checked.document.number, name=checked.name)
        _fill(row, checked, unit)
        session.add(row)
        session.flush()
        audit.append(session, action="person.create", entity_type="person", entity_id=row.id, person_id=row.id,
                     new_value=_person_value(row), **audit_who(session, username))  # fmt: skip
        return row
    old = _person_value(existing)
    _fill(existing, checked, unit)
    session.flush()
    new = _person_value(existing)
    if new != old:
        audit.append(session, action="person.update", entity_type="person", entity_id=existing.id,
                     person_id=existing.id, old_value=old, new_value=new, **audit_who(session, username))  # fmt: skip
    return existing


def register(
    session: Session,
    event_id: int,
    group: str,
    person: PersonInput,
    *,
    bib: str | None = None,
    team: int | None = None,
    username: str | None = None,
) -> int:
    """Enter ``person`` in ``group`` of ``event_id``; returns the entry id.

    The person is found by their document and updated with what is given, or created; their
    unit is found by name, or created. Refused — with every problem, in Chinese — when the
    fields do not check out, the event's registration is closed, the person is already entered
    in the event, their 身份 is not one the group takes, their age on the competition day is
    outside the event's limits, the bib is taken, or the team is of another group or full.
    """
    event = _event(session, event_id)
    require(session, Permission.REGISTER, event_id=event_id)
    day = event.start_date or event.competition.start_date
    checked, problems = check_person(person, on=day, min_age=event.min_age, max_age=event.max_age)
    group_row = next((g for g in event.groups if g.name == clean_text(group)), None)
    existing = (
        None
        if checked is None
        else session.scalar(
            select(Person).where(
                Person.id_type == checked.document.id_type, Person.id_number == checked.document.number
            )
        )
    )
    bib_text = clean_text(bib or "").replace(" ", "") or None
    problems.extend(
        _entry_problems(
            session, event, group_row=group_row, group=group, checked=checked, existing=existing, bib=bib_text
        )
    )
    if team is not None:
        problems.extend(_team_problems(session, event, team, group_row))
    if problems or checked is None or group_row is None:
        raise RegistrationError(problems)

    row = _store_person(session, checked, existing, username)
    entry = Entry(
        event_id=event_id,
        group_id=group_row.id,
        person_id=row.id,
        team_id=team,
        unit_id=row.unit_id,
        bib=bib_text,
        skill_level_at_entry=checked.skill_level,
    )
    session.add(entry)
    session.flush()
    audit.append(
        session,
        action="entry.create",
        entity_type="entry",
        entity_id=entry.id,
        competition_id=event.competition_id,
        event_id=event_id,
        person_id=row.id,
        new_value={"group": group_row.name, "bib": bib_text, "team_id": team, "unit": checked.unit},
        **audit_who(session, username),
    )
    return entry.id


def _fill(row: Person, checked: CheckedPerson, unit: Unit | None) -> None:
    row.name = checked.name
    row.gender = checked.gender
    row.birth_date = checked.birth_date
    row.status = checked.status
    # What the form leaves empty keeps what was known: an import with fewer columns erases nothing.
    if checked.phone:
        row.phone = checked.phone
    if unit is not None:
        row.unit_id = unit.id
    if checked.region:
        row.region = checked.region
    if checked.skill_level:
        row.skill_level = checked.skill_level
    if checked.certificate_no:
        row.skill_certificate_no = checked.certificate_no


def _team_problems(session: Session, event: Event, team_id: int, group: EventGroup | None) -> list[Problem]:
    team = session.get(Team, team_id)
    if team is None or team.event_id != event.id:
        return [(PersonField.TEAM, _("本赛项没有这个团队"))]
    if group is not None and team.group_id != group.id:
        return [(PersonField.TEAM, _("团队“{team}”不属于{group}").format(team=team.name, group=group.name))]
    members = session.scalars(select(Entry.id).where(Entry.team_id == team_id)).all()
    if len(members) >= event.team_size:
        return [(PersonField.TEAM, _("团队“{team}”已满（每队{size}人）").format(team=team.name, size=event.team_size))]
    return []


# --- entry status --------------------------------------------------------------------------------

_NEEDS_REASON = frozenset({EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED})


def update_entry_status(
    session: Session, entry_id: int, status: EntryStatus, reason: str | None, username: str | None
) -> None:
    """Set an entry's status (已报名/已检录/已退赛/取消资格); 退赛 and 取消资格 need a reason."""
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise RegistrationError([(PersonField.ENTRY, _("没有编号为{id}的报名").format(id=entry_id))])
    require(session, Permission.REGISTER, event_id=entry.event_id)
    reason_text = clean_text(reason or "") or None
    if status in _NEEDS_REASON and reason_text is None:
        raise RegistrationError([(PersonField.ENTRY, _("改为“{status}”需要填写原因").format(status=status.label))])
    if entry.status is status:
        return
    old = entry.status
    entry.status = status
    if status is EntryStatus.CHECKED_IN and entry.checked_in_at is None:
        entry.checked_in_at = utcnow()
    session.flush()
    audit.append(
        session,
        action="entry.status",
        entity_type="entry",
        entity_id=entry.id,
        competition_id=entry.event.competition_id,
        event_id=entry.event_id,
        person_id=entry.person_id,
        old_value={"status": old.value},
        new_value={"status": status.value},
        reason=reason_text,
        **audit_who(session, username),
    )
