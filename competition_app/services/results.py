"""Results from the database: marks → the rules engine → a stored snapshot the screens and documents read.

:func:`compute_results` builds the engine's ``EventInput`` from an event's entries, people, history
and pass-1 marks, runs :func:`competition_app.rules.engine.compute_event` under the event's rule set
and joins the outcome to the people (bib, name, ID number, unit, region). The result is stored as a
``ResultSnapshot`` with one ``ResultRow`` per entry and a fingerprint of everything it was computed
from (marks, practical times, entry statuses, tie decisions, rule set version): when any of it
changes later, :func:`load_results` reports the snapshot as stale.

The event's components in the database are what is scored: the rule set supplies everything else
(ranking, awards, titles, promotion) and each component's pass mark, matched by name (else by kind).

Reading results needs 查看成绩 for the event; recording a tie decision needs 签字锁定 or 公示.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.enums import (
    AchievementKind,
    AspectType,
    EntryStatus,
    PanelMethod,
    SheetState,
    SkillLevel,
)
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.results.view import CompetitionView, EventView, GroupView, ResultLine, TieView
from competition_app.rules.engine import compute_event
from competition_app.rules.io import (
    EntryInput,
    EventInput,
    EventResults,
    PastPromotion,
    PersonHistory,
)
from competition_app.rules.io import TieDecision as EngineDecision
from competition_app.rules.model import ComponentRule, RuleSet
from competition_app.rules.scoring import round_half_up
from competition_app.services import audit
from competition_app.services.auth import PermissionDenied, permitted_event_ids, require, require_any
from competition_app.services.rule_sets import load_rule_set
from competition_app.tasks import Progress
from competition_app.worldskills.scheme import Aspect, Criterion, MarkingScheme, SubCriterion
from db.models import (
    Competition,
    Component,
    Entry,
    Event,
    EventGroup,
    MarkingAspect,
    Person,
    PersonAchievement,
    ResultRow,
    ResultSnapshot,
    Score,
    ScoreSheet,
    TieDecision,
    Unit,
    User,
)
from db.models import RuleSet as RuleSetRow

ENTITY_TYPE = "result_snapshot"
_OFFICIAL_STATES = frozenset({SheetState.LOCKED, SheetState.PUBLISHED})
_NOT_TAKING_PART = {EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED}


class ResultsError(ValueError):
    """Results that cannot be computed or a tie decision that cannot be recorded; Chinese message."""


# --- reading the event ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    """What a results line prints about an entry, read once with the entries."""

    entry_id: int
    team_id: int | None
    bib: str | None
    name: str
    id_number: str
    gender: str | None
    unit: str | None
    region: str | None
    status: EntryStatus
    current_level: SkillLevel | None = None


@dataclass(frozen=True, slots=True)
class _EventData:
    event: Event
    rules: RuleSet
    rule_set_version: int
    components: tuple[Component, ...]
    people: dict[int, _Person]
    event_input: EventInput
    scheme: MarkingScheme | None


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise ResultsError(_("赛项不存在：{id}").format(id=event_id))
    return event


def _components(session: Session, event_id: int) -> tuple[Component, ...]:
    return tuple(
        session.scalars(
            select(Component).where(Component.event_id == event_id).order_by(Component.sort_order, Component.id)
        )
    )


def _rules_for(session: Session, event: Event, components: tuple[Component, ...]) -> tuple[RuleSet, int]:
    """The event's rule set, scoring the event's own components (weights, panels, maxima)."""
    if event.rule_set_id is None or event.rule_set is None:
        raise ResultsError(_("赛项“{event}”没有规则集：请先在赛项设置中选择规则集").format(event=event.name))
    rules = load_rule_set(session, event.rule_set_id)
    if not components:
        raise ResultsError(_("赛项“{event}”没有评分项").format(event=event.name))
    by_name = {c.name: c for c in rules.scoring.components}
    by_kind = {c.kind: c for c in reversed(rules.scoring.components)}
    scored = []
    for component in components:
        rule = by_name.get(component.name) or by_kind.get(component.kind)
        scored.append(
            ComponentRule(
                name=component.name,
                kind=component.kind,
                weight=component.weight,
                max_score=component.max_score,
                panel=component.panel_method,
                panel_size=component.panel_size,
                pass_mark=rule.pass_mark if rule else None,
                spread_threshold=component.spread_threshold,
                team_scored=component.team_scored,
                source=rule.source if rule else _("赛项设置"),
            )
        )
    return replace(rules, scoring=replace(rules.scoring, components=tuple(scored))), event.rule_set.version


def _people(session: Session, event_id: int) -> tuple[list[tuple[Entry, Person, str]], dict[int, _Person]]:
    rows = session.execute(
        select(Entry, Person, EventGroup.name, Unit.name, Unit.region)
        .join(Person, Person.id == Entry.person_id)
        .join(EventGroup, EventGroup.id == Entry.group_id)
        .outerjoin(Unit, Unit.id == Entry.unit_id)
        .where(Entry.event_id == event_id)
        .order_by(EventGroup.sort_order, EventGroup.id, Entry.id)
    ).all()
    person_units = dict(
        session.execute(
            select(Person.id, Unit.name)
            .join(Unit, Unit.id == Person.unit_id)
            .join(Entry, Entry.person_id == Person.id)
            .where(Entry.event_id == event_id)
        ).all()
    )
    entries = []
    people = {}
    for entry, person, group, unit, unit_region in rows:
        entries.append((entry, person, group))
        people[entry.id] = _Person(
            entry.id,
            entry.team_id,
            entry.bib,
            person.name,
            person.id_number,
            person.gender.label if person.gender else None,
            unit or person_units.get(person.id),
            person.region or unit_region,
            entry.status,
            entry.skill_level_at_entry or person.skill_level,
        )
    return entries, people


def _histories(session: Session, person_ids: Iterable[int], competition_id: int) -> dict[int, PersonHistory]:
    """Titles held and promotions received, from each person's recorded achievements.

    Achievements recorded for this very competition are left out: they are what this
    computation decides, and counting them would block a promotion by itself (one per year).
    """
    titles: defaultdict[int, list[str]] = defaultdict(list)
    promotions: defaultdict[int, list[PastPromotion]] = defaultdict(list)
    ids = list(person_ids)
    if not ids:
        return {}
    for row in session.scalars(select(PersonAchievement).where(PersonAchievement.person_id.in_(ids))):
        if row.competition_id == competition_id:
            continue
        if row.kind is AchievementKind.TITLE:
            titles[row.person_id].append(row.title)
        elif row.kind is AchievementKind.PROMOTION and row.skill_level is not None:
            promotions[row.person_id].append(PastPromotion(row.year, row.skill_level))
    return {
        person_id: PersonHistory(tuple(titles[person_id]), tuple(promotions[person_id]))
        for person_id in set(titles) | set(promotions)
    }


def _marks(
    session: Session, components: tuple[Component, ...], team_members: dict[int, list[int]]
) -> tuple[dict[int, dict[str, tuple[Decimal, ...]]], dict[int, dict[str, tuple[Decimal, ...]]]]:
    """Pass-1 marks per entry: (component name → marks in seat order, aspect id → marks)."""
    names = {c.id: c.name for c in components}
    worldskills = {c.id for c in components if c.panel_method is PanelMethod.WORLDSKILLS}
    marks: defaultdict[int, defaultdict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    aspects: defaultdict[int, defaultdict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    rows = session.execute(
        select(Score.entry_id, Score.team_id, Score.component_id, Score.aspect_id, Score.value)
        .where(Score.component_id.in_(names), Score.pass_no == 1)
        .order_by(Score.component_id, Score.aspect_id, Score.seat)
    )
    for entry_id, team_id, component_id, aspect_id, value in rows:
        holders = [entry_id] if entry_id is not None else team_members.get(team_id or -1, [])
        for holder in holders:
            if component_id in worldskills:
                if aspect_id is not None:
                    aspects[holder][str(aspect_id)].append(value)
            else:
                marks[holder][names[component_id]].append(value)
    return (
        {entry: {name: tuple(values) for name, values in by.items()} for entry, by in marks.items()},
        {entry: {key: tuple(values) for key, values in by.items()} for entry, by in aspects.items()},
    )


def _scheme(session: Session, event: Event, components: tuple[Component, ...]) -> MarkingScheme | None:
    """The WorldSkills marking scheme of the event's aspects (ids are the database ids as text)."""
    ids = [c.id for c in components if c.panel_method is PanelMethod.WORLDSKILLS]
    if not ids:
        return None
    criteria: dict[str, tuple[str, dict[str, tuple[str, list[Aspect]]]]] = {}
    for row in session.scalars(
        select(MarkingAspect).where(MarkingAspect.component_id.in_(ids)).order_by(MarkingAspect.sort_order)
    ):
        subs = criteria.setdefault(row.criterion_code, (row.criterion_name, {}))[1]
        aspects = subs.setdefault(row.sub_criterion_code, (row.sub_criterion_name, []))[1]
        aspects.append(
            Aspect(str(row.id), row.sub_criterion_code, AspectType(row.aspect_type), row.description, row.max_mark,
                   row.wsos_section, requirement=row.requirement, calculation=row.calculation)
        )  # fmt: skip
    built = []
    for code, (name, subs) in criteria.items():
        sub_criteria = tuple(SubCriterion(sub, sub_name, tuple(items)) for sub, (sub_name, items) in subs.items())
        mark = sum((a.max_mark for s in sub_criteria for a in s.aspects), Decimal(0))
        built.append(Criterion(code, name, mark, sub_criteria, mark_stated=False))
    total = sum((c.mark for c in built), Decimal(0))
    return MarkingScheme(event.occupation, total, (), tuple(built), (), ())


