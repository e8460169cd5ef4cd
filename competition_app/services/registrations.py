"""Every person and every entry in one table, and a search over it fast enough for 100,000 rows.

``list_registrations`` reads the table with one SELECT. Rows are ``NamedTuple``s, not frozen
dataclasses: at 100,000 rows building a tuple costs about half as much as a slotted dataclass
(``bench/contestant_table.py``), and a tuple is just as immutable.

``RegistrationSearch`` is the Qt-free half of the contestants page: it joins each row's
searchable fields into one lower-cased string once, so that a keystroke is a loop of C-level
``needle in haystack`` tests instead of a Python call per row and column.

The table needs 报名与裁判管理 (REGISTER) and lists only the events the user holds it for; people
with no entry at all are listed only for a user who holds it everywhere.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import compress, repeat
from operator import contains, eq
from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus, Gender, IdType, PersonStatus, SkillLevel
from competition_app.domain.permissions import Permission
from competition_app.services.auth import permitted_event_ids, require
from db.models import Competition, Entry, Event, EventGroup, Person, Team, Unit

__all__ = [
    "NO_ENTRY",
    "EventChoice",
    "RegistrationRow",
    "RegistrationSearch",
    "RegistrationTable",
    "StatusFilter",
    "list_registrations",
]


class RegistrationRow(NamedTuple):
    """One entry of one person, or a person with no entry (``entry_id`` and the event fields None)."""

    entry_id: int | None
    person_id: int
    name: str
    name_pinyin: str
    """Full pinyin and initials, e.g. "zhangsan zs" (``competition_app.domain.pinyin``)."""
    id_type: IdType
    id_number: str
    gender: Gender | None
    birth_date: date | None
    unit: str | None
    """The unit recorded at registration, else the person's current unit."""
    region: str | None
    """The person's region, else their unit's."""
    person_status: PersonStatus
    skill_level: SkillLevel | None
    competition_id: int | None
    competition: str | None
    """The competition's short name (运河之星) when it has one, else its full name."""
    event_id: int | None
    event: str | None
    group: str | None
    team: str | None
    bib: str | None
    station: str | None
    status: EntryStatus | None


@dataclass(frozen=True, slots=True)
class EventChoice:
    """An event to filter by, with the names of its groups in their order."""

    id: int
    competition: str
    name: str
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RegistrationTable:
    rows: tuple[RegistrationRow, ...]
    events: tuple[EventChoice, ...]

    @property
    def entry_count(self) -> int:
        return sum(1 for row in self.rows if row.entry_id is not None)


def list_registrations(session: Session, *, competition_id: int | None = None) -> RegistrationTable:
    """Every entry with its person, event and group, ordered by competition, event, group and bib.

    Without ``competition_id`` people who have no entry at all get a row of their own, after
    the entries, ordered by name (pinyin). With it, only that competition's entries are listed.
    Only the events the user registers for are listed (and may be seen); ``PermissionDenied``
    when there are none.
    """
    events = _listed_events(session, competition_id)
    unit_id = func.coalesce(Entry.unit_id, Person.unit_id)
    statement = (
        select(
            Entry.id,
            Person.id,
            Person.name,
            Person.name_pinyin,
            Person.id_type,
            Person.id_number,
            Person.gender,
            Person.birth_date,
            Unit.name,
            func.coalesce(Person.region, Unit.region),
            Person.status,
            Person.skill_level,
            Competition.id,
            func.coalesce(Competition.short_name, Competition.name),
            Event.id,
            Event.name,
            EventGroup.name,
            Team.name,
            Entry.bib,
            Entry.station,
            Entry.status,
        )
        .select_from(Person)
        .outerjoin(Entry, Entry.person_id == Person.id)
        .outerjoin(Event, Event.id == Entry.event_id)
        .outerjoin(Competition, Competition.id == Event.competition_id)
        .outerjoin(EventGroup, and_(EventGroup.id == Entry.group_id, EventGroup.event_id == Entry.event_id))
        .outerjoin(Team, Team.id == Entry.team_id)
        .outerjoin(Unit, Unit.id == unit_id)
        # SQLite sorts NULL first and PostgreSQL last; explicit IS NULL keys make both put them last.
        .order_by(
            Entry.id.is_(None),
            Competition.start_date.is_(None),
            Competition.start_date,
            Competition.id,
            Event.sort_order,
            Event.id,
            EventGroup.sort_order,
            EventGroup.id,
            Entry.bib.is_(None),
            Entry.bib,
            Person.name_pinyin,
            Person.id,
        )
    )
    if competition_id is not None:
        statement = statement.where(Competition.id == competition_id)
    if events is not None:
        statement = statement.where(Entry.event_id.in_(events))
    with _collector_paused():
        # Core execution: the ORM's row loading adds a third to the time and nothing here needs it.
        rows = tuple(map(RegistrationRow._make, session.connection().execute(statement).all()))
    return RegistrationTable(rows=rows, events=_event_choices(session, competition_id, events))


