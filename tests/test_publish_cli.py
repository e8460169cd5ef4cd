"""``competition-app publish`` on the demo: the files, what they say (pypdf, calamine), the refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from competition_app.certificates.numbering import chinese_date
from competition_app.cli import main
from competition_app.domain.enums import Role
from competition_app.publish_cli import default_period
from competition_app.services.competitions import find_competition
from competition_app.services.results import competition_results
from db.session import Database, open_database, sqlite_url
from tests.support.accounts import CHEAP_HASHER, make_user

NAME = '2026年济宁市"运河之星"职业技能大赛'
SHORT = "运河之星"
DOCUMENTS = ("成绩公示", "获奖名单", "技术能手申报名单", "晋升名单")


def _run(demo_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(demo_path), "publish", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_publish_writes_every_document_as_pdf_and_xlsx(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "公示"
    code, printed, err = _run(
        demo_path, capsys, SHORT, "--out", str(out), "--from", "2026-05-21", "--to", "2026-05-27",
        "--contact", "0537-2345678（赛事办公室）", "--note", "以最终公告为准。",
    )  # fmt: skip
    assert (code, err) == (0, "")
    expected = {out / f"{SHORT}-{name}.{kind}" for name in DOCUMENTS for kind in ("pdf", "xlsx")}
    assert {Path(line) for line in printed.splitlines()} == expected
    assert all(path.stat().st_size > 0 for path in expected)

    announcement = _text(out / f"{SHORT}-成绩公示.pdf")
    assert "运河之星" in announcement and "职业技能大赛成绩公示" in announcement
    assert f"公示期：{chinese_date(date(2026, 5, 21))}至{chinese_date(date(2026, 5, 27))}" in announcement
    assert "二〇二六年五月二十一日" in announcement
    assert "0537-2345678（赛事办公室）" in announcement and "以最终公告为准。" in announcement

    database = open_database(sqlite_url(demo_path))
    try:
        with database.session() as session:
            view = competition_results(session, find_competition(session, SHORT), compute=False)
    finally:
        database.close()
    event = next(e for e in view.events if e.name == "电工")
    winners = sorted(line.name for group in event.groups for line in group.lines if line.award)
    assert len(winners) == 12
    sheet = CalamineWorkbook.from_path(str(out / f"{SHORT}-获奖名单.xlsx")).get_sheet_by_index(0).to_python()
    header = [str(cell) for cell in sheet[0]]
    event_column, name_column = header.index("赛项"), header.index("姓名")
    listed = sorted(str(row[name_column]) for row in sheet[1:] if str(row[event_column]) == event.label)
    assert listed == winners
    assert NAME in _text(out / f"{SHORT}-获奖名单.pdf")


def test_the_default_period_is_five_working_days_from_today(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert default_period(date(2026, 5, 21)) == (date(2026, 5, 21), date(2026, 5, 27))  # Thu → next Wed
    assert default_period(date(2026, 5, 23)) == (date(2026, 5, 23), date(2026, 5, 29))  # Sat → Fri
    code, _out, err = _run(demo_path, capsys, "1", "--out", str(tmp_path), "--stored")  # nothing computed yet
    assert code == 1 and "没有可公示的成绩" in err
    code, _out, err = _run(demo_path, capsys, "1", "--out", str(tmp_path))
    assert code == 0, err
    start, end = default_period(date.today())
    text = _text(tmp_path / f"{SHORT}-成绩公示.pdf")
    assert f"公示期：{chinese_date(start)}至{chinese_date(end)}" in text
    database = open_database(sqlite_url(demo_path))
    try:
        with database.session() as session:
            organiser = competition_results(session, find_competition(session, SHORT), compute=False).organiser
    finally:
        database.close()
    assert organiser and f"联系方式：{organiser}" in text


def test_bad_dates_are_refused_naming_the_option(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "公示"
    code, printed, err = _run(demo_path, capsys, SHORT, "--out", str(out), "--from", "2026-05-27", "--to", "2026-05-21")
    assert (code, printed) == (1, "")
    assert "--to（2026-05-21）早于 --from（2026-05-27）" in err and "公示期结束日期不能早于开始日期" in err
    code, _printed, err = _run(demo_path, capsys, SHORT, "--out", str(out), "--from", "2026-13-01")
    assert code == 1 and "--from 的日期“2026-13-01”无效" in err
    assert not out.exists()


def test_a_judge_may_not_publish(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database: Database = open_database(sqlite_url(demo_path))
    try:
        with database.transaction() as session:
            make_user(session, "admin", Role.ADMIN, password_hash=CHEAP_HASHER.hash("Admin-Passw0rd"))
            make_user(session, "judge", Role.JUDGE, competition_id=find_competition(session, SHORT),
                      password_hash=CHEAP_HASHER.hash("Judge-Passw0rd"))  # fmt: skip
    finally:
        database.close()
    monkeypatch.setenv("COMPETITION_APP_PASSWORD", "Judge-Passw0rd")
    out = tmp_path / "公示"
    code = main(["--db", str(demo_path), "--user", "judge", "publish", SHORT, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "公示成绩" in err
    assert not out.exists()
