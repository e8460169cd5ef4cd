"""The schema for the whole product, designed up front even where screens come later.

Every score and weight is an exact decimal (``ExactDecimal``); every enum is stored by its
code; every table that people edit is covered by the append-only audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import event as orm_event
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from competition_app.domain.enums import (
    AchievementKind,
    AspectType,
    CertificateStatus,
    CompetitionStatus,
    ComponentKind,
    DrawKind,
    EntryStatus,
    EventKind,
    Gender,
    IdType,
    Level,
    PanelMethod,
    PersonStatus,
    Role,
    ScoreState,
    SheetState,
    SkillLevel,
    TierClass,
)
from competition_app.domain.pinyin import name_search_key
from db.base import Base
from db.types import ExactDecimal, utcnow

# Precisions: marks up to 999999.999; weights are fractions with four places (0.3000).
# SQLite keeps these as text, so CHECK constraints compare CAST(… AS REAL), which works on both.
Mark = ExactDecimal(9, 3)
Weight = ExactDecimal(7, 4)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- competitions, rules, events ------------------------------------------------------------


class Competition(Timestamped, Base):
    """赛事: one competition of a tier, e.g. 2026年济宁市"运河之星"职业技能大赛."""

    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(60))
    year: Mapped[int]
    edition: Mapped[int | None] = mapped_column(comment="届次")
    level: Mapped[Level]
    tier_class: Mapped[TierClass] = mapped_column(default=TierClass.NONE)
    region: Mapped[str | None] = mapped_column(String(100), comment="举办地区，如 济宁市")
    organiser: Mapped[str | None] = mapped_column(String(200), comment="主办单位")
    host: Mapped[str | None] = mapped_column(String(200), comment="承办单位")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[CompetitionStatus] = mapped_column(default=CompetitionStatus.PLANNING)
    certificate_number_format: Mapped[str | None] = mapped_column(
        String(100), comment="证书编号格式，如 JN{year}-{event_code}-{seq:04d}"
    )
    notes: Mapped[str | None] = mapped_column(Text)

    rule_sets: Mapped[list[RuleSet]] = relationship(back_populates="competition", cascade="all, delete-orphan")
    events: Mapped[list[Event]] = relationship(
        back_populates="competition", cascade="all, delete-orphan", order_by="Event.sort_order"
    )

    __table_args__ = (
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )


class RuleSet(Timestamped, Base):
    """A competition's own, editable copy of a tier preset (resources/rules)."""

    __tablename__ = "rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    preset_key: Mapped[str] = mapped_column(String(80), comment="copied from this preset")
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(default=1, comment="bumped on every edit; snapshots record it")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    provenance: Mapped[str | None] = mapped_column(Text)

    competition: Mapped[Competition] = relationship(back_populates="rule_sets")

    __table_args__ = (UniqueConstraint("competition_id", "name"),)


