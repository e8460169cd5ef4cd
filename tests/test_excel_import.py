"""Importing the competition workbook: real .xlsx files, good and bad, into a real database.

Every bad workbook must give its exact problems (sheet, Excel row, column, Chinese message) and
leave the database exactly as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.cli import main
from competition_app.domain import idcard
from competition_app.domain.enums import EntryStatus, Gender, Role
from competition_app.excel.columns import COMPETITION, ENTRIES, EVENTS, JUDGES, SCORES, SheetLayout
from competition_app.excel.importer import ImportOutcome, check_workbook, import_workbook
from competition_app.services import audit
from competition_app.tasks import Cancelled, Progress
from db.models import AuditRecord, Competition, Entry, Event, Judge, JudgeAssignment, Person, Team, Unit
from db.session import Database

COMPETITION_NAME = "2026年测试市职业技能大赛"


@dataclass(frozen=True)
class Formula:
    formula: str
    value: Any


def id_number(birth: date, sequence: int = 1, gender: Gender = Gender.MALE, region: str = "370802") -> str:
    return idcard.compose(region, birth, sequence, gender)


ZHANG = id_number(date(1990, 1, 1), 1, Gender.MALE)
LI = id_number(date(1992, 3, 4), 2, Gender.FEMALE)
WANG = id_number(date(2000, 6, 7), 3, Gender.MALE)
ZHAO = id_number(date(1985, 11, 30), 4, Gender.MALE)
SUN = id_number(date(1988, 2, 2), 5, Gender.FEMALE)


def headers(layout: SheetLayout) -> list[str]:
    return [column.title for column in layout.columns]


def row(layout: SheetLayout, **values: Any) -> list[Any]:
    return [values.get(column.key, "") for column in layout.columns]


def competition_row(**values: Any) -> list[Any]:
    base = {"name": COMPETITION_NAME, "year": 2026, "level": "市级", "tier_class": "一类",
            "preset": "市级一类职业技能大赛（通用）", "start_date": date(2026, 5, 20)}  # fmt: skip
    return row(COMPETITION, **{**base, **values})


def event_row(**values: Any) -> list[Any]:
    base = {"name": "焊工", "occupation": "焊工", "kind": "个人赛", "groups": "职工组、学生组", "min_age": 16,
            "max_age": 60}  # fmt: skip
    return row(EVENTS, **{**base, **values})


def entry_row(**values: Any) -> list[Any]:
    base = {"name": "张三", "id_number": ZHANG, "status": "职工", "event": "焊工", "group": "职工组",
            "unit": "测试机械有限公司", "phone": "13800000001"}  # fmt: skip
    return row(ENTRIES, **{**base, **values})


def judge_row(**values: Any) -> list[Any]:
    base = {"name": "赵裁判", "id_number": ZHAO, "unit": "测试技师学院", "events": "焊工", "role": "裁判长"}
    return row(JUDGES, **{**base, **values})


def good_sheets() -> dict[str, list[list[Any]]]:
    return {
        "赛事": [headers(COMPETITION), competition_row()],
        "赛项": [
            headers(EVENTS),
            event_row(),
            event_row(name="电工", occupation="电工", kind="团体赛", team_size=2, groups="职工组"),
        ],
        "选手报名": [
            headers(ENTRIES),
            entry_row(bib="HG-001"),
            entry_row(name="李四", id_number=LI, gender="女", unit="测试技师学院", bib="HG-002"),
            entry_row(name="王五", id_number=WANG, status="学生", group="学生组", unit="测试技师学院"),
            entry_row(event="电工", team="电工一队"),
            entry_row(name="李四", id_number=LI, event="电工", team="电工一队", unit="测试技师学院"),
        ],
        "裁判": [headers(JUDGES), judge_row()],
    }


def write_workbook(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    merge: tuple[str, str, str] | None = None,
    numbers_as_text: bool = True,
) -> Path:
    """Write ``sheets`` as a real .xlsx: strings as text, ints as numbers, dates as Excel dates,
    ``Formula`` as formulas with a cached value; ``merge`` = (sheet, range, text) merges cells."""
    workbook = xlsxwriter.Workbook(str(path))
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value == "" or value is None:
                    continue
                if isinstance(value, Formula):
                    sheet.write_formula(r, c, value.formula, None, value.value)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        if merge is not None and merge[0] == name:
            sheet.merge_range(merge[1], merge[2])
    workbook.close()
    return path


def table_counts(session: Session) -> dict[str, int]:
    models = {"competitions": Competition, "events": Event, "people": Person, "entries": Entry, "units": Unit,
              "teams": Team, "judges": Judge, "assignments": JudgeAssignment, "audit": AuditRecord}  # fmt: skip
    return {name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in models.items()}


def problems_of(outcome: ImportOutcome) -> list[tuple[str, int, str, str]]:
    return [(p.sheet, p.row, p.column, p.message) for p in outcome.report.problems]


def import_bad(session: Session, path: Path) -> list[tuple[str, int, str, str]]:
    """Import a workbook that must be refused; asserts that nothing was written."""
    before = table_counts(session)
    outcome = import_workbook(session, path)
    assert not outcome.written
    assert outcome.report.problems
    assert table_counts(session) == before
    return problems_of(outcome)


# --- good workbooks -----------------------------------------------------------------------------


def test_a_good_workbook_imports_everything(session: Session, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "good.xlsx", good_sheets())
    before = table_counts(session)
    outcome = import_workbook(session, path, username="赛务")
    assert outcome.report.problems == ()
    assert outcome.written
    after = table_counts(session)
    assert {key: after[key] - before[key] for key in after} == {
        "competitions": 1, "events": 2, "people": 3, "entries": 5, "units": 2, "teams": 1, "judges": 1,
        "assignments": 1, "audit": 1 + 1 + 2 + 1,  # competition, rule set copy, two events, the import summary
    }  # fmt: skip
    zhang = session.scalars(select(Person).where(Person.id_number == ZHANG)).one()
    assert (zhang.name, zhang.gender, zhang.birth_date, zhang.phone) == ("张三", Gender.MALE, date(1990, 1, 1),
                                                                         "13800000001")  # fmt: skip
    assert zhang.name_pinyin == "zhangsan zs"
    assert zhang.unit is not None and zhang.unit.name == "测试机械有限公司"
    team = session.scalars(select(Team).where(Team.name == "电工一队")).one()
    assert len(team.members) == 2
    judge = session.scalars(select(Judge).where(Judge.id_number == ZHAO)).one()
    assert [a.role for a in judge.assignments] == [Role.CHIEF_JUDGE]
    summary = session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
    assert summary is not None and summary.action == "import" and summary.username == "赛务"
    assert summary.new_value is not None and summary.new_value["entries_created"] == 5
    assert audit.first_broken_link(session) is None
    # A judge from the same unit as contestants of the event they judge: a warning, not an error.
    assert [(w.sheet, w.row, w.column, w.message) for w in outcome.report.warnings] == [
        ("裁判", 2, "C列“单位”", "回避提醒：裁判“赵裁判”与赛项“焊工”的2名选手同属“测试技师学院”"),
    ]


def test_importing_the_same_workbook_again_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "good.xlsx", good_sheets())
    assert import_workbook(session, path).written
    before = table_counts(session)
    last_hash = session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    again = import_workbook(session, path)
    assert again.report.problems == ()
    assert not again.written and again.counts.changes == 0
    assert table_counts(session) == before  # no duplicates and no audit record
    assert session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)) == last_hash


def test_a_changed_phone_is_one_update(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    assert import_workbook(session, write_workbook(tmp_path / "first.xlsx", sheets)).written
    before = table_counts(session)
    sheets["选手报名"][1] = entry_row(bib="HG-001", phone="139 0000 0002")
    sheets["选手报名"][4] = entry_row(event="电工", team="电工一队", phone="13900000002")
    outcome = import_workbook(session, write_workbook(tmp_path / "second.xlsx", sheets))
    assert outcome.written
    assert outcome.counts.changes == outcome.counts.people_updated == 1
    after = table_counts(session)
    assert {key: after[key] - before[key] for key in after if after[key] != before[key]} == {"audit": 1}
    session.expire_all()
    assert session.scalars(select(Person.phone).where(Person.id_number == ZHANG)).one() == "13900000002"
    assert audit.first_broken_link(session) is None


def test_reimport_updates_entries_and_swaps_bibs(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    assert import_workbook(session, write_workbook(tmp_path / "first.xlsx", sheets)).written
    sheets["选手报名"][1] = entry_row(bib="HG-002", status_entry="已检录")
    sheets["选手报名"][2] = entry_row(name="李四", id_number=LI, gender="女", unit="测试技师学院", bib="HG-001")
    outcome = import_workbook(session, write_workbook(tmp_path / "second.xlsx", sheets))
    assert outcome.report.problems == ()
    assert outcome.counts.entries_updated == 2 and outcome.counts.entries_created == 0
    bibs = dict(
        session.execute(
            select(Person.id_number, Entry.bib).join(Entry.person).join(Entry.event).where(Event.name == "焊工")
        ).all()
    )
    assert bibs == {ZHANG: "HG-002", LI: "HG-001", WANG: None}
    status = session.scalars(
        select(Entry.status).join(Entry.person).join(Entry.event).where(Event.name == "焊工", Person.id_number == ZHANG)
    ).one()
    assert status is EntryStatus.CHECKED_IN


def test_the_template_with_its_example_rows_imports_nothing(session: Session, tmp_path: Path) -> None:
    from competition_app.excel.template import write_template

    path = write_template(tmp_path / "template.xlsx", with_scores=True)
    before = table_counts(session)
    outcome = import_workbook(session, path)
    assert outcome.report.problems == ()
    assert not outcome.written
    assert table_counts(session) == before
    assert [w.message for w in outcome.report.warnings] == ["工作簿中没有要导入的数据（示例行不导入）"]


def test_example_row_is_skipped_and_the_rest_imported(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"].insert(1, entry_row(name="示例：张三", id_number="示例"))
    outcome = import_workbook(session, write_workbook(tmp_path / "example.xlsx", sheets))
    assert outcome.report.problems == ()
    assert outcome.counts.entries_created == 5


def test_dry_run_writes_nothing_and_says_what_it_would_do(session: Session, tmp_path: Path) -> None:
    before = table_counts(session)
    outcome = import_workbook(session, write_workbook(tmp_path / "good.xlsx", good_sheets()), dry_run=True)
    assert not outcome.written
    assert table_counts(session) == before
    assert outcome.counts.describe() == ("新增：赛事 1、赛项 2、单位 2、人员 3、报名 5、团队 1、裁判 1、执裁安排 1")


def test_existing_competition_and_events_are_reused(session: Session, tmp_path: Path) -> None:
    assert import_workbook(session, write_workbook(tmp_path / "first.xlsx", good_sheets())).written
    sheets = {
        "赛事": [headers(COMPETITION), competition_row(level="省级")],  # matched by name: the rest is not applied
        "赛项": [headers(EVENTS), event_row(groups="职工组、教师组", max_age=55)],
        "选手报名": [
            headers(ENTRIES),
            entry_row(name="孙七", id_number=SUN, gender="女", status="教师", group="教师组"),
        ],
    }
    before = table_counts(session)
    outcome = import_workbook(session, write_workbook(tmp_path / "second.xlsx", sheets))
    assert outcome.report.problems == ()
    assert (outcome.counts.events_updated, outcome.counts.people_created, outcome.counts.entries_created) == (1, 1, 1)
    after = table_counts(session)
    assert (after["competitions"], after["events"]) == (before["competitions"], before["events"])
    event = session.scalars(select(Event).where(Event.name == "焊工")).one()
    session.refresh(event)
    assert [group.name for group in event.groups] == ["职工组", "学生组", "教师组"]  # groups are only added
    assert (event.min_age, event.max_age) == (16, 55)


def test_cancel_stops_before_writing(session: Session, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "good.xlsx", good_sheets())
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        import_workbook(session, path, progress=progress)


def test_a_few_hundred_contestants_round_trip(session: Session, tmp_path: Path) -> None:
    rng = random.Random(3)
    numbers: set[str] = set()
    people: list[list[Any]] = [headers(ENTRIES)]
    while len(people) <= 300:
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        birth = date(1975, 1, 1) + timedelta(days=rng.randrange(365 * 30))
        number = id_number(birth, rng.randrange(100), gender, rng.choice(("370802", "370811", "510104")))
        if number in numbers:
            continue
        numbers.add(number)
        index = len(people)
        people.append(entry_row(name=f"选手{index:03d}", id_number=number, gender=gender.label, birth_date=birth,
                                unit=f"单位{index % 17}", event="焊工" if index % 2 else "车工",
                                bib=f"{index:03d}", phone=f"139{index:08d}"))  # fmt: skip
    sheets = good_sheets()
    sheets["赛项"].append(event_row(name="车工", occupation="车工"))
    sheets["选手报名"] = people
    path = write_workbook(tmp_path / "many.xlsx", sheets)
    first = import_workbook(session, path)
    assert first.report.problems == ()
    assert (first.counts.people_created, first.counts.entries_created, first.counts.units_created) == (300, 300, 18)
    counts = table_counts(session)
    again = import_workbook(session, path)
    assert again.counts.changes == 0 and table_counts(session) == counts
    people[150] = [*people[150][:5], "13700000000", *people[150][6:]]
    edited = import_workbook(session, write_workbook(tmp_path / "edited.xlsx", sheets))
    assert edited.counts.changes == edited.counts.people_updated == 1
    assert session.scalar(select(func.count()).select_from(Person).where(Person.phone == "13700000000")) == 1


# --- bad files ----------------------------------------------------------------------------------


def test_random_bytes_are_not_a_workbook(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(random.Random(1).randbytes(4096))
    assert import_bad(session, path) == [
        (
            "",
            0,
            "",
            "文件已损坏或不是 Excel 工作簿（.xlsx 文件是 zip 压缩包，本文件不是）；请在 Excel 中打开并重新保存后再导入",
        )
    ]


def test_a_renamed_text_file_and_other_formats(session: Session, tmp_path: Path) -> None:
    renamed = tmp_path / "notes.xlsx"
    renamed.write_text("姓名,证件号码\n张三,370802199001011234\n", encoding="utf-8")
    assert "文件已损坏或不是 Excel 工作簿" in import_bad(session, renamed)[0][3]
    csv = tmp_path / "people.csv"
    csv.write_text("姓名\n", encoding="utf-8")
    assert import_bad(session, csv)[0][3].startswith("只能导入 .xlsx 格式的 Excel 工作簿")
    assert import_bad(session, tmp_path / "missing.xlsx")[0][3].startswith("文件不存在")


def test_a_zip_that_is_not_a_workbook(session: Session, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    message = import_bad(session, path)[0][3]
    assert message.startswith("无法读取工作簿：文件已损坏或不是 Excel 工作簿")


def test_wrong_sheet_names_are_named_with_a_suggestion(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["报名表"] = sheets.pop("选手报名")
    problems = import_bad(session, write_workbook(tmp_path / "sheets.xlsx", sheets))
    assert problems == [
        ("选手报名", 0, "", "缺少工作表“选手报名”（工作簿中的工作表：赛事、赛项、裁判、报名表）；"
                          "是否应将“报名表”改名为“选手报名”？"),
    ]  # fmt: skip


def test_a_missing_column_and_an_extra_one(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    index = headers(ENTRIES).index("证件号码*")
    sheets["选手报名"] = [[cell for c, cell in enumerate(line) if c != index] for line in sheets["选手报名"]]
    sheets["赛项"][0].append("备注")
    sheets["赛项"][1].append("随便写写")
    path = write_workbook(tmp_path / "columns.xlsx", sheets)
    outcome = import_workbook(session, path)
    assert problems_of(outcome) == [("选手报名", 1, "", "缺少必填列“证件号码”")]
    assert [(w.sheet, w.row, w.column, w.message) for w in outcome.report.warnings] == [
        ("赛项", 1, "M列“备注”", "不是模板中的列，已忽略")
    ]


def test_columns_may_come_in_any_order(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"] = [list(reversed(line)) for line in sheets["选手报名"]]
    outcome = import_workbook(session, write_workbook(tmp_path / "reversed.xlsx", sheets))
    assert outcome.report.problems == () and outcome.counts.entries_created == 5


def test_merged_cells_are_refused(session: Session, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "merged.xlsx", good_sheets(), merge=("选手报名", "L3:M3", "焊工"))
    assert import_bad(session, path) == [
        ("选手报名", 3, "L列", "合并单元格 L3:M3：导入要求每个单元格各自填写，请取消合并并在每行填入相应的值"),
    ]


def test_formulas_are_refused_with_the_cell(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"][2][0] = Formula('="李"&"四"', "李四")
    assert import_bad(session, write_workbook(tmp_path / "formula.xlsx", sheets)) == [
        ("选手报名", 3, "A列“姓名”", "单元格 A3 是公式：导入只接受直接填写的值；请复制后“选择性粘贴为数值”"),
    ]


def test_an_id_number_typed_as_a_number_has_lost_digits(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"][1][2] = int(ZHANG)
    problems = import_bad(session, write_workbook(tmp_path / "number.xlsx", sheets))
    assert len(problems) == 1
    sheet, row_number, column, message = problems[0]
    assert (sheet, row_number, column) == ("选手报名", 2, "C列“证件号码”")
    assert message.startswith("证件号码被保存成了数字（3.70802199001010E+17）：Excel 数字只保留15位有效数字")
    assert "请将该列设置为文本格式" in message


def test_a_date_in_the_name_column(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"][3][0] = date(2024, 3, 1)
    assert import_bad(session, write_workbook(tmp_path / "date.xlsx", sheets)) == [
        ("选手报名", 4, "A列“姓名”", "是日期或时间（2024-03-01），本列应为文字：Excel 把输入识别成了日期；"
                                  "请将该列设置为文本格式后重新输入"),
    ]  # fmt: skip


def test_cell_problems_in_every_sheet_are_all_listed(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["赛事"][1] = competition_row(year="明年", level="县级")
    sheets["赛项"][1] = event_row(kind="双打", min_age=70)
    sheets["选手报名"][1] = entry_row(id_number=ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"))  # bad checksum
    sheets["选手报名"][2] = entry_row(name="李四", id_number=LI, gender="男", unit="测试技师学院", phone="12345")
    problems = import_bad(session, write_workbook(tmp_path / "cells.xlsx", sheets))
    expected_check = idcard.check_char(ZHANG[:17])
    assert problems == [
        ("赛事", 2, "C列“年份”", "应为整数，实际为“明年”"),
        ("赛事", 2, "E列“竞赛层级”", "竞赛层级“县级”无效，可填：世界技能大赛、国家级、省级、市级、行业、企业、院校"),
    ]
    sheets["赛事"][1] = competition_row()
    problems = import_bad(session, write_workbook(tmp_path / "cells2.xlsx", sheets))
    assert problems == [
        ("赛项", 2, "F列“个人/团体”", "个人/团体“双打”无效，可填：个人赛、团体赛"),
        ("赛项", 2, "J列“最高年龄”", "60岁小于最低年龄70岁"),
        ("选手报名", 2, "C列“证件号码”", f"身份证号校验位错误：应为{expected_check}"),
        ("选手报名", 3, "D列“性别”", "与证件号码不符：号码显示为女"),
        ("选手报名", 3, "F列“手机”", "手机号码应为11位，实际为5位"),
    ]


def test_unknown_event_and_group(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"][1] = entry_row(event="钳工")
    sheets["选手报名"][3] = entry_row(name="王五", id_number=WANG, status="学生", group="青年组")
    sheets["裁判"][1] = judge_row(events="焊工、钳工")
    assert import_bad(session, write_workbook(tmp_path / "events.xlsx", sheets)) == [
        ("选手报名", 2, "L列“赛项”", "赛项“钳工”不在“赛项”表中，本赛事也没有此赛项"),
        ("选手报名", 4, "M列“组别”", "“青年组”不是赛项“焊工”的组别（可填：职工组、学生组）"),
        ("裁判", 2, "F列“执裁赛项”", "赛项“钳工”不在“赛项”表中，本赛事也没有此赛项"),
    ]


def test_duplicates_in_the_file(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"].append(entry_row(bib="HG-009"))  # 张三 again in 焊工
    sheets["选手报名"][4] = entry_row(name="张叁", event="电工", team="电工一队")
    sheets["选手报名"][3] = entry_row(name="王五", id_number=WANG, status="学生", group="学生组",
                                      unit="测试技师学院", bib="HG-002")  # fmt: skip
    assert import_bad(session, write_workbook(tmp_path / "duplicates.xlsx", sheets)) == [
        ("选手报名", 2, "C列“证件号码”", "同一选手在赛项“焊工”中重复报名（第2行与第7行证件号码相同）"),
        ("选手报名", 3, "O列“参赛编号”", "参赛编号“HG-002”在赛项“焊工”中重复（第3行与第4行）"),
        ("选手报名", 4, "O列“参赛编号”", "参赛编号“HG-002”在赛项“焊工”中重复（第3行与第4行）"),
        ("选手报名", 5, "A列“姓名”", "同一证件号码在第2行填写为“张三”，两处不一致"),
        ("选手报名", 7, "C列“证件号码”", "同一选手在赛项“焊工”中重复报名（第2行与第7行证件号码相同）"),
    ]


def test_a_name_different_from_the_database(session: Session, tmp_path: Path) -> None:
    assert import_workbook(session, write_workbook(tmp_path / "first.xlsx", good_sheets())).written
    sheets = good_sheets()
    sheets["选手报名"][2] = entry_row(name="李思", id_number=LI, gender="女", unit="测试技师学院", bib="HG-002")
    sheets["选手报名"][5] = entry_row(name="李思", id_number=LI, event="电工", team="电工一队", unit="测试技师学院")
    assert import_bad(session, write_workbook(tmp_path / "renamed.xlsx", sheets)) == [
        ("选手报名", 3, "A列“姓名”", f"证件号码{LI}在数据库中登记的姓名是“李四”，与本行“李思”不同；"
                                  "请核对证件，如确需改名请在程序中修改"),
    ]  # fmt: skip


def test_a_bib_used_in_the_database(session: Session, tmp_path: Path) -> None:
    assert import_workbook(session, write_workbook(tmp_path / "first.xlsx", good_sheets())).written
    sheets = {
        "赛事": [headers(COMPETITION), competition_row()],
        "赛项": [headers(EVENTS)],
        "选手报名": [headers(ENTRIES), entry_row(name="孙七", id_number=SUN, gender="女", bib="HG-001")],
    }
    assert import_bad(session, write_workbook(tmp_path / "bib.xlsx", sheets)) == [
        ("选手报名", 2, "O列“参赛编号”", "参赛编号“HG-001”已被本赛项的“张三”使用"),
    ]


def test_age_limits_on_the_competition_day(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["赛项"][1] = event_row(max_age=30)  # 张三 born 1990-01-01 is 36 on 2026-05-20
    assert import_bad(session, write_workbook(tmp_path / "age.xlsx", sheets)) == [
        ("选手报名", 2, "C列“证件号码”", "比赛日（2026-05-20）年龄36岁，超过本赛项最高年龄30岁"),
        ("选手报名", 3, "C列“证件号码”", "比赛日（2026-05-20）年龄34岁，超过本赛项最高年龄30岁"),
    ]


def test_team_rules(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"].append(entry_row(name="王五", id_number=WANG, status="学生", event="电工", team="电工一队",
                                        unit="测试技师学院"))  # fmt: skip
    sheets["选手报名"].append(entry_row(name="孙七", id_number=SUN, gender="女", event="电工"))
    sheets["选手报名"][2] = entry_row(name="李四", id_number=LI, gender="女", unit="测试技师学院", team="无关")
    outcome = import_workbook(session, write_workbook(tmp_path / "teams.xlsx", sheets))
    assert problems_of(outcome) == [
        ("选手报名", 5, "N列“团队名称”", "团队“电工一队”有3人，超过本赛项每队2人"),
        ("选手报名", 6, "N列“团队名称”", "团队“电工一队”有3人，超过本赛项每队2人"),
        ("选手报名", 7, "N列“团队名称”", "团队“电工一队”有3人，超过本赛项每队2人"),
        ("选手报名", 8, "N列“团队名称”", "团体赛项“电工”须填写团队名称"),
    ]
    assert ("选手报名", 3, "N列“团队名称”", "个人赛项不需要团队名称，已忽略") in [
        (w.sheet, w.row, w.column, w.message) for w in outcome.report.warnings
    ]


def test_a_scores_sheet_is_a_warning(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["成绩"] = [headers(SCORES), row(SCORES, event="焊工", bib="HG-001", component="技能操作", score="86.5")]
    outcome = import_workbook(session, write_workbook(tmp_path / "scores.xlsx", sheets))
    assert outcome.written
    hint = "成绩表有1行未导入：请用“评分 → 导入纸质成绩表”或 competition-app scores import 导入"
    assert ("成绩", 0, "", hint) in [(w.sheet, w.row, w.column, w.message) for w in outcome.report.warnings]


def test_check_workbook_writes_nothing_and_reports_counts(session: Session, tmp_path: Path) -> None:
    before = table_counts(session)
    plan = check_workbook(session, write_workbook(tmp_path / "good.xlsx", good_sheets()))
    assert plan.ok and plan.counts.people_created == 3
    assert table_counts(session) == before


def test_report_format_is_a_sorted_chinese_table(session: Session, tmp_path: Path) -> None:
    sheets = good_sheets()
    sheets["选手报名"][1] = entry_row(event="钳工")
    sheets["赛事"][1] = competition_row(year=1999)
    outcome = import_workbook(session, write_workbook(tmp_path / "report.xlsx", sheets))
    text = outcome.report.format().splitlines()
    assert text[0] == "发现1个问题，未导入任何数据："
    assert text[1].split() == ["工作表", "行", "列", "说明"]
    assert text[2].split() == ["赛事", "2", "C列“年份”", "应在2000到2100之间，实际为1999"]


# --- the command line ---------------------------------------------------------------------------


def test_cli_import_dry_run_then_import(sqlite_database: Database, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    path = write_workbook(tmp_path / "good.xlsx", good_sheets())
    url = sqlite_database.url
    assert main(["--db", url, "import", str(path), "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "检查通过（未写入）。将新增：赛事 1、赛项 2" in captured.out
    assert "回避提醒" in captured.err
    with sqlite_database.transaction() as session:
        assert table_counts(session)["people"] == 0
    assert main(["--db", url, "import", str(path)]) == 0
    assert "导入完成：新增：赛事 1" in capsys.readouterr().out
    assert main(["--db", url, "import", str(path)]) == 0
    assert "没有需要新增或更新的数据" in capsys.readouterr().out
    with sqlite_database.transaction() as session:
        assert table_counts(session)["people"] == 3


def test_cli_import_with_problems_exits_1_and_writes_nothing(sqlite_database: Database, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    sheets = good_sheets()
    sheets["选手报名"][1] = entry_row(event="钳工")
    path = write_workbook(tmp_path / "bad.xlsx", sheets)
    assert main(["--db", sqlite_database.url, "import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "发现1个问题，未导入任何数据" in captured.err
    assert "赛项“钳工”不在“赛项”表中" in captured.err
    assert "Traceback" not in captured.err
    with sqlite_database.transaction() as session:
        assert table_counts(session)["competitions"] == 0
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"\x00" * 100)
    assert main(["--db", sqlite_database.url, "import", str(corrupt)]) == 1
    assert "文件已损坏" in capsys.readouterr().err


def test_cli_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "模板.xlsx"
    assert main(["template", str(path), "--with-scores"]) == 0
    assert f"已生成模板：{path}" in capsys.readouterr().out
    assert path.stat().st_size > 0
    assert main(["template", str(tmp_path / "模板.xls")]) == 2
    assert "应以 .xlsx 结尾" in capsys.readouterr().err
