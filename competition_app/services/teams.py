"""Teams of a team event: created in one group, filled with that group's entries, never over size.

Reading and changing teams needs 报名与裁判管理 (REGISTER) for the event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import EventKind
from competition_app.domain.permissions import Permission
from competition_app.domain.person_fields import clean_text
from competition_app.i18n import _
from competition_app.services import audit
from competition_app.services.auth import audit_who, require
from db.models import Entry, Event, EventGroup, Person, Team, Unit

__all__ = [
    "MemberView",
    "TeamError",
    "TeamView",
    "TeamsOfEvent",
    "add_member",
    "create_team",
    "list_teams",
    "remove_member",
    "rename_team",
]


class TeamError(ValueError):
    """A team change that is refused; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class MemberView:
    entry_id: int
    name: str
    group: str
    bib: str | None
    unit: str | None


@dataclass(frozen=True, slots=True)
class TeamView:
    id: int
    name: str
    group: str
    unit: str | None
    bib: str | None
    members: tuple[MemberView, ...]


@dataclass(frozen=True, slots=True)
class TeamsOfEvent:
    event_id: int
    event: str
    is_team_event: bool
    team_size: int
    groups: tuple[str, ...]
    teams: tuple[TeamView, ...]
    unassigned: tuple[MemberView, ...]
    """Entries of the event in no team yet."""


def _team_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise TeamError(_("没有编号为{id}的赛项").format(id=event_id))
    if event.kind is not EventKind.TEAM:
        raise TeamError(_("“{name}”是个人赛项，不设团队").format(name=event.name))
    return event


def _team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise TeamError(_("没有编号为{id}的团队").format(id=team_id))
    return team


def _check_name(session: Session, event_id: int, name: str, team_id: int | None) -> str:
    text = clean_text(name)
    if not text:
        raise TeamError(_("团队名称不能为空"))
    clash = session.scalar(
        select(Team.id).where(Team.event_id == event_id, Team.name == text, Team.id != (team_id or 0))
    )
    if clash is not None:
        raise TeamError(_("本赛项已有名为“{name}”的团队").format(name=text))
    return text


def create_team(
    session: Session,
    event_id: int,
    group: str,
    name: str,
    *,
    unit: str = "",
    bib: str | None = None,
    username: str | None = None,
) -> int:
    """Create an empty team in ``group`` of a team event; returns its id."""
    event = _team_event(session, event_id)
    require(session, Permission.REGISTER, event_id=event_id)
    group_row = next((g for g in event.groups if g.name == clean_text(group)), None)
    if group_row is None:
        raise TeamError(_("本赛项没有“{group}”").format(group=clean_text(group)))
    text = _check_name(session, event_id, name, None)
    unit_id: int | None = None
    if clean_text(unit):
        unit_id = session.scalar(select(Unit.id).where(Unit.name == clean_text(unit)))
        if unit_id is None:
            row = Unit(name=clean_text(unit))
            session.add(row)
            session.flush()
            unit_id = row.id
    team = Team(event_id=event_id, group_id=group_row.id, name=text, unit_id=unit_id, bib=clean_text(bib) or None)
    session.add(team)
    session.flush()
    audit.append(session, action="team.create", entity_type="team", entity_id=team.id,
                 competition_id=event.competition_id, event_id=event_id,
                 new_value={"name": text, "group": group_row.name}, **audit_who(session, username))  # fmt: skip
    return team.id


def rename_team(session: Session, team_id: int, name: str, *, username: str | None = None) -> None:
    team = _team(session, team_id)
    require(session, Permission.REGISTER, event_id=team.event_id)
    text = _check_name(session, team.event_id, name, team_id)
    if text == team.name:
        return
    old = team.name
    team.name = text
    session.flush()
    audit.append(session, action="team.rename", entity_type="team", entity_id=team.id, event_id=team.event_id,
                 old_value={"name": old}, new_value={"name": text}, **audit_who(session, username))  # fmt: skip