class Event(Timestamped, Base):
    """赛项: one occupation within a competition, split into groups, scored by components."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("rule_sets.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    occupation: Mapped[str] = mapped_column(String(120), comment="职业（工种）")
    occupation_code: Mapped[str | None] = mapped_column(String(20), comment="职业编码，如 6-18-02-04")
    code: Mapped[str | None] = mapped_column(String(20), comment="short code for numbers, e.g. HG")
    tier_class: Mapped[TierClass | None] = mapped_column(comment="overrides the competition's class")
    kind: Mapped[EventKind] = mapped_column(default=EventKind.INDIVIDUAL)
    team_size: Mapped[int] = mapped_column(default=1)
    anonymous_marking: Mapped[bool] = mapped_column(default=False)
    anon_revealed_at: Mapped[datetime | None] = mapped_column(comment="裁判长解密 time")
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    start_date: Mapped[date | None]
    registration_open: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text)

    competition: Mapped[Competition] = relationship(back_populates="events")
    rule_set: Mapped[RuleSet | None] = relationship()
    groups: Mapped[list[EventGroup]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventGroup.sort_order"
    )
    components: Mapped[list[Component]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Component.sort_order"
    )
    entries: Mapped[list[Entry]] = relationship(back_populates="event", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("competition_id", "name"),
        CheckConstraint("team_size >= 1", name="team_size_positive"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR max_age >= min_age", name="ages_in_order"),
    )


class EventGroup(Base):
    """组别: 职工组, 教师组, 学生组, or any group the event defines; ranking is per group."""

    __tablename__ = "event_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    allowed_statuses: Mapped[list[Any]] = mapped_column(default=list, comment="PersonStatus codes; [] = any")
    sort_order: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="groups")

    # (id, event_id) is unique so entries can hold a composite key that keeps group and event in step.
    __table_args__ = (UniqueConstraint("event_id", "name"), UniqueConstraint("id", "event_id"))


class Component(Base):
    """评分项: 理论知识, 技能操作, 答辩 … each with its weight, maximum and judge panel."""

    __tablename__ = "components"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[ComponentKind]
    weight: Mapped[Decimal] = mapped_column(Weight)
    max_score: Mapped[Decimal] = mapped_column(Mark, default=Decimal(100))
    panel_method: Mapped[PanelMethod] = mapped_column(default=PanelMethod.SINGLE)
    panel_size: Mapped[int] = mapped_column(default=1)
    decimals: Mapped[int] = mapped_column(default=1, comment="decimal places a judge may key")
    spread_threshold: Mapped[Decimal | None] = mapped_column(Mark, comment="flag panels differing by more")
    time_limit_minutes: Mapped[int | None]
    team_scored: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="components")
    aspects: Mapped[list[MarkingAspect]] = relationship(
        back_populates="component", cascade="all, delete-orphan", order_by="MarkingAspect.sort_order"
    )

    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        CheckConstraint("CAST(weight AS REAL) BETWEEN 0 AND 1", name="weight_fraction"),
        CheckConstraint("CAST(max_score AS REAL) > 0", name="max_positive"),
        CheckConstraint("panel_size >= 1", name="panel_positive"),
    )


class MarkingAspect(Base):
    """A WorldSkills marking-scheme aspect (Measurement or Judgement) of one component."""

    __tablename__ = "marking_aspects"

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"), index=True)
    criterion_code: Mapped[str] = mapped_column(String(10))
    criterion_name: Mapped[str] = mapped_column(String(200))
    sub_criterion_code: Mapped[str] = mapped_column(String(20))
    sub_criterion_name: Mapped[str] = mapped_column(String(300))
    aspect_type: Mapped[AspectType]
    description: Mapped[str] = mapped_column(Text)
    requirement: Mapped[str | None] = mapped_column(Text)
    max_mark: Mapped[Decimal] = mapped_column(Mark)
    wsos_section: Mapped[int | None]
    calculation: Mapped[str | None] = mapped_column(String(60), comment="deduction type for M aspects")
    descriptors: Mapped[list[Any]] = mapped_column(default=list, comment="J: descriptors for 0..3")
    sort_order: Mapped[int] = mapped_column(default=0)

    component: Mapped[Component] = relationship(back_populates="aspects")


# --- people and registration ----------------------------------------------------------------


class Unit(Base):
    """单位: an enterprise, school or agency that sends contestants or judges."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str | None] = mapped_column(String(40), comment="企业 / 院校 / 机关事业单位 …")


def _name_pinyin_default(context: DefaultExecutionContext) -> str:
    parameters: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return name_search_key(parameters["name"])


