"""The demo data: realistic, internally consistent, deterministic, and refused twice."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from competition_app.domain import idcard
from competition_app.domain.enums import (
    AspectType,
    EntryStatus,
    Level,
    PanelMethod,
    PersonStatus,
    ScoreState,
    SheetState,
    TierClass,
)
from competition_app.services import audit
from competition_app.services.demo import (
    DEMO_COMPETITION_NAMES,
    JINING_COMPETITION,
    WORLDSKILLS_COMPETITION,
    DemoAlreadyPresentError,
    DemoSummary,
    create_demo,
)
from competition_app.services.sheets import check_fingerprint
from competition_app.tasks import Cancelled, Progress
from db.models import (
    AuditRecord,
    Competition,
    Component,
    Entry,
    Event,
    EventGroup,
    Judge,
    JudgeAssignment,
    MarkingAspect,
    Person,
    PersonAchievement,
    RuleSet,
    Score,
    ScoreSheet,
    Unit,
)
from db.session import open_database, sqlite_url


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@pytest.fixture
def demo(session: Session) -> DemoSummary:
    return create_demo(session)


def test_summary_matches_what_was_written(session: Session, demo: DemoSummary) -> None:
    assert demo.people >= 300
    assert demo.competitions >= 3
    assert (demo.competitions, demo.events, demo.people, demo.entries, demo.judges, demo.scores) == (
        _count(session, Competition),
        _count(session, Event),
        _count(session, Person),
        _count(session, Entry),
        _count(session, Judge),
        _count(session, Score),
    )
    assert demo.entries > demo.people  # some people are entered twice
    description = demo.describe()
    assert f"{demo.competitions} 项赛事" in description
    assert f"{demo.people} 名选手" in description
    assert f"{demo.scores} 条评分" in description


def test_jining_has_both_classes_and_both_groups_with_their_rules(session: Session, demo: DemoSummary) -> None:
    jining = session.scalars(select(Competition).where(Competition.name == JINING_COMPETITION)).one()
    assert (jining.level, jining.tier_class, jining.region) == (Level.MUNICIPAL, TierClass.NONE, "济宁市")
    assert {event.tier_class for event in jining.events} == {TierClass.CLASS_1, TierClass.CLASS_2}
    for event in jining.events:
        groups = {group.name: group.allowed_statuses for group in event.groups}
        assert groups == {"职工组": ["worker", "teacher"], "学生组": ["student"]}
        assert event.rule_set is not None and event.rule_set.competition_id == jining.id
        expected_top = 3 if event.tier_class is TierClass.CLASS_1 else 1
        (title,) = event.rule_set.settings["titles"]
        assert (title["title"], title["top"], title["tier_class"]) == ("济宁市技术能手", expected_top, event.tier_class)
        assert event.rule_set.preset_key.endswith("_jining")
        weights = {component.name: component.weight for component in event.components}
        assert weights == {"理论知识": Decimal("0.3000"), "技能操作": Decimal("0.7000")}
    assert any(event.anonymous_marking for event in jining.events)
    assert "seed 003 第21条" in (jining.rule_sets[0].provenance or "")


def test_every_competition_weights_sum_to_one_and_has_a_defence_somewhere(session: Session, demo: DemoSummary) -> None:
    events = session.scalars(select(Event)).all()
    for event in events:
        assert sum(component.weight for component in event.components) == Decimal(1), event.name
    assert any(
        component.name == "答辩" and component.weight == Decimal("0.2000")
        for event in events
        for component in event.components
    )
    names = set(session.scalars(select(Competition.name)))
    assert set(DEMO_COMPETITION_NAMES) <= names


def test_id_numbers_are_valid_and_agree_with_the_person(session: Session, demo: DemoSummary) -> None:
    people = session.scalars(select(Person)).all()
    assert len({person.id_number for person in people}) == len(people)
    for person in people:
        parsed = idcard.parse(person.id_number)
        assert parsed.number == person.id_number
        assert (parsed.birth_date, parsed.gender) == (person.birth_date, person.gender), person.name
        assert person.unit is not None and person.unit.region is not None
        # Born where the unit is: same province, and for 济宁 units in 济宁 itself (3708xx).
        province = {"山东省": "37", "四川省": "51"}[person.unit.region[:3]]
        assert parsed.region_code.startswith(province), (person.name, person.unit.name)
        if "济宁市" in person.unit.region:
            assert parsed.region_code.startswith("3708")
        assert person.phone is not None and len(person.phone) == 11 and person.phone.startswith("1")


def test_entries_fit_their_group_age_and_unit(session: Session, demo: DemoSummary) -> None:
    rows = session.execute(
        select(Entry, Person, EventGroup, Event)
        .join(Person, Person.id == Entry.person_id)
        .join(EventGroup, and_(EventGroup.id == Entry.group_id, EventGroup.event_id == Entry.event_id))
        .join(Event, Event.id == Entry.event_id)
    )
    bibs: Counter[tuple[int, str]] = Counter()
    for entry, person, group, event in rows:
        assert entry.unit_id == person.unit_id
        assert not group.allowed_statuses or person.status.value in group.allowed_statuses
        assert person.birth_date is not None and event.start_date is not None
        age = _age_on(person.birth_date, event.start_date)
        if person.status is PersonStatus.STUDENT:
            assert 17 <= age <= 22, (person.name, age)
        else:
            assert 22 <= age <= 55, (person.name, age)
        if event.max_age is not None:
            assert age <= event.max_age
        assert entry.bib is not None and event.code is not None and entry.bib.startswith(f"{event.code}-")
        assert entry.station is not None
        assert (entry.anon_code is not None) == event.anonymous_marking
        bibs[(event.id, entry.bib)] += 1
    assert max(bibs.values()) == 1
    statuses = Counter(session.scalars(select(Entry.status)))
    assert statuses[EntryStatus.WITHDRAWN] == 1
    assert statuses[EntryStatus.REGISTERED] + statuses[EntryStatus.CHECKED_IN] == sum(statuses.values()) - 1


def test_history_across_events_competitions_and_years(session: Session, demo: DemoSummary) -> None:
    entered = session.execute(
        select(Entry.person_id, func.count(Entry.id), func.count(func.distinct(Event.competition_id)))
        .join(Event, Event.id == Entry.event_id)
        .group_by(Entry.person_id)
        .having(func.count(Entry.id) > 1)
    ).all()
    assert any(competitions == 1 for _person, _entries, competitions in entered)  # two events, one competition
    assert any(competitions == 2 for _person, _entries, competitions in entered)  # two competitions
    titles = session.scalars(select(PersonAchievement).where(PersonAchievement.title == "济宁市技术能手")).all()
    assert titles and all(title.year == 2024 for title in titles)
    promotions = session.scalars(select(PersonAchievement).where(PersonAchievement.year == 2025)).all()
    assert any(promotion.kind.value == "promotion" and promotion.skill_level for promotion in promotions)


def test_marks_are_exact_and_within_their_range(session: Session, demo: DemoSummary) -> None:
    rows = session.execute(
        select(Score, Component, MarkingAspect)
        .join(Component, Component.id == Score.component_id)
        .outerjoin(MarkingAspect, MarkingAspect.id == Score.aspect_id)
    )
    seen_kinds: Counter[str] = Counter()
    for score, component, aspect in rows:
        value = score.value
        assert isinstance(value, Decimal)
        if aspect is None:
            assert Decimal(0) <= value <= component.max_score
            # Quantizing changes nothing only if the value has no more places than the component allows.
            assert value == value.quantize(Decimal(1).scaleb(-component.decimals))
            seen_kinds["component"] += 1
        elif aspect.aspect_type is AspectType.JUDGEMENT:
            assert value in {Decimal(0), Decimal(1), Decimal(2), Decimal(3)}
            assert score.judge_id is not None
            seen_kinds["J"] += 1
        else:
            assert Decimal(0) <= value <= aspect.max_mark
            assert value == value.quantize(Decimal("0.01"))
            seen_kinds["M"] += 1
        assert score.version == 1
    assert seen_kinds["component"] and seen_kinds["J"] and seen_kinds["M"]


def test_panel_marks_come_from_the_judges_seated_on_that_component(session: Session, demo: DemoSummary) -> None:
    seated = set(session.execute(select(JudgeAssignment.judge_id, JudgeAssignment.component_id)))
    judged = set(session.execute(select(Score.judge_id, Score.component_id).where(Score.judge_id.is_not(None))))
    assert judged and judged <= seated
    withdrawn = session.scalars(select(Entry.id).where(Entry.status == EntryStatus.WITHDRAWN)).all()
    assert session.scalar(select(func.count()).where(Score.entry_id.in_(withdrawn))) == 0


def test_score_sheets_carry_their_state_to_the_marks(session: Session, demo: DemoSummary) -> None:
    sheets = session.scalars(select(ScoreSheet)).all()
    states = Counter(sheet.state for sheet in sheets)
    assert states[SheetState.LOCKED] == 3 and states[SheetState.VERIFIED] >= 1 and states[SheetState.ENTERING] >= 1
    expected = {SheetState.LOCKED: ScoreState.LOCKED, SheetState.VERIFIED: ScoreState.VERIFIED,
                SheetState.ENTERING: ScoreState.ENTERED}  # fmt: skip
    for sheet in sheets:
        marks = set(session.scalars(select(Score.state).where(Score.component_id == sheet.component_id)))
        assert marks == {expected[sheet.state]}
    # 焊工's theory is locked; 电工 is finished: both its sheets are signed, so it can be certified.
    locked = {
        (component.event.name, component.name)
        for sheet in sheets
        if sheet.state is SheetState.LOCKED and (component := session.get(Component, sheet.component_id)) is not None
    }
    assert locked == {("焊工", "理论知识"), ("电工", "理论知识"), ("电工", "技能操作")}


def test_worldskills_scheme_is_shaped_like_a_cis_marking_scheme(session: Session, demo: DemoSummary) -> None:
    competition = session.scalars(select(Competition).where(Competition.name == WORLDSKILLS_COMPETITION)).one()
    (event,) = competition.events
    assert event.max_age == 22
    assert [group.name for group in event.groups] == ["青年组"]
    (component,) = event.components
    assert (component.panel_method, component.weight) == (PanelMethod.WORLDSKILLS, Decimal("1.0000"))
    aspects = component.aspects
    assert sum(aspect.max_mark for aspect in aspects) == Decimal(100)
    assert {aspect.criterion_code for aspect in aspects} == {"A", "B", "C", "D"}
    assert {aspect.wsos_section for aspect in aspects} == {1, 2, 3, 4, 5}
    assert {aspect.aspect_type for aspect in aspects} == {AspectType.MEASUREMENT, AspectType.JUDGEMENT}
    for aspect in aspects:
        assert aspect.sub_criterion_code.startswith(aspect.criterion_code)
        expected_descriptors = 4 if aspect.aspect_type is AspectType.JUDGEMENT else 0
        assert len(aspect.descriptors) == expected_descriptors
    marked_entries = session.scalar(
        select(func.count(func.distinct(Score.entry_id))).where(Score.component_id == component.id)
    )
    assert 0 < (marked_entries or 0) < len(event.entries)


def test_a_judge_shares_a_unit_with_a_contestant_of_their_event(session: Session, demo: DemoSummary) -> None:
    conflicts = session.execute(
        select(Judge.name, Unit.name, Event.name)
        .join(JudgeAssignment, JudgeAssignment.judge_id == Judge.id)
        .join(Event, Event.id == JudgeAssignment.event_id)
        .join(Unit, Unit.id == Judge.unit_id)
        .join(Entry, and_(Entry.event_id == Event.id, Entry.unit_id == Judge.unit_id))
        .distinct()
    ).all()
    assert len(conflicts) >= 1


def test_every_event_has_one_chief_judge_a_clerk_and_a_full_panel(session: Session, demo: DemoSummary) -> None:
    for event in session.scalars(select(Event)):
        assignments = session.scalars(select(JudgeAssignment).where(JudgeAssignment.event_id == event.id)).all()
        roles = Counter(assignment.role.value for assignment in assignments)
        assert roles["chief_judge"] == 1 and roles["clerk"] == 1
        practical = next(component for component in event.components if component.kind.value == "practical")
        seats = sorted(a.seat for a in assignments if a.component_id == practical.id and a.seat is not None)
        assert seats == list(range(1, practical.panel_size + 1))


def test_one_audit_record_and_the_chain_verifies(session: Session, demo: DemoSummary) -> None:
    records = session.scalars(select(AuditRecord).where(AuditRecord.action == "demo.create")).all()
    assert len(records) == 1
    (record,) = records
    assert record.entity_type == "database" and record.reason == "创建演示数据"
    assert record.new_value is not None
    assert record.new_value["people"] == demo.people and record.new_value["scores"] == demo.scores
    assert audit.first_broken_link(session) is None


def test_a_second_run_is_refused(session: Session, demo: DemoSummary) -> None:
    with pytest.raises(DemoAlreadyPresentError, match="演示数据已存在"):
        create_demo(session, seed=7)
    assert _count(session, Competition) == demo.competitions


def test_cancel_before_start_writes_nothing(session: Session) -> None:
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        create_demo(session, progress)
    assert _count(session, Competition) == 0


def test_cancel_midway_stops_at_the_next_step(session: Session) -> None:
    reports: list[tuple[int, int, str]] = []

    def on_report(done: int, total: int, text: str) -> None:
        reports.append((done, total, text))
        if done == 3:
            progress.cancel()

    progress = Progress(on_report)
    with pytest.raises(Cancelled):
        create_demo(session, progress)
    assert [done for done, _total, _text in reports] == [0, 1, 2, 3]
    assert _count(session, Score) == 0


def test_progress_counts_up_to_the_total(session: Session) -> None:
    reports: list[tuple[int, int, str]] = []
    create_demo(session, Progress(lambda done, total, text: reports.append((done, total, text))))
    dones = [done for done, _total, _text in reports]
    assert dones == sorted(dones) and len(dones) >= 5
    assert reports[-1][0] == reports[-1][1] > 0
    assert all(text for _done, _total, text in reports)


def _demo_fingerprint(template: Path, path: Path, seed: int) -> tuple[list[tuple[str, str, str]], list[str]]:
    shutil.copyfile(template, path)
    database = open_database(sqlite_url(path))
    try:
        with database.transaction() as session:
            create_demo(session, seed=seed)
        with database.session() as session:
            people = list(session.execute(select(Person.name, Person.id_number, Person.phone).order_by(Person.id)))
            scores = [str(value) for value in session.scalars(select(Score.value).order_by(Score.id))]
            rules = session.scalars(select(RuleSet.settings).order_by(RuleSet.id)).all()
            assert rules
    finally:
        database.close()
    return [(name, number, phone or "") for name, number, phone in people], scores


def test_the_same_seed_gives_the_same_data(migrated_sqlite_template: Path, tmp_path: Path) -> None:
    first = _demo_fingerprint(migrated_sqlite_template, tmp_path / "first.sqlite3", seed=2026)
    second = _demo_fingerprint(migrated_sqlite_template, tmp_path / "second.sqlite3", seed=2026)
    other = _demo_fingerprint(migrated_sqlite_template, tmp_path / "other.sqlite3", seed=1)
    assert first == second
    assert first[0] != other[0]
    assert {number for _name, number, _phone in first[0]} != {number for _name, number, _phone in other[0]}


def test_every_demo_rule_set_is_a_valid_copy_of_its_preset(session: Session) -> None:
    from competition_app.rules.presets import load_preset
    from competition_app.services.rule_sets import load_rule_set

    create_demo(session)
    rows = session.scalars(select(RuleSet)).all()
    assert {row.preset_key for row in rows} >= {"municipal_class_1_jining", "municipal_class_2_jining"}
    for row in rows:
        rules = load_rule_set(session, row.id)  # validates the stored copy
        assert rules.key == load_preset(row.preset_key).key
    defence = next(row for row in rows if "答辩" in row.name)
    weights = [c.weight for c in load_rule_set(session, defence.id).scoring.components]
    assert weights == [Decimal("0.25"), Decimal("0.55"), Decimal("0.20")]


def test_locked_sheets_carry_the_fingerprint_of_their_marks(session: Session, demo: DemoSummary) -> None:
    locked = session.scalars(select(ScoreSheet).where(ScoreSheet.state == SheetState.LOCKED)).all()
    assert locked
    for sheet in locked:
        recorded, now = check_fingerprint(session, sheet.event_id, sheet.component_id)
        assert recorded is not None and recorded == now