def add_member(session: Session, team_id: int, entry_id: int, *, username: str | None = None) -> None:
    """Put an entry of the team's event and group in the team; refused past the event's team size."""
    team = _team(session, team_id)
    event = _team_event(session, team.event_id)
    require(session, Permission.REGISTER, event_id=event.id)
    entry = session.get(Entry, entry_id)
    if entry is None or entry.event_id != team.event_id:
        raise TeamError(_("只能加入本赛项的报名选手"))
    name = entry.person.name
    if entry.group_id != team.group_id:
        raise TeamError(_("{name}不在团队“{team}”的组别").format(name=name, team=team.name))
    if entry.team_id == team_id:
        return
    if entry.team_id is not None:
        other = _team(session, entry.team_id)
        raise TeamError(_("{name}已在团队“{team}”中，请先移出").format(name=name, team=other.name))
    count = session.scalar(select(func.count(Entry.id)).where(Entry.team_id == team_id)) or 0
    if count >= event.team_size:
        raise TeamError(
            _("团队“{team}”已有{count}人，本赛项每队{size}人").format(team=team.name, count=count, size=event.team_size)
        )
    entry.team_id = team_id
    session.flush()
    audit.append(session, action="team.add_member", entity_type="entry", entity_id=entry.id,
                 competition_id=event.competition_id, event_id=event.id, person_id=entry.person_id,
                 old_value={"team_id": None}, new_value={"team_id": team_id, "team": team.name},
                 **audit_who(session, username))  # fmt: skip


def remove_member(session: Session, entry_id: int, *, username: str | None = None) -> None:
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise TeamError(_("没有编号为{id}的报名").format(id=entry_id))
    require(session, Permission.REGISTER, event_id=entry.event_id)
    if entry.team_id is None:
        return
    old = entry.team_id
    entry.team_id = None
    session.flush()
    audit.append(session, action="team.remove_member", entity_type="entry", entity_id=entry.id,
                 event_id=entry.event_id, person_id=entry.person_id, old_value={"team_id": old},
                 new_value={"team_id": None}, **audit_who(session, username))  # fmt: skip


def list_teams(session: Session, event_id: int) -> TeamsOfEvent:
    """The event's teams with their members, and the entries in no team yet."""
    event = session.get(Event, event_id)
    if event is None:
        raise TeamError(_("没有编号为{id}的赛项").format(id=event_id))
    require(session, Permission.REGISTER, event_id=event_id)
    groups = {group.id: group.name for group in event.groups}
    unit_id = func.coalesce(Entry.unit_id, Person.unit_id)
    rows = session.execute(
        select(Entry.id, Entry.team_id, Entry.group_id, Person.name, Entry.bib, Unit.name)
        .join(Person, Person.id == Entry.person_id)
        .outerjoin(Unit, Unit.id == unit_id)
        .where(Entry.event_id == event_id)
        .order_by(Entry.bib.is_(None), Entry.bib, Person.name_pinyin, Entry.id)
    )
    members: dict[int | None, list[MemberView]] = {}
    for entry_id, team_id, group_id, name, bib, unit in rows:
        members.setdefault(team_id, []).append(MemberView(entry_id, name, groups.get(group_id, ""), bib, unit))
    teams = session.execute(
        select(Team, Unit.name)
        .outerjoin(Unit, Unit.id == Team.unit_id)
        .join(EventGroup, EventGroup.id == Team.group_id)
        .where(Team.event_id == event_id)
        .order_by(EventGroup.sort_order, Team.name)
    )
    return TeamsOfEvent(
        event_id=event.id,
        event=event.name,
        is_team_event=event.kind is EventKind.TEAM,
        team_size=event.team_size,
        groups=tuple(groups.values()),
        teams=tuple(
            TeamView(team.id, team.name, groups.get(team.group_id, ""), unit, team.bib, tuple(members.get(team.id, ())))
            for team, unit in teams
        ),
        unassigned=tuple(members.get(None, ())),
    )