class Person(Timestamped, Base):
    """One human being across all competitions, unique by ID document."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_type: Mapped[IdType] = mapped_column(default=IdType.RESIDENT_ID)
    id_number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60), index=True)
    # What a search for the name matches ("zhangsan zs"), written with the name: on insert by
    # this default (ORM and bulk inserts alike), on ORM updates by the listener below. A bulk
    # UPDATE of names must set it too (name_search_key).
    name_pinyin: Mapped[str] = mapped_column(String(400), default=_name_pinyin_default, server_default="")
    gender: Mapped[Gender | None]
    birth_date: Mapped[date | None]
    phone: Mapped[str | None] = mapped_column(String(30))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[PersonStatus] = mapped_column(default=PersonStatus.WORKER)
    skill_level: Mapped[SkillLevel | None] = mapped_column(comment="current 职业技能等级")
    skill_certificate_no: Mapped[str | None] = mapped_column(String(40))

    unit: Mapped[Unit | None] = relationship()
    entries: Mapped[list[Entry]] = relationship(back_populates="person")
    achievements: Mapped[list[PersonAchievement]] = relationship(back_populates="person", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("id_type", "id_number"),)


@orm_event.listens_for(Person, "before_update")
def _rename(_mapper: Mapper[Person], _connection: object, person: Person) -> None:
    person.name_pinyin = name_search_key(person.name)


class PersonAchievement(Base):
    """History the rules read: titles held, promotions (one a year), awards — here or elsewhere."""

    __tablename__ = "person_achievements"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AchievementKind]
    title: Mapped[str] = mapped_column(String(200))
    skill_level: Mapped[SkillLevel | None] = mapped_column(comment="for promotions: the level reached")
    year: Mapped[int]
    achieved_on: Mapped[date | None]
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="SET NULL"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"))
    issuer: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="achievements")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    bib: Mapped[str | None] = mapped_column(String(20))
    station: Mapped[str | None] = mapped_column(String(20))
    anon_code: Mapped[str | None] = mapped_column(String(20))

    members: Mapped[list[Entry]] = relationship(
        primaryjoin="Entry.team_id == Team.id", foreign_keys="[Entry.team_id]", viewonly=True
    )

    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        UniqueConstraint("id", "event_id"),
        ForeignKeyConstraint(["group_id", "event_id"], ["event_groups.id", "event_groups.event_id"]),
    )


class Entry(Base):
    """One person's registration in one event and group: bib 参赛编号, station 工位号, code 检录号."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    team_id: Mapped[int | None]
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"), comment="the unit at registration time"
    )
    status: Mapped[EntryStatus] = mapped_column(default=EntryStatus.REGISTERED)
    bib: Mapped[str | None] = mapped_column(String(20))
    station: Mapped[str | None] = mapped_column(String(20))
    anon_code: Mapped[str | None] = mapped_column(String(20))
    skill_level_at_entry: Mapped[SkillLevel | None]
    practical_seconds: Mapped[Decimal | None] = mapped_column(Mark, comment="实操用时, a tie-breaker")
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship(back_populates="entries")
    # The group and team keys are composite (with event_id), so these joins are spelled out and
    # read-only: assign group_id / team_id, never the objects.
    group: Mapped[EventGroup] = relationship(
        primaryjoin="and_(Entry.group_id == EventGroup.id, Entry.event_id == EventGroup.event_id)",
        foreign_keys="[Entry.group_id, Entry.event_id]",
        viewonly=True,
    )
    person: Mapped[Person] = relationship(back_populates="entries")
    team: Mapped[Team | None] = relationship(
        primaryjoin="Entry.team_id == Team.id", foreign_keys="[Entry.team_id]", viewonly=True
    )
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", "person_id"),
        UniqueConstraint("event_id", "bib"),
        UniqueConstraint("event_id", "station"),
        UniqueConstraint("event_id", "anon_code"),
        ForeignKeyConstraint(["group_id", "event_id"], ["event_groups.id", "event_groups.event_id"]),
        ForeignKeyConstraint(["team_id", "event_id"], ["teams.id", "teams.event_id"]),
    )


# --- judges, users, roles -------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str | None] = mapped_column(String(255), comment="argon2id")
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")


