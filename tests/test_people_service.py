"""Registration by hand (services/people.py): one person across competitions, checks, history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.domain import idcard
from competition_app.domain.enums import (
    AchievementKind,
    EntryStatus,
    Gender,
    IdType,
    Level,
    PersonStatus,
    SkillLevel,
    TierClass,
)
from competition_app.rules.io import PastPromotion
from competition_app.services import audit
from competition_app.services.competitions import CompetitionSpec, EventSpec, GroupSpec, add_event, create_competition
from competition_app.services.people import (
    PersonField,
    PersonInput,
    RegistrationError,
    add_achievement,
    check_person,
    find_person,
    person_history,
    register,
    registration_context,
    update_entry_status,
)
from db.models import AuditRecord, Entry, Person, Unit

DAY = date(2026, 5, 20)
ZHANG = idcard.compose("370811", date(1990, 5, 18), 1, Gender.MALE)
LI = idcard.compose("370802", date(2005, 3, 2), 2, Gender.FEMALE)
TOO_OLD = idcard.compose("370802", date(1960, 1, 1), 3, Gender.MALE)


def _competition(session: Session, name: str = "2026年济宁市“运河之星”职业技能大赛") -> int:
    return create_competition(
        session,
        CompetitionSpec(
            name=name,
            year=2026,
            level=Level.MUNICIPAL,
            tier_class=TierClass.CLASS_1,
            preset_key="municipal_class_1_jining",
            start_date=DAY,
            end_date=DAY,
        ),
    )


def _welding(session: Session, competition_id: int) -> int:
    return add_event(
        session,
        competition_id,
        EventSpec(
            name="焊工",
            occupation="焊工",
            code="HG",
            groups=(
                GroupSpec("职工组", frozenset({PersonStatus.WORKER})),
                GroupSpec("学生组", frozenset({PersonStatus.STUDENT})),
            ),
            min_age=16,
            max_age=60,
        ),
    )


def zhang(**changes: object) -> PersonInput:
    values: dict[str, object] = {
        "name": "张  三",
        "id_number": " ３７" + ZHANG[2:-1] + ZHANG[-1].lower(),
        "phone": "139 0537 1234",
        "unit": "济宁重工有限公司",
        "region": "济宁市任城区",
        "status": PersonStatus.WORKER,
        "skill_level": "高级工",
        "certificate_no": "S0001",
    }
    values.update(changes)
    return PersonInput(**values)  # type: ignore[arg-type]


def test_check_person_reads_gender_and_birth_date_from_the_number() -> None:
    checked, problems = check_person(zhang())
    assert problems == []
    assert checked is not None
    assert checked.document.number == ZHANG
    assert (checked.gender, checked.birth_date) == (Gender.MALE, date(1990, 5, 18))
    assert checked.name == "张 三"
    assert checked.phone == "13905371234"
    assert checked.skill_level is SkillLevel.LEVEL_3


def test_check_person_names_each_wrong_field() -> None:
    wrong_check = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")
    _checked, problems = check_person(zhang(name="", id_number=wrong_check, phone="12345"))
    fields = {field for field, _message in problems}
    assert fields == {PersonField.NAME, PersonField.ID_NUMBER, PersonField.PHONE}
    assert any("校验位" in message for _field, message in problems)

    _checked, problems = check_person(zhang(gender="女", birth_date="1990-05-19"))
    assert dict(problems) == {
        PersonField.GENDER: "与证件号码不符：号码显示为男",
        PersonField.BIRTH_DATE: "与证件号码不符：号码显示为1990-05-18",
    }


def test_a_passport_needs_gender_and_birth_date_typed() -> None:
    _checked, problems = check_person(zhang(id_type=IdType.PASSPORT, id_number="E12345678"))
    assert {field for field, _message in problems} == {PersonField.GENDER, PersonField.BIRTH_DATE}
    checked, problems = check_person(
        zhang(id_type="护照", id_number="e1234 5678", gender="男", birth_date="1990年5月18日")
    )
    assert problems == []
    assert checked is not None and checked.document.number == "E12345678"


def test_age_is_checked_on_the_competition_day() -> None:
    _checked, problems = check_person(zhang(id_number=TOO_OLD), on=DAY, min_age=16, max_age=60)
    assert problems == [(PersonField.BIRTH_DATE, "比赛日（2026-05-20）年龄66岁，超过本赛项最高年龄60岁")]


def test_register_creates_the_person_unit_and_entry_with_an_audit_trail(session: Session) -> None:
    event_id = _welding(session, _competition(session))
    entry_id = register(session, event_id, "职工组", zhang(), bib="HG-001", username="clerk")
    entry = session.get(Entry, entry_id)
    assert entry is not None and entry.bib == "HG-001" and entry.status is EntryStatus.REGISTERED
    person = entry.person
    assert (person.id_number, person.gender, person.birth_date) == (ZHANG, Gender.MALE, date(1990, 5, 18))
    assert person.unit is not None and person.unit.name == "济宁重工有限公司"
    assert entry.unit_id == person.unit_id
    assert entry.skill_level_at_entry is SkillLevel.LEVEL_3
    actions = session.scalars(
        select(AuditRecord.action).where(AuditRecord.person_id == person.id).order_by(AuditRecord.id)
    ).all()
    assert actions == ["person.create", "entry.create"]
    assert audit.first_broken_link(session) is None
    context = registration_context(session, event_id)
    assert context.day == DAY and context.entry_count == 1
    assert [group.label for group in context.groups] == ["职工组（职工）", "学生组（学生）"]


def test_the_same_person_in_two_competitions_is_one_row_with_history(session: Session) -> None:
    first = _welding(session, _competition(session))
    second = _welding(session, _competition(session, "2026年四川工匠杯"))
    register(session, first, "职工组", zhang())
    register(session, second, "职工组", zhang(phone="0537-2345678", unit=""))
    assert session.scalar(select(func.count(Person.id)).where(Person.id_number == ZHANG)) == 1
    view = find_person(session, IdType.RESIDENT_ID, ZHANG.lower())
    assert view is not None
    assert view.phone == "0537-2345678"
    assert view.unit == "济宁重工有限公司"  # an empty unit keeps what was known
    assert sorted(entry.competition for entry in view.entries) == [
        "2026年四川工匠杯",
        "2026年济宁市“运河之星”职业技能大赛",
    ]
    assert session.scalar(select(func.count(Unit.id)).where(Unit.name == "济宁重工有限公司")) == 1

    add_achievement(session, view.id, AchievementKind.TITLE, "济宁市技术能手", 2024)
    add_achievement(
        session, view.id, AchievementKind.PROMOTION, "晋升技师（二级）", 2025, skill_level=SkillLevel.LEVEL_2
    )
    history = person_history(session, view.id)
    assert history.titles == ("济宁市技术能手",)
    assert history.promotions == (PastPromotion(2025, SkillLevel.LEVEL_2),)
    refreshed = find_person(session, IdType.RESIDENT_ID, ZHANG)
    assert refreshed is not None and [a.title for a in refreshed.titles] == ["济宁市技术能手"]
    assert find_person(session, IdType.RESIDENT_ID, LI) is None


def test_a_second_entry_in_the_same_event_is_refused_naming_the_first(session: Session) -> None:
    event_id = _welding(session, _competition(session))
    register(session, event_id, "职工组", zhang(), bib="HG-001")
    with pytest.raises(RegistrationError) as refused:
        register(session, event_id, "职工组", zhang(name="张三"))
    assert refused.value.problems == [
        (
            PersonField.ENTRY,
            f"张 三（{ZHANG}）已报名本赛项：职工组，参赛编号HG-001，已报名；同一人不能在一个赛项中报名两次",
        )
    ]
    assert session.scalar(select(func.count(Entry.id)).where(Entry.event_id == event_id)) == 1


def test_group_status_age_and_bib_are_checked(session: Session) -> None:
    event_id = _welding(session, _competition(session))
    register(session, event_id, "职工组", zhang(), bib="HG-001")
    with pytest.raises(RegistrationError) as refused:
        register(session, event_id, "学生组", zhang(name="李四", id_number=TOO_OLD), bib="HG-001")
    fields = dict(refused.value.problems)
    assert "超过本赛项最高年龄60岁" in fields[PersonField.BIRTH_DATE]
    with pytest.raises(RegistrationError) as refused:
        register(session, event_id, "学生组", zhang(name="李四", id_number=LI), bib="HG-001")
    fields = dict(refused.value.problems)
    assert fields[PersonField.STATUS] == "“学生组”只接受学生，此人身份为职工"
    assert fields[PersonField.BIB] == "参赛编号HG-001已给了张 三"
    with pytest.raises(RegistrationError) as refused:
        register(session, event_id, "教师组", zhang(name="李四", id_number=LI))
    assert dict(refused.value.problems)[PersonField.GROUP] == "本赛项没有“教师组”，可选：职工组、学生组"


def test_entry_status_changes_are_audited_and_withdrawal_needs_a_reason(session: Session) -> None:
    event_id = _welding(session, _competition(session))
    entry_id = register(session, event_id, "职工组", zhang())
    with pytest.raises(RegistrationError, match="需要填写原因"):
        update_entry_status(session, entry_id, EntryStatus.WITHDRAWN, "  ", "clerk")
    update_entry_status(session, entry_id, EntryStatus.CHECKED_IN, None, "clerk")
    entry = session.get(Entry, entry_id)
    assert entry is not None and entry.checked_in_at is not None
    update_entry_status(session, entry_id, EntryStatus.WITHDRAWN, "因工作安排退赛", "clerk")
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "entry.status").order_by(AuditRecord.id.desc())
    ).first()
    assert record is not None
    assert (record.old_value, record.new_value, record.reason) == (
        {"status": "checked_in"},
        {"status": "withdrawn"},
        "因工作安排退赛",
    )
