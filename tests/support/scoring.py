"""Events ready for score entry: a 5-judge practical, a single-mark theory, WorldSkills, teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from competition_app.domain.enums import (
    AspectType,
    ComponentKind,
    EntryStatus,
    EventKind,
    Level,
    PanelMethod,
    Role,
    TierClass,
)
from competition_app.services.auth import Actor
from competition_app.services.scores import CellRef
from db.models import (
    Competition,
    Component,
    Entry,
    Event,
    EventGroup,
    Judge,
    JudgeAssignment,
    MarkingAspect,
    Person,
    ScoreSheet,
    Team,
)
from tests.support.accounts import make_user

SEATS = 5


@dataclass
class Scored:
    competition: Competition
    event: Event
    group: EventGroup
    theory: Component
    practical: Component
    entries: list[Entry]
    """Registered entries, bibs HG-001…, anonymous codes 9001… (drawn in reverse order)."""
    withdrawn: Entry
    judges: list[Judge]
    """Judge i sits in seat i + 1 of the practical."""
    admin: Actor
    chief: Actor
    clerk: Actor
    clerk2: Actor
    reader: Actor
    users: dict[str, Actor] = field(default_factory=dict)

    def cell(self, entry: int, seat: int, pass_no: int = 1) -> CellRef:
        return CellRef(self.practical.id, self.entries[entry].id, None, None, seat, pass_no)

    def theory_cell(self, entry: int, pass_no: int = 1) -> CellRef:
        return CellRef(self.theory.id, self.entries[entry].id, None, None, 1, pass_no)


def scored_event(
    session: Session,
    *,
    name: str = "评分测试赛",
    entries: int = 3,
    anonymous: bool = False,
    double_entry: bool | None = None,
) -> Scored:
    """One event (焊工) with theory (single mark) and a 5-judge trimmed-mean practical.

    ``double_entry`` None leaves the sheets to be created on first use (double entry by
    default); True/False creates both sheets with that verification method.
    """
    competition = Competition(name=name, year=2026, level=Level.MUNICIPAL, tier_class=TierClass.CLASS_1)
    event = Event(competition=competition, name="焊工", occupation="焊工", code="HG", anonymous_marking=anonymous)
    group = EventGroup(event=event, name="职工组")
    theory = Component(event=event, name="理论知识", kind=ComponentKind.THEORY, weight=Decimal("0.3"), decimals=1)
    practical = Component(event=event, name="技能操作", kind=ComponentKind.PRACTICAL, weight=Decimal("0.7"),
                          panel_method=PanelMethod.TRIMMED_MEAN, panel_size=SEATS, decimals=1,
                          spread_threshold=Decimal(10), time_limit_minutes=120, sort_order=1)  # fmt: skip
    session.add(competition)
    session.flush()
    people = []
    for number in range(1, entries + 2):
        person = Person(id_number=f"T{name}{number:04d}", name=f"选手{number}", birth_date=date(1990, 1, number))
        session.add(person)
        people.append(person)
    session.flush()
    made = []
    for number, person in enumerate(people, start=1):
        entry = Entry(event_id=event.id, group_id=group.id, person_id=person.id, bib=f"HG-{number:03d}",
                      anon_code=str(9000 + len(people) + 1 - number) if anonymous else None)  # fmt: skip
        session.add(entry)
        made.append(entry)
    withdrawn = made.pop()
    withdrawn.status = EntryStatus.WITHDRAWN
    judges = [Judge(competition_id=competition.id, name=f"裁判{seat}") for seat in range(1, SEATS + 1)]
    session.add_all(judges)
    session.flush()
    for seat, judge in enumerate(judges, start=1):
        session.add(JudgeAssignment(judge_id=judge.id, event_id=event.id, component_id=practical.id, seat=seat))
    if double_entry is not None:
        for component in (theory, practical):
            session.add(ScoreSheet(event_id=event.id, component_id=component.id, double_entry=double_entry))
    session.flush()
    prefix = f"u{competition.id}"
    return Scored(
        competition=competition,
        event=event,
        group=group,
        theory=theory,
        practical=practical,
        entries=made,
        withdrawn=withdrawn,
        judges=judges,
        admin=make_user(session, f"{prefix}admin", Role.ADMIN, display_name="管理员"),
        chief=make_user(session, f"{prefix}chief", Role.CHIEF_JUDGE, event_id=event.id, display_name="裁判长"),
        clerk=make_user(session, f"{prefix}clerk", Role.CLERK, event_id=event.id, display_name="录分员甲"),
        clerk2=make_user(session, f"{prefix}clerk2", Role.CLERK, event_id=event.id, display_name="录分员乙"),
        reader=make_user(session, f"{prefix}reader", Role.CLERK, event_id=event.id, display_name="核对员"),
    )


@dataclass
class WorldSkills:
    event: Event
    component: Component
    measurement: MarkingAspect
    judgement: MarkingAspect
    entry: Entry


def worldskills_component(session: Session, built: Scored) -> WorldSkills:
    """A WorldSkills component on ``built.event``: one M aspect (max 2) and one J aspect (max 3)."""
    component = Component(event_id=built.event.id, name="网站设计", kind=ComponentKind.PRACTICAL, weight=Decimal(0),
                          panel_method=PanelMethod.WORLDSKILLS, panel_size=3, sort_order=2)  # fmt: skip
    session.add(component)
    session.flush()
    measurement = MarkingAspect(component_id=component.id, criterion_code="A", criterion_name="布局",
                                sub_criterion_code="A1", sub_criterion_name="页面", aspect_type=AspectType.MEASUREMENT,
                                description="导航可用", max_mark=Decimal(2), sort_order=1)  # fmt: skip
    judgement = MarkingAspect(component_id=component.id, criterion_code="A", criterion_name="布局",
                              sub_criterion_code="A1", sub_criterion_name="页面", aspect_type=AspectType.JUDGEMENT,
                              description="整体美观", max_mark=Decimal(3), sort_order=2,
                              descriptors=["差", "可", "好", "优"])  # fmt: skip
    session.add_all([measurement, judgement])
    session.flush()
    return WorldSkills(built.event, component, measurement, judgement, built.entries[0])


@dataclass
class TeamEvent:
    event: Event
    component: Component
    teams: list[Team]


def team_event(session: Session, built: Scored) -> TeamEvent:
    """A team event in the same competition, with a team-scored single-mark component."""
    event = Event(competition_id=built.competition.id, name="团体赛", occupation="电工", kind=EventKind.TEAM,
                  team_size=2, anonymous_marking=True)  # fmt: skip
    session.add(event)
    session.flush()
    group = EventGroup(event_id=event.id, name="职工组")
    session.add(group)
    component = Component(event_id=event.id, name="团体实操", kind=ComponentKind.PRACTICAL, weight=Decimal(1),
                          team_scored=True)  # fmt: skip
    session.add(component)
    session.flush()
    teams = [
        Team(event_id=event.id, group_id=group.id, name="甲队", bib="T-01", anon_code="502"),
        Team(event_id=event.id, group_id=group.id, name="乙队", bib="T-02", anon_code="501"),
    ]
    session.add_all(teams)
    session.flush()
    return TeamEvent(event, component, teams)