class UserRole(Base):
    """A role, optionally scoped to one competition or event (a judge sees only their events)."""

    __tablename__ = "user_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role]
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="roles")


class Judge(Base):
    """裁判: a judge of one competition, with their unit for 回避 (conflict-of-interest) checks."""

    __tablename__ = "judges"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    id_number: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str | None] = mapped_column(String(60), comment="职称/资格")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    unit: Mapped[Unit | None] = relationship()
    assignments: Mapped[list[JudgeAssignment]] = relationship(back_populates="judge", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("competition_id", "id_number"),)


class JudgeAssignment(Base):
    __tablename__ = "judge_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int | None] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(default=Role.JUDGE)
    seat: Mapped[int | None] = mapped_column(comment="panel position 1..n")

    judge: Mapped[Judge] = relationship(back_populates="assignments")

    __table_args__ = (
        Index(
            "uq_judge_assignments_cell",
            "judge_id",
            "event_id",
            func.coalesce(component_id, 0),
            unique=True,
        ),
    )


# --- scores ---------------------------------------------------------------------------------


class Score(Base):
    """One mark: of an entry (or team) on a component, by one judge or on one aspect.

    ``pass_no`` 2 is the second, independent keying of the same paper sheet (double entry).
    ``version`` makes a concurrent edit of the same cell fail loudly instead of overwriting.
    """

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int | None] = mapped_column(ForeignKey("judges.id", ondelete="RESTRICT"))
    aspect_id: Mapped[int | None] = mapped_column(ForeignKey("marking_aspects.id", ondelete="CASCADE"))
    seat: Mapped[int] = mapped_column(default=1, comment="panel seat 1..n (the judge column of the sheet)")
    pass_no: Mapped[int] = mapped_column(default=1)
    value: Mapped[Decimal] = mapped_column(Mark)
    state: Mapped[ScoreState] = mapped_column(default=ScoreState.ENTERED)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads this
    __table_args__ = (
        CheckConstraint("(entry_id IS NULL) <> (team_id IS NULL)", name="entry_or_team"),
        CheckConstraint("pass_no IN (1, 2)", name="pass_one_or_two"),
        CheckConstraint("CAST(value AS REAL) >= 0", name="value_not_negative"),
        CheckConstraint("seat >= 1", name="seat_positive"),
        # One cell of the score sheet: who (entry or team) × what (component, aspect) × which
        # seat of the panel × which keying. The judge who sat in the seat is recorded, not keyed.
        Index(
            "uq_scores_cell",
            func.coalesce(entry_id, 0),
            func.coalesce(team_id, 0),
            "component_id",
            func.coalesce(aspect_id, 0),
            "seat",
            "pass_no",
            unique=True,
        ),
    )


class ScoreSheet(Base):
    """The state of one component's marks in one event: 录入中 → 已复核 → 锁定 → 已公示."""

    __tablename__ = "score_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"), unique=True)
    state: Mapped[SheetState] = mapped_column(default=SheetState.ENTERING)
    double_entry: Mapped[bool] = mapped_column(default=True, comment="else single entry + read-back")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locked_at: Mapped[datetime | None]
    fingerprint: Mapped[str | None] = mapped_column(String(64), comment="SHA-256 of the locked marks")
    published_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads this


class Draw(Base):
    """抽签: a recorded, reproducible draw of stations or anonymous codes for one event."""

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DrawKind]
    seed: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(comment="entry id → drawn value")
    is_current: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str | None] = mapped_column(Text, comment="required for a redraw")
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- results --------------------------------------------------------------------------------


