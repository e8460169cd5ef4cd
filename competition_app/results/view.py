"""What the results service hands to the screens, the publication documents and the certificates.

Plain frozen data: ``services.results`` builds it from the database and the rules engine;
``exports`` and ``certificates`` only read it, so they can be tested with hand-made values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from competition_app.domain.enums import Level, SkillLevel, TierClass


@dataclass(frozen=True, slots=True)
class ResultLine:
    """One ranked (or unranked) entry of one group, with everything a results sheet prints."""

    entry_id: int | None
    team_id: int | None
    bib: str | None
    name: str
    id_number: str | None
    gender: str | None
    unit: str | None
    region: str | None
    group: str
    components: tuple[tuple[str, Decimal | None], ...]
    """(component name, its mark at the rules' precision) in the event's component order."""
    total: Decimal | None
    rank: int | None
    shared_rank: bool = False
    award: str | None = None
    titles: tuple[str, ...] = ()
    promotion: SkillLevel | None = None
    current_level: SkillLevel | None = None
    """The skill level the person held when entering (the promotion is from it to ``promotion``)."""
    designations: tuple[str, ...] = ()
    explanation: tuple[str, ...] = ()
    status: str = ""
    """The entry's status label when it is not simply registered (已退赛, 取消资格 …)."""


@dataclass(frozen=True, slots=True)
class TieView:
    """A tie the rules will not settle by themselves: it needs a recorded decision."""

    group: str
    context: str
    entry_ids: tuple[int, ...]
    message: str


@dataclass(frozen=True, slots=True)
class GroupView:
    name: str
    field_size: int
    lines: tuple[ResultLine, ...]


@dataclass(frozen=True, slots=True)
class EventView:
    event_id: int
    name: str
    occupation: str
    code: str | None
    tier_class: TierClass
    groups: tuple[GroupView, ...]
    unresolved_ties: tuple[TieView, ...] = ()
    warnings: tuple[str, ...] = ()
    official: bool = False
    """Every component's score sheet is 裁判长签字锁定 or 已公示."""
    stale: bool = False
    """The stored snapshot no longer matches the marks it was computed from."""
    computed_at: datetime | None = None
    snapshot_id: int | None = None

    @property
    def label(self) -> str:
        """The event as documents name it: its name, with the occupation when that differs."""
        if self.occupation and self.occupation != self.name:
            return f"{self.name}（{self.occupation}）"
        return self.name


@dataclass(frozen=True, slots=True)
class CompetitionView:
    competition_id: int
    name: str
    short_name: str | None
    level: Level
    tier_class: TierClass
    year: int
    organiser: str | None
    host: str | None
    region: str | None
    start_date: date | None
    end_date: date | None
    events: tuple[EventView, ...]