def _decisions(session: Session, event_id: int) -> tuple[EngineDecision, ...]:
    rows = session.execute(
        select(TieDecision, EventGroup.name, User.display_name)
        .outerjoin(EventGroup, EventGroup.id == TieDecision.group_id)
        .outerjoin(User, User.id == TieDecision.decided_by_id)
        .where(TieDecision.event_id == event_id)
        .order_by(TieDecision.id)
    )
    return tuple(
        EngineDecision(group or "", row.context, tuple(int(i) for i in row.decided_order), who or "", row.reason)
        for row, group, who in rows
    )


def _competition_date(event: Event, competition: Competition) -> date:
    return event.start_date or competition.start_date or competition.end_date or date(competition.year, 1, 1)


def _read(session: Session, event_id: int) -> _EventData:
    event = _event(session, event_id)
    competition = event.competition
    components = _components(session, event_id)
    rules, version = _rules_for(session, event, components)
    entries, people = _people(session, event_id)
    histories = _histories(session, {person.id for _entry, person, _group in entries}, competition.id)
    team_members: defaultdict[int, list[int]] = defaultdict(list)
    for entry, _person, _group in entries:
        if entry.team_id is not None:
            team_members[entry.team_id].append(entry.id)
    marks, aspect_marks = _marks(session, components, team_members)
    inputs = tuple(
        EntryInput(
            entry_id=entry.id,
            name=person.name,
            group=group,
            status=person.status,
            birth_date=person.birth_date,
            team_id=entry.team_id,
            marks=marks.get(entry.id, {}),
            practical_seconds=entry.practical_seconds,
            disqualified=entry.status is EntryStatus.DISQUALIFIED,
            withdrawn=entry.status is EntryStatus.WITHDRAWN,
            current_level=entry.skill_level_at_entry or person.skill_level,
            history=histories.get(person.id, PersonHistory()),
            aspect_marks=aspect_marks.get(entry.id, {}),
        )
        for entry, person, group in entries
    )
    event_input = EventInput(
        event_id=event.id,
        name=event.name,
        level=competition.level,
        tier_class=event.tier_class or competition.tier_class,
        year=competition.year,
        competition_date=_competition_date(event, competition),
        kind=event.kind,
        team_size=event.team_size,
        entries=inputs,
        decisions=_decisions(session, event_id),
    )
    return _EventData(event, rules, version, components, people, event_input, _scheme(session, event, components))


