"""Who is entered in an event: one row per entry, as plain frozen data for lists and tables."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus
from db.models import Entry, EventGroup, Person, Unit


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
    person's current unit.
    """
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
    return tuple(
        EntryRow(
            entry_id=entry_id,
            bib=bib,
            station=station,
            anon_code=anon_code,
            name=name,
            group=group,
            unit=unit,
            status=status,
        )
        for entry_id, bib, station, anon_code, name, group, unit, status in session.execute(statement)
    )
