"""A score sheet's life: double entry or read-back, 已复核, 签字锁定 with a fingerprint, 已公示."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from competition_app.domain.enums import Role, ScoreState, SheetState
from competition_app.services.auth import PermissionDenied
from competition_app.services.scores import CellRef, SheetClosed, enter_score, load_sheet, set_practical_time
from competition_app.services.sheets import (
    SheetStateError,
    canonical_lines,
    check_fingerprint,
    confirm_readback,
    differences,
    event_sheets,
    fingerprint,
    lock_sheet,
    publish_sheet,
    resolve_difference,
    set_double_entry,
    sheet_status,
    unlock_sheet,
    verify_sheet,
)
from db.models import AuditRecord, Judge, Score, ScoreSheet
from db.types import utcnow
from tests.factories import minimal_event
from tests.support.accounts import acting, make_user
from tests.support.scoring import Scored, scored_event

D = Decimal
MARKS = [["80", "81", "82", "83", "84"], ["70", "72.5", "74", "71", "73"], ["90", "91", "92", "93", "94"]]


def _key_all(session: Session, built: Scored, pass_no: int = 1, marks: list[list[str]] = MARKS) -> None:
    for entry, row in enumerate(marks):
        for seat, text in enumerate(row, start=1):
            enter_score(session, built.cell(entry, seat, pass_no), text, expected_version=None)


def _double_keyed(session: Session) -> Scored:
    built = scored_event(session, double_entry=True)
    acting(session, built.clerk)
    _key_all(session, built, 1)
    acting(session, built.clerk2)
    _key_all(session, built, 2)
    return built


def _verified(session: Session, built: Scored) -> None:
    acting(session, built.reader)
    verify_sheet(session, built.event.id, built.practical.id)


def _last_audit(session: Session) -> AuditRecord:
    return session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(1)).one()


def _sheet_record(session: Session, built: Scored) -> ScoreSheet:
    return session.scalars(select(ScoreSheet).where(ScoreSheet.component_id == built.practical.id)).one()


# --- double entry ---------------------------------------------------------------------------


def test_verification_needs_a_complete_first_and_second_pass(session: Session) -> None:
    built = scored_event(session, double_entry=True)
    acting(session, built.clerk)
    _key_all(session, built, 1, MARKS[:2])
    acting(session, built.reader)
    with pytest.raises(SheetStateError, match="“技能操作”还有 5 个成绩未录入"):
        verify_sheet(session, built.event.id, built.practical.id)
    acting(session, built.clerk)
    _key_all(session, built, 1, MARKS)
    acting(session, built.clerk2)
    _key_all(session, built, 2, MARKS[:1])
    status = sheet_status(session, built.event.id, built.practical.id)
    assert (status.expected, status.first_pass, status.second_pass, status.differences) == (15, 15, 5, 0)
    assert status.complete and not status.ready_to_verify
    acting(session, built.reader)
    with pytest.raises(SheetStateError, match="第二遍还有 10 个成绩未录入"):
        verify_sheet(session, built.event.id, built.practical.id)


def test_differences_are_listed_side_by_side_and_must_be_resolved(session: Session) -> None:
    built = scored_event(session, double_entry=True)
    acting(session, built.clerk)
    _key_all(session, built, 1)
    acting(session, built.clerk2)
    typo = [row[:] for row in MARKS]
    typo[1][2] = "47"  # 74 keyed as 47
    _key_all(session, built, 2, typo)
    acting(session, built.reader)
    found = differences(session, built.event.id, built.practical.id)
    assert [(d.row, d.column) for d in found] == [(1, 2)]
    assert found[0].first is not None and found[0].second is not None
    assert (found[0].first.value, found[0].second.value) == (D(74), D(47))
    assert (found[0].first.entered_by, found[0].second.entered_by) == ("录分员甲", "录分员乙")
    assert sheet_status(session, built.event.id, built.practical.id).differences == 1
    with pytest.raises(SheetStateError, match="两遍录入有 1 处不一致"):
        verify_sheet(session, built.event.id, built.practical.id)
    acting(session, built.clerk2)
    with pytest.raises(PermissionDenied, match="您录入过这一格"):
        resolve_difference(session, built.cell(1, 3), "74", reason="对照原始评分表")
    acting(session, built.reader)
    cell = resolve_difference(session, built.cell(1, 3), "74", reason="对照原始评分表")
    assert cell.value == D(74) and cell.verified_by == "核对员"
    record = _last_audit(session)
    assert (record.action, record.reason) == ("score.resolve", "对照原始评分表")
    assert record.old_value == {"pass1": "74", "pass2": "47"}
    assert differences(session, built.event.id, built.practical.id) == ()
    status = verify_sheet(session, built.event.id, built.practical.id)
    assert status.state is SheetState.VERIFIED and status.verified_by == "核对员"
    assert set(session.scalars(select(Score.state).where(Score.component_id == built.practical.id))) == {
        ScoreState.VERIFIED
    }
    assert _last_audit(session).action == "sheet.verify"


def test_a_cell_missing_from_one_pass_is_a_difference(session: Session) -> None:
    built = scored_event(session, double_entry=True)
    acting(session, built.clerk)
    enter_score(session, built.cell(0, 1), "80", expected_version=None)
    acting(session, built.clerk2)
    enter_score(session, built.cell(0, 2, 2), "81", expected_version=None)
    acting(session, built.reader)
    found = differences(session, built.event.id, built.practical.id)
    assert [(d.row, d.column, d.first is None, d.second is None) for d in found] == [
        (0, 0, False, True),
        (0, 1, True, False),
    ]
    resolve_difference(session, built.cell(0, 2), "81")
    assert [(d.row, d.column) for d in differences(session, built.event.id, built.practical.id)] == [(0, 0)]


def test_a_verified_sheet_is_read_only_and_cannot_be_verified_again(session: Session) -> None:
    built = _double_keyed(session)
    _verified(session, built)
    acting(session, built.clerk)
    with pytest.raises(SheetClosed, match="评分表已复核"):
        enter_score(session, built.cell(0, 1), "85", expected_version=1)
    acting(session, built.reader)
    with pytest.raises(SheetStateError, match="不能再复核"):
        verify_sheet(session, built.event.id, built.practical.id)
    with pytest.raises(SheetClosed):
        resolve_difference(session, built.cell(0, 1), "80")


# --- single entry + read-back ---------------------------------------------------------------


def test_read_back_by_somebody_else_then_verify(session: Session) -> None:
    built = scored_event(session, double_entry=False)
    acting(session, built.clerk)
    _key_all(session, built, 1)
    ids = list(session.scalars(select(Score.id).where(Score.component_id == built.practical.id).order_by(Score.id)))
    with pytest.raises(PermissionDenied, match="不能复核自己录入的成绩"):
        confirm_readback(session, built.event.id, built.practical.id, ids)
    acting(session, built.reader)
    with pytest.raises(SheetStateError, match="还有 15 个成绩未经回读核对"):
        verify_sheet(session, built.event.id, built.practical.id)
    assert confirm_readback(session, built.event.id, built.practical.id, ids[:10]) == 10
    assert confirm_readback(session, built.event.id, built.practical.id, ids[:10]) == 0  # already confirmed
    assert _last_audit(session).action == "score.readback"
    assert sheet_status(session, built.event.id, built.practical.id).unconfirmed == 5
    # A cell changed after it was read back must be read back again.
    acting(session, built.clerk)
    confirmed = session.get_one(Score, ids[0])
    assert (confirmed.seat, confirmed.version) == (1, 2)  # the read-back is a change of the row
    enter_score(session, built.cell(0, 1), "79", expected_version=2)
    acting(session, built.reader)
    assert sheet_status(session, built.event.id, built.practical.id).unconfirmed == 6
    assert confirm_readback(session, built.event.id, built.practical.id, ids) == 6
    assert verify_sheet(session, built.event.id, built.practical.id).state is SheetState.VERIFIED


def test_read_back_refuses_a_mix_that_includes_own_keying_without_confirming_any(session: Session) -> None:
    built = scored_event(session, double_entry=False)
    acting(session, built.clerk)
    theirs = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    acting(session, built.reader)
    mine = enter_score(session, built.cell(0, 2), "80", expected_version=None)
    with pytest.raises(PermissionDenied):
        confirm_readback(session, built.event.id, built.practical.id, [theirs.score_id, mine.score_id])
    assert session.get_one(Score, theirs.score_id).verified_by_id is None


def test_set_double_entry_switches_every_sheet_of_the_event(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    with pytest.raises(PermissionDenied, match="签字锁定与解锁"):
        set_double_entry(session, built.event.id, False)
    acting(session, built.chief)
    set_double_entry(session, built.event.id, False)
    statuses = event_sheets(session, built.event.id)
    assert [(status.component_name, status.double_entry) for status in statuses] == [
        ("理论知识", False),
        ("技能操作", False),
    ]
    assert _last_audit(session).action == "sheet.verification"
    _sheet_record(session, built).state = SheetState.LOCKED
    session.flush()
    with pytest.raises(SheetStateError, match="请先解锁再更改校验方式"):
        set_double_entry(session, built.event.id, True)


# --- lock, unlock, publish ------------------------------------------------------------------


def test_locking_needs_verification_the_right_role_and_records_the_fingerprint(session: Session) -> None:
    built = _double_keyed(session)
    acting(session, built.chief)
    with pytest.raises(SheetStateError, match="须先复核才能签字锁定"):
        lock_sheet(session, built.event.id, built.practical.id)
    _verified(session, built)
    with pytest.raises(PermissionDenied, match="签字锁定与解锁"):
        lock_sheet(session, built.event.id, built.practical.id)
    acting(session, built.chief)
    expected = fingerprint(session, built.event.id, built.practical.id)
    printed = lock_sheet(session, built.event.id, built.practical.id)
    assert printed == expected and len(printed) == 64
    record = _sheet_record(session, built)
    assert (record.state, record.fingerprint, record.locked_by_id) == (SheetState.LOCKED, printed, built.chief.user_id)
    assert load_sheet(session, built.event.id, built.practical.id).fingerprint == printed
    assert _last_audit(session).new_value == {"state": "locked", "component": "技能操作", "fingerprint": printed}
    acting(session, built.clerk)
    with pytest.raises(SheetClosed, match="签字锁定"):
        enter_score(session, built.cell(0, 1), "85", expected_version=1)
    with pytest.raises(SheetClosed):
        set_practical_time(session, built.practical.id, built.entries[0].id, "85:00")


def test_unlocking_needs_a_reason_and_the_chief_judge_or_admin(session: Session) -> None:
    built = _double_keyed(session)
    _verified(session, built)
    acting(session, built.chief)
    lock_sheet(session, built.event.id, built.practical.id)
    acting(session, built.clerk)
    with pytest.raises(PermissionDenied):
        unlock_sheet(session, built.event.id, built.practical.id, "想改分")
    acting(session, built.chief)
    with pytest.raises(SheetStateError, match="解锁必须填写原因"):
        unlock_sheet(session, built.event.id, built.practical.id, "  ")
    unlock_sheet(session, built.event.id, built.practical.id, " 3号裁判更正第2名选手的分数 ")
    record = _last_audit(session)
    assert (record.action, record.reason, record.old_value) == (
        "sheet.unlock", "3号裁判更正第2名选手的分数", {"state": "locked"})  # fmt: skip
    assert _sheet_record(session, built).state is SheetState.ENTERING
    assert set(session.scalars(select(Score.state).where(Score.component_id == built.practical.id))) == {
        ScoreState.ENTERED
    }
    with pytest.raises(SheetStateError, match="已在录入中"):
        unlock_sheet(session, built.event.id, built.practical.id, "再解锁")
    acting(session, built.admin)
    verify_sheet(session, built.event.id, built.practical.id)
    lock_sheet(session, built.event.id, built.practical.id)
    unlock_sheet(session, built.event.id, built.practical.id, "管理员解锁")
    assert _sheet_record(session, built).state is SheetState.ENTERING


def test_publishing_checks_the_fingerprint_still_matches(session: Session) -> None:
    built = _double_keyed(session)
    _verified(session, built)
    acting(session, built.chief)
    with pytest.raises(SheetStateError, match="须先签字锁定才能公示"):
        publish_sheet(session, built.event.id, built.practical.id)
    printed = lock_sheet(session, built.event.id, built.practical.id)
    # Somebody edits a locked mark behind the app's back.
    session.execute(
        update(Score)
        .where(Score.component_id == built.practical.id, Score.seat == 3, Score.pass_no == 1)
        .values(value=D("99.5")),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()
    recorded, now = check_fingerprint(session, built.event.id, built.practical.id)
    assert recorded == printed and now != printed
    with pytest.raises(SheetStateError, match="与签字时的指纹不符"):
        publish_sheet(session, built.event.id, built.practical.id)
    assert _sheet_record(session, built).state is SheetState.LOCKED


def test_publishing_a_locked_sheet(session: Session) -> None:
    built = _double_keyed(session)
    _verified(session, built)
    acting(session, built.chief)
    printed = lock_sheet(session, built.event.id, built.practical.id)
    acting(session, built.clerk)
    with pytest.raises(PermissionDenied, match="公示成绩"):
        publish_sheet(session, built.event.id, built.practical.id)
    acting(session, make_user(session, "organiser", Role.ORGANISER))
    publish_sheet(session, built.event.id, built.practical.id)
    record = _sheet_record(session, built)
    assert record.state is SheetState.PUBLISHED and record.published_at is not None
    assert record.fingerprint == printed
    assert _last_audit(session).action == "sheet.publish"
    acting(session, built.chief)
    unlock_sheet(session, built.event.id, built.practical.id, "公示后复议")
    assert record.published_at is None and record.state is SheetState.ENTERING


# --- the fingerprint ------------------------------------------------------------------------


def test_the_fingerprint_survives_revealing_codes_and_renaming_judges(session: Session) -> None:
    built = scored_event(session, double_entry=False, anonymous=True)
    acting(session, built.clerk)
    _key_all(session, built, 1)
    set_practical_time(session, built.practical.id, built.entries[0].id, "95:10")
    before = fingerprint(session, built.event.id, built.practical.id)
    lines = canonical_lines(load_sheet(session, built.event.id, built.practical.id))
    assert lines[0] == "评分测试赛|焊工|技能操作"
    assert "9004|S1|80" in lines and "9004|time|1:35:10" in lines
    assert not any("HG-" in line or "裁判" in line for line in lines)
    assert fingerprint(session, built.event.id, built.practical.id) == before
    built.event.anon_revealed_at = utcnow()
    session.get_one(Judge, built.judges[0].id).name = "改名裁判"
    session.flush()
    assert fingerprint(session, built.event.id, built.practical.id) == before


def test_the_fingerprint_changes_with_any_mark_or_time(session: Session) -> None:
    built = scored_event(session, double_entry=False)
    acting(session, built.clerk)
    _key_all(session, built, 1)
    original = fingerprint(session, built.event.id, built.practical.id)
    seen = {original}
    for entry, row in enumerate(MARKS):
        for seat, text in enumerate(row, start=1):
            version = session.scalars(
                select(Score.version).where(
                    Score.entry_id == built.entries[entry].id,
                    Score.component_id == built.practical.id,
                    Score.seat == seat,
                )
            ).one()
            enter_score(session, built.cell(entry, seat), str(D(text) + D("0.1")), expected_version=version)
            changed = fingerprint(session, built.event.id, built.practical.id)
            assert changed not in seen, (entry, seat)
            seen.add(changed)
            enter_score(session, built.cell(entry, seat), text, expected_version=version + 1)
            assert fingerprint(session, built.event.id, built.practical.id) == original
    set_practical_time(session, built.practical.id, built.entries[1].id, "60:00")
    assert fingerprint(session, built.event.id, built.practical.id) not in seen


def test_set_up_mode_keys_marks_but_cannot_check_or_sign(session: Session) -> None:
    """Before any account exists nobody is named, so nobody could be kept from checking their own keying."""
    built = minimal_event(session)  # no accounts at all: set-up mode
    event_id, component_id = built.event.id, built.practical.id
    set_double_entry(session, event_id, False)
    keyed = enter_score(session, CellRef(component_id, built.entry.id, None, None, 1), "80", expected_version=None)
    assert keyed.entered_by_id is None
    for attempt in (
        lambda: confirm_readback(session, event_id, component_id, [keyed.score_id]),
        lambda: verify_sheet(session, event_id, component_id),
        lambda: lock_sheet(session, event_id, component_id),
        lambda: unlock_sheet(session, event_id, component_id, "录错"),
        lambda: publish_sheet(session, event_id, component_id),
    ):
        with pytest.raises(PermissionDenied, match="实名账户"):
            attempt()
