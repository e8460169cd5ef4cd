"""Certificates from results: who gets one, issuing without spending numbers twice, templates,
printer offsets, the ``certificates`` command, and QR codes that a real decoder can read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.certificates.render import CertificateItem, FixedText, TextBox, render_certificates
from competition_app.certificates.selection import SelectionError, candidates, chinese_ordinal
from competition_app.certificates.signing import make_payload
from competition_app.cli import main
from competition_app.domain.enums import CertificateStatus, Level, Role, TierClass
from competition_app.results.view import CompetitionView, EventView, GroupView, ResultLine
from competition_app.services import certificates
from competition_app.services.auth import PermissionDenied
from competition_app.services.certificate_batch import (
    BatchOptions,
    builtin_template,
    calibration,
    generate,
    prepare,
    reset_template,
    save_calibration,
    save_template,
    template_for,
)
from competition_app.services.certificates import CertificateError
from competition_app.services.competitions import find_competition
from competition_app.services.results import compute_results, load_results
from db.models import AuditRecord, Certificate, Entry, Event
from db.session import Database
from tests.support.accounts import acting, make_user

JINING = "运河之星"


# --- who gets which certificate (pure) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "text"),
    [
        (1, "第一名"),
        (3, "第三名"),
        (10, "第十名"),
        (12, "第十二名"),
        (20, "第二十名"),
        (99, "第九十九名"),
        (100, "第100名"),
    ],
)
def test_places_in_chinese_numerals(rank: int, text: str) -> None:
    assert chinese_ordinal(rank) == text


def _line(entry_id: int, name: str, rank: int | None, **extra: object) -> ResultLine:
    fields: dict[str, object] = {"award": None, "designations": (), "status": ""} | extra
    return ResultLine(
        entry_id=entry_id, team_id=None, bib=f"B{entry_id}", name=name, id_number=None, gender=None,
        unit="某单位", region=None, group="职工组", components=(), total=Decimal(90 - entry_id), rank=rank,
        award=fields["award"], designations=fields["designations"], status=fields["status"],  # type: ignore[arg-type]
    )  # fmt: skip


def _view() -> CompetitionView:
    lines = (
        _line(1, "甲", 1, award="一等奖", designations=("优秀选手",)),
        _line(2, "乙", 2, award="二等奖"),
        _line(3, "丙", 3, award="三等奖", designations=("优秀选手", "最佳新人")),
        _line(4, "丁", 4),
        _line(5, "戊", None, award="一等奖", status="取消资格"),  # a stale line must not slip through
    )
    event = EventView(7, "焊工", "焊工", "HG", TierClass.CLASS_1, (GroupView("职工组", 4, lines),), official=True)
    return CompetitionView(
        1, "测试赛", "测试", Level.MUNICIPAL, TierClass.CLASS_1, 2026, "主办", None, None, None, None, (event,)
    )


def test_candidates_follow_the_results_and_skip_entries_not_taking_part() -> None:
    view = _view()
    assert [(c.name, c.award_text) for c in candidates(view, "award")] == [
        ("甲", "一等奖"),
        ("乙", "二等奖"),
        ("丙", "三等奖"),
    ]
    assert [(c.name, c.award_text) for c in candidates(view, "rank", top=2)] == [("甲", "第一名"), ("乙", "第二名")]
    assert len(candidates(view, "rank")) == 4
    assert [(c.name, c.award_text) for c in candidates(view, "honour")] == [
        ("甲", "优秀选手"), ("丙", "优秀选手"), ("丙", "最佳新人"),
    ]  # fmt: skip
    first = candidates(view, "award")[0]
    assert (first.event_id, first.entry_id, first.competition, first.group) == (7, 1, "测试赛", "职工组")
    with pytest.raises(SelectionError, match="无法识别"):
        candidates(view, "参赛证明")
    with pytest.raises(SelectionError, match="至少为 1"):
        candidates(view, "rank", top=0)


# --- issuing from the demo's official results ---------------------------------------------------


@pytest.fixture
def demo(demo_database: Database) -> Iterator[Session]:
    with demo_database.transaction() as session:  # set-up mode: the demo has no accounts
        yield session


def _electricians(session: Session) -> tuple[int, int]:
    competition_id = find_competition(session, JINING)
    event_id = session.scalars(
        select(Event.id).where(Event.competition_id == competition_id, Event.name == "电工")
    ).one()
    return competition_id, event_id


def test_only_locked_events_get_certificates_and_each_award_gets_one(demo: Session) -> None:
    competition_id, event_id = _electricians(demo)
    prepared = prepare(demo, competition_id, BatchOptions())
    view = load_results(demo, event_id)
    assert view is not None and view.official
    winners = [(line.name, line.award) for group in view.groups for line in group.lines if line.award]
    assert [(item.name, item.award) for item in prepared.items] == winners
    assert len(winners) == 12 and prepared.issued == 12 and prepared.reused == 0
    assert {item.event for item in prepared.items} == {"电工"}
    assert all(item.number.startswith("JN2026-DG-") for item in prepared.items)
    assert len({item.number for item in prepared.items}) == 12
    assert prepared.items[0].issuer == "济宁市人力资源和社会保障局、济宁市总工会"
    assert prepared.items[0].date == "二〇二六年七月十日"
    assert any("焊工" in reason and "签字锁定" in reason for reason in prepared.skipped)
    assert not any("电工" in reason for reason in prepared.skipped)
    issued = demo.scalars(select(AuditRecord).where(AuditRecord.action == "certificate.issue")).all()
    assert len(issued) == 12


def test_generating_again_reuses_the_numbers_and_a_changed_award_is_voided_and_reissued(demo: Session) -> None:
    competition_id, _event_id = _electricians(demo)
    first = prepare(demo, competition_id, BatchOptions(issue_date=date(2026, 5, 20)))
    again = prepare(demo, competition_id, BatchOptions(issue_date=date(2026, 5, 20)))
    assert (again.issued, again.reused, again.voided) == (0, 12, 0)
    assert [item.number for item in again.items] == [item.number for item in first.items]
    assert again.items[0].date == "二〇二六年五月二十日"
    # The register says 乙 got another award than the results now give: that one is replaced.
    changed = demo.scalars(select(Certificate).where(Certificate.number == first.items[1].number)).one()
    changed.award_text = "优秀奖"
    demo.flush()
    third = prepare(demo, competition_id, BatchOptions())
    assert (third.issued, third.reused, third.voided) == (1, 11, 1)
    assert changed.status is CertificateStatus.VOIDED and "信息变更" in (changed.void_reason or "")
    assert third.items[1].number not in {item.number for item in first.items}
    assert third.items[1].award == first.items[1].award


def test_a_corrected_name_replaces_the_certificate_it_signed(demo: Session) -> None:
    competition_id, event_id = _electricians(demo)
    first = prepare(demo, competition_id, BatchOptions())
    entry = demo.get(
        Entry, demo.scalars(select(Certificate.entry_id).where(Certificate.number == first.items[0].number)).one()
    )
    assert entry is not None
    entry.person.name = "许宁菲"  # the registration desk corrects a typo in the name
    demo.flush()
    compute_results(demo, event_id)
    again = prepare(demo, competition_id, BatchOptions())
    assert (again.issued, again.reused, again.voided) == (1, 11, 1)
    assert again.items[0].name == "许宁菲" and again.items[0].number != first.items[0].number
    assert f"|{again.items[0].number}|许宁菲|" in again.items[0].payload
    old = demo.scalars(select(Certificate).where(Certificate.number == first.items[0].number)).one()
    assert old.status is CertificateStatus.VOIDED and "许宁飞" in (old.void_reason or "")


def test_a_judge_may_not_issue_certificates(demo: Session) -> None:
    competition_id, event_id = _electricians(demo)
    judge = make_user(demo, "judge", Role.JUDGE, event_id=event_id)
    acting(demo, judge)
    with pytest.raises(PermissionDenied):
        prepare(demo, competition_id, BatchOptions())
    assert demo.scalars(select(Certificate)).first() is None


def test_one_file_and_separate_files_carry_names_numbers_and_scannable_qr_codes(demo: Session, tmp_path: Path) -> None:
    competition_id, _event_id = _electricians(demo)
    one = generate(demo, competition_id, tmp_path / "one", BatchOptions(), one_file=True)
    (path,) = one.paths
    reader = PdfReader(path)
    assert len(reader.pages) == 12
    for page, item in zip(reader.pages, one.prepared.items, strict=True):
        text = page.extract_text()
        assert item.name in text and item.number in text and item.award in text
    each = generate(demo, competition_id, tmp_path / "each", BatchOptions())
    assert len(each.paths) == 12 and each.prepared.issued == 0
    assert sorted(p.name for p in each.paths) == sorted(f"{i.number}_{i.name}.pdf" for i in one.prepared.items)
    # The QR code on a printed page scans back to the payload, and the register confirms it.
    decoded = _scan(path, page=0)
    assert decoded == one.prepared.items[0].payload
    assert certificates.verify(demo, decoded).genuine
    assert not certificates.verify(demo, decoded[:-1] + ("A" if decoded[-1] != "A" else "B")).genuine


def _scan(path: Path, page: int, scale: float = 200 / 72) -> str:
    """Rasterise a PDF page at 200 dpi and decode its one QR code with zxing-cpp."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        image = document[page].render(scale=scale).to_pil()
    finally:
        document.close()
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, f"expected one QR code, found {len(codes)}"
    return str(codes[0].text)


