"""Publication documents from a hand-made CompetitionView: PDFs read back with pypdf, xlsx with calamine."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from competition_app.domain.enums import Level, SkillLevel, TierClass
from competition_app.exports.publication import (
    announcement_pdf,
    announcement_xlsx,
    award_list_pdf,
    award_list_xlsx,
    chinese_date,
    promotion_list_pdf,
    promotion_list_xlsx,
    title_list_pdf,
    title_list_xlsx,
)
from competition_app.results.view import CompetitionView, EventView, GroupView, ResultLine

TITLE = "济宁市技术能手"
TITLE_REASON = "第1名（市级一类竞赛前3名） → 可申报济宁市技术能手"


def _line(
    entry_id: int,
    name: str,
    *,
    bib: str,
    id_number: str,
    group: str,
    theory: str | None,
    practical: str | None,
    total: str | None,
    rank: int | None,
    **extra: object,
) -> ResultLine:
    return ResultLine(
        entry_id=entry_id,
        team_id=None,
        bib=bib,
        name=name,
        id_number=id_number,
        gender="男",
        unit="济宁市技师学院",
        region="济宁市",
        group=group,
        components=(
            ("理论知识", None if theory is None else Decimal(theory)),
            ("技能操作", None if practical is None else Decimal(practical)),
        ),
        total=None if total is None else Decimal(total),
        rank=rank,
        **extra,  # type: ignore[arg-type]
    )


def _view(*, official: bool = True) -> CompetitionView:
    """数控车工 (职工组: 张三 1st, 李四 and 王五 sharing 2nd, 赵六 withdrawn; 学生组: 孙七) and 焊工."""
    workers = GroupView(
        "职工组",
        3,
        (
            _line(
                1, "张三", bib="0001", id_number="11010519491231002X", group="职工组",
                theory="90.50", practical="88.25", total="88.93", rank=1, award="一等奖",
                titles=(TITLE,), promotion=SkillLevel.LEVEL_2, current_level=SkillLevel.LEVEL_3,
                explanation=("第1名（共3人）", "一等奖：前10%", TITLE_REASON, "第1名 → 晋升技师（二级）"),
            ),
            _line(
                2, "李四", bib="0002", id_number="370802198001010014", group="职工组",
                theory="80.00", practical="85.10", total="83.57", rank=2, shared_rank=True, award="二等奖",
            ),
            _line(
                3, "王五", bib="0003", id_number="370802198001010022", group="职工组",
                theory="85.10", practical="82.90", total="83.57", rank=2, shared_rank=True, award="二等奖",
            ),
            _line(
                4, "赵六", bib="0004", id_number="370802198001010030", group="职工组",
                theory=None, practical=None, total=None, rank=None, status="已退赛",
            ),
        ),
    )  # fmt: skip
    students = GroupView(
        "学生组",
        1,
        (
            _line(
                5, "孙七", bib="0101", id_number="370802200501010018", group="学生组",
                theory="70.00", practical="75.00", total="73.50", rank=1, award="一等奖",
                promotion=SkillLevel.LEVEL_3,
            ),
        ),
    )  # fmt: skip
    welding = GroupView(
        "职工组",
        1,
        (
            _line(
                6, "周八", bib="H001", id_number="370802199001010019", group="职工组",
                theory="60.00", practical="100.00", total="88.00", rank=1,
            ),
        ),
    )  # fmt: skip
    lathe = EventView(
        event_id=1,
        name="数控车工",
        occupation="车工",
        code="CG",
        tier_class=TierClass.CLASS_1,
        groups=(workers, students),
        official=official,
    )
    weld = EventView(
        event_id=2,
        name="焊工",
        occupation="焊工",
        code="HG",
        tier_class=TierClass.CLASS_1,
        groups=(welding,),
        official=True,
    )
    return CompetitionView(
        competition_id=1,
        name="2026年济宁市“运河之星”职业技能大赛",
        short_name=None,
        level=Level.MUNICIPAL,
        tier_class=TierClass.CLASS_1,
        year=2026,
        organiser="济宁市人力资源和社会保障局",
        host=None,
        region="济宁市",
        start_date=date(2026, 5, 18),
        end_date=date(2026, 5, 19),
        events=(lathe, weld),
    )


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _sheet(path: Path, index: int = 0) -> list[list[object]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_index(index).to_python()


def _records(path: Path) -> list[dict[str, object]]:
    header, *rows = _sheet(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _compact(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 5, 20), "二〇二六年五月二十日"),
        (date(2026, 10, 1), "二〇二六年十月一日"),
        (date(2030, 12, 31), "二〇三〇年十二月三十一日"),
        (date(2026, 11, 15), "二〇二六年十一月十五日"),
    ],
)
def test_chinese_date(day: date, expected: str) -> None:
    assert chinese_date(day) == expected


def test_announcement_pdf_has_results_period_contact_and_seal(tmp_path: Path) -> None:
    path = announcement_pdf(
        _view(),
        tmp_path / "公示.pdf",
        period_from=date(2026, 5, 20),
        period_to=date(2026, 5, 26),
        contact="赛务组 王老师 0537-2345678",
        objection_note="匿名反映不予受理。",
    )
    reader = PdfReader(path)
    assert len(reader.pages) == 3  # one page per event and group
    text = _compact(_pdf_text(path))
    assert "2026年济宁市“运河之星”职业技能大赛成绩公示" in text
    for name in ("张三", "李四", "王五", "赵六", "孙七", "周八"):
        assert name in text
    assert "公示期：二〇二六年五月二十日至二〇二六年五月二十六日" in text
    assert "赛务组王老师0537-2345678" in text
    assert "匿名反映不予受理" in text
    assert "（盖章）" in text
    assert "济宁市人力资源和社会保障局（盖章）二〇二六年五月二十日" in text
    assert "2（并列）" in text
    assert "88.93" in text
    assert "83.57" in text
    assert "已退赛" in text
    assert "未锁定" not in text
    # The seal block is on the last page only, at the right.
    assert "（盖章）" not in _compact(reader.pages[0].extract_text())
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert all("LXGWWenKai" in font for font in fonts)


def test_unofficial_event_is_marked_on_its_pages_only(tmp_path: Path) -> None:
    path = announcement_pdf(
        _view(official=False),
        tmp_path / "draft.pdf",
        period_from=date(2026, 5, 20),
        period_to=date(2026, 5, 26),
        contact="0537-2345678",
    )
    pages = [_compact(page.extract_text()) for page in PdfReader(path).pages]
    assert ["未锁定，仅供核对" in page for page in pages] == [True, True, False]


def test_announcement_refuses_a_period_ending_before_it_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="公示期"):
        announcement_pdf(
            _view(), tmp_path / "x.pdf", period_from=date(2026, 5, 26), period_to=date(2026, 5, 20), contact="x"
        )
    assert not (tmp_path / "x.pdf").exists()


def test_announcement_xlsx_keeps_numbers_as_text_and_decimals_exact(tmp_path: Path) -> None:
    view = _view(official=False)
    records = _records(announcement_xlsx(view, tmp_path / "公示.xlsx"))
    assert [record["姓名"] for record in records] == ["张三", "李四", "王五", "赵六", "孙七", "周八"]
    assert list(records[0]) == [
        "序号", "赛项", "职业（工种）", "组别", "名次", "并列", "参赛编号", "姓名", "单位",
        "理论知识", "技能操作", "总成绩", "奖项", "备注", "状态",
    ]  # fmt: skip
    first = records[0]
    assert first["参赛编号"] == "0001"  # text: the leading zeros survive
    assert first["理论知识"] == "90.50"
    assert first["技能操作"] == "88.25"
    assert Decimal(str(first["总成绩"])) == Decimal("88.93")
    assert first["总成绩"] == "88.93"
    assert first["名次"] == 1
    assert first["状态"] == "未锁定，仅供核对"
    assert [record["并列"] for record in records[:3]] == ["", "是", "是"]
    withdrawn = records[3]
    assert (withdrawn["名次"], withdrawn["总成绩"], withdrawn["备注"]) == ("", "", "已退赛")
    assert records[5]["赛项"] == "焊工"
    assert records[5]["状态"] == "已锁定"


def test_award_list_has_exactly_the_award_winners(tmp_path: Path) -> None:
    records = _records(award_list_xlsx(_view(), tmp_path / "获奖.xlsx"))
    assert [(r["姓名"], r["组别"], r["奖项"], r["名次"]) for r in records] == [
        ("张三", "职工组", "一等奖", 1),
        ("李四", "职工组", "二等奖", 2),
        ("王五", "职工组", "二等奖", 2),
        ("孙七", "学生组", "一等奖", 1),
    ]
    assert records[0]["赛项"] == "数控车工（车工）"
    assert records[0]["总成绩"] == "88.93"
    text = _compact(_pdf_text(award_list_pdf(_view(), tmp_path / "获奖.pdf")))
    assert "获奖名单" in text
    assert all(name in text for name in ("张三", "李四", "王五", "孙七"))
    assert "赵六" not in text
    assert "周八" not in text


def test_title_list_has_id_numbers_as_text_and_the_rule(tmp_path: Path) -> None:
    records = _records(title_list_xlsx(_view(), tmp_path / "能手.xlsx"))
    assert len(records) == 1
    (zhang,) = records
    assert zhang["姓名"] == "张三"
    assert zhang["证件号码"] == "11010519491231002X"
    assert zhang["可申报称号"] == TITLE
    assert zhang["依据"] == TITLE_REASON
    assert zhang["性别"] == "男"
    text = _compact(_pdf_text(title_list_pdf(_view(), tmp_path / "能手.pdf")))
    assert "技术能手申报（推荐）名单" in text
    assert "11010519491231002X" in text
    assert TITLE in text
    assert "李四" not in text


def test_promotion_list_from_current_to_target_level(tmp_path: Path) -> None:
    records = _records(promotion_list_xlsx(_view(), tmp_path / "晋升.xlsx"))
    assert [(r["姓名"], r["现职业技能等级"], r["晋升等级"]) for r in records] == [
        ("张三", "高级工（三级）", "技师（二级）"),
        ("孙七", "无", "高级工（三级）"),
    ]
    assert records[1]["证件号码"] == "370802200501010018"
    assert records[0]["职业（工种）"] == "车工"
    text = _compact(_pdf_text(promotion_list_pdf(_view(), tmp_path / "晋升.pdf")))
    assert "晋升职业技能等级名单" in text
    assert "高级工（三级）" in text
    assert "周八" not in text


def test_draft_lists_say_so(tmp_path: Path) -> None:
    view = _view(official=False)
    records = _records(award_list_xlsx(view, tmp_path / "a.xlsx"))
    assert {r["成绩状态"] for r in records} == {"未锁定，仅供核对"}
    assert "未锁定，仅供核对" in _compact(_pdf_text(award_list_pdf(view, tmp_path / "a.pdf")))
    official = dataclasses.replace(view, events=tuple(dataclasses.replace(e, official=True) for e in view.events))
    assert "未锁定" not in _compact(_pdf_text(award_list_pdf(official, tmp_path / "b.pdf")))


def test_an_empty_list_still_renders(tmp_path: Path) -> None:
    view = dataclasses.replace(_view(), events=(_view().events[1],))  # 焊工: no title, no promotion
    assert _records(title_list_xlsx(view, tmp_path / "t.xlsx")) == []
    assert "共0人次" in _compact(_pdf_text(promotion_list_pdf(view, tmp_path / "p.pdf")))
