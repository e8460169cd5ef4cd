"""Permissions enforced in the services: who may read and change what, whatever the client.

Every guarded service is called twice on the same data: by a 录分员 whose grants cover the event
(so the refusal is the role's, not the scope's), who must get ``PermissionDenied`` with a Chinese
message naming them and the missing permission, and by an account that holds the permission, who
must get through. Scoped users see only their events in the lists; set-up mode lets everything
through; once an account exists nobody acts without logging in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain import idcard
from competition_app.domain.enums import (
    AchievementKind,
    DrawKind,
    EntryStatus,
    EventKind,
    Gender,
    IdType,
    Level,
    Role,
    TierClass,
)
from competition_app.domain.permissions import Permission, permission_label
from competition_app.excel.columns import COMPETITION, ENTRIES, EVENTS, JUDGES
from competition_app.excel.importer import apply_plan, check_workbook, import_workbook
from competition_app.exports.registration import bib_list_pdf, bib_list_xlsx, roster_xlsx, signin_sheet_pdf
from competition_app.services import competitions, demo, draw, judges, people, rule_sets, teams
from competition_app.services.auth import (
    SETUP_ACTOR,
    Actor,
    NotLoggedIn,
    PermissionDenied,
    act_as,
    current_actor,
    has_accounts,
)
from competition_app.services.entries import list_entries
from competition_app.services.navigation import load_navigation
from competition_app.services.registrations import list_registrations
from db.models import AuditRecord, Draw, Entry, Event, EventGroup, Person
from db.models import RuleSet as RuleSetRow
from tests.factories import Minimal, minimal_event
from tests.support.accounts import acting, grant, make_user
from tests.test_excel_import import headers, row, write_workbook

CLERK_NAME = "王录分"


def _id(sequence: int) -> str:
    return idcard.compose("370802", date(1990, 1, 1), sequence, Gender.MALE)


@dataclass
class World:
    """Competition 测试赛事: 焊工 (A, marked anonymously, codes drawn), 车工 (B) and the team event
    电工 (T); competition 另一赛事 with its own 焊工 (X). Built in set-up mode, before any account."""

    base: Minimal
    event_b: int
    team_event: int
    team_id: int
    member_entry: int
    free_entry: int
    other: Minimal
    rule_set_id: int
    judge_id: int
    assignment_id: int
    anon_draw_id: int
    actors: dict[str, Actor] = field(default_factory=dict)

    @property
    def event_a(self) -> int:
        return self.base.event.id

    @property
    def competition(self) -> int:
        return self.base.competition.id


def _event(session: Session, competition_id: int, name: str, kind: EventKind = EventKind.INDIVIDUAL) -> Event:
    event = Event(
        competition_id=competition_id,
        name=name,
        occupation=name,
        kind=kind,
        team_size=2 if kind is EventKind.TEAM else 1,
        sort_order=5,
    )
    event.groups = [EventGroup(name="职工组")]
    session.add(event)
    session.flush()
    return event


def _entry(session: Session, event: Event, name: str, sequence: int, bib: str) -> Entry:
    person = Person(id_number=_id(sequence), name=name)
    session.add(person)
    session.flush()
    entry = Entry(event_id=event.id, group_id=event.groups[0].id, person_id=person.id, bib=bib)
    session.add(entry)
    session.flush()
    return entry


def build_world(session: Session) -> World:
    assert not has_accounts(session)
    base = minimal_event(session)
    base.event.anonymous_marking = True
    other = minimal_event(session, name="另一赛事", id_number="110105194912310045")
    event_b = _event(session, base.competition.id, "车工")
    _entry(session, event_b, "赵六", 11, "CG-001")
    team_event = _event(session, base.competition.id, "电工", EventKind.TEAM)
    member = _entry(session, team_event, "孙七", 12, "DG-001")
    free = _entry(session, team_event, "周八", 13, "DG-002")
    session.add(Person(id_number=_id(14), name="吴九"))  # entered nowhere
    team_id = teams.create_team(session, team_event.id, "职工组", "一队")
    teams.add_member(session, team_id, member.id)
    rule_set_id = rule_sets.copy_preset_to_competition(session, base.competition.id, "municipal_class_1_jining")
    judge_id = judges.add_judge(session, base.competition.id, judges.JudgeInput("郑裁判", unit="测试技师学院"))
    assignment_id = judges.assign_judge(session, judge_id, base.event.id)
    anon = draw.draw(session, base.event.id, DrawKind.ANON_CODE, seed="封存")
    session.expire_all()  # the competitions' event lists were loaded before 车工 and 电工 were added
    return World(
        base,
        event_b.id,
        team_event.id,
        team_id,
        member.id,
        free.id,
        other,
        rule_set_id,
        judge_id,
        assignment_id,
        anon.draw_id,
    )


@pytest.fixture
def world(session: Session) -> World:
    world = build_world(session)
    clerk = make_user(session, "clerk", Role.CLERK, event_id=world.event_a, display_name=CLERK_NAME)
    world.actors = {
        # The clerk's grants reach every event the cases touch: a refusal is the role's, not the scope's.
        "clerk": grant(grant(clerk, Role.CLERK, event_id=world.team_event), Role.CLERK, event_id=world.event_b),
        "organiser": make_user(session, "organiser", Role.ORGANISER, display_name="李赛务"),
        "admin": make_user(session, "admin", Role.ADMIN, display_name="管理员甲"),
        "chief": make_user(session, "chief", Role.CHIEF_JUDGE, event_id=world.event_a, display_name="陈裁判长"),
        "judge": make_user(session, "judge", Role.JUDGE, event_id=world.event_a, display_name="刘裁判"),
    }
    return world


# --- every guarded service: refused to the clerk, allowed to who holds the permission ---------


Call = Callable[[Session, World], object]


@dataclass(frozen=True)
class Case:
    id: str
    call: Call
    permissions: tuple[Permission, ...]
    passer: str | None = "organiser"  # None: the allowed call is covered elsewhere (create_demo)
    prepare: Call | None = None  # run as 管理员 before the allowed call


def _welding_spec(name: str = "焊工") -> competitions.EventSpec:
    return competitions.EventSpec(name=name, occupation="焊工", groups=(competitions.GroupSpec("职工组"),))


NEW_COMPETITION = competitions.CompetitionSpec(
    name="第三届测试大赛",
    year=2026,
    level=Level.MUNICIPAL,
    tier_class=TierClass.CLASS_1,
    preset_key="municipal_class_1_jining",
)
NEWCOMER = people.PersonInput(name="钱十", id_number=_id(21))
MANAGE, REGISTER, DRAW, REVEAL = (
    Permission.MANAGE_COMPETITIONS,
    Permission.REGISTER,
    Permission.DRAW,
    Permission.REVEAL,
)


def _reveal(session: Session, world: World) -> object:
    return draw.reveal(session, world.event_a, reason="评分结束")


def _rule_settings(session: Session, world: World) -> dict[str, Any]:
    settings = session.get(RuleSetRow, world.rule_set_id)
    assert settings is not None
    return dict(settings.settings)


CASES = [
    # competitions and rules
    Case("create_competition", lambda s, w: competitions.create_competition(s, NEW_COMPETITION), (MANAGE,)),
    Case("add_event", lambda s, w: competitions.add_event(s, w.competition, _welding_spec("铣工")), (MANAGE,)),
    Case("update_event", lambda s, w: competitions.update_event(s, w.event_a, _welding_spec()), (MANAGE,)),
    Case("set_registration_open", lambda s, w: competitions.set_registration_open(s, w.event_a, False), (MANAGE,)),
    Case("event_spec", lambda s, w: competitions.event_spec(s, w.event_a), (MANAGE, REGISTER)),
    Case(
        "copy_preset",
        lambda s, w: rule_sets.copy_preset_to_competition(s, w.competition, "municipal_class_2_jining"),
        (MANAGE,),
    ),
    Case("update_rule_set", lambda s, w: rule_sets.update_rule_set(s, w.rule_set_id, _rule_settings(s, w)), (MANAGE,)),
    Case("create_demo", lambda s, w: demo.create_demo(s), (MANAGE,), passer=None),
    # people and entries
    Case("register", lambda s, w: people.register(s, w.event_a, "职工组", NEWCOMER), (REGISTER,)),
    Case(
        "update_entry_status",
        lambda s, w: people.update_entry_status(s, w.base.entry.id, EntryStatus.CHECKED_IN, None, None),
        (REGISTER,),
    ),
    Case(
        "add_achievement",
        lambda s, w: people.add_achievement(
            s, w.base.person.id, AchievementKind.TITLE, "济宁市技术能手", 2024, competition_id=w.competition
        ),
        (REGISTER,),
    ),
    Case("registration_context", lambda s, w: people.registration_context(s, w.event_a), (REGISTER,)),
    Case("registration_contexts", lambda s, w: people.registration_contexts(s, w.competition), (REGISTER,)),
    Case("find_person", lambda s, w: people.find_person(s, IdType.RESIDENT_ID, "11010519491231002X"), (REGISTER,)),
    Case("list_registrations", lambda s, w: list_registrations(s), (REGISTER,)),
    # teams
    Case("create_team", lambda s, w: teams.create_team(s, w.team_event, "职工组", "二队"), (REGISTER,)),
    Case("rename_team", lambda s, w: teams.rename_team(s, w.team_id, "电工甲队"), (REGISTER,)),
    Case("add_member", lambda s, w: teams.add_member(s, w.team_id, w.free_entry), (REGISTER,)),
    Case("remove_member", lambda s, w: teams.remove_member(s, w.member_entry), (REGISTER,)),
    Case("list_teams", lambda s, w: teams.list_teams(s, w.team_event), (REGISTER,)),
    # judges
    Case("add_judge", lambda s, w: judges.add_judge(s, w.competition, judges.JudgeInput("冯裁判")), (REGISTER,)),
    Case(
        "update_judge",
        lambda s, w: judges.update_judge(s, w.judge_id, judges.JudgeInput("郑裁判", title="高级技师")),
        (REGISTER,),
    ),
    Case(
        "assign_judge",
        lambda s, w: judges.assign_judge(s, w.judge_id, w.event_a, component_id=w.base.practical.id, seat=1),
        (REGISTER,),
    ),
    Case("unassign_judge", lambda s, w: judges.unassign_judge(s, w.assignment_id), (REGISTER,)),
    Case("list_judges", lambda s, w: judges.list_judges(s, w.competition), (REGISTER,)),
    Case("avoidance_conflicts", lambda s, w: judges.avoidance_conflicts(s, w.competition), (REGISTER,)),
    # draws and anonymity
    Case("draw", lambda s, w: draw.draw(s, w.event_a, DrawKind.STATION, seed="工位"), (DRAW,)),
    Case("current_draw", lambda s, w: draw.current_draw(s, w.event_a, DrawKind.ANON_CODE), (DRAW,)),
    Case("reproduce", lambda s, w: draw.reproduce(s, w.anon_draw_id), (DRAW,)),
    Case("draw_sheet_pdf", lambda s, w: draw.draw_sheet_pdf(s, w.event_a, DrawKind.ANON_CODE), (DRAW,)),
    Case("reveal", _reveal, (REVEAL,), passer="chief"),
    Case(
        "decrypted_mapping",
        lambda s, w: draw.decrypted_mapping(s, w.event_a),
        (REVEAL,),
        passer="chief",
        prepare=_reveal,
    ),
    # exports
    Case("roster_xlsx", lambda s, w: roster_xlsx(s, w.competition, event_id=w.event_a), (REGISTER,)),
    Case("bib_list_xlsx", lambda s, w: bib_list_xlsx(s, w.competition), (REGISTER,)),
    Case("bib_list_pdf", lambda s, w: bib_list_pdf(s, w.competition, event_id=w.event_a), (REGISTER,)),
    Case("signin_sheet_pdf", lambda s, w: signin_sheet_pdf(s, w.competition, event_id=w.event_a), (REGISTER,)),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_clerk_is_refused_and_who_holds_the_permission_passes(session: Session, world: World, case: Case) -> None:
    acting(session, world.actors["clerk"])
    audit_before = _audit_count(session)

    with pytest.raises(PermissionDenied) as refused:
        case.call(session, world)

    message = str(refused.value)
    assert CLERK_NAME in message and Role.CLERK.label in message
    assert "或".join(permission_label(p) for p in case.permissions) in message
    assert message.endswith("的权限")
    assert _audit_count(session) == audit_before  # refused before anything was written
    if case.passer is None:
        return
    if case.prepare is not None:
        acting(session, world.actors["admin"])
        case.prepare(session, world)
    acting(session, world.actors[case.passer])
    case.call(session, world)


def _audit_count(session: Session) -> int:
    return len(session.scalars(select(AuditRecord.id)).all())


def test_the_scope_counts_too_not_only_the_role(session: Session, world: World) -> None:
    """An organiser of 车工 only cannot register for 焊工, nor draw there; for 车工 they can."""
    acting(session, make_user(session, "organiser_b", Role.ORGANISER, event_id=world.event_b))
    with pytest.raises(PermissionDenied, match="在“焊工”赛项报名与裁判管理的权限"):
        people.register(session, world.event_a, "职工组", NEWCOMER)
    with pytest.raises(PermissionDenied, match="在“焊工”赛项抽签的权限"):
        draw.draw(session, world.event_a, DrawKind.STATION, seed="工位")
    entry_id = people.register(session, world.event_b, "职工组", NEWCOMER)
    assert session.get(Entry, entry_id) is not None


def test_a_competition_grant_does_not_reach_other_competitions_or_create_one(session: Session, world: World) -> None:
    acting(session, make_user(session, "city", Role.ORGANISER, competition_id=world.competition))
    assert competitions.add_event(session, world.competition, _welding_spec("铣工"))
    with pytest.raises(PermissionDenied, match="在本赛事管理赛事与规则的权限"):
        competitions.add_event(session, world.other.competition.id, _welding_spec("铣工"))
    with pytest.raises(PermissionDenied, match="没有管理赛事与规则的权限"):
        competitions.create_competition(session, NEW_COMPETITION)
    with pytest.raises(PermissionDenied):
        demo.create_demo(session)


# --- reading: either of two permissions, and anonymity --------------------------------------


def test_markers_and_registrars_read_entries_and_codes_of_their_events_only(session: Session, world: World) -> None:
    acting(session, world.actors["judge"])
    assert len(list_entries(session, world.event_a)) == 1
    assert [row.anon_code is not None for row in draw.anonymous_view(session, world.event_a)] == [True]
    for read in (list_entries, draw.anonymous_view):
        with pytest.raises(PermissionDenied, match="在“车工”赛项查看成绩或报名与裁判管理的权限"):
            read(session, world.event_b)


def test_an_anonymous_event_shows_a_marker_codes_and_no_people_until_it_is_revealed(
    session: Session, world: World
) -> None:
    code = session.scalar(select(Entry.anon_code).where(Entry.id == world.base.entry.id))
    assert code is not None

    acting(session, world.actors["judge"])
    (marked,) = list_entries(session, world.event_a)
    assert (marked.anon_code, marked.group, marked.name, marked.bib, marked.unit) == (code, "职工组", "", None, None)

    acting(session, world.actors["organiser"])  # drew the codes and sealed the envelope: sees both
    (full,) = list_entries(session, world.event_a)
    assert (full.anon_code, full.name, full.bib) == (code, "张三", "HG-001")

    acting(session, world.actors["judge"])
    with pytest.raises(PermissionDenied, match="刘裁判（裁判员）没有在“焊工”赛项解密检录号的权限"):
        draw.reveal(session, world.event_a)
    acting(session, world.actors["chief"])
    draw.reveal(session, world.event_a, reason="评分结束")
    acting(session, world.actors["judge"])
    (revealed,) = list_entries(session, world.event_a)
    assert (revealed.anon_code, revealed.name, revealed.bib) == (code, "张三", "HG-001")


def test_a_marker_of_an_event_marked_openly_sees_people_but_no_codes(session: Session, world: World) -> None:
    acting(session, world.actors["admin"])
    draw.draw(session, world.event_b, DrawKind.ANON_CODE, seed="x")
    acting(session, make_user(session, "judge_b", Role.JUDGE, event_id=world.event_b))
    (row_b,) = list_entries(session, world.event_b)
    assert (row_b.name, row_b.bib, row_b.anon_code) == ("赵六", "CG-001", None)


# --- lists show a scoped user their own events only --------------------------------------------


def _navigation(session: Session) -> list[tuple[str, list[str], int]]:
    return [
        (competition.name, [event.name for event in competition.events], competition.entry_count)
        for tier in load_navigation(session)
        for competition in tier.competitions
    ]


def test_a_judge_sees_only_their_events_in_the_navigation(session: Session, world: World) -> None:
    acting(session, world.actors["judge"])
    assert _navigation(session) == [("测试赛事", ["焊工"], 1)]

    acting(session, world.actors["organiser"])
    assert sorted(_navigation(session)) == [("另一赛事", ["焊工"], 1), ("测试赛事", ["焊工", "车工", "电工"], 4)]


def test_a_competition_grant_shows_the_whole_competition_even_before_it_has_events(
    session: Session, world: World
) -> None:
    acting(session, world.actors["admin"])
    empty_id = competitions.create_competition(session, NEW_COMPETITION)
    acting(session, make_user(session, "new_chief", Role.CHIEF_JUDGE, competition_id=empty_id))
    assert _navigation(session) == [("第三届测试大赛", [], 0)]


def test_the_contestants_list_holds_only_the_events_a_user_registers_for(session: Session, world: World) -> None:
    acting(session, world.actors["judge"])
    with pytest.raises(PermissionDenied, match="刘裁判（裁判员）没有报名与裁判管理的权限"):
        list_registrations(session)

    acting(session, make_user(session, "organiser_b", Role.ORGANISER, event_id=world.event_b))
    table = list_registrations(session)
    assert [(row.event, row.name) for row in table.rows] == [("车工", "赵六")]  # nobody without an entry
    assert [choice.name for choice in table.events] == ["车工"]
    with pytest.raises(PermissionDenied, match="在本赛事报名与裁判管理的权限"):
        list_registrations(session, competition_id=world.other.competition.id)
    assert [c.name for c in people.registration_contexts(session, world.competition)] == ["车工"]
    assert judges.list_judges(session, world.competition) == ()  # 郑裁判 judges 焊工 only

    acting(session, world.actors["organiser"])
    everyone = list_registrations(session)
    assert {row.name for row in everyone.rows if row.entry_id is None} == {"吴九"}
    assert len(everyone.events) == 4


def test_a_missing_competition_is_reported_with_only_the_names_the_user_may_see(session: Session, world: World) -> None:
    acting(session, world.actors["judge"])
    with pytest.raises(LookupError) as missing:
        competitions.find_competition(session, "不存在的赛事")
    assert "测试赛事" in str(missing.value) and "另一赛事" not in str(missing.value)


# --- the workbook import ------------------------------------------------------------------------


def _workbook(tmp_path: Path, competition: str) -> Path:
    entry = {
        "name": "钱十",
        "id_number": _id(21),
        "status": "职工",
        "event": "焊工",
        "group": "职工组",
        "unit": "测试机械有限公司",
    }
    competition_row = {
        "name": competition,
        "year": 2026,
        "level": "市级",
        "tier_class": "一类",
        "preset": "市级一类职业技能大赛（通用）",
    }
    sheets = {
        "赛事": [headers(COMPETITION), row(COMPETITION, **competition_row)],
        "赛项": [headers(EVENTS)],
        "选手报名": [headers(ENTRIES), row(ENTRIES, **entry)],
        "裁判": [headers(JUDGES)],
    }
    return write_workbook(tmp_path / f"{competition}.xlsx", sheets)


def test_an_import_needs_register_for_the_competition_and_a_check_reveals_nothing(
    session: Session, world: World, tmp_path: Path
) -> None:
    path = _workbook(tmp_path, "测试赛事")
    acting(session, world.actors["clerk"])
    plan = check_workbook(session, path)
    assert [(p.sheet, p.row, p.message) for p in plan.report.problems] == [
        ("赛事", 2, f"{CLERK_NAME}（录分员）没有在本赛事报名与裁判管理的权限")
    ]
    assert plan.events == [] and plan.new_people == [] and plan.counts.changes == 0  # stopped before reading more

    acting(session, world.actors["organiser"])
    checked = check_workbook(session, path)
    assert checked.ok and checked.counts.entries_created == 1
    acting(session, world.actors["clerk"])
    with pytest.raises(PermissionDenied):
        apply_plan(session, checked)

    acting(session, world.actors["organiser"])
    outcome = import_workbook(session, path, username="冒名")
    assert outcome.written
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "import")).one()
    assert (record.username, record.user_id) == ("organiser", world.actors["organiser"].user_id)


def test_a_workbook_that_creates_its_competition_needs_a_global_grant(
    session: Session, world: World, tmp_path: Path
) -> None:
    acting(session, make_user(session, "city", Role.ORGANISER, competition_id=world.competition))
    outcome = import_workbook(session, _workbook(tmp_path, "全新赛事"))
    assert not outcome.written
    assert [p.message for p in outcome.report.problems] == ["city（赛务）没有管理赛事与规则的权限"]


# --- who is acting ------------------------------------------------------------------------------


def test_set_up_mode_lets_everything_through(session: Session) -> None:
    world = build_world(session)  # every service above ran without anybody logged in
    assert current_actor(session) is SETUP_ACTOR
    assert list_registrations(session).entry_count == 5
    assert len(list_entries(session, world.event_a)) == 1
    assert draw.reveal(session, world.event_a)
    assert len(_navigation(session)) == 2


def test_once_an_account_exists_nobody_acts_without_logging_in(session: Session, world: World) -> None:
    act_as(session, None)
    calls: list[Call] = [
        lambda s, w: load_navigation(s),
        lambda s, w: list_registrations(s),
        lambda s, w: list_entries(s, w.event_a),
        lambda s, w: people.register(s, w.event_a, "职工组", NEWCOMER),
        lambda s, w: draw.draw(s, w.event_a, DrawKind.STATION),
        lambda s, w: competitions.create_competition(s, NEW_COMPETITION),
    ]
    for call in calls:
        with pytest.raises(NotLoggedIn, match="请先登录"):
            call(session, world)


def test_the_logged_in_user_is_recorded_whatever_username_a_caller_passes(session: Session, world: World) -> None:
    organiser = acting(session, world.actors["organiser"])
    entry_id = people.register(session, world.event_a, "职工组", NEWCOMER, username="冒名")
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "entry.create", AuditRecord.entity_id == entry_id)
    ).one()
    assert (record.user_id, record.username) == (organiser.user_id, "organiser")
    result = draw.draw(session, world.event_b, DrawKind.STATION, seed="工位", username="冒名")
    stored = session.get(Draw, result.draw_id)
    assert stored is not None and stored.drawn_by_id == organiser.user_id
