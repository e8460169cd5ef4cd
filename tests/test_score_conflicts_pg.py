"""Two clients on one PostgreSQL database keying the same cell: the second sees a conflict.

Real committed transactions on a database of their own (not the rolled-back ``session``
fixture): each "client" is a ``Database`` with its own connection pool and logged-in clerk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from competition_app.services import audit
from competition_app.services.scores import CellRef, ScoreConflict, enter_score, load_sheet
from db.models import AuditRecord, Score
from db.session import Database, open_database
from tests.support.postgres import fresh_database
from tests.support.scoring import Scored, scored_event

pytestmark = pytest.mark.postgres


@pytest.fixture
def clients(postgres_server: str) -> Iterator[tuple[Database, Database, Scored]]:
    url = fresh_database(postgres_server, "score_conflicts")
    setup = open_database(url)
    with setup.transaction() as session:
        built = scored_event(session, double_entry=False)
    first, second = open_database(url, migrate=False), open_database(url, migrate=False)
    first.info["actor"], second.info["actor"] = built.clerk, built.clerk2
    yield first, second, built
    for database in (first, second, setup):
        database.close()


def _version(database: Database, built: Scored, entry: int = 0, seat: int = 1) -> int | None:
    with database.session() as session:
        sheet = load_sheet(session, built.event.id, built.practical.id)
        cell = sheet.cells.get((entry, seat - 1))
        return None if cell is None else cell.version


def _stored(database: Database, ref: CellRef) -> tuple[Decimal, int, list[str]]:
    with database.session() as session:
        score = session.scalars(
            select(Score).where(
                Score.entry_id == ref.entry_id, Score.component_id == ref.component_id, Score.seat == ref.seat
            )
        ).one()
        values = [
            record.new_value["value"]
            for record in session.scalars(
                select(AuditRecord).where(AuditRecord.entity_type == "score", AuditRecord.entity_id == score.id)
            )
            if record.new_value is not None
        ]
        assert audit.first_broken_link(session) is None
        return score.value, score.version, values


def test_the_second_of_two_clients_editing_one_cell_gets_a_conflict(
    clients: tuple[Database, Database, Scored],
) -> None:
    first, second, built = clients
    ref = built.cell(0, 1)
    # Both screens show the cell empty; both type a mark.
    seen_first, seen_second = _version(first, built), _version(second, built)
    assert seen_first is seen_second is None
    with first.transaction() as session:
        mine = enter_score(session, ref, "80", expected_version=seen_first)
    with pytest.raises(ScoreConflict, match="录分员甲刚刚录入了 80") as conflict, second.transaction() as session:
        enter_score(session, ref, "85", expected_version=seen_second)
    assert conflict.value.current is not None and conflict.value.current.value == Decimal(80)
    # Both now show version 1 and change it.
    seen_first = seen_second = mine.version
    with first.transaction() as session:
        enter_score(session, ref, "81", expected_version=seen_first)
    with pytest.raises(ScoreConflict) as conflict, second.transaction() as session:
        enter_score(session, ref, "86", expected_version=seen_second)
    assert conflict.value.current is not None
    assert (conflict.value.current.value, conflict.value.current.version) == (Decimal(81), 2)
    assert _stored(first, ref) == (Decimal(81), 2, ["80", "81"])


def _race(
    first: Database, second: Database, ref: CellRef, expected: int | None
) -> tuple[BaseException | None, Decimal]:
    """The first client writes the cell and holds its transaction open; the second writes the
    same cell and blocks on the first's row (or index entry); then the first commits. Returns
    what the second raised (None if it succeeded) and the value it would have written."""
    outcome: list[BaseException | None] = []
    backend: list[int] = []
    started = threading.Event()

    def other_client() -> None:
        try:
            with second.transaction() as session:
                backend.append(session.scalar(text("SELECT pg_backend_pid()")) or 0)
                started.set()
                enter_score(session, ref, "77", expected_version=expected)
        except BaseException as error:  # handed to the test thread
            outcome.append(error)
        else:
            outcome.append(None)
        finally:
            started.set()

    with first.transaction() as session:
        enter_score(session, ref, "70", expected_version=expected)
        thread = threading.Thread(target=other_client)
        thread.start()
        assert started.wait(30)
        _wait_until(lambda: (bool(backend) and _waiting_on_a_lock(first, backend[0])) or bool(outcome))
    thread.join(30)
    assert not thread.is_alive()
    return outcome[0], Decimal(77)


def _waiting_on_a_lock(database: Database, pid: int) -> bool:
    with database.engine.connect() as connection:
        wait = connection.execute(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        ).scalar()
    return wait == "Lock"


def _wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the second client never reached the cell"
        time.sleep(0.01)


def test_two_clients_filling_the_same_empty_cell_at_once(clients: tuple[Database, Database, Scored]) -> None:
    first, second, built = clients
    ref = built.cell(1, 2)
    error, _lost = _race(first, second, ref, None)
    assert isinstance(error, ScoreConflict), error
    assert error.current is not None and error.current.value == Decimal(70)
    assert _stored(first, ref) == (Decimal(70), 1, ["70"])


def test_two_clients_changing_the_same_cell_at_once(clients: tuple[Database, Database, Scored]) -> None:
    first, second, built = clients
    ref = built.cell(2, 3)
    with first.transaction() as session:
        enter_score(session, ref, "60", expected_version=None)
    error, _lost = _race(first, second, ref, 1)
    assert isinstance(error, ScoreConflict), error
    assert error.current is not None and (error.current.value, error.current.version) == (Decimal(70), 2)
    assert _stored(first, ref) == (Decimal(70), 2, ["60", "70"])


def test_a_sheet_cannot_be_locked_while_a_mark_on_it_is_being_committed(
    clients: tuple[Database, Database, Scored],
) -> None:
    """Keying share-locks the sheet row, so 签字锁定 (which update-locks it first) waits for the
    mark's commit and then fingerprints it, instead of locking a sheet that changes after."""
    first, second, built = clients
    with first.transaction() as session:
        enter_score(session, built.cell(0, 4), "66", expected_version=None)
        with second.engine.connect() as other, other.begin():
            with pytest.raises(OperationalError, match="could not obtain lock"):
                other.execute(
                    text("SELECT id FROM score_sheets WHERE component_id = :c FOR UPDATE NOWAIT"),
                    {"c": built.practical.id},
                )
    with second.engine.connect() as other, other.begin():
        row = other.execute(
            text("SELECT id FROM score_sheets WHERE component_id = :c FOR UPDATE NOWAIT"), {"c": built.practical.id}
        ).one()
        assert row.id