class TieDecision(Base):
    """A recorded decision on a tie the rules would not break (no shared places, or a cut-off)."""

    __tablename__ = "tie_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("event_groups.id", ondelete="CASCADE"))
    context: Mapped[str] = mapped_column(String(40), comment="rank | cutoff:<rule>")
    entry_ids: Mapped[list[Any]]
    decided_order: Mapped[list[Any]]
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResultSnapshot(Base):
    """Results computed from a fingerprinted set of marks; stale once any of those marks change."""

    __tablename__ = "result_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("event_groups.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rule_set_version: Mapped[int]
    scores_fingerprint: Mapped[str] = mapped_column(String(64))
    is_stale: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)

    rows: Mapped[list[ResultRow]] = relationship(back_populates="snapshot", cascade="all, delete-orphan")


class ResultRow(Base):
    __tablename__ = "result_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("result_snapshots.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    rank: Mapped[int | None]
    shared_rank: Mapped[bool] = mapped_column(default=False)
    total: Mapped[Decimal | None] = mapped_column(Mark)
    components: Mapped[dict[str, Any]] = mapped_column(default=dict, comment="name → decimal string")
    award: Mapped[str | None] = mapped_column(String(40))
    titles: Mapped[list[Any]] = mapped_column(default=list)
    promotion: Mapped[SkillLevel | None]
    designations: Mapped[list[Any]] = mapped_column(default=list)
    explanation: Mapped[list[Any]] = mapped_column(default=list)

    snapshot: Mapped[ResultSnapshot] = relationship(back_populates="rows")


# --- certificates ---------------------------------------------------------------------------


class CertificateTemplate(Timestamped, Base):
    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40), comment="award | title | participation …")
    layout: Mapped[dict[str, Any]] = mapped_column(default=dict, comment="texts, positions, fonts")
    background: Mapped[bytes | None] = mapped_column(LargeBinary)


class PrinterCalibration(Base):
    """Offsets for printing variable fields onto pre-printed stock, per printer."""

    __tablename__ = "printer_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_name: Mapped[str] = mapped_column(String(200), unique=True)
    offset_x_mm: Mapped[Decimal] = mapped_column(ExactDecimal(6, 2), default=Decimal(0))
    offset_y_mm: Mapped[Decimal] = mapped_column(ExactDecimal(6, 2), default=Decimal(0))


class CertificateCounter(Base):
    """The next sequence number per number prefix; numbers are never reused, even when voided."""

    __tablename__ = "certificate_counters"

    prefix: Mapped[str] = mapped_column(String(60), primary_key=True)
    next_value: Mapped[int] = mapped_column(default=1)


class Certificate(Base):
    """The certificate register: one row per number ever issued."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="RESTRICT"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="RESTRICT"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_templates.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    holder_name: Mapped[str] = mapped_column(String(60))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    award_text: Mapped[str] = mapped_column(String(200))
    signature: Mapped[str] = mapped_column(String(128), comment="HMAC for offline QR verification")
    status: Mapped[CertificateStatus] = mapped_column(default=CertificateStatus.ISSUED)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    voided_at: Mapped[datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    void_reason: Mapped[str | None] = mapped_column(Text)

    prints: Mapped[list[CertificatePrint]] = relationship(back_populates="certificate", cascade="all, delete-orphan")


class CertificatePrint(Base):
    """Every print of a certificate; a reprint records why."""

    __tablename__ = "certificate_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), index=True)
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    printer_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)

    certificate: Mapped[Certificate] = relationship(back_populates="prints")


# --- audit and settings ---------------------------------------------------------------------


class AuditRecord(Base):
    """Append-only: database triggers refuse UPDATE and DELETE. Each record hashes the previous one.

    Who is kept as text as well as id, so the record outlives the user account.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    username: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None]
    competition_id: Mapped[int | None] = mapped_column(index=True)
    event_id: Mapped[int | None] = mapped_column(index=True)
    person_id: Mapped[int | None] = mapped_column(index=True)
    old_value: Mapped[dict[str, Any] | None]
    new_value: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AppSetting(Base):
    """Key/value settings kept with the data (e.g. the certificate HMAC secret)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict[str, Any]]
