"""What the main window navigates: tiers → competitions → events, as plain frozen data.

A user sees the competitions and events their grants reach (``auth.visible_event_ids``): a judge
or clerk of one event sees that event in its competition and nothing else; the counts are of
what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from competition_app.domain.enums import (
    CompetitionStatus,
    EventKind,
    Level,
    PanelMethod,
    TierClass,
    tier_label,
)
from competition_app.services.auth import visible_competition_ids, visible_event_ids
from db.models import Competition, Entry, Event, Score

LEVEL_ORDER = tuple(Level)


@dataclass(frozen=True, slots=True)
class ComponentSummary:
    name: str
    weight: Decimal
    max_score: Decimal
    panel_method: PanelMethod
    panel_size: int


@dataclass(frozen=True, slots=True)
class EventSummary:
    id: int
    competition_id: int
    name: str
    occupation: str
    tier_class: TierClass
    kind: EventKind
    team_size: int
    groups: tuple[str, ...]
    components: tuple[ComponentSummary, ...]
    entry_count: int
    scored_entry_count: int

    @property
    def label(self) -> str:
        suffix = f"（{self.tier_class.label}）" if self.tier_class.label else ""
        return f"{self.name}{suffix}"


@dataclass(frozen=True, slots=True)
class CompetitionSummary:
    id: int
    name: str
    year: int
    level: Level
    tier_class: TierClass
    region: str | None
    organiser: str | None
    start_date: date | None
    end_date: date | None
    status: CompetitionStatus
    events: tuple[EventSummary, ...]

    @property
    def tier_label(self) -> str:
        return tier_label(self.level, self.tier_class)

    @property
    def entry_count(self) -> int:
        return sum(event.entry_count for event in self.events)


@dataclass(frozen=True, slots=True)
class TierNode:
    level: Level
    tier_class: TierClass
    competitions: tuple[CompetitionSummary, ...]

    @property
    def label(self) -> str:
        return tier_label(self.level, self.tier_class)


def is_empty(session: Session) -> bool:
    """True when the database holds no competition yet (the app then offers demo data).

    Not guarded: it tells whether anything exists, not what.
    """
    return session.scalar(select(Competition.id).limit(1)) is None


def load_navigation(session: Session) -> tuple[TierNode, ...]:
    """The competitions the user may see, grouped by tier, highest tier first, newest competition first.

    Each lists only the events the user may see.
    """
    visible_events = visible_event_ids(session)
    statement = select(Competition).options(
        selectinload(Competition.events).selectinload(Event.groups),
        selectinload(Competition.events).selectinload(Event.components),
    )
    entry_statement = select(Entry.event_id, func.count(Entry.id)).group_by(Entry.event_id)
    scored_statement = (
        select(Entry.event_id, func.count(func.distinct(Entry.id)))
        .join(Score, Score.entry_id == Entry.id)
        .group_by(Entry.event_id)
    )
    if visible_events is not None:
        visible_competitions = visible_competition_ids(session) or frozenset()
        statement = statement.where(Competition.id.in_(visible_competitions))
        entry_statement = entry_statement.where(Entry.event_id.in_(visible_events))
        scored_statement = scored_statement.where(Entry.event_id.in_(visible_events))
    competitions = session.scalars(statement).all()
    entry_counts: dict[int, int] = {event_id: count for event_id, count in session.execute(entry_statement)}
    scored_counts: dict[int, int] = {event_id: count for event_id, count in session.execute(scored_statement)}

    def shown(event: Event) -> bool:
        return visible_events is None or event.id in visible_events

    def summarise_event(event: Event, competition: Competition) -> EventSummary:
        return EventSummary(
            id=event.id,
            competition_id=competition.id,
            name=event.name,
            occupation=event.occupation,
            tier_class=event.tier_class or competition.tier_class,
            kind=event.kind,
            team_size=event.team_size,
            groups=tuple(group.name for group in event.groups),
            components=tuple(
                ComponentSummary(c.name, c.weight, c.max_score, c.panel_method, c.panel_size) for c in event.components
            ),
            entry_count=entry_counts.get(event.id, 0),
            scored_entry_count=scored_counts.get(event.id, 0),
        )

    by_tier: dict[tuple[Level, TierClass], list[CompetitionSummary]] = {}
    for competition in competitions:
        summary = CompetitionSummary(
            id=competition.id,
            name=competition.name,
            year=competition.year,
            level=competition.level,
            tier_class=competition.tier_class,
            region=competition.region,
            organiser=competition.organiser,
            start_date=competition.start_date,
            end_date=competition.end_date,
            status=competition.status,
            events=tuple(summarise_event(event, competition) for event in competition.events if shown(event)),
        )
        by_tier.setdefault((competition.level, competition.tier_class), []).append(summary)

    class_order = tuple(TierClass)
    return tuple(
        TierNode(level, tier_class, tuple(sorted(items, key=lambda c: (-c.year, c.name))))
        for (level, tier_class), items in sorted(
            by_tier.items(), key=lambda kv: (LEVEL_ORDER.index(kv[0][0]), class_order.index(kv[0][1]))
        )
    )


def competition_summary(session: Session, competition_id: int) -> CompetitionSummary | None:
    """One competition as the navigation shows it to the user (its visible events), or None."""
    return next((c for tier in load_navigation(session) for c in tier.competitions if c.id == competition_id), None)