@pytest.mark.parametrize("name", ["李", "欧阳娜娜", "阿卜杜热依木·买买提艾力"])
def test_qr_codes_of_every_size_scan(tmp_path: Path, name: str) -> None:
    payload = make_payload("JN2026-HG-0001", name, "ABCDEFGHIJKLMNOP")
    item = CertificateItem(
        "JN2026-HG-0001", name, "单位", "赛事", "焊工", "职工组", "一等奖", "主办", "二〇二六年五月二十日", payload
    )
    path = render_certificates([item], tmp_path / "qr.pdf")
    assert _scan(path, page=0) == payload


# --- templates and printer offsets --------------------------------------------------------------


def test_templates_are_stored_per_competition_and_kind_and_reset(demo: Session) -> None:
    competition_id, _event_id = _electricians(demo)
    assert template_for(demo, competition_id, "honour").texts[0].text == "荣 誉 证 书"
    assert template_for(demo, competition_id, "award") == builtin_template("award")
    custom = builtin_template("award")
    custom = type(custom)(
        "运河之星获奖证书", custom.page_width_mm, custom.page_height_mm,
        {**custom.fields, "name": TextBox(60.0, 140.0, 170.0, 36.0, "center")},
        (FixedText("荣 获 证 书", TextBox(48.5, 160.0, 200.0, 40.0, "center")), *custom.texts[1:]),
        custom.qr, border=False, background=b"\x89PNG fake",
    )  # fmt: skip
    save_template(demo, competition_id, "award", custom)
    stored = template_for(demo, competition_id, "award")
    assert stored == custom and stored.background == b"\x89PNG fake"
    assert template_for(demo, competition_id, "rank") == builtin_template("rank")
    assert demo.scalars(select(AuditRecord).where(AuditRecord.action == "certificate.template")).one()
    reset_template(demo, competition_id, "award")
    assert template_for(demo, competition_id, "award") == builtin_template("award")


