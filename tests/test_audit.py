"""The audit log: the chain check finds tampering done behind the app's back; the viewer's search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from competition_app.cli import main
from competition_app.domain.enums import Role
from competition_app.services import audit
from competition_app.services.audit import AuditQuery, ChainProblem, describe_change, search, verify_chain
from competition_app.services.auth import PermissionDenied, act_as
from db.session import Database, open_database, sqlite_url
from tests.factories import minimal_event
from tests.support.accounts import acting, make_user

# --- the chain ------------------------------------------------------------------------------


@pytest.fixture
def chained(sqlite_database: Database) -> Iterator[tuple[Database, list[int]]]:
    """Five score records committed in a file, the append-only triggers dropped as an attacker would."""
    ids = []
    with sqlite_database.transaction() as session:
        for value in range(70, 75):
            ids.append(
                audit.append(session, action="score.enter", entity_type="score", new_value={"value": str(value)}).id
            )
    with sqlite_database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
    yield sqlite_database, ids


def _run(database: Database, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(database.engine.url.database), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_intact_chain_is_reported_with_its_count(
    chained: tuple[Database, list[int]], capsys: pytest.CaptureFixture[str]
) -> None:
    database, ids = chained
    with database.session() as session:
        report = verify_chain(session)
        assert report.ok and report.count == len(ids)
        assert audit.first_broken_link(session) is None
    code, out, _err = _run(database, "audit", "verify", capsys=capsys)
    assert code == 0
    assert "审计链完整" in out and f"共 {len(ids)} 条记录" in out


def test_an_edited_record_is_reported_as_content_not_matching_its_hash(
    chained: tuple[Database, list[int]], capsys: pytest.CaptureFixture[str]
) -> None:
    database, ids = chained
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET new_value = :v WHERE id = :id"), {"v": '{"value": "99"}', "id": ids[2]}
        )
    with database.session() as session:
        report = verify_chain(session)
    assert report.broken is not None
    assert report.broken.record_id == ids[2]
    assert report.broken.problem is ChainProblem.CONTENT
    assert report.broken.action == "score.enter"
    assert report.count == 2  # the two records before it check out
    code, out, _err = _run(database, "audit", "verify", capsys=capsys)
    assert code == 1
    assert f"第 {ids[2]} 号记录" in out and "录入成绩" in out and "哈希与其内容不符" in out


def test_a_deleted_record_is_reported_at_the_record_after_the_gap(
    chained: tuple[Database, list[int]], capsys: pytest.CaptureFixture[str]
) -> None:
    database, ids = chained
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    with database.session() as session:
        broken = verify_chain(session).broken
        assert audit.first_broken_link(session) == ids[2]
    assert broken is not None
    assert (broken.record_id, broken.problem, broken.previous_id) == (ids[2], ChainProblem.MISSING, ids[0])
    code, out, _err = _run(database, "audit", "verify", capsys=capsys)
    assert code == 1 and "有记录被删除" in out


def test_a_record_rewritten_with_a_fresh_hash_breaks_the_next_link(chained: tuple[Database, list[int]]) -> None:
    database, ids = chained
    with database.session() as session:
        record = session.get_one(audit.AuditRecord, ids[3])
        forged = {**audit._hashed_fields(record), "new_value": {"value": "100"}}
        new_hash = audit.record_hash(record.prev_hash, forged)
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET new_value = :v, hash = :h WHERE id = :id"),
            {"v": '{"value": "100"}', "h": new_hash, "id": ids[3]},
        )
    with database.session() as session:
        broken = verify_chain(session).broken
    assert broken is not None
    assert (broken.record_id, broken.problem, broken.previous_id) == (ids[4], ChainProblem.LINK, ids[3])
    assert f"第 {ids[3]} 号记录连同哈希被改写" in broken.message


def test_an_empty_log_is_intact(sqlite_database: Database) -> None:
    with sqlite_database.session() as session:
        assert verify_chain(session).ok and verify_chain(session).count == 0


def test_verify_needs_the_audit_permission(session: Session) -> None:
    built = minimal_event(session)
    acting(session, make_user(session, "clerk", Role.CLERK, event_id=built.event.id))
    with pytest.raises(PermissionDenied, match="查看审计日志"):
        audit.check_chain(session)


# --- search ---------------------------------------------------------------------------------


def _record(session: Session, action: str, **fields: object) -> audit.AuditRecord:
    return audit.append(session, action=action, entity_type=str(fields.pop("entity_type", "score")), **fields)  # type: ignore[arg-type]


def test_search_filters_by_event_person_user_action_and_time(session: Session) -> None:
    first = minimal_event(session, name="检索赛事一")
    second = minimal_event(session, name="检索赛事二", id_number="110105194912310037")
    second.person.name = "欧阳娜娜"
    session.flush()
    _record(session, "score.enter", event_id=first.event.id, competition_id=first.competition.id,
            person_id=first.person.id, new_value={"value": "80", "cell": "HG-001 · 技能操作 · 1号裁判"},
            username="clerk_a")  # fmt: skip
    _record(session, "score.change", event_id=second.event.id, competition_id=second.competition.id,
            person_id=second.person.id, old_value={"value": "80"}, new_value={"value": "81"}, reason="复核更正",
            username="clerk_b")  # fmt: skip
    _record(session, "sheet.lock", entity_type="score_sheet", event_id=first.event.id,
            old_value={"state": "verified"}, new_value={"state": "locked", "component": "技能操作"},
            username="chief")  # fmt: skip
    _record(session, "user.login_failed", entity_type="user", username="clerk_a", new_value={"failed_logins": 1})

    everything = search(session, AuditQuery())
    assert everything.total >= 4
    assert [row.id for row in everything.rows] == sorted((row.id for row in everything.rows), reverse=True)

    by_event = search(session, AuditQuery(event_id=first.event.id))
    assert {row.action for row in by_event.rows} == {"score.enter", "sheet.lock"}
    locked = next(row for row in by_event.rows if row.action == "sheet.lock")
    assert locked.action_label == "签字锁定"
    assert locked.change == "状态 已复核 → 裁判长签字锁定"
    assert locked.object == "评分表 · 技能操作" and locked.event_name == "焊工"

    by_person = search(session, AuditQuery(person="欧阳"))
    assert [row.action for row in by_person.rows] == ["score.change"]
    assert by_person.rows[0].change == "80 → 81" and by_person.rows[0].reason == "复核更正"
    assert by_person.rows[0].person_name == "欧阳娜娜"
    assert [row.action for row in search(session, AuditQuery(person="oyn")).rows] == ["score.change"]  # pinyin initials
    assert search(session, AuditQuery(person=str(second.person.id))).total == 1

    by_user = search(session, AuditQuery(username="CLERK_A"))
    assert {row.action for row in by_user.rows} == {"score.enter", "user.login_failed"}
    assert {row.action for row in search(session, AuditQuery(action="score.")).rows} == {"score.enter", "score.change"}
    assert {row.action for row in search(session, AuditQuery(action="score")).rows} == {"score.enter", "score.change"}
    assert {row.action for row in search(session, AuditQuery(action="user.login_failed")).rows} == {"user.login_failed"}
    assert {row.action for row in search(session, AuditQuery(action="user.login")).rows} == set()

    now = datetime.now(UTC)
    assert search(session, AuditQuery(since=now + timedelta(hours=1))).total == 0
    assert search(session, AuditQuery(until=now - timedelta(days=1))).total == 0
    assert search(session, AuditQuery(since=now - timedelta(hours=1), until=now + timedelta(hours=1))).total >= 4


def test_search_pages_newest_first(session: Session) -> None:
    ids = [_record(session, "score.enter", new_value={"value": str(n)}).id for n in range(7)]
    first = search(session, AuditQuery(action="score.enter", limit=3))
    second = search(session, AuditQuery(action="score.enter", limit=3, offset=3))
    third = search(session, AuditQuery(action="score.enter", limit=3, offset=6))
    assert [row.id for row in (*first.rows, *second.rows, *third.rows)] == ids[::-1]
    assert first.total == 7 and first.has_more and not third.has_more


def test_a_chief_judge_of_one_event_sees_only_that_events_records(session: Session) -> None:
    mine = minimal_event(session, name="裁判长的赛事")
    other = minimal_event(session, name="别人的赛事", id_number="110105194912310037")
    _record(session, "score.enter", event_id=mine.event.id, competition_id=mine.competition.id)
    _record(session, "score.enter", event_id=other.event.id, competition_id=other.competition.id)
    _record(session, "user.login", entity_type="user")
    chief = make_user(session, "chief", Role.CHIEF_JUDGE, event_id=mine.event.id)
    acting(session, chief)
    page = search(session, AuditQuery())
    assert {row.event_id for row in page.rows} == {mine.event.id}
    with pytest.raises(PermissionDenied):
        search(session, AuditQuery(event_id=other.event.id))
    choices = audit.audit_choices(session)
    assert [choice.id for choice in choices.events] == [mine.event.id]
    act_as(session, make_user(session, "clerk", Role.CLERK, event_id=mine.event.id))
    with pytest.raises(PermissionDenied, match="查看审计日志"):
        search(session, AuditQuery())


def test_an_organiser_does_not_see_who_is_behind_a_sealed_anonymous_code(session: Session) -> None:
    built = minimal_event(session)
    built.event.anonymous_marking = True
    session.flush()
    _record(session, "score.enter", event_id=built.event.id, competition_id=built.competition.id,
            person_id=built.person.id, new_value={"value": "80", "cell": "1125 · 技能操作"})  # fmt: skip
    acting(session, make_user(session, "organiser", Role.ORGANISER))
    rows = search(session, AuditQuery(event_id=built.event.id)).rows
    assert len(rows) == 1 and rows[0].person_name is None and "1125" in rows[0].object
    assert search(session, AuditQuery(person="张三")).total == 0  # a name search cannot reveal the code
    acting(session, make_user(session, "chief", Role.CHIEF_JUDGE))  # may 解密
    assert search(session, AuditQuery(person="张三")).rows[0].person_name == "张三"


def test_changes_are_rendered_compactly() -> None:
    assert describe_change(None, {"value": "86", "cell": "x"}) == "— → 86"
    assert describe_change({"value": "85", "by": 3, "cell": "x"}, None) == "85 → —"
    assert describe_change({"double_entry": True}, {"double_entry": False, "component": "x"}) == "双人录入 是 → 否"
    draw = describe_change(None, {"kind": "anon_code", "seed": "42", "result": {"1": "1125", "2": "1409"}})
    assert "1125" not in draw and "2 项" in draw  # a draw's code table is never listed
    assert len(describe_change(None, {"note": "很长" * 200})) <= 160


def test_audit_list_prints_the_filtered_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.sqlite3"
    database = open_database(sqlite_url(path))
    try:
        with database.transaction() as session:
            built = minimal_event(session)
            _record(session, "score.change", event_id=built.event.id, competition_id=built.competition.id,
                    old_value={"value": "80"}, new_value={"value": "81", "cell": "HG-001 · 技能操作"},
                    reason="复核更正", username="clerk_a")  # fmt: skip
            _record(session, "user.login", entity_type="user", username="admin")
    finally:
        database.close()
    code = main(["--db", str(path), "audit", "list", "--event", "焊工", "--action", "score.", "--since", "2000-01-01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "修改成绩" in out and "80 → 81" in out and "复核更正" in out and "HG-001 · 技能操作" in out
    assert "登录" not in out and "共 1 条" in out
    code = main(["--db", str(path), "audit", "list", "--user", "admin"])
    assert code == 0 and "共 1 条" in capsys.readouterr().out
    assert main(["--db", str(path), "audit", "list", "--event", "没有这个赛项"]) == 1
    assert "现有赛项：焊工" in capsys.readouterr().err
