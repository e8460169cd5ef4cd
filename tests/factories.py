"""Small builders for the rows most data-layer tests need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from competition_app.domain.enums import ComponentKind, Level, PanelMethod, TierClass
from db.models import Competition, Component, Entry, Event, EventGroup, Person


@dataclass
class Minimal:
    competition: Competition
    event: Event
    group: EventGroup
    theory: Component
    practical: Component
    person: Person
    entry: Entry


def minimal_event(session: Session, *, name: str = "测试赛事", id_number: str = "11010519491231002X") -> Minimal:
    """One competition with one event, one group, two components and one registered person."""
    competition = Competition(name=name, year=2026, level=Level.MUNICIPAL, tier_class=TierClass.CLASS_1)
    event = Event(competition=competition, name="焊工", occupation="焊工", code="HG")
    group = EventGroup(event=event, name="职工组")
    theory = Component(event=event, name="理论知识", kind=ComponentKind.THEORY, weight=Decimal("0.3"))
    practical = Component(
        event=event,
        name="技能操作",
        kind=ComponentKind.PRACTICAL,
        weight=Decimal("0.7"),
        panel_method=PanelMethod.TRIMMED_MEAN,
        panel_size=5,
        sort_order=1,
    )
    person = Person(id_number=id_number, name="张三", birth_date=date(1949, 12, 31))
    session.add_all([competition, person])
    session.flush()
    entry = Entry(event_id=event.id, group_id=group.id, person_id=person.id, bib="HG-001")
    session.add(entry)
    session.flush()
    return Minimal(competition, event, group, theory, practical, person, entry)