# --- what the snapshot is tied to -------------------------------------------------------------


def inputs_fingerprint(session: Session, event_id: int) -> str:
    """SHA-256 over everything an event's results are computed from, as it is in the database now.

    Pass-1 marks (component, entry or team, aspect, seat, value), practical times, entry
    statuses and groups, tie decisions and the rule set's version: a change to any of them
    makes a stored snapshot stale.
    """
    lines: list[str] = []
    for rule_set_id, version in session.execute(
        select(RuleSetRow.id, RuleSetRow.version)
        .join(Event, Event.rule_set_id == RuleSetRow.id)
        .where(Event.id == event_id)
    ):
        lines.append(f"rules|{rule_set_id}|{version}")
    for component_id, entry_id, team_id, aspect_id, seat, value in session.execute(
        select(Score.component_id, Score.entry_id, Score.team_id, Score.aspect_id, Score.seat, Score.value)
        .join(Component, Component.id == Score.component_id)
        .where(Component.event_id == event_id, Score.pass_no == 1)
    ):
        lines.append(f"s|{component_id}|{entry_id}|{team_id}|{aspect_id}|{seat}|{value.normalize():f}")
    for entry_id, group_id, status, seconds in session.execute(
        select(Entry.id, Entry.group_id, Entry.status, Entry.practical_seconds).where(Entry.event_id == event_id)
    ):
        time = "" if seconds is None else f"{seconds.normalize():f}"
        lines.append(f"e|{entry_id}|{group_id}|{status.value}|{time}")
    for decision_id, order in session.execute(
        select(TieDecision.id, TieDecision.decided_order).where(TieDecision.event_id == event_id)
    ):
        lines.append(f"t|{decision_id}|{','.join(str(i) for i in order)}")
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def _official(session: Session, event_id: int) -> bool:
    """Every component's score sheet is 裁判长签字锁定 or 已公示."""
    component_ids = set(session.scalars(select(Component.id).where(Component.event_id == event_id)))
    states = dict(
        session.execute(select(ScoreSheet.component_id, ScoreSheet.state).where(ScoreSheet.event_id == event_id)).all()
    )
    return bool(component_ids) and all(states.get(cid) in _OFFICIAL_STATES for cid in component_ids)


