"""Score entry: loading sheets and keying cells, with permissions, versions and audit records."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus, Role, SheetState
from competition_app.domain.marks import FlagKind, MarkError
from competition_app.rules.scoring import ARITHMETIC
from competition_app.rules.sheet import row_flags, row_total, sheet_flags
from competition_app.services.auth import PermissionDenied
from competition_app.services.scores import (
    CellRef,
    ScoreConflict,
    ScoreError,
    SheetClosed,
    clear_score,
    enter_score,
    load_sheet,
    set_practical_time,
)
from db.models import AuditRecord, Entry, Judge, JudgeAssignment, Score, ScoreSheet
from db.types import utcnow
from tests.support.accounts import acting, make_user
from tests.support.scoring import Scored, scored_event, team_event, worldskills_component

D = Decimal


def _audit(session: Session, action: str | None = None) -> list[AuditRecord]:
    query = select(AuditRecord).order_by(AuditRecord.id)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    return list(session.scalars(query))


def _key(session: Session, built: Scored, entry: int, marks: list[str], pass_no: int = 1) -> None:
    for seat, text in enumerate(marks, start=1):
        enter_score(session, built.cell(entry, seat, pass_no), text, expected_version=None)


# --- loading --------------------------------------------------------------------------------


def test_load_sheet_shows_bibs_names_and_judges_in_seat_order(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    sheet = load_sheet(session, built.event.id, built.practical.id)
    assert [row.code for row in sheet.rows] == ["HG-001", "HG-002", "HG-003", "HG-004"]
    assert [row.name for row in sheet.rows] == ["选手1", "选手2", "选手3", "选手4"]
    assert [column.label for column in sheet.columns] == [f"{seat}号裁判 裁判{seat}" for seat in range(1, 6)]
    assert [column.judge_id for column in sheet.columns] == [judge.id for judge in built.judges]
    assert not sheet.anonymous and sheet.editable and sheet.double_entry and sheet.pass_no == 1
    assert sheet.has_time and not sheet.worldskills
    withdrawn = sheet.rows[3]
    assert withdrawn.status is EntryStatus.WITHDRAWN and not withdrawn.markable and not withdrawn.required
    theory = load_sheet(session, built.event.id, built.theory.id)
    assert [column.label for column in theory.columns] == ["分数"] and not theory.has_time


def test_anonymous_marking_hides_names_and_bibs_until_revealed(session: Session) -> None:
    built = scored_event(session, anonymous=True)
    acting(session, built.clerk)
    sheet = load_sheet(session, built.event.id, built.practical.id)
    assert sheet.anonymous
    assert [row.code for row in sheet.rows] == ["9001", "9002", "9003", "9004"]  # sorted by code, not bib
    assert all(row.name is None and row.person_id is None for row in sheet.rows)
    cell = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    assert cell.value == D(80)
    description = _audit(session, "score.enter")[-1].new_value
    assert description is not None
    assert description["cell"] == "9004 · 技能操作 · 1号裁判 裁判1"
    assert "HG-" not in str(description) and "选手" not in str(description)
    built.withdrawn.status = EntryStatus.WITHDRAWN
    with pytest.raises(ScoreError, match=r"^9001 已退赛") as refused:
        enter_score(
            session, CellRef(built.practical.id, built.withdrawn.id, None, None, 1), "80", expected_version=None
        )
    assert "HG-" not in str(refused.value)
    built.event.anon_revealed_at = utcnow()
    session.flush()
    revealed = load_sheet(session, built.event.id, built.practical.id)
    assert not revealed.anonymous
    assert (revealed.rows[0].code, revealed.rows[0].name) == ("HG-001", "选手1")
    assert [row.paper_code for row in revealed.rows] == ["9004", "9003", "9002", "9001"]


def test_worldskills_columns_are_measurements_and_judgement_seats(session: Session) -> None:
    built = scored_event(session)
    ws = worldskills_component(session, built)
    acting(session, built.clerk)
    sheet = load_sheet(session, built.event.id, ws.component.id)
    assert sheet.worldskills
    assert [column.label for column in sheet.columns] == ["A1.1 M", "A1.2 J1", "A1.2 J2", "A1.2 J3"]
    measurement, *judged = sheet.columns
    assert measurement.maximum == D(2) and not measurement.judgement and measurement.criterion == "A"
    assert all(column.judgement and column.maximum == D(3) and column.aspect_max == D(3) for column in judged)
    with pytest.raises(MarkError, match="评价分只能是 0–3 的整数"):
        judged[0].parse("2.5")
    for column, text in zip(sheet.columns, ["1.5", "2", "3", "2"], strict=True):
        enter_score(session, CellRef(ws.component.id, ws.entry.id, None, column.aspect_id, column.seat), text,
                    expected_version=None)  # fmt: skip
    sheet = load_sheet(session, built.event.id, ws.component.id)
    row = next(index for index, row in enumerate(sheet.rows) if row.entry_id == ws.entry.id)
    with localcontext(ARITHMETIC):
        assert row_total(sheet, sheet.row_values(row)) == D("1.5") + D(3) * D(7) / D(9)  # M + max × mean / 3
    enter_score(session, CellRef(ws.component.id, ws.entry.id, None, ws.judgement.id, 1), "0", expected_version=1)
    sheet = load_sheet(session, built.event.id, ws.component.id)
    flags = row_flags(sheet, sheet.row_values(row))
    assert [flag.kind for flag in flags] == [FlagKind.JUDGEMENT_SPREAD]
    assert flags[0].columns == (2, 1)  # J2 (3) and J1 (0), as sheet columns


def test_team_scored_components_have_one_row_per_team(session: Session) -> None:
    built = scored_event(session)
    teams = team_event(session, built)
    acting(session, built.admin)
    sheet = load_sheet(session, teams.event.id, teams.component.id)
    assert [(row.team_id, row.entry_id, row.code, row.name) for row in sheet.rows] == [
        (teams.teams[1].id, None, "501", None),
        (teams.teams[0].id, None, "502", None),
    ]
    cell = enter_score(session, CellRef(teams.component.id, None, teams.teams[0].id, None, 1), "77.5",
                       expected_version=None)  # fmt: skip
    assert session.get_one(Score, cell.score_id).team_id == teams.teams[0].id
    assert load_sheet(session, teams.event.id, teams.component.id).value(1, 0) == D("77.5")
    with pytest.raises(ScoreError, match="一名选手或一个团队"):
        enter_score(session, CellRef(teams.component.id, None, None, None, 1), "1", expected_version=None)
    with pytest.raises(ScoreError, match="团队不在本赛项"):
        enter_score(session, CellRef(built.practical.id, None, teams.teams[0].id, None, 1), "1", expected_version=None)


def test_running_totals_and_flags_on_the_loaded_sheet(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    _key(session, built, 0, ["80", "82", "84", "86", "99"])
    enter_score(session, built.cell(1, 1), "70", expected_version=None)
    sheet = load_sheet(session, built.event.id, built.practical.id)
    assert row_total(sheet, sheet.row_values(0)) == D(84)  # 99 and 80 dropped
    assert row_total(sheet, sheet.row_values(1)) is None  # not every judge yet
    flags = sheet_flags(sheet)
    assert [flag.kind for flag in flags[0]] == [FlagKind.PANEL_SPREAD]
    assert 1 not in flags


# --- keying ---------------------------------------------------------------------------------


def test_entering_a_score_writes_the_cell_and_its_audit_record(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    before = len(_audit(session))
    cell = enter_score(session, built.cell(0, 2), "８５．５", expected_version=None)
    assert (cell.value, cell.version, cell.entered_by_id, cell.entered_by) == (D("85.5"), 1, built.clerk.user_id,
                                                                               "录分员甲")  # fmt: skip
    score = session.get_one(Score, cell.score_id)
    assert (score.seat, score.pass_no, score.judge_id, score.aspect_id) == (2, 1, built.judges[1].id, None)
    records = _audit(session)
    assert len(records) == before + 1
    record = records[-1]
    assert (record.action, record.entity_type, record.entity_id) == ("score.enter", "score", score.id)
    assert (record.user_id, record.username) == (built.clerk.user_id, built.clerk.username)
    assert (record.event_id, record.competition_id, record.person_id) == (
        built.event.id, built.competition.id, built.entries[0].person_id)  # fmt: skip
    assert record.old_value is None
    assert record.new_value == {"value": "85.5", "cell": "HG-001 · 技能操作 · 2号裁判 裁判2", "pass": 1}


def test_changing_a_score_records_old_and_new_and_bumps_the_version(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    first = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    acting(session, built.chief)
    changed = enter_score(session, built.cell(0, 1), "81", expected_version=first.version)
    assert (changed.score_id, changed.value, changed.version) == (first.score_id, D(81), 2)
    assert changed.entered_by == "裁判长"
    record = _audit(session)[-1]
    assert record.action == "score.change"
    assert record.old_value == {"value": "80", "by": built.clerk.user_id}
    assert record.new_value is not None and record.new_value["value"] == "81"
    assert record.user_id == built.chief.user_id


def test_keying_the_same_value_again_changes_nothing(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    first = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    records = len(_audit(session))
    again = enter_score(session, built.cell(0, 1), "80.0", expected_version=first.version)
    assert (again.score_id, again.version) == (first.score_id, 1)
    acting(session, built.chief)
    # Someone whose screen was out of date types what is already there: nothing lost, no conflict.
    stale = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    assert (stale.version, stale.entered_by_id, stale.entered_by) == (1, built.clerk.user_id, "录分员甲")
    assert len(_audit(session)) == records


def test_a_stale_version_is_a_conflict_that_overwrites_nothing(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    first = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    acting(session, built.chief)
    enter_score(session, built.cell(0, 1), "81", expected_version=first.version)
    acting(session, built.clerk)
    with pytest.raises(ScoreConflict, match="裁判长刚刚录入了 81") as conflict:
        enter_score(session, built.cell(0, 1), "79", expected_version=first.version)
    assert conflict.value.current is not None
    assert (conflict.value.current.value, conflict.value.current.version) == (D(81), 2)
    with pytest.raises(ScoreConflict) as empty_seen:
        enter_score(session, built.cell(0, 1), "79", expected_version=None)  # the screen showed it empty
    assert empty_seen.value.current is not None and empty_seen.value.current.value == D(81)
    assert session.scalars(select(Score.value).where(Score.id == first.score_id)).one() == D(81)
    with pytest.raises(ScoreConflict, match="已被他人删除"):
        enter_score(session, built.cell(0, 2), "79", expected_version=3)


@pytest.mark.parametrize(
    ("text", "reason"), [("101", "超出范围：本项满分 100"), ("85.55", "最多 1 位小数"), ("x", "不是数字")]
)
def test_impossible_values_are_refused_and_nothing_is_written(session: Session, text: str, reason: str) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    records = len(_audit(session))
    with pytest.raises(MarkError, match=reason):
        enter_score(session, built.cell(0, 1), text, expected_version=None)
    assert session.scalar(select(func.count()).select_from(Score)) == 0
    assert len(_audit(session)) == records


def test_cells_that_do_not_exist_are_refused(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    with pytest.raises(ScoreError, match="没有这一列"):
        enter_score(session, built.cell(0, 6), "80", expected_version=None)
    with pytest.raises(ScoreError, match="评分项不存在"):
        enter_score(session, CellRef(999_999, built.entries[0].id, None, None, 1), "80", expected_version=None)
    other = scored_event(session, name="另一赛事")
    with pytest.raises(ScoreError, match="选手不在本赛项"):
        enter_score(session, CellRef(built.practical.id, other.entries[0].id, None, None, 1), "80",
                    expected_version=None)  # fmt: skip


def test_a_withdrawn_entry_cannot_be_scored(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    with pytest.raises(ScoreError, match="HG-004 已退赛，不能录入成绩"):
        enter_score(session, CellRef(built.practical.id, built.withdrawn.id, None, None, 1), "80",
                    expected_version=None)  # fmt: skip


@pytest.mark.parametrize("state", [SheetState.VERIFIED, SheetState.LOCKED, SheetState.PUBLISHED])
def test_a_sheet_that_is_not_being_entered_is_read_only(session: Session, state: SheetState) -> None:
    built = scored_event(session, double_entry=False)
    acting(session, built.clerk)
    cell = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    sheet = session.scalars(select(ScoreSheet).where(ScoreSheet.component_id == built.practical.id)).one()
    sheet.state = state
    session.flush()
    with pytest.raises(SheetClosed, match=f"评分表{state.label}，不能修改"):
        enter_score(session, built.cell(0, 1), "81", expected_version=cell.version)
    with pytest.raises(SheetClosed):
        enter_score(session, built.cell(0, 2), "81", expected_version=None)
    with pytest.raises(SheetClosed):
        clear_score(session, built.cell(0, 1), expected_version=cell.version)
    with pytest.raises(SheetClosed, match="不能修改用时"):
        set_practical_time(session, built.practical.id, built.entries[0].id, "85:30")
    assert load_sheet(session, built.event.id, built.practical.id).value(0, 0) == D(80)


def test_the_second_pass_is_blind_and_keyed_by_somebody_else(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    _key(session, built, 0, ["80", "81", "82", "83", "84"])
    with pytest.raises(PermissionDenied, match="第一遍是您录入的，第二遍必须由另一人录入"):
        enter_score(session, built.cell(0, 1, pass_no=2), "80", expected_version=None)
    acting(session, built.clerk2)
    second = load_sheet(session, built.event.id, built.practical.id, pass_no=2)
    assert second.pass_no == 2 and second.cells == {}  # pass 1's marks are not shown
    enter_score(session, built.cell(0, 1, pass_no=2), "80", expected_version=None)
    enter_score(session, built.cell(1, 1, pass_no=2), "70", expected_version=None)
    assert set(load_sheet(session, built.event.id, built.practical.id, pass_no=2).cells) == {(0, 0), (1, 0)}
    assert _audit(session)[-1].new_value == {"value": "70", "cell": "HG-002 · 技能操作 · 1号裁判 裁判1（第二遍）",
                                             "pass": 2}  # fmt: skip
    # …and the first pass of a cell is not keyed by whoever keyed its second pass.
    with pytest.raises(PermissionDenied, match="第二遍是您录入的"):
        enter_score(session, built.cell(1, 1), "70", expected_version=None)
    assert load_sheet(session, built.event.id, built.practical.id).value(0, 0) == D(80)


def test_single_entry_sheets_have_no_second_pass(session: Session) -> None:
    built = scored_event(session, double_entry=False)
    acting(session, built.clerk2)
    with pytest.raises(ScoreError, match="单人录入＋回读核对"):
        enter_score(session, built.cell(0, 1, pass_no=2), "80", expected_version=None)
    with pytest.raises(ScoreError, match="没有第二遍录入"):
        load_sheet(session, built.event.id, built.practical.id, pass_no=2)


def test_a_judge_linked_to_a_seat_keys_only_that_seat(session: Session) -> None:
    built = scored_event(session)
    judge = make_user(session, "judge3", Role.JUDGE, event_id=built.event.id, display_name="裁判三")
    built.judges[2].user_id = judge.user_id
    session.flush()
    acting(session, judge)
    assert enter_score(session, built.cell(0, 3), "88", expected_version=None).value == D(88)
    with pytest.raises(PermissionDenied, match=r"只能录入自己席位（3号）的评分"):
        enter_score(session, built.cell(0, 1), "88", expected_version=None)
    with pytest.raises(PermissionDenied, match="没有“理论知识”的裁判席位"):
        enter_score(session, built.theory_cell(0), "88", expected_version=None)


def test_a_judge_account_not_linked_to_a_judge_keys_like_a_clerk(session: Session) -> None:
    built = scored_event(session)
    judge = make_user(session, "floating", Role.JUDGE, event_id=built.event.id)
    acting(session, judge)
    assert enter_score(session, built.cell(0, 4), "88", expected_version=None).value == D(88)


def test_a_linked_judge_keys_worldskills_measurements_and_their_own_judgement_seat(session: Session) -> None:
    built = scored_event(session)
    ws = worldskills_component(session, built)
    judge = make_user(session, "wsjudge", Role.JUDGE, event_id=built.event.id)
    built.judges[1].user_id = judge.user_id
    session.add(JudgeAssignment(judge_id=built.judges[1].id, event_id=built.event.id, component_id=ws.component.id,
                                seat=2))  # fmt: skip
    session.flush()
    acting(session, judge)
    enter_score(session, CellRef(ws.component.id, ws.entry.id, None, ws.measurement.id, 1), "2", expected_version=None)
    enter_score(session, CellRef(ws.component.id, ws.entry.id, None, ws.judgement.id, 2), "3", expected_version=None)
    with pytest.raises(PermissionDenied, match="2号"):
        enter_score(session, CellRef(ws.component.id, ws.entry.id, None, ws.judgement.id, 1), "3",
                    expected_version=None)  # fmt: skip


def test_a_clerk_of_another_event_can_neither_see_nor_key(session: Session) -> None:
    built = scored_event(session)
    other = scored_event(session, name="别的赛事")
    acting(session, other.clerk)
    with pytest.raises(PermissionDenied, match="录分员甲（录分员）没有在“焊工”赛项查看成绩的权限"):
        load_sheet(session, built.event.id, built.practical.id)
    with pytest.raises(PermissionDenied, match="录入成绩的权限"):
        enter_score(session, built.cell(0, 1), "80", expected_version=None)
    with pytest.raises(PermissionDenied):
        set_practical_time(session, built.practical.id, built.entries[0].id, "85:30")
    assert session.scalar(select(func.count()).select_from(Score)) == 0


def test_an_organiser_may_look_but_not_key(session: Session) -> None:
    built = scored_event(session)
    acting(session, make_user(session, "organiser", Role.ORGANISER))
    assert load_sheet(session, built.event.id, built.practical.id).rows
    with pytest.raises(PermissionDenied, match="录入成绩"):
        enter_score(session, built.cell(0, 1), "80", expected_version=None)


# --- clearing and times ---------------------------------------------------------------------


def test_clear_score_deletes_with_an_audit_record_and_checks_the_version(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    cell = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    with pytest.raises(ScoreConflict):
        clear_score(session, built.cell(0, 1), expected_version=cell.version + 1)
    clear_score(session, built.cell(0, 1), expected_version=cell.version, reason="录错格")
    assert session.get(Score, cell.score_id) is None
    record = _audit(session)[-1]
    assert (record.action, record.entity_id, record.reason) == ("score.clear", cell.score_id, "录错格")
    assert record.old_value == {"value": "80", "by": built.clerk.user_id,
                                "cell": "HG-001 · 技能操作 · 1号裁判 裁判1", "pass": 1}  # fmt: skip
    with pytest.raises(ScoreConflict, match="已被他人删除"):
        clear_score(session, built.cell(0, 1), expected_version=cell.version)
    again = enter_score(session, built.cell(0, 1), "79", expected_version=None)
    assert again.value == D(79)


def test_practical_time_is_parsed_stored_and_audited(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    entry = built.entries[0]
    assert set_practical_time(session, built.practical.id, entry.id, "85:30") == D(5130)
    assert session.get_one(Entry, entry.id).practical_seconds == D(5130)
    record = _audit(session)[-1]
    assert (record.action, record.old_value, record.new_value) == (
        "entry.time", {"practical_seconds": None}, {"practical_seconds": "1:25:30"})  # fmt: skip
    records = len(_audit(session))
    assert set_practical_time(session, built.practical.id, entry.id, "1:25:30") == D(5130)
    assert len(_audit(session)) == records  # unchanged: no record
    sheet = load_sheet(session, built.event.id, built.practical.id)
    assert sheet.rows[0].practical_seconds == D(5130)
    assert set_practical_time(session, built.practical.id, entry.id, "") is None
    assert session.get_one(Entry, entry.id).practical_seconds is None
    with pytest.raises(MarkError, match="应写作 分:秒"):
        set_practical_time(session, built.practical.id, entry.id, "很久")
    with pytest.raises(MarkError, match="大于 0"):
        set_practical_time(session, built.practical.id, entry.id, "0:00")
    with pytest.raises(ScoreError, match="已退赛"):
        set_practical_time(session, built.practical.id, built.withdrawn.id, "85:30")


def test_time_flags_show_on_the_practical_sheet(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    set_practical_time(session, built.practical.id, built.entries[0].id, "121:00")
    set_practical_time(session, built.practical.id, built.entries[1].id, "11:00")
    set_practical_time(session, built.practical.id, built.entries[2].id, "100:00")
    sheet = load_sheet(session, built.event.id, built.practical.id)
    flags = sheet_flags(sheet)
    assert "超过规定时长 120 分钟" in flags[0][0].message
    assert "十分之一" in flags[1][0].message
    assert 2 not in flags


def test_the_first_use_of_a_sheet_follows_the_events_verification_method(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    session.add(ScoreSheet(event_id=built.event.id, component_id=built.theory.id, double_entry=False))
    session.flush()
    assert not load_sheet(session, built.event.id, built.practical.id).double_entry


def test_a_judge_of_the_panel_stays_recorded_when_the_seat_changes_hands(session: Session) -> None:
    built = scored_event(session)
    acting(session, built.clerk)
    cell = enter_score(session, built.cell(0, 1), "80", expected_version=None)
    substitute = Judge(competition_id=built.competition.id, name="替补裁判")
    session.add(substitute)
    session.flush()
    assignment = session.scalars(select(JudgeAssignment).where(JudgeAssignment.judge_id == built.judges[0].id)).one()
    assignment.judge_id = substitute.id
    session.flush()
    sheet = load_sheet(session, built.event.id, built.practical.id)
    assert sheet.columns[0].label == "1号裁判 替补裁判" and sheet.value(0, 0) == D(80)
    assert session.get_one(Score, cell.score_id).judge_id == built.judges[0].id
    enter_score(session, built.cell(0, 1), "82", expected_version=cell.version)
    assert session.get_one(Score, cell.score_id).judge_id == substitute.id
