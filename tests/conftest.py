"""Shared fixtures: real SQLite files and a real PostgreSQL server, one transaction per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from db.session import Database, open_database, sqlite_url
from tests.support.postgres import fresh_database, postgres_url
from tests.support.windows import open_main_window
from ui.main_window import MainWindow

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per run; tests get copies (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    open_database(sqlite_url(path)).close()
    return path


@pytest.fixture
def sqlite_database(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "competition.sqlite3"
    shutil.copyfile(migrated_sqlite_template, path)
    database = open_database(sqlite_url(path))
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database made once per run by the real demo service; tests get copies."""
    from competition_app.services.demo import create_demo
    from competition_app.tasks import Progress

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database = open_database(sqlite_url(path))
    try:
        with database.transaction() as session:
            create_demo(session, Progress())
    finally:
        database.close()
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database."""
    path = tmp_path / "competition.sqlite3"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def demo_database(demo_path: Path) -> Iterator[Database]:
    database = open_database(sqlite_url(demo_path))
    yield database
    database.close()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    url, reason = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL tests skipped: no server could be started ({reason})")
    return url


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[Database]:
    """A migrated PostgreSQL database shared by the run; tests roll back their changes."""
    database = open_database(fresh_database(postgres_server, "competition_schema"))
    yield database
    database.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """The same test on both engines."""
    fixture = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    db: Database = request.getfixturevalue(fixture)
    return db


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    Code under test may commit: with ``create_savepoint`` its commits release savepoints,
    and nothing reaches the database for the next test.
    """
    connection = database.engine.connect()
    outer = connection.begin()
    db_session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield db_session
    db_session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def main_window(qtbot: QtBot, demo_database: Database, tmp_path: Path) -> Iterator[MainWindow]:
    """The main window, shown, on a private copy of the demo database."""
    yield from open_main_window(qtbot, demo_database, tmp_path)
