"""Teams of team events and judges with their assignments and 回避 warnings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from competition_app.domain import idcard
from competition_app.domain.enums import EventKind, Gender, Level, PersonStatus, Role, TierClass
from competition_app.services.competitions import CompetitionSpec, EventSpec, GroupSpec, add_event, create_competition
from competition_app.services.judges import (
    JudgeError,
    JudgeInput,
    add_judge,
    assign_judge,
    avoidance_conflicts,
    list_judges,
    unassign_judge,
    update_judge,
)
from competition_app.services.people import PersonInput, register
from competition_app.services.teams import (
    TeamError,
    add_member,
    create_team,
    list_teams,
    remove_member,
    rename_team,
)


def _competition(session: Session) -> int:
    return create_competition(
        session,
        CompetitionSpec(
            name="2026年测试大赛",
            year=2026,
            level=Level.MUNICIPAL,
            tier_class=TierClass.CLASS_2,
            preset_key="municipal_class_2",
            start_date=date(2026, 6, 1),
        ),
    )


def _event(session: Session, competition_id: int, *, team: bool = False, name: str = "电工") -> int:
    return add_event(
        session,
        competition_id,
        EventSpec(
            name=name,
            occupation=name,
            groups=(GroupSpec("职工组", frozenset({PersonStatus.WORKER})), GroupSpec("学生组")),
            kind=EventKind.TEAM if team else EventKind.INDIVIDUAL,
            team_size=2 if team else 1,
        ),
    )


def _person(number: int, unit: str, name: str = "") -> PersonInput:
    id_number = idcard.compose("370811", date(1990, 1, number), number, Gender.MALE)
    return PersonInput(name=name or f"选手{number}", id_number=id_number, unit=unit)


def test_teams_fill_with_entries_of_their_group_up_to_the_team_size(session: Session) -> None:
    event_id = _event(session, _competition(session), team=True)
    entries = [register(session, event_id, "职工组", _person(n, "甲公司")) for n in (1, 2, 3)]
    student = register(session, event_id, "学生组", _person(4, "乙学院"))
    team_id = create_team(session, event_id, "职工组", "甲公司一队", unit="甲公司")
    with pytest.raises(TeamError, match="已有名为"):
        create_team(session, event_id, "职工组", " 甲公司一队 ")
    add_member(session, team_id, entries[0])
    add_member(session, team_id, entries[1])
    with pytest.raises(TeamError, match="已有2人，本赛项每队2人"):
        add_member(session, team_id, entries[2])
    with pytest.raises(TeamError, match="不在团队"):
        add_member(session, team_id, student)
    other = create_team(session, event_id, "职工组", "二队")
    with pytest.raises(TeamError, match="已在团队“甲公司一队”中"):
        add_member(session, other, entries[0])
    remove_member(session, entries[1])
    rename_team(session, team_id, "甲公司代表队")

    teams = list_teams(session, event_id)
    assert teams.is_team_event and teams.team_size == 2
    by_name = {team.name: team for team in teams.teams}
    assert set(by_name) == {"甲公司代表队", "二队"}
    assert [m.entry_id for m in by_name["甲公司代表队"].members] == [entries[0]]
    assert by_name["甲公司代表队"].unit == "甲公司"
    assert {m.entry_id for m in teams.unassigned} == {entries[1], entries[2], student}


def test_an_individual_event_has_no_teams(session: Session) -> None:
    event_id = _event(session, _competition(session))
    with pytest.raises(TeamError, match="个人赛项"):
        create_team(session, event_id, "职工组", "一队")


def test_judges_are_checked_assigned_and_listed(session: Session) -> None:
    competition_id = _competition(session)
    event_id = _event(session, competition_id)
    with pytest.raises(JudgeError) as refused:
        add_judge(session, competition_id, JudgeInput(name="", id_number="370811199001010000", phone="123"))
    assert [label for label, _message in refused.value.problems] == ["姓名", "证件号码", "联系电话"]
    number = idcard.compose("370811", date(1970, 3, 3), 9, Gender.FEMALE)
    judge_id = add_judge(
        session, competition_id, JudgeInput(name="王裁判", unit="丙研究院", id_number=number, title="高级技师")
    )
    with pytest.raises(JudgeError, match="已有此证件号码"):
        add_judge(session, competition_id, JudgeInput(name="另一人", id_number=number))
    changed = JudgeInput(name="王裁判", unit="丁公司", id_number=number, phone="13800000000", title="高级技师")
    update_judge(session, judge_id, changed)
    assign_judge(session, judge_id, event_id, role=Role.CHIEF_JUDGE)
    with pytest.raises(JudgeError, match="已有这项分工"):
        assign_judge(session, judge_id, event_id)
    other = add_judge(session, competition_id, JudgeInput(name="赵裁判"))
    assignment = assign_judge(session, other, event_id, seat=1)
    third = add_judge(session, competition_id, JudgeInput(name="钱裁判"))
    with pytest.raises(JudgeError, match="1号位已由赵裁判担任"):
        assign_judge(session, third, event_id, seat=1)

    judges = {judge.name: judge for judge in list_judges(session, competition_id)}
    wang = judges["王裁判"]
    assert (wang.unit, wang.phone, wang.title) == ("丁公司", "13800000000", "高级技师")
    assert [a.label for a in wang.assignments] == ["电工 · 裁判长"]
    assert [a.label for a in judges["赵裁判"].assignments] == ["电工 · 裁判员 · 1号位"]
    unassign_judge(session, assignment)
    assert {judge.name: judge for judge in list_judges(session, competition_id)}["赵裁判"].assignments == ()


def test_a_judge_from_a_contestants_unit_is_a_conflict(session: Session) -> None:
    competition_id = _competition(session)
    electrician = _event(session, competition_id)
    welder = _event(session, competition_id, name="焊工")
    register(session, electrician, "职工组", _person(1, "甲公司", "张三"))
    register(session, electrician, "职工组", _person(2, "甲公司", "李四"))
    register(session, welder, "职工组", _person(3, "乙公司"))
    judge_id = add_judge(session, competition_id, JudgeInput(name="王裁判", unit="甲公司"))
    assign_judge(session, judge_id, electrician)
    assign_judge(session, judge_id, welder)
    fair = add_judge(session, competition_id, JudgeInput(name="赵裁判", unit="丙公司"))
    assign_judge(session, fair, electrician)

    conflicts = avoidance_conflicts(session, competition_id)
    assert len(conflicts) == 1
    conflict = conflicts[0]
    assert (conflict.judge, conflict.event, conflict.unit) == ("王裁判", "电工", "甲公司")
    assert sorted(conflict.contestants) == ["张三", "李四"]
    assert conflict.message.startswith("回避：裁判王裁判（甲公司）评判“电工”，本单位选手2人")
