"""list_entries: one query, the event's group order then bib, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus, Role
from competition_app.services.entries import EntryRow, list_entries
from db.models import Entry, EventGroup, Person, Unit
from tests.factories import minimal_event
from tests.support.accounts import acting, make_user


@contextmanager
def counted_statements(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _person(session: Session, name: str, id_number: str, unit: Unit | None = None) -> Person:
    person = Person(id_number=id_number, name=name, unit_id=unit.id if unit else None)
    session.add(person)
    session.flush()
    return person


def test_lists_an_events_entries_by_group_then_bib(session: Session) -> None:
    base = minimal_event(session)  # 张三, 职工组, bib HG-001, no unit
    students = EventGroup(event_id=base.event.id, name="学生组", sort_order=1)
    school = Unit(name="济宁市技师学院")
    works = Unit(name="山东能源集团")
    session.add_all([students, school, works])
    session.flush()
    li = _person(session, "李四", "110105194912310037", works)
    wang = _person(session, "王五", "110105194912310045", school)
    zhao = _person(session, "赵六", "110105194912310053")
    session.add_all(
        [
            # Registered at the school, though the person has since moved on: the entry's unit wins.
            Entry(event_id=base.event.id, group_id=students.id, person_id=li.id, bib="HG-101", unit_id=school.id),
            # No unit recorded at registration: the person's own unit is shown.
            Entry(
                event_id=base.event.id,
                group_id=base.group.id,
                person_id=wang.id,
                bib="HG-002",
                station="07",
                anon_code="A17",
                status=EntryStatus.CHECKED_IN,
            ),
            # Not yet numbered: listed after the numbered entries of its group.
            Entry(event_id=base.event.id, group_id=base.group.id, person_id=zhao.id, bib=None),
        ]
    )
    session.flush()

    rows = list_entries(session, base.event.id)

    assert [(row.group, row.bib, row.name) for row in rows] == [
        ("职工组", "HG-001", "张三"),
        ("职工组", "HG-002", "王五"),
        ("职工组", None, "赵六"),
        ("学生组", "HG-101", "李四"),
    ]
    wang_row = rows[1]
    assert wang_row == EntryRow(
        entry_id=wang_row.entry_id,
        bib="HG-002",
        station="07",
        anon_code="A17",
        name="王五",
        group="职工组",
        unit="济宁市技师学院",
        status=EntryStatus.CHECKED_IN,
    )
    assert isinstance(wang_row.status, EntryStatus)
    assert rows[0].unit is None and rows[0].status is EntryStatus.REGISTERED
    assert rows[3].unit == "济宁市技师学院"
    assert {row.entry_id for row in rows} == set(session.scalars(select(Entry.id)))


def test_other_events_are_left_out_and_an_empty_event_gives_nothing(session: Session) -> None:
    first = minimal_event(session, name="第一项赛事")
    second = minimal_event(session, name="第二项赛事", id_number="110105194912310061")
    empty = minimal_event(session, name="无人报名的赛事", id_number="11010519491231007X")
    session.delete(empty.entry)
    session.flush()

    assert [row.entry_id for row in list_entries(session, first.event.id)] == [first.entry.id]
    assert [row.entry_id for row in list_entries(session, second.event.id)] == [second.entry.id]
    assert list_entries(session, empty.event.id) == ()


def test_one_query_however_many_entries(session: Session) -> None:
    base = minimal_event(session)
    units = [Unit(name=f"单位{number}") for number in range(5)]
    session.add_all(units)
    session.flush()
    for number in range(2, 30):
        person = _person(session, f"选手{number}", f"P{number:08d}", units[number % 5])
        session.add(Entry(event_id=base.event.id, group_id=base.group.id, person_id=person.id, bib=f"HG-{number:03d}"))
    session.flush()
    acting(session, make_user(session, "organiser", Role.ORGANISER))  # logged in: no set-up-mode lookup

    with counted_statements(session) as statements:
        rows = list_entries(session, base.event.id)

    assert len(rows) == 29
    assert len(statements) == 2  # the event (its place and anonymity), then the rows
    assert [row.bib for row in rows] == [f"HG-{number:03d}" for number in range(1, 30)]
