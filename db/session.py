"""Opening a database: URL resolution, engine set-up per dialect, sessions, migrations on open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

ENV_VAR = "COMPETITION_APP_DB"
APP_NAME = "competition-app"
DEFAULT_FILENAME = "competition.sqlite3"


def default_url() -> str:
    """SQLite in the user's data directory (platformdirs), e.g. ~/.local/share/competition-app."""
    from platformdirs import user_data_dir

    return sqlite_url(Path(user_data_dir(APP_NAME, appauthor=False)) / DEFAULT_FILENAME)


def sqlite_url(path: Path | str) -> str:
    return URL.create("sqlite+pysqlite", database=str(Path(path).expanduser().resolve())).render_as_string()


def resolve_url(cli_value: str | None = None, environ: dict[str, str] | None = None) -> str:
    """--db beats COMPETITION_APP_DB beats the default. A bare path means an SQLite file."""
    env = os.environ if environ is None else environ
    chosen = cli_value or env.get(ENV_VAR) or default_url()
    if "://" not in chosen:
        return sqlite_url(chosen)
    url = make_url(chosen)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def describe_url(url: str) -> str:
    """A human description for the status bar, without the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite · {parsed.database or '(内存)'}"
    if parsed.get_backend_name() == "postgresql":
        port = f":{parsed.port}" if parsed.port else ""
        return f"PostgreSQL · {parsed.host or 'localhost'}{port}/{parsed.database}"
    return parsed.render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (the pysqlite driver's own BEGIN handling
        # breaks SAVEPOINT and transactional DDL); see SQLAlchemy's SQLite dialect docs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit is on disk before it returns, even in WAL mode (NORMAL is not durable).
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings this product relies on for that dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


class Database:
    """One open database: its engine and a session factory. Open one session per user action."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.info: dict[str, Any] = {}
        """Copied into every session's ``info``: the logged-in actor travels this way."""

    @property
    def description(self) -> str:
        return describe_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions(info=dict(self.info))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on any exception."""
        with self.session() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at ``url`` and bring its schema up to date."""
    engine = make_engine(url or resolve_url())
    if migrate:
        from db.migrate import upgrade

        upgrade(engine)
    return Database(engine)
