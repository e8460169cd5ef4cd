"""The paper workflow: the 成绩录入表 written out, filled in, imported all or nothing.

Real .xlsx files in and out, a real database (SQLite and PostgreSQL). Every bad workbook must
give its exact problems (sheet, Excel row, column, Chinese message) and write nothing.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.cli import main
from competition_app.domain import idcard
from competition_app.domain.enums import AspectType, EntryStatus, Gender, PanelMethod, Role, SheetState
from competition_app.excel.columns import COMPETITION, SCORES
from competition_app.excel.scores_import import check_scores_workbook, import_scores
from competition_app.excel.scores_sheet import GRID_SHEET, HEADER_ROW, INSTRUCTIONS_SHEET, write_scores_sheet
from competition_app.services.auth import act_as, create_first_admin, hash_password
from competition_app.services.scores import CellRef, ensure_sheet, enter_score, load_sheet
from competition_app.services.sheets import differences
from competition_app.tasks import Cancelled, Progress
from db.models import (
    AuditRecord,
    Component,
    Entry,
    Event,
    EventGroup,
    Judge,
    JudgeAssignment,
    MarkingAspect,
    Person,
    Score,
    User,
)
from db.session import Database
from tests.factories import Minimal, minimal_event
from tests.support.accounts import acting, make_user
from tests.test_excel_import import Formula, write_workbook

SCORE_HEADERS = ("1号裁判", "2号裁判", "3号裁判", "4号裁判", "5号裁判")


@dataclass
class Setup:
    base: Minimal
    entries: list[Entry]

    @property
    def event_id(self) -> int:
        return self.base.event.id

    @property
    def practical_id(self) -> int:
        return self.base.practical.id

    @property
    def theory_id(self) -> int:
        return self.base.theory.id


def setup_event(session: Session, count: int = 3, *, anonymous: bool = False) -> Setup:
    """焊工 with ``count`` entries HG-001…; 技能操作 by 5 judges (1 decimal), 理论知识 single."""
    base = minimal_event(session)
    entries = [base.entry]
    for n in range(2, count + 1):
        number = idcard.compose("370802", date(1990, 1, n), n, Gender.MALE)
        person = Person(id_number=number, name=f"选手{n}", birth_date=date(1990, 1, n))
        session.add(person)
        session.flush()
        entry = Entry(event_id=base.event.id, group_id=base.group.id, person_id=person.id, bib=f"HG-{n:03d}")
        session.add(entry)
        entries.append(entry)
    if anonymous:
        base.event.anonymous_marking = True
        for n, entry in enumerate(entries, start=1):
            entry.anon_code = str(7000 + n)
    session.flush()
    return Setup(base, entries)


def grid_of(path: Path, sheet: str = GRID_SHEET) -> list[list[Any]]:
    with CalamineWorkbook.from_path(str(path)) as workbook:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def fill(template: Path, out: Path, marks: dict[str, dict[str, Any]], *, extra: list[list[Any]] = ()) -> Path:
    """The template with ``marks`` (code → header → value) typed in, saved as a new workbook."""
    grid = [list(row) for row in grid_of(template)]
    header = grid[HEADER_ROW]
    for row in grid[HEADER_ROW + 1 :]:
        for title, value in marks.get(str(row[0]), {}).items():
            row[next(i for i, cell in enumerate(header) if str(cell).startswith(title))] = value
    grid.extend(list(row) for row in extra)
    return write_workbook(out, {GRID_SHEET: grid})


def every_mark(codes: list[str], value: str = "85") -> dict[str, dict[str, Any]]:
    return {code: dict.fromkeys(SCORE_HEADERS, value) for code in codes}


def problems(plan: Any) -> list[tuple[str, int, str, str]]:
    return [(p.sheet, p.row, p.column, p.message) for p in plan.report.problems]


def count(session: Session, model: type, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


# --- the template -----------------------------------------------------------------------------


def test_the_template_lists_markable_rows_with_the_values_of_its_pass(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 3)
    setup.entries[2].status = EntryStatus.WITHDRAWN
    session.flush()
    enter_score(
        session, CellRef(setup.practical_id, setup.entries[0].id, None, None, 2), "88.50", expected_version=None
    )
    path = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    grid = grid_of(path)
    assert grid[0][0] == "测试赛事 · 焊工 · 技能操作 成绩录入表（第1遍）"
    assert [row[:2] for row in grid[1:5]] == [["赛事", "测试赛事"], ["赛项", "焊工"], ["评分项", "技能操作"],
                                              ["录入遍次", "第1遍（双人录入）"]]  # fmt: skip
    assert grid[HEADER_ROW - 1][3:] == ["0–100，最多1位小数"] * 5
    assert grid[HEADER_ROW] == ["参赛编号", "组别", "姓名", *SCORE_HEADERS]
    rows = grid[HEADER_ROW + 1 :]
    assert [row[:3] for row in rows] == [["HG-001", "职工组", "张三"], ["HG-002", "职工组", "选手2"]]  # HG-003 withdrew
    assert rows[0][3:] == ["", "88.5", "", "", ""]  # as stored, written as text
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count('type="custom"') == 5
    assert "AND(ISNUMBER(VALUE(D9)),VALUE(D9)&gt;=0,VALUE(D9)&lt;=100,ROUND(VALUE(D9),1)=VALUE(D9))" in xml
    with CalamineWorkbook.from_path(str(path)) as workbook:
        assert workbook.sheet_names == [GRID_SHEET, INSTRUCTIONS_SHEET]
        notes = [row[0] for row in workbook.get_sheet_by_name(INSTRUCTIONS_SHEET).to_python()]
    assert any("全部或全不" in line for line in notes)

    blind = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "第二遍.xlsx", pass_no=2)
    second = grid_of(blind)
    assert second[4][1] == "第2遍（双人录入）"
    assert all(cell == "" for row in second[HEADER_ROW + 1 :] for cell in row[3:])  # pass 2 is blind


def test_an_anonymous_template_shows_codes_and_no_names(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 2, anonymous=True)
    path = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "匿名.xlsx")
    grid = grid_of(path)
    assert grid[HEADER_ROW][:3] == ["检录号", "组别", "1号裁判"]
    assert [row[0] for row in grid[HEADER_ROW + 1 :]] == ["7001", "7002"]
    assert not any("张三" in str(cell) or "HG-00" in str(cell) for row in grid for cell in row)
    plan = check_scores_workbook(session, fill(path, tmp_path / "填好.xlsx", every_mark(["7001", "7002"])))
    assert plan.ok, problems(plan)
    assert plan.counts.created == 10

    setup.base.event.anon_revealed_at = datetime(2026, 5, 21, 12, 0, tzinfo=UTC)
    session.flush()
    revealed = grid_of(write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "解密后.xlsx"))
    assert revealed[HEADER_ROW][:3] == ["检录号", "组别", "姓名"]  # still the codes on the judges' paper
    assert [row[:3] for row in revealed[HEADER_ROW + 1 :]] == [["7001", "职工组", "张三"], ["7002", "职工组", "选手2"]]
    assert import_scores(session, fill(path, tmp_path / "解密后填好.xlsx", every_mark(["7002"]))).counts.created == 5


def test_an_entry_without_a_bib_is_named_as_in_the_grid(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 2)
    setup.entries[1].bib = None
    session.flush()
    path = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    code = f"#{setup.entries[1].id}"
    assert [row[0] for row in grid_of(path)[HEADER_ROW + 1 :]] == ["HG-001", code]
    outcome = import_scores(session, fill(path, tmp_path / "填好.xlsx", every_mark([code], "66")))
    assert outcome.written and outcome.counts.created == 5
    assert load_sheet(session, setup.event_id, setup.practical_id).row_values(1) == [Decimal(66)] * 5


# --- round trip --------------------------------------------------------------------------------


def test_round_trip_template_fill_import(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 3)
    template = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    marks = every_mark(["HG-001", "HG-002", "HG-003"], "85")
    marks["HG-002"] = {"1号裁判": "90.5", "2号裁判": 91.5, "3号裁判": "９２", "4号裁判": 88, "5号裁判": " 89.0 "}
    filled = fill(template, tmp_path / "填好.xlsx", marks)
    before = len(audit_actions(session))

    outcome = import_scores(session, filled)
    assert outcome.report.ok, problems(outcome)
    assert outcome.written
    assert (outcome.counts.created, outcome.counts.changed, outcome.counts.sheets) == (15, 0, 1)
    sheet = load_sheet(session, setup.event_id, setup.practical_id)
    assert sheet.row_values(1) == [Decimal("90.5"), Decimal("91.5"), Decimal("92"), Decimal("88"), Decimal("89.0")]
    assert sheet.row_values(0) == [Decimal(85)] * 5
    actions = audit_actions(session)[before:]
    assert actions.count("score.enter") == 15
    assert actions[-1] == "score.import"
    summary = session.scalars(select(AuditRecord).where(AuditRecord.action == "score.import")).one()
    assert summary.new_value == {"file": "填好.xlsx", "component": "技能操作", "pass": 1, "created": 15, "changed": 0}

    again = import_scores(session, filled)
    assert not again.written
    assert (again.counts.created, again.counts.unchanged) == (0, 15)
    assert len(audit_actions(session)) == len(actions) + before
    refreshed = grid_of(write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "再导出.xlsx"))
    assert refreshed[HEADER_ROW + 2][3:] == ["90.5", "91.5", "92", "88", "89"]


def test_every_problem_is_reported_with_its_place_and_nothing_is_written(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 3)
    template = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    marks = {
        "HG-001": {"1号裁判": "abc", "2号裁判": "101", "3号裁判": "86.55", "4号裁判": date(2026, 5, 20),
                   "5号裁判": Formula("=80+5", 85)},
        "HG-002": {"1号裁判": "-1", "2号裁判": "80", "3号裁判": "80", "4号裁判": "80", "5号裁判": "85分"},
        "HG-003": every_mark(["x"])["x"],
    }  # fmt: skip
    extra = [["HG-999", "职工组", "", "80"], ["HG-003", "", "", "70"], ["", "", "", "70"], ["HG-004", "", "", ""]]
    filled = fill(template, tmp_path / "有错.xlsx", marks, extra=extra)
    before = (count(session, Score), len(audit_actions(session)))

    outcome = import_scores(session, filled)
    assert not outcome.written
    assert problems(outcome) == [
        ("成绩录入", 9, "D列“1号裁判”", "“abc”不是数字"),
        ("成绩录入", 9, "E列“2号裁判”", "101 超出范围：本项满分 100"),
        ("成绩录入", 9, "F列“3号裁判”", "86.55：本项最多 1 位小数"),
        ("成绩录入", 9, "G列“4号裁判”", "是日期或时间（2026-05-20），本列应为文字：Excel 把输入识别成了日期；"
                                       "请将该列设置为文本格式后重新输入"),
        ("成绩录入", 9, "H列“5号裁判”", "单元格 H9 是公式：导入只接受直接填写的值；请复制后“选择性粘贴为数值”"),
        ("成绩录入", 10, "D列“1号裁判”", "分数不能为负数：-1"),
        ("成绩录入", 10, "H列“5号裁判”", "“85分”不是数字"),
        ("成绩录入", 12, "A列“参赛编号”", "“HG-999”不是“焊工”的参赛编号"),
        ("成绩录入", 13, "A列“参赛编号”", "参赛编号“HG-003”与第11行重复"),
        ("成绩录入", 14, "A列“参赛编号”", "缺少参赛编号：无法确定这一行是谁的成绩"),
    ]  # fmt: skip
    assert (count(session, Score), len(audit_actions(session))) == before


def test_a_cell_holding_a_different_value_is_refused_unless_replace(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 2)
    first = acting(session, make_user(session, "lu1", Role.CLERK, event_id=setup.event_id, display_name="录分员甲"))
    ref = CellRef(setup.practical_id, setup.entries[0].id, None, None, 1)
    enter_score(session, ref, "80", expected_version=None)
    template = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    filled = fill(template, tmp_path / "改.xlsx", {"HG-001": {"1号裁判": "85", "2号裁判": "70"}})

    refused = import_scores(session, filled)
    assert problems(refused) == [
        ("成绩录入", 9, "D列“1号裁判”", "数据库中第1遍已有成绩 80（录分员甲录入），与表中的 85 不同；确需修改请选择"
                                       "“替换已有成绩”（命令行 --replace），每处修改记入审计日志"),
    ]  # fmt: skip
    assert load_sheet(session, setup.event_id, setup.practical_id).row_values(0)[:2] == [Decimal(80), None]

    replaced = import_scores(session, filled, replace=True)
    assert replaced.written and (replaced.counts.created, replaced.counts.changed) == (1, 1)
    assert load_sheet(session, setup.event_id, setup.practical_id).row_values(0)[:2] == [Decimal(85), Decimal(70)]
    change = session.scalars(select(AuditRecord).where(AuditRecord.action == "score.change")).one()
    assert change.old_value == {"value": "80", "by": first.user_id}
    assert change.new_value is not None and change.new_value["value"] == "85"
    assert change.username == "lu1"


def test_pass_two_is_keyed_by_another_clerk_and_differences_show(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 3)
    codes = ["HG-001", "HG-002", "HG-003"]
    clerk_a = make_user(session, "lu_a", Role.CLERK, event_id=setup.event_id)
    clerk_b = make_user(session, "lu_b", Role.CLERK, event_id=setup.event_id)
    acting(session, clerk_a)
    template = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "第一遍.xlsx")
    assert import_scores(session, fill(template, tmp_path / "甲.xlsx", every_mark(codes))).written

    blind = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "第二遍.xlsx", pass_no=2)
    marks = every_mark(codes)
    marks["HG-002"]["3号裁判"] = "58"
    second = fill(blind, tmp_path / "乙.xlsx", marks)

    own = check_scores_workbook(session, second)  # clerk A keys pass 2 of their own pass 1
    assert len(own.report.problems) == 15
    assert problems(own)[0] == ("成绩录入", 9, "D列“1号裁判”", "第一遍是您录入的，第二遍必须由另一人录入")

    act_as(session, clerk_b)
    as_pass_two = check_scores_workbook(session, fill(template, tmp_path / "甲抄.xlsx", every_mark(codes)), pass_no=2)
    assert problems(as_pass_two) == [
        ("成绩录入", 5, "B列“录入遍次”",
         "本表是第1遍录入表，不能作为第2遍导入：两遍须各自独立录入，请导出第2遍录入表"),
    ]  # fmt: skip
    outcome = import_scores(session, second)
    assert outcome.written and outcome.counts.created == 15
    found = differences(session, setup.event_id, setup.practical_id)
    assert [(d.row, d.column, d.first.value if d.first else None, d.second.value if d.second else None)
            for d in found] == [(1, 2, Decimal(85), Decimal(58))]  # fmt: skip


def test_pass_two_does_not_exist_on_a_single_entry_sheet(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 1)
    ensure_sheet(session, setup.event_id, setup.theory_id).double_entry = False
    session.flush()
    template = write_scores_sheet(session, setup.event_id, setup.theory_id, tmp_path / "理论.xlsx")
    assert grid_of(template)[4][1] == "第1遍（单人录入＋回读核对）"
    filled = fill(template, tmp_path / "理论填好.xlsx", {"HG-001": {"分数": "77.5"}})
    plan = check_scores_workbook(session, filled, event_id=setup.event_id, component_id=setup.theory_id, pass_no=2)
    assert problems(plan) == [
        ("成绩录入", 5, "B列“录入遍次”", "本表是第1遍录入表，不能作为第2遍导入：两遍须各自独立录入，请导出第2遍录入表")
    ]
    plan = check_scores_workbook(session, filled, event_id=setup.event_id, component_id=setup.practical_id)
    assert problems(plan) == [("成绩录入", 4, "B列“评分项”", "本表是“理论知识”的成绩，不是所选的“技能操作”")]
    assert import_scores(session, filled).counts.created == 1


def test_a_clerk_of_another_event_is_refused(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 2)
    template = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    filled = fill(template, tmp_path / "填好.xlsx", every_mark(["HG-001"]))
    other = Event(competition_id=setup.base.competition.id, name="电工", occupation="电工")
    session.add(other)
    session.flush()
    acting(session, make_user(session, "other_clerk", Role.CLERK, event_id=other.id, display_name="外项录分员"))
    outcome = import_scores(session, filled)
    assert problems(outcome) == [("成绩录入", 0, "", "外项录分员（录分员）没有在“焊工”赛项录入成绩的权限")]
    assert count(session, Score) == 0


def test_a_judge_keys_only_their_own_seat(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 1)
    actor = make_user(session, "judge2", Role.JUDGE, event_id=setup.event_id, display_name="李裁判")
    judge = Judge(competition_id=setup.base.competition.id, name="李裁判", user_id=actor.user_id)
    judge.assignments = [JudgeAssignment(event_id=setup.event_id, component_id=setup.practical_id, seat=2)]
    session.add(judge)
    session.flush()
    acting(session, actor)
    template = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    assert grid_of(template)[HEADER_ROW][4] == "2号裁判 李裁判"
    filled = fill(template, tmp_path / "填好.xlsx", {"HG-001": {"1号裁判": "80", "2号裁判": "81"}})
    assert problems(import_scores(session, filled)) == [
        ("成绩录入", 9, "D列“1号裁判”", "李裁判（裁判员）只能录入自己席位（2号）的评分")
    ]
    own = fill(template, tmp_path / "自己.xlsx", {"HG-001": {"2号裁判": "81"}})
    assert import_scores(session, own).counts.created == 1


def test_a_locked_sheet_is_refused(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 1)
    template = write_scores_sheet(session, setup.event_id, setup.practical_id, tmp_path / "录入表.xlsx")
    ensure_sheet(session, setup.event_id, setup.practical_id).state = SheetState.LOCKED
    session.flush()
    outcome = import_scores(session, fill(template, tmp_path / "填好.xlsx", every_mark(["HG-001"])))
    assert problems(outcome) == [
        ("成绩录入", 0, "", "“焊工 · 技能操作”评分表裁判长签字锁定，不能导入；如需更正，请裁判长解锁并说明原因")
    ]
    assert count(session, Score) == 0


def test_a_workbook_that_is_not_a_scores_sheet(session: Session, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "别的.xlsx", {"Sheet1": [["姓名"], ["张三"]]})
    assert problems(check_scores_workbook(session, path)) == [
        ("", 0, "", "找不到成绩表：工作簿中应有“成绩录入”工作表（由“导出成绩录入表”生成）或报名工作簿的“成绩”工作表；"
                    "现有工作表：Sheet1"),
    ]  # fmt: skip
    missing = check_scores_workbook(session, tmp_path / "没有.xlsx")
    assert problems(missing)[0][3].startswith("文件不存在")


def test_worldskills_aspects_are_columns_and_judgement_scores_are_0_to_3(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 1)
    component = Component(event_id=setup.event_id, name="世赛模块", kind=setup.base.practical.kind, weight=Decimal(1),
                          panel_method=PanelMethod.WORLDSKILLS, panel_size=3, sort_order=2)  # fmt: skip
    component.aspects = [
        MarkingAspect(criterion_code="A", criterion_name="A", sub_criterion_code="A1", sub_criterion_name="A1",
                      aspect_type=AspectType.MEASUREMENT, description="尺寸", max_mark=Decimal(2), sort_order=1),
        MarkingAspect(criterion_code="A", criterion_name="A", sub_criterion_code="A1", sub_criterion_name="A1",
                      aspect_type=AspectType.JUDGEMENT, description="外观", max_mark=Decimal(3), sort_order=2),
    ]  # fmt: skip
    session.add(component)
    session.flush()
    template = write_scores_sheet(session, setup.event_id, component.id, tmp_path / "世赛.xlsx")
    grid = grid_of(template)
    assert grid[HEADER_ROW][3:] == ["A1.1 M", "A1.2 J1", "A1.2 J2", "A1.2 J3"]
    assert grid[HEADER_ROW - 1][3:] == ["0–2，最多2位小数", "0–3 整数", "0–3 整数", "0–3 整数"]
    marks = {"HG-001": {"A1.1 M": "1.25", "A1.2 J1": "2", "A1.2 J2": "3", "A1.2 J3": "4"}}
    bad = check_scores_workbook(session, fill(template, tmp_path / "错.xlsx", marks))
    assert problems(bad) == [("成绩录入", 9, "G列“A1.2 J3”", "评价分只能是 0–3 的整数：4")]
    marks["HG-001"]["A1.2 J3"] = "2"
    assert import_scores(session, fill(template, tmp_path / "对.xlsx", marks)).counts.created == 4
    stored = load_sheet(session, setup.event_id, component.id).row_values(0)
    assert stored == [Decimal("1.25"), Decimal(2), Decimal(3), Decimal(2)]


# --- the registration workbook's 成绩 sheet ------------------------------------------------------


def scores_rows(*rows: dict[str, Any]) -> list[list[Any]]:
    return [
        [column.title for column in SCORES.columns],
        *([row.get(c.key, "") for c in SCORES.columns] for row in rows),
    ]


def competition_sheet(name: str = "测试赛事") -> list[list[Any]]:
    return [[column.title for column in COMPETITION.columns], [name] + [""] * (len(COMPETITION.columns) - 1)]


def test_the_registration_scores_sheet_checks_every_row(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 3)
    second_id = session.scalar(select(Person.id_number).where(Person.id == setup.entries[1].person_id))
    rows = scores_rows(
        {"event": "示例：焊工", "bib": "HG-001", "component": "技能操作", "seat": 1, "score": "86.5"},
        {"event": "焊工", "bib": "HG-001", "component": "理论知识", "score": "86.5"},
        {"event": "焊工", "id_number": second_id, "component": "理论知识", "score": 90},
        {"event": "焊工", "bib": "HG-001", "component": "技能操作", "seat": 6, "score": "80"},
        {"event": "焊工", "bib": "HG-001", "component": "技能操作", "score": "80"},
        {"event": "焊工", "bib": "HG-001", "component": "实操", "seat": 1, "score": "80"},
        {"event": "电工", "bib": "HG-001", "component": "技能操作", "seat": 1, "score": "80"},
        {"event": "焊工", "bib": "HG-001", "component": "理论知识", "score": "86.5"},
        {"event": "焊工", "bib": "HG-003", "id_number": second_id, "component": "理论知识", "score": "70"},
        {"event": "焊工", "bib": "HG-003", "component": "理论知识", "seat": 2, "score": "70"},
        {"event": "焊工", "bib": "HG-009", "component": "理论知识", "score": "70"},
        {"event": "焊工", "bib": "HG-002", "component": "技能操作", "seat": 3, "score": "100.5"},
    )
    path = write_workbook(tmp_path / "报名.xlsx", {"赛事": competition_sheet(), "成绩": rows})
    plan = check_scores_workbook(session, path)
    assert problems(plan) == [
        ("成绩", 5, "E列“裁判席位”", "裁判席位6超出范围：“技能操作”的席位为1–5"),
        ("成绩", 6, "E列“裁判席位”", "“技能操作”由5名裁判评分：须填写裁判席位1–5"),
        ("成绩", 7, "D列“评分项”", "赛项“焊工”没有评分项“实操”；现有评分项：理论知识、技能操作"),
        ("成绩", 8, "A列“赛项”", "没有赛项“电工”（赛事“测试赛事”）"),
        ("成绩", 9, "B列“参赛编号”", "与第3行是同一成绩（HG-001 · 理论知识 · 1号席位）"),
        ("成绩", 10, "C列“证件号码”", "与参赛编号“HG-003”不是同一人"),
        ("成绩", 11, "E列“裁判席位”", "“理论知识”只有一个分数：裁判席位应留空或填1，实际为2"),
        ("成绩", 12, "B列“参赛编号”", "“HG-009”不是“焊工”的参赛编号"),
        ("成绩", 13, "F列“分数”", "100.5 超出范围：本项满分 100"),
    ]
    assert count(session, Score) == 0

    good = write_workbook(tmp_path / "好.xlsx", {"赛事": competition_sheet(), "成绩": [rows[0], rows[2], rows[3]]})
    outcome = import_scores(session, good)
    assert outcome.written and outcome.counts.created == 2
    theory = load_sheet(session, setup.event_id, setup.theory_id)
    assert [theory.value(0, 0), theory.value(1, 0), theory.value(2, 0)] == [Decimal("86.5"), Decimal(90), None]

    only_practical = import_scores(session, path, event_id=setup.event_id, component_id=setup.practical_id)
    assert [(p.row, p.column) for p in only_practical.report.problems] == [
        (5, "E列“裁判席位”"),
        (6, "E列“裁判席位”"),
        (7, "D列“评分项”"),
        (13, "F列“分数”"),
    ]  # a typo in 评分项 may mean the chosen one: still reported
    assert [(w.sheet, w.row, w.message) for w in only_practical.report.warnings] == [
        ("成绩", 0, "有7行不属于所选的赛项或评分项，已跳过")
    ]


def test_an_anonymous_event_is_not_keyed_by_bib_before_it_is_revealed(session: Session, tmp_path: Path) -> None:
    setup = setup_event(session, 1, anonymous=True)
    rows = scores_rows({"event": "焊工", "bib": "HG-001", "component": "理论知识", "score": "60"})
    path = write_workbook(tmp_path / "报名.xlsx", {"成绩": rows})
    acting(session, make_user(session, "clerk", Role.CLERK, event_id=setup.event_id))
    assert problems(check_scores_workbook(session, path)) == [
        ("成绩", 2, "B列“参赛编号”", "“焊工”匿名评分，尚未解密：不能按参赛编号或证件号码导入，请用按检录号的成绩录入表")
    ]
    acting(session, make_user(session, "chief", Role.ADMIN))  # holds 抽签: knows the link anyway
    assert check_scores_workbook(session, path).ok
    setup.base.event.anon_revealed_at = datetime(2026, 5, 21, 12, 0, tzinfo=UTC)
    session.flush()
    acting(session, make_user(session, "clerk2", Role.CLERK, event_id=setup.event_id))
    assert check_scores_workbook(session, path).ok


# --- cancelling and the command line ----------------------------------------------------------


def _populated(database: Database, count_: int = 3) -> tuple[int, int]:
    with database.transaction() as session:
        setup = setup_event(session, count_)
        return setup.event_id, setup.practical_id


def test_cancelling_rolls_the_whole_import_back(sqlite_database: Database, tmp_path: Path) -> None:
    event_id, practical_id = _populated(sqlite_database)
    with sqlite_database.transaction() as session:
        template = write_scores_sheet(session, event_id, practical_id, tmp_path / "录入表.xlsx")
    filled = fill(template, tmp_path / "填好.xlsx", every_mark(["HG-001", "HG-002", "HG-003"]))
    seen: list[str] = []

    def cancel_when_writing(done: int, total: int, text: str) -> None:
        seen.append(text)
        if text.startswith("写入成绩"):
            progress.cancel()  # the clerk presses 取消 once keying has started

    progress = Progress(cancel_when_writing)
    with pytest.raises(Cancelled), sqlite_database.transaction() as session:
        import_scores(session, filled, progress=progress)
    assert "写入成绩 0/15" in seen
    with sqlite_database.session() as session:
        assert count(session, Score) == 0
        assert "score.enter" not in audit_actions(session)


def test_cli_template_and_import(sqlite_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _populated(sqlite_database)
    url = str(sqlite_database.engine.url)
    template = tmp_path / "录入表.xlsx"
    assert main(["--db", url, "scores", "template", "焊工", "技能操作", str(template)]) == 0
    assert "已生成成绩录入表" in capsys.readouterr().out
    filled = fill(template, tmp_path / "填好.xlsx", every_mark(["HG-001", "HG-002"]))

    assert main(["--db", url, "scores", "import", str(filled), "--dry-run"]) == 0
    assert "检查通过（未写入）。将新增成绩 10 个（1 张评分表）" in capsys.readouterr().out
    with sqlite_database.session() as session:
        assert count(session, Score) == 0
    assert main(["--db", url, "scores", "import", str(filled), "--event", "焊工", "--component", "技能操作"]) == 0
    assert "导入完成：新增成绩 10 个（1 张评分表）" in capsys.readouterr().out

    bad = fill(template, tmp_path / "坏.xlsx", {"HG-003": {"1号裁判": "八十"}})
    assert main(["--db", url, "scores", "import", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "发现1个问题，未导入任何数据" in captured.err
    assert "成绩录入  11  D列“1号裁判”  “八十”不是数字" in captured.err
    second = tmp_path / "第二遍.xlsx"
    assert main(["--db", url, "scores", "template", "焊工", "技能操作", str(second), "--pass", "2"]) == 0
    assert grid_of(second)[4][1] == "第2遍（双人录入）"
    capsys.readouterr()
    assert main(["--db", url, "scores", "template", "钳工", "技能操作", str(template)]) == 1
    assert "没有赛项“钳工”" in capsys.readouterr().err
    with sqlite_database.session() as session:
        assert count(session, Score) == 10


def test_cli_logs_in_and_the_services_refuse_another_events_clerk(
    sqlite_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id, practical_id = _populated(sqlite_database, 1)
    with sqlite_database.transaction() as session:
        template = write_scores_sheet(session, event_id, practical_id, tmp_path / "录入表.xlsx")
        create_first_admin(session, "admin", "管理员", "Adm1n-Passw0rd!")
        group = session.scalar(select(EventGroup.id))
        other = Event(competition_id=session.get(Event, event_id).competition_id, name="电工", occupation="电工")
        session.add(other)
        session.flush()
        assert group is not None
        user = User(username="clerk", display_name="电工录分员", password_hash=hash_password("Cl3rk-Passw0rd!"))
        session.add(user)
        session.flush()
        from db.models import UserRole

        user.roles = [UserRole(role=Role.CLERK, event_id=other.id)]
    filled = fill(template, tmp_path / "填好.xlsx", every_mark(["HG-001"]))
    url = str(sqlite_database.engine.url)
    monkeypatch.delenv("COMPETITION_APP_USER", raising=False)

    assert main(["--db", url, "scores", "import", str(filled)]) == 1
    assert "请用 --user" in capsys.readouterr().err
    monkeypatch.setenv("COMPETITION_APP_PASSWORD", "Cl3rk-Passw0rd!")
    assert main(["--db", url, "--user", "clerk", "scores", "import", str(filled)]) == 1
    assert "电工录分员（录分员）没有在“焊工”赛项录入成绩的权限" in capsys.readouterr().err
    monkeypatch.setenv("COMPETITION_APP_PASSWORD", "Adm1n-Passw0rd!")
    assert main(["--db", url, "--user", "admin", "scores", "import", str(filled)]) == 0
    with sqlite_database.session() as session:
        assert count(session, Score) == 5
        assert session.scalars(select(Score.entered_by_id).distinct()).all() == [
            session.scalar(select(User.id).where(User.username == "admin"))
        ]
