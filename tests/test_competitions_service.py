"""Competitions and events from tier presets (services/competitions.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import ComponentKind, EventKind, Level, PanelMethod, PersonStatus, TierClass
from competition_app.services import audit
from competition_app.services.competitions import (
    CompetitionSpec,
    ComponentSpec,
    EventSpec,
    GroupSpec,
    SpecError,
    add_event,
    create_competition,
    event_spec,
    find_competition,
    set_registration_open,
    update_event,
)
from db.models import AuditRecord, Competition, Entry, Event, Person, RuleSet

CANAL = CompetitionSpec(
    name="第二届济宁“运河之星”职业技能大赛",
    year=2026,
    level=Level.MUNICIPAL,
    tier_class=TierClass.CLASS_1,
    preset_key="municipal_class_1_jining",
    extra_preset_keys=("municipal_class_2_jining",),
    short_name="运河之星",
)
WELDING = EventSpec(
    name="焊工",
    occupation="焊工",
    code="HG",
    groups=(
        GroupSpec("职工组", frozenset({PersonStatus.WORKER})),
        GroupSpec("学生组", frozenset({PersonStatus.STUDENT})),
    ),
)


def test_a_competition_gets_copies_of_its_presets(session: Session) -> None:
    competition_id = create_competition(session, CANAL, username="admin")
    presets = session.scalars(select(RuleSet.preset_key).where(RuleSet.competition_id == competition_id)).all()
    assert sorted(presets) == ["municipal_class_1_jining", "municipal_class_2_jining"]
    assert find_competition(session, "运河之星") == competition_id
    assert find_competition(session, str(competition_id)) == competition_id
    actions = session.scalars(select(AuditRecord.action).where(AuditRecord.competition_id == competition_id)).all()
    assert "competition.create" in actions
    assert audit.first_broken_link(session) is None


def test_a_bad_competition_lists_every_problem(session: Session) -> None:
    create_competition(session, CANAL)
    bad = CompetitionSpec(name=CANAL.name, year=1999, level=Level.MUNICIPAL, tier_class=TierClass.CLASS_1,
                          preset_key="no_such_preset")  # fmt: skip
    with pytest.raises(SpecError) as caught:
        create_competition(session, bad)
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["赛事名称", "年份", "规则预设"]
    assert "已有同名赛事" in str(caught.value)
    assert session.scalar(select(func.count(Competition.id))) == 1


def test_an_event_takes_its_components_from_the_rule_set_of_its_class(session: Session) -> None:
    competition_id = create_competition(session, CANAL)
    class_2 = add_event(session, competition_id, EventSpec(name="电工", occupation="电工", tier_class=TierClass.CLASS_2,
                                                        groups=(GroupSpec("职工组"),)))  # fmt: skip
    welding = session.get(Event, add_event(session, competition_id, WELDING))
    assert welding is not None
    assert [(c.name, c.weight, c.panel_method, c.panel_size) for c in welding.components] == [
        ("理论知识", Decimal("0.30"), PanelMethod.SINGLE, 1),
        ("技能操作", Decimal("0.70"), PanelMethod.TRIMMED_MEAN, 5),
    ]
    assert [g.name for g in welding.groups] == ["职工组", "学生组"]
    rule_set = session.get(RuleSet, welding.rule_set_id)
    electrician = session.get(Event, class_2)
    assert rule_set is not None and electrician is not None
    assert rule_set.preset_key == "municipal_class_1_jining"
    assert electrician.rule_set is not None and electrician.rule_set.preset_key == "municipal_class_2_jining"


def test_an_event_with_its_own_components_and_a_bad_one(session: Session) -> None:
    competition_id = create_competition(session, CANAL)
    defence = (
        ComponentSpec("理论知识", ComponentKind.THEORY, Decimal("0.25")),
        ComponentSpec("技能操作", ComponentKind.PRACTICAL, Decimal("0.55"), panel_method=PanelMethod.TRIMMED_MEAN,
                      panel_size=5),
        ComponentSpec("答辩", ComponentKind.DEFENCE, Decimal("0.20"), panel_method=PanelMethod.MEAN, panel_size=3),
    )  # fmt: skip
    event_id = add_event(session, competition_id, EventSpec("机器人", "工业机器人系统操作员", (GroupSpec("职工组"),),
                                                            components=defence))  # fmt: skip
    assert [c.name for c in event_spec(session, event_id).components] == ["理论知识", "技能操作", "答辩"]
    bad = EventSpec(
        "焊工", " ", (GroupSpec("职工组"), GroupSpec("职工组")), kind=EventKind.TEAM, team_size=1, min_age=40,
        max_age=18,
        components=(ComponentSpec("理论知识", ComponentKind.THEORY, Decimal("0.3")),
                    ComponentSpec("技能操作", ComponentKind.PRACTICAL, Decimal("0.6"),
                                  panel_method=PanelMethod.TRIMMED_MEAN, panel_size=2)),
    )  # fmt: skip
    add_event(session, competition_id, WELDING)
    with pytest.raises(SpecError) as caught:
        add_event(session, competition_id, bad)
    message = str(caught.value)
    for expected in ("赛项名称：本赛事已有同名赛项“焊工”", "职业（工种）：不能为空", "组别重复：职工组",
                     "团体赛项每队至少2人", "最高年龄：18岁小于最低年龄40岁", "权重之和应为1，实际为0.9",
                     "至少需要3名裁判"):  # fmt: skip
        assert expected in message


def test_an_event_is_edited_while_registration_is_open_only(session: Session) -> None:
    competition_id = create_competition(session, CANAL)
    event_id = add_event(session, competition_id, WELDING)
    event = session.get(Event, event_id)
    assert event is not None
    person = Person(id_number="11010519491231002X", name="张三")
    session.add(person)
    session.flush()
    workers = next(g for g in event.groups if g.name == "职工组")
    session.add(Entry(event_id=event_id, group_id=workers.id, person_id=person.id))
    session.flush()

    renamed = EventSpec("焊工（职工）", "焊工", (GroupSpec("职工组"), GroupSpec("教师组")), max_age=50)
    update_event(session, event_id, renamed, username="organiser", reason="增加教师组")
    session.refresh(event)
    assert (event.name, [g.name for g in event.groups], event.max_age) == ("焊工（职工）", ["职工组", "教师组"], 50)

    with pytest.raises(SpecError, match="“职工组”已有1人报名，不能删除"):
        update_event(session, event_id, EventSpec("焊工", "焊工", (GroupSpec("学生组"),)))

    set_registration_open(session, event_id, False, username="organiser")
    with pytest.raises(SpecError, match="已截止报名"):
        update_event(session, event_id, renamed)
    actions = session.scalars(
        select(AuditRecord.action).where(AuditRecord.event_id == event_id).order_by(AuditRecord.id)
    ).all()
    assert actions == ["event.create", "event.update", "event.registration_close"]
