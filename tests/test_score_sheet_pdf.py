"""裁判评分表 PDF and ``competition-app sheet …`` on the demo data: what the paper says, read back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from competition_app.cli import main
from competition_app.domain.enums import Role, SheetState
from competition_app.exports.score_sheet import MAX_ASPECT_COLUMNS, group_hex, score_sheet_pdf, worldskills_parts
from competition_app.services.auth import PermissionDenied, act_as
from competition_app.services.scores import load_sheet
from competition_app.services.sheets import lock_sheet, unlock_sheet, verify_sheet
from db.models import Component, Event
from db.session import Database, open_database, sqlite_url
from tests.support.accounts import CHEAP_HASHER, make_user


@pytest.fixture
def demo(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The demo with a named administrator logged in (signing off needs a named account)."""
    database = open_database(sqlite_url(demo_path))
    with database.transaction() as session:
        chief = make_user(session, "chief", Role.ADMIN, password_hash=CHEAP_HASHER.hash("Chief-Passw0rd"))
    database.info["actor"] = chief
    monkeypatch.setenv("COMPETITION_APP_USER", "chief")
    monkeypatch.setenv("COMPETITION_APP_PASSWORD", "Chief-Passw0rd")
    yield database
    database.close()


def _ids(database: Database, competition_short: str, event: str, component: str) -> tuple[int, int]:
    with database.session() as session:
        event_id, component_id = session.execute(
            select(Event.id, Component.id)
            .join(Component, Component.event_id == Event.id)
            .where(Event.name == event, Component.name == component)
            .where(Event.competition.has(short_name=competition_short))
        ).one()
    return event_id, component_id


def _electricians_verified_not_locked(database: Database) -> tuple[int, int]:
    """The demo's 电工 技能操作 is signed and locked; these tests sign it themselves, so it is
    taken back to 已复核 first (unlocked with a reason, then checked again)."""
    event_id, component_id = _ids(database, "运河之星", "电工", "技能操作")
    with database.transaction() as session:
        unlock_sheet(session, event_id, component_id, reason="测试：重新签字")
        verify_sheet(session, event_id, component_id)
    return event_id, component_id


def _pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_a_locked_panel_sheet_carries_its_fingerprint_names_and_marks(demo: Database, tmp_path: Path) -> None:
    event_id, component_id = _electricians_verified_not_locked(demo)  # 5 judges
    with demo.transaction() as session:
        fingerprint = lock_sheet(session, event_id, component_id)
        sheet = load_sheet(session, event_id, component_id)
        out = score_sheet_pdf(session, event_id, component_id, tmp_path / "电工.pdf")
    pages = _pages(out)
    whole = "\n".join(pages)
    assert group_hex(fingerprint) in whole and "锁定时记录" in whole
    assert all(group_hex(fingerprint) in page for page in pages)  # a loose page still names its data
    assert all(re.search(rf"第 {n} 页 共 {len(pages)} 页", page) for n, page in enumerate(pages, 1))
    assert "草稿" not in whole and "未锁定" not in whole
    judges = [column.judge_name for column in sheet.columns]
    assert all(name and name in whole for name in judges)
    first = sheet.rows[0]
    assert first.code in whole and first.name in whole
    assert all(str(value).rstrip("0").rstrip(".") in whole for value in sheet.row_values(0) if value is not None)
    assert "裁判长" in whole and "核验：competition-app sheet fingerprint 电工 技能操作 --competition 运河之星" in whole
    assert PdfReader(out).pages[0].mediabox.width > PdfReader(out).pages[0].mediabox.height  # landscape: 12 columns


def test_a_sheet_being_entered_prints_as_a_draft_with_the_current_fingerprint(demo: Database, tmp_path: Path) -> None:
    event_id, component_id = _ids(demo, "运河之星", "数控车工", "技能操作")
    with demo.session() as session:
        out = score_sheet_pdf(session, event_id, component_id, tmp_path / "draft.pdf")
        from competition_app.services.sheets import fingerprint

        now = fingerprint(session, event_id, component_id)
    whole = "\n".join(_pages(out))
    assert "草稿：未锁定，不作为正式成绩" in whole
    assert group_hex(now) in whole and "未锁定，按当前数据计算" in whole


def test_an_anonymous_sheet_shows_codes_and_no_names(demo: Database, tmp_path: Path) -> None:
    event_id, component_id = _ids(demo, "运河之星", "焊工", "理论知识")  # locked, marked anonymously
    with demo.session() as session:
        sheet = load_sheet(session, event_id, component_id)
        names = session.scalars(
            text("SELECT p.name FROM people p JOIN entries e ON e.person_id = p.id WHERE e.event_id = :id"),
            {"id": event_id},
        ).all()
        out = score_sheet_pdf(session, event_id, component_id, tmp_path / "anon.pdf")
    whole = "\n".join(_pages(out))
    assert sheet.anonymous and "检录号" in whole
    assert all(row.code in whole for row in sheet.rows)
    assert not [name for name in names if name in whole]


