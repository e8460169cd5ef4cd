"""Who is entered in an event: one row per entry, as plain frozen data for lists and tables.

Listing needs 查看成绩 or 报名与裁判管理 for the event. Before an anonymously marked event is
revealed (解密) nobody sees both sides of the code ↔ person link unless they hold 抽签 (they
sealed it): registrars see people without codes, markers see codes without people.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus
from competition_app.domain.permissions import Permission, Place
from competition_app.services.auth import current_actor, require_any
from db.models import Entry, Event, EventGroup, Person, Unit


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One entry of an event: the numbers that identify it, who it is and where they come from."""

    entry_id: int
    bib: str | None
    station: str | None
    anon_code: str | None
    name: str
    group: str
    unit: str | None
    status: EntryStatus


def list_entries(session: Session, event_id: int) -> tuple[EntryRow, ...]:
    """Every entry of ``event_id``, in the event's group order, then by bib (entries without one last).

    The unit is the one recorded at registration; entries registered without one show the
    person's current unit. Raises ``PermissionDenied`` without 查看成绩 or 报名与裁判管理 there;
    masks what would break anonymous marking (see the module's docstring).
    """
    actor = current_actor(session)
    event = session.execute(
        select(Event.competition_id, Event.anonymous_marking, Event.anon_revealed_at.is_not(None)).where(
            Event.id == event_id
        )
    ).one_or_none()
    place = Place(event.competition_id if event else None, event_id)
    if event is None or not (actor.can(Permission.VIEW_SCORES, place) or actor.can(Permission.REGISTER, place)):
        require_any(session, Permission.VIEW_SCORES, Permission.REGISTER, event_id=event_id)  # raises
    assert event is not None
    _competition_id, anonymous, revealed = event
    sees_link = bool(revealed) or actor.can(Permission.DRAW, place)
    hide_codes = not sees_link and (not anonymous or actor.can(Permission.REGISTER, place))
    hide_people = not sees_link and not hide_codes
    statement = (
        select(
            Entry.id,
            Entry.bib,
            Entry.station,
            Entry.anon_code,
            Person.name,
            EventGroup.name,
            Unit.name,
            Entry.status,
        )
        .join(Person, Person.id == Entry.person_id)
        .join(EventGroup, and_(EventGroup.id == Entry.group_id, EventGroup.event_id == Entry.event_id))
        .outerjoin(Unit, Unit.id == func.coalesce(Entry.unit_id, Person.unit_id))
        .where(Entry.event_id == event_id)
        # SQLite sorts NULL first and PostgreSQL last; an explicit key makes both put them last.
        .order_by(EventGroup.sort_order, EventGroup.id, Entry.bib.is_(None), Entry.bib, Entry.id)
    )
    rows = tuple(
        EntryRow(
            entry_id=entry_id,
            bib=bib,
            station=station,
            anon_code=None if hide_codes else anon_code,
            name=name,
            group=group,
            unit=unit,
            status=status,
        )
        for entry_id, bib, station, anon_code, name, group, unit, status in session.execute(statement)
    )
    if hide_people:
        # A marker of an anonymous event: the code and the group, nothing that identifies.
        # Ordered by code within each group: the registration order would hint at the bibs.
        group_order = {group: index for index, group in enumerate(dict.fromkeys(row.group for row in rows))}
        rows = tuple(
            sorted(
                (replace(row, bib=None, station=None, name="", unit=None) for row in rows),
                key=lambda row: (group_order[row.group], row.anon_code is None, row.anon_code or ""),
            )
        )
    return rows
