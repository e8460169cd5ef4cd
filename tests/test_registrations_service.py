"""list_registrations and RegistrationSearch: every person and entry in one query, found as organisers type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus, Gender, IdType, PersonStatus, Role, SkillLevel
from competition_app.services.registrations import (
    NO_ENTRY,
    EventChoice,
    RegistrationRow,
    RegistrationSearch,
    RegistrationTable,
    list_registrations,
)
from db.models import Competition, Entry, Event, EventGroup, Person, Team, Unit
from tests.factories import Minimal, minimal_event
from tests.support.accounts import acting, make_user
from tests.test_entries_service import counted_statements


@dataclass
class World:
    base: Minimal
    students: EventGroup
    second_event: Event
    other_competition: Competition
    other_event: Event


def _person(session: Session, name: str, id_number: str, **fields: object) -> Person:
    person = Person(id_number=id_number, name=name, **fields)
    session.add(person)
    session.flush()
    return person


def make_world(session: Session) -> World:
    """张三 (HG-001, no unit) plus people with units, statuses, a team, another competition and two without entries."""
    base = minimal_event(session, name="2026年济宁市职业技能大赛")
    base.competition.short_name = "运河之星"
    base.competition.start_date = date(2026, 5, 1)
    students = EventGroup(event_id=base.event.id, name="学生组", sort_order=1)
    second_event = Event(competition=base.competition, name="电工", occupation="电工", sort_order=1)
    other_competition = Competition(
        name="2026年四川工匠杯职业技能大赛", year=2026, level=base.competition.level, start_date=date(2026, 6, 1)
    )
    other_event = Event(competition=other_competition, name="焊工", occupation="焊工")
    school = Unit(name="济宁市技师学院", region="山东省济宁市任城区")
    works = Unit(name="山东能源集团", region="山东省济南市历下区")
    session.add_all([students, second_event, other_competition, other_event, school, works])
    session.flush()
    electricians = EventGroup(event_id=second_event.id, name="职工组")
    sichuan_workers = EventGroup(event_id=other_event.id, name="职工组")
    session.add_all([electricians, sichuan_workers])
    session.flush()
    team = Team(event_id=second_event.id, group_id=electricians.id, name="能源一队")
    session.add(team)
    session.flush()

    li = _person(session, "李四", "370811200501011234", unit_id=works.id, status=PersonStatus.STUDENT)
    wang = _person(
        session, "王五", "110105194912310045", unit_id=school.id, gender=Gender.MALE, region="山东省济宁市兖州区",
        skill_level=SkillLevel.LEVEL_3, birth_date=date(1949, 12, 31),
    )  # fmt: skip
    _person(session, "单雄信", "510104199001011111", unit_id=works.id)  # no entry
    _person(session, "阿依古丽·买买提", "H12345678", id_type=IdType.PASSPORT)  # no entry, no unit
    session.add_all(
        [
            # Registered from the school, though 李四's own unit is 山东能源集团: the entry's unit wins.
            Entry(event_id=base.event.id, group_id=students.id, person_id=li.id, bib="HG-101", unit_id=school.id,
                  status=EntryStatus.CHECKED_IN),
            Entry(event_id=base.event.id, group_id=base.group.id, person_id=wang.id, bib="HG-002", station="07",
                  status=EntryStatus.WITHDRAWN),
            Entry(event_id=second_event.id, group_id=electricians.id, person_id=wang.id, bib="DG-001",
                  team_id=team.id),
            Entry(event_id=other_event.id, group_id=sichuan_workers.id, person_id=li.id, bib="SC-001",
                  status=EntryStatus.DISQUALIFIED),
        ]
    )  # fmt: skip
    session.flush()
    return World(base, students, second_event, other_competition, other_event)


def test_one_row_per_entry_and_one_per_person_without_an_entry(session: Session) -> None:
    world = make_world(session)
    acting(session, make_user(session, "organiser", Role.ORGANISER))  # logged in: no set-up-mode lookup

    with counted_statements(session) as statements:
        table = list_registrations(session)

    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2  # rows + event choices
    assert [(row.competition, row.event, row.group, row.bib, row.name) for row in table.rows] == [
        ("运河之星", "焊工", "职工组", "HG-001", "张三"),
        ("运河之星", "焊工", "职工组", "HG-002", "王五"),
        ("运河之星", "焊工", "学生组", "HG-101", "李四"),
        ("运河之星", "电工", "职工组", "DG-001", "王五"),
        # No short name: the full name.
        ("2026年四川工匠杯职业技能大赛", "焊工", "职工组", "SC-001", "李四"),
        # People without entries come last, by pinyin: 阿 (a…) before 单 (dan… / shan…).
        (None, None, None, None, "阿依古丽·买买提"),
        (None, None, None, None, "单雄信"),
    ]
    assert table.entry_count == 5
    assert all(isinstance(row, RegistrationRow) for row in table.rows)
    wang_withdrawn = table.rows[1]
    assert wang_withdrawn._replace(entry_id=0, person_id=0, competition_id=0, event_id=0) == RegistrationRow(
        entry_id=0, person_id=0, name="王五", name_pinyin="wangwu ww", id_type=IdType.RESIDENT_ID,
        id_number="110105194912310045", gender=Gender.MALE, birth_date=date(1949, 12, 31), unit="济宁市技师学院",
        region="山东省济宁市兖州区", person_status=PersonStatus.WORKER, skill_level=SkillLevel.LEVEL_3,
        competition_id=0, competition="运河之星", event_id=0, event="焊工", group="职工组", team=None, bib="HG-002",
        station="07", status=EntryStatus.WITHDRAWN,
    )  # fmt: skip
    assert table.rows[3].team == "能源一队"
    assert table.rows[0].entry_id == world.base.entry.id and table.rows[0].event_id == world.base.event.id
    assert isinstance(table.rows[0].status, EntryStatus) and isinstance(table.rows[0].id_type, IdType)
    nobody = table.rows[-1]
    assert (nobody.entry_id, nobody.event_id, nobody.status, nobody.station) == (None, None, None, None)
    assert table.rows[-2].id_type is IdType.PASSPORT


def test_the_unit_is_the_entrys_then_the_persons_and_the_region_falls_back_to_the_units(session: Session) -> None:
    make_world(session)

    rows = {(row.name, row.bib): row for row in list_registrations(session).rows}

    assert rows["李四", "HG-101"].unit == "济宁市技师学院"  # recorded at registration
    assert rows["李四", "SC-001"].unit == "山东能源集团"  # none recorded: the person's own
    assert rows["李四", "SC-001"].region == "山东省济南市历下区"  # no region of their own: the unit's
    assert rows["王五", "HG-002"].region == "山东省济宁市兖州区"  # their own region wins
    assert rows["张三", "HG-001"].unit is None and rows["张三", "HG-001"].region is None
    assert rows["单雄信", None].unit == "山东能源集团"


def test_one_competition_lists_only_its_entries_and_events(session: Session) -> None:
    world = make_world(session)

    table = list_registrations(session, competition_id=world.other_competition.id)

    assert [(row.name, row.bib) for row in table.rows] == [("李四", "SC-001")]
    assert table.events == (
        EventChoice(
            id=world.other_event.id, competition="2026年四川工匠杯职业技能大赛", name="焊工", groups=("职工组",)
        ),
    )


def test_event_choices_list_every_event_with_its_groups_in_order(session: Session) -> None:
    world = make_world(session)
    empty = Event(competition=world.base.competition, name="无人报名", occupation="钳工", sort_order=2)
    session.add(empty)
    session.flush()

    events = list_registrations(session).events

    assert [(event.competition, event.name, event.groups) for event in events] == [
        ("运河之星", "焊工", ("职工组", "学生组")),
        ("运河之星", "电工", ("职工组",)),
        ("运河之星", "无人报名", ()),
        ("2026年四川工匠杯职业技能大赛", "焊工", ("职工组",)),
    ]


def test_an_empty_database_gives_an_empty_table(session: Session) -> None:
    assert list_registrations(session) == RegistrationTable(rows=(), events=())


# --- search -------------------------------------------------------------------------------------


@pytest.fixture
def table(session: Session) -> RegistrationTable:
    make_world(session)
    return list_registrations(session)


def found(table: RegistrationTable, text: str = "", **filters: object) -> list[tuple[str, str | None]]:
    search = RegistrationSearch(table.rows)
    return [(table.rows[index].name, table.rows[index].bib) for index in search.filter(text, **filters)]  # type: ignore[arg-type]


def test_search_by_pinyin_initials_full_pinyin_and_the_name(table: RegistrationTable) -> None:
    assert found(table, "zs") == [("张三", "HG-001")]
    assert found(table, "ZS") == [("张三", "HG-001")]  # case does not matter
    assert found(table, "zhangsan") == [("张三", "HG-001")]
    assert found(table, "zhang") == [("张三", "HG-001")]
    assert found(table, "张") == [("张三", "HG-001")]
    assert found(table, "ww") == [("王五", "HG-002"), ("王五", "DG-001")]
    # The surname's own reading and the everyday one both find 单雄信.
    assert found(table, "sxx") == found(table, "dxx") == [("单雄信", None)]
    assert found(table, "ayglmmt") == [("阿依古丽·买买提", None)]


def test_search_by_id_number_bib_unit_and_region(table: RegistrationTable) -> None:
    assert found(table, "19491231002") == [("张三", "HG-001")]  # part of an ID number
    assert found(table, "200501") == [("李四", "HG-101"), ("李四", "SC-001")]
    assert found(table, "h12345678") == [("阿依古丽·买买提", None)]  # a passport number, any case
    assert found(table, "hg-10") == [("李四", "HG-101")]
    assert found(table, "DG-001") == [("王五", "DG-001")]
    assert found(table, "技师学院") == [("王五", "HG-002"), ("李四", "HG-101"), ("王五", "DG-001")]
    assert found(table, "兖州") == [("王五", "HG-002"), ("王五", "DG-001")]
    assert found(table, "济南") == [("李四", "SC-001"), ("单雄信", None)]  # the unit's region


def test_every_word_must_match_somewhere(table: RegistrationTable) -> None:
    assert found(table, "ls 技师") == [("李四", "HG-101")]
    assert found(table, "技师 ls") == [("李四", "HG-101")]
    assert found(table, "ls\u3000能源") == [("李四", "SC-001")]  # a full-width space separates words too
    assert found(table, "ls zs") == []
    assert found(table, "  ") == found(table) and len(found(table)) == len(table.rows)
    assert found(table, "没有这样的人") == []


def test_filters_by_event_group_and_status(table: RegistrationTable) -> None:
    welding = next(event for event in table.events if event.competition == "运河之星" and event.name == "焊工")

    assert found(table, event_id=welding.id) == [("张三", "HG-001"), ("王五", "HG-002"), ("李四", "HG-101")]
    assert found(table, event_id=welding.id, group="学生组") == [("李四", "HG-101")]
    assert found(table, group="职工组") == [("张三", "HG-001"), ("王五", "HG-002"), ("王五", "DG-001"),
                                            ("李四", "SC-001")]  # fmt: skip
    assert found(table, status=EntryStatus.REGISTERED) == [("张三", "HG-001"), ("王五", "DG-001")]
    assert found(table, status=EntryStatus.CHECKED_IN) == [("李四", "HG-101")]
    assert found(table, status=EntryStatus.WITHDRAWN) == [("王五", "HG-002")]
    assert found(table, status="disqualified") == [("李四", "SC-001")]  # the stored code works as well
    assert found(table, status=NO_ENTRY) == [("阿依古丽·买买提", None), ("单雄信", None)]
    assert found(table, "ww", event_id=welding.id, status=EntryStatus.WITHDRAWN) == [("王五", "HG-002")]
    assert found(table, "ww", status=EntryStatus.CHECKED_IN) == []


def test_an_empty_search_has_no_rows() -> None:
    search = RegistrationSearch(())
    assert len(search) == 0
    assert search.filter("zs") == [] and search.filter() == []