def test_a_worldskills_sheet_is_split_into_readable_parts(demo: Database, tmp_path: Path) -> None:
    event_id, component_id = _ids(demo, "世赛山东选拔赛", "网站技术", "技能操作")
    with demo.session() as session:
        sheet = load_sheet(session, event_id, component_id)
        out = score_sheet_pdf(session, event_id, component_id, tmp_path / "ws.pdf")
    parts = worldskills_parts(sheet)
    assert [index for part in parts for index in part] == list(range(len(sheet.columns)))
    assert all(len(part) <= MAX_ASPECT_COLUMNS for part in parts)
    for part in parts:  # the three judges of a judgement aspect are never split across pages
        aspects = {sheet.columns[index].aspect_id for index in part}
        assert all(index in part for index, column in enumerate(sheet.columns) if column.aspect_id in aspects)
    pages = _pages(out)
    whole = "\n".join(pages)
    assert len(pages) >= len(parts) + 1
    assert f"第 1 部分，共 {len(parts)} 部分" in whole and "裁判评分表（汇总）" in whole
    assert all(column.aspect_code in whole for column in sheet.columns)
    assert "A 小计" in whole and "◆" in whole  # the demo has a judgement spread over 1
    assert all(f"共 {len(pages)} 页" in page for page in pages)


def test_a_second_pass_print_is_marked_and_has_no_fingerprint(demo: Database, tmp_path: Path) -> None:
    event_id, component_id = _ids(demo, "运河之星", "焊工", "技能操作")  # double entry, pass 2 partly keyed
    with demo.session() as session:
        out = score_sheet_pdf(session, event_id, component_id, tmp_path / "pass2.pdf", pass_no=2)
    whole = "\n".join(_pages(out))
    assert "第二遍录入核对稿" in whole and "第二遍录入不计数据指纹" in whole and "核验：" not in whole


def test_printing_needs_view_scores_for_the_event(demo: Database, tmp_path: Path) -> None:
    event_id, component_id = _ids(demo, "运河之星", "电工", "技能操作")
    other_id, _component = _ids(demo, "运河之星", "焊工", "理论知识")
    with demo.session() as session:
        act_as(session, make_user(session, "clerk", Role.CLERK, event_id=other_id))
        with pytest.raises(PermissionDenied, match="查看成绩"):
            score_sheet_pdf(session, event_id, component_id, tmp_path / "no.pdf")
        session.rollback()
    assert not (tmp_path / "no.pdf").exists()


# --- the command line -----------------------------------------------------------------------


def _cli(database: Database, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(database.engine.url.database), "sheet", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sheet_commands_lock_check_publish_and_unlock(
    demo: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ("电工", "技能操作", "--competition", "运河之星")
    _electricians_verified_not_locked(demo)
    code, out, _err = _cli(demo, "status", "电工", "--competition", "运河之星", capsys=capsys)
    assert code == 0 and "技能操作\t已复核\t第一遍 270/270，第二遍 270/270，不一致 0 处" in out
    code, _out, err = _cli(demo, "status", "电工", capsys=capsys)
    assert code == 1 and "--competition" in err and "四川工匠杯" in err
    code, out, _err = _cli(demo, "fingerprint", "数控车工", "技能操作", "--competition", "运河之星", capsys=capsys)
    assert code == 1 and "尚未锁定" in out
    code, out, _err = _cli(demo, "lock", *where, capsys=capsys)
    assert code == 0 and "已签字锁定" in out
    printed = re.search(r"数据指纹：([0-9a-f ]+)", out)
    assert printed is not None
    code, out, _err = _cli(demo, "fingerprint", *where, capsys=capsys)
    assert code == 0 and "一致" in out and printed.group(1).strip() in out
    code, out, _err = _cli(demo, "pdf", *where, str(tmp_path / "signed.pdf"), capsys=capsys)
    assert code == 0 and printed.group(1).strip() in "\n".join(_pages(tmp_path / "signed.pdf"))
    code, out, _err = _cli(demo, "publish", *where, capsys=capsys)
    assert code == 0
    with pytest.raises(SystemExit):
        _cli(demo, "unlock", *where, capsys=capsys)  # --reason is required
    capsys.readouterr()
    code, out, _err = _cli(demo, "unlock", *where, "--reason", "DG-007 录错", capsys=capsys)
    assert code == 0
    event_id, component_id = _ids(demo, "运河之星", "电工", "技能操作")
    with demo.session() as session:
        assert load_sheet(session, event_id, component_id).state is SheetState.ENTERING


def test_sheet_fingerprint_fails_when_data_changed_behind_the_apps_back(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ("电工", "技能操作", "--competition", "运河之星")
    _event_id, component_id = _electricians_verified_not_locked(demo)
    assert _cli(demo, "lock", *where, capsys=capsys)[0] == 0
    with demo.engine.begin() as connection:
        connection.execute(
            text("UPDATE scores SET value = '99.9' WHERE id = (SELECT min(id) FROM scores WHERE component_id = :c)"),
            {"c": component_id},
        )
    code, out, _err = _cli(demo, "fingerprint", *where, capsys=capsys)
    assert code == 1 and "不一致" in out


def test_sheet_commands_report_bad_names_and_refusals(demo: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _cli(demo, "verify", "焊工", "没有这一项", capsys=capsys)
    assert code == 1 and "现有评分项：理论知识、技能操作" in err
    code, _out, err = _cli(demo, "verify", "焊工", "技能操作", capsys=capsys)
    assert code == 1 and "第二遍还有" in err and "Traceback" not in err
    code, _out, err = _cli(demo, "pdf", "焊工", "技能操作", "out.txt", capsys=capsys)
    assert code == 2 and ".pdf" in err