# --- the view ---------------------------------------------------------------------------------


def _status_label(status: EntryStatus) -> str:
    return status.label if status in _NOT_TAKING_PART else ""


def _person_line(person: _Person, group: str, **outcome: Any) -> ResultLine:
    """A results line: who (from ``person``) and, from ``outcome``, the marks, rank and awards
    (``outcome`` may also override a personal field, e.g. the team the snapshot recorded)."""
    who: dict[str, Any] = {
        "entry_id": person.entry_id,
        "team_id": person.team_id,
        "bib": person.bib,
        "name": person.name,
        "id_number": person.id_number,
        "gender": person.gender,
        "unit": person.unit,
        "region": person.region,
        "group": group,
        "current_level": person.current_level,
        "status": _status_label(person.status),
    }
    return ResultLine(**(who | outcome))


def _view(data: _EventData, results: EventResults, *, official: bool) -> EventView:
    names = [c.name for c in data.components]
    decimals = data.rules.scoring.decimals
    groups = []
    for group in results.groups:
        lines = []
        for result in group.entries:
            person = data.people[result.entry_id]
            values = {c.name: c.value for c in result.components}
            components = tuple(
                (name, None if values.get(name) is None else round_half_up(values[name], decimals))  # type: ignore[arg-type]
                for name in names
            )
            lines.append(
                _person_line(
                    person,
                    group.group,
                    components=components,
                    total=result.total,
                    rank=result.rank,
                    shared_rank=result.shared_rank,
                    award=result.award,
                    titles=result.titles,
                    promotion=result.promotion,
                    designations=result.designations,
                    explanation=result.explanation,
                )
            )
        groups.append(GroupView(group.group, group.field_size, tuple(lines)))
    event = data.event
    return EventView(
        event_id=event.id,
        name=event.name,
        occupation=event.occupation,
        code=event.code,
        tier_class=data.event_input.tier_class,
        groups=tuple(groups),
        unresolved_ties=tuple(TieView(t.group, t.context, t.entry_ids, t.message) for t in results.unresolved_ties),
        warnings=results.warnings,
        official=official,
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


# --- storing and loading ----------------------------------------------------------------------


def _store(session: Session, data: _EventData, view: EventView, fingerprint: str, user_id: int | None) -> EventView:
    summary: dict[str, Any] = {
        "components": [c.name for c in data.components],
        "decimals": data.rules.scoring.decimals,
        "groups": [
            {"name": g.name, "field_size": g.field_size, "entries": [line.entry_id for line in g.lines]}
            for g in view.groups
        ],
        "unresolved_ties": [
            {"group": t.group, "context": t.context, "entry_ids": list(t.entry_ids), "message": t.message}
            for t in view.unresolved_ties
        ],
        "warnings": list(view.warnings),
        "official": view.official,
    }
    snapshot = ResultSnapshot(
        event_id=data.event.id,
        computed_by_id=user_id,
        rule_set_version=data.rule_set_version,
        scores_fingerprint=fingerprint,
        summary=summary,
    )
    snapshot.rows = [
        ResultRow(
            entry_id=line.entry_id,
            team_id=line.team_id,
            rank=line.rank,
            shared_rank=line.shared_rank,
            total=line.total,
            components={name: _text(value) for name, value in line.components},
            award=line.award,
            titles=list(line.titles),
            promotion=line.promotion,
            designations=list(line.designations),
            explanation=list(line.explanation),
        )
        for group in view.groups
        for line in group.lines
    ]
    session.add(snapshot)
    session.flush()
    return replace(view, computed_at=snapshot.computed_at, snapshot_id=snapshot.id)


def compute_results(session: Session, event_id: int, progress: Progress | None = None) -> EventView:
    """Compute, store and return the results of event ``event_id`` from the marks in the database.

    The snapshot records a fingerprint of its inputs (:func:`inputs_fingerprint`) and whether
    every component's sheet was locked (``official``). Raises ``ResultsError`` when the event
    has no rule set or its settings cannot score it, ``PermissionDenied`` without 查看成绩.
    The caller commits.
    """
    actor = require(session, Permission.VIEW_SCORES, event_id=event_id)
    _guard_anonymity(session, event_id)
    if progress:
        progress.report(0, 3, _("读取成绩"))
    data = _read(session, event_id)
    if progress:
        progress.report(1, 3, _("计算名次与奖项"))
    try:
        results = compute_event(data.event_input, data.rules, marking_scheme=data.scheme)
    except ValueError as error:  # invalid settings or a mark the rules cannot take
        raise ResultsError(
            _("赛项“{event}”的成绩无法计算：{error}").format(event=data.event.name, error=error)
        ) from error
    if progress:
        progress.report(2, 3, _("保存成绩快照"))
    fingerprint = inputs_fingerprint(session, event_id)
    view = _store(session, data, _view(data, results, official=_official(session, event_id)), fingerprint,
                  actor.user_id)  # fmt: skip
    ranked = sum(1 for g in view.groups for line in g.lines if line.rank is not None)
    audit.append(
        session,
        action="results.compute",
        entity_type=ENTITY_TYPE,
        entity_id=view.snapshot_id,
        competition_id=data.event.competition_id,
        event_id=event_id,
        new_value={
            "scores_fingerprint": fingerprint,
            "rule_set_version": data.rule_set_version,
            "official": view.official,
            "ranked": ranked,
            "unresolved_ties": len(view.unresolved_ties),
        },
    )
    if progress:
        progress.report(3, 3, "")
    return view


def _guard_anonymity(session: Session, event_id: int) -> None:
    """Results join marks to names: before 解密 only those who may reveal the codes see them."""
    event = _event(session, event_id)
    if event.anonymous_marking and event.anon_revealed_at is None:
        try:
            require(session, Permission.REVEAL, event_id=event_id)
        except PermissionDenied as error:
            raise PermissionDenied(
                _("“{event}”为匿名评分，检录号尚未解密：解密前只有裁判长或管理员能查看带姓名的成绩").format(
                    event=event.name
                )
            ) from error


def load_results(session: Session, event_id: int) -> EventView | None:
    """The latest stored results of the event (None when never computed).

    ``stale`` is worked out now: the inputs' fingerprint differs from the snapshot's. ``official``
    also holds now: every sheet is still locked and the snapshot is not stale.
    """
    require(session, Permission.VIEW_SCORES, event_id=event_id)
    _guard_anonymity(session, event_id)
    event = _event(session, event_id)
    snapshot = session.scalar(
        select(ResultSnapshot).where(ResultSnapshot.event_id == event_id).order_by(ResultSnapshot.id.desc()).limit(1)
    )
    if snapshot is None:
        return None
    _entries, people = _people(session, event_id)
    rows = {row.entry_id: row for row in snapshot.rows}
    summary = snapshot.summary
    names: list[str] = summary.get("components", [])
    decimals = int(summary.get("decimals", 2))  # the column keeps 3 places; the rules print fewer
    groups = []
    for group in summary.get("groups", []):
        lines = []
        for entry_id in group["entries"]:
            row, person = rows.get(entry_id), people.get(entry_id)
            if row is None or person is None:  # the entry was deleted since
                continue
            lines.append(
                _person_line(
                    person,
                    group["name"],
                    team_id=row.team_id,
                    components=tuple((name, _decimal(row.components.get(name))) for name in names),
                    total=None if row.total is None else round_half_up(row.total, decimals),
                    rank=row.rank,
                    shared_rank=row.shared_rank,
                    award=row.award,
                    titles=tuple(row.titles),
                    promotion=SkillLevel(row.promotion) if row.promotion else None,
                    designations=tuple(row.designations),
                    explanation=tuple(row.explanation),
                )
            )
        groups.append(GroupView(group["name"], int(group["field_size"]), tuple(lines)))
    stale = snapshot.is_stale or snapshot.scores_fingerprint != inputs_fingerprint(session, event_id)
    ties = tuple(
        TieView(t["group"], t["context"], tuple(t["entry_ids"]), t["message"])
        for t in summary.get("unresolved_ties", [])
    )
    return EventView(
        event_id=event.id,
        name=event.name,
        occupation=event.occupation,
        code=event.code,
        tier_class=event.tier_class or event.competition.tier_class,
        groups=tuple(groups),
        unresolved_ties=ties,
        warnings=tuple(summary.get("warnings", [])),
        official=not stale and _official(session, event_id),
        stale=stale,
        computed_at=snapshot.computed_at,
        snapshot_id=snapshot.id,
    )


def competition_results(
    session: Session, competition_id: int, *, compute: bool = True, progress: Progress | None = None
) -> CompetitionView:
    """Results of every event of the competition the actor may see scores of.

    ``compute``: compute (and store) each event's results now; else the stored snapshots (events
    never computed are left out). An event that cannot be computed (no rule set …) is listed
    without groups, its reason in ``warnings``.
    """
    competition = _competition(session, competition_id)
    events = visible_events(session, competition_id)
    views = []
    for number, event in enumerate(events):
        if progress:
            progress.report(number, len(events), event.name)
        try:
            if not compute:
                loaded = load_results(session, event.id)
                if loaded is not None:
                    views.append(loaded)
                continue
            views.append(compute_results(session, event.id))
        except (ResultsError, PermissionDenied) as error:
            tier = event.tier_class or competition.tier_class
            views.append(
                EventView(event.id, event.name, event.occupation, event.code, tier, (), warnings=(str(error),))
            )
    return replace(_competition_view(competition), events=tuple(views))


def registration_view(session: Session, competition_id: int) -> CompetitionView:
    """Every entry of the competition's events (those the actor may see scores of), unranked.

    For counting who takes part (region, unit, group, tier) before any result exists: lines
    carry no marks, and no names or ID numbers either, so anonymous marking is never exposed.
    """
    competition = _competition(session, competition_id)
    views = []
    for event in visible_events(session, competition_id):
        entries, people = _people(session, event.id)
        groups: dict[str, list[ResultLine]] = {}
        for entry, _person, group in entries:
            line = _person_line(people[entry.id], group, components=(), total=None, rank=None)
            groups.setdefault(group, []).append(replace(line, name="", id_number=None))
        tier = event.tier_class or competition.tier_class
        group_views = tuple(GroupView(name, len(lines), tuple(lines)) for name, lines in groups.items())
        views.append(EventView(event.id, event.name, event.occupation, event.code, tier, group_views))
    return replace(_competition_view(competition), events=tuple(views))


def _competition(session: Session, competition_id: int) -> Competition:
    competition = session.get(Competition, competition_id)
    if competition is None:
        raise ResultsError(_("赛事不存在：{id}").format(id=competition_id))
    return competition


def visible_events(session: Session, competition_id: int) -> list[Event]:
    """The competition's events the actor may see scores of, in the competition's order."""
    allowed = permitted_event_ids(session, Permission.VIEW_SCORES, competition_id=competition_id)
    statement = select(Event).where(Event.competition_id == competition_id).order_by(Event.sort_order, Event.id)
    return [event for event in session.scalars(statement) if allowed is None or event.id in allowed]


def competition_header(session: Session, competition_id: int) -> CompetitionView:
    """The competition's particulars as a view without events (fill ``events`` with ``replace``)."""
    return _competition_view(_competition(session, competition_id))


def _competition_view(competition: Competition) -> CompetitionView:
    return CompetitionView(
        competition_id=competition.id,
        name=competition.name,
        short_name=competition.short_name,
        level=competition.level,
        tier_class=competition.tier_class,
        year=competition.year,
        organiser=competition.organiser,
        host=competition.host,
        region=competition.region,
        start_date=competition.start_date,
        end_date=competition.end_date,
        events=(),
    )


# --- tie decisions ----------------------------------------------------------------------------


def decide_tie(
    session: Session,
    event_id: int,
    group: str,
    entry_ids_in_order: Iterable[int],
    reason: str,
    *,
    context: str = "rank",
) -> int:
    """Record the order chosen for entries the rules leave tied; the next computation applies it.

    ``context`` is the tie's context as the results report it ("rank", "team_rank" or
    "cutoff:<rule>"). Needs 签字锁定 or 公示 for the event; the decision names who decided and
    why, and is audited. Returns the decision's id. The caller commits.
    """
    actor = require_any(session, Permission.LOCK_SHEETS, Permission.PUBLISH, event_id=event_id)
    event = _event(session, event_id)
    order = [int(entry_id) for entry_id in entry_ids_in_order]
    why = reason.strip()
    if not why:
        raise ResultsError(_("请说明决定名次先后的理由（记入审计日志）"))
    if len(order) < 2 or len(set(order)) != len(order):
        raise ResultsError(_("并列决定须列出至少两个不重复的参赛者"))
    group_id = session.scalar(select(EventGroup.id).where(EventGroup.event_id == event_id, EventGroup.name == group))
    if group_id is None:
        raise ResultsError(_("赛项“{event}”没有名为“{group}”的组别").format(event=event.name, group=group))
    if context == "team_rank":
        members = set(
            session.scalars(select(Entry.team_id).where(Entry.event_id == event_id, Entry.group_id == group_id))
        )
    else:
        members = set(session.scalars(select(Entry.id).where(Entry.event_id == event_id, Entry.group_id == group_id)))
    strangers = [str(i) for i in order if i not in members]
    if strangers:
        raise ResultsError(
            _("这些编号不属于“{event}”{group}：{ids}").format(event=event.name, group=group, ids="、".join(strangers))
        )
    decision = TieDecision(
        event_id=event_id,
        group_id=group_id,
        context=context,
        entry_ids=sorted(order),
        decided_order=order,
        reason=why,
        decided_by_id=actor.user_id,
    )
    session.add(decision)
    session.flush()
    audit.append(
        session,
        action="results.decide_tie",
        entity_type="tie_decision",
        entity_id=decision.id,
        competition_id=event.competition_id,
        event_id=event_id,
        new_value={"group": group, "context": context, "order": order},
        reason=why,
    )
    return decision.id