def test_only_organisers_edit_templates(demo: Session) -> None:
    competition_id, event_id = _electricians(demo)
    chief = make_user(demo, "chief", Role.CHIEF_JUDGE, event_id=event_id)
    acting(demo, chief)
    with pytest.raises(PermissionDenied):
        save_template(demo, competition_id, "award", builtin_template("award"))


def test_printer_offsets_are_saved_per_printer_and_checked(demo: Session) -> None:
    assert calibration(demo, "HP LaserJet 1020") == (0.0, 0.0)
    save_calibration(demo, "HP LaserJet 1020", 1.25, -2.5)
    save_calibration(demo, "Canon LBP2900", 0.0, 3.0)
    save_calibration(demo, "HP LaserJet 1020", 1.5, -2.5)
    assert calibration(demo, "HP LaserJet 1020") == (1.5, -2.5)
    assert calibration(demo, "Canon LBP2900") == (0.0, 3.0)
    with pytest.raises(CertificateError, match=r"垂直偏移.*超出"):
        save_calibration(demo, "Canon LBP2900", 0.0, 51.0)
    with pytest.raises(CertificateError, match="打印机名称"):
        save_calibration(demo, "  ", 0.0, 0.0)


# --- the command ----------------------------------------------------------------------------------


def test_certificates_command(demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(demo_path)]
    assert main([*db, "certificates", JINING, "--out", str(tmp_path / "one"), "--one-file"]) == 0
    out, err = capsys.readouterr()
    assert "证书 12 张：新发 12 张" in out and "跳过：赛项“焊工”" in err
    (pdf,) = (tmp_path / "one").glob("*.pdf")
    assert len(PdfReader(pdf).pages) == 12
    assert main([*db, "certificates", JINING, "--out", str(tmp_path / "each"), "--event", "电工"]) == 0
    out, _err = capsys.readouterr()
    assert "沿用已发编号 12 张" in out and len(list((tmp_path / "each").glob("*.pdf"))) == 12
    assert main([*db, "certificates", JINING, "--out", str(tmp_path / "x"), "--kind", "rank", "--top", "1"]) == 0
    assert "证书 2 张" in capsys.readouterr().out  # 职工组 and 学生组 each have a first place
    assert main([*db, "certificates", JINING, "--out", str(tmp_path / "x"), "--date", "2026-02-30"]) == 1
    assert "--date" in capsys.readouterr().err
    assert main([*db, "certificates", "世界技能", "--out", str(tmp_path / "x")]) == 1
    assert "没有名为" in capsys.readouterr().err
    assert main([*db, "certificates", "第49届世界技能大赛山东省选拔赛", "--out", str(tmp_path / "x")]) == 1
    assert "没有可发的证书" in capsys.readouterr().err
