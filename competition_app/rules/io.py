"""What the engine is given and what it returns: plain frozen data, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from competition_app.domain.enums import EventKind, Level, PersonStatus, SkillLevel, TierClass

# --- input ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PastPromotion:
    year: int
    level: SkillLevel


@dataclass(frozen=True, slots=True)
class PersonHistory:
    """What the caller knows of a person from other competitions (the rules read it)."""

    titles: tuple[str, ...] = ()  # titles already held, e.g. ("济宁市技术能手",)
    promotions: tuple[PastPromotion, ...] = ()


@dataclass(frozen=True, slots=True)
class EntryInput:
    """One entry of an event with its raw marks.

    ``marks`` maps a component name to the judges' marks for it (one mark for a single-mark
    component). A component absent from ``marks`` or with fewer marks than the panel needs
    is *missing*: it is reported, never treated as zero.
    """

    entry_id: int
    name: str
    group: str
    status: PersonStatus = PersonStatus.WORKER
    birth_date: date | None = None
    team_id: int | None = None
    marks: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)
    practical_seconds: Decimal | None = None
    disqualified: bool = False
    withdrawn: bool = False
    current_level: SkillLevel | None = None
    history: PersonHistory = field(default_factory=PersonHistory)
    aspect_marks: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)
    """WorldSkills: aspect id → the judges' scores (J, 0..3) or the one agreed mark (M)."""


@dataclass(frozen=True, slots=True)
class TieDecision:
    """A recorded decision for a tie the rules would not break: the order the decider chose."""

    group: str
    context: str  # "rank" or "cutoff:<rule name>"
    ordered_entry_ids: tuple[int, ...]
    decided_by: str
    reason: str


@dataclass(frozen=True, slots=True)
class EventInput:
    event_id: int
    name: str
    level: Level
    tier_class: TierClass
    year: int
    competition_date: date
    kind: EventKind = EventKind.INDIVIDUAL
    team_size: int = 1
    entries: tuple[EntryInput, ...] = ()
    decisions: tuple[TieDecision, ...] = ()

    def for_team_size(self, overrides: tuple[tuple[int, int], ...], default: int | None) -> int | None:
        """A rule's place limit for this event: the (team size, limit) override matching a team
        event of this size (全国技能大赛 双人 top 3, 三人 top 2), else ``default``."""
        if self.kind is EventKind.TEAM:
            for size, limit in overrides:
                if size == self.team_size:
                    return limit
        return default


# --- between the stages -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentResult:
    name: str
    value: Decimal | None  # panel result on the component's own scale, None when missing
    normalised: Decimal | None  # on a 100-point scale
    missing_marks: int = 0
    flags: tuple[str, ...] = ()  # e.g. judges differ by more than the threshold


@dataclass(frozen=True, slots=True)
class Standing:
    """An entry after scoring and ranking, as the award, title, promotion and designation
    rules see it. ``rank`` is None for an entry that is not ranked (missing marks, withdrawn,
    disqualified); ``shared_rank`` is True when another entry holds the same place."""

    entry: EntryInput
    components: tuple[ComponentResult, ...]
    total: Decimal | None
    rank: int | None
    shared_rank: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one rule stage decided for one entry, and why (Chinese sentences)."""

    value: str | None
    explanation: tuple[str, ...] = ()


# --- output ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryResult:
    entry_id: int
    group: str
    name: str
    components: tuple[ComponentResult, ...]
    total: Decimal | None  # rounded half-up; None when any component is missing
    rank: int | None = None  # None: not ranked (missing marks, withdrawn, disqualified)
    shared_rank: bool = False
    award: str | None = None
    titles: tuple[str, ...] = ()
    promotion: SkillLevel | None = None
    designations: tuple[str, ...] = ()
    explanation: tuple[str, ...] = ()  # Chinese sentences, one per outcome and why


@dataclass(frozen=True, slots=True)
class TieFlag:
    """A tie the rules would not break: it needs a decision (recorded with who and why)."""

    group: str
    context: str
    entry_ids: tuple[int, ...]
    message: str


@dataclass(frozen=True, slots=True)
class GroupResults:
    group: str
    entries: tuple[EntryResult, ...]  # in rank order; unranked entries last
    field_size: int  # ranked entries: the quotas' base


@dataclass(frozen=True, slots=True)
class EventResults:
    event_id: int
    groups: tuple[GroupResults, ...]
    unresolved_ties: tuple[TieFlag, ...] = ()
    warnings: tuple[str, ...] = ()  # Chinese, e.g. a group below the minimum field