def _listed_events(session: Session, competition_id: int | None) -> frozenset[int] | None:
    """The events whose entries the user may list (None: every one); refused when there are none.

    These are among the events the user may see (``auth.visible_event_ids``): a grant that gives
    REGISTER somewhere also makes that place visible.
    """
    permitted = permitted_event_ids(session, Permission.REGISTER, competition_id=competition_id)
    if permitted is not None and not permitted:
        require(session, Permission.REGISTER, competition_id=competition_id)  # raises, naming the user
    return permitted


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector out of a loop that builds 100,000 tuples.

    Each batch of new tuples sets it off, and each run walks every row built so far: about 40%
    of the time at 100,000 rows. The rows hold no reference cycles, so there is nothing for it to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _event_choices(
    session: Session, competition_id: int | None, event_ids: frozenset[int] | None
) -> tuple[EventChoice, ...]:
    statement = (
        select(Event.id, func.coalesce(Competition.short_name, Competition.name), Event.name, EventGroup.name)
        .join(Competition, Competition.id == Event.competition_id)
        .outerjoin(EventGroup, EventGroup.event_id == Event.id)
        .order_by(
            Competition.start_date.is_(None),
            Competition.start_date,
            Competition.id,
            Event.sort_order,
            Event.id,
            EventGroup.sort_order,
            EventGroup.id,
        )
    )
    if competition_id is not None:
        statement = statement.where(Competition.id == competition_id)
    if event_ids is not None:
        statement = statement.where(Event.id.in_(event_ids))
    events: dict[int, tuple[str, str, list[str]]] = {}
    for event_id, competition, event, group in session.execute(statement):
        groups = events.setdefault(event_id, (competition, event, []))[2]
        if group is not None:
            groups.append(group)
    return tuple(
        EventChoice(id=event_id, competition=competition, name=name, groups=tuple(groups))
        for event_id, (competition, name, groups) in events.items()
    )


NO_ENTRY = "no_entry"
"""A status filter for the people who have no entry."""

StatusFilter = EntryStatus | str | None


def _haystack(row: RegistrationRow) -> str:
    # An f-string rather than " ".join(filter(...)): twice as quick, and this runs 100,000 times.
    return f"{row.name} {row.name_pinyin} {row.id_number} {row.bib or ''} {row.unit or ''} {row.region or ''}".lower()


class RegistrationSearch:
    """Finds rows by words and by event, group and status, as indices into the rows it was made from.

    Each row is searched through one lower-cased string — name, pinyin ("zhangsan zs"), ID number,
    bib, unit and region — so every word is one C-level substring test per row. All words must
    match, each anywhere: "zs 济宁" finds 张三 of a 济宁 unit.
    """

    def __init__(self, rows: Sequence[RegistrationRow]) -> None:
        self._count = len(rows)
        self._haystacks = [_haystack(row) for row in rows]
        self._event_ids = [row.event_id for row in rows]
        self._groups = [row.group for row in rows]
        self._statuses: list[StatusFilter] = [row.status if row.entry_id is not None else NO_ENTRY for row in rows]

    def __len__(self) -> int:
        return self._count

    @staticmethod
    def words(text: str) -> tuple[str, ...]:
        """The lower-cased words of a search text; full-width spaces separate words too."""
        return tuple(text.replace("\u3000", " ").lower().split())

    def filter(
        self,
        text: str = "",
        *,
        event_id: int | None = None,
        group: str | None = None,
        status: StatusFilter = None,
    ) -> list[int]:
        """The indices, ascending, of the rows that match every word of ``text`` and every filter given."""
        indices: list[int] | None = None
        for column, wanted in ((self._event_ids, event_id), (self._groups, group), (self._statuses, status)):
            if wanted is not None:
                indices = self._equal(indices, column, wanted)
        for word in self.words(text):
            indices = self._containing(indices, word)
        return list(range(self._count)) if indices is None else indices

    # map() of an operator over a whole column stays in C (a few ms for 100,000 rows); within a
    # narrowed list the comprehension is quicker than re-testing every row.
    def _equal(self, indices: list[int] | None, column: Sequence[object], wanted: object) -> list[int]:
        if indices is None:
            return list(compress(range(self._count), map(eq, column, repeat(wanted))))
        return [index for index in indices if column[index] == wanted]

    def _containing(self, indices: list[int] | None, word: str) -> list[int]:
        haystacks = self._haystacks
        if indices is None:
            return list(compress(range(self._count), map(contains, haystacks, repeat(word))))
        return [index for index in indices if word in haystacks[index]]
