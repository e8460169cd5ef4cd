"""Migration 0003: judged scores of an 0002 database get the seat of their judge."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.migrate import alembic_config
from db.models import Judge, JudgeAssignment, Score
from db.session import open_database, sqlite_url
from tests.factories import minimal_event

INSERT_0002_SCORE = text(
    "INSERT INTO scores (entry_id, component_id, judge_id, pass_no, value, state, entered_at, version) "
    "VALUES (:entry, :component, :judge, :pass_no, :value, 'entered', '2026-05-20 09:00:00', 1)"
)


def test_upgrading_from_0002_gives_judged_scores_their_seats(tmp_path: Path) -> None:
    from alembic import command

    database = open_database(sqlite_url(tmp_path / "old.sqlite3"))
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002_person_name_pinyin")
    with Session(database.engine, expire_on_commit=False) as session, session.begin():
        built = minimal_event(session)
        second = minimal_event(session, name="另一赛事", id_number="110105194912310029")
        judges = [Judge(competition_id=built.competition.id, name=f"裁判{n}") for n in range(1, 5)]
        session.add_all(judges)
        session.flush()
        seated, seated_too, unseated, _unassigned = judges
        session.add_all(
            [
                JudgeAssignment(judge_id=seated.id, event_id=built.event.id, component_id=built.practical.id, seat=4),
                JudgeAssignment(
                    judge_id=seated_too.id, event_id=built.event.id, component_id=built.practical.id, seat=2
                ),
                JudgeAssignment(judge_id=unseated.id, event_id=built.event.id, component_id=built.practical.id),
            ]
        )
        ids = {"entry": built.entry.id, "practical": built.practical.id, "theory": built.theory.id,
               "other_entry": second.entry.id, "other_practical": second.practical.id}  # fmt: skip
    rows = [
        # Both judges are seated: each mark takes its judge's seat.
        ("seated", ids["entry"], ids["practical"], seated.id, 1, "81"),
        ("seated_too", ids["entry"], ids["practical"], seated_too.id, 1, "82"),
        ("seated_pass2", ids["entry"], ids["practical"], seated.id, 2, "81"),
        # A cell whose judges are not all seated keeps their order by judge: seats 1, 2, 3.
        ("other_a", ids["other_entry"], ids["other_practical"], seated.id, 1, "71"),
        ("other_b", ids["other_entry"], ids["other_practical"], unseated.id, 1, "72"),
        ("other_c", ids["other_entry"], ids["other_practical"], _unassigned.id, 1, "73"),
        # A mark without a judge (theory) stays in seat 1.
        ("theory", ids["entry"], ids["theory"], None, 1, "90"),
    ]
    with database.engine.begin() as connection:
        for _name, entry, component, judge, pass_no, value in rows:
            connection.execute(INSERT_0002_SCORE, {"entry": entry, "component": component, "judge": judge,
                                                   "pass_no": pass_no, "value": value})  # fmt: skip
    database.close()

    upgraded = open_database(database.url)
    with upgraded.session() as session:
        seats = {
            (score.entry_id, score.component_id, score.judge_id, score.pass_no): score.seat
            for score in session.scalars(select(Score))
        }
        assert seats == {
            (ids["entry"], ids["practical"], seated.id, 1): 4,
            (ids["entry"], ids["practical"], seated_too.id, 1): 2,
            (ids["entry"], ids["practical"], seated.id, 2): 4,
            (ids["other_entry"], ids["other_practical"], seated.id, 1): 1,
            (ids["other_entry"], ids["other_practical"], unseated.id, 1): 2,
            (ids["other_entry"], ids["other_practical"], _unassigned.id, 1): 3,
            (ids["entry"], ids["theory"], None, 1): 1,
        }
        # The cell index is now (entry, component, aspect, seat, pass): a second mark in seat 4…
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(Score(entry_id=ids["entry"], component_id=ids["practical"], seat=4, value=Decimal(1)))
        # …or in the theory's only seat is refused, whoever the judge; a free seat is not.
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(Score(entry_id=ids["entry"], component_id=ids["theory"], judge_id=seated.id, seat=1,
                              value=Decimal(1)))  # fmt: skip
        with session.begin_nested():
            session.add(Score(entry_id=ids["entry"], component_id=ids["practical"], seat=5, value=Decimal(1)))
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(Score(entry_id=ids["entry"], component_id=ids["practical"], seat=0, value=Decimal(1)))
        session.rollback()
    with upgraded.engine.connect() as connection:
        indexes = {row[1] for row in connection.exec_driver_sql("PRAGMA index_list('audit_log')")}
    assert {"ix_audit_log_at", "ix_audit_log_user_id"} <= indexes
    upgraded.close()
