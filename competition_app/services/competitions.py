"""Competitions and events: created from a tier preset, edited while registration is open.

A competition gets its own copy of a preset's rule set (``rule_sets.copy_preset_to_competition``);
its events point to it and take their components (理论/实操/答辩 with weights, maxima and judge
panels) from it unless the organiser gives their own. Every change is checked in full before
anything is written (``SpecError`` lists every problem with the field it concerns, in Chinese)
and is appended to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import (
    ComponentKind,
    EventKind,
    Level,
    PanelMethod,
    PersonStatus,
    TierClass,
    tier_label,
)
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.rules.presets import load_preset
from competition_app.services import audit
from competition_app.services.auth import audit_who, require, require_any, visible_competition_ids
from competition_app.services.rule_sets import copy_preset_to_competition, load_rule_set
from db.models import Competition, Component, Entry, Event, EventGroup, Score
from db.models import RuleSet as RuleSetRow

__all__ = [
    "CompetitionSpec",
    "ComponentSpec",
    "EventSpec",
    "GroupSpec",
    "SpecError",
    "add_event",
    "create_competition",
    "event_spec",
    "find_competition",
    "set_registration_open",
    "update_event",
]


class SpecError(ValueError):
    """A competition or event that cannot be saved: every problem as (field, Chinese message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("；".join(f"{label}：{message}" if label else message for label, message in problems))


@dataclass(frozen=True, slots=True)
class GroupSpec:
    name: str  # 职工组, 教师组, 学生组 …
    allowed_statuses: frozenset[PersonStatus] = frozenset()  # empty: anyone


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    name: str
    kind: ComponentKind
    weight: Decimal
    max_score: Decimal = Decimal(100)
    panel_method: PanelMethod = PanelMethod.SINGLE
    panel_size: int = 1
    decimals: int = 1  # decimal places a judge may key
    spread_threshold: Decimal | None = None
    time_limit_minutes: int | None = None
    team_scored: bool = False


@dataclass(frozen=True, slots=True)
class CompetitionSpec:
    name: str
    year: int
    level: Level
    tier_class: TierClass
    preset_key: str  # the rule preset copied in, e.g. municipal_class_1_jining
    extra_preset_keys: tuple[str, ...] = ()  # 运河之星 runs 一类 and 二类 events side by side
    short_name: str | None = None
    edition: int | None = None
    region: str | None = None
    organiser: str | None = None
    host: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    certificate_number_format: str | None = None


@dataclass(frozen=True, slots=True)
class EventSpec:
    name: str
    occupation: str
    groups: tuple[GroupSpec, ...]
    # Empty: the components of the event's rule set (its scoring rules).
    components: tuple[ComponentSpec, ...] = ()
    occupation_code: str | None = None
    code: str | None = None
    tier_class: TierClass | None = None  # overrides the competition's class (运河之星 二类 events)
    kind: EventKind = EventKind.INDIVIDUAL
    team_size: int = 1
    min_age: int | None = None
    max_age: int | None = None
    start_date: date | None = None
    anonymous_marking: bool = False
    rule_set_id: int | None = None  # None: the competition's rule set for the event's class
    notes: str | None = None


# --- competitions ---------------------------------------------------------------------------


def find_competition(session: Session, name_or_id: str) -> int:
    """The id of the competition named ``name_or_id`` (full or short name), or with that id.

    Raises ``LookupError`` whose Chinese message lists the competitions there are (those the
    acting user may see). Finding a competition grants nothing: the services asked next check.
    """
    key = name_or_id.strip()
    for column in (Competition.name, Competition.short_name):
        found = session.scalar(select(Competition.id).where(column == key).order_by(Competition.id).limit(1))
        if found is not None:
            return found
    if key.isdigit() and session.get(Competition, int(key)) is not None:
        return int(key)
    statement = select(Competition.name).order_by(Competition.id)
    visible = visible_competition_ids(session)
    if visible is not None:
        statement = statement.where(Competition.id.in_(visible))
    names = session.scalars(statement).all()
    known = "、".join(names) if names else _("（数据库中还没有赛事）")
    raise LookupError(_("没有名为 “{key}” 的赛事；现有赛事：{known}").format(key=key, known=known))


def _competition_problems(session: Session, spec: CompetitionSpec) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not spec.name.strip():
        problems.append((_("赛事名称"), _("不能为空")))
    elif session.scalar(select(Competition.id).where(Competition.name == spec.name.strip())) is not None:
        problems.append((_("赛事名称"), _("已有同名赛事“{name}”").format(name=spec.name.strip())))
    if not 2000 <= spec.year <= 2100:
        problems.append((_("年份"), _("应在2000到2100之间，实际为{year}").format(year=spec.year)))
    if spec.start_date and spec.end_date and spec.end_date < spec.start_date:
        problems.append((_("结束日期"), _("早于开始日期{start}").format(start=spec.start_date)))
    for key in (spec.preset_key, *spec.extra_preset_keys):
        try:
            load_preset(key)
        except LookupError as error:
            problems.append((_("规则预设"), str(error)))
    return problems


def create_competition(session: Session, spec: CompetitionSpec, *, username: str | None = None) -> int:
    """Create a competition with its own copies of the named presets; returns its id.

    Needs 管理赛事与规则 everywhere (a grant for one competition cannot create another).
    ``username`` names the author in the audit log when nobody is logged in (set-up mode).
    """
    require(session, Permission.MANAGE_COMPETITIONS)
    problems = _competition_problems(session, spec)
    if problems:
        raise SpecError(problems)
    competition = Competition(
        name=spec.name.strip(),
        short_name=spec.short_name,
        year=spec.year,
        edition=spec.edition,
        level=spec.level,
        tier_class=spec.tier_class,
        region=spec.region,
        organiser=spec.organiser,
        host=spec.host,
        start_date=spec.start_date,
        end_date=spec.end_date,
        certificate_number_format=spec.certificate_number_format,
    )
    session.add(competition)
    session.flush()
    for key in dict.fromkeys((spec.preset_key, *spec.extra_preset_keys)):
        copy_preset_to_competition(session, competition.id, key, username=username)
    audit.append(
        session,
        action="competition.create",
        entity_type="competition",
        entity_id=competition.id,
        competition_id=competition.id,
        new_value=_competition_value(competition),
        **audit_who(session, username),
    )
    return competition.id


def _competition_value(competition: Competition) -> dict[str, Any]:
    return {
        "name": competition.name,
        "year": competition.year,
        "level": competition.level.value,
        "tier_class": competition.tier_class.value,
        "tier": tier_label(competition.level, competition.tier_class),
    }


# --- events ---------------------------------------------------------------------------------


def _pick_rule_set(session: Session, competition: Competition, spec: EventSpec) -> RuleSetRow | None:
    rows = session.scalars(
        select(RuleSetRow).where(RuleSetRow.competition_id == competition.id).order_by(RuleSetRow.id)
    ).all()
    if spec.rule_set_id is not None:
        return next((row for row in rows if row.id == spec.rule_set_id), None)
    tier_class = spec.tier_class or competition.tier_class
    for row in rows:
        if row.settings.get("tier_class") == tier_class.value:
            return row
    return rows[0] if rows else None


def _components_from_rules(session: Session, rule_set: RuleSetRow) -> tuple[ComponentSpec, ...]:
    scoring = load_rule_set(session, rule_set.id).scoring
    return tuple(
        ComponentSpec(
            name=c.name,
            kind=c.kind,
            weight=c.weight,
            max_score=c.max_score,
            panel_method=c.panel,
            panel_size=c.panel_size,
            spread_threshold=c.spread_threshold,
            team_scored=c.team_scored,
        )
        for c in scoring.components
    )


def _event_problems(
    session: Session, competition: Competition, spec: EventSpec, *, event_id: int | None
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    name = spec.name.strip()
    if not name:
        problems.append((_("赛项名称"), _("不能为空")))
    else:
        clash = session.scalar(
            select(Event.id).where(
                Event.competition_id == competition.id, Event.name == name, Event.id != (event_id or 0)
            )
        )
        if clash is not None:
            problems.append((_("赛项名称"), _("本赛事已有同名赛项“{name}”").format(name=name)))
    if not spec.occupation.strip():
        problems.append((_("职业（工种）"), _("不能为空")))
    group_names = [group.name.strip() for group in spec.groups]
    if not group_names:
        problems.append((_("组别"), _("至少需要一个组别")))
    if any(not group for group in group_names):
        problems.append((_("组别"), _("组别名称不能为空")))
    duplicated = sorted({group for group in group_names if group and group_names.count(group) > 1})
    if duplicated:
        problems.append((_("组别"), _("组别重复：{names}").format(names="、".join(duplicated))))
    if spec.kind is EventKind.TEAM and spec.team_size < 2:
        problems.append((_("团队人数"), _("团体赛项每队至少2人，实际为{size}").format(size=spec.team_size)))
    if spec.kind is EventKind.INDIVIDUAL and spec.team_size != 1:
        problems.append((_("团队人数"), _("个人赛项的团队人数应为1")))
    if spec.min_age is not None and spec.max_age is not None and spec.min_age > spec.max_age:
        problems.append((_("最高年龄"), _("{high}岁小于最低年龄{low}岁").format(high=spec.max_age, low=spec.min_age)))
    problems.extend(_component_problems(spec.components))
    return problems


def _component_problems(components: tuple[ComponentSpec, ...]) -> list[tuple[str, str]]:
    if not components:
        return []
    problems: list[tuple[str, str]] = []
    names = [c.name.strip() for c in components]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        problems.append((_("评分项"), _("名称重复：{names}").format(names="、".join(duplicated))))
    total = sum((c.weight for c in components), Decimal(0))
    if total != 1:
        problems.append((_("权重"), _("各评分项权重之和应为1，实际为{total}").format(total=format(total, "f"))))
    for c in components:
        where = _("评分项“{name}”").format(name=c.name)
        if not c.name.strip():
            problems.append((_("评分项"), _("名称不能为空")))
        if not Decimal(0) < c.weight <= 1:
            problems.append((where, _("权重应大于0且不超过1")))
        if c.max_score <= 0:
            problems.append((where, _("满分应大于0")))
        if c.panel_size < 1:
            problems.append((where, _("裁判人数至少为1")))
        if c.panel_method is PanelMethod.TRIMMED_MEAN and c.panel_size < 3:
            problems.append((where, _("去掉最高分和最低分后平均至少需要3名裁判")))
        if c.panel_method is PanelMethod.SINGLE and c.panel_size != 1:
            problems.append((where, _("单一评分时裁判人数应为1")))
    return problems


def add_event(session: Session, competition_id: int, spec: EventSpec, *, username: str | None = None) -> int:
    """Add an event to competition ``competition_id``; returns its id."""
    competition = session.get(Competition, competition_id)
    if competition is None:
        raise SpecError([("", _("没有编号为{id}的赛事").format(id=competition_id))])
    require(session, Permission.MANAGE_COMPETITIONS, competition_id=competition_id)
    problems = _event_problems(session, competition, spec, event_id=None)
    rule_set = _pick_rule_set(session, competition, spec)
    if rule_set is None:
        problems.append((_("规则"), _("本赛事还没有规则集，请先从规则预设复制")))
    if problems:
        raise SpecError(problems)
    assert rule_set is not None
    components = spec.components or _components_from_rules(session, rule_set)
    count = session.scalar(select(func.count(Event.id)).where(Event.competition_id == competition_id)) or 0
    event = Event(competition_id=competition_id, rule_set_id=rule_set.id, sort_order=count)
    _apply(event, spec)
    event.groups = [_group(group, index) for index, group in enumerate(spec.groups)]
    event.components = [_component(component, index) for index, component in enumerate(components)]
    session.add(event)
    session.flush()
    audit.append(
        session,
        action="event.create",
        entity_type="event",
        entity_id=event.id,
        competition_id=competition_id,
        event_id=event.id,
        new_value=_event_value(event),
        **audit_who(session, username),
    )
    return event.id


def _apply(event: Event, spec: EventSpec) -> None:
    event.name = spec.name.strip()
    event.occupation = spec.occupation.strip()
    event.occupation_code = spec.occupation_code
    event.code = spec.code
    event.tier_class = spec.tier_class
    event.kind = spec.kind
    event.team_size = spec.team_size
    event.min_age = spec.min_age
    event.max_age = spec.max_age
    event.start_date = spec.start_date
    event.anonymous_marking = spec.anonymous_marking
    event.notes = spec.notes


def _group(spec: GroupSpec, order: int) -> EventGroup:
    return EventGroup(
        name=spec.name.strip(),
        allowed_statuses=sorted(status.value for status in spec.allowed_statuses),
        sort_order=order,
    )


def _component(spec: ComponentSpec, order: int) -> Component:
    return Component(
        name=spec.name.strip(),
        kind=spec.kind,
        weight=spec.weight,
        max_score=spec.max_score,
        panel_method=spec.panel_method,
        panel_size=spec.panel_size,
        decimals=spec.decimals,
        spread_threshold=spec.spread_threshold,
        time_limit_minutes=spec.time_limit_minutes,
        team_scored=spec.team_scored,
        sort_order=order,
    )


def _event_value(event: Event) -> dict[str, Any]:
    return {
        "name": event.name,
        "occupation": event.occupation,
        "kind": event.kind.value,
        "team_size": event.team_size,
        "tier_class": event.tier_class.value if event.tier_class else None,
        "groups": [group.name for group in event.groups],
        "components": [
            {"name": c.name, "weight": format(c.weight, "f"), "panel": c.panel_method.value, "size": c.panel_size}
            for c in event.components
        ],
        "min_age": event.min_age,
        "max_age": event.max_age,
        "anonymous_marking": event.anonymous_marking,
    }


def event_spec(session: Session, event_id: int) -> EventSpec:
    """The event as a spec, for an edit form (管理赛事与规则 or 报名与裁判管理 for the event)."""
    event = _event(session, event_id)
    require_any(session, Permission.MANAGE_COMPETITIONS, Permission.REGISTER, event_id=event_id)
    return EventSpec(
        name=event.name,
        occupation=event.occupation,
        groups=tuple(
            GroupSpec(group.name, frozenset(PersonStatus(code) for code in group.allowed_statuses))
            for group in event.groups
        ),
        components=tuple(
            ComponentSpec(
                name=c.name,
                kind=c.kind,
                weight=c.weight,
                max_score=c.max_score,
                panel_method=c.panel_method,
                panel_size=c.panel_size,
                decimals=c.decimals,
                spread_threshold=c.spread_threshold,
                time_limit_minutes=c.time_limit_minutes,
                team_scored=c.team_scored,
            )
            for c in event.components
        ),
        occupation_code=event.occupation_code,
        code=event.code,
        tier_class=event.tier_class,
        kind=event.kind,
        team_size=event.team_size,
        min_age=event.min_age,
        max_age=event.max_age,
        start_date=event.start_date,
        anonymous_marking=event.anonymous_marking,
        rule_set_id=event.rule_set_id,
        notes=event.notes,
    )


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise SpecError([("", _("没有编号为{id}的赛项").format(id=event_id))])
    return event


def update_event(
    session: Session, event_id: int, spec: EventSpec, *, username: str | None = None, reason: str | None = None
) -> None:
    """Change an event while its registration is open.

    Groups are matched by name: a group that still has entries cannot be removed. Components
    can be changed only while no score has been entered for the event.
    """
    event = _event(session, event_id)
    require(session, Permission.MANAGE_COMPETITIONS, event_id=event_id)
    if not event.registration_open:
        raise SpecError([("", _("赛项“{name}”已截止报名，不能修改；请先重新开放报名").format(name=event.name))])
    problems = _event_problems(session, event.competition, spec, event_id=event.id)
    kept = {group.name.strip() for group in spec.groups}
    for group in event.groups:
        if group.name not in kept:
            entries = session.scalar(select(func.count(Entry.id)).where(Entry.group_id == group.id)) or 0
            if entries:
                problems.append(
                    (_("组别"), _("“{name}”已有{count}人报名，不能删除").format(name=group.name, count=entries))
                )
    changed_components = spec.components and _component_value(spec.components) != _component_value(
        tuple(event_spec(session, event_id).components)
    )
    if changed_components:
        scored = session.scalar(
            select(func.count(Score.id))
            .join(Component, Component.id == Score.component_id)
            .where(Component.event_id == event.id)
        )
        if scored:
            problems.append((_("评分项"), _("本赛项已录入{count}条评分，不能再修改评分项").format(count=scored)))
    if problems:
        raise SpecError(problems)
    old = _event_value(event)
    _apply(event, spec)
    by_name = {group.name: group for group in event.groups}
    groups = []
    for index, group_spec in enumerate(spec.groups):
        group = by_name.get(group_spec.name.strip()) or _group(group_spec, index)
        group.sort_order = index
        group.allowed_statuses = sorted(status.value for status in group_spec.allowed_statuses)
        groups.append(group)
    event.groups = groups
    if changed_components:
        event.components = [_component(component, index) for index, component in enumerate(spec.components)]
    if spec.rule_set_id is not None:
        event.rule_set_id = spec.rule_set_id
    session.flush()
    audit.append(
        session,
        action="event.update",
        entity_type="event",
        entity_id=event.id,
        competition_id=event.competition_id,
        event_id=event.id,
        old_value=old,
        new_value=_event_value(event),
        reason=reason,
        **audit_who(session, username),
    )


def _component_value(components: tuple[ComponentSpec, ...]) -> list[tuple[object, ...]]:
    return [
        (c.name, c.kind, c.weight, c.max_score, c.panel_method, c.panel_size, c.decimals, c.spread_threshold,
         c.time_limit_minutes, c.team_scored)
        for c in components
    ]  # fmt: skip


def set_registration_open(
    session: Session, event_id: int, is_open: bool, *, username: str | None = None, reason: str | None = None
) -> None:
    """Open or close an event's registration (closed: its settings and groups are frozen)."""
    event = _event(session, event_id)
    require(session, Permission.MANAGE_COMPETITIONS, event_id=event_id)
    if event.registration_open == is_open:
        return
    event.registration_open = is_open
    session.flush()
    audit.append(
        session,
        action="event.registration_open" if is_open else "event.registration_close",
        entity_type="event",
        entity_id=event.id,
        competition_id=event.competition_id,
        event_id=event.id,
        old_value={"registration_open": not is_open},
        new_value={"registration_open": is_open},
        reason=reason,
        **audit_who(session, username),
    )
