"""Certificates: numbers, Chinese dates, signatures, the register, and the rendered PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.certificates.numbering import (
    NumberContext,
    NumberFormatError,
    check_number_format,
    chinese_date,
    format_number,
    number_prefix,
)
from competition_app.certificates.render import (
    PARALLEL_FROM,
    CertificateItem,
    Template,
    default_template,
    file_name,
    fit_font_size,
    render_certificates,
    render_each,
)
from competition_app.certificates.signing import make_payload, sign, verify_payload
from competition_app.cli import main
from competition_app.domain.enums import Role
from competition_app.pdf.fonts import register_cjk_font
from competition_app.services import certificates
from competition_app.services.auth import PermissionDenied
from competition_app.tasks import Cancelled, Progress
from db.models import AuditRecord, CertificateCounter
from db.session import Database
from tests.factories import minimal_event
from tests.support.accounts import acting, make_user

SECRET = b"0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 5, 20), "二〇二六年五月二十日"),
        (date(2026, 10, 1), "二〇二六年十月一日"),
        (date(2030, 12, 31), "二〇三〇年十二月三十一日"),
        (date(2026, 11, 10), "二〇二六年十一月十日"),
        (date(2026, 1, 19), "二〇二六年一月十九日"),
    ],
)
def test_chinese_date(day: date, text: str) -> None:
    assert chinese_date(day) == text


def test_number_formats() -> None:
    context = NumberContext(year=2026, event_code="HG", competition_short="运河之星")
    assert format_number("JN{year}-{event_code}-{seq:04d}", context, 1) == "JN2026-HG-0001"
    assert format_number("{competition_short}{year}{seq:03d}", context, 12) == "运河之星2026012"
    assert format_number("{event_code}-{seq}", context, 12345) == "HG-12345"
    assert number_prefix("JN{year}-{event_code}-{seq:04d}", context) == "JN2026-HG-#"


@pytest.mark.parametrize(
    ("number_format", "message"),
    [
        ("JN{year}-{event_code}", "{seq}"),
        ("JN{seq}-{seq}", "恰好包含一次"),
        ("JN{yaer}-{seq}", "{yaer} 无法识别"),
        ("JN{year-{seq}", "花括号"),
        ("JN{seq:s}", "无法使用"),
        ("  ", "不能为空"),
    ],
)
def test_bad_number_formats_are_explained(number_format: str, message: str) -> None:
    with pytest.raises(NumberFormatError, match=message.replace("{", r"\{").replace("}", r"\}")):
        check_number_format(number_format)


def test_signature_accepts_genuine_and_rejects_one_changed_character() -> None:
    signature = sign(SECRET, "JN2026-HG-0001", "张三", "一等奖")
    payload = make_payload("JN2026-HG-0001", "张三", signature)
    assert verify_payload(payload, SECRET, award_text="一等奖").genuine
    tampered = [payload.replace("0001", "0002"), payload.replace("张三", "张王"), payload[:-1] + "A"]
    if payload[-1] == "A":
        tampered[-1] = payload[:-1] + "B"
    for text in tampered:
        outcome = verify_payload(text, SECRET, award_text="一等奖")
        assert not outcome.genuine, text
        assert "校验码不符" in outcome.reason
    assert not verify_payload(payload, SECRET, award_text="二等奖").genuine
    assert not verify_payload(payload, b"another secret", award_text="一等奖").genuine
    assert "格式不对" in verify_payload("CERT|only|two", SECRET).reason


def _item(number: str, name: str, unit: str = "济宁市技师学院") -> CertificateItem:
    return CertificateItem(
        number=number,
        name=name,
        unit=unit,
        competition="2026年济宁市“运河之星”职业技能大赛",
        event="焊工",
        group="职工组",
        award="一等奖",
        issuer="济宁市人力资源和社会保障局",
        date=chinese_date(date(2026, 5, 20)),
        payload=make_payload(number, name, sign(SECRET, number, name, "一等奖")),
    )


def test_rendered_pdf_has_text_and_embedded_truetype_subset(tmp_path: Path) -> None:
    items = [_item("JN2026-HG-0001", "张三"), _item("JN2026-HG-0002", "欧阳娜娜")]
    path = render_certificates(items, tmp_path / "all.pdf")
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert "张三" in first
    assert "JN2026-HG-0001" in first
    assert "二〇二六年五月二十日" in first
    assert "获 奖 证 书" in first  # the fixed texts, drawn in a shared form
    assert "欧阳娜娜" in reader.pages[1].extract_text()
    fonts = _fonts(reader)
    assert fonts, "no fonts in the PDF"
    for font in fonts:
        assert font["/Subtype"] == "/TrueType"
        base = str(font["/BaseFont"])
        prefix, _plus, name = base.lstrip("/").partition("+")
        assert len(prefix) == 6 and prefix.isupper() and name == "LXGWWenKai-Regular", base
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _fonts(reader: PdfReader) -> list[Any]:
    """Every font dictionary used by the pages, including those of forms placed on them."""
    found: dict[str, Any] = {}

    def walk(resources: Any) -> None:
        resources = _resolve(resources)
        for reference in _resolve(resources.get("/Font", {})).values():
            font = _resolve(reference)
            found[str(font["/BaseFont"])] = font
        for reference in _resolve(resources.get("/XObject", {})).values():
            xobject = _resolve(reference)
            if "/Resources" in xobject:
                walk(xobject["/Resources"])

    for page in reader.pages:
        walk(page["/Resources"])
    return list(found.values())


def test_long_names_shrink_to_fit_their_box() -> None:
    font = register_cjk_font()
    box = default_template().fields["name"]
    short = fit_font_size("张三", font, box.font_size, box.width_mm)
    long_name = "阿卜杜热合曼·买买提艾力·努尔麦麦提·艾合买提江"
    shrunk = fit_font_size(long_name, font, box.font_size, box.width_mm)
    assert short == box.font_size
    assert shrunk < short
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert stringWidth(long_name, font, shrunk) <= box.width_mm * mm


def test_template_round_trips_and_preprinted_mode_omits_fixed_texts(tmp_path: Path) -> None:
    template = default_template()
    assert Template.from_dict(template.to_dict()) == template
    path = render_certificates(
        [_item("JN2026-HG-0003", "李四")], tmp_path / "stock.pdf", preprinted=True, offset_mm=(2.5, -1.0)
    )
    text = PdfReader(path).pages[0].extract_text()
    assert "李四" in text
    assert "获 奖 证 书" not in text
    assert "证书编号" not in text


def test_one_file_per_certificate(tmp_path: Path) -> None:
    items = [_item("JN2026-HG-0001", "张三"), _item("JN2026/HG 0002", "李四")]
    paths = render_each(items, tmp_path / "each")
    assert [path.name for path in paths] == ["JN2026-HG-0001_张三.pdf", "JN2026_HG_0002_李四.pdf"]
    assert "李四" in PdfReader(paths[1]).pages[0].extract_text()


def test_many_files_are_written_by_worker_processes_and_a_cancel_removes_them(tmp_path: Path) -> None:
    items = [_item(f"JN2026-HG-{n:04d}", f"选手{n}") for n in range(1, PARALLEL_FROM + 11)]
    paths = render_each(items, tmp_path / "each", workers=2)
    assert paths == [tmp_path / "each" / file_name(item) for item in items]
    assert sorted(tmp_path.joinpath("each").iterdir()) == sorted(paths)
    assert "选手70" in PdfReader(paths[-1]).pages[0].extract_text()

    def stop_after_the_first_chunk(done: int, _total: int, _text: str) -> None:
        if done > 0:
            progress.cancel()

    progress = Progress(stop_after_the_first_chunk)
    with pytest.raises(Cancelled):
        render_each(items, tmp_path / "cancelled", workers=2, progress=progress)
    assert list(tmp_path.joinpath("cancelled").iterdir()) == []


def _requests(event_id: int, *names: str) -> list[certificates.IssueRequest]:
    return [certificates.IssueRequest(event_id, name, "一等奖", unit_name="某单位") for name in names]


def test_register_numbers_are_unique_and_never_reused(session: Session) -> None:
    data = minimal_event(session)
    data.competition.certificate_number_format = "JN{year}-{event_code}-{seq:04d}"
    acting(session, make_user(session, "organiser", Role.ORGANISER))
    first = certificates.issue(session, data.competition.id, _requests(data.event.id, "张三", "李四"))
    assert [item.number for item in first] == ["JN2026-HG-0001", "JN2026-HG-0002"]
    certificates.void(session, "JN2026-HG-0002", "姓名有误")
    again = certificates.issue(session, data.competition.id, _requests(data.event.id, "李四"))
    assert again[0].number == "JN2026-HG-0003"
    # The counter moved back by hand (or a restored backup): taken numbers are still skipped.
    counter = session.scalars(select(CertificateCounter)).one()
    counter.next_value = 1
    session.flush()
    after_reset = certificates.issue(session, data.competition.id, _requests(data.event.id, "王五"))
    assert after_reset[0].number == "JN2026-HG-0004"

    genuine = certificates.verify(session, again[0].payload)
    assert genuine.genuine and genuine.record is not None and genuine.record.holder_name == "李四"
    voided = certificates.verify(session, "JN2026-HG-0002")
    assert not voided.genuine and "作废" in voided.reason and "姓名有误" in voided.reason
    assert certificates.verify(session, "JN2026-HG-0001").genuine
    assert not certificates.verify(session, "JN2026-HG-0999").genuine
    assert not certificates.verify(session, again[0].payload.replace("李四", "李五")).genuine
    with pytest.raises(certificates.CertificateError, match="已经作废"):
        certificates.void(session, "JN2026-HG-0002", "再次")
    actions = session.scalars(select(AuditRecord.action).where(AuditRecord.entity_type == "certificate")).all()
    assert actions.count("certificate.issue") == 4 and actions.count("certificate.void") == 1


def test_print_records_and_reprints_need_a_reason(session: Session) -> None:
    data = minimal_event(session)
    acting(session, make_user(session, "organiser", Role.ORGANISER))
    (issued,) = certificates.issue(session, data.competition.id, _requests(data.event.id, "张三"))
    assert issued.number.startswith("ZS2026-HG-")
    assert certificates.record_print(session, issued.number, "HP LaserJet") == 1
    with pytest.raises(certificates.CertificateError, match="补打需要填写原因"):
        certificates.record_print(session, issued.number, "HP LaserJet")
    assert certificates.record_print(session, issued.number, "HP LaserJet", "卡纸") == 2
    assert certificates.print_count(session, issued.number) == 2
    certificates.void(session, issued.number, "重新颁发")
    with pytest.raises(certificates.CertificateError, match="已作废"):
        certificates.record_print(session, issued.number, "HP LaserJet", "再打")


def test_issuing_needs_publish_and_reading_needs_view_scores(session: Session) -> None:
    data = minimal_event(session)
    acting(session, make_user(session, "organiser", Role.ORGANISER))
    (issued,) = certificates.issue(session, data.competition.id, _requests(data.event.id, "张三"))
    acting(session, make_user(session, "judge", Role.JUDGE, event_id=data.event.id))
    with pytest.raises(PermissionDenied):
        certificates.issue(session, data.competition.id, _requests(data.event.id, "李四"))
    with pytest.raises(PermissionDenied):
        certificates.void(session, issued.number, "无权")
    record = certificates.lookup(session, issued.number)
    assert record is not None and record.holder_name == "张三"


def test_verify_command(sqlite_database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite_database.transaction() as session:  # set-up mode: no accounts yet, acts as admin
        data = minimal_event(session)
        (issued,) = certificates.issue(session, data.competition.id, _requests(data.event.id, "张三"))
    assert main(["--db", sqlite_database.url, "verify", issued.payload]) == 0
    assert "真实有效" in capsys.readouterr().out
    assert main(["--db", sqlite_database.url, "verify", issued.payload.replace("张三", "张四")]) == 1
    assert "无法确认为真" in capsys.readouterr().out
