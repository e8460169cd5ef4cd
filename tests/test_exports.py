"""Registration exports: roster and bib list xlsx read back, sign-in sheet PDF, and the CLI commands."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus, Gender
from competition_app.exports.registration import (
    ExportError,
    bib_list_pdf,
    bib_list_xlsx,
    find_competition,
    find_event,
    registration_rows,
    roster_xlsx,
    signin_sheet_pdf,
)
from db.models import Entry, EventGroup, Person, Unit
from db.session import open_database, sqlite_url
from tests.factories import Minimal, minimal_event
from tests.test_cli import run_cli

LONG_UNIT = "山东省济宁市任城区运河经济开发区某某重型机械装备制造有限责任公司第二分厂焊接车间（一），联合实训基地"


def _registrations(session: Session) -> Minimal:
    """张三 (HG-001, ID 11010519491231002X, phone) plus 李四 in 学生组 with a very long unit, 王五 withdrawn."""
    base = minimal_event(session)
    base.person.phone = "13800138000"
    base.person.gender = Gender.MALE
    base.entry.station = "07"
    students = EventGroup(event_id=base.event.id, name="学生组", sort_order=1)
    unit = Unit(name=LONG_UNIT)
    session.add_all([students, unit])
    session.flush()
    li = Person(id_number="370802200501010018", name="李四", unit_id=unit.id, phone="053712345678")
    wang = Person(id_number="370802200501010026", name="王五")
    session.add_all([li, wang])
    session.flush()
    session.add_all(
        [
            Entry(event_id=base.event.id, group_id=students.id, person_id=li.id, bib="HG-101", station="02"),
            Entry(
                event_id=base.event.id,
                group_id=base.group.id,
                person_id=wang.id,
                bib="HG-002",
                status=EntryStatus.WITHDRAWN,
            ),
        ]
    )
    session.flush()
    return base


def _sheet(data: bytes) -> tuple[list[str], list[list[object]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = workbook.get_sheet_by_index(0).to_python()
    return [str(cell) for cell in rows[0]], rows[1:]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_roster_keeps_id_numbers_and_phones_as_text(session: Session) -> None:
    base = _registrations(session)
    data = roster_xlsx(session, base.competition.id)
    headers, rows = _sheet(data)
    assert headers[:5] == ["序号", "赛项", "组别", "参赛编号", "姓名"]
    assert {"证件号码", "手机号码", "单位", "工位号", "报名状态"} <= set(headers)
    assert "检录号" not in headers  # anonymous codes are only on the sealed draw sheet
    by_name = {row[headers.index("姓名")]: dict(zip(headers, row, strict=True)) for row in rows}
    assert set(by_name) == {"张三", "李四", "王五"}
    zhang = by_name["张三"]
    assert zhang["证件号码"] == "11010519491231002X"
    assert zhang["手机号码"] == "13800138000" and isinstance(zhang["手机号码"], str)
    assert zhang["出生日期"] == date(1949, 12, 31)
    assert (zhang["性别"], zhang["证件类型"], zhang["工位号"], zhang["报名状态"]) == (
        "男",
        "居民身份证",
        "07",
        "已报名",
    )
    assert by_name["李四"]["证件号码"] == "370802200501010018"
    assert by_name["李四"]["手机号码"] == "053712345678"  # the leading zero survives
    assert by_name["王五"]["报名状态"] == "已退赛"
    assert [row[0] for row in rows] == [1, 2, 3]
    # Group order, then bib: 职工组 HG-001, HG-002, then 学生组 HG-101.
    assert [row[headers.index("参赛编号")] for row in rows] == ["HG-001", "HG-002", "HG-101"]

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'ySplit="1"' in sheet_xml and 'state="frozen"' in sheet_xml
    assert "<autoFilter" in sheet_xml and "<cols>" in sheet_xml


def test_the_roster_of_one_event(session: Session) -> None:
    base = _registrations(session)
    other = minimal_event(session, name="另一个赛事", id_number="110105194912310037")
    assert len(registration_rows(session, base.competition.id)) == 3
    _headers, rows = _sheet(roster_xlsx(session, base.competition.id, event_id=base.event.id))
    assert len(rows) == 3
    _headers, rows = _sheet(roster_xlsx(session, other.competition.id))
    assert len(rows) == 1


def test_the_bib_list_leaves_out_those_not_taking_part(session: Session) -> None:
    base = _registrations(session)
    headers, rows = _sheet(bib_list_xlsx(session, base.competition.id))
    assert headers == ["序号", "赛项", "组别", "参赛编号", "姓名", "单位", "工位号"]
    assert [(row[3], row[4], row[6]) for row in rows] == [("HG-001", "张三", "07"), ("HG-101", "李四", "02")]
    text = _pdf_text(bib_list_pdf(session, base.competition.id))
    assert "参赛编号/工位号对照表" in text and "HG-101" in text and "李四" in text and "王五" not in text


def test_the_sign_in_sheet_has_a_page_per_group_and_a_blank_signature_column(session: Session) -> None:
    base = _registrations(session)
    base.event.start_date = date(2026, 5, 20)
    session.flush()
    data = signin_sheet_pdf(session, base.competition.id, event_id=base.event.id)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 2  # 职工组 and 学生组, each its own sheet
    workers, students = pages
    for header in ("序号", "参赛编号", "姓名", "单位", "工位号", "签到（签名）", "备注"):
        assert header in workers
    assert "测试赛事" in workers and "焊工" in workers and "职工组" in workers and "2026年5月20日" in workers
    assert "张三" in workers and "HG-001" in workers and "07" in workers
    assert "王五" not in workers  # withdrawn
    assert "学生组" in students and "李四" in students
    assert "".join(LONG_UNIT.split()) in "".join(students.split())  # wrapped, all of it printed
    assert all("第 1 页 / 共 1 页" in page for page in pages)
    one_group = signin_sheet_pdf(session, base.competition.id, event_id=base.event.id, group_id=base.group.id)
    assert len(PdfReader(io.BytesIO(one_group)).pages) == 1


def test_lookups_by_name_or_id_and_chinese_errors(session: Session) -> None:
    base = _registrations(session)
    assert find_competition(session, "测试赛事") == base.competition.id
    assert find_competition(session, str(base.competition.id)) == base.competition.id
    assert find_event(session, base.competition.id, "焊工") == base.event.id
    with pytest.raises(ExportError, match=r"没有名为 “无此赛事” 的赛事；现有赛事：.*测试赛事"):
        find_competition(session, "无此赛事")
    with pytest.raises(ExportError, match="现有赛项：焊工"):
        find_event(session, base.competition.id, "电工")
    with pytest.raises(ExportError, match="没有编号为"):
        roster_xlsx(session, 999_999)


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    """A committed SQLite database with the registrations above, for the CLI."""
    path = tmp_path / "competition.sqlite3"
    database = open_database(sqlite_url(path))
    try:
        with database.transaction() as session:
            _registrations(session)
    finally:
        database.close()
    return path


def test_cli_exports_and_draws(database_file: Path, tmp_path: Path) -> None:
    db = str(database_file)
    roster = tmp_path / "名单.xlsx"
    result = run_cli("--db", db, "export", "roster", "测试赛事", "--out", str(roster))
    assert result.returncode == 0, result.stderr
    assert _sheet(roster.read_bytes())[1][0][4] == "张三"

    signin = tmp_path / "签到表.pdf"
    result = run_cli("--db", db, "export", "signin", "测试赛事", "--event", "焊工", "--out", str(signin))
    assert result.returncode == 0, result.stderr
    assert "签到表" in _pdf_text(signin.read_bytes())

    for suffix in (".xlsx", ".pdf"):
        bibs = tmp_path / f"对照表{suffix}"
        result = run_cli("--db", db, "export", "bibs", "1", "--out", str(bibs))
        assert result.returncode == 0, result.stderr
        assert bibs.stat().st_size > 0

    drawn = run_cli("--db", db, "draw", "1", "--kind", "station", "--seed", "cli-seed")
    assert drawn.returncode == 0, drawn.stderr
    assert "抽签完成" in drawn.stdout and "cli-seed" in drawn.stdout
    again = run_cli("--db", db, "draw", "1", "--kind", "station")
    assert again.returncode == 1 and "必须填写原因" in again.stderr and "Traceback" not in again.stderr
    redrawn = run_cli("--db", db, "draw", "1", "--kind", "station", "--reason", "监督人要求重抽")
    assert redrawn.returncode == 0 and "重新抽签完成" in redrawn.stdout

    anon = run_cli("--db", db, "draw", "1", "--kind", "anon")
    assert anon.returncode == 0, anon.stderr
    sheet = tmp_path / "抽签结果表.pdf"
    result = run_cli("--db", db, "draw-sheet", "1", "--kind", "anon", "--out", str(sheet))
    assert result.returncode == 0, result.stderr
    assert "密封" in _pdf_text(sheet.read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "roster", "无此赛事", "--out", "x.xlsx"), "没有名为 “无此赛事” 的赛事"),
        (("export", "roster", "测试赛事", "--event", "电工", "--out", "x.xlsx"), "没有名为 “电工” 的赛项"),
        (("export", "signin", "测试赛事", "--out", "x.xlsx"), "扩展名应为 .pdf"),
        (("draw", "99", "--kind", "station"), "没有编号为 99 的赛项"),
        (("draw-sheet", "1", "--out", "x.pdf"), "尚未抽签"),
    ],
)
def test_cli_bad_input_is_a_chinese_message_not_a_traceback(
    database_file: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    fixed = tuple(str(tmp_path / arg) if arg.startswith("x.") else arg for arg in args)
    result = run_cli("--db", str(database_file), *fixed)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
