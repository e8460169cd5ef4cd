"""The data layer on real engines: SQLite files and a PostgreSQL server."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from competition_app.domain.enums import Level
from competition_app.services import audit
from db.base import Base
from db.migrate import HEAD_REVISION, SchemaTooNewError, alembic_config
from db.models import Competition, Component, Entry, EventGroup, Person, Score
from db.session import Database, open_database, resolve_url, sqlite_url
from tests.factories import minimal_event


def test_head_revision_constant_is_alembics_head() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes;
        # SQLAlchemy and Alembic both say so; the migration test below checks those indexes instead.
        warnings.filterwarnings("ignore", message=".*expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_product_entity_has_a_table() -> None:
    expected = {
        "rule_sets", "competitions", "events", "event_groups", "components", "marking_aspects",
        "people", "person_achievements", "units", "entries", "teams", "judges", "judge_assignments",
        "users", "user_roles", "scores", "score_sheets", "draws", "tie_decisions", "result_snapshots",
        "result_rows", "certificates", "certificate_prints", "certificate_counters",
        "certificate_templates", "printer_calibrations", "audit_log", "app_settings",
    }  # fmt: skip
    assert expected <= set(Base.metadata.tables)


def test_scores_and_weights_are_exact_decimals(session: Session) -> None:
    built = minimal_event(session)
    values = [Decimal("0.1"), Decimal("0.2"), Decimal("88.125"), Decimal("99.999")]
    cells = [(built.theory, 1), (built.theory, 2), (built.practical, 1), (built.practical, 2)]
    for (component, pass_no), value in zip(cells, values, strict=True):
        session.add(Score(entry_id=built.entry.id, component_id=component.id, pass_no=pass_no, value=value))
    session.flush()
    session.expire_all()
    stored = session.scalars(select(Score.value).order_by(Score.id)).all()
    assert stored == values
    assert all(isinstance(value, Decimal) for value in stored)
    assert sum(stored[:2]) == Decimal("0.3")  # a float sum would give 0.30000000000000004
    weights = session.scalars(select(Component.weight).order_by(Component.sort_order)).all()
    assert weights == [Decimal("0.3"), Decimal("0.7")]
    if session.get_bind().dialect.name == "sqlite":
        kinds = session.execute(text("SELECT DISTINCT typeof(value) FROM scores")).scalars().all()
        assert kinds == ["text"]


@pytest.mark.parametrize("bad", [0.1, Decimal("1.0001"), Decimal("NaN"), "12"])
def test_inexact_or_non_decimal_marks_are_refused(session: Session, bad: object) -> None:
    built = minimal_event(session)
    session.add(Score(entry_id=built.entry.id, component_id=built.theory.id, value=bad))
    with pytest.raises(StatementError):
        session.flush()


def test_negative_mark_is_refused_by_the_database(session: Session) -> None:
    built = minimal_event(session)
    session.add(Score(entry_id=built.entry.id, component_id=built.theory.id, value=Decimal("-1")))
    with pytest.raises(IntegrityError):
        session.flush()


def test_foreign_keys_are_enforced(session: Session) -> None:
    built = minimal_event(session)
    session.add(Entry(event_id=built.event.id, group_id=built.group.id, person_id=999_999))
    with pytest.raises(IntegrityError):
        session.flush()


def test_entry_group_must_belong_to_the_entry_event(session: Session) -> None:
    first = minimal_event(session, name="赛事甲")
    other_person = Person(id_number="110105194912310029", name="李四")
    other_event = minimal_event(session, name="赛事乙", id_number="110105194912310010").event
    foreign_group = session.scalar(select(EventGroup).where(EventGroup.event_id == other_event.id))
    assert foreign_group is not None
    session.add(other_person)
    session.flush()
    session.add(Entry(event_id=first.event.id, group_id=foreign_group.id, person_id=other_person.id))
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_person_is_unique_by_id_number(session: Session) -> None:
    minimal_event(session)
    session.add(Person(id_number="11010519491231002X", name="张三（重复）"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_one_entry_per_person_per_event(session: Session) -> None:
    built = minimal_event(session)
    session.add(Entry(event_id=built.event.id, group_id=built.group.id, person_id=built.person.id, bib="HG-002"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_one_score_per_cell_even_without_judge_or_aspect(session: Session) -> None:
    built = minimal_event(session)
    session.add(Score(entry_id=built.entry.id, component_id=built.theory.id, value=Decimal("80")))
    session.flush()
    session.add(Score(entry_id=built.entry.id, component_id=built.theory.id, value=Decimal("81")))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"])
def test_audit_log_is_append_only(session: Session, statement: str) -> None:
    audit.append(session, action="test", entity_type="database", reason="为测试追加")
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))


def test_audit_chain_links_each_record_to_the_previous(session: Session) -> None:
    first = audit.append(session, action="a", entity_type="score", new_value={"value": "88.5"})
    second = audit.append(session, action="b", entity_type="score", old_value={"value": "88.5"}, reason="复核更正")
    assert second.prev_hash == first.hash
    assert audit.first_broken_link(session) is None


def test_audit_verification_finds_an_edit_made_behind_the_apps_back(sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:
        audit.append(session, action="score.enter", entity_type="score", new_value={"value": "70"})
        tampered = audit.append(session, action="score.enter", entity_type="score", new_value={"value": "71"})
        audit.append(session, action="score.enter", entity_type="score", new_value={"value": "72"})
    with sqlite_database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        connection.execute(
            text("UPDATE audit_log SET new_value = :v WHERE id = :id"), {"v": '{"value": "99"}', "id": tampered.id}
        )
    with sqlite_database.session() as session:
        assert audit.first_broken_link(session) == tampered.id


def test_concurrent_edit_of_the_same_score_is_detected(database: Database) -> None:
    with database.transaction() as setup:
        built = minimal_event(setup, name=f"并发测试-{database.dialect}")
        score = Score(entry_id=built.entry.id, component_id=built.theory.id, value=Decimal("80"))
        setup.add(score)
    try:
        first, second = database.session(), database.session()
        mine = first.get_one(Score, score.id)
        theirs = second.get_one(Score, score.id)
        second.commit()  # the other client read the cell in an earlier action, as the UI does
        mine.value = Decimal("81")
        first.commit()
        theirs.value = Decimal("82")
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
        first.close()
        second.close()
        with database.session() as check:
            assert check.get_one(Score, score.id).value == Decimal("81")
    finally:
        with database.transaction() as cleanup:
            cleanup.delete(cleanup.get_one(Competition, built.competition.id))
            cleanup.flush()
            cleanup.delete(cleanup.get_one(Person, built.person.id))


def test_sqlite_is_durable_with_wal_and_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_sqlite_savepoints_roll_back_inner_work(sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:
        session.add(Competition(name="外层", year=2026, level=Level.MUNICIPAL))
        inner = session.begin_nested()
        session.add(Competition(name="内层", year=2026, level=Level.MUNICIPAL))
        session.flush()
        inner.rollback()
    with sqlite_database.session() as session:
        assert session.scalars(select(Competition.name)).all() == ["外层"]


def test_opening_migrates_a_new_file_and_reopening_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite3"
    database = open_database(sqlite_url(path))
    database.close()
    assert path.exists()
    reopened = open_database(sqlite_url(path))
    with reopened.engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    reopened.close()
    assert versions == [HEAD_REVISION]


def test_downgrade_to_nothing_and_upgrade_again(tmp_path: Path) -> None:
    from alembic import command

    database = open_database(sqlite_url(tmp_path / "roundtrip.sqlite3"))
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with database.engine.connect() as connection:
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").scalars().all()
    assert set(tables) <= {"alembic_version"}
    database.close()
    open_database(database.url).close()


def test_a_database_from_a_newer_program_is_refused_in_chinese(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "newer.sqlite3")
    open_database(url).close()
    database = open_database(url, migrate=False)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    database.close()
    with pytest.raises(SchemaTooNewError, match="比本程序新"):
        open_database(url)


def test_url_resolution_order(tmp_path: Path) -> None:
    env_path = tmp_path / "env.sqlite3"
    assert resolve_url("postgresql://u:p@h/db", {"COMPETITION_APP_DB": str(env_path)}) == (
        "postgresql+psycopg://u:p@h/db"
    )
    assert resolve_url(None, {"COMPETITION_APP_DB": str(env_path)}) == sqlite_url(env_path)
    default = resolve_url(None, {})
    assert default.startswith("sqlite+pysqlite:///") and default.endswith("competition.sqlite3")


def test_upgrading_from_0001_fills_the_pinyin_of_people_already_stored(tmp_path: Path) -> None:
    from alembic import command

    database = open_database(sqlite_url(tmp_path / "old.sqlite3"))
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_initial")
        connection.exec_driver_sql(
            "INSERT INTO people (id_type, id_number, name, status, created_at, updated_at) "
            "VALUES ('resident_id', '11010519491231002X', '张三', 'worker', '2026-01-01', '2026-01-01')"
        )
    database.close()
    upgraded = open_database(database.url)
    with upgraded.session() as session:
        assert session.scalars(select(Person.name_pinyin)).one() == "zhangsan zs"
    upgraded.close()


def test_the_pinyin_key_follows_the_name(session: Session) -> None:
    person = Person(id_number="11010519491231002X", name="张三")
    session.add(person)
    session.flush()
    assert person.name_pinyin == "zhangsan zs"
    person.name = "曾小贤"
    session.flush()
    assert "zxx" in person.name_pinyin
