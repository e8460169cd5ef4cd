"""抽签: reproducible from the seed, audited, redraws need a reason, codes stay anonymous until 解密."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.enums import DrawKind, EntryStatus, EventKind
from competition_app.services import audit
from competition_app.services.draw import (
    AnonymityError,
    DrawError,
    anonymous_view,
    compute_mapping,
    current_draw,
    decrypted_mapping,
    draw,
    draw_sheet_pdf,
    drawn_values,
    reproduce,
    reveal,
)
from db.models import AuditRecord, Draw, Entry, Person, Team, Unit
from tests.factories import Minimal, minimal_event

NAMES = ["李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑一", "冯二", "陈三", "褚四"]


def _event_with_entries(session: Session, count: int = 10) -> tuple[Minimal, list[Entry]]:
    """One event, ``count`` entries besides 张三 (bibs HG-002 …), all with a unit."""
    base = minimal_event(session)
    unit = Unit(name="济宁市技师学院")
    session.add(unit)
    session.flush()
    entries = [base.entry]
    for index in range(count - 1):
        person = Person(id_number=f"37080119900101{index:03d}X", name=NAMES[index % len(NAMES)], unit_id=unit.id)
        session.add(person)
        session.flush()
        entry = Entry(event_id=base.event.id, group_id=base.group.id, person_id=person.id, bib=f"HG-{index + 2:03d}")
        session.add(entry)
        entries.append(entry)
    session.flush()
    return base, entries


def _values(session: Session, entries: list[Entry], column: str) -> dict[int, str | None]:
    session.expire_all()
    return {entry.id: getattr(session.get(Entry, entry.id), column) for entry in entries}


def test_the_same_seed_gives_the_same_draw_and_every_entrant_a_distinct_station(session: Session) -> None:
    base, entries = _event_with_entries(session, 12)
    result = draw(session, base.event.id, DrawKind.STATION, seed="抽签-2026-05-20")
    stations = _values(session, entries, "station")
    assert sorted(stations.values()) == [f"{n:02d}" for n in range(1, 13)]
    assert {str(key): value for key, value in stations.items()} == dict(result.mapping)
    # The algorithm is documented: recompute it here from the seed alone.
    assert compute_mapping("抽签-2026-05-20", DrawKind.STATION, [str(e.id) for e in entries]) == dict(result.mapping)
    assert drawn_values("抽签-2026-05-20", DrawKind.STATION, 12) == [
        result.mapping[str(entry.id)] for entry in sorted(entries, key=lambda e: e.id)
    ]
    assert not result.is_redraw and result.seed == "抽签-2026-05-20"


def test_a_different_seed_gives_a_different_order() -> None:
    first = drawn_values("seed-a", DrawKind.STATION, 30)
    assert first == drawn_values("seed-a", DrawKind.STATION, 30)
    assert first != drawn_values("seed-b", DrawKind.STATION, 30)
    codes = drawn_values("seed-a", DrawKind.ANON_CODE, 30)
    assert len(set(codes)) == 30 and all(len(code) == 4 and code.isdigit() for code in codes)


def test_withdrawn_and_disqualified_entries_draw_nothing(session: Session) -> None:
    base, entries = _event_with_entries(session, 8)
    entries[2].status = EntryStatus.WITHDRAWN
    entries[5].status = EntryStatus.DISQUALIFIED
    entries[5].station = "99"  # a stale value from before: cleared by the draw
    session.flush()
    draw(session, base.event.id, DrawKind.STATION, seed="x")
    stations = _values(session, entries, "station")
    assert stations[entries[2].id] is None and stations[entries[5].id] is None
    taking_part = [value for key, value in stations.items() if key not in {entries[2].id, entries[5].id}]
    assert sorted(taking_part) == ["01", "02", "03", "04", "05", "06"]


def test_a_seed_is_generated_and_recorded_when_none_is_given(session: Session) -> None:
    base, _entries = _event_with_entries(session, 5)
    result = draw(session, base.event.id, DrawKind.ANON_CODE)
    assert len(result.seed) == 16
    stored = session.get(Draw, result.draw_id)
    assert stored is not None and stored.seed == result.seed and stored.is_current
    assert reproduce(session, result.draw_id)


def test_a_redraw_without_a_reason_is_refused_and_changes_nothing(session: Session) -> None:
    base, entries = _event_with_entries(session, 6)
    first = draw(session, base.event.id, DrawKind.STATION, seed="first")
    before = _values(session, entries, "station")
    audit_count = len(session.scalars(select(AuditRecord)).all())
    for reason in (None, "", "   "):
        with pytest.raises(DrawError, match="必须填写原因"):
            draw(session, base.event.id, DrawKind.STATION, seed="second", reason=reason)
    assert _values(session, entries, "station") == before
    assert len(session.scalars(select(AuditRecord)).all()) == audit_count
    draws = session.scalars(select(Draw).where(Draw.event_id == base.event.id)).all()
    assert [(d.id, d.is_current) for d in draws] == [(first.draw_id, True)]


def test_a_redraw_with_a_reason_is_audited_with_old_and_new_mappings(session: Session) -> None:
    base, entries = _event_with_entries(session, 9)
    first = draw(session, base.event.id, DrawKind.STATION, seed="first", username="clerk")
    second = draw(
        session, base.event.id, DrawKind.STATION, seed="second", reason="抽签箱卡纸，监督人在场重抽", username="chief"
    )
    assert second.is_redraw and second.reason == "抽签箱卡纸，监督人在场重抽"
    assert dict(second.mapping) != dict(first.mapping)
    session.expire_all()
    old = session.get(Draw, first.draw_id)
    assert old is not None and not old.is_current
    assert {str(k): v for k, v in _values(session, entries, "station").items()} == dict(second.mapping)

    records = session.scalars(
        select(AuditRecord).where(AuditRecord.event_id == base.event.id).order_by(AuditRecord.id)
    ).all()
    assert [record.action for record in records] == ["draw", "redraw"]
    assert records[0].new_value is not None and records[0].new_value["result"] == dict(first.mapping)
    redraw = records[1]
    assert redraw.reason == "抽签箱卡纸，监督人在场重抽" and redraw.username == "chief"
    assert redraw.old_value is not None and redraw.old_value["result"] == dict(first.mapping)
    assert redraw.old_value["seed"] == "first"
    assert redraw.new_value is not None and redraw.new_value["result"] == dict(second.mapping)
    assert audit.first_broken_link(session) is None
    assert current_draw(session, base.event.id, DrawKind.STATION) == second
    assert reproduce(session, first.draw_id) and reproduce(session, second.draw_id)


def test_reproduce_notices_a_station_edited_by_hand(session: Session) -> None:
    base, entries = _event_with_entries(session, 6)
    result = draw(session, base.event.id, DrawKind.STATION, seed="check")
    assert reproduce(session, result.draw_id)
    a, b = (session.get(Entry, entries[0].id), session.get(Entry, entries[1].id))
    assert a is not None and b is not None
    a.station, b.station = None, None
    session.flush()
    a.station, b.station = result.mapping[str(entries[1].id)], result.mapping[str(entries[0].id)]  # swapped
    session.flush()
    assert not reproduce(session, result.draw_id)


def test_reproduce_notices_a_tampered_stored_result(session: Session) -> None:
    base, _entries = _event_with_entries(session, 4)
    result = draw(session, base.event.id, DrawKind.STATION, seed="check")
    stored = session.get(Draw, result.draw_id)
    assert stored is not None
    values = dict(stored.result)
    first, second = sorted(values)[:2]
    values[first], values[second] = values[second], values[first]
    stored.result = values
    session.flush()
    assert not reproduce(session, result.draw_id)


def test_drawing_needs_someone_taking_part(session: Session) -> None:
    base = minimal_event(session)
    base.entry.status = EntryStatus.WITHDRAWN
    session.flush()
    with pytest.raises(DrawError, match="没有可参加抽签的选手"):
        draw(session, base.event.id, DrawKind.STATION)
    with pytest.raises(DrawError, match="随机种子"):
        draw(session, base.event.id, DrawKind.STATION, seed="x" * 65)
    with pytest.raises(DrawError, match="没有编号为"):
        draw(session, 999_999, DrawKind.STATION)


def test_judges_see_codes_only_until_the_chief_judge_reveals(session: Session) -> None:
    base, entries = _event_with_entries(session, 7)
    base.event.anonymous_marking = True
    entries[3].status = EntryStatus.WITHDRAWN
    session.flush()
    result = draw(session, base.event.id, DrawKind.ANON_CODE, seed="anon")

    view = anonymous_view(session, base.event.id)
    assert len(view) == 6 and [row.anon_code for row in view] == sorted(row.anon_code for row in view)
    assert {row.group for row in view} == {"职工组"}
    for row in view:
        assert set(type(row).__dataclass_fields__) == {"anon_code", "group"}  # no name, bib, unit, person
    with pytest.raises(AnonymityError, match="尚未解密"):
        decrypted_mapping(session, base.event.id)

    revealed_at = reveal(session, base.event.id, username="chief", reason="评分结束")
    mapping = decrypted_mapping(session, base.event.id)
    assert len(mapping) == 6
    by_code = {row.anon_code: row for row in mapping}
    zhang = by_code[result.mapping[str(base.entry.id)]]
    assert (zhang.bib, zhang.name, zhang.group) == ("HG-001", "张三", "职工组")
    assert base.event.anon_revealed_at == revealed_at
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "reveal_anon_codes")).one()
    assert record.username == "chief" and record.event_id == base.event.id
    with pytest.raises(DrawError, match="已于"):
        reveal(session, base.event.id, username="chief")
    with pytest.raises(DrawError, match="已解密"):
        draw(session, base.event.id, DrawKind.ANON_CODE, reason="重抽")
    assert audit.first_broken_link(session) is None


def test_reveal_needs_a_code_draw(session: Session) -> None:
    base = minimal_event(session)
    with pytest.raises(DrawError, match="尚未抽取检录号"):
        reveal(session, base.event.id, username="chief")


def test_a_team_event_draws_per_team(session: Session) -> None:
    base, entries = _event_with_entries(session, 6)
    base.event.kind = EventKind.TEAM
    base.event.team_size = 2
    teams = [Team(event_id=base.event.id, group_id=base.group.id, name=f"第{n}队", bib=f"T{n}") for n in (1, 2, 3)]
    session.add_all(teams)
    session.flush()
    for index, entry in enumerate(entries):
        entry.team_id = teams[index // 2].id
    entries[4].status = entries[5].status = EntryStatus.WITHDRAWN  # the whole third team withdrew
    session.flush()
    result = draw(session, base.event.id, DrawKind.STATION, seed="teams")
    assert set(result.mapping) == {f"team:{teams[0].id}", f"team:{teams[1].id}"}
    session.expire_all()
    assert sorted(str(session.get(Team, t.id).station) for t in teams[:2]) == ["01", "02"]
    assert session.get(Team, teams[2].id).station is None
    assert all(session.get(Entry, e.id).station is None for e in entries)
    assert reproduce(session, result.draw_id)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_station_draw_sheet_lists_bibs_names_and_stations(session: Session) -> None:
    base, entries = _event_with_entries(session, 5)
    result = draw(session, base.event.id, DrawKind.STATION, seed="sheet-seed")
    text = _pdf_text(draw_sheet_pdf(session, base.event.id))
    assert "抽签结果表" in text and "sheet-seed" in text and "测试赛事" in text
    assert "张三" in text and "HG-001" in text and "济宁市技师学院" in text
    assert result.mapping[str(entries[0].id)] in text
    assert "抽签人" in text and "监督人" in text and "裁判长" in text


def test_the_code_sheet_for_the_envelope_shows_codes_and_bibs_not_names(session: Session) -> None:
    base, _entries = _event_with_entries(session, 5)
    result = draw(session, base.event.id, DrawKind.ANON_CODE, seed="envelope")
    text = _pdf_text(draw_sheet_pdf(session, base.event.id, DrawKind.ANON_CODE))
    assert "密封" in text and "检录号" in text
    assert all(code in text for code in result.mapping.values())
    assert "HG-001" in text and "张三" not in text
    with pytest.raises(DrawError, match="尚未抽工位号"):
        draw_sheet_pdf(session, base.event.id, DrawKind.STATION)


def test_the_demo_competition_can_be_drawn(session: Session) -> None:
    from competition_app.services.demo import create_demo
    from db.models import Event

    create_demo(session)
    event = session.scalars(select(Event).where(Event.kind == EventKind.INDIVIDUAL).order_by(Event.id)).first()
    assert event is not None
    # The demo planted stations without a recorded draw: the first real draw replaces them all.
    result = draw(session, event.id, DrawKind.STATION, seed="demo")
    taking_part = session.scalars(
        select(Entry.id).where(
            Entry.event_id == event.id, Entry.status.not_in([EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED])
        )
    ).all()
    assert len(result.values) == len(taking_part) > 0
    assert reproduce(session, result.draw_id)
